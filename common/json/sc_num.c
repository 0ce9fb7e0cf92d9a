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

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES	UINT64_C(0x0101010101010101)

/* How many of the bytes of w, from the lowest, are digits (0 to 8). A
 * byte that is not a digit has its high bit set in the sum; carries only
 * go upwards and start at such a byte, so the lowest one flagged is
 * always a true one. */
static inline int
digit_run(uint64_t w)
{
	uint64_t d = w ^ (ONES * '0');
	uint64_t nd = ((d + ONES * 0x76) | d) & (ONES * 0x80);

	return nd ? __builtin_ctzll(nd) >> 3 : 8;
}

/* The value of the first k (1 to 8) digits of w: moved to the top so
 * that the bytes below read as leading zeros, then combined pairwise in
 * the lanes of the word (tens and units in 16-bit lanes, then hundreds
 * in 32-bit ones, then the two halves): three multiplications instead
 * of one per digit. */
static inline uint64_t
digits_value(uint64_t w, int k)
{
	w = (w & (ONES * 0x0F)) << (8 * (8 - k));
	w = (w * (10 * 256 + 1)) >> 8 & UINT64_C(0x00FF00FF00FF00FF);
	w = (w * (100 * 65536 + 1)) >> 16 & UINT64_C(0x0000FFFF0000FFFF);
	return (w * (10000 * (UINT64_C(1) << 32) + 1)) >> 32;
}

/* The usual number of a price feed, 1 to 7 integer digits, '.', 1 to 8
 * fraction digits and nothing else, at least eight bytes in all: the
 * first eight bytes and the last eight, one load each (both inside the
 * span), instead of a loop over the digits. -1 for any other shape. */
static inline __attribute__((always_inline)) int
decimal_short(const char *p, const char *end, uint64_t *mant, int *exp10)
{
	uint64_t a, b;
	int k1, k2;

	if (end - p < 8)
		return -1;
	memcpy(&a, p, 8);
	k1 = digit_run(a);
	if (k1 == 0 || k1 == 8 || p[k1] != '.')
		return -1;
	k2 = (int)(end - p) - k1 - 1;
	if (k2 < 1 || k2 > 8)
		return -1;
	memcpy(&b, end - 8, 8);
	b >>= 8 * (8 - k2);	/* the fraction's bytes, zeros above */
	if (digit_run(b) < k2)	/* an exponent */
		return -1;
	*mant = digits_value(a, k1) * pow10_u64[k2] + digits_value(b, k2);
	*exp10 = -k2;
	return 0;
}
#endif

static int decimal_loop(const char *p, const char *end, uint64_t *mant,
    int *exp10);

/* The decimal of a JSON number span: digits as an integer (at most 19
 * significant ones) and a power of ten. -1 when there are more digits
 * or the exponent is wild: the caller then takes the slow, exact path.
 * Inlined in its callers with decimal_short, so that the usual number
 * costs no call; decimal_loop reads the others (after the sign). */
static inline __attribute__((always_inline)) int
decimal(struct rec_span v, uint64_t *mant, int *exp10, int *neg)
{
	const char *p = v.p, *end = v.p + v.n;

	*neg = 0;
	if (p < end && *p == '-') {
		*neg = 1;
		p++;
	}
#ifdef ONES
	if (decimal_short(p, end, mant, exp10) == 0)
		return 0;
#endif
	return decimal_loop(p, end, mant, exp10);
}

static __attribute__((noinline)) int
decimal_loop(const char *p, const char *end, uint64_t *mant, int *exp10)
{
	const char *start, *dot = NULL;
	uint64_t m = 0;
	unsigned c;
	int digits, x = 0, e = 0, eneg = 0;

	/* the integer and fraction digits in one loop (the span is a valid
	 * number, so a '.' comes once, between digits); 19 digits fit in 64
	 * bits, and leading zeros count too, which only sends such rare
	 * texts down the slow path */
	for (start = p; p < end; p++) {
		c = (unsigned)(unsigned char)*p - '0';
		if (c < 10)
			m = m * 10 + c;
		else if (*p == '.')
			dot = p;
		else
			break;
	}
	digits = (int)(p - start) - (dot != NULL);
	if (dot)
		x = -(int)(p - dot - 1);
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
