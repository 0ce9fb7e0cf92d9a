/* wa_sql: window-avg's result table in SQLite (--sqlite FILE --query-name
 * NAME), what Spark's memory sink keeps under queryName, for any SQL
 * client to query while the stream runs:
 *
 *   CREATE TABLE "NAME" ("start" TEXT NOT NULL, "end" TEXT NOT NULL,
 *       "<group key>", ..., "<aggregate alias>" REAL|INTEGER, ...);
 *   CREATE INDEX "NAME_start" ON "NAME" ("start");
 *
 * Times are SQLite's own text, 'YYYY-MM-DD HH:MM:SS' in UTC, with
 * '.SSS' or '.SSSSSS' when the bound has a fraction of a second, so that
 * text order is time order and datetime('now', ...) compares correctly.
 *
 * The database is in WAL mode, and each trigger's changes are one
 * transaction (complete: every row replaced; update: the changed windows
 * upserted; append: each final window inserted once), so a reader always
 * sees the whole table of some trigger. The table kinpipe_window_avg
 * keeps, per query name, the state's batch number and what the query is,
 * written in the same transaction, before the state file is saved: on
 * start, a table whose batch or query differs from the state's was
 * written by a trigger the state never committed (a crash in between),
 * and is rebuilt from the state. */
#ifndef KP_WA_SQL_H
#define KP_WA_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "window/wa.h"

#define WA_SQL_META "kinpipe_window_avg"
/* 'YYYY-MM-DD HH:MM:SS.ffffff' and more for years past 9999 */
#define WA_SQL_TIME_MAX 48

/* The option checks: --sqlite and --query-name together, NAME an SQL
 * identifier, the table's columns distinct as SQLite compares names. */
int wa_sql_check_opts(const struct wa_opts *o, struct eb *e);
/* 1 when name is [A-Za-z_][A-Za-z0-9_]*, at most 128 bytes, and not
 * reserved by SQLite (sqlite_...) or by us. */
int wa_sql_name_ok(const char *name);
/* The time as SQLite's text (see above); returns its length. */
size_t wa_sql_time(int64_t us, char buf[WA_SQL_TIME_MAX]);

/* Open w->o->sqlite into w->sql: WAL mode, the tables created or checked,
 * then made to agree with the state just loaded (w->st). */
int wa_sql_open(struct wa *w, struct eb *e);
/* The rows a trigger emits, as its mode writes them, inside the trigger's
 * transaction (begun by the first call). */
int wa_sql_rows(struct wa *w, struct agg_row **rows, size_t n, struct eb *e);
/* End the trigger: its batch number into the meta table, commit. Call
 * before the state is saved. */
int wa_sql_commit(struct wa *w, struct eb *e);
void wa_sql_close(struct wa *w);

#endif
