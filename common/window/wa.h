/* wa: window-avg's run, shared by its modules: the options (wa_opt), the
 * per-record ingest (wa_in), partial rows in (wa_merge), row output
 * (wa_out) and triggers (wa_trig). Everything one run holds lives in one
 * struct wa passed explicitly, never in globals; only the tool exits, so
 * every function here returns -1 with an eb saying why. */
#ifndef KP_WA_H
#define KP_WA_H

#include <stdint.h>

#include "window/agg.h"
#include "base/ck.h"
#include "base/cli.h"
#include "base/col.h"
#include "base/eb.h"
#include "base/nd.h"
#include "json/rec.h"
#include "base/sb.h"
#include "window/st.h"
#include "window/wa_fmt.h"
#include "window/wa_mark.h"
#include "window/wa_sch.h"
#include "window/wa_time.h"
#include "window/win.h"

#define WA_MAX_OUT 64
#define WA_MAX_GROUP 32
#define WA_KEY_SEP '\x1f'	/* never raw inside canonical JSON text */
#define WA_PARTIAL_KIND "window-avg-partial"
/* the row cells each window index of the previous record went to */
#define WA_RECENT 8
#define WA_SEEN 16		/* member positions whose names are remembered */
/* records with a malformed provenance named on stderr before the rest
 * are only counted */
#define WA_MAX_WARNINGS 100

/* the text of rows the table keeps for --table (agg_text); the state's
 * is ST_TEXT */
#define WA_TEXT_TABLE 0

enum wa_fn { WA_AVG, WA_COUNT, WA_SUM, WA_MIN, WA_MAX };
enum wa_mode { WA_COMPLETE, WA_UPDATE, WA_APPEND };
enum wa_trig { WA_TRIG_IDLE, WA_TRIG_INTERVAL, WA_TRIG_AVAILABLE_NOW };

struct wa_col {
	enum wa_fn fn;
	int col;		/* value column index; -1 for count(*) */
	char *alias;
	struct sb name;		/* ,"alias": ready to copy */
	enum wa_type type;	/* its column's, by --schema (WA_T_ANY) */
};

struct wa_opts {
	const char *time_col, *window_col, *table, *state, *source_id;
	const char *stats;	/* --stats given: its argument or "" */
	const char *schema;	/* --schema DDL|@FILE */
	const char *sqlite, *query_name;	/* --sqlite FILE --query-name */
	struct cli_metrics_opts mx;	/* --metrics, checked at the start */
	int64_t size_us, slide_us, start_us, delay_us, trig_us;
	int have_window, have_slide, have_wm, tee, partials, merge;
	enum wa_mode mode;
	int mode_given;
	enum wa_trig trig;
	enum cli_on_error on_error;
	int flush_ms;
	int threads;		/* --threads: parsing ahead; 0: par_auto_threads() */
	struct wa_col out[WA_MAX_OUT];
	int nout;
	const char *cols[WA_MAX_OUT];	/* distinct value columns */
	enum wa_type type[WA_MAX_OUT];	/* their types (wa_sch) */
	int ncols;
	const char *group[WA_MAX_GROUP];
	int ngroup;
	struct sb group_name[WA_MAX_GROUP];	/* ,"name": ready to copy */
	struct sb query;			/* what the state must match */
	struct win_spec win;
};

/* the members a query reads: shardId, sequenceNumber, subSequenceNumber,
 * the time, then the value columns, then the group columns */
enum { WA_WANT_SHARD, WA_WANT_SEQ, WA_WANT_SUBSEQ, WA_WANT_TIME, WA_WANT_COLS };
#define WA_WANT_MAX (WA_WANT_COLS + WA_MAX_OUT + WA_MAX_GROUP)

struct wa_sql;

struct wa {
	const struct wa_opts *o;
	struct agg_table tab;
	struct ck_marks marks;
	struct st_state st;
	struct rec rec;
	struct sb key, tmp;
	struct sb seq;			/* a sequenceNumber with escapes */
	struct nd_writer out;
	struct cli_stats stats;
	int in_batch;			/* records seen since the last trigger */
	/* --table's text (kept by the table's agg_text), built with the
	 * rows and written after the state */
	const struct sb *table_text;
	size_t table_rows;
	int table_due;
	int64_t win_size;		/* --merge: learnt from the partials */
	int s_late, s_late_windows, s_replayed, s_null_time, s_batches;
	int s_missing, s_bad_provenance, s_table_rows;
	int s_shared;			/* records of batches parsed on threads */
	/* the columns the command line names, by want (wa_in) or in the
	 * partials (wa_merge): a typo is said and fails (col.h) */
	struct col_set cols;
	int want_col[WA_WANT_MAX];	/* index in cols, by want */
	unsigned prov_warned;		/* malformed provenance warnings */
	int parsed;			/* found[] is the current record's */
	struct sb where;		/* where a bad record came from */
	const char *want_name[WA_WANT_MAX];
	size_t want_len[WA_WANT_MAX];
	uint64_t want_lens;	/* bit n: some wanted name is n bytes (n < 64) */
	const struct rec_member *found[WA_WANT_MAX];
	int nwant;
	/* a name wanted twice (--time t --max t, -g v --avg v, -g shardId)
	 * is found for its first want only: the earlier want of the same
	 * name, -1 for none, and whether there is any */
	int want_same[WA_WANT_MAX];
	int nsame;
	int want_hand;		/* the last want: a lease's shardState (wa_hand) */
	int s_handed;
	/* records come nearly in time order, so the next one usually goes to
	 * the rows the previous one went to */
	struct agg_row *recent[WA_RECENT];
	/* and usually to the same windows: those of the last time whose
	 * windows were computed, valid for times in [slide_lo, slide_hi) */
	int64_t slide_lo, slide_hi;
	int nstarts;
	int64_t starts[WIN_MAX_OVERLAP];
	uint64_t want_word[WA_WANT_MAX];	/* first 8 bytes of long names */
	/* the members of a stream's records come in the same order: which
	 * want the 8-16 byte name at each position was, by its bytes */
	struct wa_seen {
		/* the name's first 8 bytes under head_mask (none below 8
		 * bytes), and the 8 bytes at tail_at: its last ones, or
		 * up to its closing quote below 8 */
		uint64_t head, head_mask, tail;
		size_t tail_at;
		size_t len;		/* 0: nothing seen here yet */
		int want;		/* -1: none */
	} seen[WA_SEEN];
	struct wa_time_cache times;	/* the day of the last plain time */
	struct wa_fmt_cache fmt;	/* the text of recent window bounds */
	double values[WA_MAX_OUT];
	int64_t ivalues[WA_MAX_OUT];	/* INT and BIGINT columns, exact */
	unsigned char has_value[WA_MAX_OUT];
	struct wa_sql *sql;		/* --sqlite, NULL without */
};

/* Set up a run of the validated options o (w zeroed, except w->stats,
 * which the caller may have initialised for --stats): the tables, the
 * state file loaded when there is one, the output on stdout. */
int wa_init(struct wa *w, const struct wa_opts *o, struct eb *e);
void wa_free(struct wa *w);

enum { WA_REC_OK, WA_REC_DROPPED };

/* A bad record under --on-error: fail returns -1 with e saying which line
 * and why; skip drops the record (WA_REC_DROPPED); null keeps it with the
 * bad field as null (WA_REC_OK), or drops it when drop_anyway (the field
 * is the event time, and Spark drops rows whose window is null). The
 * message names the record's shardId and sequenceNumber when w->where
 * holds them (" (SHARD SEQ)", prov.h; empty otherwise). */
int wa_bad_record(struct wa *w, const struct nd_line *ln, int drop_anyway,
    const char *what, const char *detail, struct eb *e);

#endif
