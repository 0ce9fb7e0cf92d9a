/* sc_num: the numbers of the per-record path, exact and without strtod
 * in the common case: FLOAT and DOUBLE read from a JSON number as Jackson
 * reads them (the nearest float / double to the decimal). Printing them
 * is jx's (jx_fmt_float, jx_put_double); whatever falls outside the fast
 * path below still goes through strtof and rec_number. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/pow10.h"
#include "json/sc.h"

/* The decimal of a JSON number span: digits as an integer (at most 19
 * significant ones) and a power of ten. -1 when there are more digits
 * or the exponent is wild: the caller then takes the slow, exact path. */
static int
decimal(struct rec_span v, uint64_t *mant, int *exp10, int *neg)
{
	const char *p = v.p, *end = v.p + v.n, *frac;
	uint64_t m = 0;
	int digits, x = 0, e = 0, eneg = 0;

	*neg = 0;
	if (p < end && *p == '-') {
		*neg = 1;
		p++;
	}
	/* 19 digits fit in 64 bits; leading zeros count too, which only
	 * sends such rare texts down the slow path */
	for (frac = p; p < end && (unsigned)(*p - '0') < 10; p++)
		m = m * 10 + (uint64_t)(*p - '0');
	digits = (int)(p - frac);
	if (p < end && *p == '.') {
		for (frac = ++p; p < end && (unsigned)(*p - '0') < 10; p++)
			m = m * 10 + (uint64_t)(*p - '0');
		x = (int)(frac - p);
		digits -= x;
	}
	if (digits > 19)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end; p++) {
			e = e * 10 + (*p - '0');
			if (e > 400)
				return -1;
		}
		x += eneg ? -e : e;
	}
	*mant = m;
	*exp10 = x;
	return 0;
}

/* Clinger's fast path: a decimal of at most 2^53 with a power of ten up
 * to 22 is one correctly rounded multiplication or division. */
static int
fast_double(uint64_t m, int x, double *out)
{
	if (m > (UINT64_C(1) << 53) || x < -22 || x > 22)
		return -1;
	*out = x < 0 ? (double)m / pow10_dbl[-x] : (double)m * pow10_dbl[x];
	return 0;
}

double
sc_parse_double(struct rec_span v)
{
	uint64_t m;
	int x, neg;
	double d;

	if (decimal(v, &m, &x, &neg) == 0 && fast_double(m, x, &d) == 0)
		return neg ? -d : d;
	return rec_number(v);
}

float
sc_parse_float(struct rec_span v)
{
	uint64_t m, bits;
	int x, neg;
	double d;
	float f;

	if (decimal(v, &m, &x, &neg) == 0 && fast_double(m, x, &d) == 0) {
		/* d is the decimal correctly rounded to 53 bits; rounding it
		 * again to 24 gives the float nearest the decimal unless d
		 * fell exactly on a midpoint between two floats (the 29 bits
		 * below a float's precision read 1000...0), or outside the
		 * range of normal floats, where the bit count differs */
		memcpy(&bits, &d, sizeof(bits));
		if (d == 0 || (d >= 0x1p-126 && d < 0x1p127 &&
		    (bits & 0x1FFFFFFF) != 0x10000000)) {
			f = (float)d;
			return neg ? -f : f;
		}
	}
	return rec_number_float(v);
}
