/* ws_follow: read a file as `tail -F` follows it: to its end, then what is
 * appended; from the start again when it is truncated, or replaced (a
 * new file renamed over the name, as window-avg writes its table); and,
 * when it does not exist (yet, or any more), waiting for it, with one line
 * on stderr. Or a pipe (standard input) until its end.
 *
 * The reading comes in passes: everything there is to read now. Each
 * version of the file (the first open, a replacement, a truncation) starts
 * a new pass marked fresh, so that the reader can tell a rewritten file
 * from one that grew. */
#ifndef KP_WS_FOLLOW_H
#define KP_WS_FOLLOW_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/eb.h"
#include "base/sb.h"

#define WS_FOLLOW_POLL_MS 100	/* how often a quiet file is looked at */
#define WS_FOLLOW_LINE_MAX (1024 * 1024)	/* longer lines are refused */

struct ws_follow_ops {
	/* a complete line, without its newline */
	void (*line)(void *arg, const char *p, size_t n, uint64_t lineno);
	/* a line longer than WS_FOLLOW_LINE_MAX, skipped */
	void (*too_long)(void *arg, uint64_t lineno);
	/* a new version of the file begins (before its first line) */
	void (*fresh)(void *arg);
	/* nothing more to read for now: the pass is over */
	void (*pass)(void *arg);
};

struct ws_follow {
	const char *path;	/* NULL: fd is a pipe, read to its end */
	const char *name;	/* for messages */
	int fd;
	dev_t dev;
	ino_t ino;
	off_t off;		/* bytes read from this version */
	struct sb part;		/* a line read in part */
	int skipping;		/* inside a line that is too long */
	uint64_t lineno;
	int absent;		/* said that the file is not there */
	int last_errno;		/* the last open error said */
};

/* Follow path (fd = -1), or the pipe fd (path NULL) named name. */
void ws_follow_init(struct ws_follow *f, const char *path, int fd,
    const char *name);
void ws_follow_free(struct ws_follow *f);
/* Follow until *stop, or the end of a pipe (0), or a read error (-1, e
 * says why). */
int ws_follow_run(struct ws_follow *f, const struct ws_follow_ops *ops,
    void *arg, volatile sig_atomic_t *stop, struct eb *e);

#endif
