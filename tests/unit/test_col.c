/* col: the columns a command line names. A name given twice is one
 * column; the end of input fails only for a column no record had, and
 * never when no record was an object. (The messages go to stderr; the
 * end-to-end tests check their text.) */
#include <check.h>

#include "check_main.h"
#include "base/col.h"

START_TEST(test_add_dedup)
{
	struct col_set c = { .n = 0 };

	ck_assert_int_eq(col_add(&c, "--avg", "v"), 0);
	ck_assert_int_eq(col_add(&c, "--time", "t"), 1);
	ck_assert_int_eq(col_add(&c, "--max", "v"), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_str_eq(c.opt[0], "--avg");
}
END_TEST

START_TEST(test_full)
{
	static char buf[COL_MAX][8];
	struct col_set c = { .n = 0 };
	int i;

	for (i = 0; i < COL_MAX; i++) {
		buf[i][0] = 'c';
		buf[i][1] = (char)('0' + i / 100);
		buf[i][2] = (char)('0' + i / 10 % 10);
		buf[i][3] = (char)('0' + i % 10);
		ck_assert_int_eq(col_add(&c, "--keep", buf[i]), i);
	}
	ck_assert_int_eq(col_add(&c, "--keep", "one-more"), -1);
}
END_TEST

START_TEST(test_end)
{
	struct col_set c = { .n = 0 };

	col_add(&c, "--field", "data");
	col_add(&c, "--keep", "k");
	/* no record was an object: nothing to judge by */
	ck_assert_int_eq(col_end(&c, 3), 0);
	c.any = 1;
	ck_assert_int_eq(col_end(&c, 3), 1);
	c.seen[0] = 1;
	ck_assert_int_eq(col_end(&c, 3), 1);
	c.seen[1] = 1;
	ck_assert_int_eq(col_end(&c, 3), 0);
}
END_TEST

START_TEST(test_batch_end_once)
{
	struct col_set c = { .n = 0 };

	col_add(&c, "--field", "data");
	col_batch_end(&c, 0);
	ck_assert_int_eq(c.warned[0], 0);
	c.any = 1;
	col_batch_end(&c, 2);
	ck_assert_int_eq(c.warned[0], 1);
	col_batch_end(&c, 4);
	ck_assert_int_eq(c.warned[0], 1);
	/* a later record with it: no typo after all */
	c.seen[0] = 1;
	ck_assert_int_eq(col_end(&c, 5), 0);
}
END_TEST

static Suite *
col_suite(void)
{
	Suite *s = suite_create("col");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_add_dedup);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_end);
	tcase_add_test(tc, test_batch_end_once);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(col_suite)
