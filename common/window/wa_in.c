#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json/jx.h"
#include "json/prov.h"
#include "window/wa_hand.h"
#include "window/wa_in.h"
#include "window/wa_num.h"

#define WANT_GROUP(w) (WA_WANT_COLS + (w)->o->ncols)

/* The bytes after the first 8 of two names of n >= 8 bytes are equal:
 * one overlapping 8-byte load each up to 16 bytes, without a call. */
static inline int
same_tail(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	if (n > 16)
		return memcmp(a + 8, b + 8, n - 8) == 0;
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* The want a name of n bytes is, -1 for none; head holds its first 8
 * bytes when n >= 8. */
static int
want_of(const struct wa *w, const char *p, size_t n, uint64_t head)
{
	for (int k = 0; k < w->nwant; k++)
		if (n == w->want_len[k] && (n < 8 ? memcmp(p, w->want_name[k],
		    n) == 0 : head == w->want_word[k] &&
		    same_tail(p, w->want_name[k], n)))
			return k;
	return -1;
}

/* Remember which want the name of the member at position i is, when it
 * is 5 to 16 bytes long: the words that tell it from any other name of
 * its length (a name of 5 to 7 bytes, the eight bytes that end with its
 * closing quote, which lie in the record: at most two before the name,
 * its opening quote and the '{', ',' or blank before that). */
static void
remember(struct wa *w, size_t i, const struct rec_member *m, int want)
{
	struct wa_seen *seen = &w->seen[i];
	size_t n = m->key.n;
	uint64_t head;

	if (n < 5 || n > 16 || i >= WA_SEEN)
		return;
	seen->head_mask = n >= 8 ? ~UINT64_C(0) : 0;
	seen->tail_at = n >= 8 ? n - 8 : n + 1 - 8;
	memcpy(&head, m->key.p, 8);
	seen->head = head & seen->head_mask;
	memcpy(&seen->tail, m->key.p + seen->tail_at, 8);
	seen->len = n;
	seen->want = want;
}

/* Find every wanted member in one pass rather than one rec_get each; the
 * last of duplicate keys wins, as in rec_get, which handles escaped keys.
 * The members of a stream's records come in the same order: a name that
 * is, byte for byte, the one at its position in the last record is known
 * by two words (eight bytes from the name's start are in the record: the
 * name, its closing quote, the ':', a value and the closing brace);
 * other names are ruled out by their length or searched among the
 * wants. */
static void
find_members(struct wa *w)
{
	const struct rec *r = &w->rec;

	/* a few wants (six for one value column): a fixed size the
	 * compiler clears with a few stores, not a call */
	if (w->nwant <= 8)
		memset(w->found, 0, 8 * sizeof(w->found[0]));
	else
		for (int k = 0; k < w->nwant; k++)
			w->found[k] = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct rec_member *m = &r->m[i];
		size_t n = m->key.n;
		uint64_t head = 0;
		int k;

		if (m->key_escaped) {
			for (k = 0; k < w->nwant; k++)
				w->found[k] = rec_get(r, w->want_name[k], w->want_len[k]);
			return;
		}
		if (i < WA_SEEN && w->seen[i].len == n) {
			const struct wa_seen *seen = &w->seen[i];
			uint64_t tail;

			memcpy(&head, m->key.p, 8);
			memcpy(&tail, m->key.p + seen->tail_at, 8);
			if ((head & seen->head_mask) == seen->head &&
			    tail == seen->tail) {
				if (seen->want >= 0)
					w->found[seen->want] = m;
				continue;
			}
		}
		if (n < 64 && !(w->want_lens >> n & 1))
			continue;
		if (n >= 8)
			memcpy(&head, m->key.p, 8);
		if ((k = want_of(w, m->key.p, n, head)) >= 0)
			w->found[k] = m;
		remember(w, i, m, k);
	}
}

/* Event time in microseconds; 1 when null or missing, -1 when bad. */
static int
event_time(struct wa *w, const struct rec_member *m, int64_t *us,
    struct eb *e)
{
	int rc;

	if (m == NULL || m->type == REC_NULL)
		return 1;
	if (m->type == REC_NUMBER) {
		rc = tm_from_epoch_seconds(wa_num(m->val), us, e);
	} else if (m->type != REC_STRING) {
		return eb_set(e, "not a string or a number");
	} else {
		struct rec_span text = rec_string_text(m, &w->tmp);

		rc = wa_time_read(&w->times, text.p, text.n, us, e);
	}
	if (rc == 0 && (*us < WA_TIME_MIN || *us > WA_TIME_MAX))
		return eb_set(e, "outside years 0001 to 9999");
	return rc;
}

/* Canonical text of a group value, so that "A" and "\u0041", 1 and 1.0
 * fall in one group; then the separator. */
static void
key_value(struct wa *w, const struct rec_member *m)
{
	struct sb *k = &w->key;
	int64_t i;

	if (m == NULL || m->type == REC_NULL) {
		sb_add(k, "null", 4);
	} else if (m->type == REC_STRING) {
		struct rec_span text = rec_string_text(m, &w->tmp);

		jx_put_string(k, text.p, text.n);
	} else if (m->type == REC_NUMBER) {
		if (m->num_int && rec_int64(m->val, &i) == 0)
			jx_put_int(k, i);
		else	/* 1e999999 is Infinity, not null */
			jx_put_double_named(k, rec_number(m->val));
	} else {
		sb_add(k, m->val.p, m->val.n);
	}
	sb_addc(k, WA_KEY_SEP);
}

static void
shard_key(struct wa *w, const struct rec_member *shard)
{
	if (shard == NULL || shard->type != REC_STRING) {
		jx_put_cstr(&w->key, w->o->source_id);
	} else {
		struct rec_span text = rec_string_text(shard, &w->tmp);

		jx_put_string(&w->key, text.p, text.n);
	}
	sb_addc(&w->key, WA_KEY_SEP);
}

/* Spark expands a record into its windows before aggregating, so lateness
 * is decided per (record, window): a window ending at or before the
 * watermark is dropped, the record's later windows still count. */
static int
aggregate(struct wa *w, int64_t ts, struct eb *e)
{
	const struct win_spec *win = &w->o->win;
	const int64_t *starts = w->starts;
	int n, counted = 0;
	int evicting = w->o->mode != WA_COMPLETE && w->st.wm_ms != ST_NONE;
	const char *key = w->key.buf ? w->key.buf : "";

	/* win_assign's division only when ts leaves the last slide; when the
	 * window is a multiple of the slide, every time of one slide has the
	 * same windows */
	if (!win->exact || ts < w->slide_lo || ts >= w->slide_hi) {
		int64_t newest = w->nstarts > 0 ? w->starts[0] : INT64_MIN;

		w->nstarts = win_assign(win, ts, w->starts);
		if (win->exact) {
			w->slide_lo = w->starts[0];
			w->slide_hi = w->starts[0] + win->slide;
		}
		/* one slide on, the previous record's window i is this one's
		 * window i + 1 (one back, i - 1): keep the rows where the
		 * check below will look for them */
		if (w->nstarts > 0 && newest != INT64_MIN &&
		    w->starts[0] - win->slide == newest) {
			memmove(w->recent + 1, w->recent,
			    (WA_RECENT - 1) * sizeof(w->recent[0]));
			w->recent[0] = NULL;
		} else if (w->nstarts > 0 && newest != INT64_MIN &&
		    w->starts[0] + win->slide == newest) {
			memmove(w->recent, w->recent + 1,
			    (WA_RECENT - 1) * sizeof(w->recent[0]));
			w->recent[WA_RECENT - 1] = NULL;
		}
	}
	n = w->nstarts;
	for (int i = 0; i < n; i++) {
		struct agg_row *r;

		if (evicting && starts[i] + w->o->win.size <= w->st.wm_ms * 1000) {
			w->stats.extra[w->s_late_windows]++;
			continue;
		}
		r = i < WA_RECENT ? w->recent[i] : NULL;
		if (r == NULL || r->start != starts[i] || r->keylen != w->key.len ||
		    (w->key.len > 0 && memcmp(r->key, key, w->key.len) != 0))
			r = agg_get(&w->tab, starts[i], key, w->key.len);
		if (i < WA_RECENT)
			w->recent[i] = r;
		if (r == NULL)
			return eb_set(e, "out of memory with %zu windows",
			    w->tab.n);
		r->rows++;
		r->batch = w->st.batch;
		for (int c = 0; c < w->o->ncols; c++)
			if (w->has_value[c])
				wa_sch_add(w->o->type[c], &r->cell[c],
				    w->values[c], w->ivalues[c]);
		counted++;
	}
	if (counted == 0 && n > 0)
		w->stats.extra[w->s_late]++;
	return 0;
}

enum prov { PROV_NONE, PROV_NEW, PROV_REPLAY, PROV_BAD };

/* Show a malformed member's JSON text in a message, cut short. */
static void
show(struct sb *out, const struct rec_member *m)
{
	if (m == NULL) {
		sb_adds(out, "missing");
		return;
	}
	sb_add(out, m->val.p, m->val.n > 40 ? 40 : m->val.n);
	if (m->val.n > 40)
		sb_adds(out, "...");
}

/* A user record of a KPL aggregate carries its subSequenceNumber; any
 * other record is its Kinesis record whole (CK_SUB_WHOLE). -1 when it is
 * there but not a count. */
static int64_t
sub_of(const struct rec_member *sub)
{
	int64_t v;

	if (sub == NULL || sub->type == REC_NULL)
		return CK_SUB_WHOLE;
	if (sub->type != REC_NUMBER || !sub->num_int ||
	    rec_int64(sub->val, &v) != 0 || v < 0 || v == CK_SUB_WHOLE)
		return -1;
	return v;
}

/* A sequence number as text: the string's bytes, decoded into buf when
 * it has escapes (as no writer of them does); 0 when it is not 1 to 128
 * decimal digits. */
static int
seq_text(const struct rec_member *seq, struct sb *buf, struct rec_span *s)
{
	if (seq->type != REC_STRING)
		return 0;
	*s = rec_string_text(seq, buf);
	return ck_seq_valid(s->p, s->n);
}

/* The replay check of a record whose shard's mark is at hand and whose
 * sequence number wa_seq_vs_mark decides: what replayed() would say,
 * without decoding, validating and comparing in three passes; -1 when it
 * must say it. */
static int
replayed_fast(struct wa *w, const struct rec_member *shard,
    const struct rec_member *seq, const struct rec_member *subm,
    struct ck_mark **mark, struct rec_span *s, int64_t *sub)
{
	struct ck_mark *k;
	int v;

	if (shard == NULL || seq == NULL || shard->type != REC_STRING ||
	    seq->type != REC_STRING || shard->val_escaped ||
	    seq->val_escaped || shard->val.n == 2)
		return -1;
	k = ck_marks_peek(&w->marks, shard->val.p + 1, shard->val.n - 2);
	if (k == NULL || (*sub = sub_of(subm)) < 0)
		return -1;
	*s = rec_string_raw(seq);
	if ((v = wa_seq_vs_mark(k, s->p, s->n, *sub)) == WA_SEQ_UNSURE)
		return -1;
	*mark = k;
	return v ? PROV_NEW : PROV_REPLAY;
}

/* The replay check, by the record's shardId, sequenceNumber and
 * subSequenceNumber (a user record of a KPL aggregate). PROV_NONE for a
 * record without them (it cannot be recognised again: counted);
 * PROV_REPLAY when counted before; PROV_NEW with *mark to raise to (*s,
 * *sub) after counting; PROV_BAD (why in w->tmp) when they are there but
 * malformed and the run keeps marks across runs (--state, or partials,
 * which carry them to the merge): such a record could never be
 * recognised on replay, so it is not counted. -1 when memory runs out. */
static int
replayed(struct wa *w, const struct rec_member *shard,
    const struct rec_member *seq, const struct rec_member *subm,
    struct ck_mark **mark, struct rec_span *s, int64_t *sub,
    struct eb *e)
{
	struct rec_span id;
	int fast;

	*mark = NULL;
	if ((fast = replayed_fast(w, shard, seq, subm, mark, s, sub)) >= 0)
		return fast;
	if (shard && shard->type == REC_NULL)
		shard = NULL;
	if (seq && seq->type == REC_NULL)
		seq = NULL;
	if (shard == NULL && seq == NULL)
		return PROV_NONE;
	if (shard == NULL || seq == NULL || shard->type != REC_STRING ||
	    shard->val.n == 2 || !seq_text(seq, &w->seq, s)) {
		if (!w->o->state && !w->o->partials)
			return PROV_NONE;
		sb_reset(&w->tmp);
		sb_adds(&w->tmp, "malformed provenance: shardId ");
		show(&w->tmp, shard);
		sb_adds(&w->tmp, ", sequenceNumber ");
		show(&w->tmp, seq);
		sb_adds(&w->tmp, " (wanted a string and 1 to 128 decimal "
		    "digits): a replay could not be recognised");
		return PROV_BAD;
	}
	if ((*sub = sub_of(subm)) < 0) {
		if (!w->o->state && !w->o->partials)
			return PROV_NONE;
		sb_reset(&w->tmp);
		sb_adds(&w->tmp, "malformed provenance: subSequenceNumber ");
		show(&w->tmp, subm);
		sb_adds(&w->tmp, " (wanted a count, a user record's place in "
		    "its aggregate): a replay could not be recognised");
		return PROV_BAD;
	}
	id = rec_string_text(shard, &w->tmp);
	if ((*mark = ck_marks_get(&w->marks, id.p, id.n)) == NULL)
		return eb_set(e, "out of memory");
	return ck_mark_is_new(*mark, s->p, s->n, *sub) ? PROV_NEW : PROV_REPLAY;
}

/* A record whose provenance is malformed under --state or partials: never
 * counted, a failure under --on-error=fail; else skipped, counted, and
 * named on stderr for the first WA_MAX_WARNINGS. */
static int
bad_provenance(struct wa *w, const struct nd_line *ln, struct eb *e)
{
	unsigned long long no = (unsigned long long)ln->lineno;
	const char *why = sb_cstr(&w->tmp);

	if (why == NULL || sb_failed(&w->tmp))
		return eb_set(e, "out of memory");
	if (w->o->on_error == ON_ERROR_FAIL)
		return eb_set(e, "%s:%llu: %s", ln->name, no, why);
	if (w->prov_warned++ < WA_MAX_WARNINGS)
		cli_warn("%s:%llu: %s (skipped)%s", ln->name, no,
		    why, w->prov_warned == WA_MAX_WARNINGS ?
		    "; further warnings suppressed" : "");
	w->stats.skipped++;
	w->stats.extra[w->s_bad_provenance]++;
	return 0;
}

/* Which named columns the record has (col.h); --stats counts the records
 * that lack one as missing. A few stores per record. */
static void
note_columns(struct wa *w)
{
	int lacking = 0;

	w->cols.any = 1;
	/* the named columns: every want from the time on but the last, a
	 * taken lease's shardState, which a record does not have */
	for (int k = WA_WANT_TIME; k < w->want_hand; k++) {
		if (w->found[k] != NULL)
			w->cols.seen[w->want_col[k]] = 1;
		else
			lacking = 1;
	}
	w->stats.extra[w->s_missing] += (uint64_t)lacking;
}

/* wa_bad_record, with where the record came from in the message. */
static int
bad_record(struct wa *w, const struct nd_line *ln, int drop_anyway,
    const char *what, const char *detail, struct eb *e)
{
	sb_reset(&w->where);
	if (w->parsed)
		prov_describe_values(w->found[WA_WANT_SHARD],
		    w->found[WA_WANT_SEQ], w->found[WA_WANT_SUBSEQ],
		    &w->where);
	return wa_bad_record(w, ln, drop_anyway, what, detail, e);
}

/* The strings a DOUBLE column takes for NaN and the infinities, as
 * Spark reads them (allowNonNumericNumbers) and json-project and this
 * tool write them: 1 with *d set, 0 for any other value. */
static int
non_finite(const struct rec_member *m, double *d)
{
	static const struct { const char *s; size_t n; int sign; } name[] = {
		{ "\"NaN\"", 5, 0 }, { "\"Infinity\"", 10, 1 },
		{ "\"+Infinity\"", 11, 1 }, { "\"+INF\"", 6, 1 },
		{ "\"-Infinity\"", 11, -1 }, { "\"-INF\"", 6, -1 },
	};

	if (m->type != REC_STRING || m->val_escaped)
		return 0;
	for (size_t i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		if (m->val.n == name[i].n &&
		    memcmp(m->val.p, name[i].s, name[i].n) == 0) {
			*d = name[i].sign == 0 ? NAN : name[i].sign * INFINITY;
			return 1;
		}
	return 0;
}

/* The value columns into w->values; WA_REC_OK, WA_REC_DROPPED or -1. */
static int
values(struct wa *w, const struct nd_line *ln, struct eb *e)
{
	int nulled = 0;

	for (int c = 0; c < w->o->ncols; c++) {
		const struct rec_member *m = w->found[WA_WANT_COLS + c];

		w->has_value[c] = 0;
		if (m == NULL || m->type == REC_NULL)
			continue;
		if (m->type == REC_NUMBER && w->o->type[c] == WA_T_ANY) {
			w->values[c] = wa_num(m->val);
			w->has_value[c] = 1;
			continue;
		}
		if (w->o->type[c] == WA_T_ANY ? non_finite(m, &w->values[c]) :
		    wa_sch_read(w->o->type[c], m, &w->values[c],
		    &w->ivalues[c]) == 0) {
			w->has_value[c] = 1;
			continue;
		}
		if (w->o->on_error != ON_ERROR_NULL || !nulled) {
			char what[300];
			int rc;

			if (w->o->type[c] == WA_T_ANY)
				snprintf(what, sizeof(what), "field '%s': not a "
				    "number", w->o->cols[c]);
			else
				snprintf(what, sizeof(what), "field '%s': not %s %s",
				    w->o->cols[c], w->o->type[c] == WA_T_INT ?
				    "an" : "a", wa_sch_name(w->o->type[c]));
			rc = bad_record(w, ln, 0, what, NULL, e);
			if (rc != WA_REC_OK)
				return rc;
			nulled = 1;
		}
	}
	return WA_REC_OK;
}

/* The record's group key, then its windows. */
static int
count_record(struct wa *w, const struct rec_member *shard, int64_t ts,
    struct eb *e)
{
	int64_t ms = ts / 1000;	/* Spark's watermark is in ms */

	sb_reset(&w->key);
	if (w->o->partials)
		shard_key(w, shard);
	for (int g = 0; g < w->o->ngroup; g++)
		key_value(w, w->found[WANT_GROUP(w) + g]);
	if (sb_failed(&w->key))
		return eb_set(e, "out of memory");
	if (aggregate(w, ts, e) != 0)
		return -1;
	if (w->st.max_ms == ST_NONE || ms > w->st.max_ms)
		w->st.max_ms = ms;
	return 0;
}

int
wa_in_record(struct wa *w, const struct nd_line *ln, struct eb *e)
{
	struct eb why;

	w->parsed = 0;
	if (rec_parse_object(&w->rec, ln->p, ln->len, &why) != 0)
		return bad_record(w, ln, 1, "not a JSON object", why.msg, e) < 0 ?
		    -1 : 0;
	return wa_in_parsed(w, ln, e);
}

int
wa_in_parsed(struct wa *w, const struct nd_line *ln, struct eb *e)
{
	const struct rec_member *shard, *seq;
	struct rec_span s = { NULL, 0 };
	struct ck_mark *mark;
	struct eb why;
	int64_t ts, sub = CK_SUB_WHOLE;
	int rc;

	w->parsed = 0;
	find_members(w);
	for (int k = 0; w->nsame && k < w->nwant; k++)
		if (w->want_same[k] >= 0)
			w->found[k] = w->found[w->want_same[k]];
	/* a taken lease's shard state, not a record */
	if (w->found[w->want_hand] != NULL)
		return wa_hand(w, ln, w->found[WA_WANT_SHARD],
		    w->found[w->want_hand], e);
	w->parsed = 1;
	note_columns(w);
	shard = w->found[WA_WANT_SHARD];
	seq = w->found[WA_WANT_SEQ];
	switch (replayed(w, shard, seq, w->found[WA_WANT_SUBSEQ], &mark, &s,
	    &sub, e)) {
	case -1:
		return -1;
	case PROV_REPLAY:
		w->stats.extra[w->s_replayed]++;
		return 0;
	case PROV_BAD:
		return bad_provenance(w, ln, e);
	}
	rc = event_time(w, w->found[WA_WANT_TIME], &ts, &why);
	if (rc == 1) {
		w->stats.extra[w->s_null_time]++;
	} else if (rc < 0) {
		char what[300];

		snprintf(what, sizeof(what), "field '%s': bad event time",
		    w->o->time_col);
		if (bad_record(w, ln, 1, what, why.msg, e) < 0)
			return -1;
	} else if ((rc = values(w, ln, e)) < 0) {
		return -1;
	} else if (rc == WA_REC_OK && count_record(w, shard, ts, e) != 0) {
		return -1;
	}
	if (mark)
		ck_mark_set(mark, s.p, s.n, sub);
	return 0;
}
