/* win: Spark's window assignment, against the cases of Spark's
 * DataFrameTimeWindowingSuite and TimeWindowSuite, worked by hand. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "time/tm.h"
#include "window/win.h"

#define MS INT64_C(1000)
#define SEC INT64_C(1000000)

/* 2016-03-27 19:39:00 UTC, the minute of Spark's suite */
static int64_t
t(int sec, int ms)
{
	return (tm_days_from_civil(2016, 3, 27) * 86400 + 19 * 3600 + 39 * 60 +
	    sec) * SEC + ms * MS;
}

static void
expect(const struct win_spec *w, int64_t ts, int n, const int64_t *want)
{
	int64_t got[WIN_MAX_OVERLAP];
	int k = win_assign(w, ts, got);

	ck_assert_int_eq(k, n);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(got[i], want[i]);
}

/* "sliding window grouping": 10 s windows every 3 s; 10 is not a multiple
 * of 3, so 4 candidates and the filter: 19:39:27 -> 4 bins, 19:39:34 and
 * 19:39:56 -> 3 bins. */
START_TEST(test_sliding_not_multiple)
{
	struct win_spec w;
	struct eb e;

	ck_assert_int_eq(win_spec_init(&w, 10 * SEC, 3 * SEC, 0, &e), 0);
	ck_assert_int_eq(w.overlap, 4);
	ck_assert_int_eq(w.exact, 0);
	expect(&w, t(27, 0), 4, (int64_t[]){ t(27, 0), t(24, 0), t(21, 0), t(18, 0) });
	expect(&w, t(34, 0), 3, (int64_t[]){ t(33, 0), t(30, 0), t(27, 0) });
	expect(&w, t(56, 0), 3, (int64_t[]){ t(54, 0), t(51, 0), t(48, 0) });
}
END_TEST

/* "tumbling window with multi-column projection" */
START_TEST(test_tumbling)
{
	struct win_spec w;
	struct eb e;

	ck_assert_int_eq(win_spec_init(&w, 10 * SEC, 10 * SEC, 0, &e), 0);
	expect(&w, t(34, 0), 1, (int64_t[]){ t(30, 0) });
	expect(&w, t(56, 0), 1, (int64_t[]){ t(50, 0) });
	expect(&w, t(27, 0), 1, (int64_t[]){ t(20, 0) });
	expect(&w, t(30, 0), 1, (int64_t[]){ t(30, 0) });	/* start inclusive */
}
END_TEST

/* "time window in SQL with three expressions" and SPARK-21590: start
 * times of 5 s and -5 s give the same 10 s windows, 19:39:25-19:39:35. */
START_TEST(test_start_time)
{
	struct win_spec w;
	struct eb e;

	ck_assert_int_eq(win_spec_init(&w, 10 * SEC, 10 * SEC, 5 * SEC, &e), 0);
	expect(&w, t(34, 0), 1, (int64_t[]){ t(25, 0) });
	expect(&w, t(27, 0), 1, (int64_t[]){ t(25, 0) });
	expect(&w, t(56, 0), 1, (int64_t[]){ t(55, 0) });
	ck_assert_int_eq(win_spec_init(&w, 10 * SEC, 10 * SEC, -5 * SEC, &e), 0);
	expect(&w, t(34, 0), 1, (int64_t[]){ t(25, 0) });
	expect(&w, t(56, 0), 1, (int64_t[]){ t(55, 0) });
}
END_TEST

/* "negative timestamps": 1970-01-01 00:00:02 with 10 s windows starting
 * at 5 s falls in 1969-12-31 23:59:55 - 1970-01-01 00:00:05. */
START_TEST(test_before_epoch)
{
	struct win_spec w;
	struct eb e;

	ck_assert_int_eq(win_spec_init(&w, 10 * SEC, 10 * SEC, 5 * SEC, &e), 0);
	expect(&w, 2 * SEC, 1, (int64_t[]){ -5 * SEC });
	expect(&w, 12 * SEC, 1, (int64_t[]){ 5 * SEC });
	/* and well before: 1969-12-31 23:59:51 -> 23:59:45 */
	expect(&w, -9 * SEC, 1, (int64_t[]){ -15 * SEC });
	ck_assert_int_eq(win_spec_init(&w, 10 * SEC, 5 * SEC, 0, &e), 0);
	expect(&w, -1, 2, (int64_t[]){ -5 * SEC, -10 * SEC });
	expect(&w, -5 * SEC, 2, (int64_t[]){ -5 * SEC, -10 * SEC });
}
END_TEST

/* "millisecond precision sliding windows": 200 ms every 40 ms; 09:00:00.41
 * lies in the five windows starting .24 .28 .32 .36 .40. */
START_TEST(test_milliseconds)
{
	struct win_spec w;
	struct eb e;
	int64_t base = (tm_days_from_civil(2016, 3, 27) * 86400 + 9 * 3600) * SEC;

	ck_assert_int_eq(win_spec_init(&w, 200 * MS, 40 * MS, 0, &e), 0);
	expect(&w, base + 410 * MS, 5, (int64_t[]){ base + 400 * MS,
	    base + 360 * MS, base + 320 * MS, base + 280 * MS, base + 240 * MS });
	expect(&w, base + 715 * MS, 5, (int64_t[]){ base + 680 * MS,
	    base + 640 * MS, base + 600 * MS, base + 560 * MS, base + 520 * MS });
}
END_TEST

/* The notebook's 10 minute windows every 5 minutes. */
START_TEST(test_notebook)
{
	struct win_spec w;
	struct eb e;
	int64_t m = 60 * SEC;

	ck_assert_int_eq(win_spec_init(&w, 10 * m, 5 * m, 0, &e), 0);
	expect(&w, 7 * m, 2, (int64_t[]){ 5 * m, 0 });
	expect(&w, 10 * m, 2, (int64_t[]){ 10 * m, 5 * m });
}
END_TEST

/* TimeWindowSuite's validation, with Spark's wording. */
START_TEST(test_invalid)
{
	struct win_spec w;
	struct eb e;

	ck_assert_int_eq(win_spec_init(&w, 0, 0, 0, &e), -1);
	ck_assert_str_eq(e.msg, "the window duration must be greater than 0");
	ck_assert_int_eq(win_spec_init(&w, 10, 0, 0, &e), -1);
	ck_assert_str_eq(e.msg, "the slide duration must be greater than 0");
	ck_assert_int_eq(win_spec_init(&w, 10, 11, 0, &e), -1);
	ck_assert_str_eq(e.msg, "the slide duration must be less than or equal "
	    "to the window duration");
	ck_assert_int_eq(win_spec_init(&w, 10, 5, 5, &e), -1);
	ck_assert_str_eq(e.msg, "the absolute value of the start time must be "
	    "less than the slide duration");
	ck_assert_int_eq(win_spec_init(&w, 10, 5, -5, &e), -1);
	ck_assert_int_eq(win_spec_init(&w, 10, 5, -4, &e), 0);
	ck_assert_int_eq(win_spec_init(&w, 100000, 1, 0, &e), -1);
}
END_TEST

static Suite *
win_suite(void)
{
	Suite *s = suite_create("win");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sliding_not_multiple);
	tcase_add_test(tc, test_tumbling);
	tcase_add_test(tc, test_start_time);
	tcase_add_test(tc, test_before_epoch);
	tcase_add_test(tc, test_milliseconds);
	tcase_add_test(tc, test_notebook);
	tcase_add_test(tc, test_invalid);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(win_suite)
