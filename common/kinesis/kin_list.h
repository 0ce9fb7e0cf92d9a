/* kin_list: what kin-read --list prints, one JSON object per line: the
 * account's streams (ListStreams, then DescribeStreamSummary of each), or
 * one stream's shards (ListShards), as kcat -L lists a Kafka cluster. */
#ifndef KP_KIN_LIST_H
#define KP_KIN_LIST_H

#include <jansson.h>
#include <stdint.h>

#include "base/sb.h"
#include "kinesis/kin.h"

/* {"stream","streamARN","streamStatus","streamMode","openShardCount",
 * "retentionPeriodHours","streamCreationTimestamp"} per stream, in the
 * service's order; a stream deleted while listed is left out. */
enum kin_status kin_list_streams(struct kin_client *k, struct sb *out,
    uint64_t *n, struct eb *e);

/* {"stream","shardId","parentShardId","adjacentParentShardId",
 * "hashKeyRange":{"startingHashKey","endingHashKey"},
 * "sequenceNumberRange":{"startingSequenceNumber","endingSequenceNumber"},
 * "state":"open"|"closed"} per shard; absent members are null. */
enum kin_status kin_list_shard_lines(struct kin_client *k, const char *stream,
    struct sb *out, uint64_t *n, struct eb *e);

/* One ListShards element as that line (appended to out, newline ended). */
int kin_shard_line(const char *stream, const json_t *shard, struct sb *out,
    struct eb *e);

#endif
