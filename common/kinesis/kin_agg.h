/* kin_agg: kin-put --aggregate, the packing the KPL does. User records
 * are grouped by the shard their partition key maps to (from a ListShards
 * taken at the start), packed in KPL aggregates of at most 1 MiB each,
 * and each aggregate is put with the ExplicitHashKey of its first user
 * record and the partition key "a", as the KPL does, so that it lands in
 * the shard every one of its user records belongs to. An aggregate of one
 * user record goes as that plain record, as the KPL sends it.
 *
 * When an aggregate lands in another shard than the one predicted (the
 * stream was resharded since the map was taken), the map is taken again;
 * if a user record of it falls outside the shard it landed in, a KCL
 * consumer drops that aggregate whole, so its user records are packed and
 * put again (the KPL does the same). */
#ifndef KP_KIN_AGG_H
#define KP_KIN_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "base/sb.h"
#include "kinesis/kin.h"
#include "kinesis/kin_kpl.h"
#include "kinesis/kin_put.h"

/* how many times a shard map taken again may still be wrong */
#define KIN_AGG_MAX_REMAPS 10

struct kin_agg_user {
	uint64_t line;
	size_t off, dlen, klen;	/* data then key, in the arena */
	kin_hash hash;
	size_t shard;		/* index in the map it was grouped by */
	char *shard_id, *seq;	/* where it was put */
	int64_t sub;		/* its subSequenceNumber, or CK_SUB_WHOLE */
	char *error;
};

struct kin_agg_shard {
	char *id;
	kin_hash lo, hi;
	int open;		/* records are packed for open shards only */
};

struct kin_agg {
	struct kin_agg_user *v;
	size_t n, cap;
	struct sb arena;
	size_t bytes;		/* user data and keys held */
	struct kin_agg_shard *map;
	size_t nmap;
	struct kin_kpl_pack pack;
	struct kin_kpl kpl;
	struct kin_batch b;
	size_t *order;		/* user indexes grouped by shard */
	size_t ecap;
	uint64_t aggregates, retries, remaps, failed, refused;
};

void kin_agg_init(struct kin_agg *a);
void kin_agg_free(struct kin_agg *a);
/* Take the stream's shard map (ListShards: the open shards' ranges). */
enum kin_status kin_agg_map(struct kin_agg *a, struct kin_client *k,
    const char *stream, struct eb *e);
/* Hold one user record (checked by kin_put_check); -1 on out of memory. */
int kin_agg_add(struct kin_agg *a, uint64_t line, const char *data,
    size_t dlen, const char *key, size_t klen);
/* A line reported in order but never sent. */
int kin_agg_add_error(struct kin_agg *a, uint64_t line, const char *why);
/* 1 when what is held is a full PutRecords call's worth. */
int kin_agg_full(const struct kin_agg *a);
/* Pack and put everything held. KIN_OK when every user record has an
 * outcome (some may be errors: counted in a->failed). */
enum kin_status kin_agg_send(struct kin_agg *a, struct kin_client *k,
    const char *stream, struct eb *e);
/* One result line per user record, in input order. */
void kin_agg_results(const struct kin_agg *a, struct sb *out);
void kin_agg_reset(struct kin_agg *a);

#endif
