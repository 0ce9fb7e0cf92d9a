/* CAST(string AS TIMESTAMP): Spark's DateTimeUtils.parseTimestampString
 * and stringToTimestamp, segment by segment. */
#include <string.h>
#include <time.h>

#include "time/dt.h"
#include "time/dt_resolve.h"
#include "time/tm.h"

enum { SEG_YEAR, SEG_MONTH, SEG_DAY, SEG_HOUR, SEG_MIN, SEG_SEC, SEG_FRAC,
	SEG_COUNT = 9 };

static int
valid_digits(int seg, int digits)
{
	/* years of 4 to 6 digits; fractions of any length (truncated to
	 * microseconds); the zone segment may be empty */
	return seg == SEG_FRAC || (seg == SEG_YEAR && digits >= 4 && digits <= 6) ||
	    (seg == 7 && digits <= 2) ||
	    (seg != SEG_YEAR && seg != SEG_FRAC && seg != 7 && digits > 0 &&
	    digits <= 2);
}

/* UTF8String.trimAll: whitespace and control characters at both ends */
static int
trim_byte(unsigned char c)
{
	return c <= ' ' || c == 0x7f;
}

static int
bad(const char *s, size_t n, struct eb *e)
{
	return eb_set(e, "'%.*s' is not a timestamp", (int)(n > 64 ? 64 : n), s);
}

int
dt_cast(const char *s0, size_t n0, const struct tz *deflt,
    struct tz_cache *zones, int64_t *us, struct eb *e)
{
	int64_t seg[SEG_COUNT] = { 1, 1, 1, 0, 0, 0, 0, 0, 0 }, cur = 0;
	const char *s = s0, *tz = NULL;
	size_t n = n0, j = 0, ntz = 0;
	int i = 0, digits = 0, frac_digits = 0, just_time = 0, sign = 1;
	int has_sign = 0;
	struct dt_fields f;

	while (n > 0 && trim_byte((unsigned char)s[0]))
		s++, n--;
	while (n > 0 && trim_byte((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return bad(s0, n0, e);
	if (s[0] == '-' || s[0] == '+') {
		sign = s[0] == '-' ? -1 : 1;
		has_sign = 1;
		j = 1;
	}
	for (; j < n; j++) {
		unsigned char b = (unsigned char)s[j];

		if (b >= '0' && b <= '9') {
			if (i == SEG_FRAC)
				frac_digits++;
			if ((i != SEG_FRAC || digits < 6) && cur < INT64_C(1000000000))
				cur = cur * 10 + (b - '0');
			digits++;
			continue;
		}
		if (j == 0 && b == 'T') {
			just_time = 1;
			i += 3;
		} else if (i < 2) {
			if (b == '-') {
				if (!valid_digits(i, digits))
					return bad(s0, n0, e);
				seg[i++] = cur;
			} else if (i == 0 && b == ':' && !has_sign) {
				just_time = 1;
				if (!valid_digits(SEG_HOUR, digits))
					return bad(s0, n0, e);
				seg[SEG_HOUR] = cur;
				i = SEG_MIN;
			} else {
				return bad(s0, n0, e);
			}
			cur = 0, digits = 0;
		} else if (i == 2) {
			if (b != ' ' && b != 'T')
				return bad(s0, n0, e);
			if (!valid_digits(i, digits))
				return bad(s0, n0, e);
			seg[i++] = cur;
			cur = 0, digits = 0;
		} else if (i == 3 || i == 4) {
			if (b != ':' || !valid_digits(i, digits))
				return bad(s0, n0, e);
			seg[i++] = cur;
			cur = 0, digits = 0;
		} else if (i == 5 || i == 6) {
			if (!valid_digits(i, digits))
				return bad(s0, n0, e);
			seg[i++] = cur;
			cur = 0, digits = 0;
			if (!(b == '.' && i == 6)) {
				/* the rest of the value is the zone */
				tz = s + j;
				ntz = n - j;
				j = n - 1;
				if (i == 6)
					i++;
			}
		} else {
			if (i >= SEG_COUNT || (b != ':' && b != ' ') ||
			    !valid_digits(i, digits))
				return bad(s0, n0, e);
			seg[i++] = cur;
			cur = 0, digits = 0;
		}
	}
	if (i >= SEG_COUNT || !valid_digits(i, digits))
		return bad(s0, n0, e);
	seg[i] = cur;
	for (; frac_digits < 6; frac_digits++)
		seg[SEG_FRAC] *= 10;

	memset(&f, 0, sizeof(f));
	if (tz != NULL) {
		while (ntz > 0 && (unsigned char)tz[0] <= ' ')
			tz++, ntz--;
		while (ntz > 0 && (unsigned char)tz[ntz - 1] <= ' ')
			ntz--;
		f.zone = tz_cache_get(zones, tz, ntz, TZ_SHORT_IDS, e);
		if (f.zone == NULL)
			return eb_wrap(e, "'%.*s' is not a timestamp",
			    (int)(n0 > 64 ? 64 : n0), s0);
	}
	if (just_time) {
		/* LocalDate.now(zone): today where the value's zone says */
		const struct tz *z = f.zone ? f.zone : deflt;
		int64_t now = (int64_t)time(NULL), y;
		int m, d;

		now += tz_offset_at(z, now);
		tm_civil_from_days(tm_floordiv(now, 86400), &y, &m, &d);
		seg[SEG_YEAR] = y, seg[SEG_MONTH] = m, seg[SEG_DAY] = d;
	} else {
		seg[SEG_YEAR] *= sign;
	}
	f.v[F_YEAR] = seg[SEG_YEAR];
	f.v[F_MONTH] = seg[SEG_MONTH];
	f.v[F_DOM] = seg[SEG_DAY];
	f.v[F_HOD] = seg[SEG_HOUR];
	f.v[F_MIN] = seg[SEG_MIN];
	f.v[F_SEC] = seg[SEG_SEC];
	f.v[F_NANO] = seg[SEG_FRAC] * 1000;
	f.set = 1u << F_YEAR | 1u << F_MONTH | 1u << F_DOM | 1u << F_HOD |
	    1u << F_MIN | 1u << F_SEC | 1u << F_NANO;
	if (dt_resolve(&f, deflt, us) != 0)
		return eb_set(e, "'%.*s' is not a valid date-time",
		    (int)(n0 > 64 ? 64 : n0), s0);
	return 0;
}
