/* jx_double: a double's JSON text, by one rule: the first of %.15g,
 * %.16g, %.17g that strtod reads back to the same double (from %.1g for
 * subnormals, which carry fewer digits). A normal double whose shortest
 * round-trip decimal has 15 or fewer digits lies far closer to it than to
 * any 15-digit rounding boundary, so %.15g yields exactly that decimal;
 * the text is thus the shortest that reads back, with %.*g's correctly
 * rounded digits and %g's layout.
 *
 * The rule costs up to three snprintf and strtod calls, too slow for
 * window-avg's output and json-project's DOUBLE columns, so the common
 * case, fixed notation (1e-4 <= |d| < 1e15), is computed by hand below
 * and gives the same bytes; anything it is not sure of takes the rule
 * itself. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "json/pow10.h"

/* The rule as stated: the reference every fast path must agree with. */
static size_t
fmt_printf(double d, char buf[JX_NUM_MAX])
{
	int prec, n = 0;

	for (prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		n = snprintf(buf, JX_NUM_MAX, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return (size_t)n;
}

/* 1 when the decimal m * 10^x (m < 2^57, -22 <= x < 0) reads back as
 * a, a normal double with 2^-66 <= a < 2^53: when it lies strictly
 * inside a's rounding interval, or on its edge with a's significand even
 * (round half to even). Everything is scaled by 4 * 2^-E * 10^-x to exact
 * integers under 2^126: D = m * 2^(2 - E) against (4M -+ 2) * 10^-x,
 * the lower edge nearer, (4M - 1), when M is a power of two. -1 outside
 * those bounds. */
static int
decimal_is(uint64_t m, int x, double a)
{
	unsigned __int128 d, lo, hi, scale;
	uint64_t M;
	int exp, E;

	M = (uint64_t)ldexp(frexp(a, &exp), 53);
	E = exp - 53;
	if (E > -3 || E < -66 || x >= 0 || x < -22)
		return -1;	/* outside what the bounds below were sized for */
	scale = -x <= 19 ? (unsigned __int128)pow10_u64[-x] :
	    (unsigned __int128)pow10_u64[19] * pow10_u64[-x - 19];
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
		v = x < 0 ? (double)m / pow10_dbl[-x] : (double)m * pow10_dbl[x];
		return (d < 0 ? -v : v) == d;
	}
	if ((rc = decimal_is(m, x, fabs(d))) >= 0)
		return rc;
	return strtod(buf, &t) == d && t == end;
}

/* The rule's text for 1e-4 <= |d| < 1e15, where %g writes fixed
 * notation, into buf; 0 when unsure, and the caller takes the rule. The
 * 17 leading digits come from one long double product (64-bit mantissa:
 * absolute error under 0.01 at 1e17, and 10^k exact for k <= 27), each
 * candidate is correctly rounded unless it lies within 0.001 of a
 * rounding tie, and is then checked by reading it back. */
static size_t
fmt_fixed(double d, char buf[JX_NUM_MAX])
{
#if LDBL_MANT_DIG >= 64
	double a = fabs(d);
	char *p = buf;
	int e10, k;
	long double u;

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	e10 = (int)floor(log10(a));
	if (e10 < -4 || e10 > 14 ||
	    (u = (long double)a * pow10_ldbl[16 - e10]) >= 1e17L || u < 1e16L)
		return 0;
	for (k = 15; k <= 17; k++) {
		long double q = u / pow10_ldbl[17 - k], f = q - floorl(q);
		uint64_t m = (uint64_t)floorl(q) + (f > 0.5L);
		char digits[24], *t;
		int n, point;

		if (fabsl(f - 0.5L) < 1e-3L)
			return 0;
		for (n = 0, t = digits + sizeof(digits); m > 0 || n == 0; m /= 10, n++)
			*--t = (char)('0' + m % 10);
		if (n != k)	/* rounded up to one digit more */
			return 0;
		memmove(digits, t, (size_t)n);
		/* digits with the point after e10 + 1 of them, trailing zeros
		 * cut: at most a sign, "0.", 3 zeros and 17 digits */
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
		if (reads_back(buf, p, digits, k, e10, d))
			return (size_t)(p - buf);
	}
#else
	(void)d;
	(void)buf;
#endif
	return 0;
}

size_t
jx_fmt_double(double d, char buf[JX_NUM_MAX])
{
	size_t n;

	if (!isfinite(d))
		return 0;
	if ((n = fmt_fixed(d, buf)) > 0)
		return n;
	return fmt_printf(d, buf);
}

void
jx_put_double(struct sb *s, double d)
{
	char buf[JX_NUM_MAX];
	size_t n = jx_fmt_double(d, buf);

	if (n == 0)
		sb_add(s, "null", 4);
	else
		sb_add(s, buf, n);
}

void
jx_put_double_named(struct sb *s, double d)
{
	if (isnan(d))
		sb_adds(s, "\"NaN\"");
	else if (isinf(d))
		sb_adds(s, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
		jx_put_double(s, d);
}
