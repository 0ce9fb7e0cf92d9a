/* kin_put: PutRecords batches within the service's limits (500 records,
 * 5 MiB of data and partition keys per call, 1 MiB per record), retrying
 * only the entries the service says failed, and keeping every entry's
 * outcome in input order for the one-result-per-record output. */
#ifndef KP_KIN_PUT_H
#define KP_KIN_PUT_H

#include <stddef.h>
#include <stdint.h>

#include "kinesis/kin.h"
#include "base/sb.h"

#define KIN_PUT_MAX_RECORDS	500
#define KIN_PUT_MAX_BATCH	(5u * 1024 * 1024)
#define KIN_PUT_MAX_RECORD	(1u * 1024 * 1024)
#define KIN_PUT_MAX_KEY_CHARS	256

struct kin_put_entry {
	uint64_t line;
	size_t off, dlen, klen;	/* data then key, in the arena */
	size_t hlen;		/* then the ExplicitHashKey, when not 0 */
	char *shard, *seq;	/* on success */
	char *error;		/* on final failure (or a local refusal) */
};

struct kin_batch {
	struct kin_put_entry *v;
	size_t n, cap;
	size_t bytes;		/* data + key bytes, what the 5 MiB counts */
	struct sb arena;
	struct sb body;
	uint64_t retries;
	uint64_t failed;		/* the service refused them for good */
	uint64_t refused;	/* never sent: bad input */
};

/* Why a record cannot be sent at all (too big, bad key), or NULL. */
const char *kin_put_check(size_t dlen, const char *key, size_t klen,
    char *buf, size_t cap);
/* 1 when the record still fits in this batch. */
int kin_batch_fits(const struct kin_batch *b, size_t dlen, size_t klen);
int kin_batch_add(struct kin_batch *b, uint64_t line, const char *data,
    size_t dlen, const char *key, size_t klen);
/* The same with an ExplicitHashKey (decimal, hlen bytes). */
int kin_batch_add_ehk(struct kin_batch *b, uint64_t line, const char *data,
    size_t dlen, const char *key, size_t klen, const char *ehk, size_t hlen);
/* An entry that is reported, in order, but never sent. */
int kin_batch_add_error(struct kin_batch *b, uint64_t line, const char *why);
/* Send every entry; KIN_OK when the service answered for all of them
 * (some may still carry an error: counted in b->failed). */
enum kin_status kin_batch_send(struct kin_client *k, const char *stream,
    struct kin_batch *b, struct eb *e);
/* One result line per entry, in order, appended to out. */
void kin_batch_results(const struct kin_batch *b, struct sb *out);
void kin_batch_reset(struct kin_batch *b);
void kin_batch_free(struct kin_batch *b);

#endif
