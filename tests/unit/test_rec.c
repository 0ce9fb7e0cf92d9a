/* rec: RFC 8259 validation, member spans, lookups and decoding. Expected
 * verdicts come from RFC 8259's grammar and RFC 3629's UTF-8 table. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json/rec.h"

static int
valid_n(const char *s, size_t n)
{
	struct eb e;

	return rec_validate(s, n, NULL, &e) == 0;
}

static int
valid(const char *s)
{
	return valid_n(s, strlen(s));
}

START_TEST(test_valid_documents)
{
	static const char *ok[] = {
		"0", "-0", "1", "-1", "0.5", "1e5", "1E+5", "1e-05", "-0.0e0",
		"123456789012345678901234567890", "true", "false", "null",
		"\"\"", "\"a\"", "{}", "[]", " [ ] ", "\t\r\n{}\n",
		"{\"a\":1}", "{\"a\":{\"b\":[1,2,{\"c\":null}]}}",
		"[1,\"x\",true,false,null,{},[]]",
		"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0041\\u00e9\"",
		"\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"", "\"\\u0000\"",
		"\"\xc3\xa9\"", "\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"",
		"\"\xf4\x8f\xbf\xbf\"", "\"\xed\x9f\xbf\"", "\"\xee\x80\x80\"",
		"\"\x7f\"", "{\"a\":1,\"a\":2}", "{ \"a\" : 1 , \"b\" : [ ] }",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(valid(ok[i]), "should be valid: %s", ok[i]);
}
END_TEST

START_TEST(test_invalid_documents)
{
	static const char *bad[] = {
		"", " ", "01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10",
		"1.5.2", "--1", "-a", "Infinity", "NaN", "-Infinity", "tru",
		"True", "nul", "nulls", "\"abc", "\"\\x\"", "\"\\u12\"",
		"\"\\u12g4\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"\\ud800x\"", "\"\t\"", "\"\n\"", "\"\x01\"", "{", "}", "[",
		"[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}",
		"{'a':1}", "['a']", "{1:1}", "[1 2]", "{} {}", "{}x", "[] ]",
		"\"\xc0\x80\"", "\"\xc1\xbf\"", "\"\xe0\x80\x80\"",
		"\"\xe0\x9f\xbf\"", "\"\xed\xa0\x80\"", "\"\xed\xbf\xbf\"",
		"\"\xf0\x80\x80\x80\"", "\"\xf0\x8f\xbf\xbf\"",
		"\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xff\"",
		"\"\x80\"", "\"\xc3\"", "\"\xe2\x82\"", "\"\xf0\x9f\x98\"",
		"\"\xc3\x28\"", "\xef\xbb\xbf{}", "\x0c[]",
		"/*c*/{}", "{\"a\":1}//", "'a'",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!valid(bad[i]), "should be invalid: %s", bad[i]);
	/* a NUL inside the text: the span length, not strlen, bounds it */
	ck_assert(!valid_n("[1,\0 2]", 7));
	ck_assert(!valid_n("\"a\0b\"", 5));
	ck_assert(valid_n("\"ab\"\0", 4));
}
END_TEST

START_TEST(test_depth_limit)
{
	size_t n = REC_MAX_DEPTH + 1, i;
	char *s = malloc(2 * n + 1);

	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[2 * n - 1 - i] = ']';
	}
	ck_assert(!valid_n(s, 2 * n));
	/* REC_MAX_DEPTH levels exactly are fine */
	ck_assert(valid_n(s + 1, 2 * n - 2));
	free(s);
}
END_TEST

START_TEST(test_error_messages)
{
	struct eb e;

	ck_assert_int_eq(rec_validate("[1,]", 4, NULL, &e), -1);
	ck_assert_str_eq(e.msg, "byte 4: unexpected character, value expected");
	ck_assert_int_eq(rec_validate("{\"a\":1}x", 8, NULL, &e), -1);
	ck_assert_str_eq(e.msg, "byte 8: unexpected data after the JSON value");
	ck_assert_int_eq(rec_validate("\"\xc3\x28\"", 4, NULL, &e), -1);
	ck_assert_str_eq(e.msg, "byte 2: invalid UTF-8");
	ck_assert_int_eq(rec_validate("{\"a\":\"b", 7, NULL, &e), -1);
	ck_assert_str_eq(e.msg, "byte 8: unterminated string");
	ck_assert_int_eq(rec_validate("", 0, NULL, &e), -1);
	ck_assert_str_eq(e.msg, "byte 1: no JSON value");
}
END_TEST

START_TEST(test_types)
{
	struct eb e;
	enum rec_type t;

	ck_assert_int_eq(rec_validate(" 12 ", 4, &t, &e), 0);
	ck_assert_int_eq(t, REC_NUMBER);
	ck_assert_int_eq(rec_validate("\"x\"", 3, &t, &e), 0);
	ck_assert_int_eq(t, REC_STRING);
	ck_assert_int_eq(rec_validate("[{}]", 4, &t, &e), 0);
	ck_assert_int_eq(t, REC_ARRAY);
	ck_assert_int_eq(rec_validate("{}", 2, &t, &e), 0);
	ck_assert_int_eq(t, REC_OBJECT);
	ck_assert_int_eq(rec_validate("null", 4, &t, &e), 0);
	ck_assert_int_eq(t, REC_NULL);
	ck_assert_int_eq(rec_validate("false", 5, &t, &e), 0);
	ck_assert_int_eq(t, REC_FALSE);
	ck_assert_int_eq(rec_validate("true", 4, &t, &e), 0);
	ck_assert_int_eq(t, REC_TRUE);
}
END_TEST

static int
span_is(struct rec_span s, const char *want)
{
	return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

START_TEST(test_parse_object_spans)
{
	const char *doc = " {\"a\" : 1.5e3 , \"b\":\"x\\ny\",\"c\":[1, {\"d\":2}],"
	    "\"n\":null,\"t\":true,\"f\":false,\"i\":-42} ";
	struct rec r;
	struct eb e;
	const struct rec_member *m;

	rec_init(&r);
	ck_assert_int_eq(rec_parse_object(&r, doc, strlen(doc), &e), 0);
	ck_assert_int_eq(r.type, REC_OBJECT);
	ck_assert_uint_eq(r.n, 7);
	ck_assert(span_is(r.m[0].key, "a"));
	ck_assert(span_is(r.m[0].val, "1.5e3"));
	ck_assert(span_is(r.m[0].whole, "\"a\" : 1.5e3"));
	ck_assert_int_eq(r.m[0].type, REC_NUMBER);
	ck_assert_int_eq(r.m[0].num_int, 0);
	ck_assert(span_is(r.m[1].val, "\"x\\ny\""));
	ck_assert_int_eq(r.m[1].val_escaped, 1);
	ck_assert_int_eq(r.m[1].type, REC_STRING);
	ck_assert(span_is(r.m[2].val, "[1, {\"d\":2}]"));
	ck_assert_int_eq(r.m[2].type, REC_ARRAY);
	ck_assert_int_eq(r.m[3].type, REC_NULL);
	ck_assert_int_eq(r.m[4].type, REC_TRUE);
	ck_assert_int_eq(r.m[5].type, REC_FALSE);
	ck_assert_int_eq(r.m[6].num_int, 1);
	m = rec_get(&r, "i", 1);
	ck_assert_ptr_eq(m, &r.m[6]);
	ck_assert_ptr_null(rec_get(&r, "d", 1));
	ck_assert_ptr_null(rec_get(&r, "", 0));
	rec_free(&r);
}
END_TEST

START_TEST(test_parse_rejects)
{
	struct rec r;
	struct eb e;

	rec_init(&r);
	ck_assert_int_eq(rec_parse_object(&r, "[1]", 3, &e), -1);
	ck_assert_str_eq(e.msg, "byte 1: JSON object expected");
	ck_assert_int_eq(rec_parse_object(&r, "\"a\"", 3, &e), -1);
	ck_assert_int_eq(rec_parse(&r, "1", 1, &e), -1);
	ck_assert_str_eq(e.msg, "byte 1: JSON object or array expected");
	ck_assert_int_eq(rec_parse_object(&r, "{\"a\":1", 6, &e), -1);
	ck_assert_str_eq(e.msg, "byte 7: unexpected end of input in container");
	ck_assert_int_eq(rec_parse_object(&r, "{\"a\":1}}", 8, &e), -1);
	ck_assert_int_eq(rec_parse_object(&r, "{\"a\":[}", 7, &e), -1);
	ck_assert_int_eq(rec_parse_object(&r, "{,}", 3, &e), -1);
	ck_assert_int_eq(rec_parse_object(&r, "{\"a\":1,}", 8, &e), -1);
	ck_assert_int_eq(rec_parse_object(&r, "{}", 2, &e), 0);
	ck_assert_uint_eq(r.n, 0);
	rec_free(&r);
}
END_TEST

START_TEST(test_parse_array)
{
	struct rec r;
	struct eb e;

	rec_init(&r);
	ck_assert_int_eq(rec_parse(&r, "[ 1 ,\"a\", {} ]", 14, &e), 0);
	ck_assert_int_eq(r.type, REC_ARRAY);
	ck_assert_uint_eq(r.n, 3);
	ck_assert(span_is(r.m[0].val, "1"));
	ck_assert(span_is(r.m[1].whole, "\"a\""));
	ck_assert_uint_eq(r.m[1].key.n, 0);
	ck_assert(span_is(r.m[2].val, "{}"));
	ck_assert_ptr_null(rec_get(&r, "", 0));
	ck_assert_int_eq(rec_parse(&r, "[]", 2, &e), 0);
	ck_assert_uint_eq(r.n, 0);
	rec_free(&r);
}
END_TEST

START_TEST(test_get_duplicates_and_escaped_keys)
{
	const char *doc = "{\"a\":1,\"\\u0061\":2,\"b\\/c\":3,\"\\u00e9\":4,"
	    "\"x\\u0000y\":5}";
	struct rec r;
	struct eb e;
	const struct rec_member *m;

	rec_init(&r);
	ck_assert_int_eq(rec_parse_object(&r, doc, strlen(doc), &e), 0);
	m = rec_get(&r, "a", 1);	/* the last "a" wins */
	ck_assert(span_is(m->val, "2"));
	m = rec_get(&r, "b/c", 3);
	ck_assert(span_is(m->val, "3"));
	m = rec_get(&r, "\xc3\xa9", 2);
	ck_assert(span_is(m->val, "4"));
	m = rec_get(&r, "x\0y", 3);
	ck_assert(span_is(m->val, "5"));
	ck_assert_ptr_null(rec_get(&r, "x", 1));
	ck_assert_ptr_null(rec_get(&r, "b\\/c", 4));
	rec_free(&r);
}
END_TEST

START_TEST(test_string_decode)
{
	const char *doc = "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041"
	    "\\u00e9\\u20ac\\ud83d\\ude00\\u0000z\"}";
	static const char want[] = "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe2\x82\xac"
	    "\xf0\x9f\x98\x80\0z";
	struct rec r;
	struct sb out = SB_INIT;
	struct eb e;

	rec_init(&r);
	ck_assert_int_eq(rec_parse_object(&r, doc, strlen(doc), &e), 0);
	rec_string_decode(r.m[0].val, &out);
	ck_assert_uint_eq(out.len, sizeof(want) - 1);
	ck_assert(memcmp(out.buf, want, out.len) == 0);
	ck_assert_int_eq(rec_parse_object(&r, "{\"s\":\"plain\"}", 13, &e), 0);
	ck_assert_int_eq(r.m[0].val_escaped, 0);
	ck_assert(span_is(rec_string_raw(&r.m[0]), "plain"));
	sb_free(&out);
	rec_free(&r);
}
END_TEST

/* The text of a string member: the record's own bytes when there is
 * nothing to decode, else the decoded bytes in the scratch buffer, which
 * starts afresh. */
START_TEST(test_string_text)
{
	const char *doc = "{\"plain\":\"abc\",\"esc\":\"a\\u0041\\n\","
	    "\"empty\":\"\",\"nul\":\"\\u0000\"}";
	struct rec r;
	struct sb scratch = SB_INIT;
	struct rec_span t;
	struct eb e;

	rec_init(&r);
	ck_assert_int_eq(rec_parse_object(&r, doc, strlen(doc), &e), 0);
	sb_adds(&scratch, "junk");
	t = rec_string_text(rec_get(&r, "plain", 5), &scratch);
	ck_assert(t.p == doc + 10);	/* no copy */
	ck_assert(span_is(t, "abc"));
	ck_assert_uint_eq(scratch.len, 4);	/* untouched */
	t = rec_string_text(rec_get(&r, "esc", 3), &scratch);
	ck_assert(t.p == scratch.buf);
	ck_assert_uint_eq(t.n, 3);
	ck_assert(memcmp(t.p, "aA\n", 3) == 0);
	t = rec_string_text(rec_get(&r, "empty", 5), &scratch);
	ck_assert_uint_eq(t.n, 0);
	t = rec_string_text(rec_get(&r, "nul", 3), &scratch);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_eq(t.p[0], '\0');
	sb_free(&scratch);
	rec_free(&r);
}
END_TEST

/* Every byte after a backslash: RFC 8259 section 7 allows " \ / b f n r
 * t (and u with four hex digits), standing for the bytes below. */
START_TEST(test_every_escape)
{
	static const char allowed[] = "\"\\/bfnrt";
	static const char meaning[] = "\"\\/\b\f\n\r\t";
	char doc[] = "{\"s\":\"\\?\"}";
	struct rec r;
	struct sb out = SB_INIT;
	struct eb e;
	int b;

	rec_init(&r);
	for (b = 1; b < 256; b++) {
		const char *ok = b == 'u' ? NULL : strchr(allowed, b);

		doc[7] = (char)b;
		if (ok == NULL) {
			ck_assert_int_eq(rec_parse_object(&r, doc, 10, &e), -1);
			ck_assert_str_eq(e.msg, b == 'u' ?
			    "byte 7: invalid \\u escape in string" :
			    "byte 7: invalid escape in string");
			continue;
		}
		ck_assert_msg(rec_parse_object(&r, doc, 10, &e) == 0, "%c", b);
		ck_assert_int_eq(r.m[0].val_escaped, 1);
		sb_reset(&out);
		rec_string_decode(r.m[0].val, &out);
		ck_assert_uint_eq(out.len, 1);
		ck_assert_int_eq(out.buf[0], meaning[ok - allowed]);
	}
	sb_free(&out);
	rec_free(&r);
}
END_TEST

START_TEST(test_numbers)
{
	struct rec_span v;
	int64_t i;

#define SP(s) (v.p = (s), v.n = strlen(s), v)
	ck_assert(rec_number(SP("0.1")) == 0.1);
	ck_assert(rec_number(SP("-1.5e3")) == -1500.0);
	ck_assert(isinf(rec_number(SP("1e400"))));
	ck_assert(rec_number(SP("0.100000000000000000000000000000000000000000"
	    "0000000000000000000000000000001")) == 0.1);
	ck_assert_int_eq(rec_int64(SP("9223372036854775807"), &i), 0);
	ck_assert(i == INT64_MAX);
	ck_assert_int_eq(rec_int64(SP("-9223372036854775808"), &i), 0);
	ck_assert(i == INT64_MIN);
	ck_assert_int_eq(rec_int64(SP("9223372036854775808"), &i), -1);
	ck_assert_int_eq(rec_int64(SP("-9223372036854775809"), &i), -1);
	ck_assert_int_eq(rec_int64(SP("1.0"), &i), -1);
	ck_assert_int_eq(rec_int64(SP("1e2"), &i), -1);
	ck_assert_int_eq(rec_int64(SP("-0"), &i), 0);
	ck_assert(i == 0);
	ck_assert_int_eq(rec_int64(SP("42"), &i), 0);
	ck_assert(i == 42);
#undef SP
}
END_TEST

/* A span that ends exactly at the end of an allocation: ASan catches any
 * read past n in the eight-byte scanner. */
START_TEST(test_no_overread)
{
	static const char *docs[] = { "\"abcdefghijklmnopq\"", "{\"k\":\"v\"}",
	    "[12345678901]", "\"abcdefghij\\u00e9\"", "\"abcdefgh\xc3" };
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		size_t n = strlen(docs[i]);
		char *p = malloc(n);

		memcpy(p, docs[i], n);
		ck_assert_int_eq(valid_n(p, n), i < 4);
		ck_assert(!valid_n(p, n - 1));
		free(p);
	}
}
END_TEST

/* Every byte at every offset of a 40-byte string body (so in each lane of
 * the sixteen- and eight-byte scanners and in the byte tail), the string
 * ending at the allocation's end: RFC 8259 section 7 allows 0x20..0x7F
 * but '"' and '\\' as they stand; a control character or a lone byte
 * >= 0x80 (not UTF-8, RFC 3629) is refused with its own message. */
START_TEST(test_string_every_byte_every_offset)
{
	char s[42], want[64];
	size_t at;
	int b;
	struct eb e;

	for (at = 0; at < 40; at++)
		for (b = 0; b < 256; b++) {
			char *p = malloc(42);
			int rc;

			memset(s + 1, 'a', 40);
			s[0] = s[41] = '"';
			s[1 + at] = (char)b;
			memcpy(p, s, 42);
			rc = rec_validate(p, 42, NULL, &e);
			free(p);
			if (b >= 0x20 && b < 0x80 && b != '"' && b != '\\') {
				ck_assert_int_eq(rc, 0);
				continue;
			}
			ck_assert_int_eq(rc, -1);
			if (b == '"')
				snprintf(want, sizeof(want), "byte %zu: unexpected "
				    "data after the JSON value", at + 3);
			else if (b == '\\' && at == 39)	/* \" goes on */
				snprintf(want, sizeof(want),
				    "byte 43: unterminated string");
			else if (b == '\\')
				snprintf(want, sizeof(want),
				    "byte %zu: invalid escape in string", at + 2);
			else if (b < 0x20)
				snprintf(want, sizeof(want),
				    "byte %zu: control character in string", at + 2);
			else
				snprintf(want, sizeof(want),
				    "byte %zu: invalid UTF-8", at + 2);
			ck_assert_str_eq(e.msg, want);
		}
}
END_TEST

/* RFC 8259 section 6's number grammar, transcribed byte by byte:
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. The oracle for the
 * word-at-a-time scanner; *is_int says there is no fraction or exponent. */
static int
ref_is_number(const char *s, size_t n, int *is_int)
{
	size_t i = 0;

	*is_int = 1;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		*is_int = 0;
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		*is_int = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

/* s[0..n) alone in an allocation of exactly n bytes (ASan sees any read
 * past it), then as the value of a member, must get the oracle's verdict;
 * a member's span and num_int must be the whole number's. */
static void
check_number_text(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1), *doc = malloc(n + 6);
	int want_int, want = ref_is_number(s, n, &want_int);
	struct rec r;
	struct eb e;
	enum rec_type t;

	memcpy(p, s, n);
	ck_assert_msg(valid_n(p, n) == want, "verdict on '%.*s'", (int)n, s);
	if (want) {
		ck_assert_int_eq(rec_validate(p, n, &t, &e), 0);
		ck_assert_int_eq(t, REC_NUMBER);
	}
	memcpy(doc, "{\"a\":", 5);
	memcpy(doc + 5, s, n);
	doc[n + 5] = '}';
	rec_init(&r);
	ck_assert_msg((rec_parse_object(&r, doc, n + 6, &e) == 0) == want,
	    "member verdict on '%.*s'", (int)n, s);
	if (want) {
		ck_assert_uint_eq(r.n, 1);
		ck_assert_int_eq(r.m[0].type, REC_NUMBER);
		ck_assert_ptr_eq(r.m[0].val.p, doc + 5);
		ck_assert_uint_eq(r.m[0].val.n, n);
		ck_assert_int_eq(r.m[0].num_int, want_int);
	}
	rec_free(&r);
	free(doc);
	free(p);
}

START_TEST(test_number_grammar_exhaustive)
{
	/* every string of up to five bytes over the grammar's alphabet and
	 * one stranger */
	static const char alpha[] = "019-+.eEx";
	char s[5];
	size_t len, i, k, total;

	for (len = 1; len <= 5; len++) {
		for (total = 1, i = 0; i < len; i++)
			total *= sizeof(alpha) - 1;
		for (k = 0; k < total; k++) {
			size_t v = k;

			for (i = 0; i < len; i++) {
				s[i] = alpha[v % (sizeof(alpha) - 1)];
				v /= sizeof(alpha) - 1;
			}
			check_number_text(s, len);
		}
	}
}
END_TEST

/* Longer texts, mostly digits, cross the eight-byte words at every
 * offset; a fixed linear congruential sequence keeps runs repeatable. */
START_TEST(test_number_grammar_long)
{
	static const char alpha[] = "0123456789012345678901234567890123456789"
	    "-+.eE-.e";
	uint32_t seed = 12345;
	char s[40];
	size_t k, i, len;

	for (k = 0; k < 40000; k++) {
		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 16) % 36;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			s[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		/* half of them start as a number should */
		if (k % 2 == 0)
			s[0] = "-123456789"[k / 2 % 10];
		check_number_text(s, len);
	}
}
END_TEST

START_TEST(test_number_at_buffer_end)
{
	static const char *shapes[] = { "", "-", "0.", "-0.", "1e", "1E+",
	    "1.5e-", "9" };
	char s[64];
	size_t i, len, k;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		for (len = 1; len <= 20; len++) {
			size_t pre = strlen(shapes[i]);

			memcpy(s, shapes[i], pre);
			for (k = 0; k < len; k++)
				s[pre + k] = (char)('1' + (k % 9));
			/* valid at its full length, and every prefix is
			 * judged as the grammar says */
			for (k = 1; k <= pre + len; k++)
				check_number_text(s, k);
		}
}
END_TEST

/* Digits of every length 1..20 followed by each byte that is not a digit:
 * only whitespace may end a top-level number; what is refused is refused
 * with the message and byte RFC 8259's grammar points at. */
START_TEST(test_number_then_every_byte)
{
	char s[32], want[96];
	size_t len, k;
	int b;
	struct eb e;

	for (len = 1; len <= 20; len++) {
		for (k = 0; k < len; k++)
			s[k] = (char)('1' + (k % 9));
		for (b = 0; b < 256; b++) {
			char *p;
			int rc;

			if (b >= '0' && b <= '9')
				continue;
			s[len] = (char)b;
			p = malloc(len + 1);
			memcpy(p, s, len + 1);
			rc = rec_validate(p, len + 1, NULL, &e);
			free(p);
			if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
				ck_assert_int_eq(rc, 0);
				continue;
			}
			ck_assert_int_eq(rc, -1);
			if (b == '.')
				snprintf(want, sizeof(want), "byte %zu: invalid "
				    "number: digit expected after '.'", len + 2);
			else if (b == 'e' || b == 'E')
				snprintf(want, sizeof(want), "byte %zu: invalid "
				    "number: digit expected in exponent", len + 2);
			else if (b == '+' || b == '-')
				snprintf(want, sizeof(want),
				    "byte %zu: invalid number", len + 1);
			else
				snprintf(want, sizeof(want), "byte %zu: unexpected "
				    "data after the JSON value", len + 1);
			ck_assert_str_eq(e.msg, want);
		}
	}
}
END_TEST

START_TEST(test_number_messages)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "-", "byte 2: invalid number" },
		{ "01", "byte 2: invalid number" },
		{ "-01", "byte 3: invalid number" },
		{ "00000000", "byte 2: invalid number" },
		{ "1.", "byte 3: invalid number: digit expected after '.'" },
		{ ".5", "byte 1: unexpected character, value expected" },
		{ "1e", "byte 3: invalid number: digit expected in exponent" },
		{ "1e+", "byte 4: invalid number: digit expected in exponent" },
		{ "12345678.", "byte 10: invalid number: digit expected "
		    "after '.'" },
		{ "12345678.12345678.", "byte 18: invalid number" },
		{ "1234567812345678e+12345678-", "byte 27: invalid number" },
		{ "12345678x", "byte 9: unexpected data after the JSON value" },
		{ "[12345678,0123]", "byte 12: invalid number" },
		{ "{\"a\":123456789e}", "byte 16: invalid number: digit "
		    "expected in exponent" },
	};
	struct eb e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(rec_validate(cases[i].in, strlen(cases[i].in),
		    NULL, &e), -1);
		ck_assert_str_eq(e.msg, cases[i].msg);
	}
	ck_assert(valid("-0"));
	ck_assert(valid("12345678"));
	ck_assert(valid("1234567812345678.1234567812345678e-12345678"));
}
END_TEST

/* rec_parse_object_decoding decodes the wanted string while validating:
 * the decoded bytes below are written out by hand from RFC 8259's escape
 * table and RFC 3629's encoding (U+00E9 is C3 A9, U+1F600 is F0 9F 98
 * 80), and the verdict and message must be rec_parse_object's. */
START_TEST(test_parse_decoding)
{
	static const struct {
		const char *line;
		const char *want;	/* decoded "data"; NULL: not a string */
		size_t wantlen;
	} ok[] = {
#define T(l, w) { l, w, sizeof(w) - 1 }
		T("{\"data\":\"{\\\"a\\\":1}\"}", "{\"a\":1}"),
		T("{\"data\":\"\\u00e9\\\"\\\\\\/\\n\\ud83d\\ude00\"}",
		    "\xc3\xa9\"\\/\n\xf0\x9f\x98\x80"),
		T("{\"data\":\"{\\\"s\\\":\\\"caf\\\\u00e9 \\\\\\\"q\\\\\\\"\\\"}\"}",
		    "{\"s\":\"caf\\u00e9 \\\"q\\\"\"}"),
		T("{\"data\":\"\\b\\f\\r\\t\\u0000\\u0041\\u20ac\\uD834\\uDD1E\"}",
		    "\b\f\r\t\0A\xe2\x82\xac\xf0\x9d\x84\x9e"),
		T("{\"data\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 long plain "
		    "text past eight bytes\"}", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98"
		    "\x80 long plain text past eight bytes"),
		T("{\"data\":\"\"}", ""),
		/* the last duplicate wins, as with rec_get */
		T("{\"data\":\"first\",\"x\":1,\"data\":\"second\"}", "second"),
		T("{\"da\\u0074a\":\"escaped key\"}", "escaped key"),
		T("{\"datum\":\"no\",\"dat\":\"no\"}", NULL),
#undef T
	};
	static const char *const nonstring[] = {
		"{\"data\":\"a\",\"data\":{\"b\":\"c\"}}", "{\"data\":null}",
		"{\"data\":[\"x\"]}", "{\"data\":12}",
	};
	static const char *const bad[] = {
		"{\"data\":\"\\x\"}", "{\"data\":\"\\u12\"}",
		"{\"data\":\"\\u12g4\"}", "{\"data\":\"\\ud800\"}",
		"{\"data\":\"\\udc00\"}", "{\"data\":\"\\ud800\\u0041\"}",
		"{\"data\":\"a\tb\"}", "{\"data\":\"a\nb\"}",
		"{\"data\":\"\xc3\x28\"}", "{\"data\":\"\xed\xa0\x80\"}",
		"{\"data\":\"\xf4\x90\x80\x80\"}", "{\"data\":\"abcdefgh\xff\"}",
		"{\"data\":\"unterminated", "{\"data\":\"x\\",
		"{\"data\":\"x\" \"y\"}", "{\"data\":\"x\",}",
		"[\"data\"]", "{\"data\":\"ok\",\"b\":\"\\q\"}",
	};
	struct rec r, ref;
	struct sb text = SB_INIT, dec = SB_INIT;
	const struct rec_member *found;
	struct eb e, e2;
	size_t i, k;

	rec_init(&r);
	rec_init(&ref);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *l = ok[i].line;

		ck_assert_msg(rec_parse_object_decoding(&r, l, strlen(l), "data",
		    4, &text, &found, &e) == 0, "%s: %s", l, e.msg);
		ck_assert_int_eq(rec_parse_object(&ref, l, strlen(l), &e2), 0);
		ck_assert_uint_eq(r.n, ref.n);
		for (k = 0; k < r.n; k++) {
			ck_assert(r.m[k].whole.p == ref.m[k].whole.p);
			ck_assert_uint_eq(r.m[k].whole.n, ref.m[k].whole.n);
			ck_assert(r.m[k].val.p == ref.m[k].val.p);
			ck_assert_uint_eq(r.m[k].val.n, ref.m[k].val.n);
			ck_assert_int_eq(r.m[k].type, ref.m[k].type);
			ck_assert_int_eq(r.m[k].val_escaped,
			    ref.m[k].val_escaped);
			ck_assert_int_eq(r.m[k].key_escaped,
			    ref.m[k].key_escaped);
		}
		if (ok[i].want == NULL) {
			ck_assert_ptr_null(found);
			ck_assert_uint_eq(text.len, 0);
			continue;
		}
		ck_assert_ptr_eq(found, rec_get(&r, "data", 4));
		ck_assert_uint_eq(text.len, ok[i].wantlen);
		ck_assert_msg(memcmp(text.buf, ok[i].want, text.len) == 0,
		    "%s", l);
		sb_reset(&dec);
		rec_string_decode(found->val, &dec);
		ck_assert_uint_eq(dec.len, text.len);
		ck_assert(dec.len == 0 || memcmp(dec.buf, text.buf, dec.len) == 0);
	}
	for (i = 0; i < sizeof(nonstring) / sizeof(nonstring[0]); i++) {
		const char *l = nonstring[i];

		sb_reset(&text);
		sb_add(&text, "stale", 5);
		ck_assert_int_eq(rec_parse_object_decoding(&r, l, strlen(l),
		    "data", 4, &text, &found, &e), 0);
		ck_assert_ptr_eq(found, rec_get(&r, "data", 4));
		ck_assert_int_ne(found->type, REC_STRING);
		ck_assert_uint_eq(text.len, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *l = bad[i];

		ck_assert_msg(rec_parse_object_decoding(&r, l, strlen(l), "data",
		    4, &text, &found, &e) != 0, "accepted %s", l);
		ck_assert_ptr_null(found);
		ck_assert_int_ne(rec_parse_object(&ref, l, strlen(l), &e2), 0);
		ck_assert_str_eq(e.msg, e2.msg);
	}
	sb_free(&text);
	sb_free(&dec);
	rec_free(&r);
	rec_free(&ref);
}
END_TEST

/* The decoding scan of a string running to the end of an allocation
 * (the line cut before its closing quote): ASan catches a read past it,
 * and the message is the one rec_parse_object gives. */
START_TEST(test_parse_decoding_no_overread)
{
	static const char *docs[] = { "{\"data\":\"abcdefghijklmnopq",
	    "{\"data\":\"abcdefghij\\u00e9", "{\"data\":\"\\\"",
	    "{\"data\":\"abcdefgh\\", "{\"data\":\"abcdefgh\\u00",
	    "{\"data\":\"abcdefgh\xc3" };
	struct rec r;
	struct sb text = SB_INIT;
	const struct rec_member *found;
	struct eb e, e2;
	size_t i;

	rec_init(&r);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		size_t n = strlen(docs[i]);
		char *p = malloc(n);

		memcpy(p, docs[i], n);
		ck_assert_int_ne(rec_parse_object_decoding(&r, p, n, "data", 4,
		    &text, &found, &e), 0);
		ck_assert_ptr_null(found);
		ck_assert_int_ne(rec_parse_object(&r, p, n, &e2), 0);
		ck_assert_str_eq(e.msg, e2.msg);
		free(p);
	}
	ck_assert_str_eq(e.msg, "byte 18: invalid UTF-8");
	sb_free(&text);
	rec_free(&r);
}
END_TEST

static Suite *
rec_suite(void)
{
	Suite *s = suite_create("rec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_valid_documents);
	tcase_add_test(tc, test_invalid_documents);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_error_messages);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_parse_object_spans);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_parse_array);
	tcase_add_test(tc, test_get_duplicates_and_escaped_keys);
	tcase_add_test(tc, test_string_decode);
	tcase_add_test(tc, test_string_text);
	tcase_add_test(tc, test_every_escape);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_no_overread);
	tcase_add_test(tc, test_parse_decoding);
	tcase_add_test(tc, test_parse_decoding_no_overread);
	suite_add_tcase(s, tc);
	/* tens of thousands of texts each: the sanitizer build on a loaded
	 * machine needs more than Check's default four seconds */
	tc = tcase_create("every_byte");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_number_grammar_exhaustive);
	tcase_add_test(tc, test_number_grammar_long);
	tcase_add_test(tc, test_number_at_buffer_end);
	tcase_add_test(tc, test_number_then_every_byte);
	tcase_add_test(tc, test_number_messages);
	tcase_add_test(tc, test_string_every_byte_every_offset);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(rec_suite)
