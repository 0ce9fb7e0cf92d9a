/* prov: where a record came from, for the messages about it. Line numbers
 * of a pipeline that runs for days name nothing anyone can find again;
 * a Kinesis record's shardId and sequenceNumber do (kinpipe(7)). */
#ifndef KP_PROV_H
#define KP_PROV_H

#include "base/sb.h"
#include "json/rec.h"

/* Longest shardId or sequenceNumber text put in a message; the service's
 * are far shorter (a sequence number is at most 128 digits). */
#define PROV_MAX 160

/* Append " (SHARD SEQUENCE)" to out when the indexed record r carries
 * both shardId and sequenceNumber as strings; nothing otherwise. Bytes
 * that would break the one-line message (controls) become '?'. */
void prov_describe(const struct rec *r, struct sb *out);
/* The same from the two values themselves (either may be NULL). */
void prov_describe_values(const struct rec_member *shard,
    const struct rec_member *seq, struct sb *out);
/* The same from the two decoded texts. */
void prov_describe_text(const char *shard, size_t shardlen, const char *seq,
    size_t seqlen, struct sb *out);

#endif
