#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "window/agg_text.h"
#include "window/wa_merge.h"
#include "window/wa_out.h"
#include "window/wa_sql.h"
#include "window/wa_trig.h"

static int
keep_changed(const struct agg_row *r, void *arg)
{
	return r->batch == *(const uint64_t *)arg;
}

static int
keep_ended(const struct agg_row *r, void *arg)
{
	const struct wa *w = arg;

	return r->start + w->win_size <= w->st.wm_ms * 1000;
}

static int
end_row(struct wa *w, struct eb *e)
{
	if (nd_end(&w->out) != 0)
		return eb_set(e, "write error: %s", strerror(errno));
	w->stats.emitted++;
	return 0;
}

static void
put_table_row(void *arg, struct sb *out, const struct agg_row *r)
{
	wa_out_row(arg, out, r, -1);
	sb_addc(out, '\n');
}

/* The --table text write_rows built, durably. */
static int
write_table(struct wa *w, struct eb *e)
{
	w->table_due = 0;
	if (ck_write_atomic(w->o->table, w->table_text->buf ?
	    w->table_text->buf : "", w->table_text->len, e) != 0)
		return -1;
	w->stats.extra[w->s_table_rows] += w->table_rows;	/* all, each time */
	return 0;
}

/* The rows to standard output and, when there is a --table (complete
 * mode only, so rows are all of t), into it; the table's text is rebuilt
 * from the first row the batch changed (agg_text). */
static int
write_rows(struct wa *w, struct agg_table *t, struct agg_row **rows,
    size_t n, int64_t batch_tag, struct eb *e)
{
	int to_stdout = w->o->table == NULL || w->o->tee;
	const struct sb *text;

	for (size_t i = 0; i < n; i++) {
		if (w->o->partials) {
			wa_out_partial(w, nd_buf(&w->out), rows[i]);
			if (end_row(w, e) != 0)
				return -1;
		} else if (to_stdout) {
			wa_out_row(w, nd_buf(&w->out), rows[i], batch_tag);
			if (end_row(w, e) != 0)
				return -1;
		}
	}
	if (w->o->table == NULL)
		return 0;
	text = agg_text_build(t, WA_TEXT_TABLE, rows, n, w->st.batch + 1,
	    put_table_row, w);
	if (text == NULL)
		return eb_set(e, "out of memory");
	w->table_text = text;
	w->table_rows = n;
	w->table_due = 1;
	/* written after the state (wa_trigger); but --merge has no state,
	 * and its table is a temporary one whose text goes with it: now */
	if (t != &w->tab)
		return write_table(w, e);
	return 0;
}

/* Emit the rows of t that keep() selects, sorted; complete tables also go
 * to --table. */
static int
emit(struct wa *w, struct agg_table *t, int (*keep)(const struct agg_row *,
    void *), void *arg, int64_t batch_tag, struct eb *e)
{
	struct agg_row **rows;
	size_t n;
	int rc;

	if (agg_sorted(t, keep, arg, &rows, &n) != 0)
		return eb_set(e, "out of memory");
	rc = write_rows(w, t, rows, n, batch_tag, e);
	if (rc == 0 && w->sql)
		rc = wa_sql_rows(w, rows, n, e);
	free(rows);
	return rc;
}

/* Rows whose window ended at or before the watermark: emitted once in
 * append mode, then forgotten in append and update modes. */
static int
finalise(struct wa *w, struct eb *e)
{
	if (w->st.wm_ms == ST_NONE)
		return 0;
	if (w->o->mode == WA_APPEND && emit(w, &w->tab, keep_ended, w, -1, e) != 0)
		return -1;
	if (agg_remove_if(&w->tab, keep_ended, w) > 0)
		memset(w->recent, 0, sizeof(w->recent));
	return 0;
}

static int
data_batch(struct wa *w, struct eb *e)
{
	uint64_t b = w->st.batch;
	struct agg_table merged, *t = &w->tab;
	int rc = 0;

	wa_sch_fold(w);
	if (w->o->merge) {
		if (wa_merge_shards(w, &merged, e) != 0)
			return -1;
		t = &merged;
	}
	if (w->o->mode == WA_COMPLETE)
		rc = emit(w, t, NULL, NULL, (int64_t)b, e);
	else if (w->o->mode == WA_UPDATE)
		rc = emit(w, t, keep_changed, &b, -1, e);
	if (w->o->merge)
		agg_free(&merged);
	if (rc == 0 && w->o->mode != WA_COMPLETE)
		rc = finalise(w, e);
	w->st.batch++;
	w->stats.extra[w->s_batches]++;
	return rc;
}

static int
advance_watermark(struct wa *w, struct eb *e)
{
	int64_t wm;

	if (!w->o->have_wm || w->st.max_ms == ST_NONE)
		return 0;
	wm = w->st.max_ms - w->o->delay_us / 1000;
	if (w->st.wm_ms != ST_NONE && wm <= w->st.wm_ms)
		return 0;
	w->st.wm_ms = wm;
	if (w->o->mode == WA_COMPLETE)
		return 0;
	/* Spark's no-data batch: a moved watermark finalises windows even
	 * when no new record arrives */
	if (finalise(w, e) != 0)
		return -1;
	w->st.batch++;
	w->stats.extra[w->s_batches]++;
	return 0;
}

/* End of input is the end of event time: in append mode the watermark
 * passes every window, so nothing is left unemitted. */
static int
end_of_time(struct wa *w, struct eb *e)
{
	int64_t last_end = ST_NONE;

	if (w->o->mode != WA_APPEND || w->tab.n == 0)
		return 0;
	for (size_t i = 0; i < w->tab.cap; i++)
		if (w->tab.slot[i] && w->tab.slot[i]->start + w->win_size > last_end)
			last_end = w->tab.slot[i]->start + w->win_size;
	last_end = last_end / 1000 + (last_end % 1000 > 0);
	if (w->st.wm_ms == ST_NONE || last_end > w->st.wm_ms)
		w->st.wm_ms = last_end;
	if (finalise(w, e) != 0)
		return -1;
	w->st.batch++;
	w->stats.extra[w->s_batches]++;
	return 0;
}

int
wa_trigger(struct wa *w, int at_eof, struct eb *e)
{
	if (w->in_batch &&
	    (data_batch(w, e) != 0 || advance_watermark(w, e) != 0))
		return -1;
	if (at_eof && end_of_time(w, e) != 0)
		return -1;
	/* The SQLite table's transaction first: a crash before the state is
	 * saved leaves it ahead of the state, which its meta table tells and
	 * the next start rebuilds from the state. Then the state, then the
	 * NDJSON table: a failure or a crash between those two leaves the
	 * file a trigger behind the state, never ahead of it, and the next
	 * trigger rewrites it whole from the state. The other order could
	 * leave a table counting a batch that the state (and so a restart)
	 * knows nothing of. */
	if (w->sql && (w->in_batch || at_eof) && wa_sql_commit(w, e) != 0)
		return -1;
	if (w->o->state && (w->in_batch || at_eof) &&
	    st_save(w->o->state, &w->st, e) != 0)
		return -1;
	if (w->table_due && write_table(w, e) != 0)
		return -1;
	w->in_batch = 0;
	if (nd_flush(&w->out) != 0)
		return eb_set(e, "write error: %s", strerror(errno));
	return 0;
}
