/* libFuzzer harness for rec, with jansson as the oracle: both must agree
 * on whether a byte string is one JSON text, except where jansson refuses
 * valid JSON by design (NUL in an object key, integers beyond 64 bits,
 * reals beyond double range, its own depth count) and where it accepts
 * what is not JSON (a NUL byte after a bare number). For accepted objects
 * and arrays, every member rec indexes must decode to what jansson holds.
 * rec_parse_object_decoding must agree with rec_parse_object, rec_get
 * and rec_string_decode (same verdict, spans, message and decoded text)
 * for the key "data" and for the first key of the input. The fast path
 * for compact members must agree with the general loop it shortcuts
 * (rec_parse_reference, rec_parse_object_decoding_reference): same
 * verdict, message, spans, found member and decoded text.
 * Build and run: see README in this directory. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
jansson_refuses_valid(const json_error_t *err)
{
	switch (json_error_code(err)) {
	case json_error_null_byte_in_key:
	case json_error_numeric_overflow:
	case json_error_stack_overflow:
		return 1;
	default:
		return 0;
	}
}

static int
valid_without_nul_after_token(const char *p, size_t size)
{
	char *q = malloc(size ? size : 1);
	size_t i, n = 0;
	int ok;

	for (i = 0; i < size; i++) {
		char prev = n ? q[n - 1] : 0;

		if (p[i] == '\0' && ((prev >= '0' && prev <= '9') ||
		    (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z')))
			continue;
		q[n++] = p[i];
	}
	ok = rec_validate(q, n, NULL, NULL) == 0;
	free(q);
	return ok;
}

static void
check_member(const struct rec *r, const struct rec_member *m, json_t *doc,
    size_t index)
{
	struct sb key = SB_INIT;
	json_error_t err;
	json_t *want, *got;
	const struct rec_member *found;

	if (r->type == REC_OBJECT) {
		struct rec_span ks = { m->key.p - 1, m->key.n + 2 };

		rec_string_decode(ks, &key);
		want = json_object_getn(doc, key.buf ? key.buf : "", key.len);
		found = rec_get(r, key.buf ? key.buf : "", key.len);
		/* the last duplicate is the one both keep */
		if (want == NULL || found == NULL)
			abort();
		m = found;
	} else
		want = json_array_get(doc, index);
	got = json_loadb(m->val.p, m->val.n, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    &err);
	if (got == NULL || want == NULL || !json_equal(got, want))
		abort();
	if (m->type == REC_STRING) {
		struct sb s = SB_INIT;

		rec_string_decode(m->val, &s);
		if (s.len != json_string_length(want) ||
		    (s.len && memcmp(s.buf, json_string_value(want), s.len)))
			abort();
		sb_free(&s);
	}
	if (m->type == REC_NUMBER && m->num_int && json_is_integer(want)) {
		int64_t v;

		if (rec_int64(m->val, &v) != 0 ||
		    v != (int64_t)json_integer_value(want))
			abort();
	}
	json_decref(got);
	sb_free(&key);
}

static int
same_member(const struct rec_member *a, const struct rec_member *b)
{
	return a->key.p == b->key.p && a->key.n == b->key.n &&
	    a->val.p == b->val.p && a->val.n == b->val.n &&
	    a->whole.p == b->whole.p && a->whole.n == b->whole.n &&
	    a->type == b->type && a->key_escaped == b->key_escaped &&
	    a->val_escaped == b->val_escaped && a->num_int == b->num_int;
}

static void
check_decoding(const char *p, size_t size, const char *key, size_t keylen)
{
	struct rec a, b;
	struct sb text = SB_INIT, dec = SB_INIT;
	const struct rec_member *found, *want;
	struct eb ea, eb2;
	int ra, rb;
	size_t i;

	rec_init(&a);
	rec_init(&b);
	ra = rec_parse_object_decoding(&a, p, size, key, keylen, &text, &found,
	    &ea);
	rb = rec_parse_object(&b, p, size, &eb2);
	if ((ra == 0) != (rb == 0))
		abort();
	if (ra != 0 && (found != NULL || strcmp(ea.msg, eb2.msg) != 0))
		abort();
	if (ra == 0) {
		if (a.n != b.n)
			abort();
		for (i = 0; i < a.n; i++)
			if (!same_member(&a.m[i], &b.m[i]))
				abort();
		want = rec_get(&b, key, keylen);
		if ((found == NULL) != (want == NULL) ||
		    (found && found - a.m != want - b.m))
			abort();
		if (found && found->type == REC_STRING) {
			rec_string_decode(want->val, &dec);
			if (dec.len != text.len ||
			    (dec.len && memcmp(dec.buf, text.buf, dec.len)))
				abort();
		} else if (text.len != 0)
			abort();
	}
	sb_free(&text);
	sb_free(&dec);
	rec_free(&a);
	rec_free(&b);
}

/* rec_parse_object, rec_parse and rec_parse_object_decoding against the
 * general loop without the fast path. */
static void
check_reference(const char *p, size_t size, const char *key, size_t keylen)
{
	struct rec a, b;
	struct sb ta = SB_INIT, tb = SB_INIT;
	const struct rec_member *fa, *fb;
	struct eb ea, eb2;
	int ra, rb, obj;
	size_t i;

	rec_init(&a);
	rec_init(&b);
	for (obj = 0; obj < 2; obj++) {
		ra = obj ? rec_parse_object(&a, p, size, &ea) :
		    rec_parse(&a, p, size, &ea);
		rb = rec_parse_reference(&b, p, size, obj, &eb2);
		if (ra != rb || (ra != 0 && strcmp(ea.msg, eb2.msg) != 0))
			abort();
		if (ra == 0 && (a.n != b.n || a.type != b.type))
			abort();
		for (i = 0; ra == 0 && i < a.n; i++)
			if (!same_member(&a.m[i], &b.m[i]))
				abort();
	}
	ra = rec_parse_object_decoding(&a, p, size, key, keylen, &ta, &fa, &ea);
	rb = rec_parse_object_decoding_reference(&b, p, size, key, keylen, &tb,
	    &fb, &eb2);
	if (ra != rb || (ra != 0 && strcmp(ea.msg, eb2.msg) != 0))
		abort();
	if (ra == 0) {
		if (a.n != b.n || (fa == NULL) != (fb == NULL) ||
		    (fa && fa - a.m != fb - b.m) || ta.len != tb.len ||
		    (ta.len && memcmp(ta.buf, tb.buf, ta.len) != 0))
			abort();
		for (i = 0; i < a.n; i++)
			if (!same_member(&a.m[i], &b.m[i]))
				abort();
	}
	sb_free(&ta);
	sb_free(&tb);
	rec_free(&a);
	rec_free(&b);
}

static void
check_decodings(const char *p, size_t size)
{
	struct rec r;
	struct sb key = SB_INIT;
	struct eb e;

	check_decoding(p, size, "data", 4);
	check_reference(p, size, "data", 4);
	rec_init(&r);
	if (rec_parse_object(&r, p, size, &e) == 0 && r.n > 0) {
		struct rec_span ks = { r.m[0].key.p - 1, r.m[0].key.n + 2 };

		rec_string_decode(ks, &key);
		check_decoding(p, size, key.buf ? key.buf : "", key.len);
		check_reference(p, size, key.buf ? key.buf : "", key.len);
	}
	sb_free(&key);
	rec_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	json_error_t err;
	struct eb e;
	struct rec r;
	enum rec_type t = REC_NULL;
	json_t *doc;
	int ours;
	size_t i;

	check_decodings(p, size);
	ours = rec_validate(p, size, &t, &e) == 0;
	doc = json_loadb(p, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (doc == NULL && jansson_refuses_valid(&err))
		return 0;
	/* jansson 2.14 skips a NUL byte that directly follows a number or a
	 * literal ("[1\0]" loads as [1]): its leniency, not a disagreement */
	if (doc != NULL && !ours && memchr(p, '\0', size) != NULL &&
	    valid_without_nul_after_token(p, size)) {
		json_decref(doc);
		return 0;
	}
	if (ours != (doc != NULL))
		abort();
	rec_init(&r);
	if (ours && (t == REC_OBJECT || t == REC_ARRAY)) {
		if (rec_parse(&r, p, size, &e) != 0 || r.type != t)
			abort();
	} else if (rec_parse(&r, p, size, &e) == 0)
		abort();
	if (doc && (t == REC_OBJECT || t == REC_ARRAY))
		for (i = 0; i < r.n; i++)
			check_member(&r, &r.m[i], doc, i);
	rec_free(&r);
	json_decref(doc);
	return 0;
}
