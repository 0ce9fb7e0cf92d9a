/* wallet-info: show a wallet's balances as one JSON object. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "json/jx.h"
#include "time/iv.h"
#include "wallet/wl_amount.h"
#include "wallet/wl_order.h"

static const char usage_line[] =
    "wallet-info [--api URL] [--user ID] [--config FILE] [--field NAME] "
    "[--stats] [--metrics FILE]";

static const char help[] =
    "usage: wallet-info [options]\n"
    "  -f, --field NAME        print only this field, as a bare value\n"
    "      --api URL           API base (WALLET_API)\n"
    "  -u, --user ID           user id (WALLET_USER_ID)\n"
    "      --config FILE       config file\n"
    "                          (default $XDG_CONFIG_HOME/kinpipe/wallet.conf)\n"
    "      --connect-timeout S seconds to connect (default 5)\n"
    "  -m, --max-time S        seconds for a whole request (default 30)\n"
    "      --retries N         retries after a failure (default 3)\n"
    "      --stats             counts on stderr at exit\n"
    "      --metrics FILE      the counts for Prometheus, written at exit\n"
    "      --metrics-interval D  and every D (10s)\n"
    "  -h, --help, -V, --version\n"
    "exit: 0 done, 1 refused by the server, 2 usage, 3 unreachable\n";

/* A string bare, a number in plain decimals, anything else as JSON. */
static void
put_bare(struct sb *out, const json_t *v)
{
	char num[80];
	int n;

	if (json_is_string(v))
		sb_add(out, json_string_value(v), json_string_length(v));
	else if (json_is_real(v) &&
	    (n = wl_plain_decimal(json_real_value(v), num, sizeof(num))) > 0)
		sb_add(out, num, (size_t)n);
	else
		jx_dump(out, v);
}

/* What the command line asks for. */
struct args {
	struct wl_flags flags;
	long connect_ms, max_ms;
	long long retries;
	const char *field;
	int stats;
	struct cli_metrics_opts mx;
};

/* The extra --stats counters, in the order they are added. */
enum { INFO_REJECTED, INFO_FAILED };

static void
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "field", required_argument, NULL, 'f' },
		{ "api", required_argument, NULL, 'A' },
		{ "user", required_argument, NULL, 'u' },
		{ "config", required_argument, NULL, 'c' },
		{ "connect-timeout", required_argument, NULL, 'C' },
		{ "max-time", required_argument, NULL, 'm' },
		{ "retries", required_argument, NULL, 'r' },
		{ "stats", optional_argument, NULL, 'S' },
		CLI_METRICS_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "f:u:m:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': a->field = optarg; break;
		case 'A': a->flags.api = optarg; break;
		case 'u': a->flags.user_id = optarg; break;
		case 'c': a->flags.config = optarg; break;
		case 'C':
			a->connect_ms = cli_parse_timeout_ms("--connect-timeout",
			    optarg);
			break;
		case 'm':
			a->max_ms = cli_parse_timeout_ms("--max-time", optarg);
			break;
		case 'r':
			a->retries = cli_parse_count("--retries", optarg, 0, 10);
			break;
		case 'S':
			if (optarg != NULL)
				cli_usage("--stats: wallet-info prints only at "
				    "exit: no SECONDS");
			a->stats = 1;
			break;
		case CLI_OPT_METRICS:
		case CLI_OPT_METRICS_INTERVAL:
			cli_metrics_option(&a->mx, ch, optarg);
			break;
		case 'h': cli_help(help);
		case 'V': cli_version();
		default: cli_bad_option(argv);
		}
	}
	if (optind < argc)
		cli_usage("unexpected argument '%s'", argv[optind]);
	cli_metrics_check(&a->mx, iv_parse, NULL, 0);
}

/* The answer (the wallet, or one field of it) and its newline into out;
 * the exit status. */
static int
answer(struct sb *out, const json_t *wallet, const char *field)
{
	const json_t *v;

	if (field != NULL) {
		if ((v = json_object_get(wallet, field)) == NULL) {
			cli_warn("no field '%s' in the answer", field);
			return WL_EXIT_FAILED;
		}
		put_bare(out, v);
	}	/* else out holds the wallet as the server wrote it */
	sb_addc(out, '\n');
	if (sb_failed(out)) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	if (fwrite(out->buf, 1, out->len, stdout) != out->len ||
	    fclose(stdout) != 0) {
		if (errno == EPIPE)
			cli_die_output_gone();	/* its reader left: as a filter */
		cli_warn("stdout: write error: %s", strerror(errno));
		return CLI_FAIL;
	}
	return WL_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct args a = { .connect_ms = WL_CONNECT_MS_DEFAULT,
	    .max_ms = WL_MAX_MS_DEFAULT, .retries = WL_RETRIES_DEFAULT };
	struct sb out = SB_INIT;
	struct cli_stats st = { 0 };
	struct wl_config cfg;
	struct wl_client c;
	json_t *wallet = NULL;
	struct eb e;
	int rc;

	cli_init("wallet-info", usage_line);
	parse_args(argc, argv, &a);
	rc = wl_config_load(&cfg, &a.flags, 0, &e);
	if (rc == WL_CONFIG_NOMEM)
		cli_die(CLI_FAIL, "%s", e.msg);
	if (rc != WL_CONFIG_OK)
		cli_usage("%s", e.msg);
	if (a.stats)
		cli_stats_init(&st, NULL);
	cli_stats_add_metric(&st, "rejected", "kinpipe_wallet_requests_rejected_total",
	    "Requests the server refused (a 4xx answer).");
	cli_stats_add_metric(&st, "failed", "kinpipe_wallet_requests_failed_total",
	    "Requests with no answer, or that failed before one.");
	cli_metrics_start(&st, &a.mx, iv_parse, NULL, 0);
	/* with --metrics, a stop signal waits for the one request, so that
	 * the file tells how it went; then it ends the process as before */
	if (st.mx != NULL)
		cli_catch_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	if (wl_client_init(&c, &cfg, a.connect_ms, a.max_ms, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	cli_stats_batch_begin(&st);
	rc = wl_info(&c, (int)a.retries, &wallet, a.field ? NULL : &out, &e);
	if (rc != WL_EXIT_OK) {
		cli_warn("%s", e.msg);
		st.extra[rc == WL_EXIT_REJECTED && c.status >= 400 ?
		    INFO_REJECTED : INFO_FAILED]++;
	} else if ((rc = answer(&out, wallet, a.field)) == WL_EXIT_OK) {
		st.emitted++;
		cli_stats_batch_end(&st);
	}
	cli_stats_final(&st);
	if (cli_stop_signal())
		cli_die_of_signal();
	sb_free(&out);
	json_decref(wallet);
	wl_client_free(&c);
	wl_config_free(&cfg);
	return rc;
}
