/* wa_sch and wa_sql's pure parts: values read as their --schema types,
 * Spark's order of FLOAT sums (a trigger's values from 0.0, then state +
 * batch) against the compensated sums, INT and BIGINT sums wrapping as
 * Java's long (worked out by hand), the typed values and their text;
 * SQLite's times and identifiers. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "window/wa.h"
#include "window/wa_sql.h"

static struct rec_member
number(const char *text)
{
	struct rec_member m;

	memset(&m, 0, sizeof(m));
	m.val = (struct rec_span){ text, strlen(text) };
	m.type = text[0] == '"' ? REC_STRING : REC_NUMBER;
	m.num_int = m.type == REC_NUMBER && strpbrk(text, ".eE") == NULL;
	return m;
}

START_TEST(test_read)
{
	struct rec_member m;
	double d;
	int64_t i;

	m = number("40999.54");
	ck_assert_int_eq(wa_sch_read(WA_T_FLOAT, &m, &d, &i), 0);
	ck_assert(d == 40999.5390625);
	ck_assert_int_eq(wa_sch_read(WA_T_DOUBLE, &m, &d, &i), 0);
	ck_assert(d == 40999.54);
	ck_assert_int_eq(wa_sch_read(WA_T_ANY, &m, &d, &i), 0);
	ck_assert(d == 40999.54);
	/* just above the midpoint of 1 and the next float, whose nearest
	 * double is the midpoint: straight to the float above 1 */
	m = number("1.000000059604644775390625000001");
	ck_assert_int_eq(wa_sch_read(WA_T_FLOAT, &m, &d, &i), 0);
	ck_assert(d == 1.00000011920928955078125);
	m = number("\"NaN\"");
	ck_assert_int_eq(wa_sch_read(WA_T_FLOAT, &m, &d, &i), 0);
	ck_assert(isnan(d));
	m = number("\"-Infinity\"");
	ck_assert_int_eq(wa_sch_read(WA_T_DOUBLE, &m, &d, &i), 0);
	ck_assert(d == -INFINITY);
	m = number("\"nan\"");
	ck_assert_int_eq(wa_sch_read(WA_T_FLOAT, &m, &d, &i), -1);
	ck_assert_int_eq(wa_sch_read(WA_T_ANY, &m, &d, &i), -1);
	m = number("2147483647");
	ck_assert_int_eq(wa_sch_read(WA_T_INT, &m, &d, &i), 0);
	ck_assert_int_eq(i, INT32_MAX);
	m = number("2147483648");
	ck_assert_int_eq(wa_sch_read(WA_T_INT, &m, &d, &i), -1);
	ck_assert_int_eq(wa_sch_read(WA_T_BIGINT, &m, &d, &i), 0);
	m = number("-9223372036854775808");
	ck_assert_int_eq(wa_sch_read(WA_T_BIGINT, &m, &d, &i), 0);
	ck_assert(i == INT64_MIN);
	m = number("1.0");
	ck_assert_int_eq(wa_sch_read(WA_T_INT, &m, &d, &i), -1);
	m = number("1e2");
	ck_assert_int_eq(wa_sch_read(WA_T_BIGINT, &m, &d, &i), -1);
	m = number("\"text\"");
	ck_assert_int_eq(wa_sch_read(WA_T_OTHER, &m, &d, &i), 0);
	ck_assert_int_eq(wa_sch_read(WA_T_INT, &m, &d, &i), -1);
}
END_TEST

/* 1e16 then 1, 1 in one trigger: Spark's batch sum is 1e16 (1e16 + 1
 * rounds back to 1e16), compensation keeps 1e16 + 2. Across triggers
 * the batch's own sum is added to the state's: 1 + 1 first is 2, and
 * 1e16 + 2 is exact. */
START_TEST(test_spark_order)
{
	struct agg_row *r;
	struct agg_table t;
	struct wa_opts o;
	struct wa w;

	memset(&o, 0, sizeof(o));
	memset(&w, 0, sizeof(w));
	o.ncols = 2;
	o.type[0] = WA_T_DOUBLE;
	o.type[1] = WA_T_ANY;
	w.o = &o;
	ck_assert_int_eq(agg_init(&t, 2), 0);
	w.tab = t;
	r = agg_get(&w.tab, 0, "", 0);
	r->batch = w.st.batch = 0;
	wa_sch_add(WA_T_DOUBLE, &r->cell[0], 1e16, 0);
	wa_sch_add(WA_T_DOUBLE, &r->cell[0], 1, 0);
	wa_sch_add(WA_T_DOUBLE, &r->cell[0], 1, 0);
	wa_sch_add(WA_T_ANY, &r->cell[1], 1e16, 0);
	wa_sch_add(WA_T_ANY, &r->cell[1], 1, 0);
	wa_sch_add(WA_T_ANY, &r->cell[1], 1, 0);
	wa_sch_fold(&w);
	ck_assert(agg_cell_sum(&r->cell[0]) == 1e16);
	ck_assert(r->cell[0].comp == 0);
	ck_assert(agg_cell_sum(&r->cell[1]) == 1e16 + 2);
	/* the next trigger: 1 and 1 from 0.0 make 2; state + 2 is exact */
	r->batch = w.st.batch = 1;
	wa_sch_add(WA_T_DOUBLE, &r->cell[0], 1, 0);
	wa_sch_add(WA_T_DOUBLE, &r->cell[0], 1, 0);
	wa_sch_fold(&w);
	ck_assert(agg_cell_sum(&r->cell[0]) == 1e16 + 2);
	ck_assert_int_eq(r->cell[0].n, 5);
	/* a row the trigger did not change is not folded again */
	w.st.batch = 2;
	r->cell[0].comp = 1;
	wa_sch_fold(&w);
	ck_assert(r->cell[0].comp == 1);
	agg_free(&w.tab);
}
END_TEST

/* NaN is above every number in Spark's min and max. */
START_TEST(test_nan_order)
{
	struct agg_cell c;

	memset(&c, 0, sizeof(c));
	wa_sch_add(WA_T_FLOAT, &c, 2, 0);
	wa_sch_add(WA_T_FLOAT, &c, NAN, 0);
	wa_sch_add(WA_T_FLOAT, &c, 1, 0);
	ck_assert(c.min == 1);
	ck_assert(isnan(c.max));
	memset(&c, 0, sizeof(c));
	wa_sch_add(WA_T_DOUBLE, &c, NAN, 0);
	wa_sch_add(WA_T_DOUBLE, &c, INFINITY, 0);
	ck_assert(c.min == INFINITY);
	ck_assert(isnan(c.max));
}
END_TEST

static int64_t
int_sum(const int64_t *v, int n)
{
	struct agg_cell c;

	memset(&c, 0, sizeof(c));
	for (int k = 0; k < n; k++)
		wa_sch_add(WA_T_BIGINT, &c, (double)v[k], v[k]);
	ck_assert_int_eq(c.n, n);
	return wa_sch_int_sum(&c);
}

START_TEST(test_long_sums)
{
	const int64_t big = INT64_C(1) << 62, odd = (INT64_C(1) << 53) + 1;
	const int64_t a[] = { odd, odd };
	const int64_t b[] = { big, big, big, big, 5 };
	const int64_t c[] = { INT64_MAX, 1 };
	const int64_t d[] = { INT64_MIN, -1, 3 };
	const int64_t e[] = { INT64_MAX, INT64_MAX, INT64_MAX, -7 };
	const int64_t f[] = { 1, 2, 3 };

	ck_assert(int_sum(a, 2) == (INT64_C(1) << 54) + 2);
	ck_assert(int_sum(b, 5) == 5);			/* 2^64 + 5 wraps */
	ck_assert(int_sum(c, 2) == INT64_MIN);		/* 2^63 wraps */
	ck_assert(int_sum(d, 3) == INT64_MIN + 2);	/* in range at the end */
	/* 3 (2^63 - 1) - 7 = 2^64 + 2^63 - 10: 2^63 - 10 modulo 2^64 */
	ck_assert(int_sum(e, 4) == INT64_MAX - 9);
	ck_assert(int_sum(f, 3) == 6);
}
END_TEST

START_TEST(test_values)
{
	struct wa_col col = { .fn = WA_MIN, .col = 0, .type = WA_T_FLOAT };
	struct agg_table t;
	struct agg_row *r;
	struct wa_val v;
	struct sb s = SB_INIT;

	ck_assert_int_eq(agg_init(&t, 1), 0);
	r = agg_get(&t, 0, "", 0);
	wa_sch_value(&col, r, &v);
	ck_assert_int_eq(v.kind, WA_V_NULL);
	wa_sch_add(WA_T_FLOAT, &r->cell[0], (double)40999.54f, 0);
	r->rows = 1;
	wa_sch_value(&col, r, &v);
	ck_assert_int_eq(v.kind, WA_V_FLOAT);
	wa_sch_put(&s, &v);
	ck_assert_str_eq(sb_cstr(&s), "40999.54");
	col.fn = WA_AVG;
	wa_sch_value(&col, r, &v);
	ck_assert_int_eq(v.kind, WA_V_DOUBLE);
	sb_reset(&s);
	wa_sch_put(&s, &v);
	ck_assert_str_eq(sb_cstr(&s), "40999.5390625");
	col.fn = WA_COUNT;
	col.col = -1;
	wa_sch_value(&col, r, &v);
	ck_assert_int_eq(v.kind, WA_V_INT);
	ck_assert_int_eq(v.i, 1);
	v = (struct wa_val){ WA_V_DOUBLE, 0, -INFINITY };
	sb_reset(&s);
	wa_sch_put(&s, &v);
	ck_assert_str_eq(sb_cstr(&s), "\"-Infinity\"");
	sb_free(&s);
	agg_free(&t);
}
END_TEST

static void
time_is(int64_t us, const char *want)
{
	char buf[WA_SQL_TIME_MAX];
	size_t n = wa_sql_time(us, buf);

	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq(n, strlen(want));
}

START_TEST(test_sql_time)
{
	time_is(0, "1970-01-01 00:00:00");
	time_is(1704067200000000, "2024-01-01 00:00:00");
	time_is(250000, "1970-01-01 00:00:00.250");
	time_is(1, "1970-01-01 00:00:00.000001");
	time_is(123400, "1970-01-01 00:00:00.123400");
	time_is(-1, "1969-12-31 23:59:59.999999");
	time_is(-62135596800000000, "0001-01-01 00:00:00");
}
END_TEST

START_TEST(test_sql_names)
{
	ck_assert(wa_sql_name_ok("bitcoin_window"));
	ck_assert(wa_sql_name_ok("_x9"));
	ck_assert(wa_sql_name_ok("Select"));
	ck_assert(!wa_sql_name_ok(""));
	ck_assert(!wa_sql_name_ok("9x"));
	ck_assert(!wa_sql_name_ok("a-b"));
	ck_assert(!wa_sql_name_ok("a b"));
	ck_assert(!wa_sql_name_ok("a\"b"));
	ck_assert(!wa_sql_name_ok("caf\xc3\xa9"));
	ck_assert(!wa_sql_name_ok("sqlite_stat1"));
	ck_assert(!wa_sql_name_ok("SQLITE_x"));
	ck_assert(!wa_sql_name_ok("kinpipe_window_avg"));
}
END_TEST

static Suite *
wa_sch_suite(void)
{
	Suite *s = suite_create("wa_sch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_spark_order);
	tcase_add_test(tc, test_nan_order);
	tcase_add_test(tc, test_long_sums);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_sql_time);
	tcase_add_test(tc, test_sql_names);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_sch_suite)
