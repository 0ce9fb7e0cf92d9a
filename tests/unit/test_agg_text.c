/* agg_text: the text kept of a table's rows must always be the text of
 * every row formatted afresh, whatever happened since the last build:
 * rows changed (late ones among them), made, forgotten, the table grown;
 * and the state file written from it must load back to the same rows. */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "test_rng.h"
#include "window/agg_text.h"
#include "window/st.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next(void)
{
	return test_rng_next(&rng);
}

static void
put(void *arg, struct sb *out, const struct agg_row *r)
{
	char buf[128];
	int n;

	(void)arg;
	n = snprintf(buf, sizeof(buf), "%" PRId64 "/%s:%" PRId64 ",%.17g;",
	    r->start, r->key, r->rows, agg_cell_sum(&r->cell[0]));
	sb_add(out, buf, (size_t)n);
}

/* What a build must give: every row formatted now. */
static void
fresh(struct agg_row *const *rows, size_t n, struct sb *out)
{
	sb_reset(out);
	for (size_t i = 0; i < n; i++)
		put(NULL, out, rows[i]);
}

static int
older_than(const struct agg_row *r, void *arg)
{
	return r->start < *(const int64_t *)arg;
}

/* One batch: rows changed (mostly the newest, now and then an old one),
 * new rows (mostly at the end), now and then the oldest forgotten. */
static void
one_batch(struct agg_table *t, uint64_t batch, int64_t *newest)
{
	int changes = (int)(next() % 20);
	char key[8];

	for (int i = 0; i < changes; i++) {
		int64_t start;
		struct agg_row *r;

		switch (next() % 10) {
		case 0:		/* late: an old window, maybe a new key */
			start = *newest - (int64_t)(next() % 200);
			break;
		case 1:
		case 2:		/* a new window */
			start = ++*newest;
			break;
		default:	/* the newest few */
			start = *newest - (int64_t)(next() % 3);
			break;
		}
		snprintf(key, sizeof(key), "k%d", (int)(next() % 3));
		r = agg_get(t, start, key, strlen(key));
		ck_assert_ptr_nonnull(r);
		r->rows++;
		r->batch = batch;
		agg_cell_add(&r->cell[0], (double)(next() % 1000) / 8);
	}
	if (next() % 25 == 0) {
		int64_t before = *newest - 150;

		agg_remove_if(t, older_than, &before);
	}
}

START_TEST(test_text_as_if_fresh)
{
	struct agg_table t;
	struct sb want = SB_INIT;
	int64_t newest = 1000;
	const struct sb *got;

	ck_assert_int_eq(agg_init(&t, 1), 0);
	for (uint64_t batch = 1; batch < 3000; batch++) {
		struct agg_row **sorted;
		size_t n;

		one_batch(&t, batch, &newest);
		/* now and then a batch with no build: the text must not
		 * depend on every batch being written */
		if (batch % 7 == 3)
			continue;
		/* in creation order, as the state writes them */
		got = agg_text_build(&t, 1, t.order, t.n, batch + 1, put, NULL);
		ck_assert_ptr_nonnull(got);
		fresh(t.order, t.n, &want);
		ck_assert_uint_eq(got->len, want.len);
		ck_assert_msg(memcmp(got->buf, want.buf, want.len) == 0,
		    "batch %" PRIu64 ": creation order text differs", batch);
		/* sorted, as --table writes them */
		ck_assert_int_eq(agg_sorted(&t, NULL, NULL, &sorted, &n), 0);
		got = agg_text_build(&t, 0, sorted, n, batch + 1, put, NULL);
		ck_assert_ptr_nonnull(got);
		fresh(sorted, n, &want);
		ck_assert_uint_eq(got->len, want.len);
		ck_assert_msg(memcmp(got->buf, want.buf, want.len) == 0,
		    "batch %" PRIu64 ": sorted text differs", batch);
		free(sorted);
	}
	sb_free(&want);
	agg_free(&t);
}
END_TEST

/* A build that reused most of its text did not format most rows. */
static int formatted;

static void
count_put(void *arg, struct sb *out, const struct agg_row *r)
{
	formatted++;
	put(arg, out, r);
}

START_TEST(test_only_changed_rows_formatted)
{
	struct agg_table t;
	struct agg_row *r;
	char key[16];

	ck_assert_int_eq(agg_init(&t, 1), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		r = agg_get(&t, i, key, strlen(key));
		r->batch = 0;
	}
	ck_assert_ptr_nonnull(agg_text_build(&t, 0, t.order, t.n, 1,
	    count_put, NULL));
	ck_assert_int_eq(formatted, 1000);
	/* batch 1 changes the last two rows and adds one */
	t.order[998]->batch = 1;
	t.order[999]->batch = 1;
	r = agg_get(&t, 1000, "k1000", 5);
	r->batch = 1;
	formatted = 0;
	ck_assert_ptr_nonnull(agg_text_build(&t, 0, t.order, t.n, 2,
	    count_put, NULL));
	ck_assert_int_eq(formatted, 3);
	/* nothing changed: nothing formatted */
	formatted = 0;
	ck_assert_ptr_nonnull(agg_text_build(&t, 0, t.order, t.n, 3,
	    count_put, NULL));
	ck_assert_int_eq(formatted, 0);
	agg_free(&t);
}
END_TEST

/* The state dumped with kept text, after many batches, loads back to the
 * very rows, and equals a dump with nothing kept. */
START_TEST(test_state_dump_kept)
{
	struct agg_table t, t2;
	struct ck_marks m, m2;
	struct st_state s = { "q", 0, ST_NONE, ST_NONE, &t, &m, NULL };
	struct st_state s2 = { "q", 0, ST_NONE, ST_NONE, &t2, &m2, NULL };
	struct sb kept = SB_INIT, afresh = SB_INIT;
	int64_t newest = 1000;
	struct eb e;

	ck_assert_int_eq(agg_init(&t, 1), 0);
	ck_assert_int_eq(ck_marks_init(&m), 0);
	for (uint64_t batch = 0; batch < 500; batch++) {
		one_batch(&t, batch, &newest);
		s.batch = batch + 1;
		sb_reset(&kept);
		st_dump(&s, &kept);
	}
	ck_assert(!sb_failed(&kept));
	t.text[ST_TEXT].batch = 0;	/* forget the kept text */
	st_dump(&s, &afresh);
	ck_assert_uint_eq(kept.len, afresh.len);
	ck_assert(memcmp(kept.buf, afresh.buf, kept.len) == 0);
	ck_assert_int_eq(agg_init(&t2, 1), 0);
	ck_assert_int_eq(ck_marks_init(&m2), 0);
	ck_assert_msg(st_load_text(kept.buf, kept.len, "state", &s2, &e) == 0,
	    "%s", e.msg);
	ck_assert_uint_eq(t2.n, t.n);
	for (size_t i = 0; i < t.n; i++) {
		const struct agg_row *a = t.order[i];
		const struct agg_row *b = agg_find(&t2, a->start, a->key,
		    a->keylen);

		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(b->rows, a->rows);
		ck_assert_uint_eq(b->batch, a->batch);
		ck_assert_int_eq(b->cell[0].n, a->cell[0].n);
		ck_assert(b->cell[0].sum == a->cell[0].sum &&
		    b->cell[0].comp == a->cell[0].comp &&
		    b->cell[0].min == a->cell[0].min &&
		    b->cell[0].max == a->cell[0].max);
	}
	sb_free(&kept);
	sb_free(&afresh);
	agg_free(&t);
	agg_free(&t2);
	ck_marks_free(&m);
	ck_marks_free(&m2);
}
END_TEST

static Suite *
agg_text_suite(void)
{
	Suite *s = suite_create("agg_text");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_text_as_if_fresh);
	tcase_add_test(tc, test_only_changed_rows_formatted);
	tcase_add_test(tc, test_state_dump_kept);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(agg_text_suite)
