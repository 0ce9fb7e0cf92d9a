#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "json/jx.h"
#include "kinesis/kin_env.h"
#include "kinesis/kin_put.h"

const char *
kin_put_check(size_t dlen, const char *key, size_t klen, char *buf, size_t cap)
{
	size_t i, chars = 0;

	for (i = 0; i < klen; i++)
		chars += ((unsigned char)key[i] & 0xc0) != 0x80;
	if (klen == 0)
		return "empty partition key";
	if (chars > KIN_PUT_MAX_KEY_CHARS) {
		snprintf(buf, cap, "partition key of %zu characters exceeds the "
		    "limit of %d", chars, KIN_PUT_MAX_KEY_CHARS);
		return buf;
	}
	if (!kin_utf8_valid((const unsigned char *)key, klen))
		return "partition key is not valid UTF-8";
	if (dlen + klen > KIN_PUT_MAX_RECORD) {
		snprintf(buf, cap, "record of %zu bytes (data and partition key) "
		    "exceeds the 1 MiB limit", dlen + klen);
		return buf;
	}
	return NULL;
}

int
kin_batch_fits(const struct kin_batch *b, size_t dlen, size_t klen)
{
	return b->n < KIN_PUT_MAX_RECORDS &&
	    b->bytes + dlen + klen <= KIN_PUT_MAX_BATCH;
}

static struct kin_put_entry *
new_entry(struct kin_batch *b, uint64_t line)
{
	struct kin_put_entry *nv;
	size_t ncap;

	if (b->n == b->cap) {
		/* the capacity grows only with the array: a failed realloc
		 * must not leave cap beyond what is allocated */
		ncap = b->cap ? b->cap * 2 : 64;
		if ((nv = realloc(b->v, ncap * sizeof(*nv))) == NULL)
			return NULL;
		b->v = nv;
		b->cap = ncap;
	}
	nv = &b->v[b->n++];
	memset(nv, 0, sizeof(*nv));
	nv->line = line;
	return nv;
}

int
kin_batch_add_ehk(struct kin_batch *b, uint64_t line, const char *data,
    size_t dlen, const char *key, size_t klen, const char *ehk, size_t hlen)
{
	struct kin_put_entry *en = new_entry(b, line);

	if (en == NULL)
		return -1;
	en->off = b->arena.len;
	en->dlen = dlen;
	en->klen = klen;
	en->hlen = hlen;
	sb_add(&b->arena, data, dlen);
	sb_add(&b->arena, key, klen);
	sb_add(&b->arena, ehk, hlen);
	b->bytes += dlen + klen;
	return sb_failed(&b->arena) ? -1 : 0;
}

int
kin_batch_add(struct kin_batch *b, uint64_t line, const char *data,
    size_t dlen, const char *key, size_t klen)
{
	return kin_batch_add_ehk(b, line, data, dlen, key, klen, NULL, 0);
}

int
kin_batch_add_error(struct kin_batch *b, uint64_t line, const char *why)
{
	struct kin_put_entry *en = new_entry(b, line);

	if (en == NULL || (en->error = strdup(why)) == NULL)
		return -1;
	b->refused++;
	return 0;
}

static int
pending(const struct kin_put_entry *en)
{
	return en->seq == NULL && en->error == NULL;
}

/* Returns how many entries the body carries. */
static size_t
build_body(struct kin_batch *b, const char *stream)
{
	size_t i, n = 0;

	sb_reset(&b->body);
	sb_adds(&b->body, "{\"StreamName\":");
	jx_put_cstr(&b->body, stream);
	sb_adds(&b->body, ",\"Records\":[");
	for (i = 0; i < b->n; i++) {
		struct kin_put_entry *en = &b->v[i];

		if (!pending(en))
			continue;
		sb_adds(&b->body, n++ == 0 ? "{\"Data\":\"" : ",{\"Data\":\"");
		kin_b64_encode((unsigned char *)b->arena.buf + en->off, en->dlen, &b->body);
		sb_adds(&b->body, "\",\"PartitionKey\":");
		jx_put_string(&b->body, b->arena.buf + en->off + en->dlen, en->klen);
		if (en->hlen > 0) {
			sb_adds(&b->body, ",\"ExplicitHashKey\":");
			jx_put_string(&b->body, b->arena.buf + en->off + en->dlen +
			    en->klen, en->hlen);
		}
		sb_addc(&b->body, '}');
	}
	sb_adds(&b->body, "]}");
	return n;
}

static int
retryable_code(const char *code)
{
	return strcmp(code, "ProvisionedThroughputExceededException") == 0 ||
	    strcmp(code, "InternalFailure") == 0 ||
	    strcmp(code, "ServiceUnavailable") == 0;
}

/* Match the answer's entries, in order, to the entries we sent. Returns
 * how many failed retryably, or -1 on a malformed answer or out of
 * memory. An outcome that cannot be kept is an error, never a pending
 * entry: that would send a stored record again. */
static int
take_answer(struct kin_batch *b, const json_t *resp, char *last, size_t cap,
    struct eb *e)
{
	const json_t *recs = json_object_get(resp, "Records"), *r;
	size_t i, j = 0;
	int again = 0;
	const char *code, *msg;
	char why[400];

	for (i = 0; i < b->n; i++) {
		struct kin_put_entry *en = &b->v[i];

		if (!pending(en))
			continue;
		if ((r = json_array_get(recs, j++)) == NULL)
			return eb_set(e, "PutRecords: answer has fewer entries than the request");
		code = json_string_value(json_object_get(r, "ErrorCode"));
		if (code == NULL) {
			const char *sh = json_string_value(json_object_get(r, "ShardId"));
			const char *sq = json_string_value(json_object_get(r, "SequenceNumber"));

			if (sh == NULL || sq == NULL)
				return eb_set(e, "PutRecords: entry without ShardId or SequenceNumber");
			if ((en->shard = strdup(sh)) == NULL ||
			    (en->seq = strdup(sq)) == NULL)
				return eb_set(e, "out of memory");
			continue;
		}
		msg = json_string_value(json_object_get(r, "ErrorMessage"));
		snprintf(why, sizeof(why), "%s%s%s", code, msg ? ": " : "", msg ? msg : "");
		if (retryable_code(code)) {
			snprintf(last, cap, "%s", why);
			again++;
		} else {
			if ((en->error = strdup(why)) == NULL)
				return eb_set(e, "out of memory");
			b->failed++;
		}
	}
	if (j != json_array_size(recs))
		return eb_set(e, "PutRecords: answer has more entries than the request");
	return again;
}

enum kin_status
kin_batch_send(struct kin_client *k, const char *stream, struct kin_batch *b,
    struct eb *e)
{
	json_t *resp;
	enum kin_status st;
	char last[400] = "", why[480];
	int attempt = 0, again;
	size_t i;

	for (;;) {
		if (build_body(b, stream) == 0)
			return KIN_OK;	/* nothing left to send */
		if (sb_failed(&b->body)) {
			eb_set(e, "out of memory");
			return KIN_FAIL;
		}
		st = kin_call_body(k, "PutRecords", b->body.buf, b->body.len, &resp, e);
		if (st != KIN_OK)
			return st;
		again = take_answer(b, resp, last, sizeof(last), e);
		json_decref(resp);
		if (again < 0)
			return KIN_FAIL;
		if (again == 0)
			return KIN_OK;
		attempt++;
		if (k->bo.max_attempts > 0 && attempt >= k->bo.max_attempts) {
			snprintf(why, sizeof(why), "%s (gave up after %d attempt%s)",
			    last, attempt, attempt == 1 ? "" : "s");
			for (i = 0; i < b->n; i++)
				if (pending(&b->v[i])) {
					if ((b->v[i].error = strdup(why)) == NULL) {
						eb_set(e, "out of memory");
						return KIN_FAIL;
					}
					b->failed++;
				}
			return KIN_OK;
		}
		b->retries += (uint64_t)again;
		k->retries++;
		if (kin_sleep(kin_backoff_delay(&k->bo, attempt), k->aws.stop) != 0)
			return KIN_STOPPED;
	}
}

void
kin_batch_results(const struct kin_batch *b, struct sb *out)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct kin_put_entry *en = &b->v[i];

		sb_adds(out, "{\"line\":");
		jx_put_int(out, (int64_t)en->line);
		if (en->seq != NULL) {
			sb_adds(out, ",\"shardId\":");
			jx_put_cstr(out, en->shard);
			sb_adds(out, ",\"sequenceNumber\":");
			jx_put_cstr(out, en->seq);
		} else {
			sb_adds(out, ",\"error\":");
			jx_put_cstr(out, en->error ? en->error : "not sent");
		}
		sb_adds(out, "}\n");
	}
}

void
kin_batch_reset(struct kin_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].shard);
		free(b->v[i].seq);
		free(b->v[i].error);
	}
	b->n = 0;
	b->bytes = 0;
	b->failed = 0;
	b->refused = 0;
	sb_reset(&b->arena);
}

void
kin_batch_free(struct kin_batch *b)
{
	kin_batch_reset(b);
	free(b->v);
	sb_free(&b->arena);
	sb_free(&b->body);
	memset(b, 0, sizeof(*b));
}
