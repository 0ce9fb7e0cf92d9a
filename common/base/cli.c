#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cli.h"

static const char *tool_name = "kinpipe";
static const char *tool_usage = "";

void
cli_init(const char *name, const char *usage_line)
{
	static const char *const std_name[] = { "input", "output", "error" };

	tool_name = name;
	tool_usage = usage_line;
	opterr = 0;
	/* A descriptor 0-2 closed by the caller (`tool >&-`) would be
	 * handed to the next file the tool opens: a trade's confirmation or
	 * a put's result would go into a checkpoint or a database, or
	 * nowhere. Refuse before doing anything. */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			cli_die(CLI_USAGE, "standard %s (descriptor %d) is closed: "
			    "refusing to run, what it does would be lost",
			    std_name[fd], fd);
}

int
cli_output_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	/* a pipe whose every reader has closed polls as POLLERR */
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

void
cli_die_output_gone(void)
{
	sigset_t set;

	cli_metrics_last();
	fflush(stderr);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGPIPE);
	_exit(128 + SIGPIPE);	/* not reached */
}

const char *
cli_name(void)
{
	return tool_name;
}

static void
vsay(const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* one write per message so concurrent tools' lines never interleave */
	fprintf(stderr, "%s: %s\n", tool_name, line);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void
cli_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(status);
}

void
cli_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "usage: %s\n", tool_usage);
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(CLI_USAGE);
}

void
cli_bad_option(char *const argv[])
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	/* glibc leaves optopt 0 for an unknown long option, and the
	 * option's value when a known one lacks its argument */
	if (strncmp(arg, "--", 2) == 0)
		cli_usage(optopt ? "option '%s' needs an argument" :
		    "unknown option '%s'", arg);
	if (optopt != 0)
		cli_usage("option '-%c' is unknown or needs an argument", optopt);
	cli_usage("bad option '%s'", arg);
}

void
cli_version(void)
{
	printf("%s %s\n", tool_name, KP_VERSION);
	exit(fclose(stdout) == 0 ? CLI_OK : CLI_FAIL);
}

void
cli_help(const char *text)
{
	fputs(text, stdout);
	exit(fclose(stdout) == 0 ? CLI_OK : CLI_FAIL);
}

int
cli_parse_on_error(const char *s, enum cli_on_error *out)
{
	if (strcmp(s, "null") == 0 || strcmp(s, "permissive") == 0)
		*out = ON_ERROR_NULL;
	else if (strcmp(s, "skip") == 0 || strcmp(s, "dropmalformed") == 0)
		*out = ON_ERROR_SKIP;
	else if (strcmp(s, "fail") == 0 || strcmp(s, "failfast") == 0)
		*out = ON_ERROR_FAIL;
	else
		return -1;
	return 0;
}

long long
cli_parse_count(const char *opt, const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || (errno && errno != ERANGE))
		cli_usage("%s: not an integer: '%s'", opt, s);
	/* strtoll clamps an overflow to LLONG_MIN/MAX with ERANGE: out of
	 * range like any other value past the bounds, never wrapped. */
	if (errno == ERANGE || v < min || v > max) {
		if (max == LLONG_MAX)
			cli_usage("%s: must be at least %lld: '%s'", opt, min, s);
		cli_usage("%s: must be from %lld to %lld: '%s'", opt, min, max, s);
	}
	return v;
}

long
cli_parse_timeout_ms(const char *opt, const char *s)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || *end || !(d > 0) || d > 86400)
		cli_usage("%s: not a number of seconds: '%s'", opt, s);
	return (long)(d * 1000 + 0.5);
}

double
cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
cli_stats_init(struct cli_stats *st, const char *arg)
{
	struct cli_stats keep = *st;
	char *end;

	memset(st, 0, sizeof(*st));
	st->mx = keep.mx;	/* --metrics may have come first */
	st->lock = keep.lock;
	st->enabled = 1;
	if (arg != NULL) {
		st->every_s = strtod(arg, &end);
		if (end == arg || *end != '\0' || !(st->every_s > 0))
			cli_usage("--stats: not a positive number of seconds: '%s'", arg);
	}
	st->last_s = cli_now();
}

int
cli_stats_add_metric(struct cli_stats *st, const char *name,
    const char *metric, const char *help)
{
	if (st->nextra == CLI_STATS_EXTRA)
		return CLI_STATS_EXTRA - 1;
	st->extra_name[st->nextra] = name;
	st->extra_metric[st->nextra] = metric;
	st->extra_help[st->nextra] = help;
	return st->nextra++;
}

int
cli_stats_add(struct cli_stats *st, const char *name)
{
	return cli_stats_add_metric(st, name, NULL, NULL);
}

static void
stats_print(const struct cli_stats *counting, const char *when)
{
	struct cli_stats copy, *st = &copy;
	char line[1024];
	int n, i;

	if (counting->lock != NULL)
		pthread_mutex_lock(counting->lock);
	copy = *counting;
	if (counting->lock != NULL)
		pthread_mutex_unlock(counting->lock);

	n = snprintf(line, sizeof(line),
	    "%s: %s read=%llu emitted=%llu nulled=%llu skipped=%llu",
	    tool_name, when, (unsigned long long)st->read,
	    (unsigned long long)st->emitted, (unsigned long long)st->nulled,
	    (unsigned long long)st->skipped);
	for (i = 0; i < st->nextra && n > 0 && (size_t)n < sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %s=%llu",
		    st->extra_name[i], (unsigned long long)st->extra[i]);
	fprintf(stderr, "%s\n", line);
}

void
cli_stats_tick(struct cli_stats *st)
{
	double now;

	if (st->mx != NULL)
		cli_metrics_tick(st);
	if (!st->enabled || st->every_s <= 0)
		return;
	now = cli_now();
	if (now - st->last_s < st->every_s)
		return;
	st->last_s = now;
	stats_print(st, "stats");
}

void
cli_stats_final(struct cli_stats *st)
{
	if (st->enabled)
		stats_print(st, "stats: final");
	cli_metrics_final(st);
}

int
cli_wait_ms(double left_s, int most)
{
	double ms = left_s * 1000;

	if (!(ms > 0))
		return 0;
	if (ms >= most)
		return most;
	return (int)ms + 1;
}

int
cli_stats_wait_ms(const struct cli_stats *st)
{
	double left = 0, m;
	int have = 0;

	if (st->enabled && st->every_s > 0) {
		left = st->last_s + st->every_s - cli_now();
		have = 1;
	}
	if (st->mx != NULL && ((m = cli_metrics_due_in(st)) < left || !have)) {
		left = m;
		have = 1;
	}
	if (!have)
		return -1;
	return cli_wait_ms(left, INT_MAX);
}

void
cli_stats_batch_end(struct cli_stats *st)
{
	if (st->batch_t0 != 0) {
		cli_hist_observe(&st->batch, cli_now() - st->batch_t0);
		st->batch_t0 = 0;
	}
	cli_stats_tick(st);
}

/* From a millisecond to two minutes: a filter's batch, a GetRecords call,
 * a trade, a window-avg trigger on a slow disk. */
const double cli_hist_bound[CLI_HIST_BOUNDS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10, 30, 60, 120
};

void
cli_hist_observe(struct cli_hist *h, double seconds)
{
	int i = 0;

	while (i < CLI_HIST_BOUNDS && seconds > cli_hist_bound[i])
		i++;
	h->count[i]++;
	h->sum += seconds;
}

static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
	stop_signal = sig;
}

void
cli_catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;	/* no SA_RESTART: reads return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
cli_stop_signal(void)
{
	return stop_signal;
}

void
cli_die_of_signal(void)
{
	int sig = stop_signal ? stop_signal : SIGTERM;
	sigset_t set;

	cli_metrics_last();
	fflush(stdout);
	fflush(stderr);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);	/* not reached */
}
