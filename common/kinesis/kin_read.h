/* kin_read: the consumer behind kin-read. It lists the stream's shards,
 * picks this reader's (all, --shard, or --shard-index/--shard-count),
 * reads each from its start position at most five GetRecords a second,
 * the calls for different shards in flight together (kin_multi),
 * drains a closed shard before its children, recovers expired iterators
 * from the last emitted sequence number, unpacks KPL aggregates as KCL
 * does, and hands out envelopes a GetRecords batch at a time. A position
 * is (sequenceNumber, subSequenceNumber): one inside an aggregate resumes
 * at that record and skips the user records already handed out.
 * Positions become the checkpoint only when the caller says the batch
 * reached its reader (kin_read_commit). Each shard keeps its records,
 * bytes, throttles and retries for --stats and --metrics: the retries of
 * its own calls in flight, and of those made for it on the client's
 * handle (its tip, a drained check).
 *
 * Where each shard starts: after its sequence number in resume; else
 * where starts says its reading began; else, for a shard born of
 * resharding after the checkpoint was written (or while reading), at its
 * beginning; else at --from. Each shard's start is logged once and kept
 * in starts, so that a checkpoint names every shard the reader owns from
 * its first commit on. LATEST moves, so it is kept as the time it was
 * taken (this host's clock), to resume as AT_TIMESTAMP; the first record
 * read then makes a timestamp exact (at-sequence=N).
 * With exit_at_end, every shard open at the start is read up to the
 * first record put after the start (found by sequence number from a
 * LATEST iterator taken then), a closed one to its end, and one born
 * after the start not at all. */
#ifndef KP_KIN_READ_H
#define KP_KIN_READ_H

#include <jansson.h>
#include <stdint.h>

#include "kinesis/kin.h"
#include "kinesis/kin_env.h"
#include "kinesis/kin_multi.h"
#include "kinesis/kin_shard.h"
#include "base/sb.h"

#define KIN_READ_INTERVAL_S 0.2	/* the service allows 5 GetRecords/s/shard */
#define KIN_READ_PER_S 5
#define KIN_READ_TIP_RENEW_S 60	/* iterators expire after 5 minutes */

struct kin_read;

/* Who reads which shard when it is not settled at the start: the lease
 * table (kin_lease). The reader consults the hook before each step; the
 * hook gives shards to it and takes them away (kin_read_own,
 * kin_read_disown) and hears when one it read has ended. */
struct kin_owner {
	void *arg;
	/* Take, renew, lose, checkpoint. Lines the reader's consumer must
	 * see before a taken shard's records go into out (not counted in
	 * *n). Sets wake, the monotonic time it wants to run again. */
	enum kin_status (*step)(void *arg, struct kin_read *r, struct sb *out,
	    struct eb *e);
	/* A shard this reader read has ended: drained to its end (closed),
	 * or, with exit_at_end, read to where it ended at the start. */
	void (*ended)(void *arg, const struct kin_shard *s, int drained);
	/* 1 when nothing is left to read (exit_at_end: by anyone). */
	int (*done)(void *arg);
	double wake;
};

struct kin_read_opts {
	const char *stream;
	const char *from_type;		/* TRIM_HORIZON, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER */
	const char *from_label;		/* --from as given, for the log */
	const char *from_seq;
	int64_t from_ts_us;
	char *const *only;		/* --shard IDs */
	int nonly;
	int index, count;		/* --shard-index/--shard-count; count 0 = all */
	const json_t *resume;		/* shardId -> sequence number to start
					   after, or NULL */
	const json_t *resume_sub;	/* shardId -> subSequenceNumber inside
					   that record, or NULL */
	const char *resume_path;	/* for the log lines */
	const json_t *starts;		/* shardId -> where its reading began
					   (kin_pos text), or NULL */
	const char *starts_path;	/* the checkpoint that says so */
	int exit_at_end;
	const char *consumer_arn;	/* --consumer: subscribe, not poll */
	uint64_t limit;			/* -c; 0 = no limit */
	int batch_limit;		/* GetRecords Limit */
	int raw;			/* --raw: payloads, not envelopes */
	double max_fetch_rate;		/* --max-fetch-rate, payload bytes a
					 * second per shard; 0 = no limit */
	struct kin_owner *owner;	/* NULL: the shards are settled at the start */
};

struct kin_read {
	struct kin_client *k;
	struct kin_read_opts o;
	struct kin_shards sh;
	json_t *pending;	/* positions of everything handed out */
	json_t *pending_sub;	/* their subSequenceNumbers, when inside an aggregate */
	json_t *committed;	/* positions the caller confirmed */
	json_t *committed_sub;
	json_t *starts;		/* where each shard's reading began */
	json_t *starts_committed;
	int64_t start_us;	/* the wall clock at the start: what LATEST
				   was, in a checkpoint */
	uint64_t read, emitted, bytes, getrecords;
	uint64_t aggregates;	/* KPL aggregates unpacked */
	uint64_t kpl_dropped;	/* their user records outside the shard's range */
	uint64_t kpl_bad;	/* the magic, but passed whole (MD5, body) */
	struct kin_env env;
	struct rec top, recs;	/* the answer, its Records array */
	struct sb ids;		/* ,"stream":...,"shardId":... of the shard read */
	struct kin_multi mu;	/* the shards' calls in flight together */
	double relist_at;	/* --consumer: when the shards are listed again */
	struct kin_req **reqs;	/* those of one step */
	size_t reqcap;
	int finished;
};

enum kin_status kin_read_start(struct kin_read *r, struct kin_client *k,
    const struct kin_read_opts *o, struct eb *e);
/* One step: every shard due has its GetRecords (or GetShardIterator) out,
 * all in flight together; the answers that came back within the wait are
 * taken. Envelopes, each '\n'-terminated, are appended to out, *n counts
 * them (0 when only timers ran out). Sets r->finished when nothing is
 * left to read. */
enum kin_status kin_read_step(struct kin_read *r, struct sb *out,
    uint64_t *n, struct eb *e);
/* The batch handed out reached its reader: its positions now count
 * (committed, committed_sub, starts_committed: what a checkpoint holds).
 * Also right after kin_read_start, for the starts.
 * -1 (out of memory) leaves the last commit as it was. */
int kin_read_commit(struct kin_read *r, struct eb *e);
void kin_read_free(struct kin_read *r);

/* The owner's side. Read the shard id from now on, after the position
 * (seq, sub) (sub CK_SUB_WHOLE: after the record; else after its user
 * record sub), or from type (TRIM_HORIZON, LATEST, AT_TIMESTAMP with
 * ts_us) when seq is NULL; a shard not listed yet is looked up first.
 * A call of the shard's still out is dropped. KIN_NOTFOUND when the
 * stream does not have it (any more). */
enum kin_status kin_read_own(struct kin_read *r, const char *id,
    const char *seq, int64_t sub, const char *type, int64_t ts_us,
    struct eb *e);
/* Stop reading the shard (its lease was lost or given up): its call in
 * flight, if any, is stopped, its answer never taken or charged. */
void kin_read_disown(struct kin_read *r, const char *id);
/* exit_at_end: learn where the shard ended at the start, if a record put
 * since then shows it (s->end_seq). */
enum kin_status kin_read_tip(struct kin_read *r, struct kin_shard *s,
    struct eb *e);
/* Shared with kin_fanout, the same reader fed by subscriptions. */
void kin_read_activate(struct kin_read *r);
void kin_read_finish_shard(struct kin_read *r, struct kin_shard *s);
/* Take the shards of a listing (ListShards' shape) not yet known. */
int kin_read_add_shards(struct kin_read *r, const json_t *list, int at_start,
    struct eb *e);
enum kin_status kin_read_discover(struct kin_read *r, int at_start,
    struct eb *e);
enum kin_status kin_read_emit(struct kin_read *r, struct kin_shard *s,
    const struct rec_span *recs, struct sb *out, uint64_t *n, struct eb *e);
enum kin_status kin_read_ask_tip(struct kin_read *r, struct kin_shard *s,
    struct eb *e);
struct kin_shard *kin_read_tip_due(struct kin_read *r);
int kin_read_empty_array(struct rec_span v);
int kin_read_fit_reqs(struct kin_read *r, struct eb *e);

/* The client's retries and throttles before calls made for one shard on
 * its own handle, to charge what they cost to that shard after. */
struct kin_tally {
	uint64_t retries, throttles;
};
void kin_tally_begin(const struct kin_client *k, struct kin_tally *t);
void kin_tally_charge(const struct kin_client *k, const struct kin_tally *t,
    struct kin_shard *s);

#endif
