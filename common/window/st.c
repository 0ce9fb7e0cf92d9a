#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "window/agg_cell.h"
#include "window/st.h"

static void
put_opt_int(struct sb *out, int64_t v)
{
	if (v == ST_NONE)
		sb_adds(out, "null");
	else
		jx_put_int(out, v);
}

void
st_dump(const struct st_state *s, struct sb *out)
{
	struct ck_mark *k;
	int first = 1;

	sb_adds(out, "{\"format\":\"" ST_FORMAT "\",\"version\":1,\"shards\":{");
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
	first = 1;
	for (size_t i = 0; i < s->tab->cap; i++) {
		const struct agg_row *r = s->tab->slot[i];

		if (r == NULL)
			continue;
		if (!first)
			sb_addc(out, ',');
		first = 0;
		sb_addc(out, '[');
		jx_put_int(out, r->start);
		sb_addc(out, ',');
		jx_put_string(out, r->key, r->keylen);
		sb_addc(out, ',');
		jx_put_int(out, r->rows);
		sb_addc(out, ',');
		jx_put_int(out, (int64_t)r->batch);
		for (int c = 0; c < s->tab->ncols; c++) {
			sb_addc(out, ',');
			agg_cell_put(out, &r->cell[c]);
		}
		sb_addc(out, ']');
	}
	sb_adds(out, "]}\n");
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

static int
load_row(const json_t *a, struct st_state *s, struct eb *e, size_t idx)
{
	int ncols = s->tab->ncols;
	const json_t *key;
	struct agg_row *r;

	if (!json_is_array(a) || json_array_size(a) != (size_t)(4 + ncols) ||
	    !json_is_integer(json_array_get(a, 0)) ||
	    !json_is_string(key = json_array_get(a, 1)) ||
	    !json_is_integer(json_array_get(a, 2)) ||
	    !json_is_integer(json_array_get(a, 3)))
		return eb_set(e, "rows[%zu]: not [start,key,rows,batch,cells...] "
		    "with %d cells", idx, ncols);
	r = agg_get(s->tab, json_integer_value(json_array_get(a, 0)),
	    json_string_value(key), json_string_length(key));
	if (r == NULL)
		return eb_set(e, "out of memory");
	if (r->rows != 0 || r->batch != 0)
		return eb_set(e, "rows[%zu]: duplicate window and key", idx);
	r->rows = json_integer_value(json_array_get(a, 2));
	r->batch = (uint64_t)json_integer_value(json_array_get(a, 3));
	if (r->rows < 0)
		return eb_set(e, "rows[%zu]: negative count", idx);
	for (int c = 0; c < ncols; c++) {
		const json_t *x = json_array_get(a, 4 + (size_t)c);
		struct agg_cell *cell = &r->cell[c];

		if (agg_cell_get(x, cell) != 0)
			return eb_set(e, "rows[%zu]: cell %d is not "
			    "[n,sum,comp,min,max]", idx, c);
		if (cell->n < 0 || cell->n > r->rows)
			return eb_set(e, "rows[%zu]: cell %d count out of range",
			    idx, c);
	}
	return 0;
}

/* The subSequenceNumbers of marks inside an aggregate: each names a
 * shard of "shards" and is a count. */
static int
load_subs(const json_t *doc, struct st_state *s, struct eb *e)
{
	const json_t *subs = json_object_get(doc, "subSequenceNumbers");
	const char *shard;
	json_t *v;

	if (subs == NULL)
		return 0;
	if (!json_is_object(subs))
		return eb_set(e, "damaged state file: \"subSequenceNumbers\" is "
		    "not an object");
	json_object_foreach((json_t *)subs, shard, v) {
		struct ck_mark *k;

		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) == CK_SUB_WHOLE)
			return eb_set(e, "damaged state file: shard '%s' has no "
			    "valid subSequenceNumber", shard);
		if (json_object_get(json_object_get(doc, "shards"), shard) == NULL)
			return eb_set(e, "damaged state file: shard '%s' has a "
			    "subSequenceNumber but no sequenceNumber", shard);
		if ((k = ck_marks_get(s->marks, shard, strlen(shard))) == NULL)
			return eb_set(e, "out of memory");
		k->sub = json_integer_value(v);
	}
	return 0;
}

static int
load_doc(const json_t *doc, struct st_state *s, struct eb *e)
{
	const json_t *v, *rows;
	const char *shard;
	json_t *seq;
	size_t i;

	if (!json_is_object(doc))
		return eb_set(e, "not a window-avg state file: not a JSON object");
	v = json_object_get(doc, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), ST_FORMAT) != 0)
		return eb_set(e, "not a window-avg state file: \"format\" is not "
		    "\"" ST_FORMAT "\"");
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != ST_VERSION)
		return eb_set(e, "unsupported state file version (this "
		    "window-avg reads version %d)", ST_VERSION);
	v = json_object_get(doc, "query");
	if (!json_is_string(v))
		return eb_set(e, "damaged state file: no \"query\"");
	if (strcmp(json_string_value(v), s->query) != 0)
		return eb_set(e, "state file was written for a different query "
		    "(%s), not this one (%s)", json_string_value(v), s->query);
	v = json_object_get(doc, "batch");
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return eb_set(e, "damaged state file: bad \"batch\"");
	s->batch = (uint64_t)json_integer_value(v);
	if (get_opt_int(doc, "watermark_ms", &s->wm_ms) ||
	    get_opt_int(doc, "max_event_ms", &s->max_ms))
		return eb_set(e, "damaged state file: bad \"watermark_ms\" or "
		    "\"max_event_ms\"");
	v = json_object_get(doc, "shards");
	if (!json_is_object(v))
		return eb_set(e, "damaged state file: \"shards\" is not an object");
	json_object_foreach((json_t *)v, shard, seq) {
		struct ck_mark *k;

		if (!json_is_string(seq) || !ck_seq_valid(json_string_value(seq),
		    json_string_length(seq)))
			return eb_set(e, "damaged state file: shard '%s' has no "
			    "valid sequenceNumber", shard);
		k = ck_marks_get(s->marks, shard, strlen(shard));
		if (k == NULL)
			return eb_set(e, "out of memory");
		ck_mark_set(k, json_string_value(seq), json_string_length(seq),
		    CK_SUB_WHOLE);
	}
	if (load_subs(doc, s, e) != 0)
		return -1;
	rows = json_object_get(doc, "rows");
	if (!json_is_array(rows))
		return eb_set(e, "damaged state file: \"rows\" is not an array");
	for (i = 0; i < json_array_size(rows); i++)
		if (load_row(json_array_get(rows, i), s, e, i) != 0)
			return eb_wrap(e, "damaged state file");
	return 0;
}

int
st_load_text(const char *text, size_t len, const char *what,
    struct st_state *s, struct eb *e)
{
	json_t *doc = jx_load_text(text, len, "not a window-avg state file", e);
	int rc;

	rc = doc ? load_doc(doc, s, e) : -1;
	json_decref(doc);
	if (rc != 0)
		return eb_wrap(e, "%s", what);
	return 0;
}

int
st_load(const char *path, struct st_state *s, struct eb *e)
{
	FILE *f = fopen(path, "rb");
	struct sb text = SB_INIT;
	char buf[65536];
	size_t n;
	int rc;

	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		return eb_set(e, "%s: %s", path, strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&text, buf, n);
	if (ferror(f) || sb_failed(&text)) {
		fclose(f);
		sb_free(&text);
		return eb_set(e, "%s: read error", path);
	}
	fclose(f);
	rc = st_load_text(text.buf ? text.buf : "", text.len, path, s, e);
	sb_free(&text);
	return rc;
}
