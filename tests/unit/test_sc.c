/* sc: schema parsing and Spark's casts. Expected values follow Spark's
 * JacksonParser (3.5) and its JsonFunctionsSuite/JsonSuite cases; parsed
 * floats are checked against strtof, not against sc itself (their text is
 * jx_fmt_float's, checked in test_jx). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "test_rng.h"
#include "json/jx.h"
#include "json/sc.h"

static char *
type_name(const char *ddl)
{
	static char buf[1024];
	struct sc_type t;
	struct sb s = SB_INIT;
	struct eb e;

	if (sc_parse_ddl(ddl, &t, &e) != 0) {
		snprintf(buf, sizeof(buf), "ERROR %s", e.msg);
		return buf;
	}
	sc_type_name(&t, &s);
	snprintf(buf, sizeof(buf), "%s", sb_cstr(&s));
	sb_free(&s);
	sc_free(&t);
	return buf;
}

START_TEST(test_ddl)
{
	ck_assert_str_eq(type_name("timestamp STRING, euro_rate FLOAT"),
	    "struct<timestamp:string,euro_rate:float>");
	ck_assert_str_eq(type_name("a int, b BIGINT, c Double, d boolean, "
	    "e TIMESTAMP"), "struct<a:int,b:bigint,c:double,d:boolean,"
	    "e:timestamp>");
	ck_assert_str_eq(type_name("a INTEGER, b LONG, c REAL"),
	    "struct<a:int,b:bigint,c:float>");
	ck_assert_str_eq(type_name("a STRUCT<b: INT, c: ARRAY<STRING>>"),
	    "struct<a:struct<b:int,c:array<string>>>");
	ck_assert_str_eq(type_name("a STRUCT<b INT>"), "struct<a:struct<b:int>>");
	ck_assert_str_eq(type_name("a INT NOT NULL COMMENT 'the ''a''', "
	    "b STRING COMMENT \"x\""), "struct<a:int,b:string>");
	ck_assert_str_eq(type_name("`a b` INT, `c``d` STRING"),
	    "struct<a b:int,c`d:string>");
	ck_assert_str_eq(type_name("STRUCT<a: INT, b: STRING>"),
	    "struct<a:int,b:string>");
	ck_assert_str_eq(type_name("a ARRAY<ARRAY<DOUBLE>>"),
	    "struct<a:array<array<double>>>");
	ck_assert_str_eq(type_name("a STRUCT<>"), "struct<a:struct<>>");
}
END_TEST

START_TEST(test_ddl_errors)
{
	ck_assert_str_eq(type_name(""),
	    "ERROR schema: name expected at character 1");
	ck_assert_str_eq(type_name("a"),
	    "ERROR schema: data type expected at character 2");
	ck_assert_str_eq(type_name("a DECIMAL(10,2)"),
	    "ERROR schema: unsupported data type 'decimal' (kinpipe casts "
	    "STRING, FLOAT, DOUBLE, INT, BIGINT, BOOLEAN, TIMESTAMP, STRUCT "
	    "and ARRAY)");
	ck_assert_str_eq(type_name("a INT b INT"),
	    "ERROR schema: ',' or end of schema expected at character 7");
	ck_assert_str_eq(type_name("a INT, a STRING"),
	    "ERROR schema: duplicate field name 'a'");
	ck_assert_str_eq(type_name("a ARRAY<INT"),
	    "ERROR schema: '>' expected at character 12");
	ck_assert_str_eq(type_name("a: INT"),
	    "ERROR schema: data type expected at character 2");
	ck_assert_str_eq(type_name("a INT NOT"),
	    "ERROR schema: NULL expected after NOT at character 10");
}
END_TEST

START_TEST(test_json_schema)
{
	const char *text = "{\"type\":\"struct\",\"fields\":["
	    "{\"name\":\"a\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},"
	    "{\"name\":\"b\",\"type\":{\"type\":\"array\",\"elementType\":\"long\","
	    "\"containsNull\":true},\"nullable\":true,\"metadata\":{}},"
	    "{\"name\":\"c\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":"
	    "\"d\",\"type\":\"timestamp\"}]}}]}";
	json_t *j = json_loads(text, 0, NULL);
	struct sc_type t;
	struct sb s = SB_INIT;
	struct eb e;

	ck_assert_int_eq(sc_parse_json(j, &t, &e), 0);
	sc_type_name(&t, &s);
	ck_assert_str_eq(sb_cstr(&s), "struct<a:int,b:array<bigint>,"
	    "c:struct<d:timestamp>>");
	sc_free(&t);
	json_decref(j);
	j = json_loads("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\","
	    "\"type\":\"decimal(10,2)\"}]}", 0, NULL);
	ck_assert_int_eq(sc_parse_json(j, &t, &e), -1);
	ck_assert_str_eq(e.msg, "schema: field 'a': unsupported data type "
	    "\"decimal(10,2)\"");
	json_decref(j);
	sb_free(&s);
}
END_TEST

/* Cast `json` (one value) to the type of field x in ddl. */
static const char *
cast(const char *ddl, const char *json, int *bad)
{
	static char buf[512];
	struct sc_type t;
	struct sc_cast c;
	struct sb out = SB_INIT, arr = SB_INIT;
	struct rec r;
	struct eb e;

	/* the value as the one element of an array, indexed as records are */
	sb_printf(&arr, "[%s]", json);
	rec_init(&r);
	ck_assert_int_eq(sc_parse_ddl(ddl, &t, &e), 0);
	ck_assert_int_eq(rec_parse(&r, arr.buf, arr.len, &e), 0);
	ck_assert_uint_eq(r.n, 1);
	sc_cast_init(&c);
	*bad = sc_cast_value(&c, &t.fields[0].type, &r.m[0], 1, &out);
	snprintf(buf, sizeof(buf), "%s", sb_cstr(&out));
	sb_free(&out);
	sb_free(&arr);
	rec_free(&r);
	sc_cast_free(&c);
	sc_free(&t);
	return buf;
}

#define CAST(ddl, in, want, wantbad) do {				\
	int bad_;							\
	ck_assert_str_eq(cast(ddl, in, &bad_), want);			\
	ck_assert_int_eq(bad_, wantbad);				\
} while (0)

START_TEST(test_casts)
{
	/* FLOAT: the nearest float, printed shortest */
	CAST("x FLOAT", "0.1", "0.1", 0);
	CAST("x FLOAT", "39995.3891", "39995.39", 0);
	CAST("x FLOAT", "16777217", "16777216", 0);
	CAST("x FLOAT", "1", "1", 0);
	CAST("x FLOAT", "1e39", "\"Infinity\"", 0);
	CAST("x FLOAT", "\"NaN\"", "\"NaN\"", 0);
	CAST("x FLOAT", "\"-INF\"", "\"-Infinity\"", 0);
	CAST("x FLOAT", "\"+Infinity\"", "\"Infinity\"", 0);
	CAST("x FLOAT", "\"N\\u0061N\"", "\"NaN\"", 0);	/* read decoded */
	CAST("x FLOAT", "\"1.5\"", "null", 1);	/* string where a number is */
	CAST("x FLOAT", "\"\"", "null", 1);	/* SPARK-25040 */
	CAST("x FLOAT", "true", "null", 1);
	CAST("x FLOAT", "null", "null", 0);
	/* DOUBLE */
	CAST("x DOUBLE", "0.1", "0.1", 0);
	CAST("x DOUBLE", "39995.3891", "39995.3891", 0);
	CAST("x DOUBLE", "-1.5e-7", "-1.5e-07", 0);
	CAST("x DOUBLE", "\"Infinity\"", "\"Infinity\"", 0);
	CAST("x DOUBLE", "{}", "null", 1);
	/* INT and BIGINT: integer literals in range only */
	CAST("x INT", "2147483647", "2147483647", 0);
	CAST("x INT", "2147483648", "null", 1);
	CAST("x INT", "-2147483648", "-2147483648", 0);
	CAST("x INT", "1.0", "null", 1);
	CAST("x INT", "1e2", "null", 1);
	CAST("x INT", "\"1\"", "null", 1);
	CAST("x INT", "-0", "0", 0);
	CAST("x BIGINT", "9223372036854775807", "9223372036854775807", 0);
	CAST("x BIGINT", "9223372036854775808", "null", 1);
	/* BOOLEAN */
	CAST("x BOOLEAN", "true", "true", 0);
	CAST("x BOOLEAN", "false", "false", 0);
	CAST("x BOOLEAN", "\"true\"", "null", 1);
	CAST("x BOOLEAN", "1", "null", 1);
	/* STRING: strings as they are, anything else as JSON text */
	CAST("x STRING", "\"a\\u0041\"", "\"a\\u0041\"", 0);
	CAST("x STRING", "12", "\"12\"", 0);
	CAST("x STRING", "1.50", "\"1.5\"", 0);
	CAST("x STRING", "1e2", "\"100.0\"", 0);
	CAST("x STRING", "1e7", "\"1.0E7\"", 0);
	CAST("x STRING", "0.001", "\"0.001\"", 0);
	CAST("x STRING", "0.0001", "\"1.0E-4\"", 0);
	CAST("x STRING", "true", "\"true\"", 0);
	CAST("x STRING", "{ \"a\" : [1, \"\\u0041\"] }",
	    "\"{\\\"a\\\":[1,\\\"A\\\"]}\"", 0);
	/* TIMESTAMP: RFC 3339 or a date, or integer epoch seconds */
	CAST("x TIMESTAMP", "\"2024-01-01T00:00:07\"",
	    "\"2024-01-01T00:00:07Z\"", 0);
	CAST("x TIMESTAMP", "\"2024-01-01T01:00:00.25+01:00\"",
	    "\"2024-01-01T00:00:00.25Z\"", 0);
	CAST("x TIMESTAMP", "\"2024-02-29\"", "\"2024-02-29T00:00:00Z\"", 0);
	CAST("x TIMESTAMP", "\"2023-02-29\"", "null", 1);
	CAST("x TIMESTAMP", "\"2024\\u002d02-29T00:00:07\\u005a\"",
	    "\"2024-02-29T00:00:07Z\"", 0);
	CAST("x TIMESTAMP", "1704067200", "\"2024-01-01T00:00:00Z\"", 0);
	CAST("x TIMESTAMP", "1704067200.5", "null", 1);
	CAST("x TIMESTAMP", "\"\"", "null", 1);
	CAST("x TIMESTAMP", "\"yesterday\"", "null", 1);
	/* STRUCT and ARRAY: one bad member nulls the whole value */
	CAST("x STRUCT<a: INT, b: STRING>", "{\"b\":\"s\",\"z\":1}",
	    "{\"a\":null,\"b\":\"s\"}", 0);
	CAST("x STRUCT<a: INT>", "{\"a\":\"1\"}", "null", 1);
	CAST("x STRUCT<a: INT>", "[1]", "null", 1);
	CAST("x ARRAY<INT>", "[1,null,3]", "[1,null,3]", 0);
	CAST("x ARRAY<INT>", "[1,1.5]", "null", 1);
	CAST("x ARRAY<STRUCT<a: FLOAT>>", "[{\"a\":0.1},{}]",
	    "[{\"a\":0.1},{\"a\":null}]", 0);
	CAST("x ARRAY<INT>", "1", "null", 1);
}
END_TEST

START_TEST(test_project)
{
	const char *doc = "{\"b\":\"x\",\"a\":\"1.5\",\"c\":true,\"a2\":2}";
	struct sc_type t;
	struct sc_cast c;
	struct rec r;
	struct sb out = SB_INIT;
	struct eb e;

	ck_assert_int_eq(sc_parse_ddl("a FLOAT, b STRING, c BOOLEAN, d INT",
	    &t, &e), 0);
	rec_init(&r);
	sc_cast_init(&c);
	ck_assert_int_eq(rec_parse_object(&r, doc, strlen(doc), &e), 0);
	ck_assert_int_eq(sc_project(&c, &t, &r, &out), 1);
	ck_assert_str_eq(sb_cstr(&out),
	    "\"a\":null,\"b\":\"x\",\"c\":true,\"d\":null");
	ck_assert_str_eq(c.why.msg,
	    "field 'a': string where float expected: \"1.5\"");
	sb_reset(&out);
	sc_project_null(&t, &out);
	ck_assert_str_eq(sb_cstr(&out),
	    "\"a\":null,\"b\":null,\"c\":null,\"d\":null");
	sb_free(&out);
	sc_cast_free(&c);
	rec_free(&r);
	sc_free(&t);
}
END_TEST

/* sc's fast float parse must give exactly what strtof gives, over many
 * decimals. */
START_TEST(test_float_paths)
{
	char text[64];
	unsigned seed = 12345;
	int i;

	for (i = 0; i < 300000; i++) {
		struct rec_span v;
		float f, want;

		seed = seed * 1103515245u + 12345u;
		snprintf(text, sizeof(text), "%u.%0*u", (seed >> 8) % 100000,
		    1 + (int)(seed % 7), (seed >> 3) % 10000000);
		v.p = text;
		v.n = strlen(text);
		want = strtof(text, NULL);
		f = sc_parse_float(v);
		ck_assert_msg(f == want, "parse %s", text);
	}
}
END_TEST

/* Texts sc_parse_float reads exactly as strtof does (and sc_parse_double
 * as strtod), including float midpoints, many digits, leading zeros and
 * exponents. */
START_TEST(test_float_edges)
{
	static const char *const texts[] = {
		"0", "-0", "0.0", "1", "-1", "0.1", "16777216", "16777217",
		"16777218", "16777219", "33554433", "0.000000000000000000001",
		"0.00000000000000000000123", "1234567890123456789",
		"12345678901234567890", "0.30000001192092896", "3.4028235e38",
		"3.4028236e38", "1e39", "1.17549435e-38", "1.4e-45", "7e-46",
		"1e-50", "340282346638528859811704183484516925440",
		"2.0000001788139343", "2.000000178813934326171875",
		"1.00000005960464477539062500", "1.0000000596046448",
		"8388608.5", "8388609.5", "39995.3891", "-43394.9972",
		"34280.048", "1e22", "1e23", "123456789e-22", "9007199254740993",
		"0.0000001", "1.5e-7", "4.5e15",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct rec_span v = { texts[i], strlen(texts[i]) };
		float want = strtof(texts[i], NULL), got = sc_parse_float(v);

		ck_assert_msg(memcmp(&want, &got, sizeof(got)) == 0,
		    "parse %s: %a vs %a", texts[i], (double)got, (double)want);
		ck_assert_msg(sc_parse_double(v) == strtod(texts[i], NULL),
		    "parse double %s", texts[i]);
	}
}
END_TEST

/* sc_parse_float and sc_parse_double against strtof and strtod on random
 * JSON numbers of every shape (sign, 1 to 24 integer digits, leading
 * zeros, 0 to 24 fraction digits, exponents), each at the end of its own
 * allocation so that the sanitizer build sees a read past the span (the
 * digits are read eight at a time). */
START_TEST(test_parse_numbers_random)
{
	uint64_t rng = 7;
	char text[80];

	for (int i = 0; i < 400000; i++) {
		uint64_t r = test_rng_next(&rng);
		size_t n = 0;
		int nint = 1 + (int)(r % 24), nfrac = (int)(r >> 8) % 25;
		char *p;

		if (r >> 20 & 1)
			text[n++] = '-';
		if ((r >> 21) % 5 == 0)
			nint = 1 + (int)((r >> 24) % 3);
		for (int k = 0; k < nint; k++)
			text[n++] = (char)('0' + test_rng_next(&rng) % 10);
		if (nint > 1 && text[n - nint] == '0')	/* JSON: no leading 0 */
			text[n - nint] = '1';
		if ((r >> 30) % 3 != 0 && nfrac > 0) {
			text[n++] = '.';
			for (int k = 0; k < nfrac; k++)
				text[n++] = (char)('0' + test_rng_next(&rng) % 10);
		}
		if ((r >> 34) % 4 == 0)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%d",
			    (r >> 36) & 1 ? "e-" : (r >> 37) & 1 ? "E+" : "e",
			    (int)((r >> 40) % 45));
		text[n] = '\0';
		p = malloc(n);
		ck_assert_ptr_nonnull(p);
		memcpy(p, text, n);
		{
			struct rec_span v = { p, n };
			float want = strtof(text, NULL), got = sc_parse_float(v);
			double dwant = strtod(text, NULL), dgot = sc_parse_double(v);

			ck_assert_msg(memcmp(&want, &got, sizeof(got)) == 0,
			    "float %s: %a vs %a", text, (double)got, (double)want);
			ck_assert_msg(memcmp(&dwant, &dgot, sizeof(dgot)) == 0,
			    "double %s: %a vs %a", text, dgot, dwant);
		}
		free(p);
	}
}
END_TEST

/* The shapes sc_num reads with two word loads (1 to 7 integer digits,
 * '.', 1 to 8 fraction digits, eight bytes or more) and their near
 * misses (eight integer digits, nine fraction digits, an exponent after
 * the fraction, spans under eight bytes), every pair of lengths, signs,
 * zeros at either end: against strtof and strtod, each text at the end
 * of its own allocation so the sanitizer build sees a read past it. */
START_TEST(test_parse_short_decimals)
{
	uint64_t rng = 11;
	char text[48];

	for (int nint = 1; nint <= 9; nint++)
		for (int nfrac = 0; nfrac <= 10; nfrac++)
			for (int i = 0; i < 2000; i++) {
				uint64_t r = test_rng_next(&rng);
				size_t n = 0;
				char *p;

				if (r & 1)
					text[n++] = '-';
				for (int k = 0; k < nint; k++)
					text[n++] = (char)('0' +
					    test_rng_next(&rng) % 10);
				if (nint > 1 && text[n - nint] == '0')
					text[n - nint] = (char)('1' + r % 9);
				if ((r >> 1) % 7 == 0) {	/* a lone zero */
					n = r & 1;
					text[n++] = '0';
				}
				if (nfrac > 0) {
					text[n++] = '.';
					for (int k = 0; k < nfrac; k++)
						text[n++] = (char)('0' + ((r >> 4) % 5 == 0 ?
						    0 : test_rng_next(&rng) % 10));
				}
				if ((r >> 8) % 6 == 0)
					n += (size_t)snprintf(text + n,
					    sizeof(text) - n, "%s%d",
					    (r >> 12) & 1 ? "e-" : "E", (int)((r >> 16) % 12));
				text[n] = '\0';
				p = malloc(n);
				ck_assert_ptr_nonnull(p);
				memcpy(p, text, n);
				{
					struct rec_span v = { p, n };
					float want = strtof(text, NULL);
					float got = sc_parse_float(v);
					double dwant = strtod(text, NULL);
					double dgot = sc_parse_double(v);

					ck_assert_msg(memcmp(&want, &got,
					    sizeof(got)) == 0, "float %s: %a vs %a",
					    text, (double)got, (double)want);
					ck_assert_msg(memcmp(&dwant, &dgot,
					    sizeof(dgot)) == 0, "double %s", text);
				}
				free(p);
			}
}
END_TEST

/* sc_project finds the fields in one pass over the members (find_fields):
 * held to the search it replaced, rec_get per field, with sc_cast_value
 * on what it finds, on records of the schema's keys and others in random
 * order, duplicated, escaped (\u0061 for a), or absent. */
static int
project_by_rec_get(struct sc_cast *c, const struct sc_type *t,
    const struct rec *r, struct sb *out)
{
	int bad = 0;

	for (size_t i = 0; i < t->nfields; i++) {
		const struct sc_field *f = &t->fields[i];
		const struct rec_member *m = rec_get(r, f->name, f->namelen);

		if (i)
			sb_addc(out, ',');
		sb_add(out, f->out_key, f->out_keylen);
		if (m == NULL)
			sb_add(out, "null", 4);
		else if (sc_cast_value(c, &f->type, m, 1, out))
			bad = 1;
	}
	return bad;
}

START_TEST(test_project_lookup_random)
{
	static const char *const keys[] = {
		"\"a\"", "\"\\u0061\"", "\"bb\"", "\"timestamp\"",
		"\"euro_rate\"", "\"euro_rat\"", "\"euro_rate_\"", "\"e\"",
		"\"\\u0074imestamp\"", "\"x\"", "\"\"",
	};
	static const char *const vals[] = { "1", "2.5", "\"s\"", "null",
	    "true", "{\"a\":1}", "[1]" };
	struct sc_type t;
	struct sc_cast c;
	struct rec r;
	struct sb doc = SB_INIT, out = SB_INIT, want = SB_INIT;
	struct eb e;
	uint64_t rng = 42;

	ck_assert_int_eq(sc_parse_ddl("timestamp STRING, euro_rate DOUBLE, "
	    "a STRING, bb INT, e BOOLEAN", &t, &e), 0);
	rec_init(&r);
	sc_cast_init(&c);
	for (int round = 0; round < 20000; round++) {
		unsigned n = (unsigned)(test_rng_next(&rng) % 9);

		sb_reset(&doc);
		sb_addc(&doc, '{');
		for (unsigned i = 0; i < n; i++) {
			if (i)
				sb_addc(&doc, ',');
			sb_adds(&doc, keys[test_rng_next(&rng) %
			    (sizeof(keys) / sizeof(keys[0]))]);
			sb_addc(&doc, ':');
			sb_adds(&doc, vals[test_rng_next(&rng) %
			    (sizeof(vals) / sizeof(vals[0]))]);
		}
		sb_addc(&doc, '}');
		ck_assert_int_eq(rec_parse_object(&r, doc.buf, doc.len, &e), 0);
		sb_reset(&out);
		sb_reset(&want);
		(void)sc_project(&c, &t, &r, &out);
		(void)project_by_rec_get(&c, &t, &r, &want);
		ck_assert_msg(out.len == want.len &&
		    memcmp(out.buf, want.buf, out.len) == 0, "%s: %s vs %s",
		    sb_cstr(&doc), sb_cstr(&out), sb_cstr(&want));
	}
	sb_free(&doc);
	sb_free(&out);
	sb_free(&want);
	rec_free(&r);
	sc_cast_free(&c);
	sc_free(&t);
}
END_TEST

/* sc_project's own paths (keys moved in 16-byte blocks of their
 * padding, FLOAT and STRING fields written without sc_cast_value, the
 * text of a float straight into the output) held to the plain appends
 * of project_by_rec_get: names of 1 to 40 bytes, some escaped in the
 * output, values of every kind for both types (1e999 is Infinity), and
 * output buffers that start empty, small or nearly full, so that the
 * test for room both passes and fails. */
START_TEST(test_project_keys_random)
{
	static const char *const vals[] = { "39995.3891", "-0.5", "1e999",
	    "-1e999", "7", "\"NaN\"", "\"2024-01-01T00:00:00\"", "\"a\\\"b\"",
	    "null", "true", "{\"a\":1}", "[1,2]", "123456789012.5" };
	uint64_t rng = 99;

	for (int round = 0; round < 3000; round++) {
		struct sb ddl = SB_INIT, doc = SB_INIT, out = SB_INIT;
		struct sb want = SB_INIT;
		unsigned nf = 1 + (unsigned)(test_rng_next(&rng) % 6), i, k;
		size_t pre;
		struct sc_type t;
		struct sc_cast c;
		struct rec r;
		struct eb e;
		int rc;

		sb_addc(&doc, '{');
		for (i = 0; i < nf; i++) {
			unsigned len = 1 + (unsigned)(test_rng_next(&rng) % 40);
			struct sb name = SB_INIT;

			for (k = 0; k < len; k++)
				sb_addc(&name, k == 0 ? (char)('a' + i) :
				    test_rng_next(&rng) % 9 == 0 ? '"' :
				    (char)('a' + test_rng_next(&rng) % 26));
			sb_adds(&ddl, i ? ", `" : "`");
			sb_add(&ddl, name.buf, name.len);
			sb_adds(&ddl, test_rng_next(&rng) & 1 ? "` FLOAT" :
			    "` STRING");
			if (i)
				sb_addc(&doc, ',');
			jx_put_string(&doc, name.buf, name.len);
			sb_addc(&doc, ':');
			sb_adds(&doc, vals[test_rng_next(&rng) %
			    (sizeof(vals) / sizeof(vals[0]))]);
			sb_free(&name);
		}
		sb_addc(&doc, '}');
		ck_assert_msg(sc_parse_ddl(sb_cstr(&ddl), &t, &e) == 0, "%s: %s",
		    sb_cstr(&ddl), e.msg);
		rec_init(&r);
		sc_cast_init(&c);
		ck_assert_int_eq(rec_parse_object(&r, doc.buf, doc.len, &e), 0);
		/* a prefix that leaves the buffer empty, or 0 to 40 bytes
		 * short of a power of two */
		pre = test_rng_next(&rng) % 3 == 0 ? 0 :
		    256 - (size_t)(test_rng_next(&rng) % 41);
		for (size_t j = 0; j < pre; j++) {
			sb_addc(&out, 'p');
			sb_addc(&want, 'p');
		}
		rc = sc_project(&c, &t, &r, &out);
		ck_assert_int_eq(rc, project_by_rec_get(&c, &t, &r, &want));
		ck_assert_msg(out.len == want.len &&
		    memcmp(out.buf, want.buf, out.len) == 0, "%s: %s vs %s",
		    sb_cstr(&doc), sb_cstr(&out), sb_cstr(&want));
		sb_free(&ddl);
		sb_free(&doc);
		sb_free(&out);
		sb_free(&want);
		rec_free(&r);
		sc_cast_free(&c);
		sc_free(&t);
	}
}
END_TEST

static Suite *
sc_suite(void)
{
	Suite *s = suite_create("sc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ddl);
	tcase_add_test(tc, test_ddl_errors);
	tcase_add_test(tc, test_json_schema);
	tcase_add_test(tc, test_casts);
	tcase_add_test(tc, test_project);
	tcase_add_test(tc, test_project_lookup_random);
	tcase_add_test(tc, test_float_paths);
	tcase_add_test(tc, test_float_edges);
	tcase_add_test(tc, test_parse_numbers_random);
	tcase_add_test(tc, test_parse_short_decimals);
	tcase_add_test(tc, test_project_keys_random);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(sc_suite)
