/* nd: the NDJSON record stream (kinpipe(7)). The reader hands out lines
 * of any length without copying them, counts line numbers for error
 * messages, accepts a last line without '\n' and skips blank lines. It also
 * tells its caller when the input has run dry (ND_IDLE): that is the end of
 * a batch, the moment to flush output, never per record on a busy stream. */
#ifndef KP_ND_H
#define KP_ND_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"

enum nd_status {
	ND_LINE,	/* a record line is in *line */
	ND_IDLE,	/* nothing more without blocking: end of a batch */
	ND_TIMEOUT,	/* the timeout passed with no new input */
	ND_EOF,		/* end of input, every line delivered */
	ND_INTR,	/* a signal interrupted the wait; call again or stop */
	ND_ERROR	/* read error, see eb */
};

struct nd_line {
	char *p;		/* the line, without '\n'; p[len] == '\0' */
	size_t len;
	uint64_t lineno;	/* 1-based, counting blank lines too */
	const char *name;	/* the input it came from, as in messages */
};

struct nd_reader {
	int fd;
	const char *name;	/* for messages: "<stdin>" or a path */
	char *buf;
	size_t cap, start, end, scan;
	uint64_t lineno;
	int eof;
	int idle_reported;
	char *const *paths;	/* files still to read after this one */
	int npaths;
	int own_fd;		/* fd was opened here: close it when done */
};

/* Read the descriptor fd, named name in messages (the caller closes fd). */
/* Grow the pipe fd to ND_PIPE_BYTES if it is a smaller pipe (nd.c says
 * why); anything else is left alone. The readers and writers below do
 * it for their own fds. */
#define ND_PIPE_BYTES (1024 * 1024)
void nd_pipe_grow(int fd);

int nd_reader_init(struct nd_reader *r, int fd, const char *name);
/* Read the files paths[0..npaths) one after the other, as cat does, "-"
 * meaning standard input (named "<stdin>"); no paths at all means
 * standard input alone. Each file is opened when its turn comes, its line
 * numbers start again at 1, and its last line ends with the file even
 * without a '\n'. Only an empty pipe or terminal ends a batch (ND_IDLE):
 * going from one file to the next does not. Failing to open a file is an
 * ND_ERROR naming it. -1 when out of memory. */
int nd_reader_init_files(struct nd_reader *r, char *const *paths, int npaths);
void nd_reader_free(struct nd_reader *r);
/* Next line. timeout_ms < 0 waits forever once the batch is drained.
 * The line stays valid (and writable) until the next call. */
enum nd_status nd_read(struct nd_reader *r, struct nd_line *line,
    int timeout_ms, struct eb *e);

/* The next record line only if it is already buffered whole: 1 with it in
 * *line, else 0. It neither reads nor moves the buffer, so the lines it
 * and the nd_read before it returned all stay valid until the next
 * nd_read or nd_read_ahead: a batch of them can be handled together. */
int nd_read_buffered(struct nd_reader *r, struct nd_line *line);
/* Read what the input has ready, without waiting, until want bytes are
 * buffered (the buffer grows to hold them). Lines handed out before are
 * no longer valid. A read error is left for nd_read to meet and say. */
void nd_read_ahead(struct nd_reader *r, size_t want);

/* Buffered record output. Append a record's bytes to nd_buf(w), then call
 * nd_end(w); it adds the '\n' and writes when the buffer is large or
 * flush_ms have passed since the last write. */
struct nd_writer {
	int fd;
	struct sb out;
	double flush_s;
	double last_flush;
	unsigned since_check;
	uint64_t records;	/* records ended so far */
};

#define ND_FLUSH_MS_DEFAULT 100

void nd_writer_init(struct nd_writer *w, int fd, int flush_ms);
static inline struct sb *
nd_buf(struct nd_writer *w)
{
	return &w->out;
}
int nd_end(struct nd_writer *w);	/* -1 on write error (errno set) */
/* records whole records (each ending in '\n') at once, as that many
 * nd_end would: a large run is written straight from p, after what the
 * buffer held. -1 on write error (errno set). */
int nd_write_records(struct nd_writer *w, const char *p, size_t n,
    size_t records);
int nd_flush(struct nd_writer *w);	/* -1 on write error (errno set) */
/* Write all n bytes to fd, retrying short writes and EINTR. 0, or -1
 * with errno set (EPIPE: the reader left) and *done (if not NULL) the
 * bytes that did get written. For the network tools' whole batches, and
 * under nd_flush. */
int nd_write_all(int fd, const char *p, size_t n, size_t *done);
/* Flush, close the descriptor and report any failure (/dev/full). */
int nd_writer_close(struct nd_writer *w);

#endif
