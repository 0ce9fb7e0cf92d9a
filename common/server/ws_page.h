/* ws_page: the simulator's web page (GET /): every wallet with its euro
 * value at the current price, the price, the latest trades. Server-side
 * HTML that reloads itself every few seconds: no script needed. */
#ifndef KP_WS_PAGE_H
#define KP_WS_PAGE_H

#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"
#include "server/ws_store.h"

#define WS_PAGE_REFRESH_S 2
#define WS_PAGE_TRADES 20

int ws_page_render(struct ws_store *st, int64_t price_e8, struct sb *html,
    struct eb *e);

#endif
