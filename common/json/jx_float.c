/* jx_float: a float's JSON text (Spark's FLOAT) by the rule of
 * jx_double.c at a float's precision: the first of %.6g .. %.9g that
 * strtof reads back to the same float (from %.1g for subnormals).
 *
 * Done by hand in exact integer arithmetic because json-project prints
 * one per FLOAT field of every record, and written here rather than taken
 * from a library because the libraries that print shortest floats (Ryu,
 * Grisu, Dragonbox) choose the closest shortest digits, which differ from
 * %.*g's correctly rounded ones, and the rule's text is what every stage
 * prints; whatever falls outside the arithmetic below (zero, subnormals,
 * values under about 1e-30, products that would overflow, NaN and
 * infinities) takes the rule itself. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "json/pow10.h"

__extension__ typedef unsigned __int128 u128;

/* The rule as stated: the reference the paths below must agree with. */
static size_t
fmt_printf(float f, char buf[JX_NUM_MAX])
{
	int prec, n = 0;

	if (!isfinite(f))
		return 0;
	for (prec = fabsf(f) < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
		n = snprintf(buf, JX_NUM_MAX, "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	return (size_t)n;
}

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
#if !(defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";
#endif

/* %g's layout of the p digits q with exponent x, trailing zeros
 * dropped: 1.5e+06, 39995.39, 0.00123. The digits are made eight at
 * once (two at a time where bytes are not little-endian) and moved in
 * fixed 16-byte copies (buf has 32 bytes, the text
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
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		/* v's nd digits followed by zeros are the nine digits of
		 * v * 10^(9 - nd) (below 10^9): the first alone, the other
		 * eight at once in the lanes of one word: two of four
		 * digits (32-bit lanes), split into four of two (16-bit),
		 * split into eight of one (bytes), each split a quotient
		 * by multiplication (x * 5243 >> 19 is x / 100 below
		 * 10,000; x * 103 >> 10 is x / 10 below 100; no lane's
		 * product reaches the next) and a remainder */
		uint32_t all = v * (uint32_t)pow10_u64[9 - nd];
		uint64_t r = all % 100000000, w, h, d;

		(void)i;
		dig[0] = (char)('0' + all / 100000000);
		w = r / 10000 | (r % 10000) << 32;
		h = (w * 5243 >> 19) & UINT64_C(0x0000007F0000007F);
		w = h | (w - h * 100) << 16;
		h = (w * 103 >> 10) & UINT64_C(0x000F000F000F000F);
		d = (h | (w - h * 10) << 8) + UINT64_C(0x3030303030303030);
		memcpy(dig + 1, &d, 8);
	}
#else
	for (i = nd; i >= 2; i -= 2) {
		memcpy(dig + i - 2, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (i)
		dig[0] = (char)('0' + v);
#endif
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

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* layout for fmt_small's texts, -2 <= x < p, which %g prints without an
 * exponent: the same nine digits, but the trailing zeros found from
 * the digit word (its highest nonzero byte) instead of by division,
 * and no general case to choose. */
static inline size_t
layout_fixed(int neg, uint32_t q, int p, int x, char *buf)
{
	uint32_t all = q * (uint32_t)pow10_u64[9 - p];
	uint64_t r = all % 100000000, w, h, d, t;
	char dig[24], *o = buf;
	int nd;

	/* eight digits at once as in layout */
	w = r / 10000 | (r % 10000) << 32;
	h = (w * 5243 >> 19) & UINT64_C(0x0000007F0000007F);
	w = h | (w - h * 100) << 16;
	h = (w * 103 >> 10) & UINT64_C(0x000F000F000F000F);
	t = h | (w - h * 10) << 8;		/* digit values */
	d = t + UINT64_C(0x3030303030303030);
	dig[0] = (char)('0' + all / 100000000);
	memcpy(dig + 1, &d, 8);
	memcpy(dig + 9, "00000000", 8);
	/* the digits up to the last one not zero, and the integer part's
	 * all */
	nd = t ? 2 + (63 - __builtin_clzll(t)) / 8 : 1;
	if (nd < x + 1)
		nd = x + 1;
	if (neg)
		*o++ = '-';
	if (x >= 0) {
		memcpy(o, dig, 16);
		o[x + 1] = '.';
		memcpy(o + x + 2, dig + x + 1, 8);
		o += nd > x + 1 ? nd + 1 : x + 1;
	} else {
		memcpy(o, "0.00", 4);
		o += 1 - x;
		memcpy(o, dig, 16);
		o += nd;
	}
	*o = '\0';
	return (size_t)(o - buf);
}
#else
#define layout_fixed layout
#endif

/* 1/64 <= |f| < 10^6, the values rates and prices take. f is m * 2^-s
 * (m < 2^24, 4 <= s <= 29), so f * 10^k for k <= 11 is the integer
 * m * 10^k (below 2^61) shifted right by s: its integer part is the
 * digits of %.{p}g before rounding (k = p - 1 - x), its low s bits the
 * fraction, all exact. The digits read back to f when their distance
 * from f * 10^k is within f's rounding interval times 10^k: half a unit
 * of 2^-s above, and below too except at a power of two, where the
 * float below is twice as close; the ends are excluded for an odd m,
 * whose neighbours win the ties. The four lengths are worked out at
 * once, without a branch, since each is independent of the others (the
 * processor overlaps them) and whether a fraction passes a half is as
 * random as the data (a mispredicted branch costs more than the
 * arithmetic). -1 elsewhere. */
static int
fmt_small(uint32_t bits, char *buf, size_t *len)
{
	uint32_t be = bits >> 23 & 0xFF, m = (bits & 0x7FFFFF) | 0x800000;
	int s = 150 - (int)be, x, i, p;
	uint64_t half, low, below, pk, n, q, fr, up, sel, dist, in, mask = 0;
	uint64_t qs[4];

	if (be < 127 - 6 || be > 127 + 19)	/* 2^-6 <= |f| < 2^20 */
		return -1;
	/* floor(log10(|f|)), the estimate from the exponent at most one
	 * too low: fixed by the nine-digit product */
	x = ((int)be - 127) * 1233 >> 12;
	if ((m * pow10_u64[8 - x]) >> s >= pow10_u64[9])
		x++;
	if (x > 5)	/* 10^6 and up: p = 6 would need 10^-1 */
		return -1;
	half = UINT64_C(1) << (s - 1);
	low = (UINT64_C(1) << s) - 1;
	below = m == 0x800000 ? 4 : 2;
#pragma GCC unroll 4
	for (i = 0; i < 4; i++) {
		pk = pow10_u64[5 + i - x];
		n = m * pk;
		q = n >> s;
		fr = n & low;
		up = (fr > half) | ((fr == half) & q);
		qs[i] = q + up;
		/* the distance times 2 (above) or 2 or 4 (below), against
		 * 10^k, all in units of 2^-s */
		sel = -up;	/* all ones when up: a select, not a branch */
		dist = (sel & 2 * ((low + 1) - fr)) | (~sel & below * fr);
		in = (dist < pk) | ((dist == pk) & !(m & 1));
		mask |= in << i;
	}
	if (mask == 0)
		return -1;
	i = __builtin_ctzll(mask);
	p = 6 + i;
	q = qs[i];
	*len = q == pow10_u64[p] ?
	    layout((int)(bits >> 31), q / 10, p, x + 1, buf) :
	    layout_fixed((int)(bits >> 31), (uint32_t)q, p, x, buf);
	return 0;
}

/* Every float fmt_small does not take. Apart, so that the common case
 * does not pay for this one's registers. */
static __attribute__((noinline)) size_t
fmt_general(float f, uint32_t bits, char buf[JX_NUM_MAX])
{
	uint32_t m, be, lo_gap;
	uint64_t d10, q;
	int e, x, K, p, sticky, s, in;
	u128 v, lo, hi;
	size_t len;

	be = bits >> 23 & 0xFF;
	if (be == 0 || be == 0xFF)	/* zero, subnormal, inf, NaN */
		return fmt_printf(f, buf);
	m = (bits & 0x7FFFFF) | 0x800000;
	e = (int)be - 150;
	/* floor(log10(2^(be-127))), at most one too low: fixed below */
	x = ((int)be - 127) * 1233 >> 12;
	lo_gap = m == 0x800000 && be > 1 ? 1 : 2;
	if (fmt_common(m, e, (int)lo_gap, x, (int)(bits >> 31), buf, &len) == 0)
		return len;
	if (ten_digits(m, e, &x, &K, &d10, &sticky) != 0)
		return fmt_printf(f, buf);
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
	return fmt_printf(f, buf);
}

size_t
jx_fmt_float(float f, char buf[JX_NUM_MAX])
{
	uint32_t bits;
	size_t len;

	memcpy(&bits, &f, sizeof(bits));
	if (fmt_small(bits, buf, &len) == 0)
		return len;
	return fmt_general(f, bits, buf);
}
