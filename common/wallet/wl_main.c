#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include <math.h>

#include "base/cli.h"
#include "json/jx.h"
#include "base/nd.h"
#include "json/prov.h"
#include "json/rec.h"
#include "wallet/wl_amount.h"
#include "wallet/wl_main.h"
#include "wallet/wl_order.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct trade_opts {
	const char *side, *amount, *order_id;
	struct wl_flags flags;
	long connect_ms, max_ms;
	int retries;
	enum cli_on_error on_error;
	const char *stats;	/* --stats given: its argument or "" */
	struct cli_metrics_opts mx;
};

/* The extra --stats counters, in the order they are added. */
enum { WL_STAT_PLACED, WL_STAT_REJECTED, WL_STAT_FAILED };

static const char help_fmt[] =
    "usage: wallet-%s [options] [AMOUNT]\n"
    "       ... | wallet-%s [options]\n"
    "       (stdin: NDJSON orders {\"amount\":A[,\"order_id\":ID]})\n"
    "      --amount A          bitcoin to %s (plain decimal, at most 8 decimals)\n"
    "      --order-id ID       client order id of a single order (default: random)\n"
    "      --api URL           API base (WALLET_API)\n"
    "  -u, --user ID           user id (WALLET_USER_ID)\n"
    "      --config FILE       config file\n"
    "                          (default $XDG_CONFIG_HOME/kinpipe/wallet.conf)\n"
    "      --access-key-file F file holding the access key (WALLET_ACCESS_KEY[_FILE])\n"
    "      --connect-timeout S seconds to connect (default 5)\n"
    "  -m, --max-time S        seconds for a whole request (default 30)\n"
    "      --retries N         retries of a request that may be retried (default 3)\n"
    "      --on-error=fail|skip|null\n"
    "                          a bad order line: stop, skip it, or print an\n"
    "                          error line\n"
    "      --stats[=SECONDS]   counts on stderr at exit (and every SECONDS)\n"
    "      --metrics FILE      the counts for Prometheus, rewritten at exit\n"
    "      --metrics-interval D  and every D (10s)\n"
    "  -h, --help, -V, --version\n"
    "exit: 0 done, 1 rejected by the server or a bad order line, 2 usage,\n"
    "      3 unreachable or no definite answer\n";

static void
parse(int argc, char **argv, struct trade_opts *o)
{
	static const struct option opts[] = {
		{ "amount", required_argument, NULL, 'a' },
		{ "order-id", required_argument, NULL, 'o' },
		{ "api", required_argument, NULL, 'A' },
		{ "user", required_argument, NULL, 'u' },
		{ "config", required_argument, NULL, 'c' },
		{ "access-key-file", required_argument, NULL, 'K' },
		{ "connect-timeout", required_argument, NULL, 'C' },
		{ "max-time", required_argument, NULL, 'm' },
		{ "retries", required_argument, NULL, 'r' },
		{ "on-error", required_argument, NULL, 'e' },
		{ "stats", optional_argument, NULL, 'S' },
		CLI_METRICS_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char help[sizeof(help_fmt) + 32];
	int c;

	while ((c = getopt_long(argc, argv, "u:m:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'a': o->amount = optarg; break;
		case 'o': o->order_id = optarg; break;
		case 'A': o->flags.api = optarg; break;
		case 'u': o->flags.user_id = optarg; break;
		case 'c': o->flags.config = optarg; break;
		case 'K': o->flags.key_file = optarg; break;
		case 'C':
			o->connect_ms = cli_parse_timeout_ms("--connect-timeout", optarg);
			break;
		case 'm':
			o->max_ms = cli_parse_timeout_ms("--max-time", optarg);
			break;
		case 'r':
			o->retries = (int)cli_parse_count("--retries", optarg, 0, 10);
			break;
		case 'e':
			if (cli_parse_on_error(optarg, &o->on_error) != 0)
				cli_usage("--on-error: want fail, skip or null, got '%s'", optarg);
			break;
		case 'S': o->stats = optarg ? optarg : ""; break;
		case CLI_OPT_METRICS:
		case CLI_OPT_METRICS_INTERVAL:
			cli_metrics_option(&o->mx, c, optarg);
			break;
		case 'h':
			snprintf(help, sizeof(help), help_fmt, o->side, o->side, o->side);
			cli_help(help);
		case 'V': cli_version();
		default: cli_bad_option(argv);
		}
	}
	if (optind < argc) {
		if (o->amount != NULL)
			cli_usage("give the amount once: as an argument or with --amount");
		o->amount = argv[optind++];
	}
	if (optind < argc)
		cli_usage("unexpected argument '%s'", argv[optind]);
	if (o->order_id && !wl_order_id_valid(o->order_id))
		cli_usage("--order-id: want 1 to 64 of A-Z a-z 0-9 _ . : -");
	if (o->order_id && o->amount == NULL)
		cli_usage("--order-id goes with a single AMOUNT");
}

/* One order: place it, print its line; returns its WL_EXIT_* status. */
/* Standard output failed. When its reader has left, end as a filter
 * ends (SIGPIPE, 141), saying first what was done and cannot be reported;
 * any other failure is a runtime failure. */
static _Noreturn void
output_failed(const char *placed_order_id)
{
	if (errno != EPIPE)
		cli_die(CLI_FAIL, "stdout: write error: %s", strerror(errno));
	if (placed_order_id != NULL)
		cli_warn("standard output closed by its reader: order %s was "
		    "placed, but its answer (and any not yet written before "
		    "it) did not arrive: see the server's history",
		    placed_order_id);
	cli_die_output_gone();
}

static int
place(struct wl_client *c, struct nd_writer *w, const char *side, int64_t sats,
    const char *order_id, int retries, struct cli_stats *st)
{
	struct wl_order o = { side, sats, order_id };
	struct eb e;
	int rc;

	cli_stats_batch_begin(st);	/* an order is a batch of one */
	/* no trade whose answer could not be delivered */
	if (cli_output_gone()) {
		if (nd_buf(w)->len > 0)
			cli_warn("standard output closed by its reader: the "
			    "answers of the orders before %s did not arrive: "
			    "see the server's history", order_id);
		cli_warn("standard output closed by its reader: order %s "
		    "and those after it not placed", order_id);
		cli_die_output_gone();
	}
	rc = wl_place(c, &o, retries, nd_buf(w), &e);

	/* 1 is also a failure here, before any answer: only a 4xx is the
	 * server's refusal */
	if (rc != WL_EXIT_OK)
		cli_warn("order %s: %s%s", order_id, rc == WL_EXIT_REJECTED &&
		    c->status >= 400 ? "rejected: " : "", e.msg);
	st->extra[rc == WL_EXIT_OK ? WL_STAT_PLACED : rc == WL_EXIT_REJECTED &&
	    c->status >= 400 ? WL_STAT_REJECTED : WL_STAT_FAILED]++;
	/* a trade's answer goes out as soon as the trade is done, not with
	 * a batch: it is what a script acts on, and what is lost if this
	 * process dies */
	if (nd_end(w) != 0 || nd_flush(w) != 0)
		output_failed(order_id);
	st->emitted++;
	cli_stats_batch_end(st);
	return rc;
}

/* The amount of an order line as wl_amount_from_json takes it. A number
 * beyond a double's range is valid JSON (kinpipe(7)) and far too large
 * an amount: said so, not refused as "not JSON". */
static int
amount_of(const struct rec_member *m, struct sb *text, int64_t *sats,
    struct eb *e)
{
	json_t *v;
	int64_t i;
	double d;
	int rc;

	if (m->type == REC_STRING) {
		sb_reset(text);
		rec_string_decode(m->val, text);
		return wl_amount_parse(text->buf ? text->buf : "", text->len,
		    sats, e);
	}
	if (m->type != REC_NUMBER)
		return eb_set(e, "bad amount: not a number");
	if (m->num_int && rec_int64(m->val, &i) == 0) {
		v = json_integer(i);
	} else {
		d = rec_number(m->val);
		if (!isfinite(d))
			return eb_set(e, "bad amount '%.*s': %s",
			    m->val.n > 40 ? 40 : (int)m->val.n, m->val.p,
			    d > 0 ? "too large" : "not positive");
		v = json_real(d);
	}
	if (v == NULL)
		return eb_set(e, "out of memory");
	rc = wl_amount_from_json(v, sats, e);
	json_decref(v);
	return rc;
}

/* An order line: {"amount":A} with an optional "order_id". Validated as
 * every record of the suite is (rec); a key given twice makes the order
 * ambiguous and is refused. where gets the record's provenance. */
static int
order_line(const struct nd_line *l, struct rec *r, struct sb *text,
    int64_t *sats, char id[WL_ORDER_ID_MAX + 1], struct sb *where,
    struct eb *e)
{
	const struct rec_member *m, *oid;
	enum rec_type type;
	struct eb why;

	sb_reset(where);
	if (rec_parse_object(r, l->p, l->len, &why) != 0) {
		if (rec_validate(l->p, l->len, &type, e) == 0)
			return eb_set(e, "not an object");
		return eb_set(e, "not JSON: %s", why.msg);
	}
	prov_describe(r, where);
	if ((m = rec_duplicate(r, text)) != NULL)
		return eb_set(e, "key '%.*s' given twice",
		    m->key.n > 64 ? 64 : (int)m->key.n, m->key.p);
	if ((m = rec_get(r, "amount", 6)) == NULL)
		return eb_set(e, "no amount");
	if (amount_of(m, text, sats, e) != 0)
		return -1;
	oid = rec_get(r, "order_id", 8);
	if (oid != NULL) {
		sb_reset(text);
		if (oid->type == REC_STRING)
			rec_string_decode(oid->val, text);
		if (oid->type != REC_STRING || sb_cstr(text) == NULL ||
		    strlen(text->buf) != text->len ||
		    !wl_order_id_valid(text->buf))
			return eb_set(e, "bad order_id: want a string of 1 to "
			    "64 of A-Z a-z 0-9 _ . : -");
		strcpy(id, text->buf);
	} else {
		wl_order_id_new(id);
	}
	return 0;
}

static int
stream(struct wl_client *c, struct nd_writer *w, const struct trade_opts *o,
    struct cli_stats *st)
{
	char id[WL_ORDER_ID_MAX + 1];
	struct nd_reader r;
	struct nd_line l;
	struct rec rec;
	struct sb text = SB_INIT, where = SB_INIT;
	struct eb e;
	int64_t sats;
	int worst = WL_EXIT_OK, rc;

	if (nd_reader_init(&r, 0, "<stdin>") != 0)
		cli_die(CLI_FAIL, "out of memory");
	rec_init(&rec);
	while (!stop) {
		enum nd_status s = nd_read(&r, &l, cli_stats_wait_ms(st), &e);

		if (s == ND_EOF)
			break;
		if (s == ND_TIMEOUT)
			cli_stats_tick(st);
		if (s == ND_ERROR)
			cli_die(CLI_FAIL, "%s", e.msg);
		if (s == ND_IDLE && nd_flush(w) != 0)
			output_failed(NULL);
		if (s != ND_LINE)
			continue;
		st->read++;
		cli_stats_batch_begin(st);
		if (order_line(&l, &rec, &text, &sats, id, &where, &e) != 0) {
			const char *at = where.len && !sb_failed(&where) ?
			    sb_cstr(&where) : "";

			cli_warn("<stdin>:%llu%s: %s", (unsigned long long)l.lineno,
			    at ? at : "", e.msg);
			if (o->on_error == ON_ERROR_FAIL) {
				/* bad data, as for every tool: 1 */
				worst = WL_EXIT_FAILED;
				break;
			}
			if (o->on_error == ON_ERROR_NULL) {
				sb_adds(nd_buf(w), "{\"line\":");
				jx_put_int(nd_buf(w), (int64_t)l.lineno);
				sb_adds(nd_buf(w), ",\"error\":");
				jx_put_cstr(nd_buf(w), e.msg);
				sb_addc(nd_buf(w), '}');
				if (nd_end(w) != 0)
					output_failed(NULL);
				st->nulled++;
				st->emitted++;
			} else
				st->skipped++;
			cli_stats_batch_drop(st);
			continue;
		}
		rc = place(c, w, o->side, sats, id, o->retries, st);
		if (rc == WL_EXIT_UNREACHABLE) {
			/* the server is gone: do not fire the rest at it */
			worst = rc;
			break;
		}
		if (rc > worst)
			worst = rc;
	}
	nd_reader_free(&r);
	rec_free(&rec);
	sb_free(&text);
	sb_free(&where);
	return worst;
}

int
wl_trade_main(int argc, char **argv, const char *side,
    cli_duration_fn *duration)
{
	struct trade_opts o = { .side = side, .connect_ms = WL_CONNECT_MS_DEFAULT,
	    .max_ms = WL_MAX_MS_DEFAULT, .retries = WL_RETRIES_DEFAULT,
	    .on_error = ON_ERROR_FAIL };
	char usage[160], name[16], id[WL_ORDER_ID_MAX + 1];
	struct sigaction sa = { .sa_handler = on_signal };
	struct wl_config cfg;
	struct wl_client c;
	struct nd_writer w;
	struct cli_stats st = { 0 };
	struct eb e;
	int64_t sats = 0;
	int rc;

	snprintf(name, sizeof(name), "wallet-%s", side);
	snprintf(usage, sizeof(usage), "wallet-%s [--api URL] [--user ID]"
	    " [--config FILE] [--amount] AMOUNT | ... | wallet-%s", side, side);
	cli_init(name, usage);
	parse(argc, argv, &o);
	/* validated before anything is sent */
	if (o.amount && wl_amount_parse(o.amount, strlen(o.amount), &sats, &e) != 0)
		cli_usage("%s", e.msg);
	rc = wl_config_load(&cfg, &o.flags, 1, &e);
	if (rc == WL_CONFIG_NOMEM)
		cli_die(CLI_FAIL, "%s", e.msg);
	if (rc != WL_CONFIG_OK)
		cli_usage("%s", e.msg);
	if (o.stats)
		cli_stats_init(&st, *o.stats ? o.stats : NULL);
	cli_stats_add_metric(&st, "placed",
	    "kinpipe_wallet_orders_placed_total",
	    "Orders the server executed (or had: a repeated order_id).");
	cli_stats_add_metric(&st, "rejected",
	    "kinpipe_wallet_orders_rejected_total",
	    "Orders the server refused (a 4xx answer).");
	cli_stats_add_metric(&st, "failed",
	    "kinpipe_wallet_orders_failed_total",
	    "Orders with no definite answer, or that failed before one.");
	cli_metrics_start(&st, &o.mx, duration, NULL, 0);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (sodium_init() < 0 || wl_client_init(&c, &cfg, o.connect_ms, o.max_ms,
	    &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	nd_writer_init(&w, 1, 0);
	if (o.amount) {
		if (o.order_id == NULL)
			wl_order_id_new(id);
		st.read++;
		rc = place(&c, &w, side, sats, o.order_id ? o.order_id : id,
		    o.retries, &st);
	} else {
		rc = stream(&c, &w, &o, &st);
	}
	if (nd_writer_close(&w) != 0) {
		if (errno == EPIPE && rc == WL_EXIT_OK)
			output_failed(o.amount ? (o.order_id ? o.order_id : id) :
			    "(the last)");
		cli_warn("stdout: write error: %s", strerror(errno));
		if (rc == WL_EXIT_OK)
			rc = CLI_FAIL;
	}
	cli_stats_final(&st);
	wl_client_free(&c);
	wl_config_free(&cfg);
	return rc;
}
