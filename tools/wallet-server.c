/* wallet-server: the bitcoin trading simulator the notebook trades with. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cli.h"
#include "time/tm.h"
#include "time/iv.h"
#include "wallet/wl_amount.h"
#include "server/ws_feed.h"
#include "server/ws_http.h"
#include "server/ws_keyfile.h"

static const char usage_line[] =
    "wallet-server --db FILE [--listen HOST:PORT] [--prices FILE|-"
    " [--price-field NAME] | --price N]"
    " [--threads N] [--max-connections N] [--max-per-address N]"
    " [--header-timeout S] [--stats[=S]] [--metrics FILE [--metrics-interval D]]"
    " | --db FILE user add ID [--euro N] [--key-file FILE]"
    " | --db FILE check";

static const char help[] =
    "usage: wallet-server --db FILE [options]    serve the API and the page\n"
    "       wallet-server --db FILE user add ID [--euro N] [--key-file FILE]\n"
    "       wallet-server --db FILE check        verify the ledger\n"
    "  -d, --db FILE            SQLite database (created if missing)\n"
    "  -l, --listen H:P         where to serve (default 127.0.0.1:8080; port 0:\n"
    "                           any free one); prints http://ADDRESS:PORT/\n"
    "      --prices FILE        follow NDJSON records as tail -F does ('-': stdin)\n"
    "      --price-field NAME   their price member (default euro_rate)\n"
    "      --price N            a fixed price in euro per bitcoin\n"
    "      --threads N          HTTP worker threads (default 4)\n"
    "      --max-connections N  connections open at once (default 4096)\n"
    "      --max-per-address N  ... from one IP address (default 64)\n"
    "      --header-timeout S   seconds to send a request's head (default 10)\n"
    "      --stats[=SECONDS]    counts on stderr at exit (and every SECONDS)\n"
    "      --metrics FILE       the counts for Prometheus, rewritten at exit\n"
    "      --metrics-interval D and every D (10s)\n"
    "      --euro N             user add: opening euro balance (default 10000)\n"
    "      --key-file FILE      user add: write the key to this new file (0600)\n"
    "  -h, --help, -V, --version\n";

static int
user_add(struct ws_store *st, const char *id, int64_t cents,
    const char *key_file)
{
	char key[WS_KEY_HEX + 1];
	struct eb e;
	int rc = CLI_OK;

	ws_key_new(key);
	/* the key file first: a wallet whose key was lost is no use */
	if (key_file && ws_keyfile_write(key_file, key, &e) != 0) {
		cli_warn("user add: %s", e.msg);
		rc = CLI_FAIL;
	} else if (ws_user_add(st, id, cents, key, &e) != 0) {
		cli_warn("user add: %s", e.msg);
		if (key_file)
			ws_keyfile_remove(key_file);
		rc = CLI_FAIL;
	} else if (key_file == NULL) {
		/* the only time the key is ever shown: the store keeps a
		 * hash */
		printf("%s\n", key);
		if (fflush(stdout) != 0) {
			cli_warn("stdout: write error");
			rc = CLI_FAIL;
		}
	}
	sodium_memzero(key, sizeof(key));
	return rc;
}

static int
check(struct ws_store *st)
{
	struct sb report = SB_INIT;
	struct eb e;
	int rc = ws_check(st, &report, &e);

	if (sb_failed(&report)) {
		sb_free(&report);
		cli_warn("check: out of memory");
		return CLI_FAIL;
	}
	if (report.len && (fwrite(report.buf, 1, report.len, stdout) !=
	    report.len || fflush(stdout) != 0)) {
		sb_free(&report);
		cli_warn("stdout: write error");
		return CLI_FAIL;
	}
	sb_free(&report);
	if (rc != 0)
		cli_warn("%s", e.msg);
	return rc == 0 ? CLI_OK : CLI_FAIL;
}

/* Until SIGINT or SIGTERM; meanwhile, the periodic --stats line and
 * --metrics file, from this thread while the workers count. */
static void
wait_for_stop(const sigset_t *sigs, struct cli_stats *stats)
{
	struct timespec ts;
	int ms, sig;

	while ((ms = cli_stats_wait_ms(stats)) >= 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		if (sigtimedwait(sigs, NULL, &ts) > 0)
			return;
		cli_stats_tick(stats);
	}
	sigwait(sigs, &sig);
}

/* What serving takes, from the command line. */
struct serving {
	const char *listen_on;
	const char *prices;	/* --prices FILE or "-", or NULL */
	const char *price_field;
	int64_t price_e8;	/* --price, or 0 */
	int threads;
	struct ws_limits limits;
};

static int
serve(struct ws_store *st, const struct serving *sv, struct cli_stats *stats)
{
	volatile sig_atomic_t stop = 0;
	struct ws_price price;
	struct ws_feed feed = { .price = &price, .path = sv->prices,
	    .field = sv->price_field, .stop = &stop };
	struct ws_http http = { .store = st, .price = &price,
	    .feed = sv->prices ? &feed : NULL, .limits = sv->limits,
	    .st = stats };
	struct eb e, warn;
	struct stat sb;
	sigset_t sigs;
	int rc = CLI_OK;

	if (sv->prices && strcmp(sv->prices, "-") != 0 &&
	    stat(sv->prices, &sb) == 0 && S_ISDIR(sb.st_mode))
		cli_die(CLI_FAIL, "--prices %s: is a directory", sv->prices);
	if (ws_price_init(&price, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	if (sv->price_e8)
		ws_price_set(&price, sv->price_e8, tm_now_us());
	/* every thread inherits the mask; only sigwait below sees them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sv->prices && ws_feed_start(&feed, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	if (ws_http_start(&http, sv->listen_on, sv->threads, &warn, &e) != 0) {
		cli_warn("%s", e.msg);
		rc = CLI_FAIL;
		goto out;
	}
	if (warn.msg[0])
		cli_warn("%s", warn.msg);
	/* the address as bound (the port --listen HOST:0 picked), for the
	 * scripts that start the server: WALLET_API is this line */
	printf("%s\n", http.url);
	if (fflush(stdout) != 0)
		cli_warn("stdout: write error: serving %s all the same", http.url);
	wait_for_stop(&sigs, stats);
	ws_http_stop(&http, 5000);
out:
	stop = 1;
	ws_feed_join(&feed);
	ws_price_free(&price);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "prices", required_argument, NULL, 'p' },
		{ "price", required_argument, NULL, 'P' },
		{ "price-field", required_argument, NULL, 'F' },
		{ "threads", required_argument, NULL, 't' },
		{ "euro", required_argument, NULL, 'e' },
		{ "stats", optional_argument, NULL, 'S' },
		CLI_METRICS_LONGOPTS,
		{ "key-file", required_argument, NULL, 'k' },
		{ "max-connections", required_argument, NULL, 'M' },
		{ "max-per-address", required_argument, NULL, 'A' },
		{ "header-timeout", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *euro = NULL, *key_file = NULL, *port;
	const char *stats = NULL;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct cli_stats counts;
	struct cli_metrics_opts mx = { 0 };
	char host[WS_HOST_MAX];
	int64_t cents = 0;
	struct serving sv = { .listen_on = "127.0.0.1:8080",
	    .threads = WS_THREADS_DEFAULT, .limits = { WS_CONNECTIONS_DEFAULT,
	    WS_PER_ADDRESS_DEFAULT, WS_HEADER_MS_DEFAULT } };
	const char *price_field = NULL;
	struct ws_store *st;
	struct eb e;
	int c, rc;

	cli_init("wallet-server", usage_line);
	while ((c = getopt_long(argc, argv, "d:l:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'l': sv.listen_on = optarg; break;
		case 'p': sv.prices = optarg; break;
		case 'P':
			if (ws_price_parse(optarg, &sv.price_e8, &e) != 0)
				cli_usage("--price: %s", e.msg);
			break;
		case 'F': price_field = optarg; break;
		case 't':
			sv.threads = (int)cli_parse_count("--threads", optarg, 1,
			    256);
			break;
		case 'e': euro = optarg; break;
		case 'S': stats = optarg ? optarg : ""; break;
		case CLI_OPT_METRICS:
		case CLI_OPT_METRICS_INTERVAL:
			cli_metrics_option(&mx, c, optarg);
			break;
		case 'k': key_file = optarg; break;
		case 'M':
			sv.limits.connections = (unsigned)cli_parse_count(
			    "--max-connections", optarg, 1, 1000000);
			break;
		case 'A':
			sv.limits.per_address = (unsigned)cli_parse_count(
			    "--max-per-address", optarg, 1, 1000000);
			break;
		case 'H':
			sv.limits.header_ms = cli_parse_timeout_ms("--header-timeout",
			    optarg);
			break;
		case 'h': cli_help(help);
		case 'V': cli_version();
		default: cli_bad_option(argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (db == NULL)
		cli_usage("--db is required");
	if (sv.prices && sv.price_e8)
		cli_usage("--prices and --price exclude each other");
	if (price_field && sv.prices == NULL)
		cli_usage("--price-field goes with --prices");
	if (price_field && *price_field == '\0')
		cli_usage("--price-field: empty");
	sv.price_field = price_field ? price_field : "euro_rate";
	if (argc == 3 && strcmp(argv[0], "user") == 0 && strcmp(argv[1], "add") == 0)
		;
	else if (argc == 1 && strcmp(argv[0], "check") == 0)
		;
	else if (argc != 0)
		cli_usage("unknown command '%s'", argv[0]);
	if (euro && argc != 3)
		cli_usage("--euro goes with user add");
	if (argc != 0 && (stats || mx.path || mx.every))
		cli_usage("--stats and --metrics go with serving");
	cli_metrics_check(&mx, iv_parse, (const struct cli_path[]){
	    { "--db", db } }, 1);
	if (key_file && argc != 3)
		cli_usage("--key-file goes with user add");
	if (sv.limits.per_address > sv.limits.connections)
		cli_usage("--max-per-address %u is more than --max-connections %u",
		    sv.limits.per_address, sv.limits.connections);
	/* every usage error before the database is created */
	if (argc == 3) {
		if (!ws_id_valid(argv[2]))
			cli_usage("user add: bad user id '%.80s': 1 to %d of"
			    " A-Z a-z 0-9 _ . : -", argv[2], WS_ID_MAX);
		if (euro == NULL)
			euro = "10000";
		if (wl_fixed_parse(euro, strlen(euro), 2, WS_EURO_MAX_CENTS,
		    &cents, &e) != 0)
			cli_usage("--euro: %s", e.msg);
	} else if (argc == 0 && ws_listen_parse(sv.listen_on, host, &port,
	    &e) != 0) {
		cli_usage("%s", e.msg);
	}
	if (stats != NULL)
		cli_stats_init(&counts, *stats ? stats : NULL);
	counts.lock = &lock;
	ws_http_stats_add(&counts);
	cli_metrics_start(&counts, &mx, iv_parse, NULL, 0);	/* checked */
	if (ws_store_open(&st, db, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	if (argc == 3)
		rc = user_add(st, argv[2], cents, key_file);
	else if (argc == 1)
		rc = check(st);
	else {
		rc = serve(st, &sv, &counts);
		cli_stats_final(&counts);
	}
	ws_store_close(st);
	return rc;
}
