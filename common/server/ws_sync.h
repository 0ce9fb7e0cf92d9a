/* ws_sync: group commit. Trades commit with synchronous=NORMAL, which
 * writes the WAL without syncing it; a trade is answered only after a sync
 * of the WAL that began after its commit has ended. One fdatasync makes
 * every commit written before it durable, so while one sync runs the
 * trades that commit meanwhile wait and then share the next: one sync per
 * batch, not per trade, and the syncs run outside the store's lock, while
 * the next trades execute. (synchronous=FULL would sync inside COMMIT,
 * holding the one write lock through every sync.)
 *
 * A sync that fails leaves the ledger's durability unknown (Linux may
 * drop the failed pages and report success the next time), so the first
 * failure breaks the store for good: every trade from then on is refused
 * until the server is restarted. */
#ifndef KP_WS_SYNC_H
#define KP_WS_SYNC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/eb.h"

struct ws_sync {
	pthread_mutex_t mu;
	pthread_cond_t done;
	_Atomic uint_least64_t written;	/* commits so far */
	uint64_t synced;	/* commits known durable */
	uint64_t syncs;		/* fdatasync calls made */
	int syncing;		/* a sync is running */
	atomic_int broken;	/* a sync failed: trades are refused */
	int fd;			/* the WAL, opened at the first sync */
	char *wal;		/* its path */
	struct eb why;		/* why the store broke */
	int started;
};

/* wal: the path of the database's write-ahead log. */
int ws_sync_init(struct ws_sync *s, const char *wal, struct eb *e);
void ws_sync_free(struct ws_sync *s);

/* A commit was made (call under the store's write lock, right after
 * COMMIT): its number. */
uint64_t ws_sync_committed(struct ws_sync *s);
/* The number covering every commit made so far: an answer that read the
 * ledger now waits for this one. */
uint64_t ws_sync_mark(struct ws_sync *s);
/* Wait until commit n is durable. 0, or -1 when the store is broken (e
 * says why). */
int ws_sync_wait(struct ws_sync *s, uint64_t n, struct eb *e);
/* Whether a sync has failed; e says why. */
int ws_sync_broken(struct ws_sync *s, struct eb *e);

#endif
