#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kin_env.h"
#include "kin_read.h"

static int
mine(const struct kin_read *r, const struct kin_shard *sh)
{
	int i;

	if (r->o.nonly > 0) {
		for (i = 0; i < r->o.nonly; i++)
			if (strcmp(r->o.only[i], sh->id) == 0)
				return 1;
		return 0;
	}
	if (r->o.count > 0)
		return kin_shard_owner(&r->sh, sh, r->o.count) == r->o.index;
	return 1;
}

/* Shards are taken up the moment their parents are drained; a shard with
 * no unfinished parent starts reading at once. */
static void
activate(struct kin_read *r)
{
	size_t i;

	for (i = 0; i < r->sh.n; i++) {
		struct kin_shard *s = &r->sh.v[i];

		if (s->mine && s->state == KS_WAIT && kin_shard_parents_done(&r->sh, s))
			s->state = KS_READ;
	}
}

static void
set_start(struct kin_read *r, struct kin_shard *s, int at_start)
{
	json_t *seq = r->o.resume ? json_object_get(r->o.resume, s->id) : NULL;

	s->start_type = "TRIM_HORIZON";
	if (json_is_string(seq)) {
		s->pos = strdup(json_string_value(seq));
		cli_warn("%s: resuming after sequence number %s (from %s)",
		    s->id, s->pos, r->o.resume_path);
		return;
	}
	if (!at_start)
		return;		/* born while we read: all of it is new */
	s->start_type = r->o.from_type;
	if (r->o.from_seq)
		s->start_seq = strdup(r->o.from_seq);
	s->start_ts_us = r->o.from_ts_us;
	/* LATEST of a closed shard is nothing at all */
	if (strcmp(s->start_type, "LATEST") == 0 && s->closed)
		s->state = KS_DONE;
}

static enum kin_status
discover(struct kin_read *r, int at_start, struct eb *e)
{
	json_t *list;
	size_t added, i;
	enum kin_status st;

	if ((st = kin_list_shards(r->k, r->o.stream, &list, e)) != KIN_OK)
		return st;
	if (kin_shards_add(&r->sh, list, &added, e) != 0) {
		json_decref(list);
		return KIN_FAIL;
	}
	json_decref(list);
	for (i = r->sh.n - added; i < r->sh.n; i++) {
		struct kin_shard *s = &r->sh.v[i];

		if ((s->mine = mine(r, s)))
			set_start(r, s, at_start);
	}
	activate(r);
	return KIN_OK;
}

enum kin_status
kin_read_start(struct kin_read *r, struct kin_client *k,
    const struct kin_read_opts *o, struct eb *e)
{
	enum kin_status st;
	const char *key;
	json_t *v;
	int i;

	memset(r, 0, sizeof(*r));
	r->k = k;
	r->o = *o;
	r->pending = o->resume ? json_deep_copy(o->resume) : json_object();
	r->committed = json_deep_copy(r->pending);
	if ((st = discover(r, 1, e)) != KIN_OK)
		return st;
	for (i = 0; i < o->nonly; i++)
		if (kin_shards_find(&r->sh, o->only[i]) == NULL) {
			eb_set(e, "shard %s not found in stream %s", o->only[i], o->stream);
			return KIN_NOTFOUND;
		}
	if (o->resume) {
		json_object_foreach((json_t *)o->resume, key, v)
			if (kin_shards_find(&r->sh, key) == NULL)
				cli_warn("%s: shard %s is not in stream %s any more "
				    "(expired?): ignored", o->resume_path, key, o->stream);
	}
	return KIN_OK;
}

static struct kin_shard *
most_due(struct kin_read *r)
{
	struct kin_shard *best = NULL;
	size_t i;

	for (i = 0; i < r->sh.n; i++) {
		struct kin_shard *s = &r->sh.v[i];

		if (s->mine && s->state == KS_READ &&
		    (best == NULL || s->next_call < best->next_call))
			best = s;
	}
	return best;
}

static enum kin_status
get_iterator(struct kin_read *r, struct kin_shard *s, struct eb *e)
{
	if (s->pos != NULL)
		return kin_get_iterator(r->k, r->o.stream, s->id,
		    "AFTER_SEQUENCE_NUMBER", s->pos, 0, &s->iter, e);
	return kin_get_iterator(r->k, r->o.stream, s->id, s->start_type,
	    s->start_seq, s->start_ts_us, &s->iter, e);
}

static void
finish_shard(struct kin_read *r, struct kin_shard *s)
{
	s->state = KS_DONE;
	free(s->iter);
	s->iter = NULL;
	(void)r;
}

/* Emit the records of one answer; stops early at -c or, with -e, at the
 * first record that arrived after we started. */
static enum kin_status
emit(struct kin_read *r, struct kin_shard *s, const json_t *recs,
    struct sb *out, uint64_t *n, struct eb *e)
{
	size_t i, bytes;
	int64_t arrival;
	const json_t *rec;
	size_t mark;

	for (i = 0; i < json_array_size(recs); i++) {
		rec = json_array_get(recs, i);
		r->read++;
		mark = out->len;
		if (kin_env_put(out, r->o.stream, s->id, rec, &r->scratch,
		    &arrival, &bytes, e) != 0)
			return eb_wrap(e, "%s", s->id), KIN_FAIL;
		if (r->o.exit_at_end && arrival > r->o.start_us) {
			out->len = mark;
			finish_shard(r, s);
			return KIN_OK;
		}
		sb_addc(out, '\n');
		free(s->pos);
		s->pos = strdup(json_string_value(json_object_get(rec, "SequenceNumber")));
		r->emitted++;
		r->bytes += bytes;
		(*n)++;
		if (r->o.limit > 0 && r->emitted >= r->o.limit) {
			r->finished = 1;
			return KIN_OK;
		}
	}
	return KIN_OK;
}

enum kin_status
kin_read_step(struct kin_read *r, struct sb *out, uint64_t *n, struct eb *e)
{
	struct kin_shard *s;
	json_t *req, *resp, *next, *recs, *behind;
	enum kin_status st;
	double now;

	*n = 0;
	if ((s = most_due(r)) == NULL) {
		r->finished = 1;
		return KIN_OK;
	}
	now = cli_now();
	if (s->next_call > now && kin_sleep(s->next_call - now, r->k->aws.stop) != 0)
		return KIN_STOPPED;
	if (s->iter == NULL && (st = get_iterator(r, s, e)) != KIN_OK)
		return eb_wrap(e, "%s", s->id), st;
	s->next_call = cli_now() + KIN_READ_INTERVAL_S;
	req = json_pack("{s:s,s:i}", "ShardIterator", s->iter, "Limit", r->o.batch_limit);
	st = kin_call(r->k, "GetRecords", req, &resp, e);
	json_decref(req);
	r->getrecords++;
	if (st == KIN_EXPIRED) {
		/* resume from the last record handed out: no loss, no repeat */
		free(s->iter);
		s->iter = NULL;
		s->next_call = cli_now();
		return KIN_OK;
	}
	if (st != KIN_OK)
		return eb_wrap(e, "%s", s->id), st;
	recs = json_object_get(resp, "Records");
	next = json_object_get(resp, "NextShardIterator");
	behind = json_object_get(resp, "MillisBehindLatest");
	s->behind_ms = json_is_integer(behind) ? json_integer_value(behind) : 0;
	st = emit(r, s, recs, out, n, e);
	if (st != KIN_OK || r->finished || s->state == KS_DONE)
		goto out;
	free(s->iter);
	s->iter = json_is_string(next) ? strdup(json_string_value(next)) : NULL;
	if (s->iter == NULL) {
		/* closed and drained (AWS: null plus ChildShards; kinesalite: no
		 * key at all): its children are next, from ListShards either way */
		finish_shard(r, s);
		st = discover(r, 0, e);
	} else if (r->o.exit_at_end && json_array_size(recs) == 0 &&
	    s->behind_ms == 0) {
		finish_shard(r, s);
	}
out:
	if (s->pos != NULL)
		json_object_set_new(r->pending, s->id, json_string(s->pos));
	activate(r);
	json_decref(resp);
	return st;
}

void
kin_read_commit(struct kin_read *r)
{
	json_decref(r->committed);
	r->committed = json_deep_copy(r->pending);
}

void
kin_read_free(struct kin_read *r)
{
	kin_shards_free(&r->sh);
	json_decref(r->pending);
	json_decref(r->committed);
	sb_free(&r->scratch);
}
