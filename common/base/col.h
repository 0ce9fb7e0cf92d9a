/* col: the columns a command line names (--field, --keep, --time, --avg
 * and the other aggregates, --group-by, --partition-key-field). Spark
 * stops a query that names a column its input lacks with an analysis
 * error; a stream has no schema up front, so a typo would give all-null
 * or empty output and exit 0. Instead a column that no record has had is
 * said once, at the end of the first batch without it, and input that
 * ends without it is a failure (kinpipe(7)). A column some records lack
 * is fine: one record with it is enough. */
#ifndef KP_COL_H
#define KP_COL_H

#include <stdint.h>

#define COL_MAX 128

struct col_set {
	const char *opt[COL_MAX];	/* the option that named it */
	const char *name[COL_MAX];
	/* set by the stage when a record has the column: a store per
	 * record, read once per batch */
	unsigned char seen[COL_MAX];
	unsigned char warned[COL_MAX];
	int n;
	/* set by the stage when a record was a JSON object: lines that are
	 * not objects have no columns, and input of nothing else names no
	 * typo */
	unsigned char any;
};

/* Name a column; returns its index in seen[] (a name given twice, say by
 * --avg v and --max v, is one column), -1 when the set is full. */
int col_add(struct col_set *c, const char *opt, const char *name);
/* At the end of a batch, read records in so far: a warning, once, for
 * each column none of them had. Nothing until a record was an object. */
void col_batch_end(struct col_set *c, uint64_t read);
/* At the end of input: an error line for each column no record had; 1
 * when there was one (the tool exits 1), else 0. An empty input, or one
 * without a JSON object, names no typo: 0. */
int col_end(const struct col_set *c, uint64_t read);

#endif
