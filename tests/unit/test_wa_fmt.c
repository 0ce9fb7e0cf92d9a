/* wa_fmt: the fast formatters must write exactly what the general ones
 * (jx_put_double, jx_put_int, tm_fmt_rfc3339) write, on hundreds of
 * thousands of averages, random bit patterns, integers and times. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json/jx.h"
#include "window/wa_fmt.h"

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t
next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * UINT64_C(2685821657736338717);
}

static struct sb got = SB_INIT, want = SB_INIT;

static void
same_double(double d)
{
	sb_reset(&got);
	sb_reset(&want);
	wa_fmt_put_double(&got, d);
	jx_put_double(&want, d);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len) != 0)
		ck_abort_msg("%.17g: wa_fmt '%.*s', jx '%.*s'", d, (int)got.len,
		    got.buf, (int)want.len, want.buf);
}

/* Averages of n prices with 4 decimals: what window-avg mostly writes. */
START_TEST(test_averages)
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
 * digit count changes. */
START_TEST(test_bit_patterns)
{
	for (int i = 0; i < 100000; i++) {
		uint64_t b = next();
		double d;

		memcpy(&d, &b, sizeof(d));
		if (d == d && d - d == 0)
			same_double(d);
	}
	for (int e = -6; e <= 16; e++) {
		char buf[32];
		double p;

		snprintf(buf, sizeof(buf), "1e%d", e);
		p = strtod(buf, NULL);
		double lo = p, hi = p;

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
}
END_TEST

START_TEST(test_ints)
{
	static const int64_t cases[] = { 0, 1, -1, 9, 10, -10, 1234567890,
	    INT64_MAX, INT64_MIN, INT64_MIN + 1 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sb_reset(&got);
		sb_reset(&want);
		wa_fmt_put_int(&got, cases[i]);
		jx_put_int(&want, cases[i]);
		ck_assert_int_eq(got.len, want.len);
		ck_assert(memcmp(got.buf, want.buf, got.len) == 0);
	}
}
END_TEST

/* Whole seconds of years 0001-9999 take the hand-made path; fractions,
 * year 0 and year 10000 the general one; all the same text. */
START_TEST(test_times)
{
	struct wa_fmt_cache c;
	char a[TM_RFC3339_MAX], b[TM_RFC3339_MAX];
	int64_t lo = INT64_C(-62167219200) * TM_US_PER_S;	/* 0000-01-01 */
	int64_t span = INT64_C(320000000000) * TM_US_PER_S;

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 150000; i++) {
		int64_t us = lo + (int64_t)(next() % (uint64_t)span);

		if (i % 2)
			us -= us % TM_US_PER_S;
		ck_assert_uint_eq(wa_fmt_time(us, a), tm_fmt_rfc3339(us, b));
		ck_assert_str_eq(a, b);
		if (i % 1000 == 0) {
			sb_reset(&got);
			wa_fmt_put_time(&c, &got, us);
			wa_fmt_put_time(&c, &got, us);	/* from the cache */
			ck_assert_int_eq(got.len, 2 * (strlen(b) + 2));
			ck_assert(memcmp(got.buf + 1, b, strlen(b)) == 0);
			ck_assert(memcmp(got.buf, got.buf + got.len / 2,
			    got.len / 2) == 0);
		}
	}
}
END_TEST

static void
teardown(void)
{
	sb_free(&got);
	sb_free(&want);
}

static Suite *
wa_fmt_suite(void)
{
	Suite *s = suite_create("wa_fmt");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_averages);
	tcase_add_test(tc, test_bit_patterns);
	tcase_add_test(tc, test_ints);
	tcase_add_test(tc, test_times);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_fmt_suite)
