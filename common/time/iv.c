#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "time/iv.h"

struct unit {
	const char *name;
	int64_t us;
};

/* Spark's unit words (singular and plural) and the short forms. Longest
 * names first so that "ms" is not read as "m" followed by garbage. */
static const struct unit units[] = {
	{ "microseconds", 1 }, { "microsecond", 1 }, { "us", 1 },
	{ "milliseconds", 1000 }, { "millisecond", 1000 }, { "ms", 1000 },
	{ "seconds", 1000000 }, { "second", 1000000 }, { "secs", 1000000 },
	{ "sec", 1000000 }, { "s", 1000000 },
	{ "minutes", 60000000 }, { "minute", 60000000 }, { "mins", 60000000 },
	{ "min", 60000000 }, { "m", 60000000 },
	{ "hours", INT64_C(3600000000) }, { "hour", INT64_C(3600000000) },
	{ "h", INT64_C(3600000000) },
	{ "days", INT64_C(86400000000) }, { "day", INT64_C(86400000000) },
	{ "d", INT64_C(86400000000) },
	{ "weeks", INT64_C(604800000000) }, { "week", INT64_C(604800000000) },
	{ "w", INT64_C(604800000000) },
};

static const char *const refused[] = {
	"months", "month", "years", "year", "mon", "y", NULL
};

static size_t
word_len(const char *p)
{
	size_t n = 0;

	while (isalpha((unsigned char)p[n]))
		n++;
	return n;
}

int
iv_parse(const char *s, int64_t *out, int allow_negative, struct eb *e)
{
	const char *p = s;
	double total = 0;
	int sign = 1, terms = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "interval", 8) == 0 && isspace((unsigned char)p[8]))
		p += 9;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-' && allow_negative) {
		sign = -1;
		p++;
	}
	while (*p != '\0') {
		char *end;
		double v;
		size_t wl, k;
		int found = 0;

		if (!isdigit((unsigned char)*p) && *p != '.')
			return eb_set(e, "bad interval '%s': expected a number at '%s'", s, p);
		v = strtod(p, &end);
		if (end == p || !isfinite(v))
			return eb_set(e, "bad interval '%s'", s);
		p = end;
		while (*p == ' ')
			p++;
		wl = word_len(p);
		if (wl == 0)
			return eb_set(e, "bad interval '%s': missing unit after %g", s, v);
		for (k = 0; refused[k] != NULL; k++)
			if (strlen(refused[k]) == wl && strncasecmp(p, refused[k], wl) == 0)
				return eb_set(e, "bad interval '%s': months and years have no fixed length", s);
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
			if (strlen(units[k].name) == wl &&
			    strncasecmp(p, units[k].name, wl) == 0) {
				total += v * (double)units[k].us;
				found = 1;
				break;
			}
		}
		if (!found)
			return eb_set(e, "bad interval '%s': unknown unit '%.*s'", s, (int)wl, p);
		p += wl;
		terms++;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (terms == 0)
		return eb_set(e, "bad interval '%s': empty", s);
	if (total >= 9.2e18)
		return eb_set(e, "bad interval '%s': too long", s);
	if (total != floor(total))
		return eb_set(e, "bad interval '%s': finer than a microsecond", s);
	*out = sign * (int64_t)total;
	return 0;
}
