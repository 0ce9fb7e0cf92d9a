/* jx: shortest round-trip numbers, string escaping, jansson serialisation.
 * The number formatters take hand-made fast paths; whatever they print
 * must be byte for byte the text of their rule, stated here on its own
 * (the first of %.15g..%.17g, or %.6g..%.9g for a float, that reads back),
 * over hundreds of thousands of averages, decimals and bit patterns. */
#include <check.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "test_rng.h"
#include "json/jx.h"

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t
next(void)
{
	return test_rng_next(&rng);
}

/* The rules, independently of jx. */
static void
rule_double(double d, char *buf, size_t size)
{
	for (int prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static void
rule_float(float f, char *buf, size_t size)
{
	for (int prec = fabsf(f) < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
		snprintf(buf, size, "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			return;
	}
}

static void
same_double(double d)
{
	char got[JX_NUM_MAX], want[64];
	struct sb s = SB_INIT;
	size_t n = jx_fmt_double(d, got);

	rule_double(d, want, sizeof(want));
	if (n != strlen(want) || strcmp(got, want) != 0)
		ck_abort_msg("%a: jx '%s', rule '%s'", d, got, want);
	jx_put_double(&s, d);
	if (s.len != n || memcmp(s.buf, want, n) != 0)
		ck_abort_msg("%a: jx_put_double differs from jx_fmt_double", d);
	sb_free(&s);
}

static void
same_float(float f)
{
	char got[JX_NUM_MAX], want[64];
	size_t n = jx_fmt_float(f, got);

	rule_float(f, want, sizeof(want));
	if (n != strlen(want) || strcmp(got, want) != 0)
		ck_abort_msg("%a (float): jx '%s', rule '%s'", (double)f, got,
		    want);
}

static const struct {
	double d;
	const char *text;
} nums[] = {
	{ 0.1, "0.1" },			/* jansson alone: 0.10000000000000001 */
	{ 41234.5, "41234.5" },
	{ 5000, "5000" },
	{ -0.25, "-0.25" },
	{ 1e21, "1e+21" },
	{ 1.0 / 3.0, "0.3333333333333333" },	/* 16 digits needed */
	{ 5e-324, "5e-324" },		/* subnormal: few digits */
	{ 0.1 + 0.2, "0.30000000000000004" },	/* 17 digits needed */
	{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	{ 39995.3891, "39995.3891" },
};

START_TEST(test_double)
{
	char buf[JX_NUM_MAX];

	jx_fmt_double(nums[_i].d, buf);
	ck_assert_str_eq(buf, nums[_i].text);
	ck_assert(strtod(buf, NULL) == nums[_i].d);
}
END_TEST

START_TEST(test_double_round_trips)
{
	char buf[JX_NUM_MAX];
	unsigned seed = 12345;

	/* random bit patterns: whatever is printed must read back exactly */
	for (int i = 0; i < 100000; i++) {
		uint64_t bits = 0;
		double d;

		for (int k = 0; k < 4; k++)
			bits = (bits << 16) ^ (uint64_t)(rand_r(&seed) & 0xffff);
		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d)) {
			ck_assert_int_eq(jx_fmt_double(d, buf), 0);
			continue;
		}
		jx_fmt_double(d, buf);
		ck_assert(strtod(buf, NULL) == d);
	}
}
END_TEST

/* Averages of n prices with 4 decimals: what window-avg mostly writes,
 * and what the fixed-notation fast path is for. */
START_TEST(test_double_averages)
{
	for (int i = 0; i < 150000; i++) {
		int n = 1 + (int)(next() % 700);
		double sum = 0;

		for (int k = 0; k < 3; k++)
			sum += (double)(next() % 1000000000) / 1e4;
		sum *= (double)n / 3;
		same_double(sum / n);
		same_double(-sum / n / 1000);
	}
}
END_TEST

/* Any finite double, and the neighbourhoods of powers of ten where the
 * digit count changes and the fast path hands over. */
START_TEST(test_double_bit_patterns)
{
	for (int i = 0; i < 100000; i++) {
		uint64_t b = next();
		double d;

		memcpy(&d, &b, sizeof(d));
		if (isfinite(d))
			same_double(d);
	}
	for (int e = -6; e <= 16; e++) {
		char buf[32];
		double p, lo, hi;

		snprintf(buf, sizeof(buf), "1e%d", e);
		p = lo = hi = strtod(buf, NULL);
		same_double(p);
		for (int k = 0; k < 50; k++) {
			same_double(lo = nextafter(lo, 0));
			same_double(hi = nextafter(hi, 1e300));
		}
	}
	/* where the rounding interval is lopsided: just above powers of two */
	for (int e = -14; e <= 50; e++) {
		double lo = ldexp(1, e), hi = lo;

		same_double(lo);
		for (int k = 0; k < 20; k++) {
			same_double(lo = nextafter(lo, 0));
			same_double(hi = nextafter(hi, 1e300));
		}
	}
	same_double(0.1);
	same_double(1.0 / 3);
	same_double(5e-5);
	same_double(123456789012345.6);
	same_double(-0.0);
}
END_TEST

/* Floats read from decimals as a price feed writes them, and random bit
 * patterns. */
START_TEST(test_float_paths)
{
	char text[64];
	unsigned seed = 12345;

	for (int i = 0; i < 300000; i++) {
		uint32_t bits;
		float f;

		seed = seed * 1103515245u + 12345u;
		snprintf(text, sizeof(text), "%u.%0*u", (seed >> 8) % 100000,
		    1 + (int)(seed % 7), (seed >> 3) % 10000000);
		same_float(strtof(text, NULL));
		bits = seed ^ (seed << 13);
		memcpy(&f, &bits, sizeof(f));
		if (isfinite(f))
			same_float(f);
	}
}
END_TEST

/* Where the float path switches method or rounding is delicate: every
 * float within 150 ulps of each power of ten from 1e-45 to 1e38 and of
 * each power of two, both signs. */
START_TEST(test_float_edges)
{
	for (int sign = 0; sign < 2; sign++)
		for (int k = -46; k <= 39 + 128 + 150; k++) {
			float c = k <= 39 ? (float)pow(10, k) :
			    ldexpf(1, k - 39 - 150);
			uint32_t bits;

			if (!isfinite(c) || c == 0)
				continue;
			memcpy(&bits, &c, sizeof(bits));
			for (int d = -150; d <= 150; d++) {
				uint32_t nb = bits + (uint32_t)d;
				float f;

				if ((nb & 0x7FFFFFFF) > 0x7F7FFFFF ||
				    (d < 0 && (uint32_t)-d > bits))
					continue;
				nb |= (uint32_t)sign << 31;
				memcpy(&f, &nb, sizeof(f));
				same_float(f);
			}
		}
	same_float(0.0f);
	same_float(-0.0f);
}
END_TEST

/* The range jx_fmt_float reads with integer products (2^-6 <= |f| <
 * 2^20, fmt_small), densely: every 397th float of it, both signs, and
 * the floats of few fraction bits (n / 2^j, j <= 14), whose digits end
 * in an exact ...5 where %.{p}g must round a tie to even, against the
 * rule (snprintf and strtof). */
START_TEST(test_float_small_range)
{
	uint32_t lo = 0x3C800000, hi = 0x49800000;	/* 2^-6, 2^20 */

	for (uint32_t b = lo; b < hi; b += 397)
		for (int sign = 0; sign < 2; sign++) {
			uint32_t nb = b | (uint32_t)sign << 31;
			float f;

			memcpy(&f, &nb, sizeof(f));
			same_float(f);
		}
	for (int j = 1; j <= 14; j++)
		for (uint32_t n = 1; n < (1u << 24); n += 2 * 1237 + 2) {
			float f = ldexpf((float)n, -j);

			if (f >= 0x1p-6f && f < 0x1p20f) {
				same_float(f);
				same_float(-f);
			}
		}
}
END_TEST

/* Every 9973rd bit pattern of the finite floats, both signs (some
 * 850,000 floats of every exponent and digit count), against the rule. */
START_TEST(test_float_stride)
{
	for (uint64_t b = 0; b < UINT64_C(0x100000000); b += 9973) {
		uint32_t bits = (uint32_t)b;
		float f;

		memcpy(&f, &bits, sizeof(f));
		if (isfinite(f))
			same_float(f);
	}
}
END_TEST

START_TEST(test_float)
{
	char buf[JX_NUM_MAX];

	/* 41234.5678 as a 32-bit float is 41234.566406..., whose shortest
	 * float text is 41234.566 (Java's Float.toString gives the same) */
	jx_fmt_float(41234.5678f, buf);
	ck_assert_str_eq(buf, "41234.566");
	jx_fmt_float(0.1f, buf);
	ck_assert_str_eq(buf, "0.1");
}
END_TEST

START_TEST(test_ints)
{
	static const int64_t cases[] = { 0, 1, -1, 9, 10, -10, 99, 100,
	    1234567890, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
	struct sb s = SB_INIT;
	char want[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sb_reset(&s);
		jx_put_int(&s, cases[i]);
		snprintf(want, sizeof(want), "%" PRId64, cases[i]);
		ck_assert_str_eq(sb_cstr(&s), want);
	}
	for (int i = 0; i < 100000; i++) {
		int64_t v = (int64_t)next() >> (next() % 64);

		sb_reset(&s);
		jx_put_int(&s, v);
		snprintf(want, sizeof(want), "%" PRId64, v);
		ck_assert_str_eq(sb_cstr(&s), want);
	}
	sb_free(&s);
}
END_TEST

START_TEST(test_string_escape)
{
	struct sb s = SB_INIT;

	jx_put_string(&s, "a\"b\\c\n\x01\0\x7f\xc3\xa9", 11);
	ck_assert_str_eq(sb_cstr(&s), "\"a\\\"b\\\\c\\n\\u0001\\u0000\x7f\xc3\xa9\"");
	sb_free(&s);
}
END_TEST

START_TEST(test_dump)
{
	json_t *v = json_pack("{s:f,s:i,s:[b,n],s:s,s:{}}", "rate", 0.1, "n", 42,
	    "a", 1, "s", "x\ty", "o");
	char *text = jx_dumps(v);

	ck_assert_str_eq(text, "{\"rate\":0.1,\"n\":42,\"a\":[true,null],\"s\":\"x\\ty\",\"o\":{}}");
	free(text);
	json_decref(v);
	v = json_real(NAN);
	ck_assert_ptr_null(v);	/* jansson refuses NaN; jx_put_double prints null */
}
END_TEST

START_TEST(test_nan_is_null)
{
	struct sb s = SB_INIT;

	jx_put_double(&s, NAN);
	jx_put_double(&s, INFINITY);
	ck_assert_str_eq(sb_cstr(&s), "nullnull");
	sb_free(&s);
}
END_TEST

START_TEST(test_load_errors)
{
	struct eb e;
	json_t *v = jx_load_text("{\"a\":1,\"a\":2}", 13, "state", &e);

	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(strstr(e.msg, "state: duplicate object key"));
	ck_assert_ptr_null(jx_load_file("/nonexistent/x.json", &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/x.json"));
}
END_TEST

static Suite *
jx_suite(void)
{
	Suite *s = suite_create("jx");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_double, 0, sizeof(nums) / sizeof(nums[0]));
	tcase_add_test(tc, test_double_round_trips);
	tcase_add_test(tc, test_double_averages);
	tcase_add_test(tc, test_double_bit_patterns);
	tcase_add_test(tc, test_float);
	tcase_add_test(tc, test_float_paths);
	tcase_add_test(tc, test_float_edges);
	tcase_add_test(tc, test_float_stride);
	tcase_add_test(tc, test_float_small_range);
	tcase_add_test(tc, test_ints);
	tcase_add_test(tc, test_string_escape);
	tcase_add_test(tc, test_dump);
	tcase_add_test(tc, test_nan_is_null);
	tcase_add_test(tc, test_load_errors);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(jx_suite)
