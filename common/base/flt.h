/* flt: the record loop of a stateless filter (json-project, ts-parse).
 * It reads NDJSON lines, lets the stage write each record's replacement
 * into the output buffer, applies --on-error to the records the stage
 * calls bad, keeps the --stats counters and flushes at every batch end
 * (kinpipe(7)), so that every filter treats bad input alike. */
#ifndef KP_FLT_H
#define KP_FLT_H

#include "base/cli.h"
#include "base/eb.h"
#include "base/nd.h"
#include "base/sb.h"

enum flt_outcome {
	FLT_OK,		/* the stage wrote the record */
	FLT_BAD,	/* it wrote the nulled form; why says what was wrong */
	FLT_UNTOUCHED	/* it wrote the record with nothing to do (counted) */
};

/* Append the output record for line to out (without the newline). */
typedef enum flt_outcome flt_fn(void *stage, const struct nd_line *line,
    struct sb *out);

struct flt {
	enum cli_on_error on_error;
	int flush_ms;
	struct cli_stats *st;
	int untouched;		/* st->extra index counting FLT_UNTOUCHED */
	const struct eb *why;	/* the stage's reason for its last FLT_BAD */
	unsigned warned;
};

/* Bad records named on stderr before the rest are only counted. */
#define FLT_MAX_WARNINGS 100

/* Run from in_fd to end of input. Returns 0 when all input was handled,
 * 1 when --on-error=fail stopped at a bad record (already reported), -1
 * on a read or write error (in e). */
int flt_run(struct flt *f, int in_fd, int out_fd, flt_fn *fn, void *stage,
    struct eb *e);

#endif
