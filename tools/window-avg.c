/* window-avg: Spark's groupBy(window(time, size, slide, start), keys...)
 * .agg(avg(col), ...) over an NDJSON stream, with Spark's watermark, output
 * modes and triggers, and an exactly-once state file (see window-avg(1)).
 * The work is in common/wa_*.c; this is the loop that drives it. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/ck_path.h"
#include "base/cli.h"
#include "base/nd.h"
#include "time/iv.h"
#include "window/wa.h"
#include "window/wa_ahead.h"
#include "window/wa_in.h"
#include "window/wa_merge.h"
#include "window/wa_opt.h"
#include "window/wa_pace.h"
#include "window/wa_trig.h"

static volatile sig_atomic_t stop_signal;

/* Where the loop stands between records. */
struct loop {
	struct wa_pace pace;	/* when the default trigger may commit */
	int pending;		/* the input ran dry before the commit was due */
	double next_tick;	/* the next processing-time trigger */
};

static void
on_signal(int sig)
{
	stop_signal = sig;
}

/* The files kept, checked before any input is read: a run that could not
 * keep its work stops before doing it. */
static void
sinks(const struct wa_opts *o)
{
	const struct ck_sink v[] = {
		{ "--state", o->state },
		{ "--table", o->table },
		{ "--sqlite", o->sqlite },
	};
	struct eb e;

	switch (ck_sinks_check(v, sizeof(v) / sizeof(v[0]), &e)) {
	case CK_SINKS_SAME: cli_usage("%s", e.msg);
	case CK_SINKS_UNUSABLE: cli_die(CLI_FAIL, "%s", e.msg);
	case CK_SINKS_OK: break;
	}
}

static void
parse(struct wa_opts *o, int argc, char **argv)
{
	struct eb e;

	switch (wa_opt_parse(o, argc, argv, &e)) {
	case WA_OPT_HELP: cli_help(wa_opt_help_text);
	case WA_OPT_VERSION: cli_version();
	case WA_OPT_RUN: break;
	case WA_OPT_BAD_OPTION: cli_bad_option(argv);
	default: cli_usage("%s", e.msg);
	}
	if (wa_opt_validate(o, &e) != 0)
		cli_usage("%s", e.msg);
	sinks(o);
	cli_metrics_check(&o->mx, iv_parse, (const struct cli_path[]){
	    { "--state", o->state }, { "--table", o->table } }, 2);
}

/* The input is the files named by the operands argv[first..argc), in
 * order, "-" or none meaning standard input. */
static void
setup(struct wa *w, const struct wa_opts *o, struct nd_reader *rd,
    int argc, char **argv, int first)
{
	struct sigaction sa;
	struct eb e;

	if (o->stats)
		cli_stats_init(&w->stats, *o->stats ? o->stats : NULL);
	if (wa_init(w, o, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	cli_metrics_start(&w->stats, &o->mx, iv_parse, NULL, 0);	/* checked */
	if (nd_reader_init_files(rd, argv + first, argc - first) != 0)
		cli_die(CLI_FAIL, "out of memory");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The whole trigger is timed, whatever it writes (rows, table, state):
 * what it cost spaces out the default trigger's next one. */
static void
trigger(struct wa *w, struct loop *l, int at_eof)
{
	double started = cli_now();
	int commits = w->in_batch || at_eof;
	struct eb e;

	if (wa_trigger(w, at_eof, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	cli_stats_batch_end(&w->stats);
	if (commits)
		wa_pace_done(&l->pace, started, cli_now());
	l->pending = 0;
}

static void
on_line(struct wa *w, const struct nd_line *ln)
{
	struct eb e;

	w->stats.read++;
	cli_stats_batch_begin(&w->stats);
	w->in_batch = 1;
	if ((w->o->merge ? wa_merge_partial : wa_in_record)(w, ln, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
}

/* on_line for the lines of a batch parsed ahead: each parsed record
 * trades places with w->rec (no copy), one that is not a JSON object is
 * parsed again there for its message. */
static void
on_parsed(struct wa *w, struct wa_ahead *a)
{
	struct eb e;
	size_t i;

	for (i = 0; i < a->n; i++) {
		struct rec parsed;

		if (i % AHEAD_CHUNK == 0)
			wa_ahead_ready(a, i / AHEAD_CHUNK);
		parsed = a->recs[i];
		if (!a->ok[i]) {
			on_line(w, &a->lines[i]);
			continue;
		}
		w->stats.read++;
		cli_stats_batch_begin(&w->stats);
		w->in_batch = 1;
		a->recs[i] = w->rec;
		w->rec = parsed;
		if (wa_in_parsed(w, &a->lines[i], &e) != 0)
			cli_die(CLI_FAIL, "%s", e.msg);
	}
}

/* Milliseconds the reader may wait for input, -1 for ever: until the
 * next processing-time trigger, until the commit of a batch the input has
 * ended is due, or until the next --stats or --metrics write. */
static int
wait_ms(const struct wa *w, const struct loop *l)
{
	int st = cli_stats_wait_ms(&w->stats), ms;

	if (l->pending)
		ms = wa_pace_wait_ms(&l->pace, cli_now());
	else if (w->o->trig != WA_TRIG_INTERVAL)
		return st;
	else
		ms = cli_wait_ms(l->next_tick - cli_now(), INT_MAX);
	return st >= 0 && st < ms ? st : ms;
}

static void
tick(struct wa *w, struct loop *l)
{
	if (w->o->trig != WA_TRIG_INTERVAL || cli_now() < l->next_tick)
		return;
	trigger(w, l, 0);
	while (l->next_tick <= cli_now())
		l->next_tick += (double)w->o->trig_us / 1e6;
}

/* The input ran dry: the end of a batch, committed now unless the last
 * commit's cost says to wait (then the input that arrives meanwhile joins
 * the batch, and the commit runs when the input runs dry after it is due,
 * or when it is due on a dry input). */
static void
on_idle(struct wa *w, struct loop *l)
{
	/* said before the batch's rows go out */
	col_batch_end(&w->cols, w->stats.read);
	if (w->o->trig == WA_TRIG_IDLE && w->in_batch &&
	    wa_pace_wait_ms(&l->pace, cli_now()) == 0)
		trigger(w, l, 0);
	else if (w->o->trig == WA_TRIG_IDLE && w->in_batch)
		l->pending = 1;
	else if (nd_flush(&w->out) != 0)
		cli_die(CLI_FAIL, "write error: %s", strerror(errno));
	cli_stats_tick(&w->stats);
}

int
main(int argc, char **argv)
{
	static struct wa_opts o;
	static struct wa w;
	struct nd_reader rd;
	struct nd_line ln;
	struct wa_ahead ahead;
	struct loop l = { { 0 }, 0, 0 };
	struct eb e;
	enum nd_status s;
	int status = CLI_OK;

	cli_init("window-avg", wa_opt_usage_line);
	parse(&o, argc, argv);
	setup(&w, &o, &rd, argc, argv, optind);
	if (wa_ahead_init(&ahead, o.threads) != 0)
		cli_die(CLI_FAIL, "out of memory");
	l.next_tick = cli_now() + (double)o.trig_us / 1e6;
	for (;;) {
		s = stop_signal ? ND_INTR : nd_read(&rd, &ln, wait_ms(&w, &l),
		    &e);
		tick(&w, &l);
		if (s == ND_LINE && wa_ahead_on(&ahead) && !o.merge) {
			l.pending = 0;
			wa_ahead_fill(&ahead, &rd, &ln);
			on_parsed(&w, &ahead);
			if (ahead.crew_on)
				w.stats.extra[w.s_shared] += ahead.n;
			wa_ahead_next(&ahead, &rd);
		} else if (s == ND_LINE) {
			l.pending = 0;
			on_line(&w, &ln);
		} else if (s == ND_IDLE) {
			on_idle(&w, &l);
		} else if (s == ND_TIMEOUT) {
			/* the pending commit, when due (the wait may have been
			 * for --stats or --metrics) */
			if (l.pending && wa_pace_wait_ms(&l.pace, cli_now()) == 0)
				trigger(&w, &l, 0);
			cli_stats_tick(&w.stats);
		} else if (s == ND_EOF || (s == ND_INTR && stop_signal))
			break;	/* a stop signal finishes the batch, not time */
		else if (s == ND_ERROR)
			break;
	}
	if (s == ND_ERROR) {
		cli_warn("%s", e.msg);
		status = CLI_FAIL;
	}
	trigger(&w, &l, s == ND_EOF);
	/* what was read is counted and kept; a column named on the command
	 * line that no record had is a typo all the same */
	if (s == ND_EOF && col_end(&w.cols, w.stats.read))
		status = CLI_FAIL;
	if (nd_writer_close(&w.out) != 0)
		cli_die(CLI_FAIL, "write error: %s", strerror(errno));
	cli_stats_final(&w.stats);
	nd_reader_free(&rd);
	wa_ahead_free(&ahead);
	wa_free(&w);
	wa_opt_free(&o);
	return status;
}
