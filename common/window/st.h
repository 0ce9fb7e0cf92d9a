/* st: window-avg's state file, the schema on top of ck's durable write.
 *
 *   {"format":"kinpipe-window-avg-state","version":2,
 *    "shards":{"<shardId>":"<highest sequenceNumber counted>",...},
 *    "subSequenceNumbers":{"<shardId>":K,...},
 *    "query":"<the options that shape the state>",
 *    "batch":N,"watermark_ms":W|null,"max_event_ms":M|null,
 *    "rows":[[start_us,"key",rows,batch,[n,sum,comp,min,max],...],...],
 *    "sha256":"<seal>"}
 *
 * "subSequenceNumbers" is there only when some shard's mark is a user
 * record of a KPL aggregate: user record K of the Kinesis record in
 * "shards" (the rest of that record not yet counted, or not known to be).
 * "format", "version", "shards" and "subSequenceNumbers" are also read
 * by kin-read --resume-from, so their shape is fixed. The seal (ck_sum.h)
 * is checked before anything else is read; then what no run could have
 * written is refused too (window starts off the slide, counts out of
 * range, a sum its minimum and maximum cannot make). A file that is not
 * exactly this (another tool's, another version, another query, damaged)
 * is refused as a whole: nothing is half-loaded. Version 1, the same
 * without the seal, is still read, with a warning, and written as
 * version 2. */
#ifndef KP_ST_H
#define KP_ST_H

#include <jansson.h>
#include <stdint.h>

#include "window/agg.h"
#include "window/win.h"
#include "base/ck.h"
#include "base/eb.h"
#include "base/sb.h"

#define ST_FORMAT "kinpipe-window-avg-state"
#define ST_VERSION 2
#define ST_VERSION_UNSEALED 1	/* before the seal: read, never written */
#define ST_NONE INT64_MIN	/* no watermark / no event time yet */
#define ST_TEXT 1		/* the text of rows the table keeps for the
				   state (agg_text) */

struct st_state {
	const char *query;	/* must match on load */
	uint64_t batch;		/* the next batch's number */
	int64_t wm_ms;		/* watermark, ST_NONE before the first */
	int64_t max_ms;		/* max event time seen, ST_NONE before any */
	struct agg_table *tab;
	struct ck_marks *marks;
	/* the windows the rows must start on; NULL: not checked */
	const struct win_spec *win;
};

/* Serialise s into out (appending). The rows' text is kept in s->tab
 * (agg_text) and only the rows changed since the last call are formatted
 * again: s->batch must be the next batch's number, as it is after a
 * trigger. */
void st_dump(const struct st_state *s, struct sb *out);
/* st_dump, then ck_write_atomic. */
int st_save(const char *path, const struct st_state *s, struct eb *e);

/* Load path into s, whose tab and marks must be freshly initialised and
 * empty, and whose query (and win) name the running query. Returns 0
 * when loaded, 1 when the file does not exist (a first run; s untouched),
 * -1 with e set when it is refused (a damaged file's message says how to
 * start over); s's tables may then hold part of it and must be freed,
 * never used. */
int st_load(const char *path, struct st_state *s, struct eb *e);
/* The same from text already in memory (what is the file's name). */
int st_load_text(const char *text, size_t len, const char *what,
    struct st_state *s, struct eb *e);

/* One element of "rows" into s->tab, which must not hold its window and
 * key yet (idx names it in messages). own_batches: the row's batch is
 * this state's, so it must come before s->batch; 0 for a shard's rows
 * handed over from another instance, which counts its own batches. */
int st_load_row(const json_t *row, struct st_state *s, struct eb *e,
    size_t idx, int own_batches);

#endif
