#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "wallet/wl_amount.h"

/* Show at most this much of a bad value in an error message. */
#define SHOW_MAX 40

static int
bad(struct eb *e, const char *s, size_t n, const char *why)
{
	char shown[SHOW_MAX + 4];
	size_t i, k = 0;

	/* keep the message one printable line whatever the input held */
	for (i = 0; i < n && k < SHOW_MAX; i++)
		shown[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < n) {
		memcpy(shown + k, "...", 3);
		k += 3;
	}
	shown[k] = '\0';
	return eb_set(e, "bad amount '%s': %s", shown, why);
}

int
wl_fixed_parse(const char *s, size_t n, int decimals, int64_t max,
    int64_t *out, struct eb *e)
{
	int64_t v = 0;
	size_t i = 0;
	int intdigits = 0, fracdigits = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		/* max is far below INT64_MAX / 10, so this cannot overflow */
		if (v > max)
			return bad(e, s, n, "too large");
		v = v * 10 + (s[i++] - '0');
		intdigits++;
	}
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (++fracdigits > decimals) {
				char why[48];

				snprintf(why, sizeof(why),
				    "more than %d decimals", decimals);
				return bad(e, s, n, why);
			}
			if (v > max)
				return bad(e, s, n, "too large");
			v = v * 10 + (s[i++] - '0');
		}
		if (fracdigits == 0)
			return bad(e, s, n, "no digits after '.'");
	}
	if (intdigits == 0)
		return bad(e, s, n, n == 0 ? "empty" : "not a plain decimal number");
	if (i != n)
		return bad(e, s, n, "not a plain decimal number");
	for (; fracdigits < decimals; fracdigits++) {
		if (v > max)
			return bad(e, s, n, "too large");
		v *= 10;
	}
	if (v > max)
		return bad(e, s, n, "too large");
	*out = v;
	return 0;
}

int
wl_amount_parse(const char *s, size_t n, int64_t *sats, struct eb *e)
{
	int64_t v;

	if (wl_fixed_parse(s, n, 8, WL_SATS_MAX, &v, e) != 0)
		return -1;
	if (v == 0)
		return bad(e, s, n, "not positive");
	*sats = v;
	return 0;
}

/* Turn the shortest round-trip text of a double ("1e-05", "2.5e+20") into
 * plain decimal digits, so JSON numbers meet the same rule as text. */
int
wl_plain_decimal(double d, char *out, size_t cap)
{
	char buf[JX_NUM_MAX], digits[JX_NUM_MAX];
	size_t n = jx_fmt_double(d, buf), nd = 0, k = 0;
	int point = -1, exp10 = 0, i;
	char *p;

	if (n == 0)
		return -1;
	for (p = buf; *p && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.')
			point = (int)nd;
		else if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
		else
			return -1;	/* a sign */
	}
	if (*p)
		exp10 = atoi(p + 1);
	if (point < 0)
		point = (int)nd;
	point += exp10;		/* digits before the decimal point */
	if (point > 20 || point < -20)
		return -1;
	if (point <= 0) {
		out[k++] = '0';
		out[k++] = '.';
		for (i = point; i < 0; i++)
			out[k++] = '0';
		for (i = 0; i < (int)nd; i++)
			out[k++] = digits[i];
	} else {
		for (i = 0; i < point; i++)
			out[k++] = i < (int)nd ? digits[i] : '0';
		if ((int)nd > point) {
			out[k++] = '.';
			for (i = point; i < (int)nd; i++)
				out[k++] = digits[i];
		}
	}
	if (k >= cap)
		return -1;
	out[k] = '\0';
	return (int)k;
}

int
wl_amount_from_json(const json_t *v, int64_t *sats, struct eb *e)
{
	char text[80];
	int n;

	if (json_is_string(v))
		return wl_amount_parse(json_string_value(v),
		    json_string_length(v), sats, e);
	if (!json_is_number(v))
		return eb_set(e, "bad amount: not a number");
	if (json_number_value(v) <= 0 || !isfinite(json_number_value(v))) {
		char buf[JX_NUM_MAX];
		size_t k = jx_fmt_double(json_number_value(v), buf);

		return bad(e, buf, k, "not positive");
	}
	if (json_is_integer(v))
		n = snprintf(text, sizeof(text), "%" PRId64,
		    (int64_t)json_integer_value(v));
	else
		n = wl_plain_decimal(json_real_value(v), text, sizeof(text));
	if (n < 0) {
		char buf[JX_NUM_MAX];
		size_t k = jx_fmt_double(json_number_value(v), buf);

		return bad(e, buf, k, "too large");
	}
	return wl_amount_parse(text, (size_t)n, sats, e);
}

size_t
wl_fixed_fmt(int64_t v, int decimals, char buf[WL_FIXED_MAX])
{
	int64_t scale = 1, ip, fp;
	int n, i;

	for (i = 0; i < decimals; i++)
		scale *= 10;
	/* deltas in the ledger can be negative */
	ip = v / scale;
	fp = v % scale;
	if (fp < 0)
		fp = -fp;
	n = snprintf(buf, WL_FIXED_MAX, "%s%" PRId64,
	    v < 0 && ip == 0 ? "-" : "", ip);
	if (fp == 0)
		return (size_t)n;
	n += snprintf(buf + n, WL_FIXED_MAX - (size_t)n, ".%0*" PRId64,
	    decimals, fp);
	while (buf[n - 1] == '0')
		n--;
	buf[n] = '\0';
	return (size_t)n;
}
