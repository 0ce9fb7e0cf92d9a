/* ws_guard: the deadline for a request's head. libmicrohttpd's own
 * timeout counts inactivity, so a client that sends one header line every
 * few seconds holds its connection for ever; the guard closes a connection
 * whose request head (the request line and every header, up to the blank
 * line) is not complete within header_ms of the connection's start or of
 * its previous answer. It shuts the socket down from its own thread;
 * libmicrohttpd then sees the end of the connection and closes it. */
#ifndef KP_WS_GUARD_H
#define KP_WS_GUARD_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "base/eb.h"

struct ws_guarded;

struct ws_guard {
	pthread_mutex_t mu;	/* the list; held while shutting one down */
	pthread_cond_t wake;
	pthread_t thread;
	struct ws_guarded *head;
	int64_t header_ms;
	uint64_t closed;	/* connections closed at their deadline */
	int stop, started;
};

int ws_guard_start(struct ws_guard *g, int64_t header_ms, struct eb *e);
void ws_guard_stop(struct ws_guard *g);

/* MHD_OPTION_NOTIFY_CONNECTION's callback, with the guard as cls. */
void ws_guard_notify(void *cls, struct MHD_Connection *c,
    void **socket_context, enum MHD_ConnectionNotificationCode toe);
/* The connection's request head is complete: no deadline until the
 * request is answered. */
void ws_guard_headed(struct MHD_Connection *c);
/* The request is answered: the next head is due within the deadline. */
void ws_guard_answered(struct ws_guard *g, struct MHD_Connection *c);

#endif
