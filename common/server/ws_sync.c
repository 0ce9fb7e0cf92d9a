#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "server/ws_sync.h"

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
	if (pthread_cond_init(&s->done, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		free(s->wal);
		return eb_set(e, "cannot create the sync's condition");
	}
	s->started = 1;
	return 0;
}

void
ws_sync_free(struct ws_sync *s)
{
	if (!s->started)
		return;
	if (s->fd >= 0)
		close(s->fd);
	pthread_cond_destroy(&s->done);
	pthread_mutex_destroy(&s->mu);
	free(s->wal);
	s->started = 0;
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

int
ws_sync_wait(struct ws_sync *s, uint64_t n, struct eb *e)
{
	uint64_t target;
	struct eb why;
	int rc;

	pthread_mutex_lock(&s->mu);
	while (s->synced < n && !atomic_load(&s->broken)) {
		if (s->syncing) {
			pthread_cond_wait(&s->done, &s->mu);
			continue;
		}
		/* lead: one sync for every commit made so far */
		s->syncing = 1;
		target = atomic_load(&s->written);
		pthread_mutex_unlock(&s->mu);
		rc = sync_wal(s, &why);
		pthread_mutex_lock(&s->mu);
		s->syncing = 0;
		s->syncs++;
		if (rc == 0) {
			if (target > s->synced)
				s->synced = target;
		} else {
			s->why = why;
			atomic_store(&s->broken, 1);
			cli_warn("%s: the ledger's durability is unknown; no"
			    " trade is taken until a restart", why.msg);
		}
		pthread_cond_broadcast(&s->done);
	}
	rc = s->synced >= n ? 0 : -1;
	if (rc != 0)
		*e = s->why;
	pthread_mutex_unlock(&s->mu);
	return rc;
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
