/* ws_price: the current bitcoin price in euro, in units of 1e-8 euro, set
 * once (--price) or followed from NDJSON records' euro_rate (--prices). */
#ifndef KP_WS_PRICE_H
#define KP_WS_PRICE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"

#define WS_PRICE_MAX_E8 (1000000000LL * 100000000LL)	/* 1e9 euro */

struct ws_price {
	_Atomic int_least64_t e8;	/* 0: no price yet */
};

static inline int64_t
ws_price_get(struct ws_price *p)
{
	return atomic_load(&p->e8);
}

static inline void
ws_price_set(struct ws_price *p, int64_t e8)
{
	atomic_store(&p->e8, e8);
}

/* A price given as text: a positive plain decimal, at most 8 decimals. */
int ws_price_parse(const char *s, int64_t *e8, struct eb *e);
/* The euro_rate of one NDJSON record (a JSON number > 0). */
int ws_price_from_record(const char *line, size_t len, int64_t *e8,
    struct eb *e);

/* A thread following a descriptor of NDJSON records until end of input,
 * a read error or *stop. Bad records are reported on stderr and skipped. */
struct ws_feed {
	struct ws_price *price;
	int fd;
	const char *name;
	volatile sig_atomic_t *stop;
	uint64_t records, bad;
	pthread_t thread;
	int started;
};

int ws_feed_start(struct ws_feed *f, struct eb *e);
void ws_feed_join(struct ws_feed *f);

#endif
