/* prov: a record's shardId and sequenceNumber (and a user record's
 * subSequenceNumber) in messages, only when it has both as strings, decoded, controls made harmless, long ones cut;
 * rec_duplicate: the first key a later member repeats, escapes decoded. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "json/prov.h"
#include "json/rec.h"

static const char *
describe(const char *json, struct sb *out)
{
	struct rec r;
	struct eb e;

	rec_init(&r);
	sb_reset(out);
	ck_assert_int_eq(rec_parse_object(&r, json, strlen(json), &e), 0);
	prov_describe(&r, out);
	rec_free(&r);
	return out->len ? sb_cstr(out) : "";
}

START_TEST(test_describe)
{
	struct sb out = SB_INIT;

	ck_assert_str_eq(describe("{\"shardId\":\"s-1\",\"sequenceNumber\":\"42\"}",
	    &out), " (s-1 42)");
	ck_assert_str_eq(describe("{\"sequenceNumber\":\"42\",\"x\":1,"
	    "\"shardId\":\"s\\u002d1\"}", &out), " (s-1 42)");
	ck_assert_str_eq(describe("{\"shardId\":\"s-1\"}", &out), "");
	ck_assert_str_eq(describe("{\"shardId\":\"s-1\",\"sequenceNumber\":42}",
	    &out), "");
	ck_assert_str_eq(describe("{\"shardId\":\"a\\nb\",\"sequenceNumber\":"
	    "\"1\"}", &out), " (a?b 1)");
	/* a user record of a KPL aggregate: its place after a colon */
	ck_assert_str_eq(describe("{\"shardId\":\"s-1\",\"sequenceNumber\":\"42\","
	    "\"subSequenceNumber\":3}", &out), " (s-1 42:3)");
	ck_assert_str_eq(describe("{\"shardId\":\"s-1\",\"sequenceNumber\":\"42\","
	    "\"subSequenceNumber\":\"3\"}", &out), " (s-1 42)");
	sb_free(&out);
}
END_TEST

START_TEST(test_describe_long)
{
	struct sb in = SB_INIT, out = SB_INIT;
	const char *got;

	sb_adds(&in, "{\"shardId\":\"s\",\"sequenceNumber\":\"");
	for (int i = 0; i < 300; i++)
		sb_addc(&in, '7');
	sb_adds(&in, "\"}");
	got = describe(sb_cstr(&in), &out);
	ck_assert_uint_eq(strlen(got), strlen(" (s ") + PROV_MAX + 3 + 1);
	ck_assert(strstr(got, "...)") != NULL);
	sb_free(&in);
	sb_free(&out);
}
END_TEST

static const char *
duplicate(const char *json)
{
	static char key[64];
	const struct rec_member *m;
	struct sb scratch = SB_INIT;
	struct rec r;
	struct eb e;

	rec_init(&r);
	ck_assert_int_eq(rec_parse_object(&r, json, strlen(json), &e), 0);
	m = rec_duplicate(&r, &scratch);
	key[0] = '\0';
	if (m)
		snprintf(key, sizeof(key), "%.*s", (int)m->key.n, m->key.p);
	rec_free(&r);
	sb_free(&scratch);
	return m ? key : NULL;
}

START_TEST(test_duplicate)
{
	ck_assert_ptr_null(duplicate("{}"));
	ck_assert_ptr_null(duplicate("{\"a\":1,\"b\":2,\"ab\":3}"));
	ck_assert_str_eq(duplicate("{\"a\":1,\"b\":2,\"a\":3}"), "a");
	ck_assert_str_eq(duplicate("{\"x\":0,\"b\":1,\"\\u0062\":2}"), "b");
	ck_assert_str_eq(duplicate("{\"\\u0061\":1,\"a\":2}"), "\\u0061");
}
END_TEST

static Suite *
prov_suite(void)
{
	Suite *s = suite_create("prov");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_long);
	tcase_add_test(tc, test_duplicate);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(prov_suite)
