/* jx: shortest round-trip numbers, string escaping, jansson serialisation. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json/jx.h"

static const struct {
	double d;
	const char *text;
} nums[] = {
	{ 0.1, "0.1" },			/* jansson alone: 0.10000000000000001 */
	{ 41234.5, "41234.5" },
	{ 5000, "5000" },
	{ -0.25, "-0.25" },
	{ 1e21, "1e+21" },
	{ 1.0 / 3.0, "0.3333333333333333" },	/* 16 digits needed */
	{ 5e-324, "5e-324" },		/* subnormal: few digits */
	{ 0.1 + 0.2, "0.30000000000000004" },	/* 17 digits needed */
	{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	{ 39995.3891, "39995.3891" },
};

START_TEST(test_double)
{
	char buf[JX_NUM_MAX];

	jx_fmt_double(nums[_i].d, buf);
	ck_assert_str_eq(buf, nums[_i].text);
	ck_assert(strtod(buf, NULL) == nums[_i].d);
}
END_TEST

START_TEST(test_double_round_trips)
{
	char buf[JX_NUM_MAX];
	unsigned seed = 12345;

	/* random bit patterns: whatever is printed must read back exactly */
	for (int i = 0; i < 100000; i++) {
		uint64_t bits = 0;
		double d;

		for (int k = 0; k < 4; k++)
			bits = (bits << 16) ^ (uint64_t)(rand_r(&seed) & 0xffff);
		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d)) {
			ck_assert_int_eq(jx_fmt_double(d, buf), 0);
			continue;
		}
		jx_fmt_double(d, buf);
		ck_assert(strtod(buf, NULL) == d);
	}
}
END_TEST

START_TEST(test_float)
{
	char buf[JX_NUM_MAX];

	/* 41234.5678 as a 32-bit float is 41234.566406..., whose shortest
	 * float text is 41234.566 (Java's Float.toString gives the same) */
	jx_fmt_float(41234.5678f, buf);
	ck_assert_str_eq(buf, "41234.566");
	jx_fmt_float(0.1f, buf);
	ck_assert_str_eq(buf, "0.1");
}
END_TEST

START_TEST(test_string_escape)
{
	struct sb s = SB_INIT;

	jx_put_string(&s, "a\"b\\c\n\x01\0\x7f\xc3\xa9", 11);
	ck_assert_str_eq(sb_cstr(&s), "\"a\\\"b\\\\c\\n\\u0001\\u0000\x7f\xc3\xa9\"");
	sb_free(&s);
}
END_TEST

START_TEST(test_dump)
{
	json_t *v = json_pack("{s:f,s:i,s:[b,n],s:s,s:{}}", "rate", 0.1, "n", 42,
	    "a", 1, "s", "x\ty", "o");
	char *text = jx_dumps(v);

	ck_assert_str_eq(text, "{\"rate\":0.1,\"n\":42,\"a\":[true,null],\"s\":\"x\\ty\",\"o\":{}}");
	free(text);
	json_decref(v);
	v = json_real(NAN);
	ck_assert_ptr_null(v);	/* jansson refuses NaN; jx_put_double prints null */
}
END_TEST

START_TEST(test_nan_is_null)
{
	struct sb s = SB_INIT;

	jx_put_double(&s, NAN);
	jx_put_double(&s, INFINITY);
	ck_assert_str_eq(sb_cstr(&s), "nullnull");
	sb_free(&s);
}
END_TEST

START_TEST(test_load_errors)
{
	struct eb e;
	json_t *v = jx_load_text("{\"a\":1,\"a\":2}", 13, "state", &e);

	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(strstr(e.msg, "state: duplicate object key"));
	ck_assert_ptr_null(jx_load_file("/nonexistent/x.json", &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/x.json"));
}
END_TEST

static Suite *
jx_suite(void)
{
	Suite *s = suite_create("jx");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_double, 0, sizeof(nums) / sizeof(nums[0]));
	tcase_add_test(tc, test_double_round_trips);
	tcase_add_test(tc, test_float);
	tcase_add_test(tc, test_string_escape);
	tcase_add_test(tc, test_dump);
	tcase_add_test(tc, test_nan_is_null);
	tcase_add_test(tc, test_load_errors);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(jx_suite)
