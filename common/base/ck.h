/* ck: durable state files and Kinesis high-water marks. A file is written
 * whole or not at all (kinpipe(7): PATH.tmp, fsync, rename, fsync the
 * directory), so a crash at any instant leaves either the old file or the
 * new one. Marks remember, per shardId, the highest sequenceNumber already
 * counted, which is what lets a restarted stage skip replayed records. */
#ifndef KP_CK_H
#define KP_CK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/eb.h"
#include "base/sb.h"

/* Kinesis sequence numbers are decimal strings; AWS documents them as up
 * to 128 characters and serves 56-digit ones today, beyond any machine
 * integer, so they compare as decimal numbers of any length. */
#define CK_SEQ_MAX 128

/* Sync the directory that holds path: a new or renamed directory entry
 * is durable only once its directory is (the file's own fsync does not
 * cover it). */
int ck_fsync_dir_of(const char *path, struct eb *e);

/* Replace path with len bytes of data, durably: PATH.tmp in the same
 * directory (opened O_CLOEXEC), every byte written, fsync, rename over
 * path, fsync of the directory. The one durable write of the suite. A
 * symbolic link is followed and its target replaced, in the target's
 * directory; a path that is there and not a regular file is refused
 * (ck_path.h). On failure -1, e says why, path is as it was and PATH.tmp
 * is gone (unless it could not even be created). */
int ck_write_atomic(const char *path, const void *data, size_t len,
    struct eb *e);

/* Append the whole of path to out: 0, 1 when path does not exist (a first
 * run), -1 with e set. */
int ck_read_file(const char *path, struct sb *out, struct eb *e);

/* A position in a shard is a Kinesis record's sequence number and, for
 * one user record of a KPL aggregate, its subSequenceNumber (0..n-1).
 * CK_SUB_WHOLE stands for the whole record, a plain one or every user
 * record of an aggregate: it sorts after each of its parts, so a crash
 * in the middle of an aggregate resumes right after the part last
 * counted. */
#define CK_SUB_WHOLE INT64_MAX

/* 1 when s[0..n) is a sequence number: 1..CK_SEQ_MAX ASCII digits. */
int ck_seq_valid(const char *s, size_t n);
/* Compare two valid sequence numbers as numbers ("007" == "7",
 * "10" > "9"): -1, 0 or 1. */
int ck_seq_cmp(const char *a, size_t an, const char *b, size_t bn);
/* Compare two positions: by sequence number, then subSequenceNumber. */
int ck_pos_cmp(const char *a, size_t an, int64_t asub, const char *b,
    size_t bn, int64_t bsub);

struct ck_mark {
	char *shard;
	size_t shardlen;
	uint64_t hash;
	size_t seqlen;		/* 0: nothing counted yet */
	char seq[CK_SEQ_MAX + 1];
	int64_t sub;		/* subSequenceNumber, or CK_SUB_WHOLE */
};

/* marks found again without hashing: a stream's records take turns
 * among its shards, a few of them per reader */
#define CK_RECENT 8

struct ck_marks {
	struct ck_mark **slot;	/* open addressing; marks never move */
	size_t cap, n;
	struct ck_mark *recent[CK_RECENT];	/* by ck_recent_slot */
};

int ck_marks_init(struct ck_marks *m);
void ck_marks_free(struct ck_marks *m);
/* The mark of a shard, created empty when absent; NULL on out of memory. */
struct ck_mark *ck_marks_get(struct ck_marks *m, const char *shard, size_t n);

/* Shard names differ in their last bytes ("shardId-000000000003"): those
 * and the length pick the recent[] slot. */
static inline size_t
ck_recent_slot(const char *s, size_t n)
{
	uint64_t w = 0;

	memcpy(&w, s + (n >= 8 ? n - 8 : 0), n >= 8 ? 8 : n);
	/* the last byte is the top one: bring it down before the multiply
	 * carries it up to the three bits kept */
	w ^= n ^ w >> 32;
	return (size_t)((w * UINT64_C(0x9e3779b97f4a7c15)) >> 61);
}

/* a[0..n) == b[0..n) a word at a time, without a call: names are short */
static inline int
ck_same_name(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	size_t i;

	if (n < 8)
		return memcmp(a, b, n) == 0;
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* The mark of shard[0..n) when one of the recent[] holds it, else NULL
 * (nothing created): ck_marks_get's first step, inline for the path
 * every record takes. */
static inline struct ck_mark *
ck_marks_peek(const struct ck_marks *m, const char *shard, size_t n)
{
	struct ck_mark *k = m->recent[ck_recent_slot(shard, n)];

	return k != NULL && k->shardlen == n &&
	    ck_same_name(k->shard, shard, n) ? k : NULL;
}

/* 1 when (seq, sub) is above the mark (a record not yet counted), 0 when
 * at or below it (a replay). */
static inline int
ck_mark_is_new(const struct ck_mark *k, const char *seq, size_t n,
    int64_t sub)
{
	return k->seqlen == 0 ||
	    ck_pos_cmp(seq, n, sub, k->seq, k->seqlen, k->sub) > 0;
}

/* Raise the mark to (seq, sub) (seq valid, the position above it). */
void ck_mark_set(struct ck_mark *k, const char *seq, size_t n, int64_t sub);

/* Visit the marks in no particular order. */
#define CK_MARKS_FOREACH(m, k)						\
	for (size_t ck_i_ = 0; ck_i_ < (m)->cap; ck_i_++)		\
		if (((k) = (m)->slot[ck_i_]) != NULL)

#endif
