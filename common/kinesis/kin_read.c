#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/ck.h"
#include "base/cli.h"
#include "json/jx.h"
#include "time/tm.h"
#include "kinesis/kin_env.h"
#include "kinesis/kin_fanout.h"
#include "kinesis/kin_pos.h"
#include "kinesis/kin_read.h"

static int
mine(const struct kin_read *r, const struct kin_shard *sh)
{
	int i;

	if (r->o.owner != NULL)
		return 0;	/* the owner hands shards over as it takes them */
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
void
kin_read_activate(struct kin_read *r)
{
	size_t i;

	for (i = 0; i < r->sh.n; i++) {
		struct kin_shard *s = &r->sh.v[i];

		if (s->mine && s->state == KS_WAIT && kin_shard_parents_done(&r->sh, s))
			s->state = KS_READ;
	}
}

/* Keep p as where the shard's reading began. */
static int
keep_start(struct kin_read *r, const char *id, const struct kin_pos *p,
    struct eb *e)
{
	struct sb t = SB_INIT;
	json_t *v;

	kin_pos_put(&t, p);
	v = sb_failed(&t) ? NULL : json_stringn(t.buf, t.len);
	sb_free(&t);
	/* json_object_set_new takes v, on failure too */
	if (v == NULL || json_object_set_new(r->starts, id, v) != 0)
		return eb_set(e, "out of memory");
	return 0;
}

/* --from as a start to keep: LATEST moves, so it is kept as the moment
 * the reader started (resumed as AT_TIMESTAMP: on a clock ahead of the
 * service's, a record put in the first moments could be missed; on one
 * behind it, some from just before the start are read). */
static void
from_pos(const struct kin_read *r, struct kin_pos *p)
{
	memset(p, 0, sizeof(*p));
	if (strcmp(r->o.from_type, "TRIM_HORIZON") == 0)
		p->type = KIN_POS_EARLIEST;
	else if (strcmp(r->o.from_type, "AT_SEQUENCE_NUMBER") == 0) {
		p->type = KIN_POS_AT_SEQUENCE;
		p->seq = r->o.from_seq;
	} else {
		p->type = KIN_POS_AT_TIMESTAMP;
		p->ts_us = strcmp(r->o.from_type, "AT_TIMESTAMP") == 0 ?
		    r->o.from_ts_us : r->start_us;
	}
}

/* Read the shard from p on, and keep p as its start. */
static int
start_at(struct kin_read *r, struct kin_shard *s, const struct kin_pos *p,
    struct eb *e)
{
	s->start_type = kin_pos_iterator(p);
	if (p->type == KIN_POS_AT_SEQUENCE &&
	    (s->start_seq = strdup(p->seq)) == NULL)
		return eb_set(e, "out of memory");
	s->start_ts_us = p->ts_us;
	return keep_start(r, s->id, p, e);
}

/* 1 when a parent of s, or theirs, is named in the checkpoint's starts:
 * then s was born of a reshard after the checkpoint was written, since
 * the checkpoint names every shard there was. Parents are followed by
 * the ids ListShards gives, listed or expired; depth bounds a loop. */
static int
born_after(const struct kin_read *r, const struct kin_shard *s, size_t depth)
{
	const char *up[2] = { s->parent, s->adjacent };
	const struct kin_shard *p;

	for (int i = 0; i < 2 && depth <= r->sh.n; i++) {
		if (up[i] == NULL)
			continue;
		if (json_object_get(r->o.starts, up[i]) != NULL)
			return 1;
		if ((p = kin_shards_find(&r->sh, up[i])) != NULL &&
		    born_after(r, p, depth + 1))
			return 1;
	}
	return 0;
}

/* A position from a file must be one of this shard's: one outside its
 * range comes from another stream, or from one of the same name that was
 * deleted and created again. */
static int
in_range(const struct kin_shard *s, const char *seq, const char *path,
    struct eb *e)
{
	size_t n = strlen(seq);

	if ((s->first_seq == NULL || ck_seq_cmp(seq, n, s->first_seq,
	    strlen(s->first_seq)) >= 0) && (s->last_seq == NULL ||
	    ck_seq_cmp(seq, n, s->last_seq, strlen(s->last_seq)) <= 0))
		return 0;
	return eb_set(e, "%s: shard %s: sequence number %s is not one of the "
	    "shard's (%s to %s): a file of another stream, or of one deleted "
	    "and created again?", path, s->id, seq,
	    s->first_seq ? s->first_seq : "?", s->last_seq ? s->last_seq : "now");
}

/* The position a file gives: after seq, or, with sub, at seq with the
 * user records up to sub already handed out (kept in pending as they are,
 * so that a commit before any reading writes them back). */
static int
resume_after(struct kin_read *r, struct kin_shard *s, const char *seq,
    const json_t *sub, const char *began, struct eb *e)
{
	struct kin_pos p;
	json_t *v;

	if (in_range(s, seq, r->o.resume_path, e) != 0)
		return -1;
	if ((s->pos = strdup(seq)) == NULL || (v = json_string(seq)) == NULL ||
	    json_object_set_new(r->pending, s->id, v) != 0)
		return eb_set(e, "out of memory");
	if (json_is_integer(sub)) {
		s->pos_sub = json_integer_value(sub);
		if (json_object_set(r->pending_sub, s->id, (json_t *)sub) != 0)
			return eb_set(e, "out of memory");
		cli_warn("%s: resuming after sequence number %s, "
		    "subSequenceNumber %lld (from %s)", s->id, s->pos,
		    (long long)s->pos_sub, r->o.resume_path);
	} else
		cli_warn("%s: resuming after sequence number %s (from %s)",
		    s->id, s->pos, r->o.resume_path);
	if (began == NULL)
		from_pos(r, &p);
	else if (kin_pos_parse(began, &p, e) != 0)
		return -1;
	return keep_start(r, s->id, &p, e);
}

static void
say_start(const char *id, const struct kin_pos *p, const char *how,
    const char *path)
{
	struct sb t = SB_INIT;

	kin_pos_put(&t, p);
	cli_warn("%s: starting at %s (%s%s)", id, sb_failed(&t) ? "?" :
	    sb_cstr(&t), how, path);
	sb_free(&t);
}

/* Where a shard starts, said once (see kin_read.h). */
static int
set_start(struct kin_read *r, struct kin_shard *s, int at_start, struct eb *e)
{
	const char *seq = json_string_value(json_object_get(r->o.resume, s->id));
	const char *began = json_string_value(json_object_get(r->o.starts,
	    s->id));
	const char *named_in = r->o.resume ? r->o.resume_path :
	    r->o.starts ? r->o.starts_path : NULL;
	struct kin_pos p = { KIN_POS_EARLIEST, NULL, 0 };

	s->start_type = "TRIM_HORIZON";
	if (!at_start && r->o.exit_at_end) {
		/* born after the start: everything in it is too */
		s->state = KS_DONE;
		cli_warn("%s: created after the start: not read (--exit-at-end)",
		    s->id);
		return keep_start(r, s->id, &p, e);
	}
	if (seq != NULL)
		return resume_after(r, s, seq, json_object_get(r->o.resume_sub,
		    s->id), began, e);
	if (began != NULL) {
		if (kin_pos_parse(began, &p, e) != 0)
			return -1;
		say_start(s->id, &p, "where its reading began, from ",
		    r->o.starts_path);
		return start_at(r, s, &p, e);
	}
	if (!at_start || (r->o.starts != NULL && born_after(r, s, 0))) {
		/* born while we read, or since the checkpoint: all of it is
		 * new */
		if (at_start)
			cli_warn("%s: created by resharding after %s was "
			    "written: reading it from its beginning", s->id,
			    r->o.starts_path);
		else
			cli_warn("%s: created by resharding while reading: "
			    "reading it from its beginning", s->id);
		return start_at(r, s, &p, e);
	}
	s->start_type = r->o.from_type;
	if (r->o.from_seq && (s->start_seq = strdup(r->o.from_seq)) == NULL)
		return eb_set(e, "out of memory");
	s->start_ts_us = r->o.from_ts_us;
	/* LATEST of a closed shard is nothing at all */
	if (strcmp(s->start_type, "LATEST") == 0 && s->closed)
		s->state = KS_DONE;
	if (named_in != NULL)
		cli_warn("%s: not named in %s: starting at %s (--from)", s->id,
		    named_in, r->o.from_label);
	else
		cli_warn("%s: starting at %s (--from)", s->id, r->o.from_label);
	from_pos(r, &p);
	return keep_start(r, s->id, &p, e);
}

/* -e: mark where each shard open now ends, before any reading. A closed
 * shard ends where it was closed and needs no mark. */
static enum kin_status
mark_tips(struct kin_read *r, struct eb *e)
{
	enum kin_status st;
	size_t i;

	for (i = 0; i < r->sh.n; i++) {
		struct kin_shard *s = &r->sh.v[i];

		/* an owner may hand over any shard, and must judge the rest */
		if ((!s->mine && r->o.owner == NULL) || s->closed ||
		    s->state == KS_DONE)
			continue;
		if ((st = kin_get_iterator(r->k, r->o.stream, s->id, "LATEST",
		    NULL, 0, &s->tip, e)) != KIN_OK) {
			eb_wrap(e, "%s", s->id);
			return st;
		}
		s->tip_at = cli_now();
	}
	return KIN_OK;
}

int
kin_read_add_shards(struct kin_read *r, const json_t *list, int at_start,
    struct eb *e)
{
	size_t added, i;

	if (kin_shards_add(&r->sh, list, &added, e) != 0)
		return -1;
	for (i = r->sh.n - added; i < r->sh.n; i++) {
		struct kin_shard *s = &r->sh.v[i];

		if ((s->mine = mine(r, s)) && set_start(r, s, at_start, e) != 0)
			return -1;
	}
	kin_read_activate(r);
	return 0;
}

enum kin_status
kin_read_discover(struct kin_read *r, int at_start, struct eb *e)
{
	json_t *list;
	enum kin_status st;
	int rc;

	if ((st = kin_list_shards(r->k, r->o.stream, &list, e)) != KIN_OK)
		return st;
	rc = kin_read_add_shards(r, list, at_start, e);
	json_decref(list);
	return rc == 0 ? KIN_OK : KIN_FAIL;
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
	r->start_us = tm_now_us();
	/* positions and starts are those of the shards this reader owns,
	 * as set_start finds them */
	r->pending = json_object();
	r->committed = json_object();
	r->pending_sub = json_object();
	r->committed_sub = json_object();
	r->starts = json_object();
	r->starts_committed = json_object();
	kin_env_init(&r->env);
	rec_init(&r->top);
	rec_init(&r->recs);
	if (kin_multi_init(&r->mu, k, e) != 0)
		return KIN_FAIL;
	if (r->pending == NULL || r->committed == NULL ||
	    r->pending_sub == NULL || r->committed_sub == NULL ||
	    r->starts == NULL || r->starts_committed == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	if ((st = kin_read_discover(r, 1, e)) != KIN_OK)
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
	if (o->exit_at_end)
		return mark_tips(r, e);
	return KIN_OK;
}

/* The shard's GetShardIterator request: after the last record handed
 * out; at it when that was a user record inside an aggregate, whose rest
 * is still to come (emit skips the user records up to the position);
 * else at the start position. */
static json_t *
iterator_request(const struct kin_read *r, const struct kin_shard *s)
{
	if (s->pos != NULL)
		return kin_iterator_request(r->o.stream, s->id,
		    s->pos_sub == CK_SUB_WHOLE ? "AFTER_SEQUENCE_NUMBER" :
		    "AT_SEQUENCE_NUMBER", s->pos, 0);
	return kin_iterator_request(r->o.stream, s->id, s->start_type,
	    s->start_seq, s->start_ts_us);
}

void
kin_read_finish_shard(struct kin_read *r, struct kin_shard *s)
{
	/* only a drained shard has no iterator left when it finishes */
	if (r->o.owner != NULL)
		r->o.owner->ended(r->o.owner->arg, s, s->iter == NULL);
	s->state = KS_DONE;
	free(s->iter);
	s->iter = NULL;
	free(s->tip);
	s->tip = NULL;
}

/* A start kept as a time is made exact by the first record read from it:
 * that record's sequence number is where the time led. */
static int
exact_start(struct kin_read *r, struct kin_shard *s, struct rec_span first,
    struct eb *e)
{
	const char *began = json_string_value(json_object_get(r->starts, s->id));
	struct kin_pos p = { KIN_POS_AT_SEQUENCE, NULL, 0 };
	char *seq;
	int rc;

	if (began == NULL || strncmp(began, "at-timestamp=", 13) != 0)
		return 0;
	if ((seq = strndup(first.p, first.n)) == NULL)
		return eb_set(e, "out of memory");
	p.seq = seq;
	rc = keep_start(r, s->id, &p, e);
	free(seq);
	return rc;
}

/* The last record handed out becomes the shard's position, in pending
 * too (with its subSequenceNumber when inside an aggregate); the first
 * one read makes a start kept as a time exact (an equal start, should
 * what follows fail). When out of memory, the position is as it was. */
static int
keep_position(struct kin_read *r, struct kin_shard *s, struct rec_span first,
    struct eb *e)
{
	char *pos = strndup(s->seen.p, s->seen.n);
	json_t *v = pos != NULL ? json_string(pos) : NULL;
	json_t *sub = s->seen_sub == CK_SUB_WHOLE ? NULL :
	    json_integer(s->seen_sub);
	json_t *old = s->pos != NULL ? json_string(s->pos) : NULL;
	int rc = -1;

	/* json_object_set_new takes its value, on failure too */
	if (v == NULL || (s->seen_sub != CK_SUB_WHOLE && sub == NULL) ||
	    (s->pos != NULL && old == NULL)) {
		json_decref(v);
		json_decref(sub);
		eb_set(e, "out of memory");
	} else if (s->pos == NULL && exact_start(r, s, first, e) != 0) {
		json_decref(v);
		json_decref(sub);
	} else if (json_object_set_new(r->pending, s->id, v) != 0) {
		json_decref(sub);
		eb_set(e, "out of memory");
	} else if (sub != NULL ? json_object_set_new(r->pending_sub, s->id,
	    sub) != 0 : (json_object_del(r->pending_sub, s->id), 0)) {
		/* the sequence number alone would resume past the rest of
		 * the aggregate: back to the position before */
		if (old == NULL)
			json_object_del(r->pending, s->id);
		else if (json_object_set(r->pending, s->id, old) != 0)
			json_object_del(r->pending, s->id);
		eb_set(e, "out of memory");
	} else
		rc = 0;
	json_decref(old);
	if (rc != 0) {
		free(pos);
		return -1;
	}
	free(s->pos);
	s->pos = pos;
	s->pos_sub = s->seen_sub;
	return 0;
}

/* The envelopes of the record at hand: one, or one per user record of a
 * KPL aggregate. Returns 1 when -c was reached. */
static int
user_records(struct kin_read *r, struct kin_shard *s, struct sb *out,
    uint64_t *n, struct eb *e)
{
	struct kin_env *ev = &r->env;
	int agg = ev->kind == KIN_KPL_AGGREGATE, rc;
	int64_t sub;
	size_t u, mark;

	if (ev->kind == KIN_KPL_BAD_MD5 || ev->kind == KIN_KPL_BAD_BODY)
		r->kpl_bad++;
	if (agg) {
		r->aggregates++;
		if (s->has_range && (rc = kin_env_in_range(ev, s->hash_lo,
		    s->hash_hi, e)) <= 0) {
			if (rc < 0)
				return -1;
			r->kpl_dropped += ev->nuser;
			goto whole;
		}
	}
	for (u = 0; u < ev->nuser; u++) {
		sub = agg ? (int64_t)u : CK_SUB_WHOLE;
		/* at or before the last handed out: resumed inside this
		 * aggregate, or a subscription that began again where an
		 * event already went */
		if (s->pos != NULL && ck_pos_cmp(ev->seq.p, ev->seq.n, sub,
		    s->pos, strlen(s->pos), s->pos_sub) <= 0)
			continue;
		mark = out->len;
		if ((r->o.raw ? kin_env_put_raw(ev, out, u, e) :
		    kin_env_put(ev, out, &r->ids, u, e)) != 0) {
			out->len = mark;	/* no half envelope */
			return -1;
		}
		sb_addc(out, '\n');
		r->emitted++;
		s->records++;
		(*n)++;
		s->seen = ev->seq;
		s->seen_sub = agg && u + 1 < ev->nuser ? sub : CK_SUB_WHOLE;
		if (r->o.limit > 0 && r->emitted >= r->o.limit) {
			r->finished = 1;
			return 1;
		}
	}
whole:
	/* the record is behind us, with or without envelopes */
	s->seen = ev->seq;
	s->seen_sub = CK_SUB_WHOLE;
	return 0;
}

/* Emit the records of one answer; stops early at -c or, with -e, at the
 * first record put after we started. */
enum kin_status
kin_read_emit(struct kin_read *r, struct kin_shard *s,
    const struct rec_span *recs, struct sb *out, uint64_t *n, struct eb *e)
{
	const struct rec_member *el;
	struct rec_span first = { NULL, 0 };
	size_t i, start = out->len;
	enum kin_status st = KIN_OK;
	int rc;

	if (rec_parse(&r->recs, recs->p, recs->n, e) != 0) {
		eb_wrap(e, "GetRecords: bad Records");
		return KIN_FAIL;
	}
	sb_reset(&r->ids);
	sb_adds(&r->ids, ",\"stream\":");
	jx_put_cstr(&r->ids, r->o.stream);
	sb_adds(&r->ids, ",\"shardId\":");
	jx_put_cstr(&r->ids, s->id);
	if (sb_failed(&r->ids)) {	/* envelopes without stream or shard */
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	s->seen.p = NULL;
	for (i = 0; i < r->recs.n; i++) {
		el = &r->recs.m[i];
		r->read++;
		if (el->type != REC_OBJECT) {
			eb_set(e, "GetRecords: a record that is not an object");
			st = KIN_FAIL;
			break;
		}
		if (kin_env_parse(&r->env, el->val.p, el->val.n, e) != 0) {
			st = KIN_FAIL;
			break;
		}
		if (s->end_seq != NULL && ck_seq_cmp(r->env.seq.p, r->env.seq.n,
		    s->end_seq, strlen(s->end_seq)) >= 0) {
			kin_read_finish_shard(r, s);
			break;
		}
		r->bytes += r->env.data.len;
		s->bytes += r->env.data.len;
		if (first.p == NULL)
			first = r->env.seq;
		if ((rc = user_records(r, s, out, n, e)) < 0)
			st = KIN_FAIL;
		if (rc != 0)
			break;
	}
	/* records whose position cannot be kept are not handed out: they
	 * would be read again after a restart */
	if (s->seen.p != NULL && keep_position(r, s, first, e) != 0) {
		out->len = start;
		*n = 0;
		st = KIN_FAIL;
	}
	s->seen.p = NULL;
	if (st != KIN_OK)
		eb_wrap(e, "%s", s->id);
	return st;
}

/* Wait until the shard has had fewer than five GetRecords in the last
 * second, and count the one about to start. Reads are paced apart by
 * next_call; the calls at its tip fit in between, within the service's
 * limit, without slowing the reads that take longer than 0.2 s. */
static enum kin_status
take_slot(struct kin_read *r, struct kin_shard *s)
{
	unsigned ix = s->ncalls % KIN_READ_PER_S;
	double now = cli_now(), at = s->calls[ix] + 1.0;

	if (s->ncalls >= KIN_READ_PER_S && at > now &&
	    kin_sleep(at - now, r->k->aws.stop) != 0)
		return KIN_STOPPED;
	s->calls[ix] = cli_now();
	s->ncalls++;
	return KIN_OK;
}

/* One look at the shard's start-time tip. A record there was put after
 * the start: its sequence number is where reading ends. No NextShardIterator
 * (closed with nothing after the start): the shard is drained to its end. */
static enum kin_status
look_at_tip(struct kin_read *r, struct kin_shard *s, int *again, struct eb *e)
{
	json_t *req, *resp, *recs, *seq, *next;
	enum kin_status st;

	*again = 0;
	if ((st = take_slot(r, s)) != KIN_OK)
		return st;
	req = json_pack("{s:s,s:i}", "ShardIterator", s->tip, "Limit", 1);
	st = kin_call(r->k, "GetRecords", req, &resp, e);	/* NULL req: OOM */
	json_decref(req);
	r->getrecords++;
	if (st == KIN_EXPIRED) {
		cli_warn("%s: the iterator marking its end at the start expired: "
		    "reading it up to its end now", s->id);
		free(s->tip);
		s->tip = NULL;
		return KIN_OK;
	}
	if (st != KIN_OK)
		return st;
	recs = json_object_get(resp, "Records");
	next = json_object_get(resp, "NextShardIterator");
	free(s->tip);
	s->tip = NULL;
	if (json_array_size(recs) > 0) {
		seq = json_object_get(json_array_get(recs, 0), "SequenceNumber");
		if (!json_is_string(seq)) {
			eb_set(e, "GetRecords: a record without SequenceNumber");
			st = KIN_FAIL;
		} else if ((s->end_seq = strdup(json_string_value(seq))) == NULL) {
			eb_set(e, "out of memory");
			st = KIN_FAIL;
		}
	} else if (json_is_string(next)) {
		if ((s->tip = strdup(json_string_value(next))) == NULL) {
			eb_set(e, "out of memory");
			st = KIN_FAIL;
		}
		s->tip_at = cli_now();
		/* AWS may answer empty short of the tip: keep asking */
		*again = json_number_value(json_object_get(resp,
		    "MillisBehindLatest")) > 0;
	}
	json_decref(resp);
	return st;
}

/* -e: has anything been put into the shard since the start? Asked after
 * each batch read while the answer is not known, so that every record of
 * the batch, read before the question, is judged by it. */
enum kin_status
kin_read_ask_tip(struct kin_read *r, struct kin_shard *s, struct eb *e)
{
	struct kin_tally t;
	enum kin_status st;
	int again;

	kin_tally_begin(r->k, &t);
	do
		st = look_at_tip(r, s, &again, e);
	while (st == KIN_OK && again);
	kin_tally_charge(r->k, &t, s);
	if (st != KIN_OK)
		eb_wrap(e, "%s", s->id);
	return st;
}

/* A shard whose tip iterator would expire before it is read (a child
 * waiting for its parents): renew it. */
struct kin_shard *
kin_read_tip_due(struct kin_read *r)
{
	double now = cli_now();
	size_t i;

	for (i = 0; i < r->sh.n; i++) {
		struct kin_shard *s = &r->sh.v[i];

		if (s->tip != NULL && s->state != KS_DONE &&
		    now - s->tip_at > KIN_READ_TIP_RENEW_S && s->next_call <= now)
			return s;
	}
	return NULL;
}

/* Room for one request per shard in a step: the shards grow with
 * resharding. */
int
kin_read_fit_reqs(struct kin_read *r, struct eb *e)
{
	struct kin_req **nv;

	if (r->sh.n <= r->reqcap)
		return 0;
	nv = realloc(r->reqs, r->sh.n * sizeof(*nv));
	if (nv == NULL)
		return eb_set(e, "out of memory");
	r->reqs = nv;
	r->reqcap = r->sh.n;
	return 0;
}

int
kin_read_empty_array(struct rec_span v)
{
	size_t i = 1;

	while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' ||
	    v.p[i] == '\n' || v.p[i] == '\r'))
		i++;
	return i < v.n && v.p[i] == ']';
}

/* The answer's members; Records must be an array. */
static enum kin_status
answer(struct kin_read *r, const char *text, size_t len, struct rec_span *recs,
    const struct rec_member **next, struct kin_shard *s, struct eb *e)
{
	const struct rec_member *m, *behind;
	int64_t ms = 0;

	if (rec_parse_object(&r->top, text, len, e) != 0) {
		eb_wrap(e, "GetRecords: bad answer");
		return KIN_FAIL;
	}
	m = rec_get(&r->top, "Records", 7);
	if (m == NULL || m->type != REC_ARRAY) {
		eb_set(e, "GetRecords: answer without Records");
		return KIN_FAIL;
	}
	*recs = m->val;
	*next = rec_get(&r->top, "NextShardIterator", 17);
	behind = rec_get(&r->top, "MillisBehindLatest", 18);
	if (behind != NULL && behind->type == REC_NUMBER)
		rec_int64(behind->val, &ms);
	s->behind_ms = ms;
	return KIN_OK;
}

/* When the shard may next be asked for records: reads paced
 * KIN_READ_INTERVAL_S apart, and fewer than five in the last second
 * (the calls at its tip fit in between, within the service's limit). */
static double
due_at(const struct kin_shard *s)
{
	double at = s->next_call, slot;

	if (s->ncalls >= KIN_READ_PER_S) {
		slot = s->calls[s->ncalls % KIN_READ_PER_S] + 1.0;
		if (slot > at)
			at = slot;
	}
	return at;
}

/* The shard's next call goes out: an iterator when it has none, else
 * its records. */
static enum kin_status
launch(struct kin_read *r, struct kin_shard *s, struct eb *e)
{
	json_t *req;
	char *body;
	enum kin_status st;

	if (s->req == NULL && (s->req = calloc(1, sizeof(*s->req))) == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	if (s->iter == NULL) {
		s->phase = KS_ASK_ITER;
		req = iterator_request(r, s);
	} else {
		s->phase = KS_ASK_RECORDS;
		s->calls[s->ncalls % KIN_READ_PER_S] = cli_now();
		s->ncalls++;
		s->next_call = cli_now() + KIN_READ_INTERVAL_S;
		r->getrecords++;
		req = json_pack("{s:s,s:i}", "ShardIterator", s->iter, "Limit",
		    r->o.batch_limit);
	}
	body = req != NULL ? jx_dumps(req) : NULL;
	json_decref(req);
	if (body == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	st = kin_multi_start(&r->mu, s->req, s->phase == KS_ASK_ITER ?
	    "GetShardIterator" : "GetRecords", body, strlen(body), e);
	free(body);
	return st;
}

/* --max-fetch-rate: the bytes fetched by the shard's last GetRecords
 * hold its next call back until they fit the rate (from that call's
 * start), so that over any stretch of calls the shard is read no faster. */
static void
pace(struct kin_read *r, struct kin_shard *s, uint64_t bytes)
{
	double started, at;

	if (r->o.max_fetch_rate <= 0 || s->ncalls == 0)
		return;
	started = s->calls[(s->ncalls - 1) % KIN_READ_PER_S];
	at = started + (double)bytes / r->o.max_fetch_rate;
	if (at > s->next_call)
		s->next_call = at;
}

/* A GetRecords answer: its records handed out, the shard moved on. */
static enum kin_status
records(struct kin_read *r, struct kin_shard *s, const char *text,
    size_t len, struct sb *out, uint64_t *n, struct eb *e)
{
	const struct rec_member *next;
	struct rec_span recs;
	enum kin_status st;
	uint64_t mine = 0, bytes = r->bytes;

	if ((st = answer(r, text, len, &recs, &next, s, e)) != KIN_OK) {
		eb_wrap(e, "%s", s->id);
		return st;
	}
	/* the tip is asked on the client's own handle: the answer at hand
	 * stays where it is */
	if (s->tip != NULL && !kin_read_empty_array(recs) &&
	    (st = kin_read_ask_tip(r, s, e)) != KIN_OK)
		return st;
	st = kin_read_emit(r, s, &recs, out, &mine, e);
	*n += mine;
	pace(r, s, r->bytes - bytes);
	if (st != KIN_OK || r->finished || s->state == KS_DONE)
		return st;
	free(s->iter);
	s->iter = NULL;
	if (next != NULL && next->type == REC_STRING) {
		/* iterators are base64: no escapes to decode */
		struct rec_span it = rec_string_raw(next);

		/* not "closed": a shard marked done here would never be
		 * read to its end */
		if ((s->iter = strndup(it.p, it.n)) == NULL) {
			eb_set(e, "%s: out of memory", s->id);
			return KIN_FAIL;
		}
	}
	if (s->iter == NULL) {
		/* closed and drained (AWS: null plus ChildShards; kinesalite: no
		 * key at all): its children are next, from ListShards either way */
		kin_read_finish_shard(r, s);
		return kin_read_discover(r, 0, e);
	}
	if (r->o.exit_at_end && mine == 0 && r->recs.n == 0 && s->behind_ms == 0)
		kin_read_finish_shard(r, s);
	return KIN_OK;
}

/* The shard's call came back. */
static enum kin_status
took(struct kin_read *r, size_t i, struct sb *out, uint64_t *n, struct eb *e)
{
	struct kin_shard *s = &r->sh.v[i];
	struct kin_req *q = s->req;
	enum kin_shard_phase phase = s->phase;

	s->phase = KS_IDLE;
	q->state = KR_IDLE;
	/* what its calls cost, throttled or not */
	s->retries += q->retries;
	s->throttles += q->throttles;
	q->retries = q->throttles = 0;
	if (q->st == KIN_EXPIRED && phase == KS_ASK_RECORDS) {
		/* resume from the last record handed out: no loss, no repeat */
		free(s->iter);
		s->iter = NULL;
		s->next_call = cli_now();
		return KIN_OK;
	}
	if (q->st != KIN_OK) {
		*e = q->e;
		eb_wrap(e, "%s", s->id);
		return q->st;
	}
	if (phase == KS_ASK_ITER) {
		if (kin_iterator_answer(q->text, q->len, &s->iter, e) != 0) {
			eb_wrap(e, "%s", s->id);
			return KIN_FAIL;
		}
		return KIN_OK;
	}
	return records(r, s, q->text, q->len, out, n, e);
}

/* Every shard being read has its call out, or waits for its turn;
 * one wait for the first answers; those answers taken in shard order.
 * A shard has one call out at a time, so its records keep their order. */
enum kin_status
kin_read_step(struct kin_read *r, struct sb *out, uint64_t *n, struct eb *e)
{
	struct kin_shard *s;
	enum kin_status st = KIN_OK;
	double now = cli_now(), until = now + 1.0;
	size_t i, nreq = 0, active = 0;

	if (r->o.consumer_arn != NULL)
		return kin_fanout_step(r, out, n, e);
	*n = 0;
	/* the owner's turn first: it takes, renews, gives up and checkpoints
	 * leases, and may hand shards over or take them back */
	if (r->o.owner != NULL && (st = r->o.owner->step(r->o.owner->arg, r,
	    out, e)) != KIN_OK)
		return st;
	if ((s = kin_read_tip_due(r)) != NULL)
		return kin_read_ask_tip(r, s, e);
	if (r->o.owner != NULL && r->o.owner->wake < until)
		until = r->o.owner->wake;
	if (kin_read_fit_reqs(r, e) != 0)
		return KIN_FAIL;
	for (i = 0; i < r->sh.n; i++) {
		s = &r->sh.v[i];
		if (!s->mine || s->state != KS_READ)
			continue;
		active++;
		if (s->phase == KS_IDLE && s->iter != NULL && due_at(s) > now) {
			if (due_at(s) < until)
				until = due_at(s);
			continue;
		}
		if (s->phase == KS_IDLE && (st = launch(r, s, e)) != KIN_OK) {
			eb_wrap(e, "%s", s->id);
			return st;
		}
		r->reqs[nreq++] = s->req;
	}
	if (active == 0 && (r->o.owner == NULL ||
	    r->o.owner->done(r->o.owner->arg))) {
		r->finished = 1;
		return KIN_OK;
	}
	if (nreq > 0 && (st = kin_multi_run(&r->mu, r->reqs, nreq, until, e)) !=
	    KIN_OK)
		return st;
	now = cli_now();
	if (nreq == 0 && until > now && kin_sleep(until - now,
	    r->k->aws.stop) != 0)
		return KIN_STOPPED;
	/* by index: a closed shard's children are appended to r->sh */
	for (i = 0; i < r->sh.n && st == KIN_OK && !r->finished; i++)
		if (r->sh.v[i].phase != KS_IDLE && r->sh.v[i].req->state == KR_DONE)
			st = took(r, i, out, n, e);
	kin_read_activate(r);
	return st;
}

int
kin_read_commit(struct kin_read *r, struct eb *e)
{
	json_t *copy = json_deep_copy(r->pending);
	json_t *subs = json_deep_copy(r->pending_sub);
	json_t *starts = json_deep_copy(r->starts);

	if (copy == NULL || subs == NULL || starts == NULL) {
		json_decref(copy);
		json_decref(subs);
		json_decref(starts);
		return eb_set(e, "out of memory");
	}
	json_decref(r->committed);
	r->committed = copy;
	json_decref(r->committed_sub);
	r->committed_sub = subs;
	json_decref(r->starts_committed);
	r->starts_committed = starts;
	return 0;
}

/* A shard given up (or taken again) while its call is out: the call is
 * stopped, its answer never taken, and what it cost so far is not
 * charged to the shard (its next owner's counts start afresh). */
static void
drop_call(struct kin_read *r, struct kin_shard *s)
{
	if (s->req == NULL)
		return;
	if (s->phase != KS_IDLE)
		kin_multi_cancel(&r->mu, s->req);
	s->phase = KS_IDLE;
	s->req->retries = s->req->throttles = 0;
}

enum kin_status
kin_read_own(struct kin_read *r, const char *id, const char *seq,
    int64_t sub, const char *type, int64_t ts_us, struct eb *e)
{
	struct kin_shard *s = kin_shards_find(&r->sh, id);
	enum kin_status st;

	if (s == NULL && (st = kin_read_discover(r, 0, e)) != KIN_OK)
		return st;
	if (s == NULL && (s = kin_shards_find(&r->sh, id)) == NULL) {
		eb_set(e, "shard %s is not in stream %s", id, r->o.stream);
		return KIN_NOTFOUND;
	}
	drop_call(r, s);
	free(s->iter);
	free(s->pos);
	free(s->start_seq);
	s->iter = s->pos = s->start_seq = NULL;
	s->pos_sub = sub;
	s->start_type = type;
	s->start_ts_us = ts_us;
	if (seq != NULL && (s->pos = strdup(seq)) == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	s->mine = 1;
	s->state = KS_WAIT;
	kin_read_activate(r);
	return KIN_OK;
}

void
kin_read_disown(struct kin_read *r, const char *id)
{
	struct kin_shard *s = kin_shards_find(&r->sh, id);

	if (s == NULL)
		return;
	drop_call(r, s);
	s->mine = 0;
	free(s->iter);
	s->iter = NULL;
	if (s->state == KS_READ)
		s->state = KS_WAIT;
}

enum kin_status
kin_read_tip(struct kin_read *r, struct kin_shard *s, struct eb *e)
{
	return s->tip != NULL ? kin_read_ask_tip(r, s, e) : KIN_OK;
}

void
kin_read_free(struct kin_read *r)
{
	for (size_t i = 0; i < r->sh.n; i++)
		if (r->sh.v[i].req != NULL) {
			kin_req_free(&r->mu, r->sh.v[i].req);
			free(r->sh.v[i].req);
			r->sh.v[i].req = NULL;
		}
	kin_shards_free(&r->sh);
	json_decref(r->pending);
	json_decref(r->committed);
	json_decref(r->pending_sub);
	json_decref(r->committed_sub);
	json_decref(r->starts);
	json_decref(r->starts_committed);
	kin_env_free(&r->env);
	rec_free(&r->top);
	rec_free(&r->recs);
	sb_free(&r->ids);
	free(r->reqs);
	kin_multi_free(&r->mu);
}

void
kin_tally_begin(const struct kin_client *k, struct kin_tally *t)
{
	t->retries = k->retries;
	t->throttles = k->throttles;
}

void
kin_tally_charge(const struct kin_client *k, const struct kin_tally *t,
    struct kin_shard *s)
{
	s->retries += k->retries - t->retries;
	s->throttles += k->throttles - t->throttles;
}
