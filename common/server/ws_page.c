#include <sqlite3.h>

#include "time/tm.h"
#include "wallet/wl_amount.h"
#include "server/ws_page.h"

static void
put_html(struct sb *s, const char *p)
{
	for (; p && *p; p++) {
		switch (*p) {
		case '<': sb_adds(s, "&lt;"); break;
		case '>': sb_adds(s, "&gt;"); break;
		case '&': sb_adds(s, "&amp;"); break;
		case '"': sb_adds(s, "&quot;"); break;
		case '\'': sb_adds(s, "&#39;"); break;
		default: sb_addc(s, *p);
		}
	}
}

static void
put_fixed(struct sb *s, int64_t v, int decimals)
{
	char buf[WL_FIXED_MAX];

	sb_add(s, buf, wl_fixed_fmt(v, decimals, buf));
}

static const char head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	"<meta http-equiv=\"refresh\" content=\"%d\">"
	"<title>kinpipe wallets</title><style>"
	"body{font-family:sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin-bottom:2em}"
	"th,td{border:1px solid #bbb;padding:.3em .8em;text-align:right}"
	"th{background:#eee}td.id{text-align:left}"
	".buy{color:#060}.sell{color:#a00}"
	"</style></head><body>\n<h1>Bitcoin trading simulator</h1>\n";

static int
wallets(sqlite3 *db, int64_t price_e8, struct sb *h)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT user_id, sats, cents FROM wallets"
	    " ORDER BY user_id", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sb_adds(h, "<h2>Wallets</h2>\n<table id=\"wallets\"><tr><th>user</th>"
	    "<th>bitcoin</th><th>euro</th><th>value (euro)</th></tr>\n");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *user = (const char *)sqlite3_column_text(q, 0);
		int64_t sats = sqlite3_column_int64(q, 1);
		int64_t cents = sqlite3_column_int64(q, 2);

		if (user == NULL)	/* SQLite out of memory */
			break;
		sb_adds(h, "<tr><td class=\"id\">");
		put_html(h, user);
		sb_adds(h, "</td><td>");
		put_fixed(h, sats, 8);
		sb_adds(h, "</td><td>");
		put_fixed(h, cents, 2);
		sb_adds(h, "</td><td>");
		if (price_e8 > 0)	/* what selling it all would bring */
			put_fixed(h, cents + ws_trade_cents(sats, price_e8,
			    WS_SELL), 2);
		else
			sb_adds(h, "-");
		sb_adds(h, "</td></tr>\n");
	}
	sb_adds(h, "</table>\n");
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
trades(sqlite3 *db, struct sb *h)
{
	char when[TM_RFC3339_MAX];
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, time_us, user_id, kind, sats,"
	    " cents, price_e8 FROM ledger WHERE kind IN ('buy', 'sell')"
	    " ORDER BY id DESC LIMIT ?1", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(q, 1, WS_PAGE_TRADES);
	sb_adds(h, "<h2>Latest trades</h2>\n<table id=\"trades\"><tr><th>#</th>"
	    "<th>time</th><th>user</th><th>side</th><th>bitcoin</th>"
	    "<th>price</th><th>euro</th></tr>\n");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(q, 3);
		const char *user = (const char *)sqlite3_column_text(q, 2);
		int64_t sats = sqlite3_column_int64(q, 4);
		int64_t cents = sqlite3_column_int64(q, 5);

		if (kind == NULL || user == NULL)	/* SQLite out of memory */
			break;
		sb_printf(h, "<tr class=\"%s\"><td>%lld</td><td>", kind,
		    (long long)sqlite3_column_int64(q, 0));
		sb_add(h, when, tm_fmt_rfc3339(sqlite3_column_int64(q, 1), when));
		sb_adds(h, "</td><td class=\"id\">");
		put_html(h, user);
		sb_printf(h, "</td><td>%s</td><td>", kind);
		put_fixed(h, sats < 0 ? -sats : sats, 8);
		sb_adds(h, "</td><td>");
		put_fixed(h, sqlite3_column_int64(q, 6), 8);
		sb_adds(h, "</td><td>");
		put_fixed(h, cents < 0 ? -cents : cents, 2);
		sb_adds(h, "</td></tr>\n");
	}
	sb_adds(h, "</table>\n");
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
ws_page_render(struct ws_store *st, int64_t price_e8, struct sb *h,
    struct eb *e)
{
	sqlite3 *db;
	int rc;

	sb_printf(h, head, WS_PAGE_REFRESH_S);
	sb_adds(h, "<p>Price: <b id=\"price\">");
	if (price_e8 > 0) {
		put_fixed(h, price_e8, 8);
		sb_adds(h, "</b> euro per bitcoin</p>\n");
	} else {
		sb_adds(h, "none yet</b></p>\n");
	}
	db = ws_store_lock(st);
	rc = wallets(db, price_e8, h);
	if (rc == 0)
		rc = trades(db, h);
	if (rc != 0)
		eb_set(e, "page: %s", sqlite3_errmsg(db));
	ws_store_unlock(st);
	sb_adds(h, "<p>kinpipe wallet-server</p></body></html>\n");
	return rc;
}
