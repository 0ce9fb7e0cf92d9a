/* sc_cast: Spark 3.5's from_json casts (JacksonParser.makeConverter) done
 * on byte spans. What each type takes:
 *   STRING     a string as is; any other value as its compact JSON text,
 *              numbers re-printed as Jackson does (ints as longs, others
 *              as Java's Double.toString)
 *   FLOAT/DOUBLE  a number; the strings "NaN", "Infinity", "+Infinity",
 *              "+INF", "-Infinity", "-INF"
 *   INT/BIGINT an integer literal in range (1.0 and 1e2 are not)
 *   BOOLEAN    true or false
 *   TIMESTAMP  a non-empty string Spark's timestamp parser takes, or an
 *              integer of epoch seconds
 *   STRUCT/ARRAY  an object / an array, every member cast in turn
 * null stays null. Anything else fails the field: Spark then nulls the
 * top-level field and marks the record bad (a partial result), which is
 * what a return of 1 means here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "json/sc.h"
#include "time/tm.h"

void
sc_cast_init(struct sc_cast *c)
{
	memset(c, 0, sizeof(*c));
}

void
sc_cast_free(struct sc_cast *c)
{
	size_t i;

	for (i = 0; i < c->nlevel; i++) {
		rec_free(c->level[i]);
		free(c->level[i]);
	}
	free(c->level);
	sb_free(&c->tmp);
	memset(c, 0, sizeof(*c));
}

static struct rec *
level(struct sc_cast *c, size_t depth)
{
	while (c->nlevel <= depth) {
		struct rec **l = realloc(c->level, (c->nlevel + 1) * sizeof(*l));

		if (l == NULL)
			return NULL;
		c->level = l;
		if ((l[c->nlevel] = malloc(sizeof(**l))) == NULL)
			return NULL;
		rec_init(l[c->nlevel++]);
	}
	return c->level[depth];
}

static const char *const vt_name[] = {
	"null", "boolean", "boolean", "number", "string", "object", "array"
};

static int
mismatch(struct sc_cast *c, const struct sc_type *t, enum rec_type vt,
    struct sb *out)
{
	static const char *const want[] = {
		"string", "float", "double", "int", "bigint", "boolean",
		"timestamp", "struct", "array"
	};

	eb_set(&c->why, "%s where %s expected", vt_name[vt], want[t->kind]);
	sb_add(out, "null", 4);
	return 1;
}

static int
bad(struct sc_cast *c, struct sb *out, const char *what, struct rec_span v)
{
	eb_set(&c->why, "%s: %.*s", what, (int)(v.n > 80 ? 80 : v.n), v.p);
	sb_add(out, "null", 4);
	return 1;
}

static int
span_eq(struct rec_span s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

/* Spark's allowNonNumericNumbers spellings for FLOAT and DOUBLE. */
static int
non_numeric(struct rec_span s, double *out)
{
	if (span_eq(s, "NaN"))
		*out = NAN;
	else if (span_eq(s, "Infinity") || span_eq(s, "+Infinity") ||
	    span_eq(s, "+INF"))
		*out = INFINITY;
	else if (span_eq(s, "-Infinity") || span_eq(s, "-INF"))
		*out = -INFINITY;
	else
		return -1;
	return 0;
}

/* NaN and infinities leave as the strings Spark's to_json writes. */
static int
put_non_finite(struct sb *out, double d)
{
	if (isnan(d))
		sb_adds(out, "\"NaN\"");
	else if (isinf(d))
		sb_adds(out, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
		return -1;
	return 0;
}

/* A FLOAT's text written straight into out, with one test for room
 * (jx_fmt_float may store all of its JX_NUM_MAX bytes), not through a
 * buffer and a second append. */
static inline void
put_float(struct sb *out, float f)
{
	if (!isfinite(f)) {
		put_non_finite(out, f);
		return;
	}
	if (out->cap - out->len < JX_NUM_MAX &&
	    sb_reserve(out, JX_NUM_MAX) != 0)
		return;
	out->len += jx_fmt_float(f, out->buf + out->len);
}

/* Java's Double.toString layout around the shortest digits. */
static void
put_java_double(struct sb *out, double d)
{
	char b[JX_NUM_MAX], dig[24];
	int nd = 0, x, i;
	char *e;
	size_t n;

	if (put_non_finite(out, d) == 0)
		return;
	if (d == 0) {
		sb_adds(out, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	if (d < 0) {
		sb_addc(out, '-');
		d = -d;
	}
	/* %.17e-style digits of the shortest round trip */
	n = jx_fmt_double(d, b);
	e = strpbrk(b, "e");
	x = e ? atoi(e + 1) : 0;
	for (i = 0; b + i < (e ? e : b + n); i++)
		if (b[i] >= '0' && b[i] <= '9')
			dig[nd++] = b[i];
	/* jx gives %g: find the decimal exponent of the first digit */
	if (!e) {
		char *dot = strchr(b, '.');
		int intlen = dot ? (int)(dot - b) : (int)n;

		x = intlen - 1;
		if (b[0] == '0') {	/* 0.000ddd */
			int z = 0;

			for (i = 2; b[i] == '0'; i++)
				z++;
			x = -1 - z;
		}
	}
	i = 0;
	while (i < nd - 1 && dig[i] == '0')
		i++;
	memmove(dig, dig + i, (size_t)(nd - i));
	nd -= i;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (x >= -3 && x < 7) {
		if (x < 0) {
			sb_adds(out, "0.");
			for (i = -1; i > x; i--)
				sb_addc(out, '0');
			sb_add(out, dig, (size_t)nd);
		} else {
			for (i = 0; i <= x; i++)
				sb_addc(out, i < nd ? dig[i] : '0');
			sb_addc(out, '.');
			if (nd > x + 1)
				sb_add(out, dig + x + 1, (size_t)(nd - x - 1));
			else
				sb_addc(out, '0');
		}
		return;
	}
	sb_addc(out, dig[0]);
	sb_addc(out, '.');
	if (nd > 1)
		sb_add(out, dig + 1, (size_t)(nd - 1));
	else
		sb_addc(out, '0');
	sb_printf(out, "E%d", x);
}

/* The compact JSON text of a validated value, as Jackson's generator
 * copies it for a STRING column: no whitespace, strings re-escaped. */
static void
put_compact(struct sb *out, struct rec_span v, struct sb *scratch)
{
	const char *p = v.p, *end = v.p + v.n, *q;

	while (p < end) {
		switch (*p) {
		case ' ': case '\t': case '\n': case '\r':
			p++;
			break;
		case '"': {
			struct rec_span s;

			for (q = p + 1; *q != '"'; q++)
				if (*q == '\\')
					q++;
			s.p = p;
			s.n = (size_t)(q + 1 - p);
			sb_reset(scratch);
			rec_string_decode(s, scratch);
			jx_put_string(out, scratch->buf ? scratch->buf : "",
			    scratch->len);
			p = q + 1;
			break;
		}
		case '-': case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9': {
			struct rec_span s;
			int is_int = 1;

			for (q = p; q < end && strchr("+-0123456789.eE", *q); q++)
				if (*q == '.' || *q == 'e' || *q == 'E')
					is_int = 0;
			s.p = p;
			s.n = (size_t)(q - p);
			if (is_int && s.n == 2 && p[0] == '-' && p[1] == '0')
				sb_addc(out, '0');
			else if (is_int)
				sb_add(out, p, s.n);
			else
				put_java_double(out, sc_parse_double(s));
			p = q;
			break;
		}
		default:
			sb_addc(out, *p++);
		}
	}
}

static int
cast_timestamp(struct sc_cast *c, const struct rec_member *m, struct sb *out)
{
	struct rec_span v = m->val;
	enum rec_type vt = m->type;
	char buf[TM_RFC3339_MAX];
	int64_t us, secs;
	struct rec_span s;
	struct eb e;

	if (vt == REC_NUMBER) {
		if (rec_int64(v, &secs) != 0)
			return bad(c, out, "not integer epoch seconds", v);
		if (secs > INT64_MAX / TM_US_PER_S || secs < INT64_MIN / TM_US_PER_S)
			return bad(c, out, "epoch seconds out of range", v);
		us = secs * TM_US_PER_S;
	} else if (vt == REC_STRING && v.n > 2) {
		s = rec_string_text(m, &c->tmp);
		if (tm_parse_rfc3339(s.p, s.n, &us, &e) != 0) {
			/* Spark's stringToTimestamp also takes a bare date */
			char tmp[32];

			if (s.n != 10)
				return bad(c, out, "not a timestamp", v);
			memcpy(tmp, s.p, 10);
			memcpy(tmp + 10, "T00:00:00", 10);
			if (tm_parse_rfc3339(tmp, 19, &us, &e) != 0)
				return bad(c, out, "not a timestamp", v);
		}
	} else
		return mismatch(c, &(struct sc_type){ .kind = SC_TIMESTAMP }, vt,
		    out);
	sb_addc(out, '"');
	sb_add(out, buf, tm_fmt_rfc3339(us, buf));
	sb_addc(out, '"');
	return 0;
}

static int
cast_real(struct sc_cast *c, const struct sc_type *t,
    const struct rec_member *m, struct sb *out)
{
	struct rec_span v = m->val;
	enum rec_type vt = m->type;
	double d;

	if (vt == REC_NUMBER) {
		if (t->kind == SC_DOUBLE) {
			d = sc_parse_double(v);
			if (put_non_finite(out, d) != 0)
				jx_put_double(out, d);
			return 0;
		}
		put_float(out, sc_parse_float(v));
		return 0;
	}
	if (vt != REC_STRING)
		return mismatch(c, t, vt, out);
	if (non_numeric(rec_string_text(m, &c->tmp), &d) != 0)
		return bad(c, out, t->kind == SC_FLOAT ?
		    "string where float expected" :
		    "string where double expected", v);
	put_non_finite(out, d);
	return 0;
}

static int
cast_integer(struct sc_cast *c, const struct sc_type *t, struct rec_span v,
    enum rec_type vt, struct sb *out)
{
	int64_t i;

	if (vt != REC_NUMBER)
		return mismatch(c, t, vt, out);
	if (rec_int64(v, &i) != 0) {
		int is_int = !memchr(v.p, '.', v.n) && !memchr(v.p, 'e', v.n) &&
		    !memchr(v.p, 'E', v.n);

		return bad(c, out, is_int ? "integer out of range" :
		    "fraction where an integer is expected", v);
	}
	if (t->kind == SC_INT && (i < INT32_MIN || i > INT32_MAX))
		return bad(c, out, "integer out of range for int", v);
	jx_put_int(out, i);
	return 0;
}

int
sc_cast_value(struct sc_cast *c, const struct sc_type *t,
    const struct rec_member *m, size_t depth, struct sb *out)
{
	struct rec_span v = m->val;
	enum rec_type vt = m->type;
	struct rec *r;
	struct eb e;
	size_t i, mark = out->len;

	if (vt == REC_NULL) {
		sb_add(out, "null", 4);
		return 0;
	}
	switch (t->kind) {
	case SC_STRING:
		if (vt == REC_STRING)
			sb_add(out, v.p, v.n);
		else {
			struct sb *scratch = &c->tmp;
			struct sb text = SB_INIT;

			/* put_compact uses tmp for strings; build the text
			 * in its own buffer, then quote it */
			put_compact(&text, v, scratch);
			jx_put_string(out, text.buf ? text.buf : "", text.len);
			sb_free(&text);
		}
		return 0;
	case SC_FLOAT:
	case SC_DOUBLE:
		return cast_real(c, t, m, out);
	case SC_INT:
	case SC_BIGINT:
		return cast_integer(c, t, v, vt, out);
	case SC_BOOLEAN:
		if (vt == REC_TRUE || vt == REC_FALSE) {
			sb_add(out, v.p, v.n);
			return 0;
		}
		return mismatch(c, t, vt, out);
	case SC_TIMESTAMP:
		return cast_timestamp(c, m, out);
	case SC_STRUCT:
		if (vt != REC_OBJECT)
			return mismatch(c, t, vt, out);
		if ((r = level(c, depth)) == NULL ||
		    rec_parse_object(r, v.p, v.n, &e) != 0)
			return bad(c, out, "out of memory", v);
		sb_addc(out, '{');
		for (i = 0; i < t->nfields; i++) {
			const struct sc_field *f = &t->fields[i];
			const struct rec_member *fm = rec_get(r, f->name,
			    f->namelen);

			if (i)
				sb_addc(out, ',');
			sb_add(out, f->out_key, f->out_keylen);
			if (fm == NULL)
				sb_add(out, "null", 4);
			else if (sc_cast_value(c, &f->type, fm, depth + 1,
			    out) != 0) {
				eb_wrap(&c->why, "%s", f->name);
				goto nested_bad;
			}
		}
		sb_addc(out, '}');
		return 0;
	case SC_ARRAY:
		if (vt != REC_ARRAY)
			return mismatch(c, t, vt, out);
		if ((r = level(c, depth)) == NULL ||
		    rec_parse(r, v.p, v.n, &e) != 0)
			return bad(c, out, "out of memory", v);
		sb_addc(out, '[');
		for (i = 0; i < r->n; i++) {
			if (i)
				sb_addc(out, ',');
			if (sc_cast_value(c, t->elem, &r->m[i], depth + 1,
			    out) != 0) {
				eb_wrap(&c->why, "element %zu", i + 1);
				goto nested_bad;
			}
		}
		sb_addc(out, ']');
		return 0;
	}
	return mismatch(c, t, vt, out);
nested_bad:
	/* a bad member spoils the whole value, as in Spark */
	out->len = mark;
	sb_add(out, "null", 4);
	return 1;
}

#define SC_FIND_MAX 64

/* found[i] = rec_get(r, name of field i) for every field of t, in one
 * pass over the members instead of one search per field: each member is
 * tried first against the field after the last one matched (a record's
 * keys mostly come in the schema's order), then against every field.
 * The test is rec_get's own (rec_key_is), and a later member overwrites
 * an earlier one, so with duplicate keys the last wins, as in rec_get.
 * A member matches at most one field because a schema's field names are
 * distinct (sc_parse_ddl and sc_parse_json refuse duplicates). */
static void
find_fields(const struct sc_type *t, const struct rec *r,
    const struct rec_member **found)
{
	size_t i, f, next = 0, nf = t->nfields;

	for (f = 0; f < nf; f++)
		found[f] = NULL;
	if (r->type != REC_OBJECT || nf == 0)
		return;
	for (i = 0; i < r->n; i++) {
		const struct rec_member *m = &r->m[i];

		f = next;
		if (f >= nf || !rec_key_is(m, t->fields[f].name,
		    t->fields[f].namelen)) {
			for (f = 0; f < nf; f++)
				if (f != next && rec_key_is(m,
				    t->fields[f].name, t->fields[f].namelen))
					break;
			if (f == nf)
				continue;
		}
		found[f] = m;
		next = f + 1;
	}
}

/* ",\"key\":" (without the comma for the first field) after one test
 * for room, the key moved in whole 16-byte blocks of its padding
 * (SC_KEY_PAD) rather than by a call to memcpy. */
static inline void
put_key(struct sb *out, const struct sc_field *f, int comma)
{
	size_t n = f->out_keylen, room = 1 + SC_KEY_PAD(n), i;
	char *o;

	if (out->cap - out->len < room && sb_reserve(out, room) != 0)
		return;
	o = out->buf + out->len;
	*o = ',';
	o += comma;
	for (i = 0; i < n; i += 16)
		memcpy(o + i, f->out_key + i, 16);
	out->len += (size_t)comma + n;
}

int
sc_project(struct sc_cast *c, const struct sc_type *t, const struct rec *r,
    struct sb *out)
{
	const struct sc_field *f;
	const struct rec_member *m, *found[SC_FIND_MAX];
	struct eb first;
	size_t i;
	int bad_any = 0, by_pass = t->nfields <= SC_FIND_MAX;

	if (t->nfields == 0)
		return 0;
	if (by_pass)
		find_fields(t, r, found);
	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		put_key(out, f, i != 0);
		m = by_pass ? found[i] : rec_get(r, f->name, f->namelen);
		if (m == NULL) {
			sb_add(out, "null", 4);
			continue;
		}
		/* the usual fields, a number for a FLOAT and a string for
		 * a STRING, done here as sc_cast_value does them, without
		 * its call */
		if (f->type.kind == SC_FLOAT && m->type == REC_NUMBER) {
			put_float(out, sc_parse_float(m->val));
			continue;
		}
		if (f->type.kind == SC_STRING && m->type == REC_STRING) {
			sb_add(out, m->val.p, m->val.n);
			continue;
		}
		if (sc_cast_value(c, &f->type, m, 1, out) != 0) {
			if (!bad_any) {
				eb_wrap(&c->why, "field '%s'", f->name);
				first = c->why;
			}
			bad_any = 1;
		}
	}
	if (bad_any)
		c->why = first;
	return bad_any;
}

void
sc_project_null(const struct sc_type *t, struct sb *out)
{
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		if (i)
			sb_addc(out, ',');
		sb_add(out, t->fields[i].out_key, t->fields[i].out_keylen);
		sb_add(out, "null", 4);
	}
}
