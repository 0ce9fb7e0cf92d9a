#include "window/agg_text.h"

const struct sb *
agg_text_build(struct agg_table *t, int k, struct agg_row *const *rows,
    size_t n, uint64_t next_batch, agg_text_put_fn *put, void *arg)
{
	struct agg_text *x = &t->text[k];
	size_t i, at = 0;

	/* the rows in the same place, unchanged: their text stays. Each row
	 * sits where the last call put it, so a row found at the offset the
	 * rows before it end at is the row that was there */
	for (i = 0; i < n; i++) {
		const struct agg_row *r = rows[i];

		if (r->text[k].len == 0 || r->text[k].at != at ||
		    r->batch >= x->batch || at + r->text[k].len > x->buf.len)
			break;
		at += r->text[k].len;
	}
	x->buf.len = at;
	for (; i < n; i++) {
		struct agg_row *r = rows[i];
		size_t start = x->buf.len;

		put(arg, &x->buf, r);
		r->text[k].at = start;
		r->text[k].len = x->buf.len - start;
	}
	if (sb_failed(&x->buf)) {
		sb_free(&x->buf);
		x->batch = 0;
		return NULL;
	}
	x->batch = next_batch;
	return &x->buf;
}
