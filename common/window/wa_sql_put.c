#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "json/rec.h"
#include "json/sc.h"
#include "time/tm.h"
#include "window/wa_out.h"
#include "window/wa_sql_int.h"

size_t
wa_sql_time(int64_t us, char buf[WA_SQL_TIME_MAX])
{
	char t[TM_RFC3339_MAX];
	size_t n = tm_fmt_rfc3339(us, t), dot, digits;

	/* "...THH:MM:SS[.f]Z": a space for the T, no Z, and the fraction as
	 * milliseconds when it is whole ones (SQLite's own %f), else as
	 * microseconds, so that text order stays time order */
	memcpy(buf, t, n - 1);
	n--;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == 'T')
			buf[i] = ' ';
	for (dot = 0; dot < n && buf[dot] != '.'; dot++)
		;
	if (dot < n) {
		digits = n - dot - 1;
		memset(buf + n, '0', (digits <= 3 ? 3 : 6) - digits);
		n = dot + 1 + (digits <= 3 ? 3 : 6);
	}
	buf[n] = '\0';
	return n;
}

int
wa_sql_prepare(struct wa *w, struct eb *e)
{
	const struct wa_opts *o = w->o;
	struct sb s[Q_COUNT];
	const char *name, *type;
	int i, rc = 0, n;

	for (i = 0; i < Q_COUNT; i++)
		s[i] = (struct sb)SB_INIT;
	sb_adds(&s[Q_BEGIN], "BEGIN IMMEDIATE");
	sb_adds(&s[Q_COMMIT], "COMMIT");
	sb_adds(&s[Q_DELETE_ALL], "DELETE FROM ");
	wa_sql_quote(&s[Q_DELETE_ALL], o->query_name);
	sb_adds(&s[Q_DELETE_AFTER], "DELETE FROM ");
	wa_sql_quote(&s[Q_DELETE_AFTER], o->query_name);
	sb_adds(&s[Q_DELETE_AFTER], " WHERE \"end\" > ?1");
	/* IS, not =: a null group key is a key like any other */
	sb_adds(&s[Q_DELETE_KEY], "DELETE FROM ");
	wa_sql_quote(&s[Q_DELETE_KEY], o->query_name);
	sb_adds(&s[Q_DELETE_KEY], " WHERE \"start\" = ?1 AND \"end\" = ?2");
	for (int g = 0; g < o->ngroup; g++) {
		sb_adds(&s[Q_DELETE_KEY], " AND ");
		wa_sql_quote(&s[Q_DELETE_KEY], o->group[g]);
		sb_printf(&s[Q_DELETE_KEY], " IS ?%d", g + 3);
	}
	sb_adds(&s[Q_INSERT], "INSERT INTO ");
	wa_sql_quote(&s[Q_INSERT], o->query_name);
	sb_adds(&s[Q_INSERT], " (");
	for (n = 0; wa_sql_column(o, n, &name, &type); n++) {
		if (n)
			sb_adds(&s[Q_INSERT], ", ");
		wa_sql_quote(&s[Q_INSERT], name);
	}
	sb_adds(&s[Q_INSERT], ") VALUES (");
	for (i = 0; i < n; i++)
		sb_printf(&s[Q_INSERT], "%s?%d", i ? ", " : "", i + 1);
	sb_addc(&s[Q_INSERT], ')');
	sb_adds(&s[Q_META_SET], "INSERT OR REPLACE INTO " WA_SQL_META
	    " (query_name, batch, query) VALUES (?1, ?2, ?3)");
	for (i = 0; i < Q_COUNT && rc == 0; i++) {
		if (sb_failed(&s[i]))
			rc = eb_set(e, "out of memory");
		else if (sqlite3_prepare_v3(w->sql->db, sb_cstr(&s[i]), -1,
		    SQLITE_PREPARE_PERSISTENT, &w->sql->q[i], NULL) != SQLITE_OK)
			rc = wa_sql_fail(w, e, NULL);
	}
	for (i = 0; i < Q_COUNT; i++)
		sb_free(&s[i]);
	return rc;
}

/* Run a prepared statement with its bindings to the end. */
int
wa_sql_run(struct wa *w, int q, struct eb *e)
{
	sqlite3_stmt *st = w->sql->q[q];
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		wa_sql_fail(w, e, NULL);
		sqlite3_reset(st);
		return -1;
	}
	if (sqlite3_reset(st) != SQLITE_OK || sqlite3_clear_bindings(st) !=
	    SQLITE_OK)
		return wa_sql_fail(w, e, NULL);
	return 0;
}

int
wa_sql_bind_time(sqlite3_stmt *st, int i, int64_t us)
{
	char buf[WA_SQL_TIME_MAX];
	size_t n = wa_sql_time(us, buf);

	return sqlite3_bind_text(st, i, buf, (int)n, SQLITE_TRANSIENT);
}

/* One group value from its canonical JSON text: strings as TEXT, whole
 * numbers as INTEGER, others as REAL, true and false as 1 and 0, objects
 * and arrays as their JSON text. */
static int
bind_key(struct wa *w, sqlite3_stmt *st, int i, const char *p, size_t n)
{
	struct rec_span v = { p, n };
	int64_t iv;

	switch (p[0]) {
	case 'n':
		return sqlite3_bind_null(st, i);
	case 't':
	case 'f':
		return sqlite3_bind_int(st, i, p[0] == 't');
	case '"':
		sb_reset(&w->sql->text);
		rec_string_decode(v, &w->sql->text);
		if (sb_failed(&w->sql->text))
			return SQLITE_NOMEM;
		return sqlite3_bind_text(st, i, w->sql->text.buf ?
		    w->sql->text.buf : "", (int)w->sql->text.len,
		    SQLITE_TRANSIENT);
	case '{':
	case '[':
		return sqlite3_bind_text(st, i, p, (int)n, SQLITE_TRANSIENT);
	default:
		if (memchr(p, '.', n) == NULL && memchr(p, 'e', n) == NULL &&
		    memchr(p, 'E', n) == NULL && rec_int64(v, &iv) == 0)
			return sqlite3_bind_int64(st, i, iv);
		return sqlite3_bind_double(st, i, rec_number(v));
	}
}

/* A FLOAT's shortest text read back as a double: 40999.54, not the
 * float's exact 40999.5390625. */
static double
float_text(double d)
{
	char buf[JX_NUM_MAX];

	buf[jx_fmt_float((float)d, buf)] = '\0';
	return strtod(buf, NULL);
}

/* Bind ?1 start, ?2 end, then the group keys, then (with values) the
 * aggregates. */
static int
bind_row(struct wa *w, sqlite3_stmt *st, const struct agg_row *r,
    int values, struct eb *e)
{
	const char *p = wa_out_key_groups(w, r);
	int i = 1, rc;

	rc = wa_sql_bind_time(st, i++, r->start);
	if (rc == SQLITE_OK)
		rc = wa_sql_bind_time(st, i++, r->start + w->win_size);
	for (int g = 0; rc == SQLITE_OK && g < w->o->ngroup; g++) {
		const char *end = strchr(p, WA_KEY_SEP);

		rc = bind_key(w, st, i++, p, (size_t)(end - p));
		p = end + 1;
	}
	for (int k = 0; values && rc == SQLITE_OK && k < w->o->nout; k++) {
		struct wa_val v;

		wa_sch_value(&w->o->out[k], r, &v);
		if (v.kind == WA_V_NULL)
			rc = sqlite3_bind_null(st, i++);
		else if (v.kind == WA_V_INT)
			rc = sqlite3_bind_int64(st, i++, v.i);
		else if (v.kind == WA_V_FLOAT && isfinite(v.d))
			/* the number the JSON table shows for the float */
			rc = sqlite3_bind_double(st, i++, float_text(v.d));
		else
			rc = sqlite3_bind_double(st, i++, v.d);
	}
	return rc == SQLITE_OK ? 0 : wa_sql_fail(w, e, "bind");
}

static int
begin(struct wa *w, struct eb *e)
{
	if (w->sql->in_txn)
		return 0;
	if (wa_sql_run(w, Q_BEGIN, e) != 0)
		return -1;
	w->sql->in_txn = 1;
	return 0;
}

int
wa_sql_insert(struct wa *w, struct agg_row **rows, size_t n, int upsert,
    struct eb *e)
{
	for (size_t i = 0; i < n; i++) {
		if (upsert && (bind_row(w, w->sql->q[Q_DELETE_KEY], rows[i], 0,
		    e) != 0 || wa_sql_run(w, Q_DELETE_KEY, e) != 0))
			return -1;
		if (bind_row(w, w->sql->q[Q_INSERT], rows[i], 1, e) != 0 ||
		    wa_sql_run(w, Q_INSERT, e) != 0)
			return -1;
	}
	return 0;
}

int
wa_sql_rows(struct wa *w, struct agg_row **rows, size_t n, struct eb *e)
{
	if (begin(w, e) != 0)
		return -1;
	switch (w->o->mode) {
	case WA_COMPLETE:
		if (wa_sql_run(w, Q_DELETE_ALL, e) != 0)
			return -1;
		return wa_sql_insert(w, rows, n, 0, e);
	case WA_UPDATE:
		return wa_sql_insert(w, rows, n, 1, e);
	case WA_APPEND:
		return wa_sql_insert(w, rows, n, 0, e);
	}
	return 0;
}

int
wa_sql_commit(struct wa *w, struct eb *e)
{
	sqlite3_stmt *st = w->sql->q[Q_META_SET];

	if (begin(w, e) != 0)
		return -1;
	if (sqlite3_bind_text(st, 1, w->o->query_name, -1, SQLITE_STATIC) !=
	    SQLITE_OK || sqlite3_bind_int64(st, 2, (sqlite3_int64)w->st.batch)
	    != SQLITE_OK || sqlite3_bind_text(st, 3, sb_cstr(&w->sql->desc),
	    (int)w->sql->desc.len, SQLITE_STATIC) != SQLITE_OK)
		return wa_sql_fail(w, e, "bind");
	if (wa_sql_run(w, Q_META_SET, e) != 0 || wa_sql_run(w, Q_COMMIT, e) != 0)
		return -1;
	w->sql->in_txn = 0;
	return 0;
}
