#include <check.h>
#include <string.h>

#include "check_main.h"
#include "server/ws_feed.h"
#include "server/ws_price.h"

#define S 1000000LL	/* a second in microseconds */

START_TEST(history_keeps_one_point_a_second)
{
	static struct ws_price p;
	static struct ws_price_point h[WS_PRICE_HISTORY];
	struct eb e;

	ck_assert_int_eq(ws_price_init(&p, &e), 0);
	ck_assert_int_eq(ws_price_history(&p, h, WS_PRICE_HISTORY), 0);
	ws_price_set(&p, 100, 10 * S);
	ws_price_set(&p, 200, 10 * S + 1);	/* the same second: replaces */
	ws_price_set(&p, 300, 10 * S + 2);
	ws_price_set(&p, 300, 12 * S);		/* no change: no point */
	ws_price_set(&p, 400, 13 * S);
	ws_price_set(&p, 300, 13 * S + 5);	/* back within the second: */
	ck_assert_int_eq(ws_price_get(&p), 300);	/* no step at all */
	ck_assert_int_eq(ws_price_updated(&p), 13 * S + 5);
	ck_assert_int_eq(ws_price_history(&p, h, WS_PRICE_HISTORY), 1);
	ck_assert_int_eq(h[0].t_us, 10 * S);
	ck_assert_int_eq(h[0].e8, 300);
	ws_price_free(&p);
}
END_TEST

START_TEST(history_thins_when_full)
{
	static struct ws_price p;
	static struct ws_price_point h[WS_PRICE_HISTORY];
	struct eb e;
	int i, n;

	ck_assert_int_eq(ws_price_init(&p, &e), 0);
	for (i = 0; i <= WS_PRICE_HISTORY; i++)
		ws_price_set(&p, 1000 + i, (int64_t)i * S);
	n = ws_price_history(&p, h, WS_PRICE_HISTORY);
	/* full at 4096 points: every other one kept (and the newest), then
	 * the 4097th added */
	ck_assert_int_eq(n, WS_PRICE_HISTORY / 2 + 1);
	ck_assert_int_eq(h[0].t_us, 0);
	ck_assert_int_eq(h[1].t_us, 2 * S);
	ck_assert_int_eq(h[n - 2].t_us, (int64_t)(WS_PRICE_HISTORY - 1) * S);
	ck_assert_int_eq(h[n - 1].t_us, (int64_t)WS_PRICE_HISTORY * S);
	ck_assert_int_eq(h[n - 1].e8, 1000 + WS_PRICE_HISTORY);
	/* a short buffer gets the newest points */
	ck_assert_int_eq(ws_price_history(&p, h, 2), 2);
	ck_assert_int_eq(h[1].e8, 1000 + WS_PRICE_HISTORY);
	ws_price_free(&p);
}
END_TEST

START_TEST(record_prices)
{
	int64_t e8, end;
	int w;
	struct eb e;
	const char *r;

	r = "{\"euro_rate\":40000.5}";
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), 0);
	ck_assert_int_eq(e8, 4000050000000LL);
	ck_assert_int_eq(w, 0);
	/* window-avg's row: priced, and ordered by the window's end */
	r = "{\"time_window\":{\"start\":\"2024-01-01T00:00:00Z\","
	    "\"end\":\"2024-01-01T00:10:00Z\"},\"window_avg_euro_rate\":39977.5373}";
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "window_avg_euro_rate", &e8,
	    &w, &end, &e), 0);
	ck_assert_int_eq(e8, 3997753730000LL);
	ck_assert_int_eq(w, 1);
	ck_assert_int_eq(end, 1704067800LL * S);
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), -1);
	ck_assert_str_eq(e.msg, "no numeric euro_rate");
	r = "{\"euro_rate\":\"1\"}";
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), -1);
	ck_assert_str_eq(e.msg, "no numeric euro_rate");
	r = "{\"euro_rate\":0}";
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), -1);
	ck_assert_str_eq(e.msg, "euro_rate out of range");
	/* at most 1e9, as --price */
	r = "{\"euro_rate\":1e9}";
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), 0);
	ck_assert_int_eq(e8, WS_PRICE_MAX_E8);
	r = "{\"euro_rate\":1.0000001e9}";
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), -1);
	r = "{\"euro_rate\":0.000000004}";	/* rounds to 0 */
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), -1);
	r = "[1]";
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), -1);
	ck_assert_str_eq(e.msg, "not an object");
	r = "{\"w\":{\"start\":\"a\",\"end\":\"b\"},\"euro_rate\":1}";
	ck_assert_int_eq(ws_feed_record(r, strlen(r), "euro_rate", &e8, &w, &end,
	    &e), -1);
	ck_assert_msg(strncmp(e.msg, "bad window end: ", 16) == 0, "%s", e.msg);
}
END_TEST

static Suite *
ws_price_suite(void)
{
	Suite *s = suite_create("ws_price");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, history_keeps_one_point_a_second);
	tcase_add_test(tc, history_thins_when_full);
	tcase_add_test(tc, record_prices);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(ws_price_suite)
