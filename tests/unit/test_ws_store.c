#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "server/ws_store.h"
#include "wallet/wl_amount.h"

static char dir[] = "/tmp/kinpipe-ws-store.XXXXXX";
static char path[64];

static struct ws_store *
fresh(void)
{
	struct ws_store *st;
	struct eb e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.db", dir);
	ck_assert_msg(ws_store_open(&st, path, &e) == 0, "%s", e.msg);
	return st;
}

static void
gone(struct ws_store *st)
{
	char cmd[128];

	ws_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

START_TEST(rounding_favours_the_house)
{
	/* 3 sats at 33333.33333333 euro = 0.00099999999999999 euro */
	ck_assert_int_eq(ws_trade_cents(3, 3333333333333LL, WS_BUY), 1);
	ck_assert_int_eq(ws_trade_cents(3, 3333333333333LL, WS_SELL), 0);
	/* 0.05 BTC at 43000.5 = 2150.025 euro */
	ck_assert_int_eq(ws_trade_cents(5000000, 4300050000000LL, WS_BUY), 215003);
	ck_assert_int_eq(ws_trade_cents(5000000, 4300050000000LL, WS_SELL), 215002);
	/* exact values are not rounded: 0.5 BTC at 43000.5 = 21500.25 */
	ck_assert_int_eq(ws_trade_cents(50000000, 4300050000000LL, WS_BUY), 2150025);
	ck_assert_int_eq(ws_trade_cents(50000000, 4300050000000LL, WS_SELL), 2150025);
	/* the largest amount at the largest price fits */
	ck_assert_int_eq(ws_trade_cents(2100000000000000LL, 100000000000000000LL,
	    WS_SELL), 2100000000000000000LL);
}
END_TEST

START_TEST(trades_and_orders)
{
	struct ws_store *st = fresh();
	char key[WS_KEY_HEX + 1];
	struct sb b = SB_INIT;
	struct eb e;
	struct ws_order o = { .user_id = "g7", .side = WS_BUY, .sats = 10000000,
	    .price_e8 = 4000000000000LL, .order_id = "o1" };

	ws_key_new(key);
	ck_assert_uint_eq(strlen(key), 40);
	ck_assert_uint_eq(strspn(key, "0123456789abcdef"), 40);
	ck_assert_int_eq(ws_user_add(st, "g7", 1000000, key, &e), 0);
	ck_assert_int_eq(ws_user_add(st, "g7", 1, key, &e), -1);
	ck_assert_str_eq(e.msg, "user 'g7' already exists");
	ck_assert_int_eq(ws_user_add(st, "a/b", 1, key, &e), -1);
	ws_key_new(key);
	ck_assert_int_eq(ws_user_add(st, "g8", 0, key, &e), 0);
	o.access_key = "nope";
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_BAD_KEY);
	ck_assert_uint_eq(b.len, 0);	/* the HTTP layer writes refusals */
	o.user_id = "nobody";
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_BAD_KEY);
	ck_assert_uint_eq(b.len, 0);
	o.user_id = "g8";
	o.access_key = key;
	/* 0.1 BTC at 40000 = 4000 euro: g8 has nothing */
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_INSUFFICIENT_EURO);
	ck_assert_uint_eq(b.len, 0);
	o.side = WS_SELL;
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_INSUFFICIENT_BITCOIN);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ws_info(st, "g8", NULL, &b, &e), WS_OK);
	ck_assert_str_eq(sb_cstr(&b), "[{\"user_id\":\"g8\",\"bitcoin\":0,\"euro\":0}]");
	sb_reset(&b);
	ck_assert_int_eq(ws_info(st, "g8", key, &b, &e), WS_OK);
	ck_assert_str_eq(sb_cstr(&b), "[{\"user_id\":\"g8\",\"bitcoin\":0,\"euro\":0}]");
	sb_reset(&b);
	/* an unknown user and a wrong key: one outcome, in every call */
	ck_assert_int_eq(ws_info(st, "zz", NULL, &b, &e), WS_BAD_KEY);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ws_info(st, "g8", "nope", &b, &e), WS_BAD_KEY);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ws_history(st, "zz", NULL, 10, &b, &e), WS_BAD_KEY);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ws_history(st, "g8", "", 10, &b, &e), WS_BAD_KEY);
	ck_assert_uint_eq(b.len, 0);
	/* g8's only entry is its opening balance of 0 */
	ck_assert_int_eq(ws_history(st, "g8", key, 10, &b, &e), WS_OK);
	ck_assert_msg(strncmp(sb_cstr(&b), "[{\"trade_id\":2,\"time\":\"",
	    strlen("[{\"trade_id\":2,\"time\":\"")) == 0, "%s", b.buf);
	ck_assert_str_eq(strstr(b.buf, "\",\"kind\""),
	    "\",\"kind\":\"open\",\"bitcoin\":0,\"euro\":0}]");
	sb_reset(&b);
	ck_assert_int_eq(ws_check(st, &b, &e), 0);
	ck_assert_str_eq(sb_cstr(&b), "ok: 2 wallets, 2 ledger entries, 0 orders\n");
	sb_free(&b);
	gone(st);
}
END_TEST

START_TEST(replay_and_check)
{
	struct ws_store *st = fresh();
	char key[WS_KEY_HEX + 1];
	struct sb b = SB_INIT;
	struct eb e;
	struct ws_order o = { .user_id = "g7", .access_key = key, .side = WS_BUY,
	    .sats = 10000000, .price_e8 = 4000000000000LL, .order_id = "o1" };
	const char *want = "{\"user_id\":\"g7\",\"order_id\":\"o1\",\"trade_id\":2,"
	    "\"side\":\"buy\",\"amount\":0.1,\"price\":40000,\"value\":4000,"
	    "\"bitcoin\":0.1,\"euro\":6000}";
	sqlite3 *db;

	ws_key_new(key);
	ck_assert_int_eq(ws_user_add(st, "g7", 1000000, key, &e), 0);
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_OK);
	ck_assert_str_eq(sb_cstr(&b), want);
	sb_reset(&b);
	o.price_e8 = 1;	/* the repeat is answered, not priced again */
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_OK);
	ck_assert_str_eq(sb_cstr(&b), want);
	sb_reset(&b);
	o.sats++;
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_ORDER_ID_REUSED);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ws_check(st, &b, &e), 0);
	ck_assert_str_eq(sb_cstr(&b), "ok: 1 wallets, 2 ledger entries, 1 orders\n");
	sb_reset(&b);
	/* a balance that disagrees with the ledger is found */
	db = ws_store_lock(st);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE wallets SET cents = cents + 1",
	    NULL, NULL, NULL), SQLITE_OK);
	ws_store_unlock(st);
	ck_assert_int_eq(ws_check(st, &b, &e), -1);
	ck_assert_str_eq(sb_cstr(&b), "wallet g7: balance 10000000 sats 600001 cents,"
	    " ledger sums to 10000000 sats 600000 cents\n"
	    "FAILED: 1 wallets, 2 ledger entries, 1 orders\n");
	ck_assert_str_eq(e.msg, "check: 1 problem");
	sb_free(&b);
	gone(st);
}
END_TEST

START_TEST(balance_limits)
{
	struct ws_store *st = fresh();
	char key[WS_KEY_HEX + 1];
	struct sb b = SB_INIT;
	struct eb e;
	struct ws_order o = { .user_id = "rich", .access_key = key,
	    .side = WS_BUY, .sats = 1, .price_e8 = 100000000 };

	/* the most euro a wallet may hold; 1 sat at 1 euro costs 1 cent */
	ws_key_new(key);
	ck_assert_int_eq(ws_user_add(st, "rich", WS_EURO_MAX_CENTS, key, &e), 0);
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_OK);
	sb_reset(&b);
	/* selling it back at 1e9 euro would bring 10 euro: past the limit */
	o.side = WS_SELL;
	o.price_e8 = 100000000000000000LL;
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_EURO_TOO_LARGE);
	ck_assert_uint_eq(b.len, 0);
	/* every bitcoin there is, at 1e-8 euro: 21 cents; then one sat more */
	o.side = WS_BUY;
	o.price_e8 = 1;
	o.sats = WL_SATS_MAX - 1;
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_OK);
	sb_reset(&b);
	o.sats = 1;
	ck_assert_int_eq(ws_trade(st, &o, &b, &e), WS_BITCOIN_TOO_LARGE);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ws_check(st, &b, &e), 0);
	ck_assert_str_eq(sb_cstr(&b), "ok: 1 wallets, 3 ledger entries, 0 orders\n");
	sb_free(&b);
	gone(st);
}
END_TEST

/* Many threads trading at once: every trade is committed once, the
 * commits share syncs, the books balance. */
#define THREADS 8
#define TRADES 50

struct trader {
	struct ws_store *st;
	const char *key;
	int id, ok;
};

static void *
trade_many(void *arg)
{
	struct trader *t = arg;
	char oid[32];
	struct sb b = SB_INIT;
	struct eb e;
	struct ws_order o = { .user_id = "g7", .access_key = t->key,
	    .side = WS_BUY, .sats = 100000, .price_e8 = 4000000000000LL };
	int i;

	for (i = 0; i < TRADES; i++) {
		snprintf(oid, sizeof(oid), "t%d-%d", t->id, i);
		o.order_id = oid;
		if (ws_trade(t->st, &o, &b, &e) == WS_OK)
			t->ok++;
		sb_reset(&b);
	}
	sb_free(&b);
	return NULL;
}

START_TEST(group_commit)
{
	struct ws_store *st = fresh();
	char key[WS_KEY_HEX + 1], want[128];
	struct trader t[THREADS];
	pthread_t th[THREADS];
	struct sb b = SB_INIT;
	struct eb e;
	uint64_t commits, syncs;
	int i;

	ws_key_new(key);
	/* 400 buys of 0.001 BTC at 40000 = 40 euro each: 16000 euro */
	ck_assert_int_eq(ws_user_add(st, "g7", 2000000, key, &e), 0);
	for (i = 0; i < THREADS; i++) {
		t[i] = (struct trader){ st, key, i, 0 };
		ck_assert_int_eq(pthread_create(&th[i], NULL, trade_many, &t[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(t[i].ok, TRADES);
	}
	ws_store_syncs(st, &commits, &syncs);
	/* the user's wallet and every trade: one commit each */
	ck_assert_uint_eq(commits, 1 + THREADS * TRADES);
	ck_assert_uint_ge(syncs, 1);
	ck_assert_uint_le(syncs, commits);
	ck_assert_int_eq(ws_info(st, "g7", NULL, &b, &e), WS_OK);
	snprintf(want, sizeof(want), "[{\"user_id\":\"g7\",\"bitcoin\":0.4,"
	    "\"euro\":4000}]");
	ck_assert_str_eq(sb_cstr(&b), want);
	sb_reset(&b);
	ck_assert_int_eq(ws_check(st, &b, &e), 0);
	ck_assert_str_eq(sb_cstr(&b), "ok: 1 wallets, 401 ledger entries, 400 orders\n");
	sb_free(&b);
	gone(st);
}
END_TEST

static Suite *
ws_store_suite(void)
{
	Suite *s = suite_create("ws_store");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rounding_favours_the_house);
	tcase_add_test(tc, trades_and_orders);
	tcase_add_test(tc, replay_and_check);
	tcase_add_test(tc, balance_limits);
	tcase_add_test(tc, group_commit);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(ws_store_suite)
