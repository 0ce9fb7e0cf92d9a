#include <string.h>

#include "json/jx.h"
#include "window/agg_cell.h"
#include "window/wa_out.h"

static void
put_window(struct wa *w, struct sb *s, int64_t start)
{
	sb_adds(s, "{\"start\":");
	wa_fmt_put_time(&w->fmt, s, start);
	sb_adds(s, ",\"end\":");
	wa_fmt_put_time(&w->fmt, s, start + w->win_size);
	sb_addc(s, '}');
}

const char *
wa_out_key_groups(const struct wa *w, const struct agg_row *r)
{
	const char *p = r->key;

	if (w->o->partials || w->o->merge)
		p = strchr(p, WA_KEY_SEP) + 1;
	return p;
}

/* ,"name":value for each group column; skip_comma for the first inside
 * an object of its own. */
static void
put_groups(const struct wa *w, struct sb *s, const char *p, int skip_comma)
{
	for (int g = 0; g < w->o->ngroup; g++) {
		const char *end = strchr(p, WA_KEY_SEP);
		const struct sb *name = &w->o->group_name[g];

		if (g == 0 && skip_comma)
			sb_add(s, name->buf + 1, name->len - 1);
		else
			sb_add(s, name->buf, name->len);
		sb_add(s, p, (size_t)(end - p));
		p = end + 1;
	}
}

static void
put_value(struct sb *s, const struct wa_col *c, const struct agg_row *r)
{
	const struct agg_cell *x = c->col >= 0 ? &r->cell[c->col] : NULL;

	sb_add(s, c->name.buf, c->name.len);
	if (c->type != WA_T_ANY) {	/* --schema: as the type says */
		struct wa_val v;

		wa_sch_value(c, r, &v);
		wa_sch_put(s, &v);
		return;
	}
	if (c->fn == WA_COUNT) {
		jx_put_int(s, x ? x->n : r->rows);
		return;
	}
	if (x->n == 0) {	/* every value null: Spark's null */
		sb_adds(s, "null");
		return;
	}
	/* an infinite value (1e999999 reads as Infinity, as in Spark) or
	 * an overflowing sum is named, not written as null: null means
	 * that every value was null */
	switch (c->fn) {
	case WA_AVG: jx_put_double_named(s, agg_cell_sum(x) / (double)x->n); break;
	case WA_SUM: jx_put_double_named(s, agg_cell_sum(x)); break;
	case WA_MIN: jx_put_double_named(s, x->min); break;
	case WA_MAX: jx_put_double_named(s, x->max); break;
	case WA_COUNT: break;
	}
}

void
wa_out_row(struct wa *w, struct sb *s, const struct agg_row *r,
    int64_t batch)
{
	sb_addc(s, '{');
	jx_put_cstr(s, w->o->window_col);
	sb_addc(s, ':');
	put_window(w, s, r->start);
	put_groups(w, s, wa_out_key_groups(w, r), 0);
	for (int i = 0; i < w->o->nout; i++)
		put_value(s, &w->o->out[i], r);
	if (batch >= 0) {
		sb_adds(s, ",\"batch\":");
		jx_put_int(s, batch);
	}
	sb_addc(s, '}');
}

/* One partial row: a shard's whole aggregate of one window and key as of
 * the shard's mark, so that the latest one per (shard, window, key)
 * replaces the earlier ones and a replay can never count twice. */
void
wa_out_partial(struct wa *w, struct sb *s, const struct agg_row *r)
{
	const char *sep = strchr(r->key, WA_KEY_SEP);
	struct ck_mark *k;

	sb_adds(s, "{\"kind\":\"" WA_PARTIAL_KIND "\",\"window\":");
	put_window(w, s, r->start);
	sb_adds(s, ",\"shardId\":");
	sb_add(s, r->key, (size_t)(sep - r->key));
	sb_adds(s, ",\"sequenceNumber\":");
	/* the mark of this row's shard: the key holds its JSON string */
	sb_reset(&w->tmp);
	rec_string_decode((struct rec_span){ r->key, (size_t)(sep - r->key) },
	    &w->tmp);
	k = ck_marks_get(&w->marks, w->tmp.buf ? w->tmp.buf : "", w->tmp.len);
	if (k && k->seqlen)
		jx_put_string(s, k->seq, k->seqlen);
	else
		sb_adds(s, "null");
	if (k && k->seqlen && k->sub != CK_SUB_WHOLE) {
		sb_adds(s, ",\"subSequenceNumber\":");
		jx_put_int(s, k->sub);
	}
	sb_adds(s, ",\"group\":{");
	put_groups(w, s, sep + 1, 1);
	sb_adds(s, "},\"rows\":");
	jx_put_int(s, r->rows);
	sb_adds(s, ",\"values\":{");
	for (int c = 0; c < w->o->ncols; c++) {
		if (c > 0)
			sb_addc(s, ',');
		jx_put_cstr(s, w->o->cols[c]);
		sb_addc(s, ':');
		agg_cell_put(s, &r->cell[c]);
	}
	sb_adds(s, "}}");
}
