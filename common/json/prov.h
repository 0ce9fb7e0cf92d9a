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
 * both shardId and sequenceNumber as strings; nothing otherwise. A user
 * record of a KPL aggregate, which carries a subSequenceNumber too, is
 * " (SHARD SEQUENCE:SUB)": its aggregate's other records share the rest.
 * Bytes that would break the one-line message (controls) become '?'. */
void prov_describe(const struct rec *r, struct sb *out);
/* The same from the values themselves (any may be NULL). */
void prov_describe_values(const struct rec_member *shard,
    const struct rec_member *seq, const struct rec_member *sub,
    struct sb *out);
/* The same from the decoded texts; sub NULL when there is none. */
void prov_describe_text(const char *shard, size_t shardlen, const char *seq,
    size_t seqlen, const char *sub, size_t sublen, struct sb *out);

#endif
