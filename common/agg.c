#include <stdlib.h>
#include <string.h>

#include "agg.h"

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
	return t->slot ? 0 : -1;
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
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i])
			row_free(t->slot[i]);
	free(t->slot);
	t->slot = NULL;
	t->n = t->cap = 0;
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
	struct agg_row **ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
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
	t->n++;
	return r;
}

size_t
agg_remove_if(struct agg_table *t, int (*drop)(const struct agg_row *, void *),
    void *arg)
{
	size_t removed = 0, mask = t->cap - 1;
	struct agg_row **keep;
	size_t nkeep = 0;

	/* Deleting in place from a linear-probing table needs backward
	 * shifting per hole; rebuilding once is simpler and O(n) too. */
	keep = malloc((t->n ? t->n : 1) * sizeof(*keep));
	if (keep == NULL) {
		/* still correct, just slower: drop and rehash one by one */
		for (size_t i = 0; i < t->cap; i++) {
			struct agg_row *r = t->slot[i];

			if (r == NULL || !drop(r, arg))
				continue;
			t->slot[i] = NULL;
			t->n--;
			removed++;
			row_free(r);
			for (size_t j = (i + 1) & mask; t->slot[j]; j = (j + 1) & mask) {
				struct agg_row *m = t->slot[j];
				size_t k;

				t->slot[j] = NULL;
				for (k = m->hash & mask; t->slot[k]; k = (k + 1) & mask)
					;
				t->slot[k] = m;
			}
			i = (size_t)-1;	/* entries may have moved behind us */
		}
		return removed;
	}
	for (size_t i = 0; i < t->cap; i++) {
		struct agg_row *r = t->slot[i];

		if (r == NULL)
			continue;
		t->slot[i] = NULL;
		if (drop(r, arg)) {
			row_free(r);
			removed++;
		} else {
			keep[nkeep++] = r;
		}
	}
	for (size_t i = 0; i < nkeep; i++) {
		size_t j;

		for (j = keep[i]->hash & mask; t->slot[j]; j = (j + 1) & mask)
			;
		t->slot[j] = keep[i];
	}
	t->n = nkeep;
	free(keep);
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
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i] && (keep == NULL || keep(t->slot[i], arg))) {
			e[k].start = t->slot[i]->start;
			e[k++].r = t->slot[i];
		}
	qsort(e, k, sizeof(*e), ent_cmp);
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
