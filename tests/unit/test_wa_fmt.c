/* wa_fmt: the fast time formatter must write exactly what the general one
 * (tm_fmt_rfc3339) writes, on hundreds of thousands of times. (The
 * numbers of window-avg's rows are jx's, checked in test_jx.) */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "test_rng.h"
#include "window/wa_fmt.h"

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t
next(void)
{
	return test_rng_next(&rng);
}

static struct sb got = SB_INIT;

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
}

static Suite *
wa_fmt_suite(void)
{
	Suite *s = suite_create("wa_fmt");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_times);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_fmt_suite)
