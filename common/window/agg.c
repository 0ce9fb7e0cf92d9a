#include <stdlib.h>
#include <string.h>

#include "window/agg.h"

#define AGG_MIN_CAP 64

static uint32_t
agg_hash(int64_t start, const char *key, size_t keylen)
{
	/* FNV-1a over the key, then a 64-bit finaliser (murmur3's fmix64)
	 * over that and the start: starts differ only in a few middle bits */
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < keylen; i++)
		h = (h ^ (unsigned char)key[i]) * UINT64_C(1099511628211);
	h ^= (uint64_t)start * UINT64_C(0x9e3779b97f4a7c15);
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32_t)h;
}

int
agg_init(struct agg_table *t, int ncols)
{
	t->cap = AGG_MIN_CAP;
	t->n = 0;
	t->ncols = ncols;
	t->slot = calloc(t->cap, sizeof(*t->slot));
	t->ordcap = AGG_MIN_CAP / 2;
	t->order = malloc(t->ordcap * sizeof(*t->order));
	memset(t->text, 0, sizeof(t->text));
	if (t->slot == NULL || t->order == NULL) {
		free(t->slot);
		free(t->order);
		t->slot = NULL;
		t->order = NULL;
		t->cap = t->ordcap = 0;
		return -1;
	}
	return 0;
}

static void
row_free(struct agg_row *r)
{
	free(r->tag);
	free(r);
}

void
agg_free(struct agg_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		row_free(t->order[i]);
	free(t->slot);
	free(t->order);
	for (int i = 0; i < AGG_TEXTS; i++)
		sb_free(&t->text[i].buf);
	t->slot = NULL;
	t->order = NULL;
	t->n = t->cap = t->ordcap = 0;
}

static int
matches(const struct agg_row *r, uint32_t h, int64_t start, const char *key,
    size_t keylen)
{
	return r->hash == h && r->start == start && r->keylen == keylen &&
	    memcmp(r->key, key, keylen) == 0;
}

struct agg_row *
agg_find(const struct agg_table *t, int64_t start, const char *key,
    size_t keylen)
{
	uint32_t h = agg_hash(start, key, keylen);
	size_t mask = t->cap - 1;

	for (size_t i = h & mask; t->slot[i]; i = (i + 1) & mask)
		if (matches(t->slot[i], h, start, key, keylen))
			return t->slot[i];
	return NULL;
}

static int
grow(struct agg_table *t)
{
	size_t ncap = t->cap * 2, mask = ncap - 1;
	struct agg_row **ns, **no;

	/* the order array holds at most cap / 2 rows, as the table does */
	if ((no = realloc(t->order, ncap / 2 * sizeof(*no))) == NULL)
		return -1;
	t->order = no;
	t->ordcap = ncap / 2;
	if ((ns = calloc(ncap, sizeof(*ns))) == NULL)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		struct agg_row *r = t->slot[i];
		size_t j;

		if (r == NULL)
			continue;
		for (j = r->hash & mask; ns[j]; j = (j + 1) & mask)
			;
		ns[j] = r;
	}
	free(t->slot);
	t->slot = ns;
	t->cap = ncap;
	return 0;
}

struct agg_row *
agg_get(struct agg_table *t, int64_t start, const char *key, size_t keylen)
{
	uint32_t h = agg_hash(start, key, keylen);
	size_t mask = t->cap - 1, i, cells;
	struct agg_row *r;

	for (i = h & mask; t->slot[i]; i = (i + 1) & mask)
		if (matches(t->slot[i], h, start, key, keylen))
			return t->slot[i];
	if (keylen > UINT32_MAX)
		return NULL;
	/* keep the load under 1/2: linear probing degrades past that */
	if ((t->n + 1) * 2 > t->cap) {
		if (grow(t) != 0)
			return NULL;
		mask = t->cap - 1;
		for (i = h & mask; t->slot[i]; i = (i + 1) & mask)
			;
	}
	/* one allocation: the row, its cells, then its key */
	cells = (size_t)t->ncols * sizeof(struct agg_cell);
	r = malloc(sizeof(*r) + cells + keylen + 1);
	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r) + cells);
	r->key = (char *)r->cell + cells;
	memcpy(r->key, key, keylen);
	r->key[keylen] = '\0';
	r->keylen = (uint32_t)keylen;
	r->hash = h;
	r->start = start;
	t->slot[i] = r;
	t->order[t->n++] = r;
	return r;
}

size_t
agg_remove_if(struct agg_table *t, int (*drop)(const struct agg_row *, void *),
    void *arg)
{
	size_t nkeep = 0, mask = t->cap - 1, removed;

	/* Deleting in place from a linear-probing table needs backward
	 * shifting per hole; rebuilding once from the creation order, which
	 * stays in order, is simpler and O(n) too. */
	for (size_t i = 0; i < t->n; i++) {
		struct agg_row *r = t->order[i];

		if (drop(r, arg))
			row_free(r);
		else
			t->order[nkeep++] = r;
	}
	removed = t->n - nkeep;
	if (removed == 0)
		return 0;
	memset(t->slot, 0, t->cap * sizeof(*t->slot));
	for (size_t i = 0; i < nkeep; i++) {
		size_t j;

		for (j = t->order[i]->hash & mask; t->slot[j]; j = (j + 1) & mask)
			;
		t->slot[j] = t->order[i];
	}
	t->n = nkeep;
	return removed;
}

/* Sorting pairs of (start, row) compares most pairs without touching the
 * rows, which are scattered over the heap. */
struct sort_ent {
	int64_t start;
	struct agg_row *r;
};

static int
ent_cmp(const void *a, const void *b)
{
	const struct sort_ent *x = a, *y = b;
	size_t n;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	n = x->r->keylen < y->r->keylen ? x->r->keylen : y->r->keylen;
	c = memcmp(x->r->key, y->r->key, n);
	if (c != 0)
		return c;
	return (x->r->keylen > y->r->keylen) - (x->r->keylen < y->r->keylen);
}

static int
start_cmp(const void *a, const void *b)
{
	const struct sort_ent *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Rows come nearly in start order (the first record's windows, late
 * records opening an old window): the entries below the running maximum
 * are set aside, sorted alone and merged back, O(n + k log k) for k of
 * them. Then only the keys within each start need sorting (nothing when
 * there are no group keys). -1 on out of memory. */
static int
sort_entries(struct sort_ent *e, size_t n)
{
	struct sort_ent *side, *out;
	size_t i, j, k, nmain = 0, nside = 0, run;

	for (i = 1; i < n && e[i].start >= e[i - 1].start; i++)
		;
	if (i < n) {
		if ((side = malloc(2 * n * sizeof(*side))) == NULL)
			return -1;
		out = side + n;
		for (i = 0; i < n; i++) {
			if (nmain > 0 && e[i].start < e[nmain - 1].start)
				side[nside++] = e[i];
			else
				e[nmain++] = e[i];
		}
		qsort(side, nside, sizeof(*side), start_cmp);
		for (i = j = k = 0; k < n; k++)
			out[k] = j == nside || (i < nmain &&
			    e[i].start <= side[j].start) ? e[i++] : side[j++];
		memcpy(e, out, n * sizeof(*e));
		free(side);
	}
	for (i = 0; i < n; i = run) {
		for (run = i + 1; run < n && e[run].start == e[i].start; run++)
			;
		if (run - i > 1)
			qsort(e + i, run - i, sizeof(*e), ent_cmp);
	}
	return 0;
}

int
agg_sorted(const struct agg_table *t,
    int (*keep)(const struct agg_row *, void *), void *arg,
    struct agg_row ***out, size_t *n)
{
	size_t cap = t->n ? t->n : 1, k = 0;
	struct sort_ent *e = malloc(cap * sizeof(*e));
	struct agg_row **v = malloc(cap * sizeof(*v));

	*out = NULL;
	*n = 0;
	if (e == NULL || v == NULL) {
		free(e);
		free(v);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++)
		if (keep == NULL || keep(t->order[i], arg)) {
			e[k].start = t->order[i]->start;
			e[k++].r = t->order[i];
		}
	if (sort_entries(e, k) != 0) {
		free(e);
		free(v);
		return -1;
	}
	for (size_t i = 0; i < k; i++)
		v[i] = e[i].r;
	free(e);
	*out = v;
	*n = k;
	return 0;
}

void
agg_cell_merge(struct agg_cell *dst, const struct agg_cell *src)
{
	struct agg_cell c;

	if (src->n == 0)
		return;
	if (dst->n == 0) {
		*dst = *src;
		return;
	}
	/* add src's sum and compensation as two values through the same
	 * compensated step, keeping dst's count, min and max right */
	c = *dst;
	agg_cell_add(&c, src->sum);
	agg_cell_add(&c, src->comp);
	dst->sum = c.sum;
	dst->comp = c.comp;
	dst->n += src->n;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}
