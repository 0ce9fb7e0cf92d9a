/* ws_sync: group commit. Trades commit with synchronous=NORMAL, which
 * writes the WAL without syncing it; a trade is answered only after a sync
 * of the WAL that began after its commit has ended. One fdatasync makes
 * every commit written before it durable, so while one sync runs the
 * trades that commit meanwhile wait and then share the next: one sync per
 * batch, not per trade, and the syncs run outside the store's lock, while
 * the next trades execute. (synchronous=FULL would sync inside COMMIT,
 * holding the one write lock through every sync.)
 *
 * A caller may wait (ws_sync_wait), or ask to be called back once its
 * commit is durable (ws_sync_after), which lets an HTTP thread serve other
 * connections meanwhile. Callbacks need the syncing thread
 * (ws_sync_start); without it, waiters sync by themselves, one leading
 * for all.
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

/* Called once commit n is durable (ok), or cannot be (!ok, why says
 * why), from the syncing thread. */
typedef void ws_sync_cb(void *arg, int ok, const struct eb *why);

struct ws_sync_after;

struct ws_sync {
	pthread_mutex_t mu;
	pthread_cond_t done;	/* a sync ended */
	pthread_cond_t work;	/* the thread has something to sync */
	_Atomic uint_least64_t written;	/* commits so far */
	uint64_t synced;	/* commits known durable */
	uint64_t syncs;		/* fdatasync calls made */
	int syncing;		/* a sync is running */
	int waiting;		/* callers in ws_sync_wait */
	struct ws_sync_after *after;	/* callbacks due */
	atomic_int broken;	/* a sync failed: trades are refused */
	int fd;			/* the WAL, opened at the first sync */
	char *wal;		/* its path */
	struct eb why;		/* why the store broke */
	pthread_t thread;
	int sleeping;		/* the thread waits for a signal of work */
	int threaded, stop, started;
};

/* wal: the path of the database's write-ahead log. */
int ws_sync_init(struct ws_sync *s, const char *wal, struct eb *e);
/* The syncing thread, and its end: ws_sync_stop syncs what the
 * callbacks wait for, calls them back and stops it (and calls back, as
 * failed, any it could not serve). ws_sync_free stops it too. */
int ws_sync_start(struct ws_sync *s, struct eb *e);
void ws_sync_stop(struct ws_sync *s);
void ws_sync_free(struct ws_sync *s);
/* Whether commit n is durable now. */
int ws_sync_durable(struct ws_sync *s, uint64_t n);

/* A commit was made (call under the store's write lock, right after
 * COMMIT): its number. */
uint64_t ws_sync_committed(struct ws_sync *s);
/* The number covering every commit made so far: an answer that read the
 * ledger now waits for this one. */
uint64_t ws_sync_mark(struct ws_sync *s);
/* Wait until commit n is durable. 0, or -1 when the store is broken (e
 * says why). */
int ws_sync_wait(struct ws_sync *s, uint64_t n, struct eb *e);
/* 1 if commit n is durable now. Else 0, and cb(arg, ...) will be called
 * once it is, or cannot be; -1 (e says why) when it cannot be queued. */
int ws_sync_after(struct ws_sync *s, uint64_t n, ws_sync_cb *cb, void *arg,
    struct eb *e);
/* Whether a sync has failed; e says why. */
int ws_sync_broken(struct ws_sync *s, struct eb *e);

#endif
