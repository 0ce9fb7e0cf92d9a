#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cli.h"
#include "server/ws_follow.h"

#define CHUNK 65536

void
ws_follow_init(struct ws_follow *f, const char *path, int fd, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->name = name;
	f->fd = fd;
}

void
ws_follow_free(struct ws_follow *f)
{
	if (f->path && f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	sb_free(&f->part);
}

static void
nap(void)
{
	struct timespec ts = { 0, WS_FOLLOW_POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* Split what was read into lines; a line's start may be in f->part. */
static void
split(struct ws_follow *f, const char *p, size_t n,
    const struct ws_follow_ops *ops, void *arg)
{
	const char *nl;
	size_t k;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) : n;
		if (!f->skipping && f->part.len + k > WS_FOLLOW_LINE_MAX) {
			f->skipping = 1;
			sb_reset(&f->part);
		}
		if (!f->skipping)
			sb_add(&f->part, p, k);
		if (nl == NULL)
			return;
		f->lineno++;
		if (f->skipping)
			ops->too_long(arg, f->lineno);
		else if (sb_failed(&f->part))
			ops->too_long(arg, f->lineno);	/* out of memory */
		else
			ops->line(arg, sb_cstr(&f->part), f->part.len, f->lineno);
		f->skipping = 0;
		f->part.failed = 0;
		sb_reset(&f->part);
		p = nl + 1;
		n -= k + 1;
	}
}

/* The last line of a version that ended without a newline is a line. */
static void
flush_part(struct ws_follow *f, const struct ws_follow_ops *ops, void *arg)
{
	if (f->part.len || f->skipping)
		split(f, "\n", 1, ops, arg);
}

/* Read everything there is now: 1 if anything was, 0 if not, -1 on a
 * read error. */
static int
drain(struct ws_follow *f, const struct ws_follow_ops *ops, void *arg,
    struct eb *e)
{
	char buf[CHUNK];
	ssize_t n;
	int any = 0;

	for (;;) {
		n = read(f->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return any;
		if (n < 0)
			return eb_set(e, "%s: read error: %s", f->name,
			    strerror(errno));
		if (n == 0)
			return any;
		f->off += n;
		split(f, buf, (size_t)n, ops, arg);
		any = 1;
	}
}

static int
open_version(struct ws_follow *f, const struct ws_follow_ops *ops, void *arg)
{
	struct stat st;

	f->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0) {
		if (errno == ENOENT && !f->absent)
			cli_warn("%s: does not exist (yet): waiting for it",
			    f->name);
		else if (errno != ENOENT && errno != f->last_errno)
			cli_warn("%s: %s: trying again", f->name,
			    strerror(errno));
		f->absent = 1;
		f->last_errno = errno;
		return -1;
	}
	if (fstat(f->fd, &st) != 0) {
		close(f->fd);
		f->fd = -1;
		return -1;
	}
	if (f->absent)
		cli_warn("%s: appeared: following it", f->name);
	f->absent = 0;
	f->last_errno = 0;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->off = 0;
	f->lineno = 0;
	ops->fresh(arg);
	return 0;
}

static int
follow_pipe(struct ws_follow *f, const struct ws_follow_ops *ops, void *arg,
    volatile sig_atomic_t *stop, struct eb *e)
{
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
	char buf[CHUNK];
	ssize_t n;

	ops->fresh(arg);
	while (!*stop) {
		if (poll(&pfd, 1, WS_FOLLOW_POLL_MS * 2) <= 0)
			continue;
		n = read(f->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return eb_set(e, "%s: read error: %s", f->name,
			    strerror(errno));
		if (n == 0) {
			flush_part(f, ops, arg);
			ops->pass(arg);
			return 0;
		}
		split(f, buf, (size_t)n, ops, arg);
		/* more waiting in the pipe belongs to the same pass */
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) <= 0)
			ops->pass(arg);
	}
	return 0;
}

int
ws_follow_run(struct ws_follow *f, const struct ws_follow_ops *ops, void *arg,
    volatile sig_atomic_t *stop, struct eb *e)
{
	struct stat st;
	int rc;

	if (f->path == NULL)
		return follow_pipe(f, ops, arg, stop, e);
	while (!*stop) {
		if (f->fd < 0 && open_version(f, ops, arg) != 0) {
			nap();
			continue;
		}
		if ((rc = drain(f, ops, arg, e)) < 0)
			return -1;
		if (rc > 0)
			ops->pass(arg);
		if (stat(f->path, &st) != 0) {
			/* renamed away or removed: the name is what is
			 * followed; its old file is done with */
			flush_part(f, ops, arg);
			ops->pass(arg);
			close(f->fd);
			f->fd = -1;
			cli_warn("%s: gone: waiting for it to come back", f->name);
			f->absent = 1;
			f->last_errno = ENOENT;
			continue;
		}
		if (st.st_dev != f->dev || st.st_ino != f->ino) {
			/* replaced: what the old file still held, then the
			 * new one from its start */
			if (drain(f, ops, arg, e) < 0)
				return -1;
			flush_part(f, ops, arg);
			ops->pass(arg);
			close(f->fd);
			f->fd = -1;
			continue;
		}
		if (st.st_size < f->off) {
			cli_warn("%s: truncated: reading it from the start",
			    f->name);
			if (lseek(f->fd, 0, SEEK_SET) != 0)
				return eb_set(e, "%s: cannot seek: %s", f->name,
				    strerror(errno));
			sb_reset(&f->part);
			f->skipping = 0;
			f->off = 0;
			f->lineno = 0;
			ops->fresh(arg);
			continue;
		}
		if (st.st_size == f->off)
			nap();
	}
	return 0;
}
