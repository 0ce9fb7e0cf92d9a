/* kin: backoff, error classes, UTF-8, base64 (RFC 4648 §10 vectors),
 * timestamps, envelopes, shard lineage and ownership, sequence number
 * order, PutRecords limits, positions, checkpoints (round trip, the
 * seal, what a damaged or foreign one says). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "base/ck_sum.h"
#include "kinesis/kin.h"
#include "kinesis/kin_ckpt.h"
#include "kinesis/kin_env.h"
#include "kinesis/kin_evs.h"
#include "kinesis/kin_kpl.h"
#include "kinesis/kin_list.h"
#include "kinesis/kin_pos.h"
#include "kinesis/kin_put.h"
#include "kinesis/kin_shard.h"

START_TEST(backoff_full_jitter)
{
	struct kin_backoff b = { 0.1, 5.0, 10, 42 };
	double d, max1 = 0, max4 = 0, max20 = 0;
	int i;

	for (i = 0; i < 2000; i++) {
		d = kin_backoff_delay(&b, 1);
		ck_assert(d >= 0 && d <= 0.1);
		max1 = d > max1 ? d : max1;
		d = kin_backoff_delay(&b, 4);
		ck_assert(d >= 0 && d <= 0.8);
		max4 = d > max4 ? d : max4;
		d = kin_backoff_delay(&b, 20);
		ck_assert(d >= 0 && d <= 5.0);
		max20 = d > max20 ? d : max20;
	}
	/* full jitter spreads over the whole range, up to the ceiling */
	ck_assert(max1 > 0.09 && max4 > 0.7 && max20 > 4.5);
}
END_TEST

START_TEST(classify)
{
	ck_assert_int_eq(kin_classify(400, "ProvisionedThroughputExceededException"), KC_RETRY);
	ck_assert_int_eq(kin_classify(400, "LimitExceededException"), KC_RETRY);
	ck_assert_int_eq(kin_classify(500, "InternalFailure"), KC_RETRY);
	ck_assert_int_eq(kin_classify(503, ""), KC_RETRY);
	ck_assert_int_eq(kin_classify(400, "ExpiredIteratorException"), KC_EXPIRED);
	ck_assert_int_eq(kin_classify(400, "ResourceNotFoundException"), KC_NOTFOUND);
	ck_assert_int_eq(kin_classify(400, "UnrecognizedClientException"), KC_AUTH);
	ck_assert_int_eq(kin_classify(403, ""), KC_AUTH);
	ck_assert_int_eq(kin_classify(400, "InvalidClientTokenId"), KC_AUTH);
	ck_assert_int_eq(kin_classify(400, "KMSAccessDeniedException"), KC_AUTH);
	ck_assert_int_eq(kin_classify(400, "ValidationException"), KC_FATAL);
}
END_TEST

START_TEST(utf8)
{
	ck_assert(kin_utf8_valid((const unsigned char *)"", 0));
	ck_assert(kin_utf8_valid((const unsigned char *)"plain ascii text, long enough", 29));
	ck_assert(kin_utf8_valid((const unsigned char *)"caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
	ck_assert(kin_utf8_valid((const unsigned char *)"a\0b", 3));
	ck_assert(!kin_utf8_valid((const unsigned char *)"\xc0\xaf", 2));	/* overlong '/' */
	ck_assert(!kin_utf8_valid((const unsigned char *)"\xed\xa0\x80", 3));	/* surrogate */
	ck_assert(!kin_utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	ck_assert(!kin_utf8_valid((const unsigned char *)"abcdefgh\xc3", 9));	/* truncated */
	ck_assert(!kin_utf8_valid((const unsigned char *)"\xff\xfe", 2));
}
END_TEST

START_TEST(base64_rfc4648)
{
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	struct sb s = SB_INIT;
	struct eb e;
	size_t i;

	for (i = 0; i < 7; i++) {
		sb_reset(&s);
		kin_b64_encode((const unsigned char *)plain[i], strlen(plain[i]), &s);
		ck_assert_uint_eq(s.len, strlen(coded[i]));
		ck_assert(memcmp(s.buf ? s.buf : "", coded[i], s.len) == 0);
		ck_assert_int_eq(kin_b64_decode(coded[i], strlen(coded[i]), &s, &e), 0);
		ck_assert_uint_eq(s.len, strlen(plain[i]));
		ck_assert(memcmp(s.buf ? s.buf : "", plain[i], s.len) == 0);
	}
	ck_assert_int_eq(kin_b64_decode("Zm9", 3, &s, &e), -1);
	ck_assert_str_eq(e.msg, "Data is not valid base64: length 3");
	ck_assert_int_eq(kin_b64_decode("Zm=v", 4, &s, &e), -1);
	ck_assert_int_eq(kin_b64_decode("Z!==", 4, &s, &e), -1);
	ck_assert_int_eq(kin_b64_decode("//4=", 4, &s, &e), 0);
	ck_assert_uint_eq(s.len, 2);
	ck_assert(memcmp(s.buf, "\xff\xfe", 2) == 0);
	sb_free(&s);
}
END_TEST

START_TEST(stamps)
{
	struct kin_env ev;
	char buf[TM_RFC3339_MAX];

	kin_env_init(&ev);
	/* 2024-01-01T00:00:07Z is 1704067207 s (date -u -d @1704067207) */
	kin_env_stamp(&ev, INT64_C(1704067207250000), buf);
	ck_assert_str_eq(buf, "2024-01-01T00:00:07.25Z");
	kin_env_stamp(&ev, INT64_C(1704067207000000), buf);
	ck_assert_str_eq(buf, "2024-01-01T00:00:07Z");
	kin_env_stamp(&ev, INT64_C(1704067207000001), buf);
	ck_assert_str_eq(buf, "2024-01-01T00:00:07.000001Z");
	kin_env_stamp(&ev, INT64_C(1704067208123000), buf);
	ck_assert_str_eq(buf, "2024-01-01T00:00:08.123Z");
	kin_env_stamp(&ev, INT64_C(-500000), buf);
	ck_assert_str_eq(buf, "1969-12-31T23:59:59.5Z");
	kin_env_free(&ev);
}
END_TEST

static const char ids[] = ",\"stream\":\"s\",\"shardId\":\"shardId-000000000001\"";

START_TEST(envelope)
{
	struct kin_env ev;
	struct sb out = SB_INIT, id = SB_INIT;
	struct eb e;
	/* {"a":1} is eyJhIjoxfQ== ; arrival 1704067207.25 */
	const char *rec = "{\"SequenceNumber\":\"495\",\"ApproximateArrivalTimestamp\":1704067207.25,"
	    "\"Data\":\"eyJhIjoxfQ==\",\"PartitionKey\":\"caf\\u00e9\"}";
	const char *bin = "{\"SequenceNumber\":\"496\",\"ApproximateArrivalTimestamp\":1.704067207E9,"
	    "\"Data\":\"\\/\\/4=\",\"PartitionKey\":\"k\"}";

	kin_env_init(&ev);
	sb_adds(&id, ids);
	ck_assert_int_eq(kin_env_parse(&ev, rec, strlen(rec), &e), 0);
	ck_assert_uint_eq(ev.nuser, 1);
	ck_assert_int_eq(kin_env_put(&ev, &out, &id, 0, &e), 0);
	ck_assert_str_eq(sb_cstr(&out), "{\"data\":\"{\\\"a\\\":1}\",\"stream\":\"s\","
	    "\"shardId\":\"shardId-000000000001\",\"sequenceNumber\":\"495\","
	    "\"partitionKey\":\"caf\xc3\xa9\",\"approximateArrivalTimestamp\":\"2024-01-01T00:00:07.25Z\"}");
	ck_assert_uint_eq(ev.data.len, 7);
	ck_assert(ev.seq.n == 3 && memcmp(ev.seq.p, "495", 3) == 0);
	sb_reset(&out);
	ck_assert_int_eq(kin_env_parse(&ev, bin, strlen(bin), &e), 0);
	ck_assert_int_eq(kin_env_put(&ev, &out, &id, 0, &e), 0);
	ck_assert_str_eq(sb_cstr(&out), "{\"data\":\"//4=\",\"dataEncoding\":\"base64\",\"stream\":\"s\","
	    "\"shardId\":\"shardId-000000000001\",\"sequenceNumber\":\"496\","
	    "\"partitionKey\":\"k\",\"approximateArrivalTimestamp\":\"2024-01-01T00:00:07Z\"}");
	ck_assert_int_eq(kin_env_parse(&ev, "{\"Data\":\"\"}", 11, &e), -1);
	ck_assert_str_eq(e.msg, "GetRecords: record without PartitionKey");
	ck_assert_int_eq(kin_env_parse(&ev, "{\"Data\":", 8, &e), -1);
	ck_assert(strncmp(e.msg, "GetRecords: bad record: ", 24) == 0);
	sb_free(&out);
	sb_free(&id);
	kin_env_free(&ev);
}
END_TEST

START_TEST(raw_payloads)
{
	struct kin_env ev;
	struct sb out = SB_INIT;
	struct eb e;
	/* payloads by base64(1): "caf\303\251 ok", "line1\nline2", "\377\376" */
	const char *text = "{\"SequenceNumber\":\"7\",\"ApproximateArrivalTimestamp\":1,"
	    "\"Data\":\"Y2Fmw6kgb2s=\",\"PartitionKey\":\"k\"}";
	const char *nl = "{\"SequenceNumber\":\"8\",\"ApproximateArrivalTimestamp\":1,"
	    "\"Data\":\"bGluZTEKbGluZTI=\",\"PartitionKey\":\"k\"}";
	const char *bin = "{\"SequenceNumber\":\"9\",\"ApproximateArrivalTimestamp\":1,"
	    "\"Data\":\"//4=\",\"PartitionKey\":\"k\"}";

	kin_env_init(&ev);
	ck_assert_int_eq(kin_env_parse(&ev, text, strlen(text), &e), 0);
	ck_assert_int_eq(kin_env_put_raw(&ev, &out, 0, &e), 0);
	ck_assert_str_eq(sb_cstr(&out), "caf\xc3\xa9 ok");
	ck_assert_uint_eq(ev.data.len, 8);
	sb_reset(&out);
	ck_assert_int_eq(kin_env_parse(&ev, nl, strlen(nl), &e), 0);
	ck_assert_int_eq(kin_env_put_raw(&ev, &out, 0, &e), -1);
	ck_assert_str_eq(e.msg, "record 8: --raw cannot write a payload that holds a "
	    "newline: read it without --raw");
	ck_assert_int_eq(kin_env_parse(&ev, bin, strlen(bin), &e), 0);
	ck_assert_int_eq(kin_env_put_raw(&ev, &out, 0, &e), -1);
	ck_assert_str_eq(e.msg, "record 9: --raw cannot write a payload that is not "
	    "UTF-8 text: read it without --raw");
	ck_assert_uint_eq(out.len, 0);
	sb_free(&out);
	kin_env_free(&ev);
}
END_TEST

START_TEST(shard_lines)
{
	/* a ListShards element as the API reference shows one, and one
	 * without the optional members */
	json_t *closed = json_loads("{\"ShardId\":\"shardId-000000000001\","
	    "\"ParentShardId\":\"shardId-000000000000\","
	    "\"HashKeyRange\":{\"StartingHashKey\":\"0\",\"EndingHashKey\":\"9\"},"
	    "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"100\","
	    "\"EndingSequenceNumber\":\"200\"}}", 0, NULL);
	json_t *bare = json_loads("{\"ShardId\":\"s\\\"q\"}", 0, NULL);
	struct sb out = SB_INIT;
	struct eb e;

	ck_assert_int_eq(kin_shard_line("st", closed, &out, &e), 0);
	ck_assert_str_eq(sb_cstr(&out), "{\"stream\":\"st\",\"shardId\":\"shardId-000000000001\","
	    "\"parentShardId\":\"shardId-000000000000\",\"adjacentParentShardId\":null,"
	    "\"hashKeyRange\":{\"startingHashKey\":\"0\",\"endingHashKey\":\"9\"},"
	    "\"sequenceNumberRange\":{\"startingSequenceNumber\":\"100\","
	    "\"endingSequenceNumber\":\"200\"},\"state\":\"closed\"}\n");
	sb_reset(&out);
	ck_assert_int_eq(kin_shard_line("st", bare, &out, &e), 0);
	ck_assert_str_eq(sb_cstr(&out), "{\"stream\":\"st\",\"shardId\":\"s\\\"q\","
	    "\"parentShardId\":null,\"adjacentParentShardId\":null,"
	    "\"hashKeyRange\":{\"startingHashKey\":null,\"endingHashKey\":null},"
	    "\"sequenceNumberRange\":{\"startingSequenceNumber\":null,"
	    "\"endingSequenceNumber\":null},\"state\":\"open\"}\n");
	ck_assert_int_eq(kin_shard_line("st", json_object_get(bare, "x"), &out, &e), -1);
	ck_assert_str_eq(e.msg, "ListShards: a shard without ShardId");
	json_decref(closed);
	json_decref(bare);
	sb_free(&out);
}
END_TEST

START_TEST(lineage)
{
	struct kin_shards s = { 0 };
	struct eb e;
	size_t added;
	json_t *list = json_loads("[{\"ShardId\":\"shardId-000000000000\",\"SequenceNumberRange\":{\"EndingSequenceNumber\":\"9\"}},"
	    "{\"ShardId\":\"shardId-000000000001\"},"
	    "{\"ShardId\":\"shardId-000000000002\",\"ParentShardId\":\"shardId-000000000000\"},"
	    "{\"ShardId\":\"shardId-000000000003\",\"ParentShardId\":\"shardId-000000000000\",\"SequenceNumberRange\":{\"EndingSequenceNumber\":\"9\"}},"
	    "{\"ShardId\":\"shardId-000000000004\",\"ParentShardId\":\"shardId-000000000003\",\"AdjacentParentShardId\":\"shardId-000000000001\"}]", 0, NULL);
	size_t i;

	ck_assert_int_eq(kin_shards_add(&s, list, &added, &e), 0);
	ck_assert_uint_eq(added, 5);
	ck_assert_int_eq(kin_shards_add(&s, list, &added, &e), 0);
	ck_assert_uint_eq(added, 0);
	ck_assert_uint_eq(kin_shard_number("shardId-000000000007"), 7);
	/* children go with their first parent's root: 0 -> 2, 3 -> 4 */
	ck_assert_int_eq(kin_shard_owner(&s, &s.v[2], 2), 0);
	ck_assert_int_eq(kin_shard_owner(&s, &s.v[4], 2), 0);
	ck_assert_int_eq(kin_shard_owner(&s, &s.v[1], 2), 1);
	ck_assert(s.v[0].closed && !s.v[1].closed && s.v[3].closed);
	for (i = 0; i < s.n; i++)
		s.v[i].mine = 1;
	ck_assert(kin_shard_parents_done(&s, &s.v[0]));
	ck_assert(!kin_shard_parents_done(&s, &s.v[2]));
	s.v[0].state = KS_DONE;
	ck_assert(kin_shard_parents_done(&s, &s.v[2]));
	s.v[3].state = KS_DONE;
	ck_assert(!kin_shard_parents_done(&s, &s.v[4]));	/* adjacent parent 1 */
	s.v[1].mine = 0;	/* another reader's: not ours to wait for */
	ck_assert(kin_shard_parents_done(&s, &s.v[4]));
	json_decref(list);
	kin_shards_free(&s);
}
END_TEST

/* The network tools' exit codes (kin-read(1), kin-put(1)): 3 for
 * credentials, missing or refused, 4 for a stream that is not there. */
START_TEST(exit_codes)
{
	ck_assert_int_eq(kin_exit_code(KIN_AUTH), 3);
	ck_assert_int_eq(kin_exit_code(KIN_NOTFOUND), 4);
	ck_assert_int_eq(kin_exit_code(KIN_FAIL), 1);
	ck_assert_int_eq(kin_exit_code(KIN_GAVEUP), 1);
	ck_assert_int_eq(kin_exit_code(KIN_EXPIRED), 1);
}
END_TEST

START_TEST(put_limits)
{
	struct kin_batch b = { 0 };
	char buf[200];
	char key[300];
	int i;

	ck_assert_ptr_null(kin_put_check(1048575, "k", 1, buf, sizeof(buf)));
	ck_assert_str_eq(kin_put_check(1048576, "k", 1, buf, sizeof(buf)),
	    "record of 1048577 bytes (data and partition key) exceeds the 1 MiB limit");
	memset(key, 'k', 257);
	ck_assert_str_eq(kin_put_check(1, key, 257, buf, sizeof(buf)),
	    "partition key of 257 characters exceeds the limit of 256");
	ck_assert_str_eq(kin_put_check(1, "", 0, buf, sizeof(buf)), "empty partition key");
	ck_assert_str_eq(kin_put_check(1, "\xff", 1, buf, sizeof(buf)), "partition key is not valid UTF-8");
	for (i = 0; i < 500; i++) {
		ck_assert(kin_batch_fits(&b, 1, 1));
		ck_assert_int_eq(kin_batch_add(&b, (uint64_t)i + 1, "x", 1, "k", 1), 0);
	}
	ck_assert(!kin_batch_fits(&b, 1, 1));
	kin_batch_reset(&b);
	ck_assert(kin_batch_fits(&b, 5u * 1024 * 1024 - 1, 1));
	ck_assert(!kin_batch_fits(&b, 5u * 1024 * 1024, 1));
	kin_batch_free(&b);
}
END_TEST

/* --from's spellings, and what a checkpoint writes back: at-timestamp in
 * RFC 3339 UTC, the same instant. */
START_TEST(positions)
{
	static const struct {
		const char *in, *iter, *out;
	} ok[] = {
		{ "earliest", "TRIM_HORIZON", "earliest" },
		{ "trim_horizon", "TRIM_HORIZON", "earliest" },
		{ "latest", "LATEST", "latest" },
		{ "at-sequence=4959", "AT_SEQUENCE_NUMBER", "at-sequence=4959" },
		{ "at-timestamp=2024-01-01T00:00:07.25Z", "AT_TIMESTAMP", "at-timestamp=2024-01-01T00:00:07.25Z" },
		{ "at-timestamp=2024-01-01T01:00:07+01:00", "AT_TIMESTAMP", "at-timestamp=2024-01-01T00:00:07Z" },
		{ "at-timestamp=1704067207.25", "AT_TIMESTAMP", "at-timestamp=2024-01-01T00:00:07.25Z" },
	};
	static const char *const bad[] = {
		"yesterday", "at-sequence=", "at-sequence=12a", "at-sequence=-1",
		"at-timestamp=2024-02-30T00:00:00Z", "at-timestamp=", "",
	};
	struct kin_pos p;
	struct sb t = SB_INIT;
	struct eb e;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(kin_pos_parse(ok[i].in, &p, &e) == 0, "%s", ok[i].in);
		ck_assert_str_eq(kin_pos_iterator(&p), ok[i].iter);
		sb_reset(&t);
		kin_pos_put(&t, &p);
		ck_assert_str_eq(sb_cstr(&t), ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(kin_pos_parse(bad[i], &p, &e) == -1, "%s", bad[i]);
	ck_assert_int_eq(kin_pos_parse("sometime", &p, &e), -1);
	ck_assert_str_eq(e.msg, "expected earliest, latest, at-timestamp=T or "
	    "at-sequence=N: 'sometime'");
	sb_free(&t);
}
END_TEST

static void
write_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static void
write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

START_TEST(checkpoint_roundtrip)
{
	char path[64] = "/tmp/kp-ckpt.XXXXXX", tmp[160];
	json_t *m = json_pack("{s:s}", "shardId-000000000000", "4959");
	json_t *st = json_pack("{s:s,s:s}", "shardId-000000000000",
	    "at-sequence=4950", "shardId-000000000001", "earliest");
	struct kin_ckpt got;
	struct eb e;
	int fd = mkstemp(path);
	json_t *subs = json_pack("{s:i}", "shardId-000000000000", 4);

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	ck_assert_int_eq(kin_ckpt_load(path, "s", &got, &e), 1);	/* none yet */
	ck_assert_int_eq(kin_ckpt_save(path, "s", m, NULL, st, &e), 0);
	ck_assert_int_eq(kin_ckpt_load(path, "s", &got, &e), 0);
	ck_assert_int_eq(got.kind, KIN_CKPT_CHECKPOINT);
	ck_assert(json_equal(got.shards, m));
	ck_assert(json_equal(got.starts, st));
	/* a plain stream's file has none, and reads back as none */
	ck_assert_uint_eq(json_object_size(got.subs), 0);
	kin_ckpt_free(&got);
	/* a position inside a KPL aggregate */
	ck_assert_int_eq(kin_ckpt_save(path, "s", m, subs, st, &e), 0);
	ck_assert_int_eq(kin_ckpt_load(path, "s", &got, &e), 0);
	ck_assert(json_equal(got.shards, m));
	ck_assert(json_equal(got.subs, subs));
	ck_assert(json_equal(got.starts, st));
	kin_ckpt_free(&got);
	json_decref(subs);
	ck_assert_int_eq(kin_ckpt_load(path, "t", &got, &e), -1);
	snprintf(tmp, sizeof(tmp), "%s: positions are for stream 's', not 't'", path);
	ck_assert_str_eq(e.msg, tmp);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(access(tmp, F_OK), -1);	/* renamed away */
	unlink(path);
	json_decref(m);
	json_decref(st);
}
END_TEST

/* Every single-bit flip of a checkpoint as kin-read writes it: refused,
 * never used. */
START_TEST(checkpoint_bit_flips)
{
	char path[64] = "/tmp/kp-ckpt.XXXXXX", *text, *flip;
	json_t *m = json_pack("{s:s}", "shardId-000000000000",
	    "49680722448406860776330447951185868792634923187240435714");
	json_t *st = json_pack("{s:s,s:s}", "shardId-000000000000", "earliest",
	    "shardId-000000000001", "at-timestamp=2024-01-01T00:00:07.25Z");
	struct kin_ckpt got;
	struct eb e;
	long len;
	FILE *f;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(kin_ckpt_save(path, "s", m, NULL, st, &e), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = malloc((size_t)len);
	flip = malloc((size_t)len);
	ck_assert(text != NULL && flip != NULL);
	ck_assert_uint_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_int_eq(kin_ckpt_load_text(text, (size_t)len, "f", "s", &got,
	    &e), 0);
	kin_ckpt_free(&got);
	for (long i = 0; i < len * 8; i++) {
		memcpy(flip, text, (size_t)len);
		flip[i / 8] ^= (char)(1 << (i % 8));
		ck_assert_msg(kin_ckpt_load_text(flip, (size_t)len, "f", "s", &got,
		    &e) == -1, "bit %ld (byte %ld) flipped: accepted", i, i / 8);
	}
	unlink(path);
	free(text);
	free(flip);
	json_decref(m);
	json_decref(st);
}
END_TEST

/* Refusals: foreign, damaged (with how to start over), impossible. */
START_TEST(checkpoint_refused)
{
	static const struct {
		const char *text, *why;
		int damaged;
	} cases[] = {
		{ "{\"format\":\"x\"}", "unknown format 'x'", 0 },
		{ "[1]", "not a checkpoint or state file", 0 },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":7}", "unsupported version 7", 0 },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":1}", "unsupported version 1", 0 },
		{ "{\"format\":\"kinpipe-window-avg-state\",\"version\":3}", "unsupported version 3", 0 },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":2,\"stream\":\"s\",\"shards\":{},\"starts\":{}}\n", "no valid \"sha256\" seal at its end", 1 },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"stream\":\"s\",\"shards\":{\"a\":7}}", "shard a: sequence number is not a decimal string", 1 },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"stream\":\"s\"}", "no \"shards\" object", 1 },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"stre", "not JSON: premature end of input near '\"stre' (at byte 45)", 1 },
	};
	static const struct {
		const char *body, *why;
	} sealed[] = {
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":2,\"stream\":\"s\",\"shards\":{\"a\":\"7\"},\"starts\":{}", "shard a: a position without a start" },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":2,\"stream\":\"s\",\"shards\":{},\"starts\":{\"a\":\"latest\"}", "shard a: bad start" },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":2,\"stream\":\"s\",\"shards\":{},\"starts\":{\"a\":\"at-sequence=x\"}", "shard a: bad start" },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":2,\"shards\":{},\"starts\":{}", "no \"stream\"" },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":2,\"stream\":\"s\",\"shards\":{\"a\":\"7\"},\"subSequenceNumbers\":{\"b\":1},\"starts\":{\"a\":\"earliest\"}", "shard b: subSequenceNumber is not a count beside a sequence number" },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":2,\"stream\":\"s\",\"shards\":{\"a\":\"7\"},\"subSequenceNumbers\":{\"a\":-1},\"starts\":{\"a\":\"earliest\"}", "shard a: subSequenceNumber is not a count beside a sequence number" },
		{ "{\"format\":\"kinpipe-kin-read-checkpoint\",\"version\":2,\"stream\":\"s\",\"shards\":{},\"subSequenceNumbers\":[],\"starts\":{}", "\"subSequenceNumbers\" is not an object" },
	};
	char path[64] = "/tmp/kp-ckpt.XXXXXX", want[1024];
	struct kin_ckpt got;
	struct sb t = SB_INIT;
	struct eb e;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) +
	    sizeof(sealed) / sizeof(sealed[0]); i++) {
		const char *why;
		int damaged = 1;

		sb_reset(&t);
		if (i < sizeof(cases) / sizeof(cases[0])) {
			sb_adds(&t, cases[i].text);
			why = cases[i].why;
			damaged = cases[i].damaged;
		} else {
			sb_adds(&t, sealed[i - sizeof(cases) / sizeof(cases[0])].body);
			ck_sum_seal(&t, 0);
			why = sealed[i - sizeof(cases) / sizeof(cases[0])].why;
		}
		write_file(path, t.buf, t.len);
		ck_assert_int_eq(kin_ckpt_load(path, "s", &got, &e), -1);
		if (damaged)
			snprintf(want, sizeof(want), "%s: damaged (%s): not used. "
			    "To start over, move it aside (mv %s %s.damaged): each "
			    "shard then starts at --from, and what was read since "
			    "is read again or skipped", path, why, path, path);
		else
			snprintf(want, sizeof(want), "%s: %s", path, why);
		ck_assert_str_eq(e.msg, want);
	}
	/* the first format, unsealed, without "starts": still read */
	write_text(path, "{\"format\":\"kinpipe-kin-read-checkpoint\",\"stream\":"
	    "\"s\",\"shards\":{\"a\":\"7\"}}\n");
	ck_assert_msg(kin_ckpt_load(path, "s", &got, &e) == 0, "%s", e.msg);
	ck_assert_ptr_null(got.starts);
	ck_assert_str_eq(json_string_value(json_object_get(got.shards, "a")), "7");
	kin_ckpt_free(&got);
	/* window-avg's version 1 state, unsealed: still read, as window-avg
	 * reads it */
	write_text(path, "{\"format\":\"kinpipe-window-avg-state\",\"version\":"
	    "1,\"shards\":{\"a\":\"9\"}}\n");
	ck_assert_msg(kin_ckpt_load(path, "s", &got, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(got.kind, KIN_CKPT_STATE);
	ck_assert_str_eq(json_string_value(json_object_get(got.shards, "a")), "9");
	kin_ckpt_free(&got);
	unlink(path);
	sb_free(&t);
}
END_TEST

/* An aggregate written by hand from the published format: keys "a" and
 * "bc", explicit hash key "5", user records {key 1, "x"} and {key 0,
 * hash key 0, "yz"}; the MD5 is python3's hashlib.md5 of the protobuf. */
static const unsigned char kpl_body[] = { 0x0a, 0x01, 'a', 0x0a, 0x02, 'b', 'c',
    0x12, 0x01, '5', 0x1a, 0x05, 0x08, 0x01, 0x1a, 0x01, 'x', 0x1a, 0x08, 0x08,
    0x00, 0x10, 0x00, 0x1a, 0x02, 'y', 'z' };
static const unsigned char kpl_md5[] = { 0xb0, 0x90, 0xdd, 0x8f, 0xb1, 0x77,
    0x20, 0xe3, 0x02, 0x5e, 0x64, 0x9f, 0x34, 0xcd, 0x04, 0x52 };

static size_t
kpl_record(unsigned char *buf, const unsigned char *body, size_t n)
{
	memcpy(buf, KIN_KPL_MAGIC, 4);
	memcpy(buf + 4, body, n);
	memcpy(buf + 4 + n, kpl_md5, 16);
	return 4 + n + 16;
}

START_TEST(kpl_decode)
{
	struct kin_kpl k;
	unsigned char buf[128], bad[sizeof(kpl_body)];
	size_t n = kpl_record(buf, kpl_body, sizeof(kpl_body));
	kin_hash h;
	char text[48];

	kin_kpl_init(&k);
	ck_assert_int_eq(kin_kpl_decode(&k, buf, n), KIN_KPL_AGGREGATE);
	ck_assert_uint_eq(k.n, 2);
	ck_assert_uint_eq(k.v[0].pk, 1);
	ck_assert_uint_eq(k.v[0].ehk, KIN_KPL_NO_EHK);
	ck_assert(k.v[0].data.n == 1 && k.v[0].data.p[0] == 'x');
	ck_assert_uint_eq(k.v[1].pk, 0);
	ck_assert_uint_eq(k.v[1].ehk, 0);
	ck_assert(k.v[1].data.n == 2 && memcmp(k.v[1].data.p, "yz", 2) == 0);
	ck_assert_int_eq(kin_kpl_user_hash(&k, 1, &h), 0);
	ck_assert(h == 5);
	/* the MD5 of "a", read big-endian (python3: int.from_bytes) */
	ck_assert_int_eq(kin_kpl_key_hash(&k, "a", 1, &h), 0);
	kin_hash_fmt(h, text);
	ck_assert_str_eq(text, "16955237001963240173058271559858726497");
	/* one bit of the MD5 off: passed whole */
	buf[n - 1] ^= 1;
	ck_assert_int_eq(kin_kpl_decode(&k, buf, n), KIN_KPL_BAD_MD5);
	ck_assert_uint_eq(k.n, 0);
	/* no magic, or nothing after the MD5: plain */
	ck_assert_int_eq(kin_kpl_decode(&k, "{\"a\":1}", 7), KIN_KPL_PLAIN);
	ck_assert_int_eq(kin_kpl_decode(&k, buf, 20), KIN_KPL_PLAIN);
	/* a key index past the table (the MD5 made to match): passed whole */
	memcpy(bad, kpl_body, sizeof(bad));
	bad[13] = 0x02;
	n = kpl_record(buf, bad, sizeof(bad));
	ck_assert_int_eq(kin_kpl_md5(&k, bad, sizeof(bad), buf + n - 16), 0);
	ck_assert_int_eq(kin_kpl_decode(&k, buf, n), KIN_KPL_BAD_BODY);
	/* a Record length running past the message */
	memcpy(bad, kpl_body, sizeof(bad));
	bad[11] = 0x7f;
	ck_assert_int_eq(kin_kpl_md5(&k, bad, sizeof(bad), buf + n - 16), 0);
	memcpy(buf + 4, bad, sizeof(bad));
	ck_assert_int_eq(kin_kpl_decode(&k, buf, n), KIN_KPL_BAD_BODY);
	ck_assert_int_eq(kin_hash_parse("340282366920938463463374607431768211455", 39, &h), 0);
	ck_assert(h == KIN_HASH_MAX);
	ck_assert_int_eq(kin_hash_parse("340282366920938463463374607431768211456", 39, &h), -1);
	kin_kpl_free(&k);
}
END_TEST

/* What the packer writes decodes to what went in, shared keys once. */
START_TEST(kpl_pack)
{
	struct kin_kpl_pack p;
	struct kin_kpl k;
	size_t want;

	kin_kpl_pack_init(&p);
	kin_kpl_init(&k);
	want = kin_kpl_pack_size_with(&p, "a", 1, 1);
	ck_assert_uint_eq(want, 4 + 3 + 7 + 16);
	ck_assert_int_eq(kin_kpl_pack_add(&p, "a", 1, "x", 1), 0);
	ck_assert_int_eq(kin_kpl_pack_add(&p, "bc", 2, "yz", 2), 0);
	want = kin_kpl_pack_size_with(&p, "a", 1, 0);
	ck_assert_int_eq(kin_kpl_pack_add(&p, "a", 1, "", 0), 0);
	ck_assert_int_eq(kin_kpl_pack_finish(&p, &k), 0);
	ck_assert_uint_eq(p.out.len, want);
	ck_assert_int_eq(kin_kpl_decode(&k, p.out.buf, p.out.len), KIN_KPL_AGGREGATE);
	ck_assert_uint_eq(k.npk, 2);
	ck_assert_uint_eq(k.n, 3);
	ck_assert_uint_eq(k.v[2].pk, 0);
	ck_assert_uint_eq(k.v[2].data.n, 0);
	ck_assert(k.pks[1].n == 2 && memcmp(k.pks[1].p, "bc", 2) == 0);
	kin_kpl_pack_free(&p);
	kin_kpl_free(&k);
}
END_TEST

/* --raw of a KPL aggregate: each user record's own payload, and one that
 * cannot be a line named by its place in the aggregate. */
START_TEST(raw_aggregate)
{
	struct kin_kpl_pack p;
	struct kin_kpl k;
	struct kin_env ev;
	struct sb rec = SB_INIT, out = SB_INIT;
	struct eb e;

	kin_kpl_pack_init(&p);
	kin_kpl_init(&k);
	kin_env_init(&ev);
	ck_assert_int_eq(kin_kpl_pack_add(&p, "a", 1, "one", 3), 0);
	ck_assert_int_eq(kin_kpl_pack_add(&p, "b", 1, "two\nlines", 9), 0);
	ck_assert_int_eq(kin_kpl_pack_finish(&p, &k), 0);
	sb_adds(&rec, "{\"SequenceNumber\":\"12\",\"ApproximateArrivalTimestamp\":1,"
	    "\"PartitionKey\":\"a\",\"Data\":\"");
	kin_b64_encode((const unsigned char *)p.out.buf, p.out.len, &rec);
	sb_adds(&rec, "\"}");
	ck_assert_int_eq(kin_env_parse(&ev, rec.buf, rec.len, &e), 0);
	ck_assert_uint_eq(ev.nuser, 2);
	ck_assert_int_eq(kin_env_put_raw(&ev, &out, 0, &e), 0);
	ck_assert_str_eq(sb_cstr(&out), "one");
	ck_assert_int_eq(kin_env_put_raw(&ev, &out, 1, &e), -1);
	ck_assert_str_eq(e.msg, "record 12 (subSequenceNumber 1): --raw cannot "
	    "write a payload that holds a newline: read it without --raw");
	sb_free(&rec);
	sb_free(&out);
	kin_env_free(&ev);
	kin_kpl_pack_free(&p);
	kin_kpl_free(&k);
}
END_TEST

/* One SubscribeToShardEvent frame, written by python3 (struct, zlib.crc32)
 * from the format: headers :message-type event, :event-type
 * SubscribeToShardEvent; payload {"Records":[]}. */
static const unsigned char evs_frame[] = { 0x00, 0x00, 0x00, 0x58, 0x00, 0x00,
    0x00, 0x3a, 0xab, 0x4d, 0x82, 0xd1, 0x0d, 0x3a, 0x6d, 0x65, 0x73, 0x73, 0x61,
    0x67, 0x65, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x05, 0x65, 0x76, 0x65,
    0x6e, 0x74, 0x0b, 0x3a, 0x65, 0x76, 0x65, 0x6e, 0x74, 0x2d, 0x74, 0x79, 0x70,
    0x65, 0x07, 0x00, 0x15, 0x53, 0x75, 0x62, 0x73, 0x63, 0x72, 0x69, 0x62, 0x65,
    0x54, 0x6f, 0x53, 0x68, 0x61, 0x72, 0x64, 0x45, 0x76, 0x65, 0x6e, 0x74, 0x7b,
    0x22, 0x52, 0x65, 0x63, 0x6f, 0x72, 0x64, 0x73, 0x22, 0x3a, 0x5b, 0x5d, 0x7d,
    0x90, 0x69, 0x38, 0x82 };

START_TEST(event_stream)
{
	struct kin_evs d;
	struct kin_evs_msg m;
	unsigned char bad[sizeof(evs_frame)];
	struct eb e;
	size_t i;

	kin_evs_init(&d);
	/* a byte at a time, as the network may hand it over, twice */
	for (i = 0; i < 2 * sizeof(evs_frame); i++) {
		ck_assert_int_eq(kin_evs_next(&d, &m, &e), 0);
		ck_assert_int_eq(kin_evs_feed(&d, &evs_frame[i % sizeof(evs_frame)], 1), 0);
		if (i % sizeof(evs_frame) == sizeof(evs_frame) - 1) {
			ck_assert_int_eq(kin_evs_next(&d, &m, &e), 1);
			ck_assert(m.message_type.n == 5 && memcmp(m.message_type.p, "event", 5) == 0);
			ck_assert(m.event_type.n == 21 && memcmp(m.event_type.p, "SubscribeToShardEvent", 21) == 0);
			ck_assert(m.plen == 14 && memcmp(m.payload, "{\"Records\":[]}", 14) == 0);
			ck_assert_uint_eq(m.exception_type.n, 0);
		}
	}
	ck_assert(!kin_evs_pending(&d));
	/* a payload byte changed: the message CRC */
	memcpy(bad, evs_frame, sizeof(bad));
	bad[80] ^= 1;
	kin_evs_reset(&d);
	ck_assert_int_eq(kin_evs_feed(&d, bad, sizeof(bad)), 0);
	ck_assert_int_eq(kin_evs_next(&d, &m, &e), -1);
	ck_assert_str_eq(e.msg, "event stream: message CRC32 mismatch");
	/* a length changed: the prelude CRC, before the length is believed */
	memcpy(bad, evs_frame, sizeof(bad));
	bad[2] = 0x7f;
	kin_evs_reset(&d);
	ck_assert_int_eq(kin_evs_feed(&d, bad, 12), 0);
	ck_assert_int_eq(kin_evs_next(&d, &m, &e), -1);
	ck_assert_str_eq(e.msg, "event stream: prelude CRC32 mismatch");
	kin_evs_free(&d);
}
END_TEST

static Suite *
kin_suite(void)
{
	Suite *s = suite_create("kin");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, backoff_full_jitter);
	tcase_add_test(tc, classify);
	tcase_add_test(tc, utf8);
	tcase_add_test(tc, base64_rfc4648);
	tcase_add_test(tc, stamps);
	tcase_add_test(tc, envelope);
	tcase_add_test(tc, raw_payloads);
	tcase_add_test(tc, shard_lines);
	tcase_add_test(tc, kpl_decode);
	tcase_add_test(tc, kpl_pack);
	tcase_add_test(tc, raw_aggregate);
	tcase_add_test(tc, event_stream);
	tcase_add_test(tc, lineage);
	tcase_add_test(tc, exit_codes);
	tcase_add_test(tc, put_limits);
	tcase_add_test(tc, positions);
	tcase_add_test(tc, checkpoint_roundtrip);
	tcase_add_test(tc, checkpoint_bit_flips);
	tcase_add_test(tc, checkpoint_refused);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(kin_suite)
