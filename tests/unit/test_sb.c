/* sb and eb: the buffer every record is built in, the error every common/
 * function reports through. */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "base/eb.h"
#include "base/sb.h"

START_TEST(test_growth)
{
	struct sb s = SB_INIT;

	for (int i = 0; i < 100000; i++)
		sb_addc(&s, (char)('a' + i % 26));
	ck_assert_uint_eq(s.len, 100000);
	ck_assert_int_eq(s.buf[99999], 'a' + 99999 % 26);
	ck_assert(!sb_failed(&s));
	sb_reset(&s);
	sb_printf(&s, "%s=%d", "n", 42);
	ck_assert_str_eq(sb_cstr(&s), "n=42");
	sb_free(&s);
	ck_assert_str_eq(sb_cstr(&s), "");	/* usable again after free */
	sb_free(&s);
}
END_TEST

START_TEST(test_eb)
{
	struct eb e;
	char cause[600];

	ck_assert_int_eq(eb_set(&e, "bad %s", "thing"), -1);
	ck_assert_int_eq(eb_wrap(&e, "line %d", 42), -1);
	ck_assert_str_eq(e.msg, "line 42: bad thing");
	ck_assert_int_eq(eb_set(NULL, "ignored"), -1);
	/* an over-long cause is cut, never overflowed */
	memset(cause, 'x', sizeof(cause) - 1);
	cause[sizeof(cause) - 1] = '\0';
	eb_set(&e, "%s", cause);
	eb_wrap(&e, "ctx");
	ck_assert_uint_eq(strlen(e.msg), sizeof(e.msg) - 1);
	ck_assert(strncmp(e.msg, "ctx: xxx", 8) == 0);
}
END_TEST

static Suite *
sb_suite(void)
{
	Suite *s = suite_create("sb");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_eb);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(sb_suite)
