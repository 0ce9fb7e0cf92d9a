/* agg: the windowed group-by table and its mergeable cells, and a cell's
 * JSON text (agg_cell), which the state file and partial rows share. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "window/agg.h"
#include "window/agg_cell.h"
#include "check_main.h"

START_TEST(test_get_find)
{
	struct agg_table t;
	struct agg_row *a, *b;

	ck_assert_int_eq(agg_init(&t, 2), 0);
	ck_assert_ptr_null(agg_find(&t, 0, "x", 1));
	a = agg_get(&t, 0, "x", 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(agg_get(&t, 0, "x", 1), a);
	b = agg_get(&t, 0, "y", 1);
	ck_assert_ptr_ne(a, b);
	ck_assert_ptr_ne(agg_get(&t, 1, "x", 1), a);
	/* keys are bytes, NULs and all */
	ck_assert_ptr_ne(agg_get(&t, 0, "x\0", 2), a);
	ck_assert_ptr_ne(agg_get(&t, 0, "", 0), a);
	ck_assert_int_eq(t.n, 5);
	ck_assert_ptr_eq(agg_find(&t, 0, "y", 1), b);
	ck_assert_int_eq(a->cell[1].n, 0);
	agg_free(&t);
}
END_TEST

static int
odd_start(const struct agg_row *r, void *arg)
{
	(void)arg;
	return r->start % 2 != 0;
}

/* Enough rows to grow the table many times, then half removed: every
 * survivor still found, every removed one gone. */
START_TEST(test_grow_and_remove)
{
	struct agg_table t;
	struct agg_row **v;
	size_t n;

	ck_assert_int_eq(agg_init(&t, 1), 0);
	for (int64_t i = 0; i < 100000; i++) {
		struct agg_row *r = agg_get(&t, i, "k", 1);

		ck_assert_ptr_nonnull(r);
		agg_cell_add(&r->cell[0], (double)i);
	}
	ck_assert_int_eq(t.n, 100000);
	ck_assert_int_eq(agg_remove_if(&t, odd_start, NULL), 50000);
	ck_assert_int_eq(t.n, 50000);
	for (int64_t i = 0; i < 100000; i++) {
		struct agg_row *r = agg_find(&t, i, "k", 1);

		if (i % 2)
			ck_assert_ptr_null(r);
		else
			ck_assert(r != NULL && r->cell[0].sum == (double)i);
	}
	ck_assert_int_eq(agg_sorted(&t, NULL, NULL, &v, &n), 0);
	ck_assert_int_eq(n, 50000);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(v[i]->start, (int64_t)(2 * i));
	free(v);
	agg_free(&t);
}
END_TEST

START_TEST(test_sorted_by_start_then_key)
{
	struct agg_table t;
	struct agg_row **v;
	size_t n;

	ck_assert_int_eq(agg_init(&t, 0), 0);
	agg_get(&t, 5, "b", 1);
	agg_get(&t, -5, "z", 1);
	agg_get(&t, 5, "a", 1);
	agg_get(&t, 5, "ab", 2);
	ck_assert_int_eq(agg_sorted(&t, NULL, NULL, &v, &n), 0);
	ck_assert_int_eq(n, 4);
	ck_assert(v[0]->start == -5 && strcmp(v[0]->key, "z") == 0);
	ck_assert_str_eq(v[1]->key, "a");
	ck_assert_str_eq(v[2]->key, "ab");
	ck_assert_str_eq(v[3]->key, "b");
	free(v);
	agg_free(&t);
}
END_TEST

/* Created in start order, the keys of one start in no order: the fast
 * path sorts only within each start. Then a row older than the rest
 * arrives last and the whole set is sorted; a filter keeps the order. */
START_TEST(test_sorted_in_creation_order)
{
	struct agg_table t;
	struct agg_row **v;
	size_t n;
	const char *want[] = { "a", "b", "c", "a", "b", "c" };

	ck_assert_int_eq(agg_init(&t, 0), 0);
	for (int64_t s = 0; s < 2; s++) {
		agg_get(&t, s * 10, "c", 1);
		agg_get(&t, s * 10, "a", 1);
		agg_get(&t, s * 10, "b", 1);
	}
	ck_assert_int_eq(agg_sorted(&t, NULL, NULL, &v, &n), 0);
	ck_assert_int_eq(n, 6);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(v[i]->start, i < 3 ? 0 : 10);
		ck_assert_str_eq(v[i]->key, want[i]);
	}
	free(v);
	agg_get(&t, -10, "z", 1);
	ck_assert_int_eq(agg_sorted(&t, odd_start, NULL, &v, &n), 0);
	ck_assert_int_eq(n, 0);
	free(v);
	ck_assert_int_eq(agg_sorted(&t, NULL, NULL, &v, &n), 0);
	ck_assert_int_eq(n, 7);
	ck_assert(v[0]->start == -10 && strcmp(v[0]->key, "z") == 0);
	for (size_t i = 1; i < n; i++) {
		ck_assert_int_eq(v[i]->start, i < 4 ? 0 : 10);
		ck_assert_str_eq(v[i]->key, want[i - 1]);
	}
	free(v);
	agg_free(&t);
}
END_TEST

/* Nearly in order with keys, as records a little out of order create
 * them, and fully reversed: every row once, sorted by start then key. */
START_TEST(test_sorted_disorder)
{
	struct agg_table t;
	struct agg_row **v;
	size_t n;
	unsigned seed = 7;

	for (int reversed = 0; reversed < 2; reversed++) {
		ck_assert_int_eq(agg_init(&t, 0), 0);
		for (int i = 0; i < 20000; i++) {
			int64_t s = reversed ? -i : i / 3;
			char key[2] = { (char)('a' + (i * 7) % 3), 0 };

			seed = seed * 1103515245 + 12345;
			if (!reversed && (seed >> 16) % 100 == 0)
				s -= (seed >> 8) % 50;	/* a late record */
			agg_get(&t, s, key, 1);
		}
		ck_assert_int_eq(agg_sorted(&t, NULL, NULL, &v, &n), 0);
		ck_assert_int_eq(n, t.n);
		for (size_t i = 1; i < n; i++)
			ck_assert(v[i - 1]->start < v[i]->start ||
			    (v[i - 1]->start == v[i]->start &&
			    strcmp(v[i - 1]->key, v[i]->key) < 0));
		free(v);
		agg_free(&t);
	}
}
END_TEST

START_TEST(test_cell_min_max_count)
{
	struct agg_cell c = { 0 };

	agg_cell_add(&c, 3);
	agg_cell_add(&c, -1.5);
	agg_cell_add(&c, 2);
	ck_assert_int_eq(c.n, 3);
	ck_assert(c.min == -1.5 && c.max == 3);
	ck_assert(agg_cell_sum(&c) == 3.5);
}
END_TEST

/* 0.1 ten million times: a plain running sum drifts to
 * 999999.9998389754; the compensated one is the double nearest 1e6. */
START_TEST(test_compensated_sum)
{
	struct agg_cell c = { 0 };
	double plain = 0;

	for (int i = 0; i < 10000000; i++) {
		agg_cell_add(&c, 0.1);
		plain += 0.1;
	}
	ck_assert(plain != 1e6);
	ck_assert(agg_cell_sum(&c) == 1e6);
	/* cancellation: 1e100 + 1 - 1e100 */
	memset(&c, 0, sizeof(c));
	agg_cell_add(&c, 1e100);
	agg_cell_add(&c, 1.0);
	agg_cell_add(&c, -1e100);
	ck_assert(agg_cell_sum(&c) == 1.0);
}
END_TEST

/* Merging partial cells in any grouping gives what one cell saw. */
START_TEST(test_merge)
{
	struct agg_cell all = { 0 }, part[4] = { { 0 } }, m = { 0 }, m2 = { 0 };
	struct agg_cell empty = { 0 };

	for (int i = 0; i < 100000; i++) {
		double v = 40000 + (i % 977) * 0.0123;

		agg_cell_add(&all, v);
		agg_cell_add(&part[i % 4], v);
	}
	for (int i = 0; i < 4; i++)
		agg_cell_merge(&m, &part[i]);
	for (int i = 3; i >= 0; i--)
		agg_cell_merge(&m2, &part[i]);
	agg_cell_merge(&m2, &empty);
	ck_assert_int_eq(m.n, all.n);
	ck_assert(m.min == all.min && m.max == all.max);
	ck_assert(agg_cell_sum(&m) == agg_cell_sum(&all));
	ck_assert(agg_cell_sum(&m2) == agg_cell_sum(&all));
	ck_assert_int_eq(m2.n, 100000);
}
END_TEST

static const char *
cell_text(const struct agg_cell *c)
{
	static char buf[256];
	struct sb s = SB_INIT;

	agg_cell_put(&s, c);
	ck_assert(!sb_failed(&s));
	snprintf(buf, sizeof(buf), "%s", sb_cstr(&s));
	sb_free(&s);
	return buf;
}

/* Same bits, except that any NaN equals any NaN. */
static int
same(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

/* Read the text back through jansson, as the state file and --merge do. */
static int
cell_back(const char *text, struct agg_cell *c)
{
	json_t *v = json_loads(text, 0, NULL);
	int rc;

	ck_assert_ptr_nonnull(v);
	rc = agg_cell_get(v, c);
	json_decref(v);
	return rc;
}

START_TEST(test_cell_text)
{
	struct agg_cell c = { 2, 0.1, 1e-17, -0.5, 3 }, empty = { 0, 0, 0, 7, 9 };
	struct agg_cell big = { 0 }, inf = { 0 }, back;

	ck_assert_str_eq(cell_text(&c), "[2,0.1,1e-17,-0.5,3]");
	/* no values: min and max mean nothing and are written as 0 */
	ck_assert_str_eq(cell_text(&empty), "[0,0,0,0,0]");
	/* 1e308 twice overflows the sum to +inf, and Neumaier's step then
	 * takes (1e308 - inf) + 1e308 = -inf into the compensation */
	agg_cell_add(&big, 1e308);
	agg_cell_add(&big, 1e308);
	ck_assert_str_eq(cell_text(&big),
	    "[2,\"Infinity\",\"-Infinity\",1e+308,1e+308]");
	/* an infinite value: inf - inf makes the compensation NaN */
	agg_cell_add(&inf, INFINITY);
	ck_assert_str_eq(cell_text(&inf),
	    "[1,\"Infinity\",\"NaN\",\"Infinity\",\"Infinity\"]");
	ck_assert_int_eq(cell_back(cell_text(&c), &back), 0);
	ck_assert(back.n == 2 && same(back.sum, 0.1) && same(back.comp, 1e-17) &&
	    same(back.min, -0.5) && same(back.max, 3));
	ck_assert_int_eq(cell_back(cell_text(&big), &back), 0);
	ck_assert(back.n == 2 && same(back.sum, big.sum) &&
	    same(back.comp, big.comp) && same(back.min, 1e308) &&
	    same(back.max, 1e308));
	ck_assert_int_eq(cell_back(cell_text(&inf), &back), 0);
	ck_assert(back.n == 1 && back.sum == INFINITY && isnan(back.comp) &&
	    back.min == INFINITY && back.max == INFINITY);
	ck_assert_int_eq(cell_back("[1,\"-Infinity\",0,\"-Infinity\",2]",
	    &back), 0);
	ck_assert(back.sum == -INFINITY && back.min == -INFINITY &&
	    back.max == 2);
}
END_TEST

/* What --merge does with a shard's cell read back: the same as with the
 * cell itself. One shard saw only +inf, the other a 5: the minimum is 5
 * and the count 2 (a null in the text would have lost both). */
START_TEST(test_cell_merge_read_back)
{
	struct agg_cell a = { 0 }, b = { 0 }, ra, m = { 0 }, want = { 0 };

	agg_cell_add(&a, INFINITY);
	agg_cell_add(&b, 5);
	ck_assert_int_eq(cell_back(cell_text(&a), &ra), 0);
	agg_cell_merge(&m, &ra);
	agg_cell_merge(&m, &b);
	agg_cell_merge(&want, &a);
	agg_cell_merge(&want, &b);
	ck_assert_int_eq(m.n, 2);
	ck_assert(m.min == 5 && m.max == INFINITY);
	ck_assert(m.n == want.n && same(m.sum, want.sum) &&
	    same(m.comp, want.comp) && same(m.min, want.min) &&
	    same(m.max, want.max));
}
END_TEST

START_TEST(test_cell_refused)
{
	static const char *const bad[] = {
		"[1,null,0,1,1]",		/* what partials used to write */
		"[1,\"inf\",0,1,1]", "[1,\"Infinity \",0,1,1]",
		"[1,\"infinity\",0,1,1]", "[1,1,0,1]", "[1,1,0,1,1,1]",
		"[1.0,1,0,1,1]", "[\"1\",1,0,1,1]", "{\"n\":1}", "[]",
		"[1,true,0,1,1]",
	};
	struct agg_cell c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(cell_back(bad[i], &c) == -1, "%s", bad[i]);
}
END_TEST

static Suite *
agg_suite(void)
{
	Suite *s = suite_create("agg");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_get_find);
	tcase_add_test(tc, test_grow_and_remove);
	tcase_add_test(tc, test_sorted_by_start_then_key);
	tcase_add_test(tc, test_sorted_in_creation_order);
	tcase_add_test(tc, test_sorted_disorder);
	tcase_add_test(tc, test_cell_min_max_count);
	tcase_add_test(tc, test_compensated_sum);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_cell_text);
	tcase_add_test(tc, test_cell_merge_read_back);
	tcase_add_test(tc, test_cell_refused);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(agg_suite)
