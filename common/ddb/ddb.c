#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "ddb/ddb.h"
#include "json/jx.h"

enum ddb_status
ddb_client_init(struct ddb_client *d, const struct aws_opts *o,
    volatile sig_atomic_t *stop, struct eb *e)
{
	struct aws_opts mine = *o;
	enum aws_status st;

	memset(d, 0, sizeof(*d));
	/* the SDKs' DynamoDB policy: a shorter base than other services,
	 * since its calls are small and latency-bound */
	d->base_s = 0.025;
	d->cap_s = 5.0;
	d->max_attempts = 10;
	d->rng = aws_backoff_seed();
	mine.service = "dynamodb";
	st = aws_client_init(&d->aws, &mine, stop, e);
	d->aws.content_type = "application/x-amz-json-1.0";
	return st == AWS_OK ? DDB_OK : st == AWS_NOCREDS ? DDB_AUTH : DDB_FAIL;
}

void
ddb_client_free(struct ddb_client *d)
{
	aws_client_free(&d->aws);
}

enum ddb_status
ddb_classify(long status, const char *type, int *retry)
{
	static const char *again[] = { "ProvisionedThroughputExceededException",
	    "ThrottlingException", "RequestLimitExceeded",
	    "InternalServerError", "ServiceUnavailable",
	    "LimitExceededException", NULL };
	int i;

	*retry = status >= 500;
	for (i = 0; again[i]; i++)
		if (strcmp(type, again[i]) == 0)
			*retry = 1;
	if (*retry)
		return DDB_FAIL;
	if (strcmp(type, "ConditionalCheckFailedException") == 0)
		return DDB_CONDITION;
	if (strcmp(type, "ResourceNotFoundException") == 0)
		return DDB_NOTFOUND;
	if (strcmp(type, "ResourceInUseException") == 0)
		return DDB_INUSE;
	return aws_is_auth_error(status, type) ? DDB_AUTH : DDB_FAIL;
}

/* "__type" is "com.amazonaws.dynamodb.v20120810#Name": keep the name. */
static void
error_of(const char *body, size_t len, char *type, size_t tcap, char *msg,
    size_t mcap)
{
	json_t *doc = json_loadb(body, len, 0, NULL), *t, *m;
	const char *s;

	snprintf(type, tcap, "%s", "");
	snprintf(msg, mcap, "%.*s", len > 200 ? 200 : (int)len, body);
	if (doc == NULL)
		return;
	t = json_object_get(doc, "__type");
	if ((m = json_object_get(doc, "message")) == NULL)
		m = json_object_get(doc, "Message");
	if (json_is_string(t)) {
		s = strrchr(json_string_value(t), '#');
		snprintf(type, tcap, "%s", s ? s + 1 : json_string_value(t));
	}
	snprintf(msg, mcap, "%s", json_is_string(m) ? json_string_value(m) : "");
	json_decref(doc);
}

/* One attempt: DDB_OK with *resp, or a class; *retry when it may be
 * tried again. */
static enum ddb_status
attempt(struct ddb_client *d, const char *op, const char *target,
    const char *body, json_t **resp, int *retry, struct eb *e)
{
	char type[128], msg[300];
	struct aws_result r;
	enum aws_status rc;
	enum ddb_status st;
	json_error_t je;

	*retry = 0;
	d->calls++;
	rc = aws_post(&d->aws, target, body, strlen(body), &r, e);
	if (rc == AWS_STOPPED || rc == AWS_LOCAL)
		return rc == AWS_STOPPED ? DDB_STOPPED : DDB_FAIL;
	if (rc != AWS_OK) {
		*retry = 1;
		eb_wrap(e, "%s", op);
		return DDB_FAIL;
	}
	if (r.status == 200) {
		*resp = json_loadb(r.body, r.len, 0, &je);
		if (json_is_object(*resp))
			return DDB_OK;
		json_decref(*resp);
		*resp = NULL;
		eb_set(e, "%s: bad answer: %s", op, je.text);
		return DDB_FAIL;
	}
	error_of(r.body, r.len, type, sizeof(type), msg, sizeof(msg));
	st = ddb_classify(r.status, type, retry);
	eb_set(e, "%s: %s%s%s (HTTP %ld)", op, type[0] ? type : "error",
	    msg[0] ? ": " : "", msg, r.status);
	return st;
}

enum ddb_status
ddb_call(struct ddb_client *d, const char *op, json_t *req, json_t **resp,
    struct eb *e)
{
	char target[80], *body;
	enum ddb_status st;
	int n = 0, retry;

	*resp = NULL;
	if (req == NULL || (body = jx_dumps(req)) == NULL) {
		eb_set(e, "out of memory");
		return DDB_FAIL;
	}
	snprintf(target, sizeof(target), "DynamoDB_20120810.%s", op);
	while ((st = attempt(d, op, target, body, resp, &retry, e)) != DDB_OK &&
	    retry) {
		if (d->max_attempts > 0 && ++n >= d->max_attempts) {
			struct eb last = *e;

			eb_set(e, "%.480s (gave up after %d attempts)", last.msg, n);
			st = DDB_GAVEUP;
			break;
		}
		d->retries++;
		if (n == 3 || n % 10 == 0)
			cli_warn("%s (retry %d)", e->msg, n);
		if (aws_sleep(aws_backoff_delay(d->base_s, d->cap_s, &d->rng,
		    n), d->aws.stop) != 0) {
			st = DDB_STOPPED;
			break;
		}
	}
	free(body);
	return st;
}

json_t *
ddb_s(const char *s)
{
	return json_pack("{s:s}", "S", s);
}

json_t *
ddb_n(int64_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, n);
	return json_pack("{s:s}", "N", buf);
}

const char *
ddb_get_s(const json_t *item, const char *name)
{
	return json_string_value(json_object_get(json_object_get(item, name), "S"));
}

int
ddb_get_n(const json_t *item, const char *name, int64_t *out)
{
	const char *s = json_string_value(json_object_get(json_object_get(item,
	    name), "N"));
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return -1;
	*out = v;
	return 0;
}
