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

struct agg_cell {
	int64_t n;		/* non-null values seen */
	double sum, comp;	/* the sum is sum + comp */
	double min, max;	/* meaningful when n > 0 */
};

struct agg_row {
	int64_t start;		/* window start, microseconds */
	int64_t rows;		/* (record, window) pairs: count(*) */
	uint64_t batch;		/* last batch that changed the row */
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

static inline void
agg_cell_add(struct agg_cell *c, double v)
{
	double t = c->sum + v;

	/* Neumaier's variant of Kahan summation: the low-order bits lost in
	 * t are recovered whichever operand is larger */
	if (fabs(c->sum) >= fabs(v))
		c->comp += (c->sum - t) + v;
	else
		c->comp += (v - t) + c->sum;
	c->sum = t;
	if (c->n == 0 || v < c->min)
		c->min = v;
	if (c->n == 0 || v > c->max)
		c->max = v;
	c->n++;
}

/* Fold src into dst as if dst had seen src's values too. */
void agg_cell_merge(struct agg_cell *dst, const struct agg_cell *src);

static inline double
agg_cell_sum(const struct agg_cell *c)
{
	return c->sum + c->comp;
}

#endif
