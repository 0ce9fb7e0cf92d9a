/* window-avg: Spark's groupBy(window(time, size, slide, start), keys...)
 * .agg(avg(col), ...) over an NDJSON stream, with Spark's watermark, output
 * modes and triggers, and an exactly-once state file (see window-avg(1)).
 * The work is in common/wa_*.c; this is the loop that drives it. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/ck_path.h"
#include "base/cli.h"
#include "base/nd.h"
#include "window/wa.h"
#include "window/wa_in.h"
#include "window/wa_merge.h"
#include "window/wa_opt.h"
#include "window/wa_trig.h"

static volatile sig_atomic_t stop_signal;

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
	if (nd_reader_init_files(rd, argv + first, argc - first) != 0)
		cli_die(CLI_FAIL, "out of memory");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void
trigger(struct wa *w, int at_eof)
{
	struct eb e;

	if (wa_trigger(w, at_eof, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
}

static void
on_line(struct wa *w, const struct nd_line *ln)
{
	struct eb e;

	w->stats.read++;
	w->in_batch = 1;
	if ((w->o->merge ? wa_merge_partial : wa_in_record)(w, ln, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
}

/* Milliseconds until the next processing-time trigger, -1 for none. */
static int
until_tick(const struct wa_opts *o, double next)
{
	double left;

	if (o->trig != WA_TRIG_INTERVAL)
		return -1;
	left = next - cli_now();
	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

static void
tick(struct wa *w, double *next)
{
	if (w->o->trig != WA_TRIG_INTERVAL || cli_now() < *next)
		return;
	trigger(w, 0);
	while (*next <= cli_now())
		*next += (double)w->o->trig_us / 1e6;
}

/* The end of a batch of available input. */
static void
on_idle(struct wa *w)
{
	if (w->o->trig == WA_TRIG_IDLE)
		trigger(w, 0);
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
	struct eb e;
	enum nd_status s;
	double next_tick;
	int status = CLI_OK;

	cli_init("window-avg", wa_opt_usage_line);
	parse(&o, argc, argv);
	setup(&w, &o, &rd, argc, argv, optind);
	next_tick = cli_now() + (double)o.trig_us / 1e6;
	for (;;) {
		s = stop_signal ? ND_INTR : nd_read(&rd, &ln,
		    until_tick(&o, next_tick), &e);
		tick(&w, &next_tick);
		if (s == ND_LINE)
			on_line(&w, &ln);
		else if (s == ND_IDLE)
			on_idle(&w);
		else if (s == ND_EOF || (s == ND_INTR && stop_signal))
			break;	/* a stop signal finishes the batch, not time */
		else if (s == ND_ERROR)
			break;
	}
	if (s == ND_ERROR) {
		cli_warn("%s", e.msg);
		status = CLI_FAIL;
	}
	trigger(&w, s == ND_EOF);
	if (nd_writer_close(&w.out) != 0)
		cli_die(CLI_FAIL, "write error: %s", strerror(errno));
	cli_stats_final(&w.stats);
	nd_reader_free(&rd);
	wa_free(&w);
	wa_opt_free(&o);
	return status;
}
