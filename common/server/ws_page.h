/* ws_page: the simulator's web page (GET /): the price and when it was
 * last updated, every wallet with its euro value at that price, a chart
 * of the price and of the wallets' values over time, the latest trades.
 * Server-side HTML and SVG that reloads itself every few seconds: no
 * script needed. Euro amounts show two decimals, bitcoin eight, times
 * are UTC to the second. */
#ifndef KP_WS_PAGE_H
#define KP_WS_PAGE_H

#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"
#include "server/ws_feed.h"
#include "server/ws_price.h"
#include "server/ws_store.h"

#define WS_PAGE_REFRESH_S 2
#define WS_PAGE_TRADES 20

/* feed: where the price comes from (NULL: fixed by --price, or none). */
int ws_page_render(struct ws_store *st, struct ws_price *price,
    const struct ws_feed *feed, struct sb *html, struct eb *e);

#endif
