#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "json/prov.h"
#include "time/tm.h"
#include "window/agg_cell.h"
#include "window/wa_merge.h"

static int
partial_bad(struct wa *w, const struct nd_line *ln, json_t *doc,
    const char *why, struct eb *e)
{
	json_t *shard = json_object_get(doc, "shardId");
	json_t *seq = json_object_get(doc, "sequenceNumber");
	json_t *sub = json_object_get(doc, "subSequenceNumber");
	char subtext[24];

	sb_reset(&w->where);
	if (json_is_integer(sub))
		snprintf(subtext, sizeof(subtext), "%lld",
		    (long long)json_integer_value(sub));
	if (json_is_string(shard) && json_is_string(seq))
		prov_describe_text(json_string_value(shard),
		    json_string_length(shard), json_string_value(seq),
		    json_string_length(seq), json_is_integer(sub) ? subtext :
		    NULL, json_is_integer(sub) ? strlen(subtext) : 0, &w->where);
	json_decref(doc);
	return wa_bad_record(w, ln, 1, "not a window-avg partial row", why, e) <
	    0 ? -1 : 0;
}

/* A member's JSON text in a message, cut short. */
static void
show(struct sb *out, const json_t *v)
{
	struct sb text = SB_INIT;

	if (v == NULL) {
		sb_adds(out, "missing");
		return;
	}
	jx_dump(&text, v);
	sb_add(out, text.buf ? text.buf : "", text.len > 40 ? 40 : text.len);
	if (text.len > 40)
		sb_adds(out, "...");
	sb_free(&text);
}

/* A partial whose shardId or sequenceNumber is malformed cannot be told
 * from a replay of it: never merged, as wa_in never counts such a record
 * under --state; a failure under --on-error=fail, else skipped, counted
 * and named for the first WA_MAX_WARNINGS. */
static int
partial_bad_provenance(struct wa *w, const struct nd_line *ln, json_t *doc,
    struct eb *e)
{
	unsigned long long no = (unsigned long long)ln->lineno;
	json_t *shard = json_object_get(doc, "shardId");
	json_t *seq = json_object_get(doc, "sequenceNumber");
	json_t *sub = json_object_get(doc, "subSequenceNumber");
	const char *why;

	sb_reset(&w->tmp);
	sb_adds(&w->tmp, "malformed provenance: shardId ");
	show(&w->tmp, shard);
	sb_adds(&w->tmp, ", sequenceNumber ");
	show(&w->tmp, seq);
	if (sub != NULL) {
		sb_adds(&w->tmp, ", subSequenceNumber ");
		show(&w->tmp, sub);
	}
	sb_adds(&w->tmp, sub == NULL ? " (wanted a string, and null or 1 to "
	    "128 decimal digits): a replay could not be recognised" :
	    " (wanted a string, 1 to 128 decimal digits and a count): a "
	    "replay could not be recognised");
	json_decref(doc);
	if ((why = sb_cstr(&w->tmp)) == NULL || sb_failed(&w->tmp))
		return eb_set(e, "out of memory");
	if (w->o->on_error == ON_ERROR_FAIL)
		return eb_set(e, "%s:%llu: %s", ln->name, no, why);
	if (w->prov_warned++ < WA_MAX_WARNINGS)
		cli_warn("%s:%llu: %s (skipped)%s", ln->name, no, why,
		    w->prov_warned == WA_MAX_WARNINGS ?
		    "; further warnings suppressed" : "");
	w->stats.skipped++;
	w->stats.extra[w->s_bad_provenance]++;
	return 0;
}

/* The partial's value and group columns, as the command line names them
 * (col.h): a typo in --avg or --group-by is said, not merged as null. */
static void
note_columns(struct wa *w, const json_t *vals, const json_t *group)
{
	int lacking = 0, k = WA_WANT_COLS;

	w->cols.any = 1;
	for (int c = 0; c < w->o->ncols; c++, k++) {
		if (json_object_get(vals, w->o->cols[c]) != NULL)
			w->cols.seen[w->want_col[k]] = 1;
		else
			lacking = 1;
	}
	for (int g = 0; g < w->o->ngroup; g++, k++) {
		if (json_object_get(group, w->o->group[g]) != NULL)
			w->cols.seen[w->want_col[k]] = 1;
		else
			lacking = 1;
	}
	w->stats.extra[w->s_missing] += (uint64_t)lacking;
}

static int
read_cells(struct wa *w, json_t *vals, struct agg_cell *cells)
{
	for (int c = 0; c < w->o->ncols; c++) {
		json_t *a = json_object_get(vals, w->o->cols[c]);

		if (agg_cell_get(a, &cells[c]) != 0 || cells[c].n < 0)
			return -1;
	}
	return 0;
}

/* Partial rows come from us, at most one per shard, window and key per
 * trigger: jansson's speed is plenty here. */
int
wa_merge_partial(struct wa *w, const struct nd_line *ln, struct eb *e)
{
	json_t *doc = json_loadb(ln->p, ln->len, JSON_REJECT_DUPLICATES, NULL);
	json_t *win, *shard, *seq, *subseq, *group, *rows, *vals, *x;
	struct agg_cell cells[WA_MAX_OUT];
	int64_t start, end;
	struct agg_row *r;
	struct eb why;
	int64_t sub = CK_SUB_WHOLE;

	if (!json_is_object(doc) || !json_is_string(x = json_object_get(doc,
	    "kind")) || strcmp(json_string_value(x), WA_PARTIAL_KIND) != 0)
		return partial_bad(w, ln, doc, "no \"kind\":\"" WA_PARTIAL_KIND
		    "\"", e);
	win = json_object_get(doc, "window");
	shard = json_object_get(doc, "shardId");
	seq = json_object_get(doc, "sequenceNumber");
	subseq = json_object_get(doc, "subSequenceNumber");
	group = json_object_get(doc, "group");
	rows = json_object_get(doc, "rows");
	vals = json_object_get(doc, "values");
	if (!json_is_string(x = json_object_get(win, "start")) ||
	    tm_parse_rfc3339(json_string_value(x), json_string_length(x), &start,
	    &why) != 0 || !json_is_string(x = json_object_get(win, "end")) ||
	    tm_parse_rfc3339(json_string_value(x), json_string_length(x), &end,
	    &why) != 0 || end <= start)
		return partial_bad(w, ln, doc, "bad \"window\"", e);
	if (w->win_size == 0)
		w->win_size = end - start;
	if (end - start != w->win_size)
		return partial_bad(w, ln, doc, "windows of different lengths", e);
	if (!json_is_object(group) || !json_is_integer(rows) ||
	    !json_is_object(vals))
		return partial_bad(w, ln, doc, "missing or mistyped member", e);
	note_columns(w, vals, group);
	if (!json_is_string(shard) || json_string_length(shard) == 0 ||
	    (!json_is_null(seq) && !(json_is_string(seq) && ck_seq_valid(
	    json_string_value(seq), json_string_length(seq)))))
		return partial_bad_provenance(w, ln, doc, e);
	/* the place of a user record of a KPL aggregate, beside its
	 * aggregate's sequence number */
	if (subseq != NULL && (!json_is_string(seq) ||
	    !json_is_integer(subseq) || (sub = json_integer_value(subseq)) < 0 ||
	    sub == CK_SUB_WHOLE))
		return partial_bad_provenance(w, ln, doc, e);
	if (read_cells(w, vals, cells) != 0)
		return partial_bad(w, ln, doc, "\"values\" lacks a column of "
		    "this query or is not [count,sum,comp,min,max]", e);
	sb_reset(&w->key);
	jx_put_string(&w->key, json_string_value(shard), json_string_length(shard));
	sb_addc(&w->key, WA_KEY_SEP);
	for (int g = 0; g < w->o->ngroup; g++) {
		x = json_object_get(group, w->o->group[g]);
		if (x == NULL)
			sb_adds(&w->key, "null");
		else
			jx_dump(&w->key, x);
		sb_addc(&w->key, WA_KEY_SEP);
	}
	r = agg_find(&w->tab, start, w->key.buf, w->key.len);
	/* an older state of the same shard, window and key (replayed by a
	 * restarted emitter) never replaces a newer one */
	if (r && r->tag && json_is_string(seq) && ck_pos_cmp(json_string_value(
	    seq), json_string_length(seq), sub, r->tag, strlen(r->tag),
	    r->tag_sub) < 0) {
		json_decref(doc);
		w->stats.extra[w->s_replayed]++;
		return 0;
	}
	if (r == NULL && (r = agg_get(&w->tab, start, w->key.buf,
	    w->key.len)) == NULL) {
		json_decref(doc);
		return eb_set(e, "out of memory");
	}
	free(r->tag);
	r->tag = NULL;
	if (json_is_string(seq) &&
	    (r->tag = strdup(json_string_value(seq))) == NULL) {
		json_decref(doc);
		return eb_set(e, "out of memory");
	}
	r->tag_sub = sub;
	r->rows = json_integer_value(rows);
	r->batch = w->st.batch;
	memcpy(r->cell, cells, (size_t)w->o->ncols * sizeof(*cells));
	json_decref(doc);
	return 0;
}

/* The table one window-avg over every shard would hold: the shards'
 * latest partials folded per window and key. */
int
wa_merge_shards(struct wa *w, struct agg_table *out, struct eb *e)
{
	if (agg_init(out, w->o->ncols) != 0) {
		free(out->slot);
		return eb_set(e, "out of memory");
	}
	for (size_t i = 0; i < w->tab.cap; i++) {
		const struct agg_row *r = w->tab.slot[i];
		const char *g;
		struct agg_row *m;

		if (r == NULL)
			continue;
		g = strchr(r->key, WA_KEY_SEP);
		m = agg_get(out, r->start, g, strlen(g));
		if (m == NULL) {
			agg_free(out);
			return eb_set(e, "out of memory");
		}
		m->rows += r->rows;
		if (r->batch > m->batch || m->rows == r->rows)
			m->batch = r->batch;
		for (int c = 0; c < w->o->ncols; c++)
			agg_cell_merge(&m->cell[c], &r->cell[c]);
	}
	return 0;
}
