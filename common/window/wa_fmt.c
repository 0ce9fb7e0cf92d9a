#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "window/wa_fmt.h"

size_t
wa_fmt_time(int64_t us, char buf[TM_RFC3339_MAX])
{
	int64_t secs = tm_floordiv(us, TM_US_PER_S), days = tm_floordiv(secs, 86400);
	int64_t y, sod = secs - days * 86400;
	int mo, d, v[6];
	char *p = buf;

	if (us % TM_US_PER_S != 0)
		return tm_fmt_rfc3339(us, buf);
	tm_civil_from_days(days, &y, &mo, &d);
	if (y < 1 || y > 9999)
		return tm_fmt_rfc3339(us, buf);
	v[0] = (int)y;
	v[1] = mo;
	v[2] = d;
	v[3] = (int)(sod / 3600);
	v[4] = (int)(sod / 60 % 60);
	v[5] = (int)(sod % 60);
	*p++ = (char)('0' + v[0] / 1000);
	*p++ = (char)('0' + v[0] / 100 % 10);
	*p++ = (char)('0' + v[0] / 10 % 10);
	*p++ = (char)('0' + v[0] % 10);
	for (int i = 1; i < 6; i++) {
		*p++ = "--T::"[i - 1];
		*p++ = (char)('0' + v[i] / 10);
		*p++ = (char)('0' + v[i] % 10);
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

void
wa_fmt_put_time(struct wa_fmt_cache *c, struct sb *s, int64_t us)
{
	unsigned i;

	if (!c->ready) {
		for (i = 0; i < WA_FMT_CACHED; i++)
			c->us[i] = INT64_MIN;
		c->ready = 1;
	}
	for (i = 0; i < WA_FMT_CACHED; i++)
		if (c->us[i] == us) {
			sb_add(s, c->text[i], c->n[i]);
			return;
		}
	i = c->next++ % WA_FMT_CACHED;
	c->text[i][0] = '"';
	c->n[i] = wa_fmt_time(us, c->text[i] + 1) + 2;
	c->text[i][c->n[i] - 1] = '"';
	c->us[i] = us;
	sb_add(s, c->text[i], c->n[i]);
}

/* 1 when the decimal m * 10^x (m < 2^57, -22 <= x < 0) reads back as
 * a, a normal double with 2^-66 <= a < 2^53: when it lies strictly
 * inside a's rounding interval, or on its edge with a's significand even
 * (round half to even). Everything is scaled by 4 * 2^-E * 10^-x to exact
 * integers under 2^126: D = m * 2^(2 - E) against (4M -+ 2) * 10^-x,
 * the lower edge nearer, (4M - 1), when M is a power of two. */
static int
decimal_is(uint64_t m, int x, double a)
{
	static const uint64_t p10[] = { 1, UINT64_C(10), UINT64_C(100),
	    UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
	    UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000),
	    UINT64_C(1000000000), UINT64_C(10000000000),
	    UINT64_C(100000000000), UINT64_C(1000000000000),
	    UINT64_C(10000000000000), UINT64_C(100000000000000),
	    UINT64_C(1000000000000000), UINT64_C(10000000000000000),
	    UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
	    UINT64_C(10000000000000000000) };
	unsigned __int128 d, lo, hi, scale;
	uint64_t M;
	int exp, E;

	M = (uint64_t)ldexp(frexp(a, &exp), 53);
	E = exp - 53;
	if (E > -3 || E < -66 || x >= 0 || x < -22)
		return -1;	/* outside what the bounds below were sized for */
	scale = -x <= 19 ? (unsigned __int128)p10[-x] :
	    (unsigned __int128)p10[19] * p10[-x - 19];
	d = (unsigned __int128)m << (2 - E);
	hi = (unsigned __int128)(4 * M + 2) * scale;
	lo = (unsigned __int128)(4 * M - (M == UINT64_C(1) << 52 ? 1 : 2)) * scale;
	if (d == hi || d == lo)
		return (M & 1) == 0;
	return lo < d && d < hi;
}

/* 1 when the text buf..end, whose k significant digits start at digits
 * and whose leading digit stands for 10^e10, reads back as d. Up to 15
 * digits the decimal is m * 10^x with m < 2^53 and, here, |x| <= 22: one
 * correctly rounded IEEE operation on two exact doubles gives what strtod
 * gives (Clinger's fast path). Longer ones are compared with d's rounding
 * interval in exact integers; strtod only beyond that. */
static int
reads_back(const char *buf, const char *end, const char *digits, int k,
    int e10, double d)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
	    1e19, 1e20, 1e21, 1e22 };
	uint64_t m = 0;
	char *t = NULL;
	int x, n = k, rc;
	double v;

	while (n > 1 && digits[n - 1] == '0')
		n--;
	x = e10 + 1 - n;
	for (int i = 0; i < n; i++)
		m = m * 10 + (uint64_t)(digits[i] - '0');
	if (n <= 15 && x >= -22 && x <= 22) {
		v = x < 0 ? (double)m / p10[-x] : (double)m * p10[x];
		return (d < 0 ? -v : v) == d;
	}
	if ((rc = decimal_is(m, x, fabs(d))) >= 0)
		return rc;
	return strtod(buf, &t) == d && t == end;
}

/* Shortest round-trip text of d, as jx_put_double writes it (the first of
 * %.15g, %.16g, %.17g that reads back), without its three snprintf and
 * strtod calls on the common path: output of a window table is mostly
 * averages. The 17 leading digits come from one long double product
 * (64-bit mantissa: absolute error under 0.01 at 1e17, and 10^k exact for
 * k <= 27), each candidate is correctly rounded unless it lies within
 * 0.001 of a rounding tie, and is then checked by reading it back; any
 * doubt falls back to jx. Fixed notation only, as %g writes it here. */
void
wa_fmt_put_int(struct sb *s, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--p = '-';
	sb_add(s, p, (size_t)(buf + sizeof(buf) - p));
}

void
wa_fmt_put_double(struct sb *s, double d)
{
	static const long double p10[] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L,
	    1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L,
	    1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L };
	double a = fabs(d);
	char buf[48], *p = buf;
	int e10, k;
	long double u;

	if (!(a >= 1e-4 && a < 1e15)) {
		jx_put_double(s, d);
		return;
	}
	e10 = (int)floor(log10(a));
	if (e10 < -4 || e10 > 14 || (u = (long double)a * p10[16 - e10]) >= 1e17L ||
	    u < 1e16L) {
		jx_put_double(s, d);
		return;
	}
	for (k = 15; k <= 17; k++) {
		long double q = u / p10[17 - k], f = q - floorl(q);
		uint64_t m = (uint64_t)floorl(q) + (f > 0.5L);
		char digits[24], *t;
		int n, point;

		if (fabsl(f - 0.5L) < 1e-3L)
			break;
		for (n = 0, t = digits + sizeof(digits); m > 0 || n == 0; m /= 10, n++)
			*--t = (char)('0' + m % 10);
		if (n != k)	/* rounded up to one digit more: let jx say */
			break;
		memmove(digits, t, (size_t)n);
		/* digits with the point after e10 + 1 of them, trailing zeros cut */
		p = buf;
		if (d < 0)
			*p++ = '-';
		point = e10 + 1;
		if (point <= 0) {
			*p++ = '0';
			*p++ = '.';
			for (int z = point; z < 0; z++)
				*p++ = '0';
			memcpy(p, digits, (size_t)k);
			p += k;
		} else {
			memcpy(p, digits, (size_t)point);
			p += point;
			*p++ = '.';
			memcpy(p, digits + point, (size_t)(k - point));
			p += k - point;
		}
		while (p[-1] == '0')
			p--;
		if (p[-1] == '.')
			p--;
		*p = '\0';
		if (reads_back(buf, p, digits, k, e10, d)) {
			sb_add(s, buf, (size_t)(p - buf));
			return;
		}
	}
	jx_put_double(s, d);
}
