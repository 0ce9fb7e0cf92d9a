/* dt_fixed: a pattern of fixed-width numbers read at fixed offsets must
 * give dt_parse's own verdicts, values and messages: every value is
 * parsed twice, with the fixed plan and with it cleared (dt_parse's
 * operations alone), over patterns that are fixed, that look fixed but
 * are not, and values that are right, mutated a byte at a time, out of
 * range, of other lengths, in zones with daylight saving. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "test_rng.h"
#include "time/dt.h"
#include "time/tz.h"

static struct tz_cache zones;
static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t
next(void)
{
	return test_rng_next(&rng);
}

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

static void
same(const struct dt_pattern *fast, const struct dt_pattern *slow,
    const struct tz *z, const char *s, size_t n, int *fails)
{
	struct eb e1 = { "" }, e2 = { "" };
	int64_t a = 0, b = 0;
	int ra = dt_parse(fast, s, n, z, &zones, &a, &e1);
	int rb = dt_parse(slow, s, n, z, &zones, &b, &e2);

	/* ck_assert would send the runner a message per call */
	if (ra != rb || (ra == 0 && a != b) ||
	    (ra != 0 && strcmp(e1.msg, e2.msg) != 0)) {
		if ((*fails)++ == 0)
			ck_abort_msg("'%.*s': fixed %d %lld '%s', general %d "
			    "%lld '%s'", (int)n, s, ra, (long long)a, e1.msg,
			    rb, (long long)b, e2.msg);
	}
}

static void
against_general(const char *pat, const char *zone, const char *sample,
    int want_fixed)
{
	struct dt_pattern fast, slow;
	const struct tz *z = tz_cache_get(&zones, zone, strlen(zone),
	    TZ_SHORT_IDS, NULL);
	static const char bytes[] = "0123456789-T:tZ +.a/\0\x80";
	char s[80];
	size_t n = strlen(sample);
	int fails = 0;

	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(dt_compile(&fast, pat, NULL), 0);
	ck_assert_msg((fast.fixed.len != 0) == want_fixed, "%s: fixed %d",
	    pat, fast.fixed.len);
	slow = fast;
	slow.fixed.len = 0;
	same(&fast, &slow, z, sample, n, &fails);
	for (int i = 0; i < 200000; i++) {
		size_t len = n;

		memcpy(s, sample, n);
		/* random digits where digits are, then a byte or two off */
		for (size_t k = 0; k < n; k++)
			if (s[k] >= '0' && s[k] <= '9')
				s[k] = (char)('0' + next() % 10);
		switch (next() % 4) {
		case 0:
			break;
		case 1:
			s[next() % n] = bytes[next() % (sizeof(bytes) - 1)];
			break;
		case 2:
			len = n - 1 - next() % 3;
			break;
		default:
			s[len++] = bytes[next() % (sizeof(bytes) - 1)];
			break;
		}
		same(&fast, &slow, z, s, len, &fails);
	}
	ck_assert_int_eq(fails, 0);
}

START_TEST(test_fixed_patterns)
{
	against_general("yyyy-MM-dd'T'HH:mm:ss", "UTC", "2024-01-01T00:00:00", 1);
	against_general("yyyy-MM-dd HH:mm:ss", "America/New_York",
	    "2024-03-10 02:30:00", 1);
	against_general("yyyy-MM-dd HH:mm", "Europe/Berlin", "2024-10-27 02:30", 1);
	against_general("dd/MM/yyyy", "+05:30", "29/02/2024", 1);
	against_general("yyyy'T'MM", "UTC", "2024T02", 1);
	against_general("HH:mm:ss yyyy", "UTC", "23:59:59 1999", 1);
	/* 16 to 32 bytes are checked as two blocks of sixteen */
	against_general("dd/MM/yyyy', at 'HH:mm:ss' sharp'", "UTC",
	    "29/02/2024, at 23:59:59 sharp", 1);
	against_general("yyyy-MM-dd'T'HH:mm:ss'T'HH:mm:ss", "UTC",
	    "2024-01-01T00:00:00T00:00:00", 0);
	against_general("yyyy/MM/dd HH:mm:ss 'and then some more'", "UTC",
	    "2024/01/01 00:00:00 and then some more", 1);
}
END_TEST

START_TEST(test_not_fixed)
{
	/* adjacent numbers, a year before a digit, variable widths, text,
	 * fractions, zones, optional sections: dt_parse's alone */
	against_general("yyyyMMdd", "UTC", "20240101", 0);
	against_general("yyyy'1'MM", "UTC", "2024101", 0);
	against_general("yyyy-M-d", "UTC", "2024-1-1", 0);
	against_general("yy-MM-dd", "UTC", "24-01-01", 0);
	against_general("yyyy-MMM-dd", "UTC", "2024-Jan-01", 0);
	against_general("yyyy-MM-dd HH:mm:ss.SSS", "UTC", "2024-01-01 00:00:00.123", 0);
	against_general("yyyy-MM-dd HH:mm:ssXXX", "UTC", "2024-01-01 00:00:00+01:00", 0);
	against_general("yyyy-MM-dd[ HH:mm]", "UTC", "2024-01-01 10:00", 0);
	against_general("hh:mm a yyyy", "UTC", "10:00 AM 2024", 0);
}
END_TEST

static Suite *
dt_fixed_suite(void)
{
	Suite *s = suite_create("dt_fixed");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fixed_patterns);
	tcase_add_test(tc, test_not_fixed);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(dt_fixed_suite)
