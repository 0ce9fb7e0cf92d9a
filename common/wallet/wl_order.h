/* wl_order: placing one order, and reading a wallet, with the rules that
 * keep a trade from ever being silently doubled:
 *   - a request that never left (refused, no such host) is retried;
 *   - a request that may have reached the server and got no answer is
 *     retried only if the server treats a repeated order_id as the same
 *     order (it says so in a header, on any answer, or on a probe of info/
 *     made after the failure), with the same order_id;
 *   - otherwise the outcome is "no definite answer", exit status 3. */
#ifndef KP_WL_ORDER_H
#define KP_WL_ORDER_H

#include <jansson.h>
#include <stdint.h>

#include "base/sb.h"
#include "wallet/wl_http.h"

/* The wallet tools' exit statuses, as kinpipe(7) lists them. */
enum {
	WL_EXIT_OK = 0,		/* done */
	WL_EXIT_REJECTED = 1,	/* the server said no: its message on stderr */
	WL_EXIT_FAILED = 1,	/* a failure here (out of memory, bad data) */
	WL_EXIT_UNREACHABLE = 3	/* no server, or no definite answer */
};

#define WL_ORDER_ID_MAX 64
#define WL_RETRIES_DEFAULT 3

/* A fresh order id: 128 random bits as 32 hex digits. */
void wl_order_id_new(char id[WL_ORDER_ID_MAX + 1]);
/* 1 to 64 of [A-Za-z0-9_.:-], what wallet-server accepts. */
int wl_order_id_valid(const char *s);

struct wl_order {
	const char *side;	/* "buy" or "sell" */
	int64_t sats;
	const char *order_id;
};

/* Place the order; the result line (compact JSON, no newline) is appended
 * to line whatever the outcome. Returns a WL_EXIT_* status; for 1 and 3 e
 * says why. */
int wl_place(struct wl_client *c, const struct wl_order *o, int retries,
    struct sb *line, struct eb *e);

/* GET info/: the server's one-element array as one object, user_id
 * first, parsed into *wallet and, as the server wrote its numbers, in
 * compact text appended to text (if not NULL). Returns a WL_EXIT_* status. */
int wl_info(struct wl_client *c, int retries, json_t **wallet,
    struct sb *text, struct eb *e);

/* The message of a refusal: its JSON "error", else its text, one line. */
void wl_answer_message(const struct wl_client *c, struct eb *e);

#endif
