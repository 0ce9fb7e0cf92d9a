/* tm: RFC 3339 in and out, civil-date arithmetic. Expected epoch values
 * come from Python's calendar.timegm, not from this code. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "time/tm.h"

static const struct {
	const char *text;
	int64_t secs;
} known[] = {
	{ "2024-01-01T00:00:07Z", INT64_C(1704067207) },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1900-01-01T00:00:00Z", INT64_C(-2208988800) },
	{ "2000-02-29T12:34:56Z", INT64_C(951827696) },
	{ "0001-01-01T00:00:00Z", INT64_C(-62135596800) },
	{ "9999-12-31T23:59:59Z", INT64_C(253402300799) },
	{ "1600-03-01T00:00:00Z", INT64_C(-11670912000) },
};

START_TEST(test_known_round_trip)
{
	char buf[TM_RFC3339_MAX];
	struct eb e;
	int64_t us;
	size_t i = (size_t)_i;

	ck_assert_int_eq(tm_parse_rfc3339(known[i].text, strlen(known[i].text), &us, &e), 0);
	ck_assert_int_eq(us, known[i].secs * TM_US_PER_S);
	tm_fmt_rfc3339(us, buf);
	ck_assert_str_eq(buf, known[i].text);
}
END_TEST

START_TEST(test_fractions_shortest)
{
	char buf[TM_RFC3339_MAX];

	tm_fmt_rfc3339(INT64_C(1704067207250000), buf);
	ck_assert_str_eq(buf, "2024-01-01T00:00:07.25Z");
	tm_fmt_rfc3339(INT64_C(1704067207000001), buf);
	ck_assert_str_eq(buf, "2024-01-01T00:00:07.000001Z");
	/* a quarter second before the epoch is 23:59:59.75 of the day before */
	tm_fmt_rfc3339(-250000, buf);
	ck_assert_str_eq(buf, "1969-12-31T23:59:59.75Z");
}
END_TEST

START_TEST(test_parse_forms)
{
	struct eb e;
	int64_t us;

	/* offsets move the instant: 01:00+01:00 is midnight UTC */
	ck_assert_int_eq(tm_parse_rfc3339("2024-01-01T01:00:00+01:00", 25, &us, &e), 0);
	ck_assert_int_eq(us, INT64_C(1704067200) * TM_US_PER_S);
	ck_assert_int_eq(tm_parse_rfc3339("2023-12-31t19:00:00-05:00", 25, &us, &e), 0);
	ck_assert_int_eq(us, INT64_C(1704067200) * TM_US_PER_S);
	/* space separator, no zone (UTC), fraction past microseconds truncated */
	ck_assert_int_eq(tm_parse_rfc3339("2024-01-01 00:00:00.1234567", 27, &us, &e), 0);
	ck_assert_int_eq(us, INT64_C(1704067200) * TM_US_PER_S + 123456);
}
END_TEST

static const char *const bad[] = {
	"2024-02-30T00:00:00Z",		/* Feb 30 */
	"2023-02-29T00:00:00Z",		/* not a leap year */
	"2024-01-01T24:00:00Z",		/* hour 24 */
	"2016-12-31T23:59:60Z",		/* leap second: Spark refuses it too */
	"2024-13-01T00:00:00Z",
	"2024-01-01T00:00Z",
	"2024-01-01T00:00:00.Z",
	"2024-01-01T00:00:00+0100",
	"2024-01-01T00:00:00Zjunk",
	"24-01-01T00:00:00Z",
	"",
};

START_TEST(test_rejects)
{
	struct eb e;
	int64_t us;

	ck_assert_int_eq(tm_parse_rfc3339(bad[_i], strlen(bad[_i]), &us, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, bad[_i]));
}
END_TEST

START_TEST(test_days_round_trip)
{
	int64_t y, z;
	int m, d;

	/* every day from 1600 to 2400 maps back to itself */
	for (z = tm_days_from_civil(1600, 1, 1); z < tm_days_from_civil(2400, 1, 1); z++) {
		tm_civil_from_days(z, &y, &m, &d);
		ck_assert_int_eq(tm_days_from_civil(y, m, d), z);
		ck_assert(d >= 1 && d <= tm_days_in_month(y, m));
	}
	ck_assert_int_eq(tm_floordiv(-1, 1000), -1);
	ck_assert_int_eq(tm_floormod(-1, 1000), 999);
	ck_assert_int_eq(tm_floordiv(1999, 1000), 1);
	/* the extremes must not overflow (UBSan watches this) */
	ck_assert_int_eq(tm_floormod(INT64_MIN, 1000), 192);
	ck_assert_int_eq(tm_floormod(INT64_MIN, TM_US_PER_DAY), INT64_C(71945224192));
}
END_TEST

/* the four-digit years' version gives every day of 0000..9999 as the
 * general one does, and the impossible days 29..31 alike */
START_TEST(test_days_ce)
{
	for (int y = 0; y <= 9999; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= 31; d++)
				if (tm_days_from_civil_ce(y, m, d) !=
				    tm_days_from_civil(y, m, d))
					ck_abort_msg("%04d-%02d-%02d: %lld, not %lld",
					    y, m, d,
					    (long long)tm_days_from_civil_ce(y, m, d),
					    (long long)tm_days_from_civil(y, m, d));
}
END_TEST

START_TEST(test_extremes)
{
	char buf[TM_RFC3339_MAX];

	/* INT64_MIN microseconds, by Python's proleptic datetime arithmetic:
	 * -290308-12-21T19:59:05.224192Z */
	tm_fmt_rfc3339(INT64_MIN, buf);
	ck_assert_str_eq(buf, "-290308-12-21T19:59:05.224192Z");
	tm_fmt_rfc3339(INT64_MAX, buf);
	ck_assert_str_eq(buf, "+294247-01-10T04:00:54.775807Z");
}
END_TEST

START_TEST(test_epoch_seconds)
{
	struct eb e;
	int64_t us;

	ck_assert_int_eq(tm_from_epoch_seconds(1704067207.25, &us, &e), 0);
	ck_assert_int_eq(us, INT64_C(1704067207250000));
	ck_assert_int_eq(tm_from_epoch_seconds(-0.5, &us, &e), 0);
	ck_assert_int_eq(us, -500000);
	ck_assert_int_eq(tm_from_epoch_seconds(1e300, &us, &e), -1);
	ck_assert_int_eq(tm_from_epoch_seconds(0.0 / 0.0, &us, &e), -1);
}
END_TEST

static Suite *
tm_suite(void)
{
	Suite *s = suite_create("tm");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_known_round_trip, 0, sizeof(known) / sizeof(known[0]));
	tcase_add_test(tc, test_fractions_shortest);
	tcase_add_test(tc, test_parse_forms);
	tcase_add_loop_test(tc, test_rejects, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_days_round_trip);
	tcase_add_test(tc, test_days_ce);
	tcase_add_test(tc, test_epoch_seconds);
	tcase_add_test(tc, test_extremes);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(tm_suite)
