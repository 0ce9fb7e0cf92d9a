/* ws_http: wallet-server's HTTP server on libmicrohttpd: the listening
 * socket, the limits on connections, each request's life from its head to
 * its answer; the calls themselves are ws_api's (/info/, /buy/, /sell/,
 * /history/ and the page). Every API answer is JSON; every refusal a 4xx
 * with {"error":"..."}. Every answer carries WS_IDEMPOTENT_HEADER, which
 * tells clients that a repeated order_id is answered, not executed
 * again. */
#ifndef KP_WS_HTTP_H
#define KP_WS_HTTP_H

#include <stdatomic.h>

#include "base/cli.h"
#include "base/eb.h"
#include "server/ws_feed.h"
#include "server/ws_guard.h"
#include "server/ws_price.h"
#include "server/ws_store.h"

#define WS_IDEMPOTENT_HEADER "X-Wallet-Order-Ids"
#define WS_IDEMPOTENT_VALUE "idempotent"
#define WS_QUERY_MAX 4096	/* bytes of decoded query arguments */

/* What one client may hold: with these, a client that opens connections
 * and trickles their request heads cannot keep others from being served
 * (wallet-server(1), LIMITS). */
#define WS_THREADS_DEFAULT 4
#define WS_CONNECTIONS_DEFAULT 4096
#define WS_PER_ADDRESS_DEFAULT 64
#define WS_HEADER_MS_DEFAULT 10000
#define WS_IDLE_S 30		/* no byte either way for this long: closed */
#define WS_FD_RESERVE 64	/* descriptors kept for the database and the rest */
#define WS_BACKLOG 4096		/* a burst of connections waits, not refused */

#define WS_HOST_MAX 256
#define WS_URL_MAX (WS_HOST_MAX + 32)

struct ws_limits {
	unsigned connections;	/* open at once, in all */
	unsigned per_address;	/* open at once, from one IP address */
	int64_t header_ms;	/* to send a request's whole head */
};

struct ws_http {
	struct ws_store *store;
	struct ws_price *price;
	struct ws_feed *feed;	/* NULL: the price is fixed (or none) */
	struct ws_limits limits;
	struct ws_guard guard;
	struct MHD_Daemon *daemon;
	int listen_fd;
	atomic_int in_flight;	/* requests begun and not yet answered */
	unsigned port;
	char url[WS_URL_MAX];	/* http://ADDRESS:PORT/ as bound */
	/* --stats and --metrics: every answer counted by the thread that
	 * gives it, under st->lock; each request's time is a batch's */
	struct cli_stats *st;
};

/* The extra counters of st, in the order ws_http_stats_add adds them. */
enum { WS_STAT_TRADES, WS_STAT_REJECTED, WS_STAT_FAILED };
/* Add them (names for --stats and --metrics) to st, which must have a
 * lock before the server starts. */
void ws_http_stats_add(struct cli_stats *st);
/* Split HOST:PORT ([HOST]:PORT for IPv6) into host and port: a port of 0
 * to 65535, in decimal digits; what the address means is only found out
 * when it is used. */
int ws_listen_parse(const char *spec, char host[WS_HOST_MAX],
    const char **port, struct eb *e);

/* Listen on HOST:PORT (port 0: a free one, h->port and h->url then say
 * which) with `threads` worker threads, under h->limits, and start the
 * store's syncing thread. The open-files limit is raised to what the
 * limits need, as far as the hard limit allows; below that, fewer
 * connections are allowed, and *warn says so (else it is empty). */
int ws_http_start(struct ws_http *h, const char *listen_on, int threads,
    struct eb *warn, struct eb *e);
/* Stop accepting, wait (up to wait_ms) for requests being handled to be
 * answered, give every answer still waiting for a sync, then stop. */
void ws_http_stop(struct ws_http *h, int wait_ms);

#endif
