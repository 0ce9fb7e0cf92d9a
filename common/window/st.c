#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ck_sum.h"
#include "base/cli.h"
#include "json/jx.h"
#include "time/tm.h"
#include "window/agg_cell.h"
#include "window/agg_text.h"
#include "window/st.h"

static void
put_opt_int(struct sb *out, int64_t v)
{
	if (v == ST_NONE)
		sb_adds(out, "null");
	else
		jx_put_int(out, v);
}

static void
put_row(void *arg, struct sb *out, const struct agg_row *r)
{
	int ncols = *(const int *)arg;

	sb_add(out, ",[", 2);
	jx_put_int(out, r->start);
	sb_addc(out, ',');
	jx_put_string(out, r->key, r->keylen);
	sb_addc(out, ',');
	jx_put_int(out, r->rows);
	sb_addc(out, ',');
	jx_put_int(out, (int64_t)r->batch);
	for (int c = 0; c < ncols; c++) {
		sb_addc(out, ',');
		agg_cell_put(out, &r->cell[c]);
	}
	sb_addc(out, ']');
}

void
st_dump(const struct st_state *s, struct sb *out)
{
	const struct sb *rows;
	struct ck_mark *k;
	size_t from = out->len;
	int first = 1;

	sb_adds(out, "{\"format\":\"" ST_FORMAT "\",\"version\":");
	jx_put_int(out, ST_VERSION);
	sb_adds(out, ",\"shards\":{");
	CK_MARKS_FOREACH(s->marks, k) {
		if (k->seqlen == 0)
			continue;
		if (!first)
			sb_addc(out, ',');
		first = 0;
		jx_put_string(out, k->shard, k->shardlen);
		sb_addc(out, ':');
		jx_put_string(out, k->seq, k->seqlen);
	}
	sb_addc(out, '}');
	first = 1;
	CK_MARKS_FOREACH(s->marks, k) {
		if (k->seqlen == 0 || k->sub == CK_SUB_WHOLE)
			continue;
		sb_adds(out, first ? ",\"subSequenceNumbers\":{" : ",");
		first = 0;
		jx_put_string(out, k->shard, k->shardlen);
		sb_addc(out, ':');
		jx_put_int(out, k->sub);
	}
	if (!first)
		sb_addc(out, '}');
	sb_adds(out, ",\"query\":");
	jx_put_cstr(out, s->query);
	sb_adds(out, ",\"batch\":");
	jx_put_int(out, (int64_t)s->batch);
	sb_adds(out, ",\"watermark_ms\":");
	put_opt_int(out, s->wm_ms);
	sb_adds(out, ",\"max_event_ms\":");
	put_opt_int(out, s->max_ms);
	sb_adds(out, ",\"rows\":[");
	/* the rows in the order they were made, which changes only at the
	 * end and where rows are forgotten, so that most of their text is
	 * kept from the last dump; each row's text starts with its comma */
	rows = agg_text_build(s->tab, ST_TEXT, s->tab->order, s->tab->n,
	    s->batch, put_row, &s->tab->ncols);
	if (rows == NULL)
		out->failed = 1;
	else if (rows->len > 0)
		sb_add(out, rows->buf + 1, rows->len - 1);
	sb_addc(out, ']');
	ck_sum_seal(out, from);
}

int
st_save(const char *path, const struct st_state *s, struct eb *e)
{
	struct sb out = SB_INIT;
	int rc;

	st_dump(s, &out);
	if (sb_failed(&out)) {
		sb_free(&out);
		return eb_set(e, "%s: out of memory", path);
	}
	rc = ck_write_atomic(path, out.buf, out.len, e);
	sb_free(&out);
	return rc;
}

static int
get_opt_int(const json_t *o, const char *name, int64_t *v)
{
	const json_t *x = json_object_get(o, name);

	if (json_is_null(x)) {
		*v = ST_NONE;
		return 0;
	}
	if (!json_is_integer(x) || json_integer_value(x) == ST_NONE)
		return -1;
	*v = json_integer_value(x);
	return 0;
}

/* Why a cell is one no run could have written, or NULL. The checksum
 * catches damage; this catches a file edited by hand (or sealed after
 * damage) whose numbers contradict each other. Infinities are real: a
 * value of 1e400 is infinite, and finite values can overflow their sum
 * (which then turns the compensation NaN), so a sum is held to
 * count x [min, max] only where no such thing can have happened. */
static const char *
cell_problem(const struct agg_cell *c)
{
	long double lo, hi, big, sum, tol;

	if (c->n == 0)
		return c->sum == 0 && c->comp == 0 && c->min == 0 &&
		    c->max == 0 ? NULL : "values without a count";
	if (!isfinite(c->min) || !isfinite(c->max))
		return NULL;
	if (c->min > c->max)
		return "minimum above maximum";
	/* long double: n x max must not overflow where the sum did not */
	lo = (long double)c->n * c->min;
	hi = (long double)c->n * c->max;
	big = fabsl(lo) > fabsl(hi) ? fabsl(lo) : fabsl(hi);
	if (!isfinite(c->sum) || !isfinite(c->comp))
		return big > DBL_MAX ? NULL : "a sum that is not finite, "
		    "of finite values that cannot overflow";
	/* the compensation holds rounding errors, far below the magnitudes
	 * summed; the rounding of the whole is far below a billionth */
	sum = (long double)c->sum + c->comp;
	tol = big * 1e-9L + DBL_MIN;
	if (fabsl((long double)c->comp) > big + DBL_MIN)
		return "a compensation larger than the values";
	if (sum < lo - tol || sum > hi + tol)
		return "a sum outside count x [min, max]";
	return NULL;
}

int
st_load_row(const json_t *a, struct st_state *s, struct eb *e, size_t idx,
    int own_batches)
{
	int ncols = s->tab->ncols;
	const json_t *key;
	struct agg_row *r;
	const char *why;
	int64_t start;

	if (!json_is_array(a) || json_array_size(a) != (size_t)(4 + ncols) ||
	    !json_is_integer(json_array_get(a, 0)) ||
	    !json_is_string(key = json_array_get(a, 1)) ||
	    !json_is_integer(json_array_get(a, 2)) ||
	    !json_is_integer(json_array_get(a, 3)))
		return eb_set(e, "rows[%zu]: not [start,key,rows,batch,cells...] "
		    "with %d cells", idx, ncols);
	start = json_integer_value(json_array_get(a, 0));
	/* windows start on the slide (win.h); a start off it was never
	 * assigned, and its records would never be merged with their
	 * window's */
	if (s->win != NULL && tm_floormod(start - s->win->start,
	    s->win->slide) != 0)
		return eb_set(e, "rows[%zu]: window start %lld is not on the "
		    "slide", idx, (long long)start);
	r = agg_get(s->tab, start, json_string_value(key),
	    json_string_length(key));
	if (r == NULL)
		return eb_set(e, "out of memory");
	if (r->rows != 0 || r->batch != 0)
		return eb_set(e, "rows[%zu]: duplicate window and key", idx);
	r->rows = json_integer_value(json_array_get(a, 2));
	r->batch = (uint64_t)json_integer_value(json_array_get(a, 3));
	/* a row exists because a record was counted in it */
	if (r->rows < 1)
		return eb_set(e, "rows[%zu]: count %lld is not positive", idx,
		    (long long)r->rows);
	/* (a row handed over from another instance counts its batches) */
	if (json_integer_value(json_array_get(a, 3)) < 0 ||
	    (own_batches && r->batch >= s->batch))
		return eb_set(e, "rows[%zu]: changed in batch %lld, which is "
		    "not before the next one (%llu)", idx,
		    (long long)json_integer_value(json_array_get(a, 3)),
		    (unsigned long long)s->batch);
	for (int c = 0; c < ncols; c++) {
		const json_t *x = json_array_get(a, 4 + (size_t)c);
		struct agg_cell *cell = &r->cell[c];

		if (agg_cell_get(x, cell) != 0)
			return eb_set(e, "rows[%zu]: cell %d is not "
			    "[n,sum,comp,min,max]", idx, c);
		if (cell->n < 0 || cell->n > r->rows)
			return eb_set(e, "rows[%zu]: cell %d count out of range",
			    idx, c);
		if ((why = cell_problem(cell)) != NULL)
			return eb_set(e, "rows[%zu]: cell %d: %s", idx, c, why);
	}
	return 0;
}

/* What a refusal calls for: another file (or other options), or moving a
 * damaged one aside. */
enum st_refusal { ST_OTHER, ST_DAMAGED };

/* The subSequenceNumbers of marks inside an aggregate: each names a
 * shard of "shards" and is a count. */
static int
load_subs(const json_t *doc, struct st_state *s, enum st_refusal *why,
    struct eb *e)
{
	const json_t *subs = json_object_get(doc, "subSequenceNumbers");
	const char *shard;
	json_t *v;

	if (subs == NULL)
		return 0;
	if (!json_is_object(subs))
		return eb_set(e, "\"subSequenceNumbers\" is not an object");
	json_object_foreach((json_t *)subs, shard, v) {
		struct ck_mark *k;

		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) == CK_SUB_WHOLE)
			return eb_set(e, "shard '%s' has no valid "
			    "subSequenceNumber", shard);
		if (json_object_get(json_object_get(doc, "shards"), shard) == NULL)
			return eb_set(e, "shard '%s' has a subSequenceNumber but "
			    "no sequenceNumber", shard);
		if ((k = ck_marks_get(s->marks, shard, strlen(shard))) == NULL) {
			*why = ST_OTHER;
			return eb_set(e, "out of memory");
		}
		k->sub = json_integer_value(v);
	}
	return 0;
}

static int
load_version(const json_t *doc, enum ck_sum_status sum, enum st_refusal *why,
    struct eb *e)
{
	const json_t *v = json_object_get(doc, "version");

	if (json_is_integer(v) && json_integer_value(v) == ST_VERSION) {
		if (sum == CK_SUM_OK)
			return 0;
		*why = ST_DAMAGED;
		return eb_set(e, "no valid \"" CK_SUM_MEMBER "\" seal at its end");
	}
	/* what window-avg wrote before files were sealed: refusing it
	 * would cost an upgrading user the marks that count each record
	 * once; it is sealed at the next trigger */
	if (json_is_integer(v) && json_integer_value(v) == ST_VERSION_UNSEALED)
		return 0;
	return eb_set(e, "unsupported state file version (this window-avg "
	    "reads versions %d and %d)", ST_VERSION_UNSEALED, ST_VERSION);
}

static int
load_doc(const json_t *doc, enum ck_sum_status sum, struct st_state *s,
    enum st_refusal *why, struct eb *e)
{
	const json_t *v, *rows;
	const char *shard;
	json_t *seq;
	size_t i;

	*why = ST_OTHER;
	if (!json_is_object(doc))
		return eb_set(e, "not a window-avg state file: not a JSON object");
	v = json_object_get(doc, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), ST_FORMAT) != 0)
		return eb_set(e, "not a window-avg state file: \"format\" is not "
		    "\"" ST_FORMAT "\"");
	if (load_version(doc, sum, why, e) != 0)
		return -1;
	*why = ST_DAMAGED;
	v = json_object_get(doc, "query");
	if (!json_is_string(v))
		return eb_set(e, "no \"query\"");
	if (strcmp(json_string_value(v), s->query) != 0) {
		*why = ST_OTHER;
		return eb_set(e, "state file was written for a different query "
		    "(%s), not this one (%s)", json_string_value(v), s->query);
	}
	v = json_object_get(doc, "batch");
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return eb_set(e, "bad \"batch\"");
	s->batch = (uint64_t)json_integer_value(v);
	if (get_opt_int(doc, "watermark_ms", &s->wm_ms) ||
	    get_opt_int(doc, "max_event_ms", &s->max_ms))
		return eb_set(e, "bad \"watermark_ms\" or \"max_event_ms\"");
	/* the watermark trails the largest event time seen, except that the
	 * end of input moves it past every window (wa_trig.c): it may lead,
	 * but never without an event time */
	if (s->wm_ms != ST_NONE && s->max_ms == ST_NONE)
		return eb_set(e, "a watermark without an event time");
	v = json_object_get(doc, "shards");
	if (!json_is_object(v))
		return eb_set(e, "\"shards\" is not an object");
	json_object_foreach((json_t *)v, shard, seq) {
		struct ck_mark *k;

		if (!json_is_string(seq) || !ck_seq_valid(json_string_value(seq),
		    json_string_length(seq)))
			return eb_set(e, "shard '%s' has no valid sequenceNumber",
			    shard);
		k = ck_marks_get(s->marks, shard, strlen(shard));
		if (k == NULL) {
			*why = ST_OTHER;
			return eb_set(e, "out of memory");
		}
		ck_mark_set(k, json_string_value(seq), json_string_length(seq),
		    CK_SUB_WHOLE);
	}
	if (load_subs(doc, s, why, e) != 0)
		return -1;
	rows = json_object_get(doc, "rows");
	if (!json_is_array(rows))
		return eb_set(e, "\"rows\" is not an array");
	for (i = 0; i < json_array_size(rows); i++)
		if (st_load_row(json_array_get(rows, i), s, e, i, 1) != 0) {
			if (strcmp(e->msg, "out of memory") == 0)
				*why = ST_OTHER;
			return -1;
		}
	return 0;
}

/* A damaged file is never used: say so, and what starting over means. */
static int
refuse_damaged(const char *what, struct eb *e)
{
	char why[sizeof(e->msg)];

	memcpy(why, e->msg, sizeof(why));
	return eb_set(e, "%s: damaged (%s): not used. To start over, move it "
	    "aside (mv %s %s.damaged): the run then starts with no windows "
	    "and no replay marks, and counts again whatever it reads", what,
	    why, what, what);
}

int
st_load_text(const char *text, size_t len, const char *what,
    struct st_state *s, struct eb *e)
{
	static const char ours[] = "{\"format\":\"" ST_FORMAT "\"";
	enum ck_sum_status sum = ck_sum_check(text, len);
	enum st_refusal why = ST_DAMAGED;
	json_t *doc;
	int rc, mine;

	if (sum == CK_SUM_BAD) {
		eb_set(e, "its " CK_SUM_MEMBER " does not match its content");
		return refuse_damaged(what, e);
	}
	/* ours, cut or garbled, or not ours at all */
	mine = len >= sizeof(ours) - 1 && memcmp(text, ours, sizeof(ours) - 1) == 0;
	doc = jx_load_text(text, len, mine ? "not JSON" :
	    "not a window-avg state file", e);
	if (doc == NULL)
		return mine ? refuse_damaged(what, e) : eb_wrap(e, "%s", what);
	rc = load_doc(doc, sum, s, &why, e);
	json_decref(doc);
	if (rc == 0) {
		/* only version 1 gets here unsealed */
		if (sum == CK_SUM_NONE)
			cli_warn("%s: a version %d state file, without a "
			    "checksum: used as it is; the next trigger writes "
			    "it as version %d, sealed", what, ST_VERSION_UNSEALED,
			    ST_VERSION);
		return 0;
	}
	if (why == ST_DAMAGED)
		return refuse_damaged(what, e);
	return eb_wrap(e, "%s", what);
}

int
st_load(const char *path, struct st_state *s, struct eb *e)
{
	struct sb text = SB_INIT;
	int rc;

	if ((rc = ck_read_file(path, &text, e)) == 0)
		rc = st_load_text(text.buf ? text.buf : "", text.len, path, s, e);
	sb_free(&text);
	return rc;
}
