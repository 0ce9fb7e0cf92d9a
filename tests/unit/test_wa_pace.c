/* wa_pace: the next commit is due WA_PACE_MULTIPLE times the last one's
 * cost after its end; the wait is rounded up, so that waiting it makes
 * the commit due, and never overflows. And cli_wait_ms, the rounding
 * and the cap it shares with kin_multi's and window-avg's waits. */
#include <check.h>
#include <limits.h>

#include "check_main.h"
#include "base/cli.h"
#include "window/wa_pace.h"

START_TEST(test_due_after_a_multiple)
{
	struct wa_pace p = { 0 };

	/* nothing committed yet: due at once */
	ck_assert_int_eq(wa_pace_wait_ms(&p, 100.0), 0);
	/* a commit of 250 ms (exact in binary) ending at 100 s: the next
	 * one is due the multiple of 250 ms later, a millisecond rounded up */
	wa_pace_done(&p, 99.75, 100.0);
	ck_assert(p.due == 100.0 + WA_PACE_MULTIPLE * 0.25);
	ck_assert_int_eq(wa_pace_wait_ms(&p, 100.0),
	    WA_PACE_MULTIPLE * 250 + 1);
	ck_assert_int_gt(wa_pace_wait_ms(&p, p.due - 0.0005), 0);
	ck_assert_int_eq(wa_pace_wait_ms(&p, p.due), 0);
	ck_assert_int_eq(wa_pace_wait_ms(&p, p.due + 5), 0);
	/* waiting what it says makes it due */
	ck_assert_int_eq(wa_pace_wait_ms(&p, 100.0 +
	    wa_pace_wait_ms(&p, 100.0) / 1000.0), 0);
}
END_TEST

START_TEST(test_odd_clocks)
{
	struct wa_pace p = { 0 };

	/* a clock that did not move, or went back: no wait beyond the end */
	wa_pace_done(&p, 50.0, 50.0);
	ck_assert_int_eq(wa_pace_wait_ms(&p, 50.0), 0);
	wa_pace_done(&p, 60.0, 50.0);
	ck_assert_int_eq(wa_pace_wait_ms(&p, 50.0), 0);
	/* a commit that took a year: the wait is capped, not wrapped */
	wa_pace_done(&p, 0.0, 365 * 86400.0);
	ck_assert_int_eq(wa_pace_wait_ms(&p, 365 * 86400.0), INT_MAX - 1);
}
END_TEST

/* Never negative (kin_multi's wait for a backoff that fell due while the
 * answers were handled came out as -4 ms, which curl_multi_poll refused,
 * ending a reader that was only throttled), never short of the time,
 * never past the cap. The same differences of two clock readings as
 * kin_multi computes. */
START_TEST(test_wait_ms)
{
	ck_assert_int_eq(cli_wait_ms(10.0 - 10.005, 100), 0);
	ck_assert_int_eq(cli_wait_ms(10.0 - 10.0, 100), 0);
	ck_assert_int_eq(cli_wait_ms(10.0 - 20.0, 100), 0);
	ck_assert_int_eq(cli_wait_ms(10.0105 - 10.0, 100), 11);
	ck_assert_int_eq(cli_wait_ms(10.0001 - 10.0, 100), 1);
	ck_assert_int_eq(cli_wait_ms(10.05 - 10.0, 100), 51);
	ck_assert_int_eq(cli_wait_ms(10.5 - 10.0, 100), 100);
	ck_assert_int_eq(cli_wait_ms(1e300 - 10.0, 100), 100);
	ck_assert_int_eq(cli_wait_ms(__builtin_inf(), 100), 100);
	ck_assert_int_eq(cli_wait_ms(__builtin_nan(""), 100), 0);
	/* a far time does not overflow an int */
	ck_assert_int_eq(cli_wait_ms(1e12, INT_MAX), INT_MAX);
}
END_TEST

static Suite *
wa_pace_suite(void)
{
	Suite *s = suite_create("wa_pace");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_due_after_a_multiple);
	tcase_add_test(tc, test_odd_clocks);
	tcase_add_test(tc, test_wait_ms);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_pace_suite)
