/* wa_num: the nearest double of a JSON number, as rec_number (strtod)
 * gives it, fast for the short decimals that make up most of a price
 * feed. Inline: every record of a price feed reads one or more, and the
 * call cost a sixth of the reading. */
#ifndef KP_WA_NUM_H
#define KP_WA_NUM_H

#include <stdint.h>
#include <string.h>

#include "json/pow10.h"
#include "json/rec.h"

#define WA_NUM_ONES(b) (UINT64_C(0x0101010101010101) * (b))

/* The bytes of w that are not ASCII digits, as 0x80 in each: a digit is
 * 0x3X and still 0x3X with 6 added (JSON text here is below 0x80, so no
 * byte carries into the next). */
static inline uint64_t
wa_num_non_digits(uint64_t w)
{
	uint64_t hi = WA_NUM_ONES(0xF0);

	return (((w & hi) ^ WA_NUM_ONES(0x30)) | (((w + WA_NUM_ONES(0x06)) & hi) ^
	    WA_NUM_ONES(0x30))) & WA_NUM_ONES(0xF0);
}

/* Eight digit values 0..9, the first (most significant) in the lowest
 * byte as memcpy loads them little-endian: pairs, then fours, then the
 * eight combined by three multiplications. */
static inline uint64_t
wa_num_eight(uint64_t d)
{
	d = (d * 10 + (d >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
	d = (d * 100 + (d >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
	return (d * 10000 + (d >> 32)) & UINT64_C(0xFFFFFFFF);
}

/* The digits from *pp to the first non-digit, into m. The span is a JSON
 * number inside an object's text, so a byte that is not a digit (at
 * least the closing brace) follows it: no bound is needed. */
static inline uint64_t
wa_num_digits(const char **pp, uint64_t m)
{
	const char *p = *pp;
	unsigned c;

	while ((c = (unsigned)(unsigned char)*p - '0') < 10) {
		m = m * 10 + c;
		p++;
	}
	*pp = p;
	return m;
}

/* A decimal of 8 to 16 bytes (sign aside) with at most 8 digits on each
 * side of the point, as prices are, read as two words of eight bytes
 * within the span: the first gives the integer part, the last the
 * fraction. 0 when it is not of that shape (an exponent, a longer side,
 * no point after eight digits), for the loop to read. */
static inline int
wa_num_short(const char *first, const char *end, uint64_t *m, int *frac)
{
	uint64_t w, bad, keep;
	int k, f;

	memcpy(&w, first, 8);
	bad = wa_num_non_digits(w);
	if (bad == 0)
		return 0;	/* eight or more integer digits */
	k = __builtin_ctzll(bad) / 8;	/* JSON: at least one */
	if (first[k] != '.')
		return 0;
	f = (int)(end - first) - k - 1;
	if (f < 1 || f > 8)
		return 0;
	/* the k digits to the top, zeros below: leading zeros; the
	 * borrows of the bytes after them go up and out */
	*m = wa_num_eight((w - WA_NUM_ONES(0x30)) << (8 * (8 - k)));
	memcpy(&w, end - 8, 8);
	keep = ~UINT64_C(0) << (8 * (8 - f));
	if ((wa_num_non_digits(w) & keep) != 0)
		return 0;
	*m = *m * pow10_u64[f] + wa_num_eight((w & keep) - (WA_NUM_ONES(0x30) & keep));
	*frac = f;
	return 1;
}

/* v: a validated JSON number span, followed by a byte that is not a
 * digit (in a record's text, at least the closing brace; a C string's
 * NUL).
 *
 * Clinger's fast path: a decimal whose digits fit in 2^53 and whose
 * exponent is within 10^22 is one correctly rounded multiplication or
 * division of two exact doubles, so the result equals strtod's; anything
 * else goes to strtod. Prices like 41234.5712 all take the fast path,
 * which is most of what this tool parses. The span is a valid JSON
 * number: digits, then a point and digits, or something this path leaves
 * to strtod (an exponent). Always inlined: left to itself the compiler
 * keeps one copy a file, and the call is what it was to save. */
static inline __attribute__((always_inline)) double
wa_num(struct rec_span v)
{
	const char *p = v.p, *end = v.p + v.n, *first;
	uint64_t m;
	int neg = v.n > 0 && *p == '-';
	int frac = 0;
	double d;

	first = p += neg;
	if (end - p > 16)
		return rec_number(v);
	if (end - p < 8 || !wa_num_short(first, end, &m, &frac)) {
		m = wa_num_digits(&p, 0);
		if (p < end && *p == '.') {
			const char *f = ++p;

			m = wa_num_digits(&p, m);
			frac = (int)(p - f);
		}
		if (p != end)
			return rec_number(v);
	}
	if ((int)(end - first) - (frac > 0) > 15)
		return rec_number(v);
	d = (double)m;
	if (frac)
		d /= pow10_dbl[frac];
	return neg ? -d : d;
}

#endif
