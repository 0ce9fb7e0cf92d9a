/* iv: Spark interval strings and short forms, in microseconds. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "time/iv.h"

#define MIN INT64_C(60000000)
#define SEC INT64_C(1000000)

static const struct {
	const char *text;
	int64_t us;
} good[] = {
	{ "10 minutes", 10 * MIN },
	{ "5 minutes", 5 * MIN },
	{ "1 minute", MIN },
	{ "1 hour", 60 * MIN },
	{ "90 seconds", 90 * SEC },
	{ "10m", 10 * MIN },
	{ "1h30m", 90 * MIN },
	{ "1 hour 30 minutes", 90 * MIN },
	{ "250ms", 250000 },
	{ "interval 10 minutes", 10 * MIN },
	{ "INTERVAL 2 HOURS", 120 * MIN },
	{ "1 day", 1440 * MIN },
	{ "1 week", 7 * 1440 * MIN },
	{ "1.5 seconds", 1500000 },
	{ "30 us", 30 },
	{ "  7s ", 7 * SEC },
};

START_TEST(test_good)
{
	struct eb e;
	int64_t us = -1;

	ck_assert_msg(iv_parse(good[_i].text, &us, 0, &e) == 0, "%s: %s", good[_i].text, e.msg);
	ck_assert_int_eq(us, good[_i].us);
}
END_TEST

static const char *const bad[] = {
	"", "minutes", "10", "10 parsecs", "1 month", "2 years", "1 mon",
	"10 minutes garbage", "-5 minutes", "0.5us", "ten minutes", "10 min utes x",
};

START_TEST(test_bad)
{
	struct eb e;
	int64_t us;

	ck_assert_msg(iv_parse(bad[_i], &us, 0, &e) == -1, "accepted '%s'", bad[_i]);
	ck_assert_ptr_nonnull(strstr(e.msg, "bad interval"));
}
END_TEST

START_TEST(test_negative_allowed)
{
	struct eb e;
	int64_t us;

	ck_assert_int_eq(iv_parse("-5 minutes", &us, 1, &e), 0);
	ck_assert_int_eq(us, -5 * MIN);
}
END_TEST

START_TEST(test_months_message)
{
	struct eb e;
	int64_t us;

	ck_assert_int_eq(iv_parse("1 month", &us, 0, &e), -1);
	ck_assert_str_eq(e.msg, "bad interval '1 month': months and years have no fixed length");
}
END_TEST

static Suite *
iv_suite(void)
{
	Suite *s = suite_create("iv");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_negative_allowed);
	tcase_add_test(tc, test_months_message);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(iv_suite)
