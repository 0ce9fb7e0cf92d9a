#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json/jx.h"
#include "time/tm.h"
#include "wallet/wl_amount.h"
#include "server/ws_store.h"
#include "server/ws_sync.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS wallets ("
	"  user_id TEXT PRIMARY KEY,"
	"  key_hash BLOB NOT NULL,"
	"  sats INTEGER NOT NULL CHECK (sats >= 0),"
	"  cents INTEGER NOT NULL CHECK (cents >= 0));"
	"CREATE TABLE IF NOT EXISTS ledger ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id TEXT NOT NULL REFERENCES wallets (user_id),"
	"  kind TEXT NOT NULL,"		/* open, buy, sell */
	"  sats INTEGER NOT NULL,"		/* signed change */
	"  cents INTEGER NOT NULL,"		/* signed change */
	"  price_e8 INTEGER,"
	"  order_id TEXT,"
	"  time_us INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS ledger_by_user ON ledger (user_id, id);"
	"CREATE TABLE IF NOT EXISTS orders ("
	"  user_id TEXT NOT NULL,"
	"  order_id TEXT NOT NULL,"
	"  side TEXT NOT NULL,"
	"  sats INTEGER NOT NULL,"
	"  ledger_id INTEGER NOT NULL,"
	"  response TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, order_id)) WITHOUT ROWID;";

enum {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_WALLET, Q_ORDER, Q_SET_BALANCE,
	Q_LEDGER_ADD, Q_ORDER_ADD, Q_HISTORY, Q_COUNT
};

static const char *const queries[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_WALLET] = "SELECT key_hash, sats, cents FROM wallets WHERE user_id = ?1",
	[Q_ORDER] = "SELECT side, sats, response FROM orders"
	    " WHERE user_id = ?1 AND order_id = ?2",
	[Q_SET_BALANCE] = "UPDATE wallets SET sats = ?2, cents = ?3"
	    " WHERE user_id = ?1",
	[Q_LEDGER_ADD] = "INSERT INTO ledger (user_id, kind, sats, cents,"
	    " price_e8, order_id, time_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_ORDER_ADD] = "INSERT INTO orders (user_id, order_id, side, sats,"
	    " ledger_id, response) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_HISTORY] = "SELECT id, kind, sats, cents, price_e8, order_id, time_us"
	    " FROM ledger WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2",
};

struct ws_store {
	sqlite3 *db;
	pthread_mutex_t mu;
	sqlite3_stmt *q[Q_COUNT];
	struct ws_sync sync;	/* what is answered is on disk */
};

static int
db_fail(struct ws_store *st, struct eb *e, const char *what)
{
	return eb_set(e, "%s: %s", what, sqlite3_errmsg(st->db));
}

int
ws_store_open(struct ws_store **out, const char *path, struct eb *e)
{
	struct ws_store *st;
	int i;

	if (sodium_init() < 0)
		return eb_set(e, "libsodium failed to initialise");
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return eb_set(e, "out of memory");
	if (pthread_mutex_init(&st->mu, NULL) != 0) {
		free(st);
		return eb_set(e, "cannot create the store's lock");
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		eb_set(e, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) :
		    "out of memory");
		ws_store_close(st);
		return -1;
	}
	/* WAL with synchronous=NORMAL: a commit writes the log without
	 * syncing it, and ws_sync syncs it for a batch of commits before any
	 * of them is answered (group commit): durable across a power loss,
	 * not only a kill -9, without a sync per trade under the lock. */
	sqlite3_busy_timeout(st->db, 5000);
	/* A trade changes four pages (its wallet, a ledger row, the ledger's
	 * index, an order row) and the WAL takes them whole, so the size of
	 * a page is most of what each sync writes: 2 KiB pages sync half
	 * the bytes of SQLite's default 4 KiB (measured: about 1.2x the
	 * trades a second). Only a new database takes it; an existing one
	 * keeps the size it was made with. */
	if (sqlite3_exec(st->db, "PRAGMA page_size = 2048;"
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(st, e, path);
		ws_store_close(st);
		return -1;
	}
	if (ws_sync_init(&st->sync, sqlite3_filename_wal(sqlite3_db_filename(
	    st->db, "main")), e) != 0) {
		ws_store_close(st);
		return -1;
	}
	for (i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, queries[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->q[i], NULL) != SQLITE_OK) {
			db_fail(st, e, path);
			ws_store_close(st);
			return -1;
		}
	}
	*out = st;
	return 0;
}

void
ws_store_close(struct ws_store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(st->q[i]);
	sqlite3_close(st->db);
	pthread_mutex_destroy(&st->mu);
	ws_sync_free(&st->sync);
	free(st);
}

int
ws_store_settle(struct ws_store *st, uint64_t mark, struct eb *e)
{
	return ws_sync_wait(&st->sync, mark, e);
}

uint64_t
ws_store_mark(struct ws_store *st)
{
	return ws_sync_mark(&st->sync);
}

void
ws_store_syncs(struct ws_store *st, uint64_t *commits, uint64_t *syncs)
{
	pthread_mutex_lock(&st->sync.mu);
	*syncs = st->sync.syncs;
	pthread_mutex_unlock(&st->sync.mu);
	*commits = ws_sync_mark(&st->sync);
}

struct sqlite3 *
ws_store_lock(struct ws_store *st)
{
	pthread_mutex_lock(&st->mu);
	return st->db;
}

void
ws_store_unlock(struct ws_store *st)
{
	pthread_mutex_unlock(&st->mu);
}

int
ws_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > WS_ID_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.:-") == n;
}

static void
put_fixed(struct sb *s, int64_t v, int decimals)
{
	char buf[WL_FIXED_MAX];

	sb_add(s, buf, wl_fixed_fmt(v, decimals, buf));
}

static void
hash_key(const char *key, unsigned char out[crypto_generichash_BYTES])
{
	/* The key is 160 random bits, so a fast hash is as strong as a slow
	 * one here: nobody can guess a preimage. */
	crypto_generichash(out, crypto_generichash_BYTES,
	    (const unsigned char *)key, strlen(key), NULL, 0);
}

static int
run_stmt(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	return rc;
}

void
ws_key_new(char key[WS_KEY_HEX + 1])
{
	unsigned char raw[WS_KEY_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(key, WS_KEY_HEX + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

int
ws_user_add(struct ws_store *st, const char *user_id, int64_t cents,
    const char *key, struct eb *e)
{
	unsigned char hash[crypto_generichash_BYTES];
	sqlite3_stmt *ins = NULL, *led = st->q[Q_LEDGER_ADD];
	uint64_t n = 0;
	int rc = -1;

	if (!ws_id_valid(user_id))
		return eb_set(e, "bad user id '%.80s': 1 to %d of A-Z a-z 0-9 _ . : -",
		    user_id, WS_ID_MAX);
	if (cents < 0 || cents > WS_EURO_MAX_CENTS)
		return eb_set(e, "bad euro amount");
	hash_key(key, hash);
	pthread_mutex_lock(&st->mu);
	if (run_stmt(st->q[Q_BEGIN]) != SQLITE_DONE) {
		db_fail(st, e, "begin");
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, "INSERT INTO wallets (user_id, key_hash,"
	    " sats, cents) VALUES (?1, ?2, 0, ?3)", -1, &ins, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(ins, 1, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 2, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, cents);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(st->db) ==
		    SQLITE_CONSTRAINT_PRIMARYKEY)
			eb_set(e, "user '%s' already exists", user_id);
		else
			db_fail(st, e, "add user");
		run_stmt(st->q[Q_ROLLBACK]);
		goto out;
	}
	/* the opening balance is the wallet's first ledger entry */
	sqlite3_bind_text(led, 1, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(led, 2, "open", -1, SQLITE_STATIC);
	sqlite3_bind_int64(led, 3, 0);
	sqlite3_bind_int64(led, 4, cents);
	sqlite3_bind_null(led, 5);
	sqlite3_bind_null(led, 6);
	sqlite3_bind_int64(led, 7, tm_now_us());
	if (run_stmt(led) != SQLITE_DONE)
		goto fail;
	if (run_stmt(st->q[Q_COMMIT]) != SQLITE_DONE)
		goto fail;
	n = ws_sync_committed(&st->sync);
	rc = 0;
	goto out;
fail:
	db_fail(st, e, "add user");
	run_stmt(st->q[Q_ROLLBACK]);
out:
	sqlite3_finalize(ins);
	pthread_mutex_unlock(&st->mu);
	if (rc == 0 && ws_sync_wait(&st->sync, n, e) != 0)
		rc = -1;
	return rc;
}

int64_t
ws_trade_cents(int64_t sats, int64_t price_e8, enum ws_side side)
{
	/* sats * price_e8 is in units of 1e-16 euro = 1e-14 cent; 128 bits
	 * hold any product of in-range values exactly. */
	const __int128 unit = (__int128)100000000000000LL;
	__int128 p = (__int128)sats * price_e8;
	__int128 c = p / unit;

	if (side == WS_BUY && p % unit != 0)
		c++;
	return (int64_t)c;
}

static void
put_trade_answer(struct sb *b, const struct ws_order *o, int64_t trade_id,
    int64_t cents, int64_t sats_after, int64_t cents_after)
{
	sb_adds(b, "{\"user_id\":");
	jx_put_cstr(b, o->user_id);
	if (o->order_id) {
		sb_adds(b, ",\"order_id\":");
		jx_put_cstr(b, o->order_id);
	}
	sb_adds(b, ",\"trade_id\":");
	jx_put_int(b, trade_id);
	sb_adds(b, o->side == WS_BUY ? ",\"side\":\"buy\"" : ",\"side\":\"sell\"");
	sb_adds(b, ",\"amount\":");
	put_fixed(b, o->sats, 8);
	sb_adds(b, ",\"price\":");
	put_fixed(b, o->price_e8, 8);
	sb_adds(b, ",\"value\":");
	put_fixed(b, cents, 2);
	sb_adds(b, ",\"bitcoin\":");
	put_fixed(b, sats_after, 8);
	sb_adds(b, ",\"euro\":");
	put_fixed(b, cents_after, 2);
	sb_addc(b, '}');
}

/* The wallet and its balances, checked against the key if one is given
 * (key not NULL). On a database failure, e says why. */
static enum ws_outcome
load_wallet(struct ws_store *st, const char *user_id, const char *key,
    int64_t *sats, int64_t *cents, struct eb *e)
{
	unsigned char want[crypto_generichash_BYTES];
	sqlite3_stmt *q = st->q[Q_WALLET];
	int ok = 0, rc;

	sqlite3_bind_text(q, 1, user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		ok = 1;
		if (key != NULL) {
			hash_key(key, want);
			ok = sqlite3_column_bytes(q, 0) == (int)sizeof(want) &&
			    sodium_memcmp(sqlite3_column_blob(q, 0), want,
			    sizeof(want)) == 0;
		}
		*sats = sqlite3_column_int64(q, 1);
		*cents = sqlite3_column_int64(q, 2);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_fail(st, e, "read wallet");
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return WS_DB_FAILURE;
	/* one outcome for both, so the API does not reveal which user ids
	 * exist to someone without a key */
	return ok ? WS_OK : WS_BAD_KEY;
}

/* With the transaction open: is the order id new (*replayed = 0), or the
 * id of this very order, whose original answer then goes to body
 * (*replayed = 1), or of a different one? */
static enum ws_outcome
replay_order(struct ws_store *st, const struct ws_order *o, struct sb *body,
    int *replayed, struct eb *e)
{
	sqlite3_stmt *q = st->q[Q_ORDER];
	enum ws_outcome out = WS_OK;
	const char *side, *answer;
	int rc;

	*replayed = 0;
	sqlite3_bind_text(q, 1, o->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, o->order_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		/* NULL here is SQLite out of memory: the columns are NOT NULL */
		side = (const char *)sqlite3_column_text(q, 0);
		answer = (const char *)sqlite3_column_text(q, 2);
		if (side == NULL || answer == NULL) {
			db_fail(st, e, "read order");
			out = WS_DB_ROLLED_BACK;
		} else if (strcmp(side, o->side == WS_BUY ? "buy" : "sell") == 0 &&
		    sqlite3_column_int64(q, 1) == o->sats) {
			sb_add(body, answer, (size_t)sqlite3_column_bytes(q, 2));
			*replayed = 1;
		} else {
			out = WS_ORDER_ID_REUSED;
		}
	} else if (rc != SQLITE_DONE) {
		db_fail(st, e, "read order");
		out = WS_DB_ROLLED_BACK;
	}
	sqlite3_reset(q);
	return out;
}

static enum ws_outcome
execute(struct ws_store *st, const struct ws_order *o, int64_t sats,
    int64_t cents, struct sb *body, struct eb *e)
{
	int64_t value = ws_trade_cents(o->sats, o->price_e8, o->side);
	sqlite3_stmt *q;
	int64_t id;
	size_t mark = body->len;

	if (o->side == WS_BUY) {
		if (value > cents)
			return WS_INSUFFICIENT_EURO;
		sats += o->sats;
		cents -= value;
	} else {
		if (o->sats > sats)
			return WS_INSUFFICIENT_BITCOIN;
		if (value > WS_EURO_MAX_CENTS - cents)
			return WS_EURO_TOO_LARGE;
		sats -= o->sats;
		cents += value;
	}
	if (sats > WL_SATS_MAX)
		return WS_BITCOIN_TOO_LARGE;
	q = st->q[Q_SET_BALANCE];
	sqlite3_bind_text(q, 1, o->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, sats);
	sqlite3_bind_int64(q, 3, cents);
	if (run_stmt(q) != SQLITE_DONE) {
		db_fail(st, e, "update wallet");
		return WS_DB_ROLLED_BACK;
	}
	q = st->q[Q_LEDGER_ADD];
	sqlite3_bind_text(q, 1, o->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, o->side == WS_BUY ? "buy" : "sell", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, o->side == WS_BUY ? o->sats : -o->sats);
	sqlite3_bind_int64(q, 4, o->side == WS_BUY ? -value : value);
	sqlite3_bind_int64(q, 5, o->price_e8);
	if (o->order_id)
		sqlite3_bind_text(q, 6, o->order_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 6);
	sqlite3_bind_int64(q, 7, tm_now_us());
	if (run_stmt(q) != SQLITE_DONE) {
		db_fail(st, e, "add to ledger");
		return WS_DB_ROLLED_BACK;
	}
	id = sqlite3_last_insert_rowid(st->db);
	put_trade_answer(body, o, id, value, sats, cents);
	if (sb_failed(body)) {
		eb_set(e, "out of memory");
		return WS_DB_ROLLED_BACK;
	}
	if (o->order_id) {
		q = st->q[Q_ORDER_ADD];
		sqlite3_bind_text(q, 1, o->user_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, o->order_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, o->side == WS_BUY ? "buy" : "sell", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, o->sats);
		sqlite3_bind_int64(q, 5, id);
		sqlite3_bind_text(q, 6, body->buf + mark, (int)(body->len - mark),
		    SQLITE_STATIC);
		if (run_stmt(q) != SQLITE_DONE) {
			db_fail(st, e, "record order");
			return WS_DB_ROLLED_BACK;
		}
	}
	return WS_OK;
}

enum ws_outcome
ws_trade_commit(struct ws_store *st, const struct ws_order *o, struct sb *body,
    uint64_t *mark, struct eb *e)
{
	int64_t sats = 0, cents = 0;
	size_t len = body->len;
	enum ws_outcome out;
	int replayed = 0;

	*mark = 0;
	/* after a failed sync nobody knows what the ledger holds: no
	 * definite answer, not even for the repeat of an order */
	if (ws_sync_broken(&st->sync, e))
		return WS_DB_FAILURE;
	pthread_mutex_lock(&st->mu);
	if (run_stmt(st->q[Q_BEGIN]) != SQLITE_DONE) {
		db_fail(st, e, "begin");
		pthread_mutex_unlock(&st->mu);
		return WS_DB_ROLLED_BACK;
	}
	out = load_wallet(st, o->user_id, o->access_key, &sats, &cents, e);
	if (out == WS_DB_FAILURE)
		out = WS_DB_ROLLED_BACK;
	if (out == WS_OK && o->order_id)
		out = replay_order(st, o, body, &replayed, e);
	if (out == WS_OK && !replayed)
		out = execute(st, o, sats, cents, body, e);
	if (out == WS_OK && !replayed && run_stmt(st->q[Q_COMMIT]) !=
	    SQLITE_DONE) {
		db_fail(st, e, "commit");
		out = WS_DB_ROLLED_BACK;
	}
	/* a replayed or refused order changed nothing; a failed one must
	 * leave nothing behind */
	if (sqlite3_get_autocommit(st->db) == 0)
		run_stmt(st->q[Q_ROLLBACK]);
	/* the commit's number, or for a refusal or a replay the number of
	 * the commits it was decided on: the answer waits for it, a refusal
	 * too (nothing to wait for if nothing was decided) */
	if (out != WS_DB_ROLLED_BACK)
		*mark = out == WS_OK && !replayed ?
		    ws_sync_committed(&st->sync) : ws_sync_mark(&st->sync);
	pthread_mutex_unlock(&st->mu);
	if (out != WS_OK)
		body->len = len;
	return out;
}

enum ws_outcome
ws_trade(struct ws_store *st, const struct ws_order *o, struct sb *body,
    struct eb *e)
{
	size_t len = body->len;
	enum ws_outcome out;
	uint64_t mark;

	out = ws_trade_commit(st, o, body, &mark, e);
	if (mark && ws_sync_wait(&st->sync, mark, e) != 0) {
		out = WS_DB_FAILURE;
		body->len = len;
	}
	return out;
}

int
ws_store_start(struct ws_store *st, struct eb *e)
{
	return ws_sync_start(&st->sync, e);
}

void
ws_store_stop(struct ws_store *st)
{
	ws_sync_stop(&st->sync);
}

int
ws_store_mark_durable(struct ws_store *st, uint64_t mark)
{
	return ws_sync_durable(&st->sync, mark);
}

int
ws_store_after(struct ws_store *st, uint64_t mark, ws_sync_cb *cb, void *arg,
    struct eb *e)
{
	return ws_sync_after(&st->sync, mark, cb, arg, e);
}

enum ws_outcome
ws_info(struct ws_store *st, const char *user_id, const char *access_key,
    struct sb *body, struct eb *e)
{
	int64_t sats = 0, cents = 0;
	enum ws_outcome out;
	uint64_t n;

	pthread_mutex_lock(&st->mu);
	out = load_wallet(st, user_id, access_key, &sats, &cents, e);
	n = ws_sync_mark(&st->sync);
	pthread_mutex_unlock(&st->mu);
	/* never show a balance that a power cut could still take back */
	if (out == WS_OK && ws_sync_wait(&st->sync, n, e) != 0)
		out = WS_DB_FAILURE;
	if (out != WS_OK)
		return out;
	/* the original simulator's shape: a one-element array */
	sb_adds(body, "[{\"user_id\":");
	jx_put_cstr(body, user_id);
	sb_adds(body, ",\"bitcoin\":");
	put_fixed(body, sats, 8);
	sb_adds(body, ",\"euro\":");
	put_fixed(body, cents, 2);
	sb_adds(body, "}]");
	return WS_OK;
}

enum ws_outcome
ws_history(struct ws_store *st, const char *user_id, const char *access_key,
    int limit, struct sb *body, struct eb *e)
{
	sqlite3_stmt *q = st->q[Q_HISTORY];
	char when[TM_RFC3339_MAX];
	enum ws_outcome out;
	size_t mark = body->len;
	const char *kind, *order_id;
	int64_t sats, cents;
	uint64_t n;
	int rc, first = 1, has_order_id;

	pthread_mutex_lock(&st->mu);
	/* the message belongs to this connection, which the next thread in
	 * may overwrite: load_wallet reads it before the lock goes */
	out = load_wallet(st, user_id, access_key, &sats, &cents, e);
	if (out != WS_OK) {
		pthread_mutex_unlock(&st->mu);
		return out;
	}
	sqlite3_bind_text(q, 1, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, limit);
	sb_addc(body, '[');
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* a NULL text where the value is not NULL is SQLite out of
		 * memory */
		kind = (const char *)sqlite3_column_text(q, 1);
		has_order_id = sqlite3_column_type(q, 5) != SQLITE_NULL;
		order_id = (const char *)sqlite3_column_text(q, 5);
		if (kind == NULL || (has_order_id && order_id == NULL))
			break;
		sb_adds(body, first ? "{\"trade_id\":" : ",{\"trade_id\":");
		first = 0;
		jx_put_int(body, sqlite3_column_int64(q, 0));
		sb_adds(body, ",\"time\":");
		sb_addc(body, '"');
		sb_add(body, when, tm_fmt_rfc3339(sqlite3_column_int64(q, 6), when));
		sb_adds(body, "\",\"kind\":");
		jx_put_cstr(body, kind);
		sb_adds(body, ",\"bitcoin\":");
		put_fixed(body, sqlite3_column_int64(q, 2), 8);
		sb_adds(body, ",\"euro\":");
		put_fixed(body, sqlite3_column_int64(q, 3), 2);
		if (sqlite3_column_type(q, 4) != SQLITE_NULL) {
			sb_adds(body, ",\"price\":");
			put_fixed(body, sqlite3_column_int64(q, 4), 8);
		}
		if (has_order_id) {
			sb_adds(body, ",\"order_id\":");
			jx_put_cstr(body, order_id);
		}
		sb_addc(body, '}');
	}
	sb_addc(body, ']');
	if (rc != SQLITE_DONE) {
		db_fail(st, e, "read ledger");
		out = WS_DB_FAILURE;
	}
	sqlite3_reset(q);
	n = ws_sync_mark(&st->sync);
	pthread_mutex_unlock(&st->mu);
	if (out == WS_OK && ws_sync_wait(&st->sync, n, e) != 0)
		out = WS_DB_FAILURE;
	if (out != WS_OK)
		body->len = mark;
	return out;
}

/* Run a query whose every row is a problem, described by its first column. */
static int
problems(sqlite3 *db, const char *sql, struct sb *report, int *count,
    struct eb *e)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return eb_set(e, "check: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *what = (const char *)sqlite3_column_text(q, 0);

		if (what == NULL)	/* SQLite out of memory */
			break;
		sb_adds(report, what);
		sb_addc(report, '\n');
		(*count)++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return eb_set(e, "check: %s", sqlite3_errmsg(db));
	return 0;
}

int
ws_check(struct ws_store *st, struct sb *report, struct eb *e)
{
	static const char *const checks[] = {
		"SELECT 'wallet ' || w.user_id || ': balance ' || w.sats ||"
		" ' sats ' || w.cents || ' cents, ledger sums to ' ||"
		" COALESCE(SUM(l.sats), 0) || ' sats ' || COALESCE(SUM(l.cents), 0)"
		" || ' cents' FROM wallets w LEFT JOIN ledger l USING (user_id)"
		" GROUP BY w.user_id HAVING w.sats != COALESCE(SUM(l.sats), 0)"
		" OR w.cents != COALESCE(SUM(l.cents), 0)",
		"SELECT 'wallet ' || user_id || ': negative balance' FROM wallets"
		" WHERE sats < 0 OR cents < 0",
		"SELECT 'ledger entry ' || id || ': no wallet ' || user_id"
		" FROM ledger WHERE user_id NOT IN (SELECT user_id FROM wallets)",
		"SELECT 'order ' || o.user_id || '/' || o.order_id ||"
		" ': no matching ledger entry' FROM orders o LEFT JOIN ledger l"
		" ON l.id = o.ledger_id AND l.user_id = o.user_id AND"
		" l.order_id = o.order_id WHERE l.id IS NULL",
		"SELECT 'integrity: ' || quick_check FROM pragma_quick_check"
		" WHERE quick_check != 'ok'",
	};
	sqlite3_stmt *q;
	int64_t n[3] = { 0, 0, 0 };
	int count = 0, rc = 0, i;

	pthread_mutex_lock(&st->mu);
	if (run_stmt(st->q[Q_BEGIN]) != SQLITE_DONE) {
		db_fail(st, e, "check");
		pthread_mutex_unlock(&st->mu);
		return -1;
	}
	for (i = 0; i < (int)(sizeof(checks) / sizeof(checks[0])) && rc == 0; i++)
		rc = problems(st->db, checks[i], report, &count, e);
	if (rc == 0 && sqlite3_prepare_v2(st->db, "SELECT (SELECT COUNT(*) FROM"
	    " wallets), (SELECT COUNT(*) FROM ledger), (SELECT COUNT(*) FROM"
	    " orders)", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			for (i = 0; i < 3; i++)
				n[i] = sqlite3_column_int64(q, i);
		sqlite3_finalize(q);
	}
	run_stmt(st->q[Q_ROLLBACK]);
	pthread_mutex_unlock(&st->mu);
	if (rc != 0)
		return -1;
	sb_printf(report, "%s: %" PRId64 " wallets, %" PRId64 " ledger entries,"
	    " %" PRId64 " orders\n", count ? "FAILED" : "ok", n[0], n[1], n[2]);
	if (count)
		return eb_set(e, "check: %d problem%s", count, count == 1 ? "" : "s");
	return 0;
}
