/* wl_amount: bitcoin amounts as exact integers. Amounts travel as decimal
 * text and are held as satoshis (1e-8 BTC), euros as cents: never as a
 * double, so that nothing is ever off by a rounding step. Shared by the
 * wallet clients (validation before sending) and wallet-server. */
#ifndef KP_WL_AMOUNT_H
#define KP_WL_AMOUNT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"

#define WL_SATS_PER_BTC 100000000LL
/* 21 million bitcoin: no amount can be larger, and it keeps every product
 * of an amount and a price inside 128 bits with room to spare. */
#define WL_SATS_MAX (21000000LL * WL_SATS_PER_BTC)
#define WL_FIXED_MAX 32

/* Parse a positive amount of bitcoin written as plain decimal text:
 * digits, optionally '.' and 1 to 8 more digits. No sign, exponent, hex,
 * spaces, "inf" or "nan". The error names the value. */
int wl_amount_parse(const char *s, size_t n, int64_t *sats, struct eb *e);
/* The same for a JSON value: a string as above, or a number whose shortest
 * decimal form has at most 8 decimals (1e-05 is 0.00001). */
int wl_amount_from_json(const json_t *v, int64_t *sats, struct eb *e);
/* Parse a non-negative decimal with at most `decimals` fraction digits
 * into an integer count of 10^-decimals units (price, euros). */
int wl_fixed_parse(const char *s, size_t n, int decimals, int64_t max,
    int64_t *out, struct eb *e);
/* A double's shortest text in plain decimal digits ("1e-05" becomes
 * "0.00001"); -1 for negatives, non-finite or huge values. */
int wl_plain_decimal(double d, char *out, size_t cap);
/* v / 10^decimals as the shortest plain decimal text: 50000000 sats is
 * "0.5", 500000 cents is "5000". Returns the length. */
size_t wl_fixed_fmt(int64_t v, int decimals, char buf[WL_FIXED_MAX]);

#endif
