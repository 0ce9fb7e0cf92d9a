#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cli.h"
#include "json/jx.h"
#include "kinesis/kin.h"

int
kin_exit_code(enum kin_status st)
{
	return st == KIN_AUTH ? KIN_EXIT_AUTH : st == KIN_NOTFOUND ?
	    KIN_EXIT_NOTFOUND : CLI_FAIL;
}

enum kin_status
kin_client_init(struct kin_client *k, const struct aws_opts *o,
    volatile sig_atomic_t *stop, struct eb *e)
{
	enum aws_status st;

	memset(k, 0, sizeof(*k));
	k->bo.base_s = 0.1;
	k->bo.cap_s = 5.0;
	k->bo.max_attempts = 10;
	k->bo.rng = aws_backoff_seed();
	st = aws_client_init(&k->aws, o, stop, e);
	return st == AWS_OK ? KIN_OK : st == AWS_NOCREDS ? KIN_AUTH : KIN_FAIL;
}

void
kin_client_free(struct kin_client *k)
{
	aws_client_free(&k->aws);
}

double
kin_backoff_delay(struct kin_backoff *b, int attempt)
{
	return aws_backoff_delay(b->base_s, b->cap_s, &b->rng, attempt);
}

int
kin_sleep(double s, volatile sig_atomic_t *stop)
{
	return aws_sleep(s, stop);
}

enum kin_class
kin_classify(long status, const char *type)
{
	static const char *retry[] = { "ProvisionedThroughputExceededException",
	    "LimitExceededException", "ThrottlingException",
	    "KMSThrottlingException", "InternalFailure", "ServiceUnavailable",
	    "RequestTimeout", "RequestTimeoutException", NULL };
	int i;

	if (status >= 500)
		return KC_RETRY;
	for (i = 0; retry[i]; i++)
		if (strcmp(type, retry[i]) == 0)
			return KC_RETRY;
	if (strcmp(type, "ExpiredIteratorException") == 0)
		return KC_EXPIRED;
	if (strcmp(type, "ResourceNotFoundException") == 0)
		return KC_NOTFOUND;
	if (strcmp(type, "KMSAccessDeniedException") == 0 ||
	    aws_is_auth_error(status, type))
		return KC_AUTH;
	return KC_FATAL;
}

int
kin_throttled(long status, const char *type)
{
	static const char *slow[] = { "ProvisionedThroughputExceededException",
	    "LimitExceededException", "ThrottlingException",
	    "KMSThrottlingException", NULL };

	for (int i = 0; slow[i]; i++)
		if (strcmp(type, slow[i]) == 0)
			return 1;
	return status == 429;
}

/* "__type" may carry a namespace ("com.amazon...#Name"): keep the name. */
static void
error_of(const char *body, size_t len, char *type, size_t tcap, char *msg,
    size_t mcap)
{
	json_t *doc = json_loadb(body, len, 0, NULL), *t, *m;
	const char *s;

	snprintf(type, tcap, "%s", "");
	snprintf(msg, mcap, "%s", "");
	if (doc == NULL) {
		snprintf(msg, mcap, "%.*s", len > 200 ? 200 : (int)len, body);
		return;
	}
	t = json_object_get(doc, "__type");
	m = json_object_get(doc, "message");
	if (m == NULL)
		m = json_object_get(doc, "Message");
	if (json_is_string(t)) {
		s = strrchr(json_string_value(t), '#');
		snprintf(type, tcap, "%s", s ? s + 1 : json_string_value(t));
	}
	if (json_is_string(m))
		snprintf(msg, mcap, "%s", json_string_value(m));
	json_decref(doc);
}

enum kin_status
kin_class_status(enum kin_class c)
{
	switch (c) {
	case KC_EXPIRED: return KIN_EXPIRED;
	case KC_AUTH: return KIN_AUTH;
	case KC_NOTFOUND: return KIN_NOTFOUND;
	default: return KIN_FAIL;
	}
}

enum kin_class
kin_error_answer(const char *op, long status, const char *body, size_t len,
    int *slow, struct eb *e)
{
	char type[128], msg[300];

	error_of(body, len, type, sizeof(type), msg, sizeof(msg));
	eb_set(e, "%s: %s%s%s (HTTP %ld)", op, type[0] ? type : "error",
	    msg[0] ? ": " : "", msg, status);
	*slow = kin_throttled(status, type);
	return kin_classify(status, type);
}

enum kin_status
kin_retry_note(struct kin_client *k, int attempt, int slow, struct eb *e)
{
	if (k->bo.max_attempts > 0 && attempt >= k->bo.max_attempts) {
		struct eb last = *e;

		eb_set(e, "%.480s (gave up after %d attempt%s)", last.msg,
		    attempt, attempt == 1 ? "" : "s");
		return KIN_GAVEUP;
	}
	k->retries++;
	k->throttles += slow != 0;
	if (!k->quiet && (attempt == 3 || attempt % 10 == 0))
		cli_warn("%s (retry %d)", e->msg, attempt);
	return KIN_OK;
}

enum kin_status
kin_call(struct kin_client *k, const char *op, json_t *req, json_t **resp,
    struct eb *e)
{
	char *body;
	enum kin_status st;

	*resp = NULL;
	/* req NULL: the caller's json_pack ran out of memory */
	if (req == NULL || (body = jx_dumps(req)) == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	st = kin_call_body(k, op, body, strlen(body), resp, e);
	free(body);
	return st;
}

enum kin_status
kin_call_body(struct kin_client *k, const char *op, const char *body,
    size_t len, json_t **resp, struct eb *e)
{
	const char *text;
	size_t tlen;
	json_error_t je;
	enum kin_status st;

	*resp = NULL;
	if ((st = kin_call_text(k, op, body, len, &text, &tlen, e)) != KIN_OK)
		return st;
	*resp = json_loadb(text, tlen, 0, &je);
	if (*resp == NULL || !json_is_object(*resp)) {
		json_decref(*resp);
		*resp = NULL;
		eb_set(e, "%s: bad answer: %s", op, je.text);
		return KIN_FAIL;
	}
	return KIN_OK;
}

enum kin_status
kin_call_text(struct kin_client *k, const char *op, const char *body,
    size_t len, const char **text, size_t *tlen, struct eb *e)
{
	char target[80];
	struct aws_result r;
	enum kin_class cls;
	enum aws_status rc;
	int attempt = 0, slow;

	snprintf(target, sizeof(target), "Kinesis_20131202.%s", op);
	for (;;) {
		k->calls++;
		rc = aws_post(&k->aws, target, body, len, &r, e);
		if (rc == AWS_STOPPED)
			return KIN_STOPPED;
		if (rc == AWS_NOCREDS)
			return KIN_AUTH;
		if (rc == AWS_LOCAL) {
			eb_wrap(e, "%s", op);
			return KIN_FAIL;
		}
		if (rc == AWS_OK && r.status == 200) {
			*text = r.body;
			*tlen = r.len;
			return KIN_OK;
		}
		slow = 0;
		if (rc == AWS_OK) {
			cls = kin_error_answer(op, r.status, r.body, r.len, &slow, e);
		} else {
			cls = KC_RETRY;
			eb_wrap(e, "%s", op);
		}
		if (cls != KC_RETRY)
			return kin_class_status(cls);
		if (kin_retry_note(k, ++attempt, slow, e) != KIN_OK)
			return KIN_GAVEUP;
		if (kin_sleep(kin_backoff_delay(&k->bo, attempt), k->aws.stop) != 0)
			return KIN_STOPPED;
	}
}

enum kin_status
kin_list_shards(struct kin_client *k, const char *stream, json_t **shards,
    struct eb *e)
{
	json_t *req, *resp, *page, *tok;
	enum kin_status st;

	if ((*shards = json_array()) == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	req = json_pack("{s:s}", "StreamName", stream);
	for (;;) {
		st = kin_call(k, "ListShards", req, &resp, e);
		json_decref(req);
		if (st != KIN_OK)
			break;
		page = json_object_get(resp, "Shards");
		if (json_is_array(page) && json_array_extend(*shards, page) != 0) {
			json_decref(resp);
			eb_set(e, "out of memory");
			st = KIN_FAIL;
			break;
		}
		tok = json_object_get(resp, "NextToken");
		if (!json_is_string(tok)) {
			json_decref(resp);
			return KIN_OK;
		}
		/* a NextToken request must not name the stream too */
		req = json_pack("{s:O}", "NextToken", tok);
		json_decref(resp);
	}
	json_decref(*shards);
	*shards = NULL;
	return st;
}

json_t *
kin_iterator_request(const char *stream, const char *shard, const char *type,
    const char *seq, int64_t ts_us)
{
	json_t *req = json_pack("{s:s,s:s,s:s}", "StreamName", stream,
	    "ShardId", shard, "ShardIteratorType", type);

	/* a member that cannot be added leaves no request at all */
	if (req != NULL && ((seq != NULL && json_object_set_new(req,
	    "StartingSequenceNumber", json_string(seq)) != 0) ||
	    (strcmp(type, "AT_TIMESTAMP") == 0 && json_object_set_new(req,
	    "Timestamp", json_real((double)ts_us / 1e6)) != 0))) {
		json_decref(req);
		req = NULL;
	}
	return req;
}

int
kin_iterator_answer(const char *text, size_t len, char **iter, struct eb *e)
{
	json_t *resp = json_loadb(text, len, 0, NULL), *it;

	*iter = NULL;
	it = json_object_get(resp, "ShardIterator");
	if (!json_is_string(it))
		eb_set(e, "GetShardIterator: no ShardIterator in answer");
	else if ((*iter = strdup(json_string_value(it))) == NULL)
		eb_set(e, "out of memory");
	json_decref(resp);
	return *iter != NULL ? 0 : -1;
}

enum kin_status
kin_get_iterator(struct kin_client *k, const char *stream, const char *shard,
    const char *type, const char *seq, int64_t ts_us, char **iter, struct eb *e)
{
	json_t *req = kin_iterator_request(stream, shard, type, seq, ts_us);
	const char *text;
	size_t len;
	char *body = req != NULL ? jx_dumps(req) : NULL;
	enum kin_status st;

	*iter = NULL;
	json_decref(req);
	if (body == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	st = kin_call_text(k, "GetShardIterator", body, strlen(body), &text,
	    &len, e);
	free(body);
	if (st != KIN_OK)
		return st;
	return kin_iterator_answer(text, len, iter, e) == 0 ? KIN_OK : KIN_FAIL;
}
