#include <inttypes.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "time/tm.h"
#include "server/ws_chart.h"
#include "server/ws_page.h"

static const char *const colors[WS_CHART_SERIES] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
	"#ff7f0e", "#8c564b", "#e377c2", "#17becf",
};

static const char head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	"<meta http-equiv=\"refresh\" content=\"%d\">"
	"<title>kinpipe wallets</title><style>"
	"body{font-family:sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin-bottom:2em}"
	"th,td{border:1px solid #bbb;padding:.3em .8em;text-align:right}"
	"th{background:#eee}td.id{text-align:left}"
	".buy{color:#060}.sell{color:#a00}"
	"svg.chart{display:block;margin-bottom:1em}"
	"svg text{font:12px sans-serif;fill:#333}"
	"svg .title{font-weight:bold;font-size:13px}"
	"svg .ytick,svg .caption{text-anchor:end}svg .xtick{text-anchor:middle}"
	"svg .grid{stroke:#e4e4e4}svg .frame{fill:none;stroke:#999}"
	"svg .series{fill:none;stroke-width:2}"
	"</style></head><body>\n<h1>Bitcoin trading simulator</h1>\n";

/* One wallet, as the page needs it. */
struct wallet {
	char *user;
	int64_t sats, cents;	/* now */
	int64_t sats0, cents0;	/* when the chart begins */
	int64_t value;		/* cents, at the current price */
	int series;		/* its series in the chart, or -1 */
};

/* A ledger entry within the chart's time. */
struct entry {
	int wallet;
	int64_t t, sats, cents;
};

struct page {
	struct wallet *w;
	int nw;
	struct entry *en;
	int nen;
	struct sb trades;	/* the trades table, rendered under the lock */
};

static void
put_money(struct sb *h, int64_t cents)
{
	const char *sign = cents < 0 ? "-" : "";
	uint64_t a = cents < 0 ? -(uint64_t)cents : (uint64_t)cents;

	sb_printf(h, "%s%" PRIu64 ".%02" PRIu64, sign, a / 100, a % 100);
}

static void
put_btc(struct sb *h, int64_t sats)
{
	const char *sign = sats < 0 ? "-" : "";
	uint64_t a = sats < 0 ? -(uint64_t)sats : (uint64_t)sats;

	sb_printf(h, "%s%" PRIu64 ".%08" PRIu64, sign, a / 100000000,
	    a % 100000000);
}

/* A price in 1e-8 euro, to the nearest cent. */
static int64_t
price_cents(int64_t e8)
{
	return (e8 + 500000) / 1000000;
}

/* RFC 3339 in UTC, to the second. */
static void
put_time(struct sb *h, int64_t us)
{
	char buf[TM_RFC3339_MAX];

	sb_add(h, buf, tm_fmt_rfc3339(tm_floordiv(us, TM_US_PER_S) *
	    TM_US_PER_S, buf));
}

static int64_t
value_of(int64_t sats, int64_t cents, int64_t price_e8)
{
	/* what selling it all would bring */
	return cents + ws_trade_cents(sats, price_e8, WS_SELL);
}

static int
load_wallets(sqlite3 *db, struct page *pg)
{
	sqlite3_stmt *q;
	struct wallet *w;
	int rc, cap = 0;

	if (sqlite3_prepare_v2(db, "SELECT user_id, sats, cents FROM wallets"
	    " ORDER BY user_id", -1, &q, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *user = (const char *)sqlite3_column_text(q, 0);

		if (pg->nw == cap) {
			cap = cap ? 2 * cap : 16;
			w = realloc(pg->w, (size_t)cap * sizeof(*w));
			if (w == NULL)
				break;
			pg->w = w;
		}
		w = &pg->w[pg->nw];
		memset(w, 0, sizeof(*w));
		w->user = user ? strdup(user) : NULL;
		if (w->user == NULL)	/* out of memory, SQLite's or ours */
			break;
		w->sats = w->sats0 = sqlite3_column_int64(q, 1);
		w->cents = w->cents0 = sqlite3_column_int64(q, 2);
		w->series = -1;
		pg->nw++;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The first ledger id at or after time t0. Ids grow with time (each is
 * taken, and timed, under the store's lock), so a binary search over ids
 * finds it without an index on time. */
static int
first_id(sqlite3 *db, int64_t t0, int64_t *out)
{
	sqlite3_stmt *q;
	int64_t lo = 0, hi = INT64_MAX / 2, mid;
	int rc = SQLITE_OK;

	if (sqlite3_prepare_v2(db, "SELECT id, time_us FROM ledger WHERE id >= ?1"
	    " ORDER BY id LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return -1;
	/* invariant: every id below lo is before t0; from hi on, none is */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		sqlite3_bind_int64(q, 1, mid);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW && sqlite3_column_int64(q, 1) < t0)
			lo = sqlite3_column_int64(q, 0) + 1;
		else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			hi = mid;
		sqlite3_reset(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(q);
	*out = lo;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
by_user(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, ((const struct wallet *)b)->user);
}

/* The ledger from t0 on, and so every wallet's balances at t0. */
static int
load_entries(sqlite3 *db, int64_t t0, struct page *pg)
{
	sqlite3_stmt *q;
	struct entry *en;
	struct wallet *w;
	int64_t from;
	int rc, cap = 0;

	if (first_id(db, t0, &from) != 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT user_id, time_us, sats, cents"
	    " FROM ledger WHERE id >= ?1 ORDER BY id", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(q, 1, from);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *user = (const char *)sqlite3_column_text(q, 0);

		w = user ? bsearch(&user, pg->w, (size_t)pg->nw, sizeof(*pg->w),
		    by_user) : NULL;
		if (w == NULL)
			continue;	/* a wallet added since: not in the table */
		if (pg->nen == cap) {
			cap = cap ? 2 * cap : 256;
			en = realloc(pg->en, (size_t)cap * sizeof(*en));
			if (en == NULL)
				break;
			pg->en = en;
		}
		en = &pg->en[pg->nen++];
		en->wallet = (int)(w - pg->w);
		en->t = sqlite3_column_int64(q, 1);
		en->sats = sqlite3_column_int64(q, 2);
		en->cents = sqlite3_column_int64(q, 3);
		w->sats0 -= en->sats;
		w->cents0 -= en->cents;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
load_trades(sqlite3 *db, struct sb *h)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, time_us, user_id, kind, sats,"
	    " cents, price_e8 FROM ledger WHERE kind IN ('buy', 'sell')"
	    " ORDER BY id DESC LIMIT ?1", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(q, 1, WS_PAGE_TRADES);
	sb_adds(h, "<h2>Latest trades</h2>\n<table id=\"trades\"><tr><th>#</th>"
	    "<th>time (UTC)</th><th>user</th><th>side</th><th>bitcoin</th>"
	    "<th>price (euro)</th><th>euro</th></tr>\n");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(q, 3);
		const char *user = (const char *)sqlite3_column_text(q, 2);
		int64_t sats = sqlite3_column_int64(q, 4);
		int64_t cents = sqlite3_column_int64(q, 5);

		if (kind == NULL || user == NULL)	/* SQLite out of memory */
			break;
		sb_printf(h, "<tr class=\"%s\"><td>%lld</td><td>", kind,
		    (long long)sqlite3_column_int64(q, 0));
		put_time(h, sqlite3_column_int64(q, 1));
		sb_adds(h, "</td><td class=\"id\">");
		ws_put_html(h, user);
		sb_printf(h, "</td><td>%s</td><td>", kind);
		put_btc(h, sats < 0 ? -sats : sats);
		sb_adds(h, "</td><td>");
		put_money(h, price_cents(sqlite3_column_int64(q, 6)));
		sb_adds(h, "</td><td>");
		put_money(h, cents < 0 ? -cents : cents);
		sb_adds(h, "</td></tr>\n");
	}
	sb_adds(h, "</table>\n");
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
price_line(struct sb *h, struct ws_price *price, const struct ws_feed *feed)
{
	int64_t e8 = ws_price_get(price);
	uint64_t bad;

	sb_adds(h, "<p>Price: <b id=\"price\">");
	if (e8 > 0) {
		put_money(h, price_cents(e8));
		sb_adds(h, "</b> euro per bitcoin, updated <b id=\"updated\">");
		put_time(h, ws_price_updated(price));
		sb_adds(h, "</b>");
	} else {
		sb_adds(h, "none yet</b>");
	}
	if (feed) {
		sb_adds(h, " (from <code>");
		ws_put_html(h, feed->name);
		sb_adds(h, "</code>, member <code>");
		ws_put_html(h, feed->field);
		sb_adds(h, "</code>");
		bad = atomic_load(&feed->bad);
		if (bad)
			sb_printf(h, "; <span id=\"bad\">%" PRIu64 "</span> bad"
			    " record%s ignored", bad, bad == 1 ? "" : "s");
		sb_adds(h, ")");
	} else if (e8 > 0) {
		sb_adds(h, " (fixed by <code>--price</code>)");
	}
	sb_adds(h, "</p>\n");
}

static void
wallet_table(struct sb *h, const struct page *pg, int64_t e8)
{
	int i;

	sb_adds(h, "<h2>Wallets</h2>\n<table id=\"wallets\"><tr><th>user</th>"
	    "<th>bitcoin</th><th>euro</th><th>value (euro)</th></tr>\n");
	for (i = 0; i < pg->nw; i++) {
		const struct wallet *w = &pg->w[i];

		sb_adds(h, "<tr><td class=\"id\">");
		ws_put_html(h, w->user);
		sb_adds(h, "</td><td>");
		put_btc(h, w->sats);
		sb_adds(h, "</td><td>");
		put_money(h, w->cents);
		sb_adds(h, "</td><td>");
		if (e8 > 0)
			put_money(h, w->value);
		else
			sb_adds(h, "-");
		sb_adds(h, "</td></tr>\n");
	}
	sb_adds(h, "</table>\n");
}

static struct wallet *sort_base;

static int
by_value(const void *a, const void *b)
{
	const struct wallet *x = &sort_base[*(const int *)a];
	const struct wallet *y = &sort_base[*(const int *)b];

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return strcmp(x->user, y->user);
}

/* The price over time, and the value over time of the wallets worth the
 * most now (at most WS_CHART_SERIES of them). */
static void
charts(struct sb *h, struct page *pg, const struct ws_price_point *hist,
    int nh, const struct ws_frame *f)
{
	struct ws_series price = { .label = "price", .color = "#333" };
	struct ws_series ws[WS_CHART_SERIES];
	int *order = NULL, nd = 0, i, j, k;
	int64_t e8;

	memset(ws, 0, sizeof(ws));
	for (i = 0; i < nh; i++)
		ws_series_add(&price, f, hist[i].t_us, hist[i].e8 / 1e8);
	ws_chart_svg(h, "price-chart", "Price (euro per bitcoin)", f, &price, 1);
	ws_series_free(&price);
	if (pg->nw > 0 && (order = malloc((size_t)pg->nw * sizeof(*order)))) {
		for (i = 0; i < pg->nw; i++)
			order[i] = i;
		/* qsort passes the comparison no context: sort_base is
		 * guarded by hist_mu, held through the whole render */
		sort_base = pg->w;
		qsort(order, (size_t)pg->nw, sizeof(*order), by_value);
		nd = pg->nw < WS_CHART_SERIES ? pg->nw : WS_CHART_SERIES;
		for (i = 0; i < nd; i++) {
			pg->w[order[i]].series = i;
			ws[i].label = pg->w[order[i]].user;
			ws[i].color = colors[i];
		}
	}
	/* walk the price's steps and the ledger's entries in time order */
	e8 = hist[0].e8;
	for (i = 0; i < nd; i++) {
		struct wallet *w = &pg->w[order[i]];

		w->sats = w->sats0;
		w->cents = w->cents0;
		ws_series_add(&ws[i], f, f->t0, value_of(w->sats, w->cents,
		    e8) / 100.0);
	}
	for (j = 1, k = 0; j < nh || k < pg->nen;) {
		if (k >= pg->nen || (j < nh && hist[j].t_us <= pg->en[k].t)) {
			e8 = hist[j].e8;
			for (i = 0; i < nd; i++) {
				struct wallet *w = &pg->w[order[i]];

				ws_series_add(&ws[i], f, hist[j].t_us,
				    value_of(w->sats, w->cents, e8) / 100.0);
			}
			j++;
		} else {
			struct entry *en = &pg->en[k++];
			struct wallet *w = &pg->w[en->wallet];

			w->sats += en->sats;
			w->cents += en->cents;
			if (w->series >= 0)
				ws_series_add(&ws[w->series], f, en->t,
				    value_of(w->sats, w->cents, e8) / 100.0);
		}
	}
	ws_chart_svg(h, "value-chart", "Wallet value (euro, at the price then)",
	    f, ws, nd);
	if (pg->nw > nd)
		sb_printf(h, "<p>The chart shows the %d wallets worth the most;"
		    " %d more are in the table.</p>\n", nd, pg->nw - nd);
	for (i = 0; i < nd; i++)
		ws_series_free(&ws[i]);
	free(order);
}

static void
page_free(struct page *pg)
{
	int i;

	for (i = 0; i < pg->nw; i++)
		free(pg->w[i].user);
	free(pg->w);
	free(pg->en);
	sb_free(&pg->trades);
}

int
ws_page_render(struct ws_store *st, struct ws_price *price,
    const struct ws_feed *feed, struct sb *h, struct eb *e)
{
	static struct ws_price_point hist[WS_PRICE_HISTORY];
	static pthread_mutex_t hist_mu = PTHREAD_MUTEX_INITIALIZER;
	struct page pg = { 0 };
	struct ws_frame f = { 0, 0 };
	int64_t e8;
	sqlite3 *db;
	uint64_t mark;
	int nh, rc, i;

	/* the history is large: one copy, taken by one page at a time */
	pthread_mutex_lock(&hist_mu);
	nh = ws_price_history(price, hist, WS_PRICE_HISTORY);
	if (nh > 0) {
		f.t0 = hist[0].t_us;
		f.t1 = tm_now_us();
		if (f.t1 < f.t0 + TM_US_PER_S)
			f.t1 = f.t0 + TM_US_PER_S;
	}
	db = ws_store_lock(st);
	/* one snapshot for every query */
	rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	if (rc == 0)
		rc = load_wallets(db, &pg);
	if (rc == 0 && nh > 0)
		rc = load_entries(db, f.t0, &pg);
	if (rc == 0)
		rc = load_trades(db, &pg.trades);
	if (rc != 0)
		eb_set(e, "page: %s", sqlite3_errmsg(db));
	if (sqlite3_get_autocommit(db) == 0)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	mark = ws_store_mark(st);
	ws_store_unlock(st);
	/* shown only once durable, as every answer */
	if (rc == 0)
		rc = ws_store_settle(st, mark, e);
	if (rc == 0) {
		e8 = ws_price_get(price);
		for (i = 0; i < pg.nw; i++)
			pg.w[i].value = value_of(pg.w[i].sats, pg.w[i].cents, e8);
		sb_printf(h, head, WS_PAGE_REFRESH_S);
		price_line(h, price, feed);
		wallet_table(h, &pg, e8);
		sb_adds(h, "<h2>Over time</h2>\n");
		if (nh > 0)
			charts(h, &pg, hist, nh, &f);
		else
			sb_adds(h, "<p>No price yet: nothing to draw.</p>\n");
		sb_add(h, pg.trades.buf, pg.trades.len);
		sb_adds(h, "<p>kinpipe wallet-server</p></body></html>\n");
		if (sb_failed(&pg.trades))
			h->failed = 1;
	}
	pthread_mutex_unlock(&hist_mu);
	page_free(&pg);
	return rc;
}
