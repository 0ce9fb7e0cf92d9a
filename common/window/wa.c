#include <string.h>
#include <unistd.h>

#include "window/wa.h"
#include "window/wa_hand.h"
#include "window/wa_sql.h"

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
	w->want_hand = n;
	w->want_name[n++] = WA_HAND_MEMBER;
	for (int i = 0; i < n; i++) {
		w->want_same[i] = -1;
		for (int j = 0; j < i && w->want_same[i] < 0; j++)
			if (strcmp(w->want_name[j], w->want_name[i]) == 0) {
				w->want_same[i] = j;
				w->nsame++;
			}
		w->want_len[i] = strlen(w->want_name[i]);
		if (w->want_len[i] >= 8)
			memcpy(&w->want_word[i], w->want_name[i], 8);
		w->want_lens |= w->want_len[i] < 64 ?
		    UINT64_C(1) << w->want_len[i] : 0;
	}
	w->nwant = n;
}

/* The option that names value column c: that of its first aggregate. */
static const char *
col_option(const struct wa_opts *o, int c)
{
	static const char *const opt[] = { "--avg", "--count", "--sum",
	    "--min", "--max" };

	for (int i = 0; i < o->nout; i++)
		if (o->out[i].col == c)
			return opt[o->out[i].fn];
	return "--avg";
}

/* The named columns (col.h), by want: in --merge the value and group
 * columns of the partials, else the time too. */
static void
cols_init(struct wa *w)
{
	const struct wa_opts *o = w->o;
	int k = WA_WANT_TIME;

	w->want_col[k] = o->merge ? -1 :
	    col_add(&w->cols, "--time", w->want_name[k]);
	for (int c = 0; c < o->ncols; c++)
		w->want_col[++k] = col_add(&w->cols, col_option(o, c), o->cols[c]);
	for (int g = 0; g < o->ngroup; g++)
		w->want_col[++k] = col_add(&w->cols, "--group-by", o->group[g]);
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
	cols_init(w);
	w->st = (struct st_state){ sb_cstr((struct sb *)&o->query), 0, ST_NONE,
	    ST_NONE, &w->tab, &w->marks, o->merge ? NULL : &o->win };
	if (o->state && st_load(o->state, &w->st, e) < 0)
		return -1;
	if (o->sqlite && wa_sql_open(w, e) != 0)
		return -1;
	w->s_late = cli_stats_add_metric(&w->stats, "late",
	    "kinpipe_records_late_total",
	    "Records dropped: each of their windows past the watermark.");
	w->s_late_windows = cli_stats_add_metric(&w->stats, "late_windows",
	    "kinpipe_late_windows_total",
	    "Window updates dropped as past the watermark.");
	w->s_replayed = cli_stats_add_metric(&w->stats, "replayed",
	    "kinpipe_records_replayed_total",
	    "Records recognised by sequence number as counted before.");
	w->s_null_time = cli_stats_add_metric(&w->stats, "null_time",
	    "kinpipe_records_null_time_total",
	    "Records with a null or absent time, dropped.");
	w->s_batches = cli_stats_add_metric(&w->stats, "batches",
	    "kinpipe_microbatches_total",
	    "Spark micro-batches run, data and no-data batches.");
	w->s_missing = cli_stats_add_metric(&w->stats, "missing",
	    "kinpipe_records_missing_column_total",
	    "Records without a column the command line names.");
	w->s_bad_provenance = cli_stats_add_metric(&w->stats, "bad_provenance",
	    "kinpipe_records_bad_provenance_total",
	    "Records never counted for a malformed shardId or sequenceNumber.");
	w->s_table_rows = cli_stats_add_metric(&w->stats, "table_rows",
	    "kinpipe_table_rows_written_total",
	    "Rows written to --table (the whole table at each trigger).");
	w->s_shared = cli_stats_add_metric(&w->stats, "shared",
	    "kinpipe_records_shared_total",
	    "Records handled in batches shared among threads (--threads).");
	/* only partials take a lease's state (wa_hand) */
	if (o->partials)
		w->s_handed = cli_stats_add_metric(&w->stats, "handed",
		    "kinpipe_records_handed_total",
		    "Rows replaced by a taken lease's shard state.");
	nd_writer_init(&w->out, STDOUT_FILENO, o->flush_ms);
	return 0;
}

void
wa_free(struct wa *w)
{
	wa_sql_close(w);
	agg_free(&w->tab);
	ck_marks_free(&w->marks);
	rec_free(&w->rec);
	sb_free(&w->key);
	sb_free(&w->tmp);
	sb_free(&w->where);
	sb_free(&w->seq);
}

int
wa_bad_record(struct wa *w, const struct nd_line *ln, int drop_anyway,
    const char *what, const char *detail, struct eb *e)
{
	unsigned long long no = (unsigned long long)ln->lineno;
	const char *sep = detail ? ": " : "";
	const char *at = sb_failed(&w->where) || w->where.len == 0 ? "" :
	    sb_cstr(&w->where);

	if (detail == NULL)
		detail = "";
	if (at == NULL)
		at = "";
	switch (w->o->on_error) {
	case ON_ERROR_FAIL:
		return eb_set(e, "%s:%llu%s: %s%s%s", ln->name, no, at, what,
		    sep, detail);
	case ON_ERROR_SKIP:
		cli_warn("%s:%llu%s: %s%s%s (skipped)", ln->name, no, at, what,
		    sep, detail);
		w->stats.skipped++;
		return WA_REC_DROPPED;
	case ON_ERROR_NULL:
		cli_warn("%s:%llu%s: %s%s%s (%s)", ln->name, no, at, what, sep,
		    detail, drop_anyway ? "nulled, so dropped" : "nulled");
		w->stats.nulled++;
		break;
	}
	return drop_anyway ? WA_REC_DROPPED : WA_REC_OK;
}
