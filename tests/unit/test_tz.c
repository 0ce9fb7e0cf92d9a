/* tz: zone IDs as java.time.ZoneId.of reads them, and local time to
 * instant as ZonedDateTime.ofLocal resolves it. Expected instants were
 * computed with Python's zoneinfo over the same tzdata (datetime(...,
 * tzinfo=ZoneInfo(zone), fold=0).timestamp(): fold=0 is Java's choice,
 * the offset before the transition, in both gaps and overlaps). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "time/tz.h"

static struct tz *
must_open(const char *id)
{
	struct eb e = { "" };
	struct tz *z = tz_open(id, strlen(id), &e);

	ck_assert_msg(z != NULL, "%s: %s", id, e.msg);
	return z;
}

static const struct {
	const char *zone;
	int64_t local, utc;
	const char *what;
} cases[] = {
	/* spring gap: 02:00-03:00 does not exist, moves forward one hour */
	{ "America/New_York", 1710037800, 1710055800, "2024-03-10 02:30 gap" },
	{ "America/New_York", 1710035999, 1710053999, "2024-03-10 01:59:59" },
	{ "America/New_York", 1710039600, 1710054000, "2024-03-10 03:00" },
	/* autumn overlap: 01:00-02:00 twice, the earlier (EDT) wins */
	{ "America/New_York", 1730597400, 1730611800, "2024-11-03 01:30 overlap" },
	{ "America/New_York", 1730595599, 1730609999, "2024-11-03 00:59:59" },
	{ "America/New_York", 1730599200, 1730617200, "2024-11-03 02:00" },
	{ "Europe/Berlin", 1711852200, 1711848600, "2024-03-31 02:30 gap" },
	{ "Europe/Berlin", 1711854000, 1711846800, "2024-03-31 03:00" },
	{ "Europe/Berlin", 1729996200, 1729989000, "2024-10-27 02:30 overlap" },
	{ "Europe/Berlin", 1729998000, 1729994400, "2024-10-27 03:00" },
	{ "Europe/Berlin", 1729994399, 1729987199, "2024-10-27 01:59:59" },
	/* before 1970, and local mean time before railway time */
	{ "America/New_York", -2717668800, -2717651038, "1883-11-18 12:00 LMT" },
	{ "America/New_York", -5364662400, -5364644638, "1800-01-01 LMT" },
	{ "America/New_York", -14182980, -14168580, "1969-07-20 20:17 EDT" },
	{ "Europe/London", 0, -3600, "1970-01-01 British Standard Time" },
	/* past the listed transitions: the POSIX rule at the file's end */
	{ "America/New_York", 4108674600, 4108692600, "2100-03-14 02:30 gap" },
	{ "America/New_York", 4129234200, 4129248600, "2100-11-07 01:30 overlap" },
	{ "America/New_York", 4118126400, 4118140800, "2100-07-01 12:00" },
	{ "Europe/Berlin", 16751413800, 16751406600, "2500-10-31 02:30 overlap" },
	/* southern hemisphere: daylight saving spans the new year */
	{ "Australia/Sydney", 1712457000, 1712417400, "2024-04-07 02:30 overlap" },
	{ "Australia/Sydney", 1728181800, 1728145800, "2024-10-06 02:30 gap" },
	{ "Australia/Sydney", 3794783400, 3794743800, "2090-04-02 02:30 overlap" },
	{ "Australia/Sydney", 3810508200, 3810472200, "2090-10-01 02:30 gap" },
	{ "Asia/Kolkata", 1704067200, 1704047400, "2024-01-01 +05:30" },
	{ "America/Sao_Paulo", 1717200000, 1717210800, "2024-06-01 -03:00" },
};

START_TEST(local_to_utc)
{
	struct tz *z = must_open(cases[_i].zone);

	ck_assert_msg(tz_local_to_utc(z, cases[_i].local) == cases[_i].utc,
	    "%s %s: got %lld want %lld", cases[_i].zone, cases[_i].what,
	    (long long)tz_local_to_utc(z, cases[_i].local),
	    (long long)cases[_i].utc);
	tz_close(z);
}
END_TEST

START_TEST(offset_at)
{
	struct tz *z = must_open("America/New_York");

	ck_assert_int_eq(tz_offset_at(z, 1710053999), -5 * 3600);
	ck_assert_int_eq(tz_offset_at(z, 1710054000), -4 * 3600);
	ck_assert_int_eq(tz_offset_at(z, 4118140800), -4 * 3600);	/* 2100 */
	ck_assert_int_eq(tz_offset_at(z, 4102444800), -5 * 3600);
	ck_assert_int_eq(tz_offset_at(z, -5364644638), -17762);	/* LMT */
	tz_close(z);
}
END_TEST

/* ZoneOffset.of's forms (java.time javadoc) plus Spark getZoneId's
 * padding of "+h:mm" and "+hh:m" (DateTimeUtils.getZoneId). */
START_TEST(offsets)
{
	static const struct {
		const char *s;
		int ok;
		int32_t off;
	} c[] = {
		{ "+8", 1, 28800 }, { "-08", 1, -28800 }, { "+0530", 1, 19800 },
		{ "+05:30", 1, 19800 }, { "-053015", 1, -19815 },
		{ "+05:30:15", 1, 19815 }, { "+5:30", 1, 19800 },
		{ "+05:3", 1, 18180 }, { "+18:00", 1, 64800 },
		{ "+18:01", 0, 0 }, { "+19", 0, 0 }, { "+05:60", 0, 0 },
		{ "+053", 0, 0 }, { "05:00", 0, 0 }, { "+", 0, 0 },
		{ "+05:30:1", 0, 0 }, { "+ab", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int32_t off = 0;
		int rc = tz_parse_offset(c[i].s, strlen(c[i].s), &off);

		ck_assert_msg((rc == 0) == c[i].ok, "%s: rc %d", c[i].s, rc);
		if (c[i].ok)
			ck_assert_msg(off == c[i].off, "%s: %d", c[i].s, (int)off);
	}
}
END_TEST

START_TEST(ids)
{
	struct eb e = { "" };
	struct tz *z;

	z = must_open("Z");
	ck_assert_int_eq(tz_local_to_utc(z, 100), 100);
	tz_close(z);
	z = must_open("UTC+01:00");
	ck_assert_int_eq(tz_local_to_utc(z, 3600), 0);
	tz_close(z);
	z = must_open("GMT-5");
	ck_assert_int_eq(tz_local_to_utc(z, 0), 5 * 3600);
	tz_close(z);
	z = must_open("UT");
	ck_assert_int_eq(tz_local_to_utc(z, 7), 7);
	tz_close(z);
	/* SHORT_IDS: EST is a fixed -05:00, PST is Los Angeles with DST */
	z = must_open("EST");
	ck_assert_int_eq(tz_local_to_utc(z, 1720000000), 1720000000 + 5 * 3600);
	tz_close(z);
	z = must_open("PST");
	ck_assert_int_eq(tz_local_to_utc(z, 1720000000), 1720000000 + 7 * 3600);
	tz_close(z);
	z = must_open("+05:30");
	ck_assert_str_eq(tz_name(z), "+05:30");
	tz_close(z);

	ck_assert_ptr_null(tz_open("Mars/Olympus", 12, &e));
	ck_assert_str_eq(e.msg, "unknown time zone 'Mars/Olympus'");
	ck_assert_ptr_null(tz_open("america/new_york", 16, &e));
	ck_assert_ptr_null(tz_open("../../etc/passwd", 16, &e));
	ck_assert_ptr_null(tz_open("posix/UTC", 9, &e));
	ck_assert_ptr_null(tz_open("UTC+25", 6, &e));
	ck_assert_str_eq(e.msg, "invalid time zone offset 'UTC+25'");
	ck_assert_ptr_null(tz_open("", 0, &e));
	ck_assert_ptr_null(tz_fixed(18 * 3600 + 1, &e));
}
END_TEST

START_TEST(cache)
{
	struct tz_cache c;
	struct eb e = { "" };
	const struct tz *a, *b;

	tz_cache_init(&c);
	a = tz_cache_get(&c, "Europe/Berlin", 13, TZ_SHORT_IDS, &e);
	b = tz_cache_get(&c, "Europe/Berlin", 13, TZ_SHORT_IDS, &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a, b);
	/* without SHORT_IDS, "EST" is the database's zone, not the alias */
	ck_assert_ptr_nonnull(tz_cache_get(&c, "EST", 3, 0, &e));
	for (int i = 0; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "Etc/GMT%+d", i % 25 - 12);
		ck_assert_ptr_nonnull(tz_cache_get(&c, name, strlen(name), 0, &e));
	}
	ck_assert_ptr_null(tz_cache_get(&c, "Nowhere/Else", 12, 0, &e));
	tz_cache_free(&c);
}
END_TEST

/* A zone of one offset says so, and its offset is what tz_local_to_utc
 * takes off; a zone with transitions or daylight saving does not. */
START_TEST(fixed_offset)
{
	static const char *const fixed[] = { "UTC", "Z", "+05:30", "-08:00",
	    "GMT+1", "Etc/GMT+3" };
	static const char *const moving[] = { "America/New_York",
	    "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata" };
	int32_t off;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct tz *z = must_open(fixed[i]);

		ck_assert_msg(tz_fixed_offset(z, &off), "%s", fixed[i]);
		for (int64_t t = -5364662400; t < 16751413800; t += 86399 * 37)
			ck_assert_int_eq(tz_local_to_utc(z, t), t - off);
		tz_close(z);
	}
	for (size_t i = 0; i < sizeof(moving) / sizeof(moving[0]); i++) {
		struct tz *z = must_open(moving[i]);

		ck_assert_msg(!tz_fixed_offset(z, &off), "%s", moving[i]);
		tz_close(z);
	}
}
END_TEST

static Suite *
tz_suite(void)
{
	Suite *s = suite_create("tz");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, local_to_utc, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, offset_at);
	tcase_add_test(tc, offsets);
	tcase_add_test(tc, ids);
	tcase_add_test(tc, cache);
	tcase_add_test(tc, fixed_offset);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(tz_suite)
