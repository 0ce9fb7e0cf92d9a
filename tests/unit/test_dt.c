/* dt: Spark 3 datetime patterns and the default string-to-timestamp
 * cast. Expected values come from the Spark SQL reference ("Datetime
 * Patterns for Formatting and Parsing"), Spark's test suites
 * (DateTimeUtilsSuite "string to timestamp", "SPARK-35780: support full
 * range of timestamp string", "SPARK-15379"; TimestampFormatterSuite's
 * fraction cases), java.time's documented parsing rules that Spark
 * applies (DateTimeFormatterBuilder, ResolverStyle.STRICT), and, for
 * named zones, Python's zoneinfo over the same tzdata. Instants are
 * written as RFC 3339 text worked out by hand. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "time/dt.h"
#include "time/tm.h"
#include "time/tz.h"

static struct tz_cache zones;

static void
setup(void)
{
	tz_cache_init(&zones);
}

static void
teardown(void)
{
	tz_cache_free(&zones);
}

static const struct tz *
zone(const char *id)
{
	const struct tz *z = tz_cache_get(&zones, id, strlen(id), TZ_SHORT_IDS, NULL);

	ck_assert_msg(z != NULL, "zone %s", id);
	return z;
}

/* want NULL: no match (to_timestamp's null) */
static void
check(const char *pat, const char *tzid, const char *in, const char *want)
{
	struct dt_pattern p;
	struct eb e = { "" };
	char got[TM_RFC3339_MAX];
	int64_t us;
	int rc;

	ck_assert_msg(dt_compile(&p, pat, &e) == 0, "%s: %s", pat, e.msg);
	rc = dt_parse(&p, in, strlen(in), zone(tzid), &zones, &us, &e);
	if (want == NULL) {
		if (rc == 0)
			tm_fmt_rfc3339(us, got);
		ck_assert_msg(rc != 0, "%s / '%s': got %s, wanted no match",
		    pat, in, got);
		return;
	}
	ck_assert_msg(rc == 0, "%s / '%s': %s", pat, in, e.msg);
	tm_fmt_rfc3339(us, got);
	ck_assert_msg(strcmp(got, want) == 0, "%s / '%s': got %s want %s", pat,
	    in, got, want);
}

#define UTC(pat, in, want) check(pat, "UTC", in, want)

START_TEST(notebook_pattern)
{
	const char *p = "yyyy-MM-dd'T'HH:mm:ss";

	UTC(p, "2024-01-01T00:00:07", "2024-01-01T00:00:07Z");
	UTC(p, "2024-01-01t00:00:07", "2024-01-01T00:00:07Z");	/* any case */
	UTC(p, "2024-01-01T00:00:07 ", NULL);	/* whole value consumed */
	UTC(p, "2024-01-01 00:00:07", NULL);
	UTC(p, "2024-1-01T00:00:07", NULL);	/* MM is two digits */
	UTC(p, "", NULL);
}
END_TEST

START_TEST(out_of_range)
{
	const char *p = "yyyy-MM-dd HH:mm:ss";

	UTC(p, "2019-02-30 00:00:00", NULL);	/* Feb 30 */
	UTC(p, "2019-02-29 00:00:00", NULL);
	UTC(p, "2020-02-29 00:00:00", "2020-02-29T00:00:00Z");
	UTC(p, "2100-02-29 00:00:00", NULL);
	UTC(p, "2000-02-29 00:00:00", "2000-02-29T00:00:00Z");
	UTC(p, "2024-04-31 00:00:00", NULL);
	UTC(p, "2024-13-01 00:00:00", NULL);
	UTC(p, "2024-00-01 00:00:00", NULL);
	UTC(p, "2024-01-00 00:00:00", NULL);
	UTC(p, "2024-01-01 24:00:00", NULL);	/* hour 24 */
	UTC(p, "2024-01-01 23:60:00", NULL);
	UTC(p, "2016-12-31 23:59:60", NULL);	/* leap second: STRICT 0-59 */
	UTC(p, "2024-01-01 23:59:59", "2024-01-01T23:59:59Z");
}
END_TEST

START_TEST(years)
{
	UTC("yyyy-MM-dd", "0001-01-01", "0001-01-01T00:00:00Z");
	UTC("yyyy-MM-dd", "1969-12-31", "1969-12-31T00:00:00Z");
	UTC("yyyy-MM-dd", "1900-03-01", "1900-03-01T00:00:00Z");
	UTC("yyyy-MM-dd", "9999-12-31", "9999-12-31T00:00:00Z");
	/* yyyy: more than four digits only with a sign (SignStyle.EXCEEDS_PAD) */
	UTC("yyyy-MM-dd", "+10000-01-01", "+10000-01-01T00:00:00Z");
	UTC("yyyy-MM-dd", "10000-01-01", NULL);
	UTC("yyyy-MM-dd", "+2024-01-01", NULL);
	UTC("yyyy-MM-dd", "-0044-03-15", "-0044-03-15T00:00:00Z");
	UTC("yyyy-MM-dd", "-0000-01-01", NULL);	/* no minus zero */
	/* y: any width, minus allowed, plus not (SignStyle.NORMAL) */
	UTC("y-M-d", "2024-1-5", "2024-01-05T00:00:00Z");
	UTC("y-M-d", "-44-3-15", "-0044-03-15T00:00:00Z");
	UTC("y-M-d", "+2024-1-5", NULL);
	/* yy: two digits, base 2000 (the docs: "2000 to 2099 inclusive") */
	UTC("yy-MM-dd", "24-01-01", "2024-01-01T00:00:00Z");
	UTC("yy-MM-dd", "99-12-31", "2099-12-31T00:00:00Z");
	UTC("yy-MM-dd", "2024-01-01", NULL);
	/* G: era with year of era; 44 BC is proleptic year -43 */
	UTC("G yyyy-MM-dd", "BC 0044-03-15", "-0043-03-15T00:00:00Z");
	UTC("G yyyy-MM-dd", "AD 2024-01-01", "2024-01-01T00:00:00Z");
	UTC("GGGG yyyy", "Anno Domini 2024", "2024-01-01T00:00:00Z");
	UTC("G yyyy", "AD 0000", NULL);	/* year of era starts at 1 */
}
END_TEST

START_TEST(adjacent_numbers)
{
	/* java.time's adjacent value parsing: fixed-width fields after a
	 * variable-width year keep their digits */
	UTC("yyyyMMdd", "20240229", "2024-02-29T00:00:00Z");
	UTC("yyyyMMddHHmmss", "20240101123456", "2024-01-01T12:34:56Z");
	UTC("yyyyMMdd", "2024011", NULL);
	UTC("MMdd", "0229", NULL);	/* 1970 is not a leap year */
	UTC("MMdd", "0228", "1970-02-28T00:00:00Z");
}
END_TEST

START_TEST(months_and_days)
{
	UTC("d MMM yyyy", "5 Sep 2024", "2024-09-05T00:00:00Z");
	UTC("d MMM yyyy", "05 SEP 2024", "2024-09-05T00:00:00Z");
	UTC("d MMM yyyy", "5 sep 2024", "2024-09-05T00:00:00Z");
	UTC("d MMM yyyy", "5 Sept 2024", NULL);
	UTC("MMMM d, yyyy", "September 5, 2024", "2024-09-05T00:00:00Z");
	UTC("MMMM d, yyyy", "May 31, 2024", "2024-05-31T00:00:00Z");
	UTC("MMMM d, yyyy", "Sep 5, 2024", NULL);
	UTC("LLL yyyy", "Feb 2024", "2024-02-01T00:00:00Z");
	UTC("LLLL yyyy", "February 2024", "2024-02-01T00:00:00Z");
	UTC("M/d/yyyy", "12/5/2024", "2024-12-05T00:00:00Z");
	UTC("MM/dd/yyyy", "12/5/2024", NULL);
	/* D: day of year; DDD three digits */
	UTC("yyyy DDD", "2024 366", "2024-12-31T00:00:00Z");
	UTC("yyyy DDD", "2023 366", NULL);
	UTC("yyyy-DDD", "2024-060", "2024-02-29T00:00:00Z");
	UTC("yyyy D", "2024 1", "2024-01-01T00:00:00Z");
	UTC("yyyy DD", "2024 45", "2024-02-14T00:00:00Z");
	UTC("yyyy-MM-dd DDD", "2024-03-01 061", "2024-03-01T00:00:00Z");
	UTC("yyyy-MM-dd DDD", "2024-03-01 060", NULL);	/* conflict */
	/* missing fields: year 1970, month and day 1 (toLocalDate) */
	UTC("MM-dd", "02-28", "1970-02-28T00:00:00Z");
	UTC("MM-dd", "02-29", NULL);
	UTC("yyyy", "2024", "2024-01-01T00:00:00Z");
	UTC("yyyy-MM", "2024-07", "2024-07-01T00:00:00Z");
	UTC("dd", "15", "1970-01-15T00:00:00Z");
}
END_TEST

START_TEST(hours)
{
	UTC("hh:mm a", "12:30 AM", "1970-01-01T00:30:00Z");
	UTC("hh:mm a", "12:30 PM", "1970-01-01T12:30:00Z");
	UTC("hh:mm a", "01:00 pm", "1970-01-01T13:00:00Z");
	UTC("hh:mm a", "13:00 PM", NULL);
	UTC("hh:mm a", "00:00 AM", NULL);
	UTC("h:mm a", "9:05 PM", "1970-01-01T21:05:00Z");
	UTC("hh:mm", "12:30", "1970-01-01T00:30:00Z");	/* no a: am */
	UTC("KK:mm a", "11:00 PM", "1970-01-01T23:00:00Z");
	UTC("KK:mm a", "00:00 PM", "1970-01-01T12:00:00Z");
	UTC("KK:mm a", "12:00 PM", NULL);
	UTC("kk:mm", "24:00", "1970-01-01T00:00:00Z");	/* k=24 is 00 */
	UTC("kk:mm", "00:00", NULL);
	UTC("H a", "13 PM", "1970-01-01T13:00:00Z");
	UTC("H a", "13 AM", NULL);	/* conflicting fields */
	UTC("a", "PM", "1970-01-01T12:00:00Z");
	UTC("H:m:s", "7:5:9", "1970-01-01T07:05:09Z");
	UTC("HH:mm:ss", "7:05:09", NULL);
}
END_TEST

START_TEST(fractions)
{
	const char *p = "yyyy-MM-dd HH:mm:ss.SSSSSS";

	UTC(p, "2019-10-06 10:11:12.123456", "2019-10-06T10:11:12.123456Z");
	UTC(p, "2019-10-06 10:11:12.1", "2019-10-06T10:11:12.1Z");
	UTC(p, "2019-10-06 10:11:12.", NULL);
	UTC(p, "2019-10-06 10:11:12.1234567", NULL);
	UTC("yyyy-MM-dd HH:mm:ss.SSS", "2019-10-06 10:11:12.12", "2019-10-06T10:11:12.12Z");
	UTC("yyyy-MM-dd HH:mm:ss.SSS", "2019-10-06 10:11:12.1234", NULL);
	/* up to nine digits parse; past microseconds they are cut */
	UTC("yyyy-MM-dd HH:mm:ss.SSSSSSSSS", "2019-10-06 10:11:12.123456789",
	    "2019-10-06T10:11:12.123456Z");
	UTC("yyyy-MM-dd HH:mm:ss[.SSSSSS]", "2019-10-06 10:11:12", "2019-10-06T10:11:12Z");
	UTC("yyyy-MM-dd HH:mm:ss.SSSSSS", "1969-12-31 23:59:59.999999",
	    "1969-12-31T23:59:59.999999Z");
	UTC("ss.S", "01.5", "1970-01-01T00:00:01.5Z");
	UTC("HHmmssS", "1234567", "1970-01-01T12:34:56.7Z");
}
END_TEST

START_TEST(offsets)
{
	const char *b = "yyyy-MM-dd HH:mm:ss";
	char p[64];

#define OFF(letters, in, want) \
	(snprintf(p, sizeof(p), "%s%s", b, letters), \
	 UTC(p, "2024-01-01 12:00:00" in, want))
	OFF("XXX", "+05:30", "2024-01-01T06:30:00Z");
	OFF("XXX", "Z", "2024-01-01T12:00:00Z");
	OFF("XXX", "-08:00", "2024-01-01T20:00:00Z");
	OFF("XXX", "+0530", NULL);
	OFF("XXX", "+24:00", NULL);
	OFF("X", "+05", "2024-01-01T07:00:00Z");
	OFF("X", "+0530", "2024-01-01T06:30:00Z");
	OFF("X", "z", "2024-01-01T12:00:00Z");
	OFF("XX", "+0530", "2024-01-01T06:30:00Z");
	OFF("XX", "+05", NULL);
	OFF("XXXX", "+053015", "2024-01-01T06:29:45Z");
	OFF("XXXXX", "+05:30:15", "2024-01-01T06:29:45Z");
	OFF("xxx", "+00:00", "2024-01-01T12:00:00Z");
	OFF("xxx", "Z", NULL);
	OFF("x", "+00", "2024-01-01T12:00:00Z");
	OFF("x", "-02", "2024-01-01T14:00:00Z");
	OFF("Z", "+0530", "2024-01-01T06:30:00Z");
	OFF("Z", "-0800", "2024-01-01T20:00:00Z");
	OFF("Z", "+05:30", NULL);
	OFF(" ZZZZ", " GMT+05:30", "2024-01-01T06:30:00Z");
	OFF(" ZZZZ", " GMT", "2024-01-01T12:00:00Z");
	OFF("ZZZZZ", "Z", "2024-01-01T12:00:00Z");
	OFF("ZZZZZ", "+05:30", "2024-01-01T06:30:00Z");
	OFF(" O", " GMT+8", "2024-01-01T04:00:00Z");
	OFF(" O", " GMT-5:30", "2024-01-01T17:30:00Z");
	OFF(" O", " GMT+08:00", "2024-01-01T04:00:00Z");	/* one or two hour digits */
	OFF(" O", " GMT+8:3", NULL);
	OFF(" OOOO", " GMT+08:00", "2024-01-01T04:00:00Z");
	OFF(" OOOO", " GMT+8", NULL);
	/* the value's offset wins over --tz */
	check("yyyy-MM-dd HH:mm:ssXXX", "Europe/Berlin", "2024-07-01 12:00:00Z",
	    "2024-07-01T12:00:00Z");
#undef OFF
}
END_TEST

START_TEST(zone_ids)
{
	const char *p = "yyyy-MM-dd HH:mm VV";

	UTC(p, "2024-07-01 12:00 America/New_York", "2024-07-01T16:00:00Z");
	UTC(p, "2024-01-01 12:00 America/New_York", "2024-01-01T17:00:00Z");
	UTC(p, "2024-07-01 12:00 Europe/Berlin", "2024-07-01T10:00:00Z");
	UTC(p, "2024-07-01 12:00 UTC", "2024-07-01T12:00:00Z");
	UTC(p, "2024-07-01 12:00 Z", "2024-07-01T12:00:00Z");
	UTC(p, "2024-07-01 12:00 +05:30", "2024-07-01T06:30:00Z");
	UTC(p, "2024-07-01 12:00 UTC+01:00", "2024-07-01T11:00:00Z");
	UTC(p, "2024-07-01 12:00 GMT-03:00", "2024-07-01T15:00:00Z");
	UTC(p, "2024-07-01 12:00 Mars/Olympus", NULL);
	UTC("yyyy-MM-dd HH:mm VV'!'", "2024-07-01 12:00 Asia/Tokyo!", "2024-07-01T03:00:00Z");
	/* 'z' reads names too; a name means its region, so PST in July is
	 * daylight time, as in java.time */
	UTC("yyyy-MM-dd HH:mm z", "2024-01-01 12:00 PST", "2024-01-01T20:00:00Z");
	UTC("yyyy-MM-dd HH:mm z", "2024-07-01 12:00 PST", "2024-07-01T19:00:00Z");
	UTC("yyyy-MM-dd HH:mm zzzz", "2024-01-01 12:00 Pacific Standard Time",
	    "2024-01-01T20:00:00Z");
	UTC("yyyy-MM-dd HH:mm z", "2024-01-01 12:00 Europe/Paris", "2024-01-01T11:00:00Z");
	UTC("yyyy-MM-dd HH:mm z", "2024-01-01 12:00 XYZ", NULL);
}
END_TEST

/* --tz for values without a zone: gaps move forward, overlaps take the
 * earlier offset (expected instants: Python zoneinfo, fold=0) */
START_TEST(dst)
{
	const char *p = "yyyy-MM-dd HH:mm:ss";

	check(p, "America/New_York", "2024-03-10 01:59:59", "2024-03-10T06:59:59Z");
	check(p, "America/New_York", "2024-03-10 02:30:00", "2024-03-10T07:30:00Z");
	check(p, "America/New_York", "2024-03-10 03:00:00", "2024-03-10T07:00:00Z");
	check(p, "America/New_York", "2024-11-03 01:30:00", "2024-11-03T05:30:00Z");
	check(p, "America/New_York", "2024-11-03 02:00:00", "2024-11-03T07:00:00Z");
	check(p, "Europe/Berlin", "2024-03-31 02:30:00", "2024-03-31T01:30:00Z");
	check(p, "Europe/Berlin", "2024-10-27 02:30:00", "2024-10-27T00:30:00Z");
	check(p, "Europe/Berlin", "2024-10-27 03:00:00", "2024-10-27T02:00:00Z");
	check(p, "America/New_York", "1800-01-01 00:00:00", "1800-01-01T04:56:02Z");
	check(p, "America/New_York", "2100-03-14 02:30:00", "2100-03-14T07:30:00Z");
	check(p, "+05:30", "2024-01-01 00:00:00", "2023-12-31T18:30:00Z");
}
END_TEST

START_TEST(optional_and_literals)
{
	const char *p = "yyyy-MM-dd[ HH:mm[:ss]]";

	UTC(p, "2024-01-01", "2024-01-01T00:00:00Z");
	UTC(p, "2024-01-01 12:30", "2024-01-01T12:30:00Z");
	UTC(p, "2024-01-01 12:30:15", "2024-01-01T12:30:15Z");
	UTC(p, "2024-01-01 12", NULL);
	UTC("yyyy-MM-dd[['T']HH:mm]", "2024-01-01T05:06", "2024-01-01T05:06:00Z");
	UTC("yyyy-MM-dd[XXX][VV]", "2024-01-01+01:00", "2023-12-31T23:00:00Z");
	UTC("yyyy-MM-dd[ HH", "2024-01-01 07", "2024-01-01T07:00:00Z");
	UTC("HH 'o''clock'", "05 o'clock", "1970-01-01T05:00:00Z");
	UTC("HH''mm", "12'30", "1970-01-01T12:30:00Z");
	UTC("'Day' D 'of' yyyy", "day 32 OF 2024", "2024-02-01T00:00:00Z");
	UTC("yyyy/MM/dd", "2024/01/02", "2024-01-02T00:00:00Z");
	UTC("yyyy.MM.dd", "2024-01-02", NULL);
	/* a byte that is not UTF-8 never matches a literal it is not */
	UTC("yyyy-MM-dd", "2024\xff" "01-01", NULL);
	{
		struct dt_pattern p2;
		int64_t us;

		ck_assert_int_eq(dt_compile(&p2, "yyyy-MM-dd", NULL), 0);
		ck_assert_int_ne(dt_parse(&p2, "2024-01-01\0", 11, zone("UTC"),
		    &zones, &us, NULL), 0);
	}
}
END_TEST

START_TEST(bad_patterns)
{
	static const struct {
		const char *pat, *msg;
	} c[] = {
		{ "YYYY-MM-dd", "All week-based patterns are unsupported since "
		  "Spark 3.0, detected: Y, Please use the SQL function EXTRACT instead" },
		{ "yyyy-ww", "All week-based patterns are unsupported since "
		  "Spark 3.0, detected: w, Please use the SQL function EXTRACT instead" },
		{ "uuuu", "All week-based patterns are unsupported since "
		  "Spark 3.0, detected: u, Please use the SQL function EXTRACT instead" },
		{ "EEE, d MMM yyyy", "Illegal pattern character: E" },
		{ "yyyy QQ", "Illegal pattern character: Q" },
		{ "yyyy-MM-dd A", "Illegal pattern character: A" },
		{ "MMMMM", "Too many pattern letters: M" },
		{ "yyyyyyy", "Too many pattern letters: y" },
		{ "ddd", "Too many pattern letters: d" },
		{ "HHH", "Too many pattern letters: H" },
		{ "aa", "Too many pattern letters: a" },
		{ "DDDD", "Too many pattern letters: D" },
		{ "zzzzz", "Too many pattern letters: z" },
		{ "XXXXXX", "Too many pattern letters: X" },
		{ "ZZZZZZ", "Too many pattern letters: Z" },
		{ "VVV", "Pattern letter count must be 2: V" },
		{ "OO", "Pattern letter count must be 1 or 4: O" },
		{ "ss.SSSSSSSSSS", "Maximum width must be from 1 to 9 inclusive but was 10" },
		{ "yyyy-MM-dd'T", "Pattern ends with an incomplete string literal: yyyy-MM-dd'T" },
		{ "yyyy]", "Pattern invalid as it contains ] without previous [" },
		{ "yyyy#MM", "Pattern includes reserved character: '#'" },
		{ "yyyy{", "Pattern includes reserved character: '{'" },
		{ "yyyy bb", "Unknown pattern letter: b" },
	};
	struct dt_pattern p;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct eb e = { "" };

		ck_assert_msg(dt_compile(&p, c[i].pat, &e) != 0, "%s compiled", c[i].pat);
		ck_assert_str_eq(e.msg, c[i].msg);
	}
	/* inside quotes the letters are text */
	ck_assert_int_eq(dt_compile(&p, "'Week' yyyy", NULL), 0);
}
END_TEST

static void
cast(const char *tzid, const char *in, const char *want)
{
	struct eb e = { "" };
	char got[TM_RFC3339_MAX];
	int64_t us;
	int rc = dt_cast(in, strlen(in), zone(tzid), &zones, &us, &e);

	if (want == NULL) {
		if (rc == 0)
			tm_fmt_rfc3339(us, got);
		ck_assert_msg(rc != 0, "cast '%s': got %s, wanted null", in, got);
		return;
	}
	ck_assert_msg(rc == 0, "cast '%s': %s", in, e.msg);
	tm_fmt_rfc3339(us, got);
	ck_assert_msg(strcmp(got, want) == 0, "cast '%s': got %s want %s", in, got, want);
}

/* DateTimeUtilsSuite "string to timestamp", with the session zone UTC */
START_TEST(cast_spark_suite)
{
	cast("UTC", "1969-12-31 16:00:00", "1969-12-31T16:00:00Z");
	cast("UTC", "0001", "0001-01-01T00:00:00Z");
	cast("UTC", "2015-03", "2015-03-01T00:00:00Z");
	cast("UTC", "2015-03-18", "2015-03-18T00:00:00Z");
	cast("UTC", "2015-03-18 ", "2015-03-18T00:00:00Z");
	cast("UTC", " 2015-03-18", "2015-03-18T00:00:00Z");
	cast("UTC", " 2015-03-18 ", "2015-03-18T00:00:00Z");
	cast("UTC", "2015-03-18 12:03:17", "2015-03-18T12:03:17Z");
	cast("UTC", "2015-03-18T12:03:17", "2015-03-18T12:03:17Z");
	cast("UTC", "2015-03-18T12:03:17-13:53", "2015-03-19T01:56:17Z");
	cast("UTC", "2015-03-18T12:03:17GMT-13:53", "2015-03-19T01:56:17Z");
	cast("UTC", "2015-03-18T12:03:17Z", "2015-03-18T12:03:17Z");
	cast("UTC", "2015-03-18 12:03:17Z", "2015-03-18T12:03:17Z");
	cast("UTC", "2015-03-18 12:03:17UTC", "2015-03-18T12:03:17Z");
	cast("UTC", "2015-03-18T12:03:17-1:0", "2015-03-18T13:03:17Z");
	cast("UTC", "2015-03-18T12:03:17-01:00", "2015-03-18T13:03:17Z");
	cast("UTC", "2015-03-18T12:03:17GMT-01:00", "2015-03-18T13:03:17Z");
	cast("UTC", "2015-03-18T12:03:17+07:30", "2015-03-18T04:33:17Z");
	cast("UTC", "2015-03-18T12:03:17 GMT+07:30", "2015-03-18T04:33:17Z");
	cast("UTC", "2015-03-18T12:03:17+07:03", "2015-03-18T05:00:17Z");
	cast("UTC", "2015-03-18 12:03:17.123", "2015-03-18T12:03:17.123Z");
	cast("UTC", "2015-03-18T12:03:17.456Z", "2015-03-18T12:03:17.456Z");
	cast("UTC", "2015-03-18 12:03:17.456 UTC", "2015-03-18T12:03:17.456Z");
	cast("UTC", "2015-03-18T12:03:17.123-1:0", "2015-03-18T13:03:17.123Z");
	cast("UTC", "2015-03-18T12:03:17.123 GMT-01:00", "2015-03-18T13:03:17.123Z");
	cast("UTC", "2015-03-18T12:03:17.123GMT+07:30", "2015-03-18T04:33:17.123Z");
	cast("UTC", "2015-03-18T12:03:17.123121+7:30", "2015-03-18T04:33:17.123121Z");
	cast("UTC", "2015-03-18T12:03:17.123121 GMT+0730", "2015-03-18T04:33:17.123121Z");
	cast("UTC", "2015-03-18T12:03:17.12312 UT+07:30", "2015-03-18T04:33:17.12312Z");
	cast("UTC", "2011-05-06 07:08:09.1000", "2011-05-06T07:08:09.1Z");
	cast("UTC", "2015-03-18T12:03:17.123456789+0:00", "2015-03-18T12:03:17.123456Z");
	cast("UTC", "2015-03-18T12:03:17.123456789 UTC+0", "2015-03-18T12:03:17.123456Z");
	cast("UTC", "2015-03-18T12:03:17.123456789GMT+00:00", "2015-03-18T12:03:17.123456Z");
	cast("UTC", "2015-03-18T12:03:17.123456 Europe/Moscow", "2015-03-18T09:03:17.123456Z");
	/* a value without a zone is local time in the session zone */
	cast("America/Los_Angeles", "2015-03-18 12:03:17", "2015-03-18T19:03:17Z");

	static const char *const nulls[] = { "238", "2015-03-18 123142",
		"2015-03-18T123123", "2015-03-18X", "2015/03/18", "2015.03.18",
		"20150318", "2015-031-8", "015-01-18", "2015-03-18T12:03.17-20:0",
		"2015-03-18T12:03.17-0:70", "2015-03-18T12:03.17-1:0:0",
		"1999 08 01", "1999-08 01", "1999 08", "", "    ", "+",
		/* SPARK-15379 */
		"2015-02-29 00:00:00", "2015-04-31 00:00:00", "2015-02-29",
		"2015-04-31" };

	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		cast("UTC", nulls[i], NULL);
}
END_TEST

/* "SPARK-35780: support full range of timestamp string" */
START_TEST(cast_full_range)
{
	cast("UTC", "-1969-12-31 16:00:00", "-1969-12-31T16:00:00Z");
	cast("UTC", "02015-03-18 16:00:00", "2015-03-18T16:00:00Z");
	cast("UTC", "000001", "0001-01-01T00:00:00Z");
	cast("UTC", "-000001", "-0001-01-01T00:00:00Z");
	cast("UTC", "00238", "0238-01-01T00:00:00Z");
	cast("UTC", "99999-03-01T12:03:17", "+99999-03-01T12:03:17Z");
	cast("UTC", "+12:12:12", NULL);
	cast("UTC", "-12:12:12", NULL);
	cast("UTC", "294247-01-10T04:00:54.775807Z", "+294247-01-10T04:00:54.775807Z");
	cast("UTC", "294247-01-10T04:00:54.775808Z", NULL);
	{
		/* Long.MinValue microseconds exactly (compared as a number:
		 * days * 86400e6 of that day does not fit an int64) */
		int64_t us = 0;

		ck_assert_int_eq(dt_cast("-290308-12-21T19:59:05.224192Z", 30,
		    zone("UTC"), &zones, &us, NULL), 0);
		ck_assert(us == INT64_MIN);
	}
	cast("UTC", "-290308-12-21T19:59:05.224191Z", NULL);
	cast("UTC", "4294967297", NULL);
	cast("UTC", "2021-4294967297-11", NULL);
	cast("UTC", "4294967297:30:00", NULL);
	cast("UTC", "2021-11-4294967297T12:30:00", NULL);
	cast("UTC", "2021-01-01T12:4294967297:00", NULL);
	cast("UTC", "2021-01-01T12:30:4294967297", NULL);
	cast("UTC", "2021-01-01T12:30:4294967297.123456", NULL);
	cast("UTC", "2021-01-01T12:30:4294967297+07:30", NULL);
	cast("UTC", "2021-01-01T12:30:4294967297UTC", NULL);
}
END_TEST

START_TEST(cast_more)
{
	/* the documented short forms */
	cast("UTC", "2024-1-1", "2024-01-01T00:00:00Z");
	cast("UTC", "2024", "2024-01-01T00:00:00Z");
	cast("UTC", "2024-01-01 1:2:3", "2024-01-01T01:02:03Z");
	cast("UTC", "2024-01-01T12", "2024-01-01T12:00:00Z");
	cast("UTC", "2024-01-01 12:30", "2024-01-01T12:30:00Z");
	cast("UTC", "2024-01-01 24:00:00", NULL);
	cast("UTC", "2016-12-31 23:59:60", NULL);
	cast("UTC", "2024-01-01 12:00:00 America/New_York", "2024-01-01T17:00:00Z");
	cast("UTC", "2024-01-01 12:00:00 PST", "2024-01-01T20:00:00Z");
	cast("UTC", "2024-01-01 12:00:00 EST", "2024-01-01T17:00:00Z");
	cast("UTC", "2024-01-01 12:00:00 Nowhere/Land", NULL);
	cast("America/New_York", "2024-03-10 02:30:00", "2024-03-10T07:30:00Z");
	cast("Europe/Berlin", "2024-10-27 02:30", "2024-10-27T00:30:00Z");
}
END_TEST

START_TEST(cast_time_only)
{
	char want[TM_RFC3339_MAX];
	int64_t now = (int64_t)time(NULL);
	int64_t today = tm_floordiv(now, 86400) * 86400;

	/* a time alone is today's date (LocalDate.now) at that time */
	tm_fmt_rfc3339((today + 18 * 3600 + 12 * 60 + 15) * TM_US_PER_S, want);
	if (now % 86400 < 86390) {	/* not across midnight */
		cast("UTC", "18:12:15", want);
		cast("UTC", "T18:12:15", want);
	}
}
END_TEST

static Suite *
dt_suite(void)
{
	Suite *s = suite_create("dt");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, notebook_pattern);
	tcase_add_test(tc, out_of_range);
	tcase_add_test(tc, years);
	tcase_add_test(tc, adjacent_numbers);
	tcase_add_test(tc, months_and_days);
	tcase_add_test(tc, hours);
	tcase_add_test(tc, fractions);
	tcase_add_test(tc, offsets);
	tcase_add_test(tc, zone_ids);
	tcase_add_test(tc, dst);
	tcase_add_test(tc, optional_and_literals);
	tcase_add_test(tc, bad_patterns);
	tcase_add_test(tc, cast_spark_suite);
	tcase_add_test(tc, cast_full_range);
	tcase_add_test(tc, cast_more);
	tcase_add_test(tc, cast_time_only);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(dt_suite)
