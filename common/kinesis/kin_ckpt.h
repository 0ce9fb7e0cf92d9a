/* kin_ckpt: kin-read's checkpoint, and reading the positions back from it
 * or from window-avg's state file.
 *
 *   {"format":"kinpipe-kin-read-checkpoint","version":2,"stream":S,
 *    "shards":{"<shardId>":"<last sequenceNumber written>",...},
 *    "subSequenceNumbers":{"<shardId>":K,...},
 *    "starts":{"<shardId>":"<where its reading began>",...},
 *    "sha256":"<seal>"}
 *
 * A position is (sequenceNumber, subSequenceNumber): "subSequenceNumbers"
 * is there only for the shards whose last record handed out was user
 * record K of a KPL aggregate with more after it (window-avg's state has
 * the same member for the marks inside an aggregate); any other position
 * is its Kinesis record whole. "starts" names every shard the reader
 * owns, read from or not, in kin_pos's spelling (earliest,
 * at-timestamp=T, at-sequence=N): where a shard without a position
 * resumes, so that nothing put after the first run's start is skipped. A
 * start is always a Kinesis record's beginning. Written whole or not at
 * all (ck_write_atomic), sealed (ck_sum.h); a damaged file is refused,
 * never used. A checkpoint without "version" (kin-read's first format: no
 * seal, no "starts") is still read, with a warning. */
#ifndef KP_KIN_CKPT_H
#define KP_KIN_CKPT_H

#include <jansson.h>
#include <stddef.h>

#include "base/eb.h"

#define KIN_CKPT_FORMAT "kinpipe-kin-read-checkpoint"
#define KIN_CKPT_VERSION 2
#define KIN_CKPT_STATE_FORMAT "kinpipe-window-avg-state"
/* window-avg's versions (window/st.h, which this layer may not include):
 * 2 is sealed, 1 came before the seal */
#define KIN_CKPT_STATE_VERSION 2
#define KIN_CKPT_STATE_UNSEALED 1

enum kin_ckpt_kind {
	KIN_CKPT_CHECKPOINT,	/* kin-read's: what was written to the pipe */
	KIN_CKPT_STATE		/* window-avg's: what was counted */
};

struct kin_ckpt {
	enum kin_ckpt_kind kind;
	json_t *shards;		/* shardId -> sequence number to resume after */
	json_t *subs;		/* shardId -> subSequenceNumber inside that
				   record (an object, empty when none) */
	json_t *starts;		/* shardId -> kin_pos text; NULL: none kept */
};

/* 0 when loaded, 1 when path does not exist, -1 when refused: not such a
 * file, another stream's (when it says), damaged (the message then says
 * how to start over). */
int kin_ckpt_load(const char *path, const char *stream, struct kin_ckpt *c,
    struct eb *e);
/* The same from text already in memory (path names it in messages). */
int kin_ckpt_load_text(const char *text, size_t len, const char *path,
    const char *stream, struct kin_ckpt *c, struct eb *e);
void kin_ckpt_free(struct kin_ckpt *c);
/* subs may be empty (or NULL): then the file has no "subSequenceNumbers",
 * as a plain stream's never does. */
int kin_ckpt_save(const char *path, const char *stream, const json_t *shards,
    const json_t *subs, const json_t *starts, struct eb *e);

#endif
