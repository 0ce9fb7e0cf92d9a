#include <string.h>

#include "window/wa_time.h"

static int
plain_time(const char *p, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";

	if (n != 19 && !(n == 20 && p[19] == 'Z'))
		return 0;
	for (int i = 0; i < 19; i++)
		if (shape[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != shape[i])
			return 0;
	return 1;
}

static inline int
digit(char c)
{
	return (unsigned)(c - '0') < 10;
}

/* The date matches one tm validated, so only "THH:MM:SS[Z]" is checked;
 * within the minute of the last such time, only ":SS[Z]". */
static int
same_day(struct wa_time_cache *c, const char *p, size_t n, int64_t *us)
{
	uint64_t date, hm;
	int h, mi, s;

	if (n != 19 && !(n == 20 && p[19] == 'Z'))
		return 0;
	memcpy(&date, p, 8);
	memcpy(&hm, p + 8, 8);
	if (c->day_len != 0 && date == c->day8 && hm == c->minute8 &&
	    p[16] == ':' && digit(p[17]) && digit(p[18]) &&
	    (s = (p[17] - '0') * 10 + p[18] - '0') <= 59) {
		*us = c->minute_us + s * TM_US_PER_S;
		return 1;
	}
	if (c->day_len == 0 || date != c->day8 || p[8] != c->day[8] ||
	    p[9] != c->day[9] || p[10] != 'T' || p[13] != ':' || p[16] != ':' ||
	    !digit(p[11]) || !digit(p[12]) || !digit(p[14]) || !digit(p[15]) ||
	    !digit(p[17]) || !digit(p[18]))
		return 0;
	h = (p[11] - '0') * 10 + p[12] - '0';
	mi = (p[14] - '0') * 10 + p[15] - '0';
	s = (p[17] - '0') * 10 + p[18] - '0';
	if (h > 23 || mi > 59 || s > 59)
		return 0;	/* let tm say why */
	c->minute8 = hm;
	c->minute_us = c->day_us + ((int64_t)h * 3600 + mi * 60) * TM_US_PER_S;
	*us = c->minute_us + s * TM_US_PER_S;
	return 1;
}

int
wa_time_parse(struct wa_time_cache *c, const char *p, size_t n, int64_t *us,
    struct eb *e)
{
	if (same_day(c, p, n, us))
		return 0;
	if (tm_parse_rfc3339(p, n, us, e) != 0)
		return -1;
	if (plain_time(p, n)) {
		memcpy(c->day, p, 10);
		memcpy(&c->day8, p, 8);
		c->minute8 = 0;	/* no byte of a plain time is NUL */
		c->day_len = 10;
		c->day_us = *us - tm_floormod(*us, TM_US_PER_DAY);
	}
	return 0;
}
