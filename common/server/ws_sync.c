#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "server/ws_sync.h"

struct ws_sync_after {
	struct ws_sync_after *next;
	uint64_t n;
	ws_sync_cb *cb;
	void *arg;
};

int
ws_sync_init(struct ws_sync *s, const char *wal, struct eb *e)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	atomic_init(&s->written, 0);
	atomic_init(&s->broken, 0);
	s->wal = strdup(wal);
	if (s->wal == NULL)
		return eb_set(e, "out of memory");
	if (pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s->wal);
		return eb_set(e, "cannot create the sync's lock");
	}
	if (pthread_cond_init(&s->done, NULL) != 0 ||
	    pthread_cond_init(&s->work, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		free(s->wal);
		return eb_set(e, "cannot create the sync's conditions");
	}
	s->started = 1;
	return 0;
}

uint64_t
ws_sync_committed(struct ws_sync *s)
{
	return atomic_fetch_add(&s->written, 1) + 1;
}

uint64_t
ws_sync_mark(struct ws_sync *s)
{
	return atomic_load(&s->written);
}

/* The WAL's own descriptor: fdatasync on any descriptor of a file syncs
 * the file. SQLite keeps the WAL (the same inode, rewritten from the start
 * after a checkpoint) for as long as a connection is open. The first time,
 * its directory entry is synced too. */
static int
sync_wal(struct ws_sync *s, struct eb *e)
{
	char *copy;
	int dfd, rc = 0;

	if (s->fd < 0) {
		s->fd = open(s->wal, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0)
			return eb_set(e, "%s: %s", s->wal, strerror(errno));
		copy = strdup(s->wal);
		if (copy == NULL)
			return eb_set(e, "out of memory");
		dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || fsync(dfd) != 0)
			rc = eb_set(e, "%s: cannot sync its directory: %s",
			    s->wal, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		free(copy);
		if (rc != 0)
			return rc;
	}
	if (fdatasync(s->fd) != 0)
		return eb_set(e, "%s: cannot sync: %s", s->wal, strerror(errno));
	return 0;
}

/* With the lock held: one sync for every commit made so far; the lock is
 * let go during it. */
static void
sync_once(struct ws_sync *s)
{
	uint64_t target = atomic_load(&s->written);
	struct eb why;
	int rc;

	s->syncing = 1;
	pthread_mutex_unlock(&s->mu);
	rc = sync_wal(s, &why);
	pthread_mutex_lock(&s->mu);
	s->syncing = 0;
	s->syncs++;
	if (rc == 0) {
		if (target > s->synced)
			s->synced = target;
	} else if (!atomic_load(&s->broken)) {
		s->why = why;
		atomic_store(&s->broken, 1);
		cli_warn("%s: the ledger's durability is unknown; no trade is"
		    " taken until a restart", why.msg);
	}
	pthread_cond_broadcast(&s->done);
}

/* With the lock held: the callbacks now due, taken off the list. */
static struct ws_sync_after *
due(struct ws_sync *s, int all)
{
	struct ws_sync_after **pp = &s->after, *p, *out = NULL;

	while ((p = *pp) != NULL) {
		if (all || atomic_load(&s->broken) || p->n <= s->synced) {
			*pp = p->next;
			p->next = out;
			out = p;
		} else {
			pp = &p->next;
		}
	}
	return out;
}

/* Without the lock: call them back, and free them. */
static void
call_back(struct ws_sync *s, struct ws_sync_after *p, int ok)
{
	struct ws_sync_after *next;
	struct eb why;

	if (!ok && !ws_sync_broken(s, &why))
		eb_set(&why, "the server is stopping");
	for (; p != NULL; p = next) {
		next = p->next;
		p->cb(p->arg, ok, &why);
		free(p);
	}
}

/* With the lock held: nothing to do until signalled (see wake). */
static void
idle(struct ws_sync *s)
{
	s->sleeping = 1;
	pthread_cond_wait(&s->work, &s->mu);
	s->sleeping = 0;
}

/* With the lock held: the thread has work, if it does not know yet. */
static void
wake(struct ws_sync *s)
{
	if (s->sleeping)
		pthread_cond_signal(&s->work);
}

static void *
run(void *arg)
{
	struct ws_sync *s = arg;
	struct ws_sync_after *ready;
	int need;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		/* a sync is needed by a callback or a waiter, for a commit
		 * not yet synced */
		need = !atomic_load(&s->broken) && (s->after || s->waiting) &&
		    atomic_load(&s->written) > s->synced;
		if (!need && s->after == NULL) {
			if (s->stop)
				break;
			idle(s);
			continue;
		}
		if (need)
			sync_once(s);
		ready = due(s, 0);
		if (!need && ready == NULL) {
			/* nothing due, nothing to sync: wait for news (the
			 * callbacks left at a stop are ws_sync_free's) */
			if (s->stop)
				break;
			idle(s);
			continue;
		}
		pthread_mutex_unlock(&s->mu);
		call_back(s, ready, !atomic_load(&s->broken));
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int
ws_sync_start(struct ws_sync *s, struct eb *e)
{
	if (pthread_create(&s->thread, NULL, run, s) != 0)
		return eb_set(e, "cannot start the syncing thread");
	s->threaded = 1;
	return 0;
}

void
ws_sync_stop(struct ws_sync *s)
{
	struct ws_sync_after *left;

	if (!s->started)
		return;
	if (s->threaded) {
		/* the commits made are synced and answered first */
		pthread_mutex_lock(&s->mu);
		s->stop = 1;
		pthread_cond_signal(&s->work);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		s->threaded = 0;
	}
	pthread_mutex_lock(&s->mu);
	left = due(s, 1);
	pthread_mutex_unlock(&s->mu);
	call_back(s, left, 0);
}

void
ws_sync_free(struct ws_sync *s)
{
	if (!s->started)
		return;
	ws_sync_stop(s);
	if (s->fd >= 0)
		close(s->fd);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->done);
	pthread_mutex_destroy(&s->mu);
	free(s->wal);
	s->started = 0;
}

int
ws_sync_durable(struct ws_sync *s, uint64_t n)
{
	int rc;

	pthread_mutex_lock(&s->mu);
	rc = s->synced >= n && !atomic_load(&s->broken);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int
ws_sync_wait(struct ws_sync *s, uint64_t n, struct eb *e)
{
	int rc;

	pthread_mutex_lock(&s->mu);
	s->waiting++;
	while (s->synced < n && !atomic_load(&s->broken)) {
		if (s->threaded) {
			wake(s);
			pthread_cond_wait(&s->done, &s->mu);
		} else if (s->syncing) {
			pthread_cond_wait(&s->done, &s->mu);
		} else {
			sync_once(s);	/* lead: for every commit so far */
		}
	}
	s->waiting--;
	rc = s->synced >= n ? 0 : -1;
	if (rc != 0)
		*e = s->why;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int
ws_sync_after(struct ws_sync *s, uint64_t n, ws_sync_cb *cb, void *arg,
    struct eb *e)
{
	struct ws_sync_after *p;

	pthread_mutex_lock(&s->mu);
	if (s->synced >= n && !atomic_load(&s->broken)) {
		pthread_mutex_unlock(&s->mu);
		return 1;
	}
	if (!s->threaded || s->stop) {
		pthread_mutex_unlock(&s->mu);
		return eb_set(e, "no syncing thread");
	}
	p = malloc(sizeof(*p));
	if (p == NULL) {
		pthread_mutex_unlock(&s->mu);
		return eb_set(e, "out of memory");
	}
	p->n = n;
	p->cb = cb;
	p->arg = arg;
	p->next = s->after;
	s->after = p;
	wake(s);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int
ws_sync_broken(struct ws_sync *s, struct eb *e)
{
	if (!atomic_load(&s->broken))
		return 0;
	pthread_mutex_lock(&s->mu);
	*e = s->why;
	pthread_mutex_unlock(&s->mu);
	return 1;
}
