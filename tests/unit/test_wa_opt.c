/* wa_opt: window-avg's options come back as values or as the usage error
 * the tool prints, never as an exit: Spark's names and defaults, Spark's
 * UnsupportedOperationChecker message for append without a watermark,
 * and our own rules on combinations. */
#include <check.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "check_main.h"
#include "window/wa_opt.h"

static struct wa_opts o;
static struct eb e;
static char store[16][128];

/* Parse then validate the arguments after the program name; the return
 * code of whichever step failed, or 0. */
static int
run(const char *first, ...)
{
	char *argv[17];
	int argc = 0, rc;
	va_list ap;

	wa_opt_free(&o);
	memset(&o, 0, sizeof(o));
	e.msg[0] = '\0';
	argv[argc++] = strcpy(store[0], "window-avg");
	va_start(ap, first);
	for (const char *a = first; a != NULL; a = va_arg(ap, const char *)) {
		strcpy(store[argc], a);
		argv[argc] = store[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	optind = 0;	/* GNU getopt: start afresh */
	opterr = 0;
	rc = wa_opt_parse(&o, argc, argv, &e);
	if (rc != WA_OPT_RUN)
		return rc;
	return wa_opt_validate(&o, &e);
}

START_TEST(test_notebook_query)
{
	ck_assert_int_eq(run("--time", "timestamp", "--window", "10 minutes",
	    "--slide", "5 minutes", "--window-column", "time_window", "--avg",
	    "euro_rate=window_avg_euro_rate", "--mode", "complete", NULL), 0);
	ck_assert_str_eq(o.time_col, "timestamp");
	ck_assert_str_eq(o.window_col, "time_window");
	ck_assert_int_eq(o.win.size, INT64_C(600000000));
	ck_assert_int_eq(o.win.slide, INT64_C(300000000));
	ck_assert_int_eq(o.nout, 1);
	ck_assert_str_eq(o.out[0].alias, "window_avg_euro_rate");
	ck_assert_int_eq(o.mode, WA_COMPLETE);
	ck_assert_int_eq(o.trig, WA_TRIG_IDLE);
}
END_TEST

/* Spark's default names: avg(col), count(1) for count(*); one value
 * column however many aggregates read it; tumbling without --slide. */
START_TEST(test_defaults)
{
	ck_assert_int_eq(run("-t", "ts", "-w", "1h", "--avg", "x", "--max", "x",
	    "--count", "*", "-g", "a,b", NULL), 0);
	ck_assert_str_eq(o.window_col, "window");
	ck_assert_int_eq(o.win.slide, o.win.size);
	ck_assert_str_eq(o.out[0].alias, "avg(x)");
	ck_assert_str_eq(o.out[1].alias, "max(x)");
	ck_assert_str_eq(o.out[2].alias, "count(1)");
	ck_assert_int_eq(o.ncols, 1);
	ck_assert_int_eq(o.ngroup, 2);
	ck_assert_str_eq(o.group[1], "b");
}
END_TEST

START_TEST(test_help_version)
{
	ck_assert_int_eq(run("--help", NULL), WA_OPT_HELP);
	ck_assert_int_eq(run("-V", NULL), WA_OPT_VERSION);
}
END_TEST

static void
refused(const char *want)
{
	ck_assert_str_eq(e.msg, want);
}

/* The operands are the input files, left in their order from optind on,
 * wherever they stood among the options. */
START_TEST(test_operands)
{
	char a0[] = "window-avg", a1[] = "a.ndjson", a2[] = "-t", a3[] = "ts",
	    a4[] = "-", a5[] = "-w", a6[] = "10m", a7[] = "--avg", a8[] = "x",
	    a9[] = "b.ndjson";
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, NULL };

	memset(&o, 0, sizeof(o));
	optind = 0;
	opterr = 0;
	ck_assert_int_eq(wa_opt_parse(&o, 10, argv, &e), WA_OPT_RUN);
	ck_assert_int_eq(optind, 7);
	ck_assert_str_eq(argv[7], "a.ndjson");
	ck_assert_str_eq(argv[8], "-");
	ck_assert_str_eq(argv[9], "b.ndjson");
	ck_assert_str_eq(o.time_col, "ts");
	ck_assert_int_eq(wa_opt_validate(&o, &e), 0);
}
END_TEST

START_TEST(test_refused)
{
	ck_assert_int_eq(run("-t", "ts", "-w", "10m", "--avg", "x", "--mode",
	    "append", NULL), -1);
	refused("Append output mode not supported when there are streaming "
	    "aggregations on streaming DataFrames/DataSets without watermark");
	ck_assert_int_eq(run("-t", "ts", "-w", "10m", NULL), -1);
	refused("no aggregate: give --avg, --count, --sum, --min or --max");
	ck_assert_int_eq(run("-w", "10m", "--avg", "x", NULL), -1);
	refused("--time COL is required");
	ck_assert_int_eq(run("-t", "ts", "-w", "5m", "--slide", "10m", "--avg", "x",
	    NULL), -1);
	refused("the slide duration must be less than or equal to the window "
	    "duration");
	ck_assert_int_eq(run("-t", "ts", "-w", "10m", "--avg", "x", "--mode",
	    "update", "--table", "t.ndjson", NULL), -1);
	refused("--table keeps the complete table: it needs --mode complete");
	ck_assert_int_eq(run("-t", "ts", "-w", "10m", "--avg", "x=y", "--sum",
	    "z=y", NULL), -1);
	refused("two output columns named 'y'");
	ck_assert_int_eq(run("-t", "ts", "-w", "10m", "--sum", "*", NULL), -1);
	refused("--sum: '*' only makes sense for --count");
	ck_assert_int_eq(run("-t", "ts", "-w", "10m", "--avg", "x", "--mode",
	    "full", NULL), -1);
	refused("--mode: expected complete, update or append, got 'full'");
	ck_assert_int_eq(run("-t", "ts", "-w", "10m", "--avg", "x",
	    "--flush-ms", "-1", NULL), -1);
	refused("--flush-ms: not a non-negative integer: '-1'");
	ck_assert_int_eq(run("-t", "ts", "-w", "10m", "--avg", "x",
	    "--stats=0", NULL), -1);
	refused("--stats: not a positive number of seconds: '0'");
	/* what getopt refuses goes back to the tool for cli_bad_option, with
	 * getopt's state as cli_bad_option reads it (the words themselves are
	 * checked end to end in test-window-avg.sh) */
	ck_assert_int_eq(run("-t", "ts", "--nope", NULL), WA_OPT_BAD_OPTION);
	ck_assert_str_eq(store[optind - 1], "--nope");
	ck_assert_int_eq(optopt, 0);
	ck_assert_int_eq(run("-t", NULL), WA_OPT_BAD_OPTION);
	ck_assert_int_eq(optopt, 't');
	ck_assert_int_eq(run("-t", "ts", "--time", NULL), WA_OPT_BAD_OPTION);
	ck_assert_str_eq(store[optind - 1], "--time");
	ck_assert_int_eq(optopt, 't');
	ck_assert_int_eq(run("--merge", "-t", "ts", "--avg", "x", NULL), -1);
	refused("--merge takes its windows from the partials: --time, --window, "
	    "--slide, --start-time, --watermark, --emit and --state do not apply");
}
END_TEST

static void
teardown(void)
{
	wa_opt_free(&o);
}

static Suite *
wa_opt_suite(void)
{
	Suite *s = suite_create("wa_opt");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_notebook_query);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_help_version);
	tcase_add_test(tc, test_operands);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_opt_suite)
