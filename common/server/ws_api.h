/* ws_api: the wallet API's calls (info, buy, sell, history, the page),
 * one request at a time, on top of ws_http's request life: what each
 * argument must be, what the store's outcomes answer. A trade's answer
 * waits for its commit to be durable with its connection suspended, so
 * that the thread serves other connections meanwhile. */
#ifndef KP_WS_API_H
#define KP_WS_API_H

#include <microhttpd.h>

#include "base/sb.h"
#include "server/ws_http.h"

#define WS_LATER (-1)	/* no status yet: the answer comes when ready */

/* One request, from its head to its answer. */
struct ws_req {
	struct MHD_Connection *c;
	struct sb body;
	const char *type;	/* the body's Content-Type */
	int status;
	int waiting;		/* suspended until its commit is durable */
	int ready;		/* ... and now it is (or cannot be) */
	double began;		/* cli_now() when its head came in */
	int trade;		/* a /buy/ or /sell/ request */
};

/* Answer r: its status, r->body and r->type filled in; or WS_LATER, and
 * r->status, r->body and r->ready are set once the connection is
 * resumed. */
int ws_api_route(struct ws_http *h, struct ws_req *r, const char *url);
/* {"error":"msg"} into body; returns status. */
int ws_api_fail(struct sb *body, int status, const char *msg);

#endif
