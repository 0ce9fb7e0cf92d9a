#include <string.h>
#include <unistd.h>

#include "window/wa.h"

/* What one pass over a record's members looks for. */
static void
want_init(struct wa *w)
{
	const struct wa_opts *o = w->o;
	int n = 0;

	w->want_name[n++] = "shardId";
	w->want_name[n++] = "sequenceNumber";
	w->want_name[n++] = "subSequenceNumber";
	w->want_name[n++] = o->time_col ? o->time_col : "";
	for (int c = 0; c < o->ncols; c++)
		w->want_name[n++] = o->cols[c];
	for (int g = 0; g < o->ngroup; g++)
		w->want_name[n++] = o->group[g];
	for (int i = 0; i < n; i++) {
		w->want_len[i] = strlen(w->want_name[i]);
		if (w->want_len[i] >= 8)
			memcpy(&w->want_word[i], w->want_name[i], 8);
		w->want_lens |= w->want_len[i] < 64 ?
		    UINT64_C(1) << w->want_len[i] : 0;
	}
	w->nwant = n;
}

int
wa_init(struct wa *w, const struct wa_opts *o, struct eb *e)
{
	w->o = o;
	w->win_size = o->merge ? 0 : o->win.size;
	w->slide_lo = w->slide_hi = 0;	/* an empty range: nothing cached */
	if (agg_init(&w->tab, o->ncols) != 0 || ck_marks_init(&w->marks) != 0)
		return eb_set(e, "out of memory");
	rec_init(&w->rec);
	want_init(w);
	w->st = (struct st_state){ sb_cstr((struct sb *)&o->query), 0, ST_NONE,
	    ST_NONE, &w->tab, &w->marks };
	if (o->state && st_load(o->state, &w->st, e) < 0)
		return -1;
	w->s_late = cli_stats_add(&w->stats, "late");
	w->s_late_windows = cli_stats_add(&w->stats, "late_windows");
	w->s_replayed = cli_stats_add(&w->stats, "replayed");
	w->s_null_time = cli_stats_add(&w->stats, "null_time");
	w->s_batches = cli_stats_add(&w->stats, "batches");
	nd_writer_init(&w->out, STDOUT_FILENO, o->flush_ms);
	return 0;
}

void
wa_free(struct wa *w)
{
	agg_free(&w->tab);
	ck_marks_free(&w->marks);
	rec_free(&w->rec);
	sb_free(&w->key);
	sb_free(&w->tmp);
	sb_free(&w->table);
}

int
wa_bad_record(struct wa *w, const struct nd_line *ln, int drop_anyway,
    const char *what, const char *detail, struct eb *e)
{
	unsigned long long no = (unsigned long long)ln->lineno;
	const char *sep = detail ? ": " : "";

	if (detail == NULL)
		detail = "";
	switch (w->o->on_error) {
	case ON_ERROR_FAIL:
		return eb_set(e, "%s:%llu: %s%s%s", ln->name, no, what, sep,
		    detail);
	case ON_ERROR_SKIP:
		cli_warn("%s:%llu: %s%s%s (skipped)", ln->name, no, what, sep,
		    detail);
		w->stats.skipped++;
		return WA_REC_DROPPED;
	case ON_ERROR_NULL:
		cli_warn("%s:%llu: %s%s%s (%s)", ln->name, no, what, sep,
		    detail, drop_anyway ? "nulled, so dropped" : "nulled");
		w->stats.nulled++;
		break;
	}
	return drop_anyway ? WA_REC_DROPPED : WA_REC_OK;
}
