/* rec: the per-record hot path. Validates one JSON text exactly as RFC 8259
 * allows (grammar, string escapes, UTF-8, number syntax) and indexes the
 * top-level members of an object (or the elements of an array) as byte
 * spans into the caller's buffer, decoding nothing until asked. A stage
 * finds the few fields it owns, decodes only those, and writes the record
 * back by copying untouched members verbatim and splicing in new ones:
 * everything copied was validated, so every record emitted is valid JSON.
 *
 * jansson stays the library for whole documents (schemas, configuration,
 * API answers, state files); this exists because parsing and re-serialising
 * every record with it costs about ten times what the stages may spend. */
#ifndef KP_REC_H
#define KP_REC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/eb.h"
#include "base/sb.h"

enum rec_type {
	REC_NULL, REC_FALSE, REC_TRUE, REC_NUMBER, REC_STRING, REC_OBJECT,
	REC_ARRAY
};

/* Containers may nest this deep, as in jansson (JSON_PARSER_MAX_DEPTH);
 * deeper input is refused (RFC 8259 section 9 lets a parser set a limit). */
#define REC_MAX_DEPTH 2048
#define REC_MAX_DEPTH_TEXT "2048"

struct rec_span {
	const char *p;
	size_t n;
};

struct rec_member {
	struct rec_span key;	/* bytes between the key's quotes, undecoded;
				   empty for array elements */
	struct rec_span val;	/* the value's text; strings keep their quotes */
	struct rec_span whole;	/* from the key's opening quote to the end of
				   the value: what a pass-through copies */
	enum rec_type type;
	unsigned char key_escaped;	/* key holds a backslash escape */
	unsigned char val_escaped;	/* string value holds a backslash escape */
	unsigned char num_int;		/* number with no fraction or exponent */
};

struct rec {
	struct rec_member *m;
	size_t n, cap;
	enum rec_type type;	/* REC_OBJECT or REC_ARRAY */
};

void rec_init(struct rec *r);
void rec_free(struct rec *r);

/* Validate p[0..n) as one JSON object (surrounding whitespace allowed) and
 * index its members. On failure e says "byte N: what", N counting from 1.
 * Beyond RFC 8259's grammar, a \u escape of a lone surrogate is refused
 * (as jansson does), because its decoded form would not be UTF-8. The
 * member array is reused from call to call: no allocation once warm. */
int rec_parse_object(struct rec *r, const char *p, size_t n, struct eb *e);
/* rec_parse_object that also hands over the member named key (the last
 * one, as rec_get finds it) as *found, NULL when absent; when its value
 * is a string, text holds the decoded bytes (as rec_string_decode gives
 * them), decoded in the same pass that validates it; otherwise text is
 * empty. Same verdicts, spans and messages as rec_parse_object. */
int rec_parse_object_decoding(struct rec *r, const char *p, size_t n,
    const char *key, size_t keylen, struct sb *text,
    const struct rec_member **found, struct eb *e);
/* The same two without the fast path for compact members: the reference
 * the unit tests hold rec_parse_object, rec_parse and
 * rec_parse_object_decoding to (want_object: 1 as rec_parse_object, 0
 * as rec_parse). */
int rec_parse_reference(struct rec *r, const char *p, size_t n,
    int want_object, struct eb *e);
int rec_parse_object_decoding_reference(struct rec *r, const char *p,
    size_t n, const char *key, size_t keylen, struct sb *text,
    const struct rec_member **found, struct eb *e);
/* Same for an object or an array (elements get an empty key). */
int rec_parse(struct rec *r, const char *p, size_t n, struct eb *e);
/* Validate one JSON value of any type without indexing it. */
int rec_validate(const char *p, size_t n, enum rec_type *type, struct eb *e);

/* Whether the decoded key of m equals key[0..keylen): rec_get's test of
 * each member. The first byte is compared before memcmp is called: keys
 * of a record mostly differ there or in length, and the call is what
 * costs. rec_key_body_equals compares the body of a validated string
 * (escapes and all) with decoded bytes. */
int rec_key_body_equals(const char *p, const char *end, const char *key,
    size_t keylen);

static inline int
rec_key_is(const struct rec_member *m, const char *key, size_t keylen)
{
	uint64_t a, b, c, d;

	if (!m->key_escaped) {
		if (m->key.n != keylen || (keylen && m->key.p[0] != key[0]))
			return 0;
		if (keylen >= 4 && keylen < 8) {
			/* 4 to 7 bytes ("data"): two overlapping 32-bit
			 * words, no call */
			uint32_t h, i, j, k;

			memcpy(&h, m->key.p, 4);
			memcpy(&i, key, 4);
			memcpy(&j, m->key.p + keylen - 4, 4);
			memcpy(&k, key + keylen - 4, 4);
			return h == i && j == k;
		}
		if (keylen < 8 || keylen > 16)
			return memcmp(m->key.p, key, keylen) == 0;
		/* 8 to 16 bytes: two overlapping words, no call */
		memcpy(&a, m->key.p, 8);
		memcpy(&b, key, 8);
		memcpy(&c, m->key.p + keylen - 8, 8);
		memcpy(&d, key + keylen - 8, 8);
		return a == b && c == d;
	}
	return m->key.n >= keylen &&
	    rec_key_body_equals(m->key.p, m->key.p + m->key.n, key, keylen);
}

/* The member whose decoded key equals key[0..keylen); with duplicate keys
 * the last one wins, as in jansson and Spark. NULL when absent. */
const struct rec_member *rec_get(const struct rec *r, const char *key,
    size_t keylen);
/* The first member whose key a later member repeats, NULL when the keys
 * are unique (rec_dup.c); scratch holds decoded keys. O(n^2): for small
 * records whose duplicates must be refused, never the hot path. */
const struct rec_member *rec_duplicate(const struct rec *r,
    struct sb *scratch);

/* Append the decoded UTF-8 of a validated string value (span with quotes)
 * to out; "\u0000" becomes a NUL byte. */
void rec_string_decode(struct rec_span v, struct sb *out);
/* The bytes between the quotes of a string value: the decoded text itself
 * when the member has no escapes (check m->val_escaped first). */
static inline struct rec_span
rec_string_raw(const struct rec_member *m)
{
	struct rec_span s = { m->val.p + 1, m->val.n - 2 };

	return s;
}
/* The text of a string member: the bytes between its quotes when it has
 * no escape (nothing is copied), else its decoded bytes, put in scratch
 * (reset first). Valid while the record and scratch are unchanged. */
static inline struct rec_span
rec_string_text(const struct rec_member *m, struct sb *scratch)
{
	struct rec_span s;

	if (!m->val_escaped)
		return rec_string_raw(m);
	sb_reset(scratch);
	rec_string_decode(m->val, scratch);
	s.p = scratch->buf ? scratch->buf : "";
	s.n = scratch->len;
	return s;
}

/* Numbers of a validated number span. rec_number: the nearest double.
 * rec_int64: 0, or -1 when not an integer literal or out of range. */
double rec_number(struct rec_span v);
/* rec_number_float: the nearest float, as strtof reads it (NaN when out
 * of memory, like rec_number). */
float rec_number_float(struct rec_span v);
int rec_int64(struct rec_span v, int64_t *out);

/* Length of the well-formed UTF-8 sequence at p[0..n) (RFC 3629: no
 * overlongs, surrogates or code points above U+10FFFF), or 0 if there is
 * none; 1 for ASCII. */
size_t rec_utf8_seq(const char *p, size_t n);

/* Copy a member ("key":value) verbatim into out. */
static inline void
rec_put_member(struct sb *out, const struct rec_member *m)
{
	sb_add(out, m->whole.p, m->whole.n);
}

#endif
