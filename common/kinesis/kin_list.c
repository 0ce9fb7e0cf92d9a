#include <string.h>

#include "json/jx.h"
#include "kinesis/kin_list.h"
#include "time/tm.h"

/* A string or integer as it came, anything else (absent) as null. */
static void
put_value(struct sb *out, const json_t *v)
{
	if (json_is_string(v) || json_is_integer(v))
		jx_dump(out, v);
	else
		sb_adds(out, "null");
}

static void
put_member(struct sb *out, const char *name, const json_t *v)
{
	sb_adds(out, ",\"");
	sb_adds(out, name);
	sb_adds(out, "\":");
	put_value(out, v);
}

int
kin_shard_line(const char *stream, const json_t *shard, struct sb *out,
    struct eb *e)
{
	const json_t *id = json_object_get(shard, "ShardId");
	const json_t *hk = json_object_get(shard, "HashKeyRange");
	const json_t *sq = json_object_get(shard, "SequenceNumberRange");
	const json_t *end = json_object_get(sq, "EndingSequenceNumber");

	if (!json_is_string(id))
		return eb_set(e, "ListShards: a shard without ShardId");
	sb_adds(out, "{\"stream\":");
	jx_put_cstr(out, stream);
	put_member(out, "shardId", id);
	put_member(out, "parentShardId", json_object_get(shard, "ParentShardId"));
	put_member(out, "adjacentParentShardId",
	    json_object_get(shard, "AdjacentParentShardId"));
	sb_adds(out, ",\"hashKeyRange\":{\"startingHashKey\":");
	put_value(out, json_object_get(hk, "StartingHashKey"));
	put_member(out, "endingHashKey", json_object_get(hk, "EndingHashKey"));
	sb_adds(out, "},\"sequenceNumberRange\":{\"startingSequenceNumber\":");
	put_value(out, json_object_get(sq, "StartingSequenceNumber"));
	put_member(out, "endingSequenceNumber", end);
	sb_adds(out, "},\"state\":");
	sb_adds(out, json_is_string(end) ? "\"closed\"}\n" : "\"open\"}\n");
	return sb_failed(out) ? eb_set(e, "out of memory") : 0;
}

enum kin_status
kin_list_shard_lines(struct kin_client *k, const char *stream, struct sb *out,
    uint64_t *n, struct eb *e)
{
	json_t *shards, *it;
	enum kin_status st;
	size_t i;

	*n = 0;
	if ((st = kin_list_shards(k, stream, &shards, e)) != KIN_OK)
		return st;
	json_array_foreach(shards, i, it) {
		if (kin_shard_line(stream, it, out, e) != 0) {
			json_decref(shards);
			return KIN_FAIL;
		}
		(*n)++;
	}
	json_decref(shards);
	return KIN_OK;
}

/* One stream's line from its DescribeStreamSummary. */
static int
stream_line(const char *name, const json_t *sum, struct sb *out, struct eb *e)
{
	const json_t *created = json_object_get(sum, "StreamCreationTimestamp");
	const json_t *mode = json_object_get(json_object_get(sum,
	    "StreamModeDetails"), "StreamMode");
	char ts[TM_RFC3339_MAX];
	int64_t us;

	sb_adds(out, "{\"stream\":");
	jx_put_cstr(out, name);
	put_member(out, "streamARN", json_object_get(sum, "StreamARN"));
	put_member(out, "streamStatus", json_object_get(sum, "StreamStatus"));
	put_member(out, "streamMode", mode);
	put_member(out, "openShardCount", json_object_get(sum, "OpenShardCount"));
	put_member(out, "retentionPeriodHours",
	    json_object_get(sum, "RetentionPeriodHours"));
	sb_adds(out, ",\"streamCreationTimestamp\":");
	if (json_is_number(created) && tm_from_epoch_seconds(
	    json_number_value(created), &us, NULL) == 0) {
		sb_addc(out, '"');
		sb_add(out, ts, tm_fmt_rfc3339(us, ts));
		sb_addc(out, '"');
	} else {
		sb_adds(out, "null");
	}
	sb_adds(out, "}\n");
	return sb_failed(out) ? eb_set(e, "out of memory") : 0;
}

static enum kin_status
describe(struct kin_client *k, const char *name, struct sb *out, uint64_t *n,
    struct eb *e)
{
	json_t *req = json_pack("{s:s}", "StreamName", name), *resp;
	enum kin_status st;

	/* a NULL req (out of memory) is refused by kin_call */
	st = kin_call(k, "DescribeStreamSummary", req, &resp, e);
	json_decref(req);
	if (st == KIN_NOTFOUND)
		return KIN_OK;	/* deleted since it was listed */
	if (st != KIN_OK)
		return st;
	if (stream_line(name, json_object_get(resp, "StreamDescriptionSummary"),
	    out, e) != 0)
		st = KIN_FAIL;
	else
		(*n)++;
	json_decref(resp);
	return st;
}

/* The request for the page after resp: NextToken where the service gives
 * one, else (kinesalite) the last name with HasMoreStreams; *req NULL
 * when there is none. -1 out of memory. */
static int
next_page(const json_t *resp, json_t **req)
{
	const json_t *names = json_object_get(resp, "StreamNames");
	const json_t *tok = json_object_get(resp, "NextToken");
	const json_t *last = json_array_get(names, json_array_size(names) - 1);

	*req = NULL;
	if (json_is_string(tok))
		*req = json_pack("{s:O}", "NextToken", tok);
	else if (json_is_true(json_object_get(resp, "HasMoreStreams")) &&
	    json_is_string(last))
		*req = json_pack("{s:O}", "ExclusiveStartStreamName", last);
	else
		return 0;
	return *req != NULL ? 0 : -1;
}

enum kin_status
kin_list_streams(struct kin_client *k, struct sb *out, uint64_t *n,
    struct eb *e)
{
	json_t *req = json_object(), *resp, *it;
	enum kin_status st;
	size_t i;

	*n = 0;
	for (;;) {
		/* a NULL req (out of memory) is refused by kin_call */
		st = kin_call(k, "ListStreams", req, &resp, e);
		json_decref(req);
		if (st != KIN_OK)
			return st;
		json_array_foreach(json_object_get(resp, "StreamNames"), i, it) {
			if (json_is_string(it) && (st = describe(k,
			    json_string_value(it), out, n, e)) != KIN_OK)
				break;
		}
		if (st == KIN_OK && next_page(resp, &req) != 0) {
			eb_set(e, "out of memory");
			st = KIN_FAIL;
		}
		json_decref(resp);
		if (st != KIN_OK || req == NULL)
			return st;
	}
}
