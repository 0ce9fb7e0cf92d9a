#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "window/wa_sql_int.h"

/* Readers are told to wait this long too (window-avg(1)). */
#define BUSY_MS 5000
#define NAME_MAX_LEN 128

static const char *const fn_name[] = {
	[WA_AVG] = "avg", [WA_COUNT] = "count", [WA_SUM] = "sum",
	[WA_MIN] = "min", [WA_MAX] = "max",
};

int
wa_sql_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN || (name[0] >= '0' && name[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return strncasecmp(name, "sqlite_", 7) != 0 &&
	    strcasecmp(name, WA_SQL_META) != 0;
}

/* SQLite compares column names ignoring ASCII case. */
static int
clash(const char **names, int n, struct eb *e)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (strcasecmp(names[i], names[j]) == 0)
				return eb_set(e, "--sqlite: two columns named "
				    "'%s' and '%s' (SQLite's names ignore case)",
				    names[j], names[i]);
	return 0;
}

int
wa_sql_check_opts(const struct wa_opts *o, struct eb *e)
{
	const char *names[2 + WA_MAX_GROUP + WA_MAX_OUT];
	int n = 0;

	if (o->query_name && !o->sqlite)
		return eb_set(e, "--query-name only applies with --sqlite");
	if (o->sqlite == NULL)
		return 0;
	if (o->query_name == NULL)
		return eb_set(e, "--sqlite FILE needs --query-name NAME, the "
		    "table's name");
	if (!wa_sql_name_ok(o->query_name))
		return eb_set(e, "--query-name: '%s' is not an SQL identifier "
		    "(letters, digits and _, not first a digit, at most %d, "
		    "not sqlite_... or " WA_SQL_META ")", o->query_name,
		    NAME_MAX_LEN);
	if (o->partials)
		return eb_set(e, "--sqlite and --emit partials do not go "
		    "together");
	names[n++] = "start";
	names[n++] = "end";
	for (int g = 0; g < o->ngroup; g++)
		names[n++] = o->group[g];
	for (int i = 0; i < o->nout; i++)
		names[n++] = o->out[i].alias;
	return clash(names, n, e);
}

int
wa_sql_fail(const struct wa *w, struct eb *e, const char *what)
{
	const char *why = w->sql && w->sql->db ? sqlite3_errmsg(w->sql->db) :
	    "out of memory";

	if (what)
		return eb_set(e, "%s: %s: %s", w->o->sqlite, what, why);
	return eb_set(e, "%s: %s", w->o->sqlite, why);
}

void
wa_sql_quote(struct sb *s, const char *name)
{
	sb_addc(s, '"');
	for (; *name; name++) {
		if (*name == '"')
			sb_addc(s, '"');
		sb_addc(s, *name);
	}
	sb_addc(s, '"');
}

/* The declared type of aggregate c: what its values are. */
static const char *
decl_type(const struct wa_col *c)
{
	if (c->fn == WA_COUNT)
		return "INTEGER";
	if (c->fn != WA_AVG && wa_sch_integral(c->type))
		return "INTEGER";
	return "REAL";
}

/* The columns, as CREATE TABLE lists them and pragma_table_info reads
 * them back: name and declared type. */
int
wa_sql_column(const struct wa_opts *o, int i, const char **name,
    const char **type)
{
	if (i == 0 || i == 1) {
		*name = i == 0 ? "start" : "end";
		*type = "TEXT";
		return 1;
	}
	i -= 2;
	if (i < o->ngroup) {
		*name = o->group[i];
		*type = "";
		return 1;
	}
	i -= o->ngroup;
	if (i < o->nout) {
		*name = o->out[i].alias;
		*type = decl_type(&o->out[i]);
		return 1;
	}
	return 0;
}

static int
exec(struct wa *w, const char *sql, struct eb *e)
{
	if (sqlite3_exec(w->sql->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return wa_sql_fail(w, e, NULL);
	return 0;
}

/* Run the statement built in s (out of memory: said so), then free s. */
static int
exec_built(struct wa *w, struct sb *s, struct eb *e)
{
	int rc = sb_failed(s) ? eb_set(e, "out of memory") :
	    exec(w, sb_cstr(s), e);

	sb_free(s);
	return rc;
}

static int
create_table(struct wa *w, struct eb *e)
{
	const struct wa_opts *o = w->o;
	struct sb s = SB_INIT;
	const char *name, *type;

	sb_adds(&s, "CREATE TABLE ");
	wa_sql_quote(&s, o->query_name);
	sb_adds(&s, " (");
	for (int i = 0; wa_sql_column(o, i, &name, &type); i++) {
		if (i)
			sb_adds(&s, ", ");
		wa_sql_quote(&s, name);
		if (*type)
			sb_printf(&s, " %s", type);
		if (i < 2)
			sb_adds(&s, " NOT NULL");
	}
	sb_adds(&s, ")");
	return exec_built(w, &s, e);
}

/* The index on start (also for a table taken over without one). */
static int
index_start(struct wa *w, struct eb *e)
{
	struct sb s = SB_INIT;

	sb_printf(&s, "CREATE INDEX IF NOT EXISTS \"%s_start\" ON ",
	    w->o->query_name);
	wa_sql_quote(&s, w->o->query_name);
	sb_adds(&s, " (\"start\")");
	return exec_built(w, &s, e);
}

/* An existing table must have exactly our columns: a table of the same
 * name holding something else is not ours to change. */
static int
check_table(struct wa *w, struct eb *e)
{
	const struct wa_opts *o = w->o;
	sqlite3_stmt *st;
	struct sb have = SB_INIT;
	const char *name, *type;
	int i = 0, same = 1, rc;

	if (sqlite3_prepare_v2(w->sql->db, "SELECT name, type FROM "
	    "pragma_table_info(?1) ORDER BY cid", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, o->query_name, -1, SQLITE_STATIC) !=
	    SQLITE_OK) {
		sqlite3_finalize(st);
		return wa_sql_fail(w, e, NULL);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);

		if (n == NULL || t == NULL)
			break;
		sb_printf(&have, "%s%s%s%s", i ? ", " : "", n, *t ? " " : "",
		    t);
		if (!wa_sql_column(o, i, &name, &type) || strcmp(n, name) != 0 ||
		    strcasecmp(t, type) != 0)
			same = 0;
		i++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		sb_free(&have);
		return wa_sql_fail(w, e, NULL);
	}
	sqlite3_finalize(st);
	if (wa_sql_column(o, i, &name, &type))
		same = 0;
	if (!same)
		eb_set(e, "%s: table %s exists with other columns (%s): drop it "
		    "or choose another --query-name", o->sqlite, o->query_name,
		    sb_cstr(&have));
	sb_free(&have);
	return same ? 0 : -1;
}

/* The table, created when absent; anything else of that name refused. */
static int
ensure_table(struct wa *w, struct eb *e)
{
	sqlite3_stmt *st;
	const char *type = NULL;
	int rc;

	if (sqlite3_prepare_v2(w->sql->db, "SELECT type FROM sqlite_schema "
	    "WHERE lower(name) = lower(?1)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, w->o->query_name, -1, SQLITE_STATIC) !=
	    SQLITE_OK) {
		sqlite3_finalize(st);
		return wa_sql_fail(w, e, NULL);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		type = (const char *)sqlite3_column_text(st, 0);
	if (rc == SQLITE_ROW && (type == NULL || strcmp(type, "table") != 0)) {
		eb_set(e, "%s: %s is %s %s, not a table", w->o->sqlite,
		    w->o->query_name, type && strchr("aeiou", type[0]) ?
		    "an" : "a", type ? type : "?");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return wa_sql_fail(w, e, NULL);
	if ((rc == SQLITE_ROW ? check_table(w, e) : create_table(w, e)) != 0)
		return -1;
	return index_start(w, e);
}

/* What the table holds depends on: the query (the state's description),
 * the mode and the aggregates. Not the state file's path, which a
 * restart from another directory may spell differently. */
static void
describe(struct wa *w)
{
	const struct wa_opts *o = w->o;
	struct sb *d = &w->sql->desc;

	sb_add(d, o->query.buf, o->query.len);
	sb_printf(d, " mode=%s aggregates=", o->mode == WA_COMPLETE ?
	    "complete" : o->mode == WA_UPDATE ? "update" : "append");
	for (int i = 0; i < o->nout; i++)
		sb_printf(d, "%s%s(%s)", i ? "," : "", fn_name[o->out[i].fn],
		    o->out[i].col < 0 ? "*" : o->cols[o->out[i].col]);
}

/* The batch and description the table was last committed with; *batch
 * is -1 when it has none. */
static int
meta_get(struct wa *w, int64_t *batch, struct sb *desc, struct eb *e)
{
	sqlite3_stmt *st;
	int rc;

	*batch = -1;
	if (sqlite3_prepare_v2(w->sql->db, "SELECT batch, query FROM "
	    WA_SQL_META " WHERE query_name = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, w->o->query_name, -1, SQLITE_STATIC) !=
	    SQLITE_OK) {
		sqlite3_finalize(st);
		return wa_sql_fail(w, e, NULL);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*batch = sqlite3_column_int64(st, 0);
		if (sqlite3_column_text(st, 1))
			sb_adds(desc, (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return wa_sql_fail(w, e, NULL);
	return sb_failed(desc) ? eb_set(e, "out of memory") : 0;
}

/* Make the table what the state says it is. The rows a trigger after the
 * state's wrote are those of windows the state's watermark had not yet
 * passed (a later trigger cannot reopen a passed window), and the
 * state's own rows are all such windows: so delete those windows, then
 * write the state's rows. Windows the watermark passed stay as written,
 * final: update mode's last values, append mode's rows. */
static int
rebuild(struct wa *w, int same_query, struct eb *e)
{
	struct agg_row **rows;
	size_t n;
	int rc;

	if (w->o->mode == WA_COMPLETE || !same_query ||
	    w->st.wm_ms == ST_NONE) {
		rc = wa_sql_run(w, Q_DELETE_ALL, e);
	} else {
		rc = wa_sql_bind_time(w->sql->q[Q_DELETE_AFTER], 1,
		    w->st.wm_ms * 1000) == SQLITE_OK ? 0 : wa_sql_fail(w, e, "bind");
		if (rc == 0)
			rc = wa_sql_run(w, Q_DELETE_AFTER, e);
	}
	if (rc != 0 || w->o->mode == WA_APPEND)
		return rc;
	if (agg_sorted(&w->tab, NULL, NULL, &rows, &n) != 0)
		return eb_set(e, "out of memory");
	rc = wa_sql_insert(w, rows, n, 0, e);
	free(rows);
	return rc;
}

static int
reconcile(struct wa *w, struct eb *e)
{
	struct sb had = SB_INIT;
	int64_t batch;
	int same;

	if (meta_get(w, &batch, &had, e) != 0) {
		sb_free(&had);
		return -1;
	}
	same = batch >= 0 && strcmp(sb_cstr(&had), sb_cstr(&w->sql->desc)) == 0;
	sb_free(&had);
	/* without a state file a run starts from nothing, as the table */
	if (w->o->state == NULL)
		return wa_sql_run(w, Q_DELETE_ALL, e);
	if (same && (uint64_t)batch == w->st.batch)
		return 0;
	return rebuild(w, same, e);
}

/* PRAGMA journal_mode answers with the mode it is in. */
static int
wal_mode(struct wa *w, struct eb *e)
{
	sqlite3_stmt *st;
	const char *mode;
	int ok;

	if (sqlite3_prepare_v2(w->sql->db, "PRAGMA journal_mode = WAL", -1,
	    &st, NULL) != SQLITE_OK)
		return wa_sql_fail(w, e, NULL);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return wa_sql_fail(w, e, NULL);
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	ok = mode && strcmp(mode, "wal") == 0;
	if (!ok)
		eb_set(e, "%s: cannot use WAL mode (journal mode is %s)",
		    w->o->sqlite, mode ? mode : "unknown");
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

int
wa_sql_open(struct wa *w, struct eb *e)
{
	struct wa_sql *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return eb_set(e, "out of memory");
	w->sql = q;
	q->desc = (struct sb)SB_INIT;
	q->text = (struct sb)SB_INIT;
	describe(w);
	if (sb_failed(&q->desc))
		return eb_set(e, "out of memory");
	if (sqlite3_open_v2(w->o->sqlite, &q->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return wa_sql_fail(w, e, NULL);
	/* a commit is on disk before the state file says it happened:
	 * FULL syncs the WAL at every commit */
	if (sqlite3_busy_timeout(q->db, BUSY_MS) != SQLITE_OK ||
	    wal_mode(w, e) != 0 ||
	    exec(w, "PRAGMA synchronous = FULL", e) != 0 ||
	    exec(w, "BEGIN IMMEDIATE", e) != 0)
		return -1;
	q->in_txn = 1;
	if (exec(w, "CREATE TABLE IF NOT EXISTS " WA_SQL_META " ("
	    "query_name TEXT PRIMARY KEY, batch INTEGER NOT NULL, "
	    "query TEXT NOT NULL)", e) != 0 ||
	    ensure_table(w, e) != 0 || wa_sql_prepare(w, e) != 0 ||
	    reconcile(w, e) != 0)
		return -1;
	return wa_sql_commit(w, e);
}

void
wa_sql_close(struct wa *w)
{
	struct wa_sql *q = w->sql;

	if (q == NULL)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(q->q[i]);
	/* an open transaction (a failed trigger) is rolled back */
	sqlite3_close_v2(q->db);
	sb_free(&q->desc);
	sb_free(&q->text);
	free(q);
	w->sql = NULL;
}
