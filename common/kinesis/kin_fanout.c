#include <stdlib.h>
#include <string.h>

#include "base/ck.h"
#include "base/cli.h"
#include "json/jx.h"
#include "kinesis/kin_fanout.h"

/* ConsumerARN and ConsumerStatus of DescribeStreamConsumer. */
static enum kin_status
describe(struct kin_client *k, const char *stream_arn, const char *name,
    char **arn, char *status, size_t cap, struct eb *e)
{
	json_t *req = json_pack("{s:s,s:s}", "StreamARN", stream_arn,
	    "ConsumerName", name), *resp, *d;
	const char *a, *st;
	enum kin_status rc;

	rc = kin_call(k, "DescribeStreamConsumer", req, &resp, e);
	json_decref(req);
	if (rc != KIN_OK)
		return rc;
	d = json_object_get(resp, "ConsumerDescription");
	a = json_string_value(json_object_get(d, "ConsumerARN"));
	st = json_string_value(json_object_get(d, "ConsumerStatus"));
	if (a == NULL || st == NULL) {
		eb_set(e, "DescribeStreamConsumer: no ConsumerARN or ConsumerStatus");
		rc = KIN_FAIL;
	} else {
		free(*arn);
		if ((*arn = strdup(a)) == NULL) {
			eb_set(e, "out of memory");
			rc = KIN_FAIL;
		}
		snprintf(status, cap, "%s", st);
	}
	json_decref(resp);
	return rc;
}

static enum kin_status
stream_arn(struct kin_client *k, const char *stream, char **arn, struct eb *e)
{
	json_t *req = json_pack("{s:s}", "StreamName", stream), *resp;
	const char *a;
	enum kin_status rc;

	rc = kin_call(k, "DescribeStreamSummary", req, &resp, e);
	json_decref(req);
	if (rc != KIN_OK)
		return rc;
	a = json_string_value(json_object_get(json_object_get(resp,
	    "StreamDescriptionSummary"), "StreamARN"));
	if (a == NULL) {
		eb_set(e, "DescribeStreamSummary: no StreamARN");
		rc = KIN_FAIL;
	} else if ((*arn = strdup(a)) == NULL) {
		eb_set(e, "out of memory");
		rc = KIN_FAIL;
	}
	json_decref(resp);
	return rc;
}

enum kin_status
kin_fanout_consumer(struct kin_client *k, const char *stream, const char *name,
    char **arn, struct eb *e)
{
	char *sarn = NULL, status[32] = "";
	double start = cli_now();
	enum kin_status rc;
	int registered = 0;
	json_t *req, *resp;
	struct eb why;

	*arn = NULL;
	if ((rc = stream_arn(k, stream, &sarn, e)) != KIN_OK)
		return rc;
	for (;;) {
		rc = describe(k, sarn, name, arn, status, sizeof(status), e);
		if (rc == KIN_NOTFOUND && !registered) {
			req = json_pack("{s:s,s:s}", "StreamARN", sarn,
			    "ConsumerName", name);
			rc = kin_call(k, "RegisterStreamConsumer", req, &resp, &why);
			json_decref(req);
			json_decref(resp);
			registered = 1;
			if (rc == KIN_OK)
				cli_warn("registered stream consumer %s", name);
			/* another reader may have registered it meanwhile: the
			 * next look tells */
			else if (describe(k, sarn, name, arn, status, sizeof(status),
			    e) != KIN_OK) {
				*e = why;
				break;
			}
			continue;
		}
		if (rc != KIN_OK)
			break;
		if (strcmp(status, "ACTIVE") == 0)
			break;
		if (cli_now() - start > KIN_FANOUT_ACTIVE_WAIT_S) {
			eb_set(e, "stream consumer %s is still %s after %d s", name,
			    status, KIN_FANOUT_ACTIVE_WAIT_S);
			rc = KIN_FAIL;
			break;
		}
		if (kin_sleep(0.5, k->aws.stop) != 0) {
			rc = KIN_STOPPED;
			break;
		}
	}
	free(sarn);
	if (rc != KIN_OK) {
		free(*arn);
		*arn = NULL;
	}
	return rc;
}

/* Where the shard's subscription starts: after the last event's
 * ContinuationSequenceNumber; else after (or, inside an aggregate, at)
 * the last record handed out; else the start position. */
static json_t *
position(const struct kin_read *r, const struct kin_shard *s)
{
	if (s->cont != NULL)
		return json_pack("{s:s,s:s}", "Type", "AFTER_SEQUENCE_NUMBER",
		    "SequenceNumber", s->cont);
	if (s->pos != NULL)
		return json_pack("{s:s,s:s}", "Type", s->pos_sub == CK_SUB_WHOLE ?
		    "AFTER_SEQUENCE_NUMBER" : "AT_SEQUENCE_NUMBER",
		    "SequenceNumber", s->pos);
	if (s->start_seq != NULL)
		return json_pack("{s:s,s:s}", "Type", s->start_type,
		    "SequenceNumber", s->start_seq);
	if (strcmp(s->start_type, "AT_TIMESTAMP") == 0)
		return json_pack("{s:s,s:f}", "Type", s->start_type, "Timestamp",
		    (double)s->start_ts_us / 1e6);
	(void)r;
	return json_pack("{s:s}", "Type", s->start_type);
}

static enum kin_status
subscribe(struct kin_read *r, struct kin_shard *s, struct eb *e)
{
	json_t *pos = position(r, s), *req;
	char *body;
	enum kin_status st;

	req = pos != NULL ? json_pack("{s:s,s:s,s:o}", "ConsumerARN",
	    r->o.consumer_arn, "ShardId", s->id, "StartingPosition", pos) : NULL;
	body = req != NULL ? jx_dumps(req) : NULL;
	json_decref(req);
	if (body == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	if (s->req == NULL && (s->req = calloc(1, sizeof(*s->req))) == NULL) {
		free(body);
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	s->req->stream = 1;
	kin_evs_reset(&s->evs);
	st = kin_multi_start(&r->mu, s->req, "SubscribeToShard", body,
	    strlen(body), e);
	free(body);
	if (st == KIN_OK) {
		s->phase = KS_SUBSCRIBED;
		s->resub_at = cli_now() + KIN_FANOUT_RESUBSCRIBE_S;
	}
	return st;
}

/* ChildShards ({ShardId, ParentShards, HashKeyRange}) as a ListShards
 * listing, for kin_read_add_shards. */
static int
children(struct kin_read *r, const struct rec_member *m, struct eb *e)
{
	json_t *kids = json_loadb(m->val.p, m->val.n, 0, NULL), *list, *c, *p;
	size_t i;
	int rc = 0;

	list = json_array();
	if (kids == NULL || list == NULL) {
		json_decref(kids);
		json_decref(list);
		return eb_set(e, "out of memory");
	}
	json_array_foreach(kids, i, c) {
		json_t *sh = json_pack("{s:O}", "ShardId", json_object_get(c,
		    "ShardId"));

		p = json_object_get(c, "ParentShards");
		if (sh == NULL || (json_array_size(p) > 0 && json_object_set(sh,
		    "ParentShardId", json_array_get(p, 0)) != 0) ||
		    (json_array_size(p) > 1 && json_object_set(sh,
		    "AdjacentParentShardId", json_array_get(p, 1)) != 0) ||
		    (json_object_get(c, "HashKeyRange") != NULL && json_object_set(
		    sh, "HashKeyRange", json_object_get(c, "HashKeyRange")) != 0) ||
		    json_array_append_new(list, sh) != 0) {
			rc = eb_set(e, "out of memory");
			break;
		}
	}
	if (rc == 0)
		rc = kin_read_add_shards(r, list, 0, e);
	json_decref(kids);
	json_decref(list);
	return rc;
}

/* A closed shard whose subscription has nothing more: is it drained?
 * Asked of the polling API, which says so for certain (no record after
 * the last handed out, and no next iterator): a service that never sends
 * the last event of a closed shard (kinesis-mock) does not leave the
 * reader waiting for it for ever, nor end the shard early. */
static enum kin_status
drained(struct kin_read *r, struct kin_shard *s, int *yes, struct eb *e)
{
	const char *after = s->cont != NULL ? s->cont : s->pos;
	struct kin_tally t;
	json_t *req, *resp;
	char *iter;
	enum kin_status st;

	*yes = 0;
	if (after == NULL || (s->cont == NULL && s->pos_sub != CK_SUB_WHOLE))
		return KIN_OK;
	kin_tally_begin(r->k, &t);
	if ((st = kin_get_iterator(r->k, r->o.stream, s->id,
	    "AFTER_SEQUENCE_NUMBER", after, 0, &iter, e)) != KIN_OK) {
		kin_tally_charge(r->k, &t, s);
		return st;
	}
	req = json_pack("{s:s,s:i}", "ShardIterator", iter, "Limit", 1);
	free(iter);
	st = kin_call(r->k, "GetRecords", req, &resp, e);	/* NULL req: OOM */
	json_decref(req);
	r->getrecords++;
	kin_tally_charge(r->k, &t, s);
	if (st != KIN_OK)
		return st;
	*yes = json_array_size(json_object_get(resp, "Records")) == 0 &&
	    !json_is_string(json_object_get(resp, "NextShardIterator"));
	json_decref(resp);
	return KIN_OK;
}

/* One SubscribeToShardEvent of shard i: its records handed out as a
 * GetRecords answer's; at the shard's end, its children taken up. */
static enum kin_status
event(struct kin_read *r, size_t i, const char *p, size_t len, struct sb *out,
    uint64_t *n, struct eb *e)
{
	struct kin_shard *s = &r->sh.v[i];
	const struct rec_member *recs, *cont, *behind, *kids;
	struct rec_span rs;
	enum kin_status st;
	uint64_t mine = 0;
	int64_t ms = 0;

	if (rec_parse_object(&r->top, p, len, e) != 0) {
		eb_wrap(e, "SubscribeToShardEvent");
		return KIN_FAIL;
	}
	recs = rec_get(&r->top, "Records", 7);
	if (recs == NULL || recs->type != REC_ARRAY) {
		eb_set(e, "SubscribeToShardEvent: no Records");
		return KIN_FAIL;
	}
	rs = recs->val;
	cont = rec_get(&r->top, "ContinuationSequenceNumber", 26);
	behind = rec_get(&r->top, "MillisBehindLatest", 18);
	kids = rec_get(&r->top, "ChildShards", 11);
	if (behind != NULL && behind->type == REC_NUMBER)
		rec_int64(behind->val, &ms);
	s->behind_ms = ms;
	s->sub_failures = 0;	/* it works again */
	if (s->tip != NULL && !kin_read_empty_array(rs) &&
	    (st = kin_read_ask_tip(r, s, e)) != KIN_OK)
		return st;
	st = kin_read_emit(r, s, &rs, out, &mine, e);
	*n += mine;
	if (st != KIN_OK || r->finished || s->state == KS_DONE)
		return st;
	if (cont != NULL && cont->type == REC_STRING) {
		struct rec_span c = rec_string_raw(cont);
		char *copy = strndup(c.p, c.n);

		if (copy == NULL) {
			eb_set(e, "%s: out of memory", s->id);
			return KIN_FAIL;
		}
		free(s->cont);
		s->cont = copy;
	} else {
		/* no continuation: the shard is closed and drained */
		kin_read_finish_shard(r, s);
		if (kids != NULL && kids->type == REC_ARRAY &&
		    !kin_read_empty_array(kids->val))
			return children(r, kids, e) == 0 ? KIN_OK : KIN_FAIL;
		return kin_read_discover(r, 0, e);
	}
	if (s->closed && mine == 0 && kin_read_empty_array(rs)) {
		int yes;

		if ((st = drained(r, s, &yes, e)) != KIN_OK)
			return st;
		if (yes) {
			kin_read_finish_shard(r, s);
			return kin_read_discover(r, 0, e);
		}
	}
	if (r->o.exit_at_end && mine == 0 && kin_read_empty_array(rs) &&
	    ms == 0)
		kin_read_finish_shard(r, s);
	return KIN_OK;
}

/* An exception or error message ends the subscription: 1 when it is to be
 * opened again (after backoff; *slow when the service said slow down), 0
 * when the run must stop (e, *st say why). */
static int
exception(const struct kin_evs_msg *m, enum kin_status *st, int *slow,
    struct eb *e)
{
	char type[128];
	enum kin_class cls;

	if (m->exception_type.n > 0)
		snprintf(type, sizeof(type), "%.*s", (int)m->exception_type.n,
		    m->exception_type.p);
	else
		snprintf(type, sizeof(type), "%.*s", (int)m->error_code.n,
		    m->error_code.p);
	eb_set(e, "SubscribeToShard: %s: %.*s", type[0] ? type : "error",
	    (int)(m->plen > 300 ? 300 : m->plen), m->payload);
	/* an "error" message is the service's own trouble; a subscription
	 * still open from before a dropped connection is one too */
	cls = m->exception_type.n == 0 ? KC_RETRY :
	    strcmp(type, "ResourceInUseException") == 0 ? KC_RETRY :
	    kin_classify(400, type);
	*st = kin_class_status(cls);
	*slow = m->exception_type.n > 0 && kin_throttled(400, type);
	return cls == KC_RETRY;
}

static int
is(struct kin_evs_str s, const char *what)
{
	return s.n == strlen(what) && memcmp(s.p, what, s.n) == 0;
}

/* The frames received for shard i, message by message. *again: the
 * subscription ended with a retryable exception (*slow: a throttle). */
static enum kin_status
frames(struct kin_read *r, size_t i, struct sb *out, uint64_t *n,
    int *again, int *slow, struct eb *e)
{
	struct kin_evs_msg m;
	enum kin_status st = KIN_OK;
	int rc;

	while (st == KIN_OK && !r->finished && r->sh.v[i].state != KS_DONE &&
	    (rc = kin_evs_next(&r->sh.v[i].evs, &m, e)) != 0) {
		if (rc < 0) {
			eb_wrap(e, "%s", r->sh.v[i].id);
			return KIN_FAIL;
		}
		if (is(m.message_type, "event")) {
			/* initial-response and event types to come: nothing to do */
			if (is(m.event_type, "SubscribeToShardEvent"))
				st = event(r, i, m.payload, m.plen, out, n, e);
		} else if (exception(&m, &st, slow, e)) {
			*again = 1;
			return KIN_OK;
		} else {
			eb_wrap(e, "%s", r->sh.v[i].id);
			return st;
		}
	}
	if (st != KIN_OK)
		eb_wrap(e, "%s", r->sh.v[i].id);
	return st;
}

/* The subscription failed (a dropped connection, throttling, the service
 * in trouble): opened again after backoff, --retries times in a row, by
 * kin_call's policy; each retry, and each throttle, charged to the shard. */
static enum kin_status
failed(struct kin_read *r, struct kin_shard *s, const struct eb *why,
    int slow, struct eb *e)
{
	*e = *why;
	eb_wrap(e, "%s", s->id);
	if (kin_retry_note(r->k, ++s->sub_failures, slow, e) != KIN_OK)
		return KIN_GAVEUP;
	s->retries++;
	s->throttles += slow != 0;
	s->resub_at = cli_now() + kin_backoff_delay(&r->k->bo, s->sub_failures);
	return KIN_OK;
}

/* What shard i's subscription brought since the last look. */
static enum kin_status
drain(struct kin_read *r, size_t i, struct sb *out, uint64_t *n,
    struct eb *e)
{
	struct kin_shard *s = &r->sh.v[i];
	struct kin_req *q = s->req;
	enum kin_status st;
	struct eb why;
	int again = 0, slow = 0;

	if (q->state == KR_RUNNING && q->resp.len > 0) {
		if (kin_req_status(q) != 200)
			return KIN_OK;	/* an error answer: taken at its end */
		if (kin_evs_feed(&s->evs, q->resp.buf, q->resp.len) != 0) {
			eb_set(e, "%s: out of memory", s->id);
			return KIN_FAIL;
		}
		sb_reset(&q->resp);
	} else if (q->state == KR_DONE && q->st == KIN_OK && q->len > 0) {
		if (kin_evs_feed(&s->evs, q->text, q->len) != 0) {
			eb_set(e, "%s: out of memory", s->id);
			return KIN_FAIL;
		}
	}
	if ((st = frames(r, i, out, n, &again, &slow, &why)) != KIN_OK) {
		*e = why;
		return st;
	}
	s = &r->sh.v[i];	/* children may have moved the shards */
	if (s->state == KS_DONE || r->finished || again) {
		kin_multi_cancel(&r->mu, q);
		s->phase = KS_IDLE;
		return again ? failed(r, s, &why, slow, e) : KIN_OK;
	}
	if (q->state != KR_DONE)
		return KIN_OK;
	s->phase = KS_IDLE;
	q->state = KR_IDLE;
	if (q->st == KIN_OK && !kin_evs_pending(&s->evs))
		return KIN_OK;	/* ended as AWS ends each after 5 minutes */
	if (q->st == KIN_OK) {
		eb_set(&why, "SubscribeToShard: the answer ended inside a message");
		return failed(r, s, &why, 0, e);
	}
	if (q->retryable || strstr(q->e.msg, ": ResourceInUseException") != NULL)
		return failed(r, s, &q->e, q->retryable && q->slow, e);
	*e = q->e;
	eb_wrap(e, "%s", s->id);
	return q->st;
}

enum kin_status
kin_fanout_step(struct kin_read *r, struct sb *out, uint64_t *n, struct eb *e)
{
	struct kin_shard *s;
	enum kin_status st = KIN_OK;
	double now = cli_now(), until = now + 1.0;
	size_t i, nreq = 0, active = 0;

	*n = 0;
	if ((s = kin_read_tip_due(r)) != NULL)
		return kin_read_ask_tip(r, s, e);
	/* the shards closed since, in case their last events never come */
	if (now >= r->relist_at) {
		if (r->relist_at > 0 && (st = kin_read_discover(r, 0, e)) != KIN_OK)
			return st;
		r->relist_at = now + KIN_FANOUT_RELIST_S;
	}
	if (kin_read_fit_reqs(r, e) != 0)
		return KIN_FAIL;
	for (i = 0; i < r->sh.n; i++) {
		s = &r->sh.v[i];
		if (!s->mine || s->state != KS_READ)
			continue;
		active++;
		if (s->phase == KS_IDLE && s->resub_at > now) {
			if (s->resub_at < until)
				until = s->resub_at;
			continue;
		}
		if (s->phase == KS_IDLE && (st = subscribe(r, s, e)) != KIN_OK) {
			eb_wrap(e, "%s", s->id);
			return st;
		}
		r->reqs[nreq++] = s->req;
	}
	if (active == 0) {
		r->finished = 1;
		return KIN_OK;
	}
	if (nreq > 0 && (st = kin_multi_run(&r->mu, r->reqs, nreq, until, e)) !=
	    KIN_OK)
		return st;
	if (nreq == 0 && kin_sleep(until - cli_now(), r->k->aws.stop) != 0)
		return KIN_STOPPED;
	/* by index: a closed shard's children are appended to r->sh */
	for (i = 0; i < r->sh.n && st == KIN_OK && !r->finished; i++)
		if (r->sh.v[i].phase == KS_SUBSCRIBED)
			st = drain(r, i, out, n, e);
	kin_read_activate(r);
	return st;
}
