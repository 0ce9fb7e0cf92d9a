#include <stdint.h>

#include "json/pow10.h"
#include "window/wa_num.h"

/* Clinger's fast path: a decimal whose digits fit in 2^53 and whose
 * exponent is within 10^22 is one correctly rounded multiplication or
 * division of two exact doubles, so the result equals strtod's; anything
 * else goes to strtod. Prices like 41234.5712 all take the fast path,
 * which is most of what this tool parses. */
double
wa_num(struct rec_span v)
{
	const char *p = v.p, *end = v.p + v.n, *first, *dot = NULL;
	uint64_t m = 0;
	int neg = v.n > 0 && *p == '-';
	int digits;
	double d;

	/* the span is a valid JSON number: digits, at most one point, and
	 * an exponent this path leaves to strtod */
	first = p += neg;
	if (end - p > 16)
		return rec_number(v);
	for (; p < end; p++) {
		unsigned c = (unsigned)(unsigned char)*p - '0';

		if (c < 10)
			m = m * 10 + c;
		else if (*p == '.')
			dot = p;
		else
			return rec_number(v);
	}
	digits = (int)(end - first) - (dot != NULL);
	if (digits > 15)
		return rec_number(v);
	d = (double)m;
	if (dot)
		d /= pow10_dbl[end - dot - 1];
	return neg ? -d : d;
}
