/* kin_lease: KCL 2.x leases in a DynamoDB table, so that workers on any
 * number of machines share a stream's shards, and a kinpipe worker could
 * share a table with a KCL application. One item per shard:
 *
 *   leaseKey (S, the hash key: the shard id), leaseOwner (S, absent when
 *   free), leaseCounter (N), checkpoint (S: a sequence number,
 *   TRIM_HORIZON, LATEST, AT_TIMESTAMP or SHARD_END),
 *   checkpointSubSequenceNumber (N), ownerSwitchesSinceCheckpoint (N),
 *   parentShardId (SS, absent without parents), childShardIds (SS, set at
 *   SHARD_END), startingHashKey and endingHashKey (S)
 *
 * and kinpipe's own kinpipeShardState (S: the shard's window-avg state at
 * the checkpoint; see kin-read(1) --lease-state), which KCL ignores.
 * Every write is conditional as KCL's DynamoDBLeaseRefresher makes it:
 * create only if absent; renew, take (and steal) and checkpoint only if
 * leaseCounter is still the value seen, each adding one to it; evict only
 * if leaseOwner is still this worker. A lease whose counter has not moved
 * for the failover time is expired and may be taken; a worker below its
 * share (the active leases over the live workers, rounded up) takes
 * expired leases, or steals one at a time from the most loaded worker.
 * A child's lease is taken only once every parent's is at SHARD_END. */
#ifndef KP_KIN_LEASE_H
#define KP_KIN_LEASE_H

#include <jansson.h>
#include <stdint.h>

#include "ddb/ddb.h"
#include "kinesis/kin.h"
#include "kinesis/kin_read.h"

#define KIN_LEASE_FAILOVER_MS 10000	/* KCL's default */
#define KIN_LEASE_STATE_ATTR "kinpipeShardState"
/* set (to 1) when the checkpoint is a user record inside a KPL aggregate,
 * its checkpointSubSequenceNumber the last one handed out */
#define KIN_LEASE_PART_ATTR "kinpipeCheckpointInAggregate"
#define KIN_LEASE_ITEM_MAX 400000	/* DynamoDB's item size limit */

struct kin_lease {
	char *key;		/* the shard id */
	char *owner;		/* NULL: nobody's */
	int64_t counter;
	char *checkpoint;
	int64_t checkpoint_sub;	/* its subSequenceNumber, or CK_SUB_WHOLE */
	char *parents[2];
	int nparents;
	double seen_at;		/* when this counter value was first seen */
	int held;		/* this worker holds it */
	double renewed_at;	/* held: last write that moved the counter */
	int ended;		/* held: the reader reached its end */
	int drained;		/* ... and that end is the shard's (SHARD_END) */
	char *last;		/* held: the last sequence number handed out */
	int done;		/* exit_at_end: read to its end at the start */
	int gone;		/* the stream no longer has the shard */
};

struct kin_lease_opts {
	const char *table, *worker, *stream;
	int64_t failover_ms;
	const char *from_type;	/* new leases: TRIM_HORIZON, LATEST, AT_TIMESTAMP */
	int64_t from_ts_us;
	const char *state_path;	/* --lease-state: window-avg's state file */
	int exit_at_end;
};

struct kin_leases {
	struct ddb_client *d;
	struct kin_client *k;
	struct kin_lease_opts o;
	struct kin_lease *v;
	size_t n, cap;
	struct kin_owner owner;	/* the hook the reader consults */
	double next_renew, next_scan;
	int started;
	json_t *at_start;	/* exit_at_end: the shards listed at the start */
	json_t *state;		/* the state file as last read, or NULL */
	uint64_t taken, stolen, lost;
	uint64_t rng;
	struct eb why;		/* an error of a hook that cannot return one */
	int failed;
};

/* Set up l (its owner hook goes into the reader's options as o->owner). */
int kin_lease_init(struct kin_leases *l, struct ddb_client *d,
    struct kin_client *k, const struct kin_lease_opts *o, struct eb *e);
/* At exit: a last checkpoint of what has been counted, then every lease
 * held is given up (evicted), so that others take it at once. */
enum kin_status kin_lease_stop(struct kin_leases *l, struct kin_read *r,
    struct eb *e);
void kin_lease_free(struct kin_leases *l);
size_t kin_lease_held(const struct kin_leases *l);

/* The plan of one look at the table, KCL's DynamoDBLeaseTaker: which
 * lease to take. A view per lease: its owner (NULL: none), whether it is
 * expired, and whether it may be taken at all (not at SHARD_END, its
 * parents done). Returns the index of the lease to take, or -1; *steal
 * says whether it is someone's live lease. */
struct kin_lease_view {
	const char *owner;
	int expired, eligible;
};
long kin_lease_plan(const struct kin_lease_view *v, size_t n, const char *me,
    uint64_t pick, int *steal);

#endif
