/* sc_num: the numbers of the per-record path, exact and without printf or
 * strtod in the common case: FLOAT and DOUBLE read from a JSON number as
 * Jackson reads them (the nearest float / double to the decimal), and a
 * FLOAT printed as jx_fmt_float prints it (the first of %.6g .. %.9g that
 * reads back to the same float), byte for byte.
 *
 * Written by hand because the libraries that print shortest floats (Ryu,
 * Grisu, Dragonbox) choose the closest shortest digits, which differ from
 * %.*g's correctly rounded ones, and jx's text is what every stage prints;
 * whatever falls outside the exact integer arithmetic below (zero,
 * subnormals, values under about 1e-30, products that would overflow)
 * still goes through jx_fmt_float and strtof. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "json/sc.h"

__extension__ typedef unsigned __int128 u128;

static const double pow10_dbl[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

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
	char small[64], *buf = small;
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
	if (v.n >= sizeof(small) && (buf = malloc(v.n + 1)) == NULL)
		return NAN;
	memcpy(buf, v.p, v.n);
	buf[v.n] = '\0';
	f = strtof(buf, NULL);
	if (buf != small)
		free(buf);
	return f;
}

static const uint64_t pow10_u64[20] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000),
	UINT64_C(10000), UINT64_C(100000), UINT64_C(1000000),
	UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
	UINT64_C(10000000000), UINT64_C(100000000000),
	UINT64_C(1000000000000), UINT64_C(10000000000000),
	UINT64_C(100000000000000), UINT64_C(1000000000000000),
	UINT64_C(10000000000000000), UINT64_C(100000000000000000),
	UINT64_C(1000000000000000000), UINT64_C(10000000000000000000),
};

static u128
pow10_128(int k)
{
	return k < 20 ? (u128)pow10_u64[k] :
	    (u128)pow10_u64[19] * pow10_u64[k - 19];
}

/* The float m * 2^e (m < 2^24) as ten digits: floor(|f| * 10^K) with
 * K = 9 - x, x the decimal exponent of f, all in exact integers; *sticky
 * says whether anything was cut off. -1 outside 1e-21 <= |f| < 1e10,
 * where 10^K or the product would not fit. */
static int
ten_digits(uint32_t m, int e, int *xp, int *Kp, uint64_t *dp, int *sticky)
{
	int x = *xp, tries, K, s;
	u128 n, q;

	for (tries = 0; tries < 3; tries++) {
		K = 9 - x;
		if (K < 0 || K > 30 || e > 40)
			return -1;
		n = (u128)m * pow10_128(K);
		s = e < 0 ? -e : 0;
		if (e > 0)
			n <<= e;
		if (s >= 128)
			return -1;
		q = s ? n >> s : n;
		if (q >= pow10_u64[10])
			x++;
		else if (q < pow10_u64[9])
			x--;
		else {
			*xp = x;
			*Kp = K;
			*dp = (uint64_t)q;
			*sticky = s && (n & (((u128)1 << s) - 1)) != 0;
			return 0;
		}
	}
	return -1;
}
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* %g's layout of the p digits q with exponent x, trailing zeros
 * dropped: 1.5e+06, 39995.39, 0.00123. The digits are made two at a
 * time and moved in fixed 16-byte copies (buf has 32 bytes, the text
 * at most 15), so no call or loop per character. */
static size_t
layout(int neg, uint64_t q, int p, int x, char *buf)
{
	uint32_t v = (uint32_t)q;	/* fewer than ten digits */
	char dig[32], *o = buf;
	int nd = p, i, ax;

	while (nd > 1 && v % 10 == 0) {
		v /= 10;
		nd--;
	}
	memset(dig, '0', sizeof(dig));
	for (i = nd; i >= 2; i -= 2) {
		memcpy(dig + i - 2, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (i)
		dig[0] = (char)('0' + v);
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= p) {
		o[0] = dig[0];
		o[1] = '.';
		memcpy(o + 2, dig + 1, 16);
		o += nd > 1 ? nd + 1 : 1;
		ax = x < 0 ? -x : x;
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		*o++ = (char)('0' + ax / 10);
		*o++ = (char)('0' + ax % 10);
	} else if (x < 0) {
		memcpy(o, "0.0000", 6);
		o += 1 - x;
		memcpy(o, dig, 16);
		o += nd;
	} else {
		/* digits past nd are zeros: the integer part may need them */
		memcpy(o, dig, 16);
		o[x + 1] = '.';
		memcpy(o + x + 2, dig + x + 1, 16);
		o += nd > x + 1 ? nd + 1 : x + 1;
	}
	*o = '\0';
	return (size_t)(o - buf);
}

/* %.{p}g's p leading digits of ten, rounded half to even: d10 / div,
 * where sticky says d10 was itself cut short of the exact value. */
static inline uint64_t
round_digits(uint64_t d10, int sticky, uint64_t div)
{
	uint64_t q = d10 / div, rem = d10 % div;

	if (rem > div / 2 || (rem == div / 2 && (sticky || (q & 1))))
		q++;
	return q;
}

/* 0.01 <= |f| < 2^24, the values rates and prices take: the same steps
 * as the general case below, every product within 64 bits (m * 10^K <
 * 2^24 * 10^11 < 2^61, and 4 times that). -1 elsewhere. */
static int
fmt_common(uint32_t m, int e, int lo_gap, int x, int neg, char *buf,
    size_t *len)
{
	uint64_t n, d10, q, lo, hi, v, pk;
	int K, s, p, sticky, in;

	if (e > 0 || e < -40)
		return -1;
	s = -e;
	K = 9 - x;
	if (K < 0 || K > 11)
		return -1;
	pk = pow10_u64[K];
	n = m * pk;
	d10 = n >> s;
	if (d10 >= pow10_u64[10]) {
		if (K == 0)
			return -1;
		x++;
		K--;
		pk = pow10_u64[K];
		n = m * pk;
		d10 = n >> s;
	}
	if (d10 < pow10_u64[9] || d10 >= pow10_u64[10])
		return -1;
	sticky = (n & ((UINT64_C(1) << s) - 1)) != 0;
	lo = (4 * (uint64_t)m - (uint64_t)lo_gap) * pk;
	hi = (4 * (uint64_t)m + 2) * pk;
	for (p = 6; p <= 9; p++) {
		q = p == 6 ? round_digits(d10, sticky, 10000) :
		    p == 7 ? round_digits(d10, sticky, 1000) :
		    p == 8 ? round_digits(d10, sticky, 100) :
		    round_digits(d10, sticky, 10);
		v = (q * pow10_u64[10 - p]) << (s + 2);
		in = m & 1 ? lo < v && v < hi : lo <= v && v <= hi;
		if (in) {
			*len = q == pow10_u64[p] ?
			    layout(neg, q / 10, p, x + 1, buf) :
			    layout(neg, q, p, x, buf);
			return 0;
		}
	}
	return -1;
}

size_t
sc_fmt_float(float f, char buf[32])
{
	uint32_t bits, m, be, lo_gap;
	uint64_t d10, q;
	int e, x, K, p, sticky, s, in;
	u128 v, lo, hi;
	size_t len;

	memcpy(&bits, &f, sizeof(bits));
	be = bits >> 23 & 0xFF;
	if (be == 0 || be == 0xFF)	/* zero, subnormal, inf, NaN */
		return jx_fmt_float(f, buf);
	m = (bits & 0x7FFFFF) | 0x800000;
	e = (int)be - 150;
	/* floor(log10(2^(be-127))), at most one too low: fixed below */
	x = ((int)be - 127) * 1233 >> 12;
	lo_gap = m == 0x800000 && be > 1 ? 1 : 2;
	if (fmt_common(m, e, (int)lo_gap, x, (int)(bits >> 31), buf, &len) == 0)
		return len;
	if (ten_digits(m, e, &x, &K, &d10, &sticky) != 0)
		return jx_fmt_float(f, buf);
	/* f's rounding interval times 10^K, in quarters of 2^e: from the
	 * midpoint with the float below (closer at a power of two) to the
	 * midpoint with the float above; ties read back to the even one */
	lo = (u128)(4 * m - lo_gap) * pow10_128(K);
	hi = (u128)(4 * m + 2) * pow10_128(K);
	s = (e < 0 ? -e : 0) + 2;
	if (e > 0) {
		lo <<= e;
		hi <<= e;
	}
	for (p = 6; p <= 9; p++) {
		/* constant divisors, so no divide instruction */
		q = p == 6 ? round_digits(d10, sticky, 10000) :
		    p == 7 ? round_digits(d10, sticky, 1000) :
		    p == 8 ? round_digits(d10, sticky, 100) :
		    round_digits(d10, sticky, 10);
		/* reads back iff q * 10^(10-p) * 2^s lies in [lo, hi] */
		v = ((u128)(q * pow10_u64[10 - p])) << s;
		in = m & 1 ? lo < v && v < hi : lo <= v && v <= hi;
		if (in) {
			if (q == pow10_u64[p])
				return layout(bits >> 31, q / 10, p, x + 1, buf);
			return layout(bits >> 31, q, p, x, buf);
		}
	}
	return jx_fmt_float(f, buf);
}
