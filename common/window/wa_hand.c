#include <string.h>

#include "json/jx.h"
#include "window/wa_hand.h"

static int
bad(struct wa *w, const struct nd_line *ln, json_t *doc, const char *why,
    struct eb *e)
{
	json_decref(doc);
	return wa_bad_record(w, ln, 1, "bad shardState", why, e) < 0 ? -1 : 0;
}

struct prefix {
	const char *p;
	size_t n;
};

static int
of_shard(const struct agg_row *r, void *arg)
{
	const struct prefix *x = arg;

	return r->keylen >= x->n && memcmp(r->key, x->p, x->n) == 0;
}

int
wa_hand(struct wa *w, const struct nd_line *ln, const struct rec_member *shard,
    const struct rec_member *state, struct eb *e)
{
	json_t *doc, *f, *q, *seq, *sub, *rows, *row;
	struct rec_span id;
	struct prefix pre;
	struct ck_mark *k;
	struct agg_row *r;
	size_t i;

	if (!w->o->partials)
		return 0;
	if (shard == NULL || shard->type != REC_STRING)
		return bad(w, ln, NULL, "no \"shardId\"", e);
	doc = json_loadb(state->val.p, state->val.n, JSON_REJECT_DUPLICATES, NULL);
	f = json_object_get(doc, "format");
	q = json_object_get(doc, "query");
	seq = json_object_get(doc, "sequenceNumber");
	rows = json_object_get(doc, "rows");
	/* a mark inside a KPL aggregate: its last user record counted */
	sub = json_object_get(doc, "subSequenceNumber");
	if (!json_is_string(f) || strcmp(json_string_value(f), WA_HAND_FORMAT) != 0)
		return bad(w, ln, doc, "no \"format\":\"" WA_HAND_FORMAT "\"", e);
	if (!json_is_array(rows) || !(json_is_null(seq) || (json_is_string(seq) &&
	    ck_seq_valid(json_string_value(seq), json_string_length(seq)))))
		return bad(w, ln, doc, "missing or mistyped member", e);
	if (sub != NULL && (!json_is_integer(sub) || !json_is_string(seq) ||
	    json_integer_value(sub) < 0))
		return bad(w, ln, doc, "mistyped \"subSequenceNumber\"", e);
	if (json_array_size(rows) > 0 && (!json_is_string(q) ||
	    strcmp(json_string_value(q), w->st.query) != 0)) {
		eb_set(e, "%s:%llu: the lease's state was counted by another "
		    "query (%s), not this one (%s)", ln->name,
		    (unsigned long long)ln->lineno, json_is_string(q) ?
		    json_string_value(q) : "none named", w->st.query);
		json_decref(doc);
		return -1;
	}
	/* the shard's rows are those whose key starts with its id */
	id = rec_string_text(shard, &w->tmp);
	sb_reset(&w->key);
	jx_put_string(&w->key, id.p, id.n);
	sb_addc(&w->key, WA_KEY_SEP);
	if (sb_failed(&w->key)) {
		json_decref(doc);
		return eb_set(e, "out of memory");
	}
	pre = (struct prefix){ w->key.buf, w->key.len };
	agg_remove_if(&w->tab, of_shard, &pre);
	memset(w->recent, 0, sizeof(w->recent));
	json_array_foreach(rows, i, row) {
		const char *key = json_string_value(json_array_get(row, 1));

		if (key == NULL || strncmp(key, pre.p, pre.n) != 0)
			return bad(w, ln, doc, "a row of another shard", e);
		if (st_load_row(row, &w->st, e, i, 0) != 0) {
			json_decref(doc);
			return eb_wrap(e, "%s:%llu: shardState", ln->name,
			    (unsigned long long)ln->lineno);
		}
		/* emitted again at the next trigger */
		r = agg_find(&w->tab, json_integer_value(json_array_get(row, 0)),
		    key, strlen(key));
		r->batch = w->st.batch;
	}
	id = rec_string_text(shard, &w->tmp);
	if ((k = ck_marks_get(&w->marks, id.p, id.n)) == NULL) {
		json_decref(doc);
		return eb_set(e, "out of memory");
	}
	if (json_is_string(seq))
		ck_mark_set(k, json_string_value(seq), json_string_length(seq),
		    sub != NULL ? json_integer_value(sub) : CK_SUB_WHOLE);
	else
		k->seqlen = 0;
	w->stats.extra[w->s_handed]++;
	json_decref(doc);
	return 0;
}
