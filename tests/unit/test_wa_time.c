/* wa_time: the cached paths (wa_time_parse's, and the minute that
 * wa_time_read reads inline) must give tm_parse_rfc3339's verdicts and
 * values, whatever came before: times in order, out of order, across
 * days and minutes, with bad hours, minutes and seconds on a cached day,
 * fractions, offsets and other shapes that must go to tm. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "test_rng.h"
#include "window/wa_time.h"

static uint64_t rng = 0x853c49e6748fea9bu;

static uint64_t
next(void)
{
	return test_rng_next(&rng);
}

/* c[0] goes through wa_time_parse, c[1] through wa_time_read, whose
 * minute is read inline: both must say what tm says. */
static void
same_as_tm(struct wa_time_cache c[2], const char *text)
{
	struct eb e1, e2;
	int64_t a = 0, b = 0;
	int rb = tm_parse_rfc3339(text, strlen(text), &b, &e2);

	for (int k = 0; k < 2; k++) {
		int ra = k == 0 ? wa_time_parse(&c[k], text, strlen(text), &a, &e1) :
		    wa_time_read(&c[k], text, strlen(text), &a, &e1);

		ck_assert_msg(ra == rb, "%s: wa_time %d, tm %d (%s)", text, ra,
		    rb, k ? "read" : "parse");
		if (ra == 0)
			ck_assert_msg(a == b, "%s: wa_time %lld, tm %lld (%s)",
			    text, (long long)a, (long long)b, k ? "read" : "parse");
		else
			ck_assert_str_eq(e1.msg, e2.msg);
	}
}

START_TEST(test_against_tm)
{
	static const char *const tails[] = { "", "Z", "z", ".5Z", "+01:00",
	    "-00:30", ".000001", " ", "ZZ" };
	struct wa_time_cache c[2];
	char buf[64];
	int64_t t = INT64_C(1704067200);	/* 2024-01-01 */

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 300000; i++) {
		int h, mi, s, d;
		int64_t u;

		/* mostly a second or a few later; sometimes back, or days on */
		switch (next() % 20) {
		case 0: t -= (int64_t)(next() % 200); break;
		case 1: t += (int64_t)(next() % 300000); break;
		default: t += (int64_t)(next() % 3); break;
		}
		u = t;
		d = (int)(u / 86400);
		s = (int)(u % 86400);
		h = s / 3600;
		mi = s / 60 % 60;
		s %= 60;
		switch (next() % 40) {
		case 0: h = 24 + (int)(next() % 76); break;
		case 1: mi = 60 + (int)(next() % 40); break;
		case 2: s = 60 + (int)(next() % 40); break;
		}
		/* the civil date by tm's own arithmetic is what is under test
		 * elsewhere; here any valid date will do */
		{
			int64_t y;
			int m, dd;

			tm_civil_from_days(d, &y, &m, &dd);
			snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%s",
			    (int)y, m, dd, h, mi, s,
			    next() % 4 ? (next() % 2 ? "" : "Z") :
			    tails[next() % (sizeof(tails) / sizeof(tails[0]))]);
		}
		if (next() % 50 == 0)
			buf[next() % strlen(buf)] = (char)('0' + next() % 43);
		same_as_tm(c, buf);
	}
}
END_TEST

START_TEST(test_edges)
{
	struct wa_time_cache c[2];

	memset(&c, 0, sizeof(c));
	same_as_tm(c, "2024-02-29T23:59:59");
	same_as_tm(c, "2024-02-29T23:59:60");
	same_as_tm(c, "2024-02-29T24:00:00");
	same_as_tm(c, "2024-02-29T23:60:00");
	same_as_tm(c, "2024-02-29T23:59:5x");
	same_as_tm(c, "2024-02-29T23:59:59Z");
	same_as_tm(c, "2024-02-29t23:59:59Z");
	same_as_tm(c, "2024-02-29 23:59:58");
	same_as_tm(c, "2024-02-29T23:59");
	same_as_tm(c, "2024-02-30T00:00:00");
	same_as_tm(c, "2023-02-29T00:00:00");
	same_as_tm(c, "0001-01-01T00:00:00Z");
	same_as_tm(c, "1969-12-31T23:59:59Z");
	same_as_tm(c, "1969-12-31T23:59:58Z");
	same_as_tm(c, "1969-12-31T00:00:01Z");
}
END_TEST

static Suite *
wa_time_suite(void)
{
	Suite *s = suite_create("wa_time");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_against_tm);
	tcase_add_test(tc, test_edges);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_time_suite)
