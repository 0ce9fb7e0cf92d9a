#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cli.h"
#include "base/nd.h"

#define ND_READ_CHUNK	(64 * 1024)
#define ND_WRITE_HIGH	(64 * 1024)
#define ND_TIME_EVERY	256	/* records between clock checks */

/* A pipe between two stages holds 64 KiB by default: a stage that writes
 * faster than the next one reads then blocks every 64 KiB, and on a
 * machine with fewer CPUs than stages every block is a trip through the
 * scheduler for all of them (kinpipe(7), Pipes). A pipe of 1 MiB, the
 * most an unprivileged process may ask for by default
 * (/proc/sys/fs/pipe-max-size), lets each stage run for longer at a
 * time. Either end may grow it; a pipe already as large, a limit that
 * refuses (the per-user total, pipe-user-pages-soft) or a system without
 * F_SETPIPE_SZ leaves it as it was, which only costs speed. */
void
nd_pipe_grow(int fd)
{
#ifdef F_SETPIPE_SZ
	struct stat st;
	int now;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode))
		return;
	now = fcntl(fd, F_GETPIPE_SZ);
	if (now >= 0 && now < ND_PIPE_BYTES)
		(void)fcntl(fd, F_SETPIPE_SZ, ND_PIPE_BYTES);
#else
	(void)fd;
#endif
}

int
nd_reader_init(struct nd_reader *r, int fd, const char *name)
{
	nd_pipe_grow(fd);
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->name = name;
	r->cap = 4 * ND_READ_CHUNK;
	r->buf = malloc(r->cap + 1);
	return r->buf ? 0 : -1;
}

int
nd_reader_init_files(struct nd_reader *r, char *const *paths, int npaths)
{
	static char *const stdin_only[] = { "-" };

	if (nd_reader_init(r, -1, "") != 0)
		return -1;
	r->eof = 1;	/* so the first read opens the first file */
	r->paths = npaths > 0 ? paths : stdin_only;
	r->npaths = npaths > 0 ? npaths : 1;
	return 0;
}

void
nd_reader_free(struct nd_reader *r)
{
	if (r->own_fd)
		close(r->fd);
	r->own_fd = 0;
	free(r->buf);
	r->buf = NULL;
}

/* The current file has been read to its end: open the next one (there is
 * one). ND_LINE when it is open and reading may go on; ND_ERROR when it
 * cannot be opened, and the next call goes on with the file after it. */
static enum nd_status
next_file(struct nd_reader *r, struct eb *e)
{
	const char *path = r->paths[0];
	int fd = STDIN_FILENO;

	if (r->own_fd)
		close(r->fd);
	r->own_fd = 0;
	r->fd = -1;
	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		return ND_INTR;	/* a FIFO waiting for its writer */
	r->paths++;
	r->npaths--;
	if (fd < 0) {
		eb_set(e, "%s: open: %s", path, strerror(errno));
		return ND_ERROR;
	}
	r->fd = fd;
	nd_pipe_grow(fd);	/* a named pipe, or stdin */
	r->own_fd = fd != STDIN_FILENO;
	r->name = r->own_fd ? path : "<stdin>";
	r->start = r->end = r->scan = 0;
	r->lineno = 0;
	r->eof = 0;
	return ND_LINE;
}

static int
is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* Make room for at least one more read: slide the unconsumed bytes to the
 * front, and grow only when a single line fills the whole buffer. */
static int
make_room(struct nd_reader *r, struct eb *e)
{
	size_t keep = r->end - r->start;
	char *p;

	if (r->start > 0 && (r->cap - r->end < ND_READ_CHUNK)) {
		memmove(r->buf, r->buf + r->start, keep);
		r->scan -= r->start;
		r->start = 0;
		r->end = keep;
	}
	if (r->cap - r->end >= ND_READ_CHUNK / 4)
		return 0;
	if (r->cap > ((size_t)-1 >> 2))
		return eb_set(e, "%s:%llu: line too long", r->name,
		    (unsigned long long)r->lineno + 1);
	p = realloc(r->buf, r->cap * 2 + 1);
	if (p == NULL)
		return eb_set(e, "%s:%llu: out of memory for a %zu-byte line",
		    r->name, (unsigned long long)r->lineno + 1, keep);
	r->buf = p;
	r->cap *= 2;
	return 0;
}

static int
readable_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) != 0;
}

/* The next record line already in the buffer, blank lines passed over:
 * 1 with it in *line, 0 when no whole line is buffered (r->scan then says
 * how far the search went). Never reads and never moves the buffer. */
static int
take_line(struct nd_reader *r, struct nd_line *line)
{
	for (;;) {
		char *nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
		char *p = r->buf + r->start;
		size_t len;

		if (nl == NULL && !(r->eof && r->start < r->end)) {
			r->scan = r->end;
			return 0;
		}
		len = nl ? (size_t)(nl - p) : r->end - r->start;
		r->start = r->scan = nl ? (size_t)(nl - r->buf) + 1 : r->end;
		p[len] = '\0';	/* buf has a spare byte past cap */
		r->lineno++;
		if (len == 0 || ((*p == ' ' || *p == '\t' || *p == '\r') &&
		    is_blank(p, len)))
			continue;
		line->p = p;
		line->len = len;
		line->lineno = r->lineno;
		line->name = r->name;
		return 1;
	}
}

int
nd_read_buffered(struct nd_reader *r, struct nd_line *line)
{
	return take_line(r, line);
}

void
nd_read_ahead(struct nd_reader *r, size_t want)
{
	while (!r->eof && r->fd >= 0 && r->end - r->start < want) {
		size_t keep = r->end - r->start;
		ssize_t n;
		char *p;

		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, keep);
			r->scan -= r->start;
			r->start = 0;
			r->end = keep;
		}
		if (r->cap < 2 * want) {
			if ((p = realloc(r->buf, 2 * want + 1)) == NULL)
				return;	/* nd_read manages with what it has */
			r->buf = p;
			r->cap = 2 * want;
		}
		if (!readable_now(r->fd))
			return;
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0)
			return;	/* nd_read meets the error and says it */
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
		r->idle_reported = 0;
	}
}

enum nd_status
nd_read(struct nd_reader *r, struct nd_line *line, int timeout_ms, struct eb *e)
{
	for (;;) {
		ssize_t n;

		if (take_line(r, line))
			return ND_LINE;
		if (r->eof && r->npaths == 0)
			return ND_EOF;
		if (r->eof) {
			enum nd_status s = next_file(r, e);

			if (s != ND_LINE)
				return s;
			continue;
		}
		if (make_room(r, e) != 0)
			return ND_ERROR;
		if (!r->idle_reported && !readable_now(r->fd)) {
			r->idle_reported = 1;
			return ND_IDLE;
		}
		if (timeout_ms >= 0) {
			struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
			int rc = poll(&pfd, 1, timeout_ms);

			if (rc == 0)
				return ND_TIMEOUT;
			if (rc < 0)
				return errno == EINTR ? ND_INTR :
				    (eb_set(e, "%s: poll: %s", r->name,
				    strerror(errno)), ND_ERROR);
		}
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0) {
			if (errno == EINTR)
				return ND_INTR;
			if (errno == EAGAIN)
				continue;
			eb_set(e, "%s: read: %s", r->name, strerror(errno));
			return ND_ERROR;
		}
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
		r->idle_reported = 0;
	}
}

void
nd_writer_init(struct nd_writer *w, int fd, int flush_ms)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	nd_pipe_grow(fd);
	w->flush_s = (flush_ms > 0 ? flush_ms : ND_FLUSH_MS_DEFAULT) / 1000.0;
	w->last_flush = cli_now();
}

int
nd_write_all(int fd, const char *p, size_t n, size_t *done)
{
	size_t off = 0;
	int rc = 0;

	while (off < n) {
		ssize_t k = write(fd, p + off, n - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = -1;
			break;
		}
		off += (size_t)k;
	}
	if (done != NULL)
		*done = off;
	return rc;
}

int
nd_flush(struct nd_writer *w)
{
	size_t off;

	if (sb_failed(&w->out)) {
		errno = ENOMEM;
		return -1;
	}
	if (nd_write_all(w->fd, w->out.buf, w->out.len, &off) != 0) {
		int saved = errno;

		/* keep what was not written, in case the caller retries */
		memmove(w->out.buf, w->out.buf + off, w->out.len - off);
		w->out.len -= off;
		errno = saved;
		return -1;
	}
	w->out.len = 0;
	w->last_flush = cli_now();
	w->since_check = 0;
	return 0;
}

/* records more were ended: a flush when --flush-ms have passed since
 * the last (the clock read every ND_TIME_EVERY records only). */
static int
flush_if_due(struct nd_writer *w, size_t records)
{
	w->since_check += (unsigned)records;
	if (w->since_check < ND_TIME_EVERY)
		return 0;
	w->since_check = 0;
	return cli_now() - w->last_flush >= w->flush_s ? nd_flush(w) : 0;
}

int
nd_end(struct nd_writer *w)
{
	sb_addc(&w->out, '\n');
	w->records++;
	if (w->out.len >= ND_WRITE_HIGH)
		return nd_flush(w);
	return flush_if_due(w, 1);
}

int
nd_write_records(struct nd_writer *w, const char *p, size_t n, size_t records)
{
	w->records += records;
	if (w->out.len + n < ND_WRITE_HIGH) {
		sb_add(&w->out, p, n);
		return flush_if_due(w, records);
	}
	/* a copy into the buffer would only be written at once */
	if (nd_flush(w) != 0 || nd_write_all(w->fd, p, n, NULL) != 0)
		return -1;
	w->last_flush = cli_now();
	return 0;
}

int
nd_writer_close(struct nd_writer *w)
{
	int rc = nd_flush(w);
	int saved = errno;

	if (close(w->fd) != 0 && rc == 0)
		rc = -1;
	else
		errno = saved;
	sb_free(&w->out);
	return rc;
}
