/* wa_mark: window-avg's replay check on the path every record takes. A
 * stream's records take turns among a few shards, each a little past its
 * mark: the mark is found again in a slot picked by the shard name's last
 * byte, and the sequence number is checked for digits and compared with
 * the mark's in one pass. What this cannot decide at once (a new shard, a
 * leading zero, lengths that differ, a byte that is not a digit) is left
 * to ck's general functions, whose verdicts these equal. */
#ifndef KP_WA_MARK_H
#define KP_WA_MARK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/ck.h"

#define WA_MARK_SLOTS 8

struct wa_mark_cache {
	struct ck_mark *slot[WA_MARK_SLOTS];
};

/* The mark of shard[0..n) in marks (ck_marks_get: created empty when
 * absent), NULL on out of memory. */
struct ck_mark *wa_mark_get(struct wa_mark_cache *c, struct ck_marks *marks,
    const char *shard, size_t n);

/* "shardId-000000000003": the last byte tells a stream's shards apart;
 * marks never move, so a slot stays good */
static inline size_t
wa_mark_slot(const char *shard, size_t n)
{
	return n > 0 ? (unsigned char)shard[n - 1] % WA_MARK_SLOTS : 0;
}

/* a[0..n) == b[0..n) a word at a time, without a call: names are short */
static inline int
wa_mark_same_name(const char *a, const char *b, size_t n)
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

/* The mark of shard[0..n) when its slot holds it, else NULL (nothing
 * created); inline, as every record asks. */
static inline struct ck_mark *
wa_mark_peek(const struct wa_mark_cache *c, const char *shard, size_t n)
{
	struct ck_mark *k = c->slot[wa_mark_slot(shard, n)];

	return k != NULL && k->shardlen == n &&
	    wa_mark_same_name(k->shard, shard, n) ? k : NULL;
}

enum { WA_SEQ_UNSURE = 2 };

/* (seq[0..n), sub) against the mark k: 1 above it (a new record), 0 at
 * or below it (a replay), as ck_seq_valid and ck_mark_is_new say; or
 * WA_SEQ_UNSURE when this does not decide, and those must (seq not a
 * sequence number among them). */
int wa_seq_vs_mark(const struct ck_mark *k, const char *seq, size_t n,
    int64_t sub);

#endif
