/* ws_price: the current bitcoin price in euro, in units of 1e-8 euro, set
 * once (--price) or followed from NDJSON records (ws_feed), with the time
 * it was last set and a history for the page's chart. */
#ifndef KP_WS_PRICE_H
#define KP_WS_PRICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"

#define WS_PRICE_MAX_E8 (1000000000LL * 100000000LL)	/* 1e9 euro */
/* The history keeps at most one point a second and at most this many
 * points: when full, every other point goes, so that it always covers
 * the whole run, ever more coarsely. In memory only: after a restart
 * it starts again (from --prices FILE's content, read again). */
#define WS_PRICE_HISTORY 4096
#define WS_PRICE_POINT_US 1000000

struct ws_price_point {
	int64_t t_us;		/* wall time it took effect */
	int64_t e8;
};

struct ws_price {
	_Atomic int_least64_t e8;	/* 0: no price yet */
	_Atomic int_least64_t updated_us;	/* wall time of the last set */
	pthread_mutex_t mu;	/* the history */
	struct ws_price_point hist[WS_PRICE_HISTORY];
	int n;
	int started;
};

int ws_price_init(struct ws_price *p, struct eb *e);
void ws_price_free(struct ws_price *p);

static inline int64_t
ws_price_get(struct ws_price *p)
{
	return atomic_load(&p->e8);
}

static inline int64_t
ws_price_updated(struct ws_price *p)
{
	return atomic_load(&p->updated_us);
}

/* The price is e8 from now (wall time, microseconds) on. */
void ws_price_set(struct ws_price *p, int64_t e8, int64_t now_us);
/* A copy of the history, oldest first; returns how many points. */
int ws_price_history(struct ws_price *p, struct ws_price_point *out,
    int max);

/* A price given as text: a positive plain decimal, at most 8 decimals. */
int ws_price_parse(const char *s, int64_t *e8, struct eb *e);
/* A price as a JSON number (> 0, below WS_PRICE_MAX_E8), to the nearest
 * 1e-8 euro. */
int ws_price_from_double(double d, int64_t *e8, struct eb *e);

#endif
