/* rec's fast path for compact members held to the general loop it
 * shortcuts (rec_parse_reference, rec_parse_object_decoding_reference):
 * the same verdict, message, member spans and flags, found member and
 * decoded text, on random records built to hit every exit of the fast
 * path (short and long keys, escapes and UTF-8 in keys and values,
 * blanks, every type of value, bad numbers and strings, records cut
 * short, bytes changed at random). Each text sits at the end of its own
 * allocation, so that the sanitizer build sees any read past it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json/rec.h"
#include "test_rng.h"

static uint64_t rng = UINT64_C(0x5eed0fa57ba7);

static unsigned
pick(unsigned n)
{
	return (unsigned)(test_rng_next(&rng) % n);
}

static const char *const key_parts[] = {
	"a", "data", "ts", "timestamp", "euro_rate", "usd_rate", "shardId",
	"sequenceNumber", "approximateArrivalTimestamp", "k\\u0041", "\\\"q",
	"\xc3\xa9t\xc3\xa9", "abcdefghijklmno", "abcdefghijklmnop",
	"", "x\\/y", "\x7f", "caf\xc3", "tab\there",
};

static const char *const values[] = {
	"0", "-0", "1", "-12", "39995.39", "4.5e-3", "1E+9", "123456789012",
	"01", "1.", "-", "1e", "1.5.", "-x", "2x", "\"\"", "\"abc\"",
	"\"2024-01-01T00:00:00Z\"",
	"\"49590000000000000000000000000000000000000000000000000007\"",
	"\"a\\\"b\"", "\"\\u00e9\\n\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"",
	"\"\\x\"", "\"\xc3\xa9\"", "\"\xff\"", "\"a\tb\"", "\"unterminated",
	"true", "false", "null", "nul", "{}", "[]", "{\"a\":[1,{\"b\":2}]}",
	"[1,2", "{\"a\" 1}",
	"\"{\\\"timestamp\\\":\\\"2024-01-01T00:00:00\\\",\\\"euro_rate\\\":39995.3891}\"",
};

static const char *const blanks[] = { "", "", "", "", " ", "\t", "\n ", "\r" };

static void
add_random_record(struct sb *s)
{
	unsigned n = pick(9), i;

	sb_adds(s, blanks[pick(8)]);
	sb_addc(s, pick(20) ? '{' : '[');
	for (i = 0; i < n; i++) {
		if (i) {
			sb_adds(s, blanks[pick(8)]);
			sb_addc(s, pick(30) ? ',' : ';');
		}
		sb_adds(s, blanks[pick(8)]);
		if (pick(25)) {
			sb_addc(s, '"');
			sb_adds(s, key_parts[pick(sizeof(key_parts) /
			    sizeof(key_parts[0]))]);
			if (pick(4) == 0)
				sb_adds(s, key_parts[pick(sizeof(key_parts) /
				    sizeof(key_parts[0]))]);
			if (pick(30))
				sb_addc(s, '"');
		}
		sb_adds(s, blanks[pick(8)]);
		if (pick(30))
			sb_addc(s, ':');
		sb_adds(s, blanks[pick(8)]);
		sb_adds(s, values[pick(sizeof(values) / sizeof(values[0]))]);
	}
	sb_adds(s, blanks[pick(8)]);
	if (pick(20))
		sb_addc(s, pick(10) ? '}' : ']');
	sb_adds(s, blanks[pick(8)]);
}

static void
same_index(const struct rec *a, const struct rec *b)
{
	size_t k;

	ck_assert_uint_eq(a->n, b->n);
	ck_assert_int_eq(a->type, b->type);
	for (k = 0; k < a->n; k++) {
		const struct rec_member *x = &a->m[k], *y = &b->m[k];

		ck_assert(x->key.p == y->key.p);
		ck_assert_uint_eq(x->key.n, y->key.n);
		ck_assert(x->val.p == y->val.p);
		ck_assert_uint_eq(x->val.n, y->val.n);
		ck_assert(x->whole.p == y->whole.p);
		ck_assert_uint_eq(x->whole.n, y->whole.n);
		ck_assert_int_eq(x->type, y->type);
		ck_assert_int_eq(x->key_escaped, y->key_escaped);
		ck_assert_int_eq(x->val_escaped, y->val_escaped);
		if (x->type == REC_NUMBER)
			ck_assert_int_eq(x->num_int, y->num_int);
	}
}

/* Every way of parsing p[0..n) against its reference. */
static void
check_text(const char *p, size_t n, struct rec *r, struct rec *ref,
    struct sb *text, struct sb *text_ref)
{
	static const char *const want[] = { "data", "timestamp", "a",
	    "sequenceNumber" };
	const struct rec_member *found, *found_ref;
	struct eb e, e2;
	int rc, rc2;
	size_t i;

	for (i = 0; i < 2; i++) {
		rc = i ? rec_parse(r, p, n, &e) : rec_parse_object(r, p, n, &e);
		rc2 = rec_parse_reference(ref, p, n, !i, &e2);
		ck_assert_msg(rc == rc2, "%.*s", (int)n, p);
		if (rc != 0)
			ck_assert_str_eq(e.msg, e2.msg);
		else
			same_index(r, ref);
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		rc = rec_parse_object_decoding(r, p, n, want[i],
		    strlen(want[i]), text, &found, &e);
		rc2 = rec_parse_object_decoding_reference(ref, p, n, want[i],
		    strlen(want[i]), text_ref, &found_ref, &e2);
		ck_assert_msg(rc == rc2, "%.*s", (int)n, p);
		if (rc != 0) {
			ck_assert_str_eq(e.msg, e2.msg);
			continue;
		}
		same_index(r, ref);
		ck_assert_int_eq(found == NULL, found_ref == NULL);
		if (found == NULL)
			continue;
		ck_assert_uint_eq((size_t)(found - r->m),
		    (size_t)(found_ref - ref->m));
		ck_assert_uint_eq(text->len, text_ref->len);
		ck_assert(text->len == 0 ||
		    memcmp(text->buf, text_ref->buf, text->len) == 0);
	}
}

static void
check_owned(const char *s, size_t n, struct rec *r, struct rec *ref,
    struct sb *text, struct sb *text_ref)
{
	char *p = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, n);
	check_text(p, n, r, ref, text, text_ref);
	free(p);
}

START_TEST(test_fast_random_records)
{
	struct rec r, ref;
	struct sb s = SB_INIT, text = SB_INIT, text_ref = SB_INIT;
	int round;

	rec_init(&r);
	rec_init(&ref);
	for (round = 0; round < 60000; round++) {
		size_t n, cut;

		sb_reset(&s);
		add_random_record(&s);
		n = s.len;
		check_owned(s.buf, n, &r, &ref, &text, &text_ref);
		/* cut short anywhere */
		cut = n ? pick((unsigned)n) : 0;
		check_owned(s.buf, cut, &r, &ref, &text, &text_ref);
		/* a byte changed anywhere */
		if (n) {
			size_t at = pick((unsigned)n);
			char was = s.buf[at];

			s.buf[at] = (char)pick(256);
			check_owned(s.buf, n, &r, &ref, &text, &text_ref);
			s.buf[at] = was;
		}
	}
	sb_free(&s);
	sb_free(&text);
	sb_free(&text_ref);
	rec_free(&r);
	rec_free(&ref);
}
END_TEST

/* The records the stages see, every byte replaced in turn by a byte of
 * interest, and every prefix. */
START_TEST(test_fast_pipeline_records_every_byte)
{
	static const char *const lines[] = {
		"{\"timestamp\":\"2024-01-01T00:00:00Z\",\"euro_rate\":39995.39,"
		"\"usd_rate\":43394.996,\"gbp_rate\":34280.047,\"shardId\":"
		"\"shardId-000000000000\",\"sequenceNumber\":"
		"\"49590000000000000000000000000000000000000000000000000007\"}",
		"{\"data\":\"{\\\"timestamp\\\":\\\"2024-01-01T00:00:00\\\","
		"\\\"euro_rate\\\":39995.3891}\",\"stream\":\"bitcoin-info\","
		"\"shardId\":\"shardId-000000000000\",\"partitionKey\":\"pk-0\"}",
	};
	static const char subst[] = { '"', '\\', ':', ',', '}', ' ', '\t',
	    '0', '-', '.', 'e', 'a', '{', '[', '\x01', '\x80', '\xc3' };
	struct rec r, ref;
	struct sb text = SB_INIT, text_ref = SB_INIT;
	char buf[512];
	size_t i, at, k;

	rec_init(&r);
	rec_init(&ref);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t n = strlen(lines[i]);

		for (at = 0; at <= n; at++)
			check_owned(lines[i], at, &r, &ref, &text, &text_ref);
		for (at = 0; at < n; at++)
			for (k = 0; k < sizeof(subst); k++) {
				memcpy(buf, lines[i], n);
				buf[at] = subst[k];
				check_owned(buf, n, &r, &ref, &text,
				    &text_ref);
			}
	}
	sb_free(&text);
	sb_free(&text_ref);
	rec_free(&r);
	rec_free(&ref);
}
END_TEST

static Suite *
rec_fast_suite(void)
{
	Suite *s = suite_create("rec_fast");
	TCase *tc = tcase_create("differential");

	/* a few hundred thousand parses: the sanitizer build on a loaded
	 * machine needs more than Check's default four seconds */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_fast_random_records);
	tcase_add_test(tc, test_fast_pipeline_records_every_byte);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(rec_fast_suite)
