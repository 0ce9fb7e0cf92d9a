/* --metrics: the counters of struct cli_stats (the ones --stats prints),
 * the batch durations and a tool's own series, written as Prometheus text
 * for node_exporter's textfile collector (kinpipe(7), "Metrics"). The file
 * is replaced whole (ck_write_atomic), so the collector never reads half
 * of one, and only ever at a batch end, from a timer, or at exit:
 * counting stays a plain increment on the hot path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/ck.h"
#include "base/cli.h"

struct cli_metrics {
	char *path, *stage;
	double every_s, last_s;
	cli_metrics_fn *more;
	void *more_arg;
	struct cli_stats *st;		/* NULL after the last write */
	int failing;			/* the last write failed, and said so */
};

/* The one set of metrics a process writes, for the write at exit. */
static struct cli_metrics *live;

int
cli_metrics_option(struct cli_metrics_opts *o, int c, const char *arg)
{
	if (c == CLI_OPT_METRICS)
		o->path = arg;
	else if (c == CLI_OPT_METRICS_INTERVAL)
		o->every = arg;
	else
		return 0;
	return 1;
}

/* a is b, or one is the other's temporary file (ck_write_atomic's
 * PATH.tmp), by name or, when both exist, by inode. */
static int
clash(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b);
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	if (an == bn + 4 && strncmp(a, b, bn) == 0 &&
	    strcmp(a + bn, ".tmp") == 0)
		return 1;
	if (bn == an + 4 && strncmp(b, a, an) == 0 &&
	    strcmp(b + an, ".tmp") == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The stage label: the file's name without its directory and ".prom",
 * unique among the files of one collector directory. */
static char *
stage_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".prom") == 0)
		n -= 5;
	return strndup(base, n);
}

void
cli_metrics_last(void)
{
	if (live != NULL && live->st != NULL)
		cli_metrics_final(live->st);
}

/* A tool that exits through cli_die (its main's frame, where the counters
 * may live, still there) leaves the counts of its last moment behind. */
static void
at_exit(void)
{
	cli_metrics_last();
}

int64_t
cli_metrics_check(const struct cli_metrics_opts *o, cli_duration_fn *parse,
    const struct cli_path *taken, size_t ntaken)
{
	int64_t us = CLI_METRICS_INTERVAL_DEFAULT_US;
	struct eb e;

	if (o->path == NULL) {
		if (o->every != NULL)
			cli_usage("--metrics-interval goes with --metrics");
		return 0;
	}
	if (*o->path == '\0')
		cli_usage("--metrics: an empty file name");
	if (o->every != NULL && parse(o->every, &us, 0, &e) != 0)
		cli_usage("--metrics-interval: %s", e.msg);
	if (us <= 0)
		cli_usage("--metrics-interval: must be above zero: '%s'",
		    o->every);
	for (size_t i = 0; i < ntaken; i++)
		if (taken[i].path != NULL && clash(o->path, taken[i].path))
			cli_usage("--metrics %s: the file of %s %s, or its "
			    ".tmp", o->path, taken[i].opt, taken[i].path);
	return us;
}

void
cli_metrics_start(struct cli_stats *st, const struct cli_metrics_opts *o,
    cli_duration_fn *parse, const struct cli_path *taken, size_t ntaken)
{
	int64_t us = cli_metrics_check(o, parse, taken, ntaken);
	struct cli_metrics *mx;

	if (o->path == NULL)
		return;
	if ((mx = calloc(1, sizeof(*mx))) == NULL ||
	    (mx->path = strdup(o->path)) == NULL ||
	    (mx->stage = stage_of(o->path)) == NULL)
		cli_die(CLI_FAIL, "out of memory");
	mx->every_s = (double)us / 1e6;
	mx->st = st;
	st->mx = mx;
	live = mx;
	if (cli_metrics_write(st) != 0)
		exit(CLI_FAIL);	/* before any work, as a bad sink */
	atexit(at_exit);
}

void
cli_metrics_extend(struct cli_stats *st, cli_metrics_fn *fn, void *arg)
{
	if (st->mx == NULL)
		return;
	st->mx->more = fn;
	st->mx->more_arg = arg;
}

static const char read_help[] = "Records read.";
static const char emitted_help[] =
    "Records written (kin-put: put into the stream).";
static const char nulled_help[] = "Bad records written with nulls.";
static const char skipped_help[] = "Bad records dropped.";
static const char batch_help[] =
    "Seconds from a batch's first record to its output written.";

static void
counter(struct metrics *m, const char *name, const char *help,
    const struct metrics_label *l, uint64_t v)
{
	metrics_family(m, name, METRICS_COUNTER, help);
	metrics_add_u64(m, name, l, CLI_METRICS_BASE_LABELS, v);
}

/* Everything, rendered; called under the lock. */
static int
render(struct cli_stats *st, struct sb *out, struct eb *e)
{
	struct cli_metrics *mx = st->mx;
	const struct metrics_label base[CLI_METRICS_BASE_LABELS] = {
		{ "tool", cli_name() }, { "stage", mx->stage } };
	char name[128], help[160];
	struct metrics m;
	int rc;

	metrics_init(&m);
	counter(&m, "kinpipe_records_read_total", read_help, base, st->read);
	counter(&m, "kinpipe_records_emitted_total", emitted_help, base,
	    st->emitted);
	counter(&m, "kinpipe_records_nulled_total", nulled_help, base,
	    st->nulled);
	counter(&m, "kinpipe_records_skipped_total", skipped_help, base,
	    st->skipped);
	for (int i = 0; i < st->nextra; i++) {
		snprintf(name, sizeof(name), "kinpipe_%s_total",
		    st->extra_name[i]);
		snprintf(help, sizeof(help), "The --stats counter %s.",
		    st->extra_name[i]);
		counter(&m, st->extra_metric[i] ? st->extra_metric[i] : name,
		    st->extra_help[i] ? st->extra_help[i] : help, base,
		    st->extra[i]);
	}
	metrics_family(&m, "kinpipe_batch_duration_seconds",
	    METRICS_HISTOGRAM, batch_help);
	metrics_add_histogram(&m, "kinpipe_batch_duration_seconds", base,
	    CLI_METRICS_BASE_LABELS, cli_hist_bound, st->batch.count,
	    CLI_HIST_BOUNDS, st->batch.sum);
	if (mx->more != NULL)
		mx->more(mx->more_arg, &m, base, CLI_METRICS_BASE_LABELS);
	rc = metrics_render(&m, out, e);
	metrics_free(&m);
	return rc;
}

int
cli_metrics_write(struct cli_stats *st)
{
	struct cli_metrics *mx = st->mx;
	struct sb text = SB_INIT;
	struct eb e;
	int rc;

	if (mx == NULL)
		return 0;
	if (st->lock != NULL)
		pthread_mutex_lock(st->lock);
	rc = render(st, &text, &e);
	if (st->lock != NULL)
		pthread_mutex_unlock(st->lock);
	if (rc == 0)
		rc = ck_write_atomic(mx->path, text.buf ? text.buf : "",
		    text.len, &e);
	sb_free(&text);
	mx->last_s = cli_now();
	/* said once per spell of failures, not at every interval */
	if (rc != 0 && !mx->failing)
		cli_warn("--metrics: %s", e.msg);
	mx->failing = rc != 0;
	return rc;
}

void
cli_metrics_tick(struct cli_stats *st)
{
	if (cli_now() - st->mx->last_s >= st->mx->every_s)
		cli_metrics_write(st);
}

double
cli_metrics_due_in(const struct cli_stats *st)
{
	return st->mx->last_s + st->mx->every_s - cli_now();
}

void
cli_metrics_final(struct cli_stats *st)
{
	struct cli_metrics *mx = st->mx;

	if (mx == NULL)
		return;
	cli_metrics_write(st);
	st->mx = NULL;
	live = NULL;
	free(mx->path);
	free(mx->stage);
	free(mx);
}
