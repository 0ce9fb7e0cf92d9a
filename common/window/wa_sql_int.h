/* wa_sql's two halves (see wa_sql.h): the database, its tables and
 * their agreement with the state on start (wa_sql.c); the statements that
 * write each trigger's rows in one transaction (wa_sql_put.c). Only they
 * include this. */
#ifndef KP_WA_SQL_INT_H
#define KP_WA_SQL_INT_H

#include <sqlite3.h>

#include "window/wa_sql.h"

enum {
	Q_BEGIN, Q_COMMIT, Q_DELETE_ALL, Q_DELETE_AFTER, Q_DELETE_KEY,
	Q_INSERT, Q_META_SET, Q_COUNT
};

struct wa_sql {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	int in_txn;
	struct sb desc;		/* what the query is, kept in the meta table */
	struct sb text;		/* a group value decoded */
};

/* "FILE: [what: ]SQLite's message"; returns -1. */
int wa_sql_fail(const struct wa *w, struct eb *e, const char *what);
/* name as a quoted SQL identifier. */
void wa_sql_quote(struct sb *s, const char *name);
/* The table's column i (0: start, 1: end, the keys, the aggregates):
 * its name and declared type; 0 past the last. */
int wa_sql_column(const struct wa_opts *o, int i, const char **name,
    const char **type);

/* Prepare w->sql->q for the table, which exists. */
int wa_sql_prepare(struct wa *w, struct eb *e);
/* Run statement q with its bindings to the end, then reset it. */
int wa_sql_run(struct wa *w, int q, struct eb *e);
/* Bind a time as SQLite's text. */
int wa_sql_bind_time(sqlite3_stmt *st, int i, int64_t us);
/* Insert rows; upsert first deletes each one's window and keys. */
int wa_sql_insert(struct wa *w, struct agg_row **rows, size_t n, int upsert,
    struct eb *e);

#endif
