/* cli: how every tool names itself, reports and exits (kinpipe(7)).
 * The one part of common/ allowed to exit, because its whole job is the
 * tool's last word: `tool: what went wrong[: cause]` and status 0/1/2. */
#ifndef KP_CLI_H
#define KP_CLI_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "base/metrics.h"

#define KP_VERSION "0.1.0"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Spark's parse modes: PERMISSIVE, DROPMALFORMED, FAILFAST. */
enum cli_on_error { ON_ERROR_NULL, ON_ERROR_SKIP, ON_ERROR_FAIL };

void cli_init(const char *name, const char *usage_line);
const char *cli_name(void);

void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void cli_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "usage: <usage_line>" and "tool: reason" on stderr, exit 2. */
_Noreturn void cli_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* The usage error for what getopt_long just refused ('?'): names the
 * option and why, in place of getopt's own message (cli_init turns that
 * off so the tool speaks in one voice). */
_Noreturn void cli_bad_option(char *const argv[]);
/* Standard output's reader has gone (the read end of the pipe is closed):
 * nothing written there would arrive. Checked without writing, so that
 * a tool can stop before it does what it could no longer report. */
int cli_output_gone(void);
/* End as a Unix filter ends when its reader leaves: by SIGPIPE, which the
 * shell reports as status 141 and `set -o pipefail` sees (kinpipe(7),
 * "Signals and closed pipes"). Call it after committing what was
 * delivered. */
_Noreturn void cli_die_output_gone(void);
/* "NAME VERSION" on stdout, exit 0. */
_Noreturn void cli_version(void);
/* Print help text to stdout, exit 0. */
_Noreturn void cli_help(const char *text);

/* Parse "null|skip|fail"; -1 if it is none of them. */
int cli_parse_on_error(const char *s, enum cli_on_error *out);
/* Parse an integer option value in [min, max] or die with a usage error
 * naming the option and the range; nothing is ever wrapped or clamped. */
long long cli_parse_count(const char *opt, const char *s, long long min,
    long long max);
/* Parse a timeout in seconds (fraction allowed, above 0, at most a day)
 * into milliseconds, or die with a usage error naming the option. */
long cli_parse_timeout_ms(const char *opt, const char *s);

/* Durations as a histogram: count[i] of them fell in (bound[i-1],
 * bound[i]], count[CLI_HIST_BOUNDS] above the last bound. */
#define CLI_HIST_BOUNDS 16
extern const double cli_hist_bound[CLI_HIST_BOUNDS];
struct cli_hist {
	uint64_t count[CLI_HIST_BOUNDS + 1];
	double sum;
};
void cli_hist_observe(struct cli_hist *h, double seconds);

/* Counters printed with --stats (kinpipe(7)) and written with --metrics,
 * one set for both. The four standard ones always print; tools may name
 * up to CLI_STATS_EXTRA more. */
#define CLI_STATS_EXTRA 12
struct cli_metrics;
struct cli_stats {
	uint64_t read, emitted, nulled, skipped;
	const char *extra_name[CLI_STATS_EXTRA];
	uint64_t extra[CLI_STATS_EXTRA];
	int nextra;
	int enabled;		/* --stats given */
	double every_s;		/* --stats=SECONDS, 0 = only at exit */
	double last_s;		/* monotonic time of the last periodic print */
	/* what --metrics calls each extra counter, and says of it */
	const char *extra_metric[CLI_STATS_EXTRA];
	const char *extra_help[CLI_STATS_EXTRA];
	struct cli_hist batch;	/* how long each batch took */
	double batch_t0;	/* when the batch in hand began; 0: none */
	struct cli_metrics *mx;	/* --metrics; NULL when not given */
	/* held by the threads that count (wallet-server's), taken by every
	 * print and write; NULL when one thread does it all */
	pthread_mutex_t *lock;
};

/* Parse the optional argument of --stats (NULL = at exit only). Keeps
 * what --metrics set up, and the lock. */
void cli_stats_init(struct cli_stats *st, const char *optarg);
/* Register an extra counter; returns its index into st->extra. Its
 * metric is kinpipe_NAME_total. */
int cli_stats_add(struct cli_stats *st, const char *name);
/* The same with the metric's name (kinpipe_..._total) and help text,
 * which must be the same for a name in every tool (the textfile
 * collector refuses a family whose help differs between two files). */
int cli_stats_add_metric(struct cli_stats *st, const char *name,
    const char *metric, const char *help);
/* Print now if --stats=SECONDS is due, and write the --metrics file if
 * --metrics-interval has passed (cheap; call at batch ends). */
void cli_stats_tick(struct cli_stats *st);
/* Print the final line if --stats was given; write the --metrics file a
 * last time. */
void cli_stats_final(struct cli_stats *st);
/* Milliseconds until the next periodic print or metrics write is due,
 * -1 for none: how long a tool waiting for input may sleep. */
int cli_stats_wait_ms(const struct cli_stats *st);

/* A batch (kinpipe(7), "Metrics") begins at its first record and ends
 * when its output is written: the time between goes into st->batch, and
 * ending it ticks. Beginning one already begun does nothing. */
double cli_now(void);	/* CLOCK_MONOTONIC seconds */
/* A wait of left_s seconds as the milliseconds poll(2) and its kin take:
 * rounded up, so that waiting that long makes the time come; 0 when it
 * has come or passed (it may have while other work was done: a negative
 * wait means for ever to poll and is refused by curl_multi_poll); at most
 * most, so that a far time neither overflows nor sleeps through a
 * signal's check. */
int cli_wait_ms(double left_s, int most);
static inline void
cli_stats_batch_begin(struct cli_stats *st)
{
	if (st->batch_t0 == 0)
		st->batch_t0 = cli_now();
}
void cli_stats_batch_end(struct cli_stats *st);
/* Forget the batch begun: it turned out to hold no record. */
static inline void
cli_stats_batch_drop(struct cli_stats *st)
{
	st->batch_t0 = 0;
}

/* --metrics FILE and --metrics-interval DURATION, long options only and
 * the same in every tool; their codes are above any tool's own. */
enum { CLI_OPT_METRICS = 0x4d00, CLI_OPT_METRICS_INTERVAL };
#define CLI_METRICS_LONGOPTS						\
	{ "metrics", required_argument, NULL, CLI_OPT_METRICS },	\
	{ "metrics-interval", required_argument, NULL,			\
	    CLI_OPT_METRICS_INTERVAL }
#define CLI_METRICS_INTERVAL_DEFAULT_US INT64_C(10000000)

struct cli_metrics_opts {
	const char *path;	/* --metrics */
	const char *every;	/* --metrics-interval, NULL: the default */
};

/* Take a getopt result c (with optarg) if it is one of the two metrics
 * options: 1 when it was, 0 when it is the tool's own. */
int cli_metrics_option(struct cli_metrics_opts *o, int c, const char *arg);

/* The suite's duration parser (iv_parse): base cannot include time, so
 * the tool hands it in. */
typedef int cli_duration_fn(const char *s, int64_t *us, int allow_negative,
    struct eb *e);

/* A file the tool writes for another option, which --metrics must not
 * be (nor its .tmp). */
struct cli_path {
	const char *opt, *path;	/* path NULL: the option was not given */
};

/* Extra series a tool writes (kin-read's shards, wallet-server's
 * latency): called under st's lock with the labels every series of the
 * tool carries (tool, stage), to add its own families and samples. */
typedef void cli_metrics_fn(void *arg, struct metrics *m,
    const struct metrics_label *base, size_t nbase);
#define CLI_METRICS_BASE_LABELS 2

/* The usage errors of o, below, without starting anything (for a tool
 * that must check them before it loads its state); the interval in
 * microseconds. */
int64_t cli_metrics_check(const struct cli_metrics_opts *o,
    cli_duration_fn *parse, const struct cli_path *taken, size_t ntaken);
/* After the options, before any work: check o (a usage error, exit 2, for
 * an interval that is not a positive duration, --metrics-interval without
 * --metrics, or a FILE that is also one of taken[0..ntaken)), then write
 * the file a first time, all zeros, so that a FILE that cannot be written
 * is an error now (exit 1) rather than after the work. Nothing when
 * o->path is NULL. */
void cli_metrics_start(struct cli_stats *st, const struct cli_metrics_opts *o,
    cli_duration_fn *parse, const struct cli_path *taken, size_t ntaken);
/* Add a tool's own series to every write. */
void cli_metrics_extend(struct cli_stats *st, cli_metrics_fn *fn, void *arg);
/* Write the file now (0), or warn and carry on (-1): a pipeline is never
 * stopped by its observer. */
int cli_metrics_write(struct cli_stats *st);
/* Write the file a last time and let go of st: no later write, not even
 * at exit. cli_stats_final calls it. */
void cli_metrics_final(struct cli_stats *st);
/* The last write of the process's metrics, if not done yet: at exit (an
 * atexit handler), and before a death by signal that the tool chose
 * (cli_die_output_gone, cli_die_of_signal). */
void cli_metrics_last(void);
/* For cli_stats_tick and cli_stats_wait_ms: write the file if the
 * interval has passed; seconds until it will have. */
void cli_metrics_tick(struct cli_stats *st);
double cli_metrics_due_in(const struct cli_stats *st);
/* SIGINT and SIGTERM, for a tool that would otherwise simply die of them
 * but must first write its metrics: the handler only remembers the signal
 * (no SA_RESTART, so a blocked read returns), cli_stop_signal says which,
 * and cli_die_of_signal ends the process by it, as it would have ended. */
void cli_catch_stop_signals(void);
int cli_stop_signal(void);
_Noreturn void cli_die_of_signal(void);

#endif
