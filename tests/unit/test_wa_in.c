/* wa_in: records into window rows, checked against sums and counts
 * worked by hand: the remembered rows and window starts across records
 * in order, one slide on, one slide back and far out of order; member
 * names matched whatever their position, escaped, duplicated (the last
 * wins); replays skipped by sequenceNumber; bad records under each
 * --on-error policy, the message naming the line. */
#include <check.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "test_rng.h"
#include "base/cli.h"
#include "window/wa_in.h"
#include "window/wa_opt.h"

#define MIN INT64_C(60000000)

static struct wa_opts o;
static struct wa w;
static char store[16][64];
static uint64_t lineno;

static void
start(const char *first, ...)
{
	char *argv[17];
	int argc = 0;
	struct eb e;
	va_list ap;

	cli_init("window-avg", wa_opt_usage_line);
	memset(&o, 0, sizeof(o));
	memset(&w, 0, sizeof(w));
	lineno = 0;
	argv[argc++] = strcpy(store[0], "window-avg");
	va_start(ap, first);
	for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
		argv[argc] = strcpy(store[argc], a), argc++;
	va_end(ap);
	optind = 0;
	ck_assert_int_eq(wa_opt_parse(&o, argc, argv, &e), WA_OPT_RUN);
	ck_assert_int_eq(wa_opt_validate(&o, &e), 0);
	ck_assert_int_eq(wa_init(&w, &o, &e), 0);
}

static int
feed(const char *text, struct eb *e)
{
	char buf[512];
	struct nd_line ln;

	snprintf(buf, sizeof(buf), "%s", text);
	ln.p = buf;
	ln.len = strlen(buf);
	ln.lineno = ++lineno;
	ln.name = "in.ndjson";
	w.stats.read++;
	return wa_in_record(&w, &ln, e);
}

static void
ok(const char *text)
{
	struct eb e;

	ck_assert_msg(feed(text, &e) == 0, "%s: %s", text, e.msg);
}

/* count and sum of window [start, start + size) with no group key */
static void
row(int64_t start, int64_t rows, double sum)
{
	const struct agg_row *r = agg_find(&w.tab, start, "", 0);

	ck_assert_msg(r != NULL, "no row at %lld", (long long)start);
	ck_assert_int_eq(r->rows, rows);
	ck_assert(agg_cell_sum(&r->cell[0]) == sum);
}

static void
stop(void)
{
	wa_free(&w);
	wa_opt_free(&o);
}

/* 10 minute windows every 5: a time belongs to the window starting at
 * its 5 minutes and the one 5 minutes before. */
START_TEST(test_slides_and_disorder)
{
	start("-t", "t", "-w", "10m", "--slide", "5m", "--avg", "v", NULL);
	ok("{\"t\":\"1970-01-01T00:00:00Z\",\"v\":1}");	/* [-5, 5), [0, 10) */
	ok("{\"t\":\"1970-01-01T00:04:59Z\",\"v\":2}");	/* same windows */
	ok("{\"t\":\"1970-01-01T00:05:00Z\",\"v\":4}");	/* one slide on */
	ok("{\"t\":\"1970-01-01T00:03:00Z\",\"v\":8}");	/* one slide back */
	ok("{\"t\":\"1970-01-01T00:09:00Z\",\"v\":16}");	/* on again */
	ok("{\"t\":\"1970-01-01T01:00:00Z\",\"v\":32}");	/* far on */
	ok("{\"t\":\"1969-12-31T23:58:00Z\",\"v\":64}");	/* far back */
	ok("{\"t\":300,\"v\":128}");				/* 00:05 as a number */
	row(-5 * MIN, 4, 1 + 2 + 8 + 64);
	row(0, 6, 1 + 2 + 4 + 8 + 16 + 128);
	row(5 * MIN, 3, 4 + 16 + 128);
	row(-10 * MIN, 1, 64);
	row(55 * MIN, 1, 32);
	row(60 * MIN, 1, 32);
	ck_assert_int_eq(w.tab.n, 6);
	stop();
}
END_TEST

/* Names anywhere, escaped or not; the last of duplicates counts, as in
 * Spark; records of another layout between records of the same one. */
START_TEST(test_member_names)
{
	start("-t", "timestamp", "-w", "1h", "--sum", "euro_rate", NULL);
	ok("{\"timestamp\":\"1970-01-01T00:00:00\",\"euro_rate\":1}");
	ok("{\"euro_rate\":2,\"timestamp\":\"1970-01-01T00:00:01\"}");
	ok("{\"timestamp\":\"1970-01-01T00:00:02\",\"euro_rate\":4}");
	ok("{\"timestamp\":\"1970-01-01T00:00:03\",\"euro_rat\\u0065\":8}");
	ok("{\"timestamp\":\"1970-01-01T00:00:04\",\"euro_rate\":999,"
	    "\"euro_rate\":16}");
	ok("{\"timestamp\":\"1970-01-01T00:00:05\",\"euro_rats\":999,"
	    "\"euro_rate\":32}");
	ok("{\"timestamp\":\"1970-01-01T00:00:06\",\"eur\":999}");
	/* an escaped time is read decoded, as it is in any other form */
	ok("{\"timestamp\":\"1970-01-01T00:00:07\\u005a\",\"euro_rate\":64}");
	ok("{\"timestamp\":\"1970\\u002d01-01T00:00:08\",\"euro_rate\":128}");
	ok("{\"timestamp\":\"1970-01-01T01:00:00\\u005a\",\"euro_rate\":256}");
	row(0, 9, 1 + 2 + 4 + 8 + 16 + 32 + 64 + 128);
	row(60 * MIN, 1, 256);
	stop();
}
END_TEST

/* Random records of names that differ from the wanted ones in one byte,
 * are escaped, or stand at the same place in turn, summed by hand (the
 * last of duplicates counts; a record without the time is not): names[0]
 * and names[7] are the time's, plain and escaped, names[2] and names[5]
 * the value's. */
static void
random_names(const char *t, const char *v, const char *const names[10])
{
	uint64_t rng = 99;
	double want = 0;
	int64_t rows = 0;

	start("-t", t, "-w", "1h", "--sum", v, NULL);
	for (int i = 0; i < 3000; i++) {
		char text[400];
		size_t n = 0;
		int nm = (int)(test_rng_next(&rng) % 6), has_t = 0, val = -1;

		n += (size_t)snprintf(text + n, sizeof(text) - n, "{");
		for (int k = 0; k < nm; k++) {
			int which = (int)(test_rng_next(&rng) % 10);
			int x = (int)(test_rng_next(&rng) % 100);

			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "%s%s%s:", k ? "," : "",
			    test_rng_next(&rng) % 8 == 0 ? " " : "", names[which]);
			if (which == 0 || which == 7) {
				n += (size_t)snprintf(text + n, sizeof(text) - n,
				    "\"1970-01-01T00:00:%02d\"", x % 60);
				has_t = 1;
			} else {
				n += (size_t)snprintf(text + n, sizeof(text) - n,
				    "%d", x);
				if (which == 2 || which == 5)
					val = x;
			}
		}
		snprintf(text + n, sizeof(text) - n, "}");
		ok(text);
		if (has_t) {
			rows++;
			if (val >= 0)
				want += val;
		}
	}
	if (rows > 0)
		row(0, rows, want);
	stop();
}

/* Names of 5 to 7 bytes, remembered by their position like longer ones. */
START_TEST(test_member_names_short_random)
{
	static const char *const names[] = { "\"tstmp\"", "\"Tstmp\"",
	    "\"euroval\"", "\"eurovaL\"", "\"Euroval\"", "\"eurova\\u006c\"",
	    "\"xy\"", "\"tst\\u006dp\"", "\"euroval_\"", "\"tstmq\"" };

	random_names("tstmp", "euroval", names);
}
END_TEST

/* Names of 8 to 16 bytes (known by their first and last eight), and one
 * longer that shares the first sixteen. */
START_TEST(test_member_names_long_random)
{
	static const char *const names[] = { "\"timestamp_16byte\"",
	    "\"timestamp_16bytf\"", "\"euro_rate\"", "\"euro_ratf\"",
	    "\"eUro_rate\"", "\"euro_rat\\u0065\"", "\"timestamp_16byte_\"",
	    "\"timestamp_16byt\\u0065\"", "\"Timestamp_16byte\"",
	    "\"euro_rates\"" };

	random_names("timestamp_16byte", "euro_rate", names);
}
END_TEST

START_TEST(test_replays)
{
	start("-t", "t", "-w", "1h", "--sum", "v", NULL);
	ok("{\"t\":0,\"v\":1,\"shardId\":\"s1\",\"sequenceNumber\":\"10\"}");
	ok("{\"t\":0,\"v\":2,\"shardId\":\"s1\",\"sequenceNumber\":\"9\"}");
	ok("{\"t\":0,\"v\":4,\"shardId\":\"s2\",\"sequenceNumber\":\"9\"}");
	ok("{\"t\":0,\"v\":8,\"shardId\":\"s1\",\"sequenceNumber\":\"10\"}");
	ok("{\"t\":0,\"v\":16,\"shardId\":\"s1\",\"sequenceNumber\":\"011\"}");
	row(0, 3, 1 + 4 + 16);
	ck_assert_int_eq(w.stats.extra[w.s_replayed], 2);
	/* the shard is known by its decoded name */
	ok("{\"t\":0,\"v\":32,\"shardId\":\"s\\u0031\",\"sequenceNumber\":\"10\"}");
	ok("{\"t\":0,\"v\":64,\"shardId\":\"s\\u0032\",\"sequenceNumber\":\"12\"}");
	row(0, 4, 1 + 4 + 16 + 64);
	ck_assert_int_eq(w.stats.extra[w.s_replayed], 3);
	stop();
}
END_TEST

/* Under --state a record with a malformed shardId or sequenceNumber is
 * never counted (it could not be recognised on replay); without it, it
 * is counted as before. An escaped sequence number is its digits. */
START_TEST(test_malformed_provenance)
{
	char path[] = "/tmp/kp-wa-in-state-XXXXXX";
	int fd = mkstemp(path);
	struct eb e;

	ck_assert(fd >= 0);
	close(fd);
	unlink(path);	/* a state file not written yet */
	start("-t", "t", "-w", "1h", "--sum", "v", "--state", path, NULL);
	ok("{\"t\":0,\"v\":1,\"shardId\":\"s1\",\"sequenceNumber\":\"1\"}");
	ok("{\"t\":0,\"v\":2,\"shardId\":\"s1\",\"sequenceNumber\":\"zz\"}");
	ok("{\"t\":0,\"v\":4,\"shardId\":\"s1\",\"sequenceNumber\":\"-5\"}");
	ok("{\"t\":0,\"v\":8,\"shardId\":\"s1\",\"sequenceNumber\":3}");
	ok("{\"t\":0,\"v\":16,\"shardId\":\"\",\"sequenceNumber\":\"3\"}");
	ok("{\"t\":0,\"v\":32,\"shardId\":\"s1\"}");
	ok("{\"t\":0,\"v\":64,\"shardId\":\"s1\",\"sequenceNumber\":\"\\u0032\"}");
	ok("{\"t\":0,\"v\":128,\"shardId\":\"s1\",\"sequenceNumber\":\"2\"}");
	ok("{\"t\":0,\"v\":256}");
	/* 1, the escaped "2" and the record without provenance; the second
	 * "2" is a replay of the escaped one */
	row(0, 3, 1 + 64 + 256);
	ck_assert_int_eq(w.stats.extra[w.s_bad_provenance], 5);
	ck_assert_int_eq(w.stats.skipped, 5);
	ck_assert_int_eq(w.stats.extra[w.s_replayed], 1);
	stop();
	start("-t", "t", "-w", "1h", "--sum", "v", "--state", path,
	    "--on-error", "fail", NULL);
	ck_assert_int_eq(feed("{\"t\":0,\"v\":1,\"shardId\":\"s\","
	    "\"sequenceNumber\":\"1x\"}", &e), -1);
	ck_assert_str_eq(e.msg, "in.ndjson:1: malformed provenance: shardId "
	    "\"s\", sequenceNumber \"1x\" (wanted a string and 1 to 128 "
	    "decimal digits): a replay could not be recognised");
	stop();
	start("-t", "t", "-w", "1h", "--sum", "v", NULL);
	ok("{\"t\":0,\"v\":2,\"shardId\":\"s1\",\"sequenceNumber\":\"zz\"}");
	ok("{\"t\":0,\"v\":4,\"shardId\":7,\"sequenceNumber\":\"1\"}");
	row(0, 2, 6);
	ck_assert_int_eq(w.stats.extra[w.s_bad_provenance], 0);
	stop();
}
END_TEST

START_TEST(test_bad_records)
{
	struct eb e;

	start("-t", "t", "-w", "1h", "--sum", "v", "--on-error", "fail", NULL);
	ok("{\"t\":0,\"v\":1}");
	ck_assert_int_eq(feed("{\"t\":0,\"v\":\"x\"}", &e), -1);
	ck_assert_str_eq(e.msg, "in.ndjson:2: field 'v': not a number");
	ck_assert_int_eq(feed("{\"t\":\"soon\",\"v\":1}", &e), -1);
	ck_assert(strncmp(e.msg, "in.ndjson:3: field 't': bad event time: ",
	    40) == 0);
	ck_assert_int_eq(feed("{\"t\":0,", &e), -1);
	ck_assert(strncmp(e.msg, "in.ndjson:4: not a JSON object: ", 32) == 0);
	stop();
	/* null: the bad value counts as null, the record still counts;
	 * a bad time drops the record, as Spark drops a null window */
	start("-t", "t", "-w", "1h", "--sum", "v", "--on-error", "null", NULL);
	ok("{\"t\":0,\"v\":1}");
	ok("{\"t\":0,\"v\":\"x\"}");
	ok("{\"t\":\"soon\",\"v\":2}");
	ok("{\"t\":null,\"v\":4}");
	row(0, 2, 1);
	ck_assert_int_eq(w.stats.nulled, 2);
	ck_assert_int_eq(w.stats.extra[w.s_null_time], 1);
	stop();
	start("-t", "t", "-w", "1h", "--sum", "v", "--on-error", "skip", NULL);
	ok("{\"t\":0,\"v\":\"x\"}");
	ok("{\"t\":0,\"v\":1}");
	row(0, 1, 1);
	ck_assert_int_eq(w.stats.skipped, 1);
	stop();
}
END_TEST

static Suite *
wa_in_suite(void)
{
	Suite *s = suite_create("wa_in");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_slides_and_disorder);
	tcase_add_test(tc, test_member_names);
	tcase_add_test(tc, test_member_names_short_random);
	tcase_add_test(tc, test_member_names_long_random);
	tcase_add_test(tc, test_replays);
	tcase_add_test(tc, test_malformed_provenance);
	tcase_add_test(tc, test_bad_records);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_in_suite)
