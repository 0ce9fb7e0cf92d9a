/* kin_shard: the shards one reader tracks, their lineage, and which of n
 * readers owns which shard. A child is read only after every parent this
 * reader tracks has been drained, so one reader's output keeps each
 * partition key in order across splits and merges. */
#ifndef KP_KIN_SHARD_H
#define KP_KIN_SHARD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "json/rec.h"
#include "kinesis/kin_evs.h"
#include "kinesis/kin_kpl.h"
#include "kinesis/kin_multi.h"

enum kin_shard_state { KS_WAIT, KS_READ, KS_DONE };
/* the call a shard has out */
enum kin_shard_phase { KS_IDLE, KS_ASK_ITER, KS_ASK_RECORDS, KS_SUBSCRIBED };

struct kin_shard {
	char *id, *parent, *adjacent;
	char *first_seq, *last_seq;	/* its SequenceNumberRange; last_seq
					   NULL while it is open */
	int closed;		/* has an EndingSequenceNumber */
	int has_range;		/* its HashKeyRange was listed: */
	kin_hash hash_lo, hash_hi;	/* KPL user records outside are dropped */
	int mine;		/* this reader reads it */
	enum kin_shard_state state;
	char *iter;		/* current shard iterator, NULL = get one */
	enum kin_shard_phase phase;
	struct kin_req *req;	/* its calls (freed by kin_read_free) */
	char *pos;		/* last emitted (or resumed-from) sequence number */
	int64_t pos_sub;	/* and subSequenceNumber, or CK_SUB_WHOLE */
	const char *start_type;	/* iterator type when pos is NULL */
	char *start_seq;
	int64_t start_ts_us;
	double next_call;	/* monotonic time of the next allowed GetRecords */
	double calls[5];	/* starts of its last five GetRecords, a ring */
	unsigned ncalls;
	int64_t behind_ms;
	/* --stats and --metrics: records and bytes handed out, and the
	 * retries (throttles among them) of the calls made for it */
	uint64_t records, bytes, retries, throttles;
	struct rec_span seen;	/* last emitted in the batch at hand */
	int64_t seen_sub;
	/* -e: where the shard ended when the reader started. tip is an
	 * iterator taken then (LATEST), kept until it shows the first record
	 * put after the start; that record's sequence number becomes end_seq,
	 * the first not to read. Sequence numbers, not arrival times: the
	 * server's clock is not ours, and kinesalite stamps the first records
	 * of a new shard up to a second into the future. */
	char *tip;
	double tip_at;		/* monotonic time tip was last renewed */
	char *end_seq;
	/* enhanced fan-out: where the last event left the shard (NULL: at
	 * its end, or no event yet), the frames of its subscription, and the
	 * subscriptions that failed in a row, the next due at resub_at */
	char *cont;
	struct kin_evs evs;
	int sub_failures;
	double resub_at;
};

struct kin_shards {
	struct kin_shard *v;
	size_t n, cap;
};

/* Add the shards of a ListShards "Shards" array not yet known (and mark
 * known ones closed when they now are). *added counts the new ones. */
int kin_shards_add(struct kin_shards *s, const json_t *list, size_t *added,
    struct eb *e);
struct kin_shard *kin_shards_find(const struct kin_shards *s, const char *id);
void kin_shards_free(struct kin_shards *s);

/* The number in a shard id ("shardId-000000000007" -> 7), else a hash. */
uint64_t kin_shard_number(const char *id);

/* Which of count readers owns the shard: the number of its oldest
 * ancestor still listed, modulo count. Children stay with their first
 * parent's reader, so a split never moves data between readers. */
int kin_shard_owner(const struct kin_shards *s, const struct kin_shard *sh,
    int count);

/* 1 when no parent that this reader reads is still unfinished. */
int kin_shard_parents_done(const struct kin_shards *s,
    const struct kin_shard *sh);

#endif
