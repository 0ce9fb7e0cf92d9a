#include <check.h>
#include <jansson.h>
#include <string.h>

#include "check_main.h"
#include "wallet/wl_amount.h"

static int64_t
parse_ok(const char *s)
{
	struct eb e;
	int64_t v = -1;

	ck_assert_msg(wl_amount_parse(s, strlen(s), &v, &e) == 0, "%s: %s", s, e.msg);
	return v;
}

static const char *
parse_bad(const char *s, size_t n)
{
	static struct eb e;
	int64_t v = -7;

	ck_assert_int_eq(wl_amount_parse(s, n, &v, &e), -1);
	ck_assert_int_eq(v, -7);
	return e.msg;
}

START_TEST(good_amounts)
{
	ck_assert_int_eq(parse_ok("0.5"), 50000000);
	ck_assert_int_eq(parse_ok("1"), 100000000);
	ck_assert_int_eq(parse_ok("0.00000001"), 1);
	ck_assert_int_eq(parse_ok("00.10"), 10000000);
	ck_assert_int_eq(parse_ok("21000000"), 2100000000000000LL);
	ck_assert_int_eq(parse_ok("12.34567891"), 1234567891);
}
END_TEST

START_TEST(bad_amounts)
{
	ck_assert_str_eq(parse_bad("1e5", 3), "bad amount '1e5': not a plain decimal number");
	ck_assert_str_eq(parse_bad("0", 1), "bad amount '0': not positive");
	ck_assert_str_eq(parse_bad("0.000000001", 11), "bad amount '0.000000001': more than 8 decimals");
	ck_assert_str_eq(parse_bad("", 0), "bad amount '': empty");
	ck_assert_str_eq(parse_bad("1.", 2), "bad amount '1.': no digits after '.'");
	ck_assert_str_eq(parse_bad(".5", 2), "bad amount '.5': not a plain decimal number");
	ck_assert_str_eq(parse_bad("21000000.00000001", 17), "bad amount '21000000.00000001': too large");
	ck_assert_str_eq(parse_bad("99999999999999999999999", 23), "bad amount '99999999999999999999999': too large");
	ck_assert_str_eq(parse_bad("1\0002", 3), "bad amount '1?2': not a plain decimal number");
	ck_assert_str_eq(parse_bad("\xff", 1), "bad amount '?': not a plain decimal number");
	parse_bad("-1", 2);
	parse_bad("+1", 2);
	parse_bad("0x10", 4);
	parse_bad("inf", 3);
	parse_bad("nan", 3);
	parse_bad(" 1", 2);
	parse_bad("1 ", 2);
	ck_assert_str_eq(parse_bad("11111111111111111111111111111111111111111111111111", 50),
	    "bad amount '1111111111111111111111111111111111111111...': too large");
}
END_TEST

START_TEST(json_amounts)
{
	struct eb e;
	int64_t v;
	json_t *j;

	j = json_real(1e-5);
	ck_assert_int_eq(wl_amount_from_json(j, &v, &e), 0);
	ck_assert_int_eq(v, 1000);
	json_decref(j);
	j = json_real(0.1);	/* the double nearest 0.1 is read as 0.1 */
	ck_assert_int_eq(wl_amount_from_json(j, &v, &e), 0);
	ck_assert_int_eq(v, 10000000);
	json_decref(j);
	j = json_integer(2);
	ck_assert_int_eq(wl_amount_from_json(j, &v, &e), 0);
	ck_assert_int_eq(v, 200000000);
	json_decref(j);
	j = json_string("0.25");
	ck_assert_int_eq(wl_amount_from_json(j, &v, &e), 0);
	ck_assert_int_eq(v, 25000000);
	json_decref(j);
	j = json_real(1e-9);
	ck_assert_int_eq(wl_amount_from_json(j, &v, &e), -1);
	ck_assert_str_eq(e.msg, "bad amount '0.000000001': more than 8 decimals");
	json_decref(j);
	j = json_real(-1);
	ck_assert_int_eq(wl_amount_from_json(j, &v, &e), -1);
	ck_assert_str_eq(e.msg, "bad amount '-1': not positive");
	json_decref(j);
	j = json_true();
	ck_assert_int_eq(wl_amount_from_json(j, &v, &e), -1);
	ck_assert_str_eq(e.msg, "bad amount: not a number");
	json_decref(j);
	j = json_real(1e300);
	ck_assert_int_eq(wl_amount_from_json(j, &v, &e), -1);
	json_decref(j);
}
END_TEST

START_TEST(fixed_format)
{
	char buf[WL_FIXED_MAX];

	ck_assert_uint_eq(wl_fixed_fmt(50000000, 8, buf), 3);
	ck_assert_str_eq(buf, "0.5");
	wl_fixed_fmt(500000, 2, buf);
	ck_assert_str_eq(buf, "5000");
	wl_fixed_fmt(1, 8, buf);
	ck_assert_str_eq(buf, "0.00000001");
	wl_fixed_fmt(-2500000, 8, buf);
	ck_assert_str_eq(buf, "-0.025");
	wl_fixed_fmt(-400000, 2, buf);
	ck_assert_str_eq(buf, "-4000");
	wl_fixed_fmt(0, 2, buf);
	ck_assert_str_eq(buf, "0");
	wl_fixed_fmt(499999, 2, buf);
	ck_assert_str_eq(buf, "4999.99");
}
END_TEST

START_TEST(plain_decimals)
{
	char buf[64];

	ck_assert_int_eq(wl_plain_decimal(1e-5, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "0.00001");
	wl_plain_decimal(2.5e10, buf, sizeof(buf));
	ck_assert_str_eq(buf, "25000000000");
	wl_plain_decimal(9012.5, buf, sizeof(buf));
	ck_assert_str_eq(buf, "9012.5");
	ck_assert_int_eq(wl_plain_decimal(-1, buf, sizeof(buf)), -1);
}
END_TEST

static Suite *
wl_amount_suite(void)
{
	Suite *s = suite_create("wl_amount");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, good_amounts);
	tcase_add_test(tc, bad_amounts);
	tcase_add_test(tc, json_amounts);
	tcase_add_test(tc, fixed_format);
	tcase_add_test(tc, plain_decimals);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wl_amount_suite)
