/* ws_store: wallet-server's SQLite store. Three tables: wallets (the
 * balances), ledger (every movement of money, signed, so that per wallet
 * the ledger sums to the balance) and orders (client order ids and the
 * answer each got, so a repeated order is answered, not executed again).
 * Money is integer end to end: satoshis and cents.
 *
 * One connection serves every thread, behind one mutex: SQLite writes one
 * transaction at a time anyway, and this makes the read-check-write of a
 * trade atomic without relying on busy retries. Nothing is answered
 * before the commits it rests on are on disk (ws_sync: one sync of the
 * write-ahead log for every batch of trades that commit while the one
 * before is syncing). */
#ifndef KP_WS_STORE_H
#define KP_WS_STORE_H

#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"
#include "server/ws_sync.h"

struct ws_store;
struct sqlite3;

/* An access key: 20 random bytes (160 bits) as 40 hex digits. */
#define WS_KEY_BYTES 20
#define WS_KEY_HEX (2 * WS_KEY_BYTES)
#define WS_ID_MAX 64		/* longest user id or order id */
#define WS_EURO_MAX_CENTS 100000000000000LL	/* 1e12 euro */

enum ws_side { WS_BUY, WS_SELL };

struct ws_order {
	const char *user_id;
	const char *access_key;
	const char *order_id;	/* NULL: none given */
	enum ws_side side;
	int64_t sats;
	int64_t price_e8;	/* euro per bitcoin, in units of 1e-8 euro */
};

int ws_store_open(struct ws_store **out, const char *path, struct eb *e);
void ws_store_close(struct ws_store *st);

/* A valid user or order id: 1 to WS_ID_MAX of [A-Za-z0-9_.:-]. */
int ws_id_valid(const char *s);

/* A new access key: WS_KEY_BYTES from libsodium's generator, in hex. */
void ws_key_new(char key[WS_KEY_HEX + 1]);
/* Create a wallet with `cents` euros and the access key `key`, of which
 * only a hash is kept. */
int ws_user_add(struct ws_store *st, const char *user_id, int64_t cents,
    const char *key, struct eb *e);

/* The euro value of a trade in cents, rounded in the house's favour: a
 * buyer pays the value rounded up to the cent, a seller receives it
 * rounded down. */
int64_t ws_trade_cents(int64_t sats, int64_t price_e8, enum ws_side side);

/* What the store decided about an API request. The store knows nothing
 * of HTTP: ws_http maps each outcome to its status and error body. */
enum ws_outcome {
	WS_OK,			/* done: the answer is in body */
	WS_BAD_KEY,		/* no such wallet, or the key given is not
				 * its key: one outcome for both, in every
				 * call, so that no answer tells an unknown
				 * user id from a wrong key */
	WS_ORDER_ID_REUSED,	/* trade: the order id names another order */
	WS_INSUFFICIENT_EURO,	/* trade: a buy the wallet cannot pay for */
	WS_INSUFFICIENT_BITCOIN,	/* trade: a sell of more than it holds */
	WS_EURO_TOO_LARGE,	/* trade: the euro balance would pass
				 * WS_EURO_MAX_CENTS */
	WS_BITCOIN_TOO_LARGE,	/* trade: the bitcoin balance would pass
				 * WL_SATS_MAX */
	WS_DB_FAILURE,		/* the database failed: e says why */
	WS_DB_ROLLED_BACK,	/* trade: the database failed during the
				 * trade, which was rolled back and so not
				 * executed: e says why */
	WS_OUTCOMES
};

/* Each of these answers an API request. On WS_OK the answer's JSON is
 * appended to body; on any other outcome body is left as it was. A trade
 * needs the wallet's access key; info and history check it when one is
 * given (access_key not NULL) and otherwise take the user id alone, as
 * the original simulator's info call does. */
enum ws_outcome ws_trade(struct ws_store *st, const struct ws_order *o,
    struct sb *body, struct eb *e);
/* The trade without the wait: the answer may go out once commit *mark is
 * durable (0: at once), which ws_store_after tells. */
enum ws_outcome ws_trade_commit(struct ws_store *st, const struct ws_order *o,
    struct sb *body, uint64_t *mark, struct eb *e);
/* Sync in a thread of the store's own, so that ws_store_after can call
 * back; ws_store_stop (or ws_store_close) syncs and calls back what is
 * still due, then stops it. */
int ws_store_start(struct ws_store *st, struct eb *e);
void ws_store_stop(struct ws_store *st);
int ws_store_mark_durable(struct ws_store *st, uint64_t mark);
/* 1 if commit mark is durable now; else 0, and cb(arg, ok, why) will be
 * called from the store's thread once it is (ok) or cannot be; -1 when
 * that cannot be arranged (e says why). */
int ws_store_after(struct ws_store *st, uint64_t mark, ws_sync_cb *cb,
    void *arg, struct eb *e);
enum ws_outcome ws_info(struct ws_store *st, const char *user_id,
    const char *access_key, struct sb *body, struct eb *e);
enum ws_outcome ws_history(struct ws_store *st, const char *user_id,
    const char *access_key, int limit, struct sb *body, struct eb *e);

/* Verify that every wallet's ledger sums to its balance, balances are not
 * negative and every order points at a ledger entry. Appends a summary
 * (or the problems, one a line) to report; -1 when anything is wrong. */
int ws_check(struct ws_store *st, struct sb *report, struct eb *e);

/* For the web page: the connection, held under the store's lock. What
 * the page read is shown only once ws_store_settle(the ws_store_mark
 * taken under the lock) says it is durable. */
struct sqlite3 *ws_store_lock(struct ws_store *st);
void ws_store_unlock(struct ws_store *st);
uint64_t ws_store_mark(struct ws_store *st);
int ws_store_settle(struct ws_store *st, uint64_t mark, struct eb *e);
/* Commits made, and the syncs that made them durable, so far. */
void ws_store_syncs(struct ws_store *st, uint64_t *commits,
    uint64_t *syncs);

#endif
