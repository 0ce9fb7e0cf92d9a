/* ws_http: wallet-server's HTTP API on libmicrohttpd. Paths, with or
 * without the trailing slash: /info/, /buy/, /sell/, /history/, and / for
 * the web page. Every API answer is JSON; every refusal a 4xx with
 * {"error":"..."}. Every answer carries WS_IDEMPOTENT_HEADER, which tells
 * clients that a repeated order_id is answered, not executed again. */
#ifndef KP_WS_HTTP_H
#define KP_WS_HTTP_H

#include <stdatomic.h>

#include "base/cli.h"
#include "base/eb.h"
#include "server/ws_price.h"
#include "server/ws_store.h"

#define WS_IDEMPOTENT_HEADER "X-Wallet-Order-Ids"
#define WS_IDEMPOTENT_VALUE "idempotent"
#define WS_QUERY_MAX 4096	/* bytes of decoded query arguments */

struct ws_http {
	struct ws_store *store;
	struct ws_price *price;
	struct MHD_Daemon *daemon;
	int listen_fd;
	atomic_int in_flight;	/* requests begun and not yet answered */
	unsigned port;
	/* --stats and --metrics: every answer counted by the thread that
	 * gives it, under st->lock; each request's time is a batch's */
	struct cli_stats *st;
};

/* The extra counters of st, in the order ws_http_stats_add adds them. */
enum { WS_STAT_TRADES, WS_STAT_REJECTED, WS_STAT_FAILED };
/* Add them (names for --stats and --metrics) to st, which must have a
 * lock before the server starts. */
void ws_http_stats_add(struct cli_stats *st);

#define WS_HOST_MAX 256

/* Split HOST:PORT ([HOST]:PORT for IPv6) into host and port: a port of 0
 * to 65535, in decimal digits; what the address means is only found out
 * when it is used. */
int ws_listen_parse(const char *spec, char host[WS_HOST_MAX],
    const char **port, struct eb *e);

/* Listen on HOST:PORT (port 0: any) with `threads` worker threads. */
int ws_http_start(struct ws_http *h, const char *listen_on, int threads,
    struct eb *e);
/* Stop accepting, wait (up to wait_ms) for requests being handled to be
 * answered, then stop. */
void ws_http_stop(struct ws_http *h, int wait_ms);

#endif
