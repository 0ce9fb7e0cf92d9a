/* agg: the aggregation state of a windowed group-by. One row per (window
 * start, group key), the key being opaque bytes the caller builds; each
 * row holds, per value column, what every supported aggregate needs and
 * what merges: the count of non-null values, their sum, min and max. The
 * sum is compensated (Neumaier), so that an average over millions of
 * values, or merged from partial sums in any order, is correctly rounded
 * in all but pathological cases, where a plain running sum would drift. */
#ifndef KP_AGG_H
#define KP_AGG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sb.h"

struct agg_cell {
	int64_t n;		/* non-null values seen */
	double sum, comp;	/* the sum is sum + comp */
	double min, max;	/* meaningful when n > 0 */
};

/* Texts a table keeps of its rows between writes (agg_text.h). */
#define AGG_TEXTS 2

struct agg_row {
	int64_t start;		/* window start, microseconds */
	int64_t rows;		/* (record, window) pairs: count(*) */
	uint64_t batch;		/* last batch that changed the row */
	struct {
		size_t at, len;	/* where the row's text is in the table's
				   text[i]; len 0: nowhere */
	} text[AGG_TEXTS];
	uint32_t hash;
	uint32_t keylen;
	char *key;		/* a NUL-terminated copy of the caller's key
				   bytes, inside the row's allocation */
	char *tag;		/* optional caller data (malloc'd), freed with
				   the row: window-avg --merge keeps the
				   sequenceNumber a partial row was taken at */
	int64_t tag_sub;	/* and its subSequenceNumber (CK_SUB_WHOLE) */
	struct agg_cell cell[];	/* one per value column */
};

struct agg_table {
	struct agg_row **slot;	/* open addressing, linear probing */
	size_t cap;		/* a power of two */
	size_t n;
	int ncols;
	/* the rows in the order they were created: records come nearly in
	 * time order, so this is nearly always the order of window starts
	 * already, and agg_sorted then need not sort */
	struct agg_row **order;
	size_t ordcap;
	/* the text of the rows as last written, kept so that a row that did
	 * not change is not formatted again (agg_text.h) */
	struct agg_text {
		struct sb buf;
		uint64_t batch;	/* rows changed in this batch or later are
				   not in buf as they are now */
	} text[AGG_TEXTS];
};

int agg_init(struct agg_table *t, int ncols);	/* -1 on out of memory */
void agg_free(struct agg_table *t);

/* The row for (start, key), created empty when absent; NULL only when
 * memory runs out. */
struct agg_row *agg_get(struct agg_table *t, int64_t start, const char *key,
    size_t keylen);
/* The row or NULL, never creating one. */
struct agg_row *agg_find(const struct agg_table *t, int64_t start,
    const char *key, size_t keylen);

/* Remove every row for which drop(row, arg) is true; returns how many. */
size_t agg_remove_if(struct agg_table *t,
    int (*drop)(const struct agg_row *, void *), void *arg);

/* The rows for which keep(row, arg) is true (every row when keep is NULL),
 * sorted by window start then key bytes, in a malloc'd array the caller
 * frees; *out is NULL and -1 is returned on out of memory. Rows created in
 * start order cost one pass, with only each start's keys sorted. */
int agg_sorted(const struct agg_table *t,
    int (*keep)(const struct agg_row *, void *), void *arg,
    struct agg_row ***out, size_t *n);

/* v into the cell's sum alone, by Neumaier's variant of Kahan
 * summation: the low-order bits lost in the sum are recovered in comp
 * whichever operand is larger. */
static inline void
agg_cell_sum_add(struct agg_cell *c, double v)
{
	double t = c->sum + v;

	if (fabs(c->sum) >= fabs(v))
		c->comp += (c->sum - t) + v;
	else
		c->comp += (v - t) + c->sum;
	c->sum = t;
}

static inline void
agg_cell_add(struct agg_cell *c, double v)
{
	agg_cell_sum_add(c, v);
	if (c->n == 0 || v < c->min)
		c->min = v;
	if (c->n == 0 || v > c->max)
		c->max = v;
	c->n++;
}

/* Fold src into dst as if dst had seen src's values too. */
void agg_cell_merge(struct agg_cell *dst, const struct agg_cell *src);

/* An infinite sum (an Infinity among the values, or an overflow) makes
 * the compensation an infinity of the other sign or NaN: the sum alone
 * is then the answer, as plain summation and Spark give it. */
static inline double
agg_cell_sum(const struct agg_cell *c)
{
	return isfinite(c->sum) ? c->sum + c->comp : c->sum;
}

#endif
