/* kin_fanout: kin-read --consumer, enhanced fan-out. The stream consumer
 * is registered when it does not exist (RegisterStreamConsumer, then
 * DescribeStreamConsumer until it is ACTIVE); each shard being read has a
 * SubscribeToShard open over HTTP/2 on the multi handle the polling reader
 * uses, its event-stream frames decoded as they arrive (kin_evs) and each
 * SubscribeToShardEvent's records handed out as a GetRecords answer's
 * would be: same envelopes, KPL unpacking, positions, -e, -c.
 *
 * A subscription that ends (AWS ends each after five minutes) or whose
 * connection drops is opened again after the ContinuationSequenceNumber
 * of its last event (or, before any, where it started), with capped
 * exponential backoff and full jitter when it failed, --retries in a row
 * at most; records at or before the last handed out are never handed out
 * again. A shard's last event (no ContinuationSequenceNumber) closes it;
 * its children come from the event's ChildShards (ListShards when it has
 * none) and, as when polling, are read once every parent is drained.
 * The shards are listed again every few seconds: a shard found closed
 * whose subscription brings nothing more is asked through the polling
 * API whether it is drained, for a service that never sends the last
 * event (kinesis-mock does not). */
#ifndef KP_KIN_FANOUT_H
#define KP_KIN_FANOUT_H

#include "kinesis/kin.h"
#include "kinesis/kin_read.h"

/* the service allows one SubscribeToShard a second per consumer and shard */
#define KIN_FANOUT_RESUBSCRIBE_S 1.0
/* how often the shards are listed again while subscribed */
#define KIN_FANOUT_RELIST_S 5.0
/* how long to wait for a new consumer to become ACTIVE */
#define KIN_FANOUT_ACTIVE_WAIT_S 300

/* The ARN of consumer name of the stream, registered when it does not
 * exist yet, once it is ACTIVE. */
enum kin_status kin_fanout_consumer(struct kin_client *k, const char *stream,
    const char *name, char **arn, struct eb *e);

/* kin_read_step's work when r->o.consumer_arn is set. */
enum kin_status kin_fanout_step(struct kin_read *r, struct sb *out,
    uint64_t *n, struct eb *e);

#endif
