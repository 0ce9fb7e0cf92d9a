#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "time/tm.h"

int
tm_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
tm_days_in_month(int64_t y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && tm_is_leap(y) ? 29 : days[m - 1];
}

/* The era-based algorithm: shift the year to start in March so that the
 * leap day falls last, then count 400-year eras of 146097 days. */
int64_t
tm_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = tm_floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tm_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = tm_floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

size_t
tm_fmt_rfc3339(int64_t us, char buf[TM_RFC3339_MAX])
{
	int64_t days = tm_floordiv(us, TM_US_PER_DAY);
	int64_t rest = tm_floormod(us, TM_US_PER_DAY);	/* 0 .. day-1 */
	int64_t secs = rest / TM_US_PER_S, frac = rest % TM_US_PER_S, y;
	int m, d, n, digits = 6;

	tm_civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999)
		n = snprintf(buf, TM_RFC3339_MAX, "%04lld", (long long)y);
	else
		n = snprintf(buf, TM_RFC3339_MAX, "%+05lld", (long long)y);
	n += snprintf(buf + n, TM_RFC3339_MAX - (size_t)n,
	    "-%02d-%02dT%02d:%02d:%02d", m, d, (int)(secs / 3600),
	    (int)(secs / 60 % 60), (int)(secs % 60));
	if (frac != 0) {
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		n += snprintf(buf + n, TM_RFC3339_MAX - (size_t)n, ".%0*lld",
		    digits, (long long)frac);
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
	return (size_t)n;
}

static int
digits(const char *s, size_t n, size_t *i, int count, int *out)
{
	int v = 0;

	for (int k = 0; k < count; k++, (*i)++) {
		if (*i >= n || s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[*i] - '0');
	}
	*out = v;
	return 0;
}

static int
expect(const char *s, size_t n, size_t *i, char c)
{
	if (*i >= n || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

int
tm_parse_rfc3339(const char *s, size_t n, int64_t *us, struct eb *e)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, scale = 100000, off = 0;
	size_t i = 0;

	if (digits(s, n, &i, 4, &y) || expect(s, n, &i, '-') ||
	    digits(s, n, &i, 2, &mo) || expect(s, n, &i, '-') ||
	    digits(s, n, &i, 2, &d))
		goto bad;
	if (i >= n || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		goto bad;
	i++;
	if (digits(s, n, &i, 2, &h) || expect(s, n, &i, ':') ||
	    digits(s, n, &i, 2, &mi) || expect(s, n, &i, ':') ||
	    digits(s, n, &i, 2, &sec))
		goto bad;
	if (i < n && s[i] == '.') {
		size_t first = ++i;

		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (s[i] - '0') * scale;	/* digits past 6 add 0 */
			scale /= 10;
		}
		if (i == first)
			goto bad;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		sign = s[i++] == '-' ? -1 : 1;
		if (digits(s, n, &i, 2, &oh) || expect(s, n, &i, ':') ||
		    digits(s, n, &i, 2, &om) || oh > 23 || om > 59)
			goto bad;
		off = sign * ((int64_t)oh * 3600 + om * 60) * TM_US_PER_S;
	}
	if (i != n)
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > tm_days_in_month(y, mo))
		return eb_set(e, "date out of range: '%.*s'", (int)n, s);
	if (h > 23 || mi > 59 || sec > 59)
		return eb_set(e, "time of day out of range: '%.*s'", (int)n, s);
	*us = (tm_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) *
	    TM_US_PER_S + frac - off;
	return 0;
bad:
	return eb_set(e, "not an RFC 3339 time: '%.*s'", (int)(n > 64 ? 64 : n), s);
}

int
tm_from_epoch_seconds(double secs, int64_t *us, struct eb *e)
{
	double v = secs * 1e6;

	/* 9.2e18 us is about 292,000 years either side of 1970 */
	if (!(fabs(v) < 9.2e18))
		return eb_set(e, "epoch seconds out of range: %g", secs);
	*us = (int64_t)llround(v);
	return 0;
}

int64_t
tm_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
