/* kin_read: the consumer behind kin-read. It lists the stream's shards,
 * picks this reader's (all, --shard, or --shard-index/--shard-count),
 * reads each from its start position at most five GetRecords a second,
 * drains a closed shard before its children, recovers expired iterators
 * from the last emitted sequence number, and hands out envelopes a
 * GetRecords batch at a time. Positions become the checkpoint only when
 * the caller says the batch reached its reader (kin_read_commit).
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
	const char *resume_path;	/* for the log lines */
	const json_t *starts;		/* shardId -> where its reading began
					   (kin_pos text), or NULL */
	const char *starts_path;	/* the checkpoint that says so */
	int exit_at_end;
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
	json_t *committed;	/* positions the caller confirmed */
	json_t *starts;		/* where each shard's reading began */
	json_t *starts_committed;
	int64_t start_us;	/* the wall clock at the start: what LATEST
				   was, in a checkpoint */
	uint64_t read, emitted, bytes, getrecords;
	struct kin_env env;
	struct rec top, recs;	/* the answer, its Records array */
	struct sb ids;		/* ,"stream":...,"shardId":... of the shard read */
	struct sb held;		/* -e: an answer kept while its shard's tip is asked */
	int finished;
	long cur;		/* the shard of the step in hand, -1: none */
};

enum kin_status kin_read_start(struct kin_read *r, struct kin_client *k,
    const struct kin_read_opts *o, struct eb *e);
/* One GetRecords (after waiting for the shard most due); envelopes, each
 * '\n'-terminated, are appended to out, *n counts them. Sets r->finished
 * when nothing is left to read. */
enum kin_status kin_read_step(struct kin_read *r, struct sb *out,
    uint64_t *n, struct eb *e);
/* The batch handed out reached its reader: its positions now count
 * (committed, starts_committed: what a checkpoint holds). Also right
 * after kin_read_start, for the starts.
 * -1 (out of memory) leaves the last commit as it was. */
int kin_read_commit(struct kin_read *r, struct eb *e);
void kin_read_free(struct kin_read *r);

/* The owner's side. Read the shard id from now on, after sequence
 * number seq, or from type (TRIM_HORIZON, LATEST, AT_TIMESTAMP with
 * ts_us) when seq is NULL; a shard not listed yet is looked up first.
 * KIN_NOTFOUND when the stream does not have it (any more). */
enum kin_status kin_read_own(struct kin_read *r, const char *id,
    const char *seq, const char *type, int64_t ts_us, struct eb *e);
/* Stop reading the shard (its lease was lost or given up). */
void kin_read_disown(struct kin_read *r, const char *id);
/* exit_at_end: learn where the shard ended at the start, if a record put
 * since then shows it (s->end_seq). */
enum kin_status kin_read_tip(struct kin_read *r, struct kin_shard *s,
    struct eb *e);

#endif
