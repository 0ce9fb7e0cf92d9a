/* metrics: the Prometheus text format. Expected texts are written out by
 * hand from the exposition format's rules (escapes, cumulative buckets,
 * HELP before TYPE before samples), not copied from a run. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "base/metrics.h"

static char *
render(struct metrics *m, int want_rc, struct eb *e)
{
	static struct sb out;

	sb_free(&out);
	ck_assert_int_eq(metrics_render(m, &out, e), want_rc);
	return sb_cstr(&out);
}

START_TEST(test_sorted_and_escaped)
{
	const struct metrics_label a[] = { { "tool", "ts-parse" },
	    { "stage", "we\"ird\\ name\nx" } };
	const struct metrics_label b[] = { { "tool", "json-project" },
	    { "stage", "b" } };
	struct metrics m;
	struct eb e;

	metrics_init(&m);
	/* added out of order: families sort by name, series by labels */
	metrics_family(&m, "kp_z_total", METRICS_COUNTER, "Last \\ one\nline.");
	metrics_add_u64(&m, "kp_z_total", a, 2, 7);
	metrics_family(&m, "kp_a", METRICS_GAUGE, "First.");
	metrics_add(&m, "kp_a", a, 2, 0.1);
	metrics_add(&m, "kp_a", b, 2, -3);
	/* declared again, the same: one family */
	metrics_family(&m, "kp_z_total", METRICS_COUNTER, "Last \\ one\nline.");
	metrics_add_u64(&m, "kp_z_total", b, 2, UINT64_C(18446744073709551615));
	ck_assert_str_eq(render(&m, 0, &e),
	    "# HELP kp_a First.\n"
	    "# TYPE kp_a gauge\n"
	    "kp_a{tool=\"json-project\",stage=\"b\"} -3\n"
	    "kp_a{tool=\"ts-parse\",stage=\"we\\\"ird\\\\ name\\nx\"} 0.1\n"
	    "# HELP kp_z_total Last \\\\ one\\nline.\n"
	    "# TYPE kp_z_total counter\n"
	    "kp_z_total{tool=\"json-project\",stage=\"b\"} 18446744073709551615\n"
	    "kp_z_total{tool=\"ts-parse\",stage=\"we\\\"ird\\\\ name\\nx\"} 7\n");
	metrics_free(&m);
}
END_TEST

START_TEST(test_histogram)
{
	const double bound[] = { 0.5, 1, 10 };
	const uint64_t count[] = { 2, 0, 3, 1 };	/* the last: above 10 */
	const struct metrics_label l[] = { { "tool", "t" } };
	struct metrics m;
	struct eb e;

	metrics_init(&m);
	metrics_family(&m, "kp_seconds", METRICS_HISTOGRAM, "Durations.");
	metrics_add_histogram(&m, "kp_seconds", l, 1, bound, count, 3, 41.25);
	metrics_add_histogram(&m, "kp_seconds", NULL, 0, bound, count, 3, 41.25);
	/* buckets cumulative and in le order, +Inf equal to _count; the
	 * series without labels sorts first */
	ck_assert_str_eq(render(&m, 0, &e),
	    "# HELP kp_seconds Durations.\n"
	    "# TYPE kp_seconds histogram\n"
	    "kp_seconds_bucket{le=\"0.5\"} 2\n"
	    "kp_seconds_bucket{le=\"1\"} 2\n"
	    "kp_seconds_bucket{le=\"10\"} 5\n"
	    "kp_seconds_bucket{le=\"+Inf\"} 6\n"
	    "kp_seconds_sum 41.25\n"
	    "kp_seconds_count 6\n"
	    "kp_seconds_bucket{tool=\"t\",le=\"0.5\"} 2\n"
	    "kp_seconds_bucket{tool=\"t\",le=\"1\"} 2\n"
	    "kp_seconds_bucket{tool=\"t\",le=\"10\"} 5\n"
	    "kp_seconds_bucket{tool=\"t\",le=\"+Inf\"} 6\n"
	    "kp_seconds_sum{tool=\"t\"} 41.25\n"
	    "kp_seconds_count{tool=\"t\"} 6\n");
	metrics_free(&m);
}
END_TEST

START_TEST(test_values)
{
	char buf[32];

	metrics_format_value(0.1, buf);
	ck_assert_str_eq(buf, "0.1");
	metrics_format_value(120, buf);
	ck_assert_str_eq(buf, "120");		/* no 1.2e+02 */
	metrics_format_value(1e-5, buf);
	ck_assert_str_eq(buf, "1e-05");
	metrics_format_value(1.0 / 3, buf);
	ck_assert_str_eq(buf, "0.3333333333333333");	/* Python's repr too */
	metrics_format_value(INFINITY, buf);
	ck_assert_str_eq(buf, "+Inf");
	metrics_format_value(-INFINITY, buf);
	ck_assert_str_eq(buf, "-Inf");
	metrics_format_value(NAN, buf);
	ck_assert_str_eq(buf, "NaN");
}
END_TEST

/* Each mistake is refused with a reason, and sticks: nothing is written. */
START_TEST(test_errors)
{
	static const struct {
		const char *name;
		enum metrics_type type;
		const char *label, *why;
	} bad[] = {
		{ "kp_count", METRICS_COUNTER, "tool",
		    "a counter's name must end in _total: 'kp_count'" },
		{ "9kp_total", METRICS_COUNTER, "tool",
		    "bad metric name '9kp_total'" },
		{ "kp-x", METRICS_GAUGE, "tool", "bad metric name 'kp-x'" },
		{ "kp_x", METRICS_GAUGE, "le", "bad label name 'le'" },
		{ "kp_x", METRICS_GAUGE, "__name", "bad label name '__name'" },
		{ "kp_x", METRICS_GAUGE, "a:b", "bad label name 'a:b'" },
	};
	struct metrics m;
	struct eb e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct metrics_label l[] = { { bad[i].label, "v" } };

		metrics_init(&m);
		metrics_family(&m, bad[i].name, bad[i].type, "Help.");
		metrics_add(&m, bad[i].name, l, 1, 1);
		ck_assert_str_eq(render(&m, -1, &e), "");
		ck_assert_str_eq(e.msg, bad[i].why);
		metrics_free(&m);
	}
	metrics_init(&m);
	metrics_family(&m, "kp_x", METRICS_GAUGE, "One help.");
	metrics_family(&m, "kp_x", METRICS_GAUGE, "Another.");
	render(&m, -1, &e);
	ck_assert_str_eq(e.msg, "declared twice, differently: 'kp_x'");
	metrics_free(&m);
	metrics_init(&m);
	metrics_add(&m, "kp_y", NULL, 0, 1);
	render(&m, -1, &e);
	ck_assert_str_eq(e.msg, "sample of an undeclared family 'kp_y'");
	metrics_free(&m);
	metrics_init(&m);
	metrics_family(&m, "kp_y", METRICS_HISTOGRAM, "H.");
	metrics_add(&m, "kp_y", NULL, 0, 1);
	render(&m, -1, &e);
	ck_assert_str_eq(e.msg, "sample of the wrong type for 'kp_y'");
	metrics_free(&m);
	metrics_init(&m);
	{
		const struct metrics_label twice[] = { { "a", "1" }, { "a", "2" } };

		metrics_family(&m, "kp_y", METRICS_GAUGE, "G.");
		metrics_add(&m, "kp_y", twice, 2, 1);
	}
	render(&m, -1, &e);
	ck_assert_str_eq(e.msg, "label given twice: 'a'");
	metrics_free(&m);
}
END_TEST

START_TEST(test_empty)
{
	struct metrics m;
	struct eb e;

	metrics_init(&m);
	metrics_family(&m, "kp_unused_total", METRICS_COUNTER, "No samples.");
	ck_assert_str_eq(render(&m, 0, &e), "");	/* a family needs a sample */
	metrics_free(&m);
	render(&m, 0, &e);	/* and frees its buffer */
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sorted_and_escaped);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(suite)
