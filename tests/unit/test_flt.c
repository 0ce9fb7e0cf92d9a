/* flt: the shared filter loop applies --on-error and counts alike for
 * every stateless filter. The stage here copies each line, calls lines
 * holding "bad" bad and lines holding "none" untouched. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "base/flt.h"

static const char input[] = "{\"a\":1}\n{\"bad\":2}\n\n{\"none\":3}\n{\"a\":4}";

static enum flt_outcome
copy_stage(void *arg, const struct nd_line *l, struct sb *out)
{
	struct eb *why = arg;

	if (strstr(l->p, "bad")) {
		eb_set(why, "a bad one");
		sb_adds(out, "{\"bad\":null}");
		return FLT_BAD;
	}
	sb_add(out, l->p, l->len);
	return strstr(l->p, "none") ? FLT_UNTOUCHED : FLT_OK;
}

/* Run the loop over `input` with a policy; returns its status, fills out. */
static int
run(enum cli_on_error policy, struct cli_stats *st, char *out, size_t cap)
{
	char in_path[] = "/tmp/kp-flt-in-XXXXXX", out_path[] = "/tmp/kp-flt-out-XXXXXX";
	int in = mkstemp(in_path), o = mkstemp(out_path), rc;
	struct nd_reader rd;
	struct eb why, e;
	struct flt f;
	ssize_t n;

	ck_assert(in >= 0 && o >= 0);
	unlink(in_path);
	unlink(out_path);
	ck_assert_int_eq(write(in, input, sizeof(input) - 1), (ssize_t)sizeof(input) - 1);
	lseek(in, 0, SEEK_SET);
	memset(st, 0, sizeof(*st));
	f = (struct flt){ .on_error = policy, .flush_ms = 100, .st = st,
	    .untouched = cli_stats_add(st, "untouched"), .why = &why };
	ck_assert_int_eq(nd_reader_init(&rd, in, "<stdin>"), 0);
	rc = flt_run(&f, &rd, dup(o), copy_stage, &why, &e);
	nd_reader_free(&rd);
	lseek(o, 0, SEEK_SET);
	n = read(o, out, cap - 1);
	out[n < 0 ? 0 : n] = '\0';
	close(in);
	close(o);
	return rc;
}

START_TEST(test_null)
{
	struct cli_stats st;
	char out[256];

	ck_assert_int_eq(run(ON_ERROR_NULL, &st, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "{\"a\":1}\n{\"bad\":null}\n{\"none\":3}\n{\"a\":4}\n");
	ck_assert_int_eq(st.read, 4);
	ck_assert_int_eq(st.emitted, 4);
	ck_assert_int_eq(st.nulled, 1);
	ck_assert_int_eq(st.skipped, 0);
	ck_assert_int_eq(st.extra[0], 1);
}
END_TEST

START_TEST(test_skip)
{
	struct cli_stats st;
	char out[256];

	ck_assert_int_eq(run(ON_ERROR_SKIP, &st, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "{\"a\":1}\n{\"none\":3}\n{\"a\":4}\n");
	ck_assert_int_eq(st.read, 4);
	ck_assert_int_eq(st.emitted, 3);
	ck_assert_int_eq(st.skipped, 1);
}
END_TEST

START_TEST(test_fail)
{
	struct cli_stats st;
	char out[256];

	/* stops at the bad record; what came before it is still written */
	ck_assert_int_eq(run(ON_ERROR_FAIL, &st, out, sizeof(out)), 1);
	ck_assert_str_eq(out, "{\"a\":1}\n");
	ck_assert_int_eq(st.read, 2);
	ck_assert_int_eq(st.emitted, 1);
}
END_TEST

START_TEST(test_write_error)
{
	struct cli_stats st = { 0 };
	struct nd_reader rd;
	struct eb why, e;
	struct flt f = { .on_error = ON_ERROR_NULL, .st = &st, .untouched = -1,
	    .why = &why };
	int p[2], full = open("/dev/full", O_WRONLY);

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "{}\n", 3), 3);
	close(p[1]);
	ck_assert_int_eq(nd_reader_init(&rd, p[0], "<pipe>"), 0);
	ck_assert_int_eq(flt_run(&f, &rd, full, copy_stage, &why, &e), -1);
	ck_assert_str_eq(e.msg, "write error: No space left on device");
	nd_reader_free(&rd);
	close(p[0]);
}
END_TEST

/* Several files in order; one that cannot be opened stops the run with
 * an error naming it, what came before it written, nothing after read. */
START_TEST(test_files_then_missing)
{
	char a[] = "/tmp/kp-flt-a-XXXXXX", out_path[] = "/tmp/kp-flt-out-XXXXXX";
	char missing[] = "/nonexistent/kp-flt.ndjson";
	char *paths[] = { a, a, missing, a };
	struct cli_stats st = { 0 };
	struct nd_reader rd;
	struct eb why, e;
	struct flt f = { .on_error = ON_ERROR_NULL, .st = &st, .untouched = -1,
	    .why = &why };
	int in = mkstemp(a), o = mkstemp(out_path);
	char out[256];
	ssize_t n;

	ck_assert(in >= 0 && o >= 0);
	unlink(out_path);
	ck_assert_int_eq(write(in, "{\"a\":1}\n{\"a\":2}", 15), 15);
	close(in);
	ck_assert_int_eq(nd_reader_init_files(&rd, paths, 4), 0);
	ck_assert_int_eq(flt_run(&f, &rd, dup(o), copy_stage, &why, &e), -1);
	ck_assert_str_eq(e.msg, "/nonexistent/kp-flt.ndjson: open: "
	    "No such file or directory");
	nd_reader_free(&rd);
	lseek(o, 0, SEEK_SET);
	n = read(o, out, sizeof(out) - 1);
	out[n < 0 ? 0 : n] = '\0';
	ck_assert_str_eq(out, "{\"a\":1}\n{\"a\":2}\n{\"a\":1}\n{\"a\":2}\n");
	ck_assert_int_eq(st.read, 4);
	unlink(a);
	close(o);
}
END_TEST

/* A stage with one named column, "k": a line holding it has it; a line
 * holding "bad" is bad, and says where it came from. */
struct col_stage {
	struct flt *f;
	struct eb why;
	int wheres;
};

static enum flt_outcome
col_record(void *arg, const struct nd_line *l, struct sb *out)
{
	struct col_stage *c = arg;

	c->f->cols.any = 1;
	if (strstr(l->p, "\"k\""))
		c->f->cols.seen[0] = 1;
	else
		c->f->lacking = 1;
	sb_add(out, l->p, l->len);
	if (strstr(l->p, "bad")) {
		eb_set(&c->why, "a bad one");
		return FLT_BAD;
	}
	return FLT_OK;
}

static void
col_where(void *arg, struct sb *out)
{
	struct col_stage *c = arg;

	c->wheres++;
	sb_adds(out, " (s 1)");
}

/* Run col_record over text; returns flt_run's status. */
static int
run_cols(const char *text, struct cli_stats *st, struct col_stage *c)
{
	int p[2], rc;
	struct nd_reader rd;
	struct eb e;
	struct flt f = { .on_error = ON_ERROR_NULL, .st = st, .untouched = -1,
	    .why = &c->why, .where = col_where, .stage = c };

	memset(st, 0, sizeof(*st));
	f.missing = cli_stats_add(st, "missing");
	col_add(&f.cols, "--keep", "k");
	c->f = &f;
	c->wheres = 0;
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
	close(p[1]);
	ck_assert_int_eq(nd_reader_init(&rd, p[0], "<pipe>"), 0);
	rc = flt_run(&f, &rd, open("/dev/null", O_WRONLY), col_record, c, &e);
	nd_reader_free(&rd);
	close(p[0]);
	return rc;
}

START_TEST(test_named_column)
{
	struct cli_stats st;
	struct col_stage c;

	/* no record has it: the end of input fails, after every record */
	ck_assert_int_eq(run_cols("{\"a\":1}\n{\"a\":2}\n", &st, &c), 1);
	ck_assert_int_eq(st.read, 2);
	ck_assert_int_eq(st.emitted, 2);
	ck_assert_int_eq(st.extra[0], 2);
	/* one record has it: fine, the others counted as missing */
	ck_assert_int_eq(run_cols("{\"a\":1}\n{\"k\":2}\n{\"a\":3}\n", &st,
	    &c), 0);
	ck_assert_int_eq(st.extra[0], 2);
	/* nothing read: no typo */
	ck_assert_int_eq(run_cols("", &st, &c), 0);
}
END_TEST

START_TEST(test_where)
{
	struct cli_stats st;
	struct col_stage c;

	/* asked only for the bad record */
	ck_assert_int_eq(run_cols("{\"k\":1}\n{\"k\":\"bad\"}\n{\"k\":3}\n",
	    &st, &c), 0);
	ck_assert_int_eq(c.wheres, 1);
	ck_assert_int_eq(st.nulled, 1);
}
END_TEST

static Suite *
flt_suite(void)
{
	Suite *s = suite_create("flt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_null);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_fail);
	tcase_add_test(tc, test_write_error);
	tcase_add_test(tc, test_files_then_missing);
	tcase_add_test(tc, test_named_column);
	tcase_add_test(tc, test_where);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(flt_suite)
