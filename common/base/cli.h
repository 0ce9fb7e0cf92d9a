/* cli: how every tool names itself, reports and exits (kinpipe(7)).
 * The one part of common/ allowed to exit, because its whole job is the
 * tool's last word: `tool: what went wrong[: cause]` and status 0/1/2. */
#ifndef KP_CLI_H
#define KP_CLI_H

#include <stdint.h>

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

/* Counters printed with --stats (kinpipe(7)). The four standard ones
 * always print; tools may name up to CLI_STATS_EXTRA more. */
#define CLI_STATS_EXTRA 8
struct cli_stats {
	uint64_t read, emitted, nulled, skipped;
	const char *extra_name[CLI_STATS_EXTRA];
	uint64_t extra[CLI_STATS_EXTRA];
	int nextra;
	int enabled;		/* --stats given */
	double every_s;		/* --stats=SECONDS, 0 = only at exit */
	double last_s;		/* monotonic time of the last periodic print */
};

/* Parse the optional argument of --stats (NULL = at exit only). */
void cli_stats_init(struct cli_stats *st, const char *optarg);
/* Register an extra counter; returns its index into st->extra. */
int cli_stats_add(struct cli_stats *st, const char *name);
/* Print now if --stats=SECONDS is due (cheap; call at batch ends). */
void cli_stats_tick(struct cli_stats *st);
/* Print the final line if --stats was given. */
void cli_stats_final(struct cli_stats *st);

double cli_now(void);	/* CLOCK_MONOTONIC seconds */

#endif
