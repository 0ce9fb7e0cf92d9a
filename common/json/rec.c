/* rec: RFC 8259 validation and top-level indexing by byte spans.
 *
 * Written by hand because no packaged library both validates exactly what
 * RFC 8259 allows (jsmn accepts invalid UTF-8 and bad escapes; jansson
 * builds a whole tree) and reports spans at the speed the stages need: the
 * string scanner skips sixteen plain bytes at a time with SSE2 (eight with
 * plain 64-bit arithmetic elsewhere), which is where most of the time of
 * a record goes (a Kinesis envelope of ~274 bytes is mostly one escaped
 * string). Containers are walked with an explicit stack, never recursion,
 * so a hostile line cannot overflow the C stack. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json/rec.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The outcome of scanning: where the error was and why, turned into text
 * only when a caller asked for it. */
struct px {
	const char *base;
	const char *end;
	struct eb *e;
};

static int
fail(struct px *x, const char *at, const char *what)
{
	return eb_set(x->e, "byte %zu: %s", (size_t)(at - x->base) + 1, what);
}

static const unsigned char ws_tab[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

static inline const char *
skip_ws(const char *p, const char *end)
{
	if (p < end && (unsigned char)*p > ' ')	/* compact JSON */
		return p;
	while (p < end && ws_tab[(unsigned char)*p])
		p++;
	return p;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define REC_SWAR 1
#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Nonzero when one of the eight bytes of w is '"', '\\', a control
 * character or a non-ASCII byte. The lowest flagged byte is always a true
 * match (borrows only spill upwards), which is all the caller uses. */
static inline uint64_t
special8(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"');
	uint64_t b = w ^ (ONES * '\\');
	uint64_t lo = (w - ONES * 0x20) & ~w;
	uint64_t zq = (q - ONES) & ~q;
	uint64_t zb = (b - ONES) & ~b;

	return (lo | zq | zb | w) & HIGHS;
}
#endif

static const unsigned char hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Four hex digits at p (caller checked there are four); -1 if not hex. */
static inline int
hex4(const char *p)
{
	int a = hexval[(unsigned char)p[0]], b = hexval[(unsigned char)p[1]];
	int c = hexval[(unsigned char)p[2]], d = hexval[(unsigned char)p[3]];

	if (!a || !b || !c || !d)
		return -1;
	return (a - 1) << 12 | (b - 1) << 8 | (c - 1) << 4 | (d - 1);
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 table 4.1:
 * no overlongs, no encoded surrogates, nothing above U+10FFFF), or 0. */
static inline size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		n = 2;
	else if (c < 0xF0) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c < 0xF5) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

static size_t decode_escape(const char **pp, char *buf);

/* What the two-character escapes stand for (RFC 8259 section 7); 0 for
 * the characters that may not follow a backslash ('u' is read apart). */
static const unsigned char simple_escape[256] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f',
	['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
};

/* p is just past the opening quote; returns just past the closing one.
 * With out non-NULL the decoded bytes are also written at *out (which
 * has room for the string's length plus 16: plain runs are stored 16 or
 * eight bytes at a time), and *out is left just past them. Inlined twice, so
 * the validating-only copy carries no trace of the decoding. */
static inline __attribute__((always_inline)) const char *
scan_string_into(struct px *x, const char *p, unsigned char *escaped,
    char **out)
{
	const char *end = x->end;
	char *o = out ? *out : NULL;
	int u, v;
	size_t n;

	for (;;) {
#ifdef __SSE2__
		while (end - p >= 16) {
			__m128i w = _mm_loadu_si128((const __m128i *)p);
			__m128i q = _mm_cmpeq_epi8(w, _mm_set1_epi8('"'));
			__m128i b = _mm_cmpeq_epi8(w, _mm_set1_epi8('\\'));
			/* signed w < 0x20: a control character or a
			 * non-ASCII byte (0x80..0xFF are negative), in one
			 * comparison */
			__m128i c = _mm_cmplt_epi8(w, _mm_set1_epi8(0x20));
			unsigned mask = (unsigned)_mm_movemask_epi8(
			    _mm_or_si128(_mm_or_si128(q, b), c));

			unsigned char e;

			if (out)
				_mm_storeu_si128((__m128i *)o, w);
			if (mask == 0) {
				p += 16;
				if (out)
					o += 16;
				continue;
			}
			n = (size_t)__builtin_ctz(mask);
			p += n;
			if (out)
				o += n;
			/* the closing quote and the two-character escapes
			 * (a JSON document inside a string is mostly \")
			 * are handled here, without a round through the
			 * switch below; the same tests as there */
			if (*p == '"') {
				if (out)
					*out = o;
				return p + 1;
			}
			if (*p != '\\' || end - p < 2 ||
			    (e = simple_escape[(unsigned char)p[1]]) == 0)
				goto special;
			*escaped = 1;
			if (out)
				*o++ = (char)e;
			p += 2;
		}
		/* Validating only, the last bytes (fewer than 16) tested
		 * at once too: the 16 that end at the end of the text,
		 * when it has that many, their mask moved down past the
		 * bytes before p. A record's last members end here, and
		 * the loops below took them a byte or eight at a time. */
		if (!out && p < end && end - x->base >= 16) {
			__m128i w = _mm_loadu_si128((const __m128i *)(end - 16));
			__m128i q = _mm_cmpeq_epi8(w, _mm_set1_epi8('"'));
			__m128i b = _mm_cmpeq_epi8(w, _mm_set1_epi8('\\'));
			__m128i c = _mm_cmplt_epi8(w, _mm_set1_epi8(0x20));
			unsigned mask = (unsigned)_mm_movemask_epi8(
			    _mm_or_si128(_mm_or_si128(q, b), c)) >>
			    (16 - (end - p));

			if (mask == 0) {
				p = end;
				fail(x, p, "unterminated string");
				return NULL;
			}
			p += __builtin_ctz(mask);
			goto special;
		}
#endif
#ifdef REC_SWAR
		while (end - p >= 8) {
			uint64_t w, s;

			memcpy(&w, p, 8);
			if (out)
				memcpy(o, &w, 8);
			s = special8(w);
			if (s) {
				n = (size_t)(__builtin_ctzll(s) >> 3);
				p += n;
				if (out)
					o += n;
				goto special;
			}
			p += 8;
			if (out)
				o += 8;
		}
#endif
		/* the tail one byte at a time */
		while (p < end) {
			unsigned char c = (unsigned char)*p;

			if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
				goto special;
			if (out)
				*o++ = (char)c;
			p++;
		}
		fail(x, p, "unterminated string");
		return NULL;
special:
		switch (*p) {
		case '"':
			if (out)
				*out = o;
			return p + 1;
		case '\\':
			*escaped = 1;
			if (end - p < 2) {
				fail(x, p, "unterminated string");
				return NULL;
			}
			if (simple_escape[(unsigned char)p[1]]) {
				if (out)
					*o++ = (char)simple_escape[
					    (unsigned char)p[1]];
				p += 2;
				continue;
			}
			if (p[1] != 'u') {
				fail(x, p, "invalid escape in string");
				return NULL;
			}
			if (end - p < 6 || (u = hex4(p + 2)) < 0) {
				fail(x, p, "invalid \\u escape in string");
				return NULL;
			}
			if (u >= 0xDC00 && u <= 0xDFFF) {
				fail(x, p, "lone low surrogate in \\u escape");
				return NULL;
			}
			if (u >= 0xD800 && u <= 0xDBFF) {
				/* output must be valid UTF-8, so a high surrogate
				 * needs its low half, as in jansson */
				if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
				    (v = hex4(p + 8)) < 0xDC00 || v > 0xDFFF) {
					fail(x, p, "lone high surrogate in \\u escape");
					return NULL;
				}
			}
			if (out) {
				/* through a copy: p itself never has its
				 * address taken, so it stays in a register
				 * in the loops above */
				const char *q = p;

				o += decode_escape(&q, o);
				p = q;
			} else
				p += u >= 0xD800 && u <= 0xDBFF ? 12 : 6;
			continue;
		default:
			if ((unsigned char)*p < 0x20) {
				fail(x, p, "control character in string");
				return NULL;
			}
			n = utf8_len((const unsigned char *)p,
			    (const unsigned char *)end);
			if (n == 0) {
				fail(x, p, "invalid UTF-8");
				return NULL;
			}
			if (out) {
				memcpy(o, p, n);
				o += n;
			}
			p += n;
		}
	}
}

static const char *
scan_string(struct px *x, const char *p, unsigned char *escaped)
{
	return scan_string_into(x, p, escaped, NULL);
}

static inline int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Bytes that would continue a number: one of them right after a
 * complete number means the text is not a number ("01", "1.5.", "1e5e") */
static const unsigned char num_more[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['.'] = 1, ['e'] = 1, ['E'] = 1, ['+'] = 1, ['-'] = 1,
};

/* p just past the first digit of a run; returns the end of the run.
 * Eight bytes are tested at a time while eight remain (numbers are
 * mostly digits nobody reads, and a byte loop cost a sixth of
 * window-avg); never a byte past end. */
static inline const char *
skip_digits(const char *p, const char *end, const char *base)
{
#ifdef REC_SWAR
	uint64_t w, d, nd;

	while (end - p >= 8) {
		memcpy(&w, p, 8);
		/* digits become 0..9; a byte is one iff adding 0x76 leaves
		 * its top bit clear and it was clear to begin with. Carries
		 * only leave bytes that are already flagged, and only
		 * upwards, so the lowest flagged byte is a true non-digit */
		d = w ^ (ONES * '0');
		nd = ((d + ONES * 0x76) | d) & HIGHS;
		if (nd)
			return p + (__builtin_ctzll(nd) >> 3);
		p += 8;
	}
	/* fewer than eight left: the eight that end at the end of the
	 * text (base is its start), moved down past the bytes before p;
	 * the zeros shifted in are not digits */
	if (p < end && end - base >= 8) {
		memcpy(&w, end - 8, 8);
		w >>= 8 * (8 - (end - p));
		d = w ^ (ONES * '0');
		nd = ((d + ONES * 0x76) | d) & HIGHS;
		return p + (__builtin_ctzll(nd) >> 3);
	}
#else
	(void)base;
#endif
	while (p < end && is_digit(*p))
		p++;
	return p;
}

/* RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * Inlined into parse_top, where most numbers are met: the call cost a
 * tenth of a short number's scan. */
static inline __attribute__((always_inline)) const char *
scan_number(struct px *x, const char *p, unsigned char *is_int)
{
	const char *end = x->end;
	unsigned char c;

	*is_int = 1;
	if (p < end && *p == '-')
		p++;
	if (p >= end || !is_digit(*p)) {
		fail(x, p, "invalid number");
		return NULL;
	}
	if (*p == '0')
		p++;
	else
		p = skip_digits(p + 1, end, x->base);
	if (p == end)
		return p;
	c = (unsigned char)*p;
	if (c == '.') {
		*is_int = 0;
		p++;
		if (p >= end || !is_digit(*p)) {
			fail(x, p, "invalid number: digit expected after '.'");
			return NULL;
		}
		p = skip_digits(p + 1, end, x->base);
		if (p == end)
			return p;
		c = (unsigned char)*p;
	}
	if ((c | 0x20) == 'e') {	/* 'e' or 'E' and nothing else */
		*is_int = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p)) {
			fail(x, p, "invalid number: digit expected in exponent");
			return NULL;
		}
		p = skip_digits(p + 1, end, x->base);
		if (p == end)
			return p;
		c = (unsigned char)*p;
	}
	/* "01" or "1x" are not one number followed by more: say it here,
	 * where the message can be precise */
	if (num_more[c]) {
		fail(x, p, "invalid number");
		return NULL;
	}
	return p;
}

static const char *
scan_literal(struct px *x, const char *p, const char *word, size_t n)
{
	if ((size_t)(x->end - p) < n || memcmp(p, word, n) != 0) {
		fail(x, p, "invalid literal");
		return NULL;
	}
	return p + n;
}

struct valinfo {
	enum rec_type type;
	unsigned char escaped;
	unsigned char num_int;
};

/* One value starting at p (no leading whitespace); returns its end.
 * Containers are walked iteratively with one byte of stack per level. */
static const char *
scan_value(struct px *x, const char *p, struct valinfo *vi)
{
	unsigned char stack[REC_MAX_DEPTH];
	const char *end = x->end;
	unsigned char dummy;
	size_t depth = 0;
	int first = 1;

value:
	if (p >= end) {
		fail(x, p, "unexpected end of input, value expected");
		return NULL;
	}
	switch (*p) {
	case '{':
	case '[':
		if (first) {
			vi->type = *p == '{' ? REC_OBJECT : REC_ARRAY;
			first = 0;
		}
		if (depth == REC_MAX_DEPTH) {
			fail(x, p, "nesting deeper than "
			    REC_MAX_DEPTH_TEXT " levels");
			return NULL;
		}
		stack[depth++] = (unsigned char)*p;
		p = skip_ws(p + 1, end);
		if (p < end && *p == (stack[depth - 1] == '{' ? '}' : ']')) {
			depth--;
			p++;
			goto after;
		}
		if (stack[depth - 1] == '{')
			goto key;
		goto value;
	case '"':
		if (first) {
			vi->type = REC_STRING;
			vi->escaped = 0;
			p = scan_string(x, p + 1, &vi->escaped);
		} else
			p = scan_string(x, p + 1, &dummy);
		break;
	case 't':
		if (first)
			vi->type = REC_TRUE;
		p = scan_literal(x, p, "true", 4);
		break;
	case 'f':
		if (first)
			vi->type = REC_FALSE;
		p = scan_literal(x, p, "false", 5);
		break;
	case 'n':
		if (first)
			vi->type = REC_NULL;
		p = scan_literal(x, p, "null", 4);
		break;
	default:
		if (*p != '-' && !is_digit(*p)) {
			fail(x, p, "unexpected character, value expected");
			return NULL;
		}
		if (first) {
			vi->type = REC_NUMBER;
			p = scan_number(x, p, &vi->num_int);
		} else
			p = scan_number(x, p, &dummy);
		break;
	}
	if (p == NULL)
		return NULL;
	first = 0;
after:
	if (depth == 0)
		return p;
	p = skip_ws(p, end);
	if (p >= end) {
		fail(x, p, "unexpected end of input in container");
		return NULL;
	}
	if (*p == ',') {
		p = skip_ws(p + 1, end);
		if (stack[depth - 1] == '{')
			goto key;
		goto value;
	}
	if (*p == (stack[depth - 1] == '{' ? '}' : ']')) {
		depth--;
		p++;
		goto after;
	}
	fail(x, p, stack[depth - 1] == '{' ? "',' or '}' expected in object" :
	    "',' or ']' expected in array");
	return NULL;
key:
	if (p >= end || *p != '"') {
		fail(x, p, "string key expected in object");
		return NULL;
	}
	p = scan_string(x, p + 1, &dummy);
	if (p == NULL)
		return NULL;
	p = skip_ws(p, end);
	if (p >= end || *p != ':') {
		fail(x, p, "':' expected after object key");
		return NULL;
	}
	p = skip_ws(p + 1, end);
	goto value;
}

void
rec_init(struct rec *r)
{
	r->m = NULL;
	r->n = r->cap = 0;
	r->type = REC_OBJECT;
}

void
rec_free(struct rec *r)
{
	free(r->m);
	rec_init(r);
}

static struct rec_member *
add_member(struct rec *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct rec_member *m = realloc(r->m, cap * sizeof(*m));

		if (m == NULL)
			return NULL;
		r->m = m;
		r->cap = cap;
	}
	return &r->m[r->n++];
}

static int
trailer(struct px *x, const char *p)
{
	p = skip_ws(p, x->end);
	if (p != x->end)
		return fail(x, p, "unexpected data after the JSON value");
	return 0;
}

/* The top level walked by hand so each member's spans can be recorded;
 * everything below it goes through scan_value. */
/* What rec_parse_object_decoding asks of parse_top besides indexing. */
struct want {
	const char *key;
	size_t keylen;
	struct sb *text;
	size_t found;		/* index of the last member named key, + 1 */
};

/* rec_key_is, under the name the scanners use. */
#define key_equals rec_key_is

/* The wanted member's string value scanned and decoded in one pass. */
static const char *
scan_wanted_string(struct px *x, const char *p, struct valinfo *vi,
    struct sb *text)
{
	char *o;

	vi->type = REC_STRING;
	vi->escaped = 0;
	/* decoded text is never longer than the rest of the input */
	if (sb_reserve(text, (size_t)(x->end - p) + 16) != 0) {
		eb_set(x->e, "out of memory");
		return NULL;
	}
	o = text->buf;
	p = scan_string_into(x, p + 1, &vi->escaped, &o);
	if (p != NULL)
		text->len = (size_t)(o - text->buf);
	return p;
}

/* One member of a compact object whose key is plain ASCII of at most 31
 * bytes followed at once by ':' and a string or a number: the usual
 * member, read with none of the general loop's tests for blanks,
 * escapes in the key or other types of value. p is at the key's opening
 * quote. Returns the end of the value with *m filled in; NULL when the
 * member is not of that kind (nothing is written but scratch in *m: the
 * general loop then reads it from p); REC_FAST_ERR when its value is
 * invalid, with the error the general loop gives for it set (the same
 * scanners, at the same place). */
static const char rec_fast_err_byte;
#define REC_FAST_ERR (&rec_fast_err_byte)

static inline __attribute__((always_inline)) const char *
fast_member(struct px *x, const char *p, struct rec_member *m,
    struct want *w, size_t index)
{
#ifdef __SSE2__
	const char *end = x->end, *q, *v;
	__m128i b;
	unsigned mask, k;
	unsigned char esc = 0, is_int = 0;

	/* room for the key's 16-byte loads, ':' and the value's first
	 * byte */
	if (end - p < 20)
		return NULL;
	b = _mm_loadu_si128((const __m128i *)(p + 1));
	mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
	    _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(b, _mm_set1_epi8('\\'))),
	    _mm_cmplt_epi8(b, _mm_set1_epi8(0x20))));
	if (__builtin_expect(mask == 0, 0)) {	/* a key of 16 to 31 bytes */
		if (end - p < 36)
			return NULL;
		b = _mm_loadu_si128((const __m128i *)(p + 17));
		mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('"')),
		    _mm_cmpeq_epi8(b, _mm_set1_epi8('\\'))),
		    _mm_cmplt_epi8(b, _mm_set1_epi8(0x20))));
		if (mask == 0)
			return NULL;
		k = 16 + (unsigned)__builtin_ctz(mask);
	} else
		k = (unsigned)__builtin_ctz(mask);
	q = p + 1 + k;
	if (*q != '"' || q[1] != ':')
		return NULL;
	m->key.p = p + 1;
	m->key.n = k;
	m->key_escaped = 0;
	v = q + 2;
	/* the member whose string the caller wants decoded: read here as
	 * the general loop reads it (the same steps, in the same order),
	 * so that its key is not scanned twice */
	if (w && key_equals(m, w->key, w->keylen)) {
		struct valinfo vi;

		if (*v != '"' && *v != '-' && !is_digit(*v))
			return NULL;
		w->found = index + 1;
		w->text->len = 0;
		if (*v == '"') {
			q = scan_wanted_string(x, v, &vi, w->text);
			esc = vi.escaped;
			m->type = REC_STRING;
		} else {
			q = scan_number(x, v, &is_int);
			m->type = REC_NUMBER;
		}
	} else if (*v == '"') {
		q = scan_string_into(x, v + 1, &esc, NULL);
		m->type = REC_STRING;
	} else if (*v == '-' || is_digit(*v)) {
		q = scan_number(x, v, &is_int);
		m->type = REC_NUMBER;
	} else
		return NULL;
	if (q == NULL)
		return REC_FAST_ERR;
	m->whole.p = p;
	m->whole.n = (size_t)(q - p);
	m->val.p = v;
	m->val.n = (size_t)(q - v);
	m->val_escaped = esc;
	m->num_int = is_int;
	return q;
#else
	(void)x; (void)p; (void)m; (void)w;
	return NULL;
#endif
}

/* Usual members (fast_member) one after the other from p, a key's
 * opening quote, into the member array's free slots, while each is
 * followed at once by ',' and the next key's quote. Returns where the
 * general loop takes over: *state 0, p at a member not read (another
 * kind, or no free slot); 1, just past the value of the last member
 * read, its separator not looked at; -1, an invalid value, the error
 * set (NULL returned). */
static const char *
fast_members(struct rec *r, struct px *x, const char *p,
    struct want *w, int *state)
{
	const char *end = x->end, *f;

	for (;;) {
		if (r->n == r->cap) {
			*state = 0;
			return p;
		}
		f = fast_member(x, p, &r->m[r->n], w, r->n);
		if (f == NULL) {
			*state = 0;
			return p;
		}
		if (f == REC_FAST_ERR) {
			*state = -1;
			return NULL;
		}
		r->n++;
		if (end - f > 1 && f[0] == ',' && f[1] == '"') {
			p = f + 1;
			continue;
		}
		*state = 1;
		return f;
	}
}

static int
parse_top(struct rec *r, const char *s, size_t n, int want_object,
    struct want *w, int fast, struct eb *e)
{
	struct px x = { s, s + n, e };
	const char *p = skip_ws(s, s + n), *end = s + n;
	struct rec_member *m;
	struct valinfo vi;
	char close;
	int wanted;

	r->n = 0;
	if (p >= end)
		return fail(&x, p, "no JSON value");
	if (*p != '{' && (want_object || *p != '[')) {
		if (!want_object)
			return fail(&x, p, "JSON object or array expected");
		return fail(&x, p, "JSON object expected");
	}
	r->type = *p == '{' ? REC_OBJECT : REC_ARRAY;
	close = *p == '{' ? '}' : ']';
	p = skip_ws(p + 1, end);
	if (p < end && *p == close)
		return trailer(&x, p + 1);
	for (;;) {
		if (fast && close == '}' && p < end && *p == '"') {
			int st;

			p = fast_members(r, &x, p, w, &st);
			if (st < 0)
				return -1;
			if (st > 0)
				goto separator;
		}
		if ((m = add_member(r)) == NULL)
			return eb_set(e, "out of memory");
		if (close == '}') {
			if (p >= end || *p != '"')
				return fail(&x, p, "string key expected in object");
			m->key_escaped = 0;
			m->whole.p = p;
			m->key.p = p + 1;
			p = scan_string_into(&x, p + 1, &m->key_escaped, NULL);
			if (p == NULL)
				return -1;
			m->key.n = (size_t)(p - 1 - m->key.p);
			/* whitespace is looked for only where the expected
			 * byte is not: compact records skip skip_ws */
			if (p >= end || *p != ':') {
				p = skip_ws(p, end);
				if (p >= end || *p != ':')
					return fail(&x, p,
					    "':' expected after object key");
			}
			p = skip_ws(p + 1, end);
		} else {
			m->whole.p = p;
			m->key.p = p;
			m->key.n = 0;
			m->key_escaped = 0;
		}
		vi.escaped = 0;
		vi.num_int = 0;
		m->val.p = p;
		wanted = w && close == '}' && key_equals(m, w->key, w->keylen);
		if (wanted) {
			w->found = r->n;
			w->text->len = 0;
		}
		/* strings and numbers, most members, skip scan_value's
		 * container machinery; what they do there is the same */
		if (wanted && p < end && *p == '"')
			p = scan_wanted_string(&x, p, &vi, w->text);
		else if (p < end && *p == '"') {
			vi.type = REC_STRING;
			p = scan_string_into(&x, p + 1, &vi.escaped, NULL);
		} else if (p < end && (*p == '-' || is_digit(*p))) {
			vi.type = REC_NUMBER;
			p = scan_number(&x, p, &vi.num_int);
		} else
			p = scan_value(&x, p, &vi);
		if (p == NULL)
			return -1;
		m->val.n = (size_t)(p - m->val.p);
		m->whole.n = (size_t)(p - m->whole.p);
		m->type = vi.type;
		m->val_escaped = vi.escaped;
		m->num_int = vi.num_int;
separator:
		if (p >= end || (*p != ',' && *p != close))
			p = skip_ws(p, end);
		if (p >= end)
			return fail(&x, p, "unexpected end of input in container");
		if (*p == ',') {
			p++;
			if (p >= end || *p != '"')
				p = skip_ws(p, end);
			continue;
		}
		if (*p == close)
			return trailer(&x, p + 1);
		return fail(&x, p, close == '}' ? "',' or '}' expected in object" :
		    "',' or ']' expected in array");
	}
}

int
rec_parse_object(struct rec *r, const char *p, size_t n, struct eb *e)
{
	return parse_top(r, p, n, 1, NULL, 1, e);
}

int
rec_parse_reference(struct rec *r, const char *p, size_t n, int want_object,
    struct eb *e)
{
	return parse_top(r, p, n, want_object, NULL, 0, e);
}

int
rec_parse_object_decoding_reference(struct rec *r, const char *p, size_t n,
    const char *key, size_t keylen, struct sb *text,
    const struct rec_member **found, struct eb *e)
{
	struct want w = { key, keylen, text, 0 };
	int rc;

	text->len = 0;
	*found = NULL;
	rc = parse_top(r, p, n, 1, &w, 0, e);
	if (rc == 0 && w.found)
		*found = &r->m[w.found - 1];
	return rc;
}

int
rec_parse(struct rec *r, const char *p, size_t n, struct eb *e)
{
	return parse_top(r, p, n, 0, NULL, 1, e);
}

int
rec_parse_object_decoding(struct rec *r, const char *p, size_t n,
    const char *key, size_t keylen, struct sb *text,
    const struct rec_member **found, struct eb *e)
{
	struct want w = { key, keylen, text, 0 };
	int rc;

	text->len = 0;
	*found = NULL;
	rc = parse_top(r, p, n, 1, &w, 1, e);
	if (rc == 0 && w.found)
		*found = &r->m[w.found - 1];
	return rc;
}

int
rec_validate(const char *s, size_t n, enum rec_type *type, struct eb *e)
{
	struct px x = { s, s + n, e };
	const char *p = skip_ws(s, s + n);
	struct valinfo vi;

	if (p >= x.end)
		return fail(&x, p, "no JSON value");
	vi.escaped = 0;
	vi.num_int = 0;
	p = scan_value(&x, p, &vi);
	if (p == NULL)
		return -1;
	if (trailer(&x, p) != 0)
		return -1;
	if (type)
		*type = vi.type;
	return 0;
}

/* Decode the escape at p (a validated string body) into UTF-8 in buf
 * (room for 4 bytes); returns the bytes written and advances *pp past
 * the escape. */
static size_t
decode_escape(const char **pp, char *buf)
{
	const char *p = *pp;
	unsigned cp;

	switch (p[1]) {
	case 'u':
		cp = (unsigned)hex4(p + 2);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) +
			    ((unsigned)hex4(p + 8) - 0xDC00);
			*pp = p + 12;
		} else
			*pp = p + 6;
		if (cp < 0x80) {
			buf[0] = (char)cp;
			return 1;
		}
		if (cp < 0x800) {
			buf[0] = (char)(0xC0 | cp >> 6);
			buf[1] = (char)(0x80 | (cp & 0x3F));
			return 2;
		}
		if (cp < 0x10000) {
			buf[0] = (char)(0xE0 | cp >> 12);
			buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
			buf[2] = (char)(0x80 | (cp & 0x3F));
			return 3;
		}
		buf[0] = (char)(0xF0 | cp >> 18);
		buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[3] = (char)(0x80 | (cp & 0x3F));
		return 4;
	default:
		buf[0] = (char)simple_escape[(unsigned char)p[1]];
		break;
	}
	*pp = p + 2;
	return 1;
}

void
rec_string_decode(struct rec_span v, struct sb *out)
{
	const char *p = v.p + 1, *end = v.p + v.n - 1, *bs;
	char buf[4];
	size_t k;

	while (p < end) {
		bs = memchr(p, '\\', (size_t)(end - p));
		if (bs == NULL) {
			sb_add(out, p, (size_t)(end - p));
			return;
		}
		sb_add(out, p, (size_t)(bs - p));
		p = bs;
		k = decode_escape(&p, buf);
		sb_add(out, buf, k);
	}
}

/* Compare the body of a validated string (escapes and all) with the
 * decoded bytes key[0..keylen) without building the decoded text. */
int
rec_key_body_equals(const char *p, const char *end, const char *key,
    size_t keylen)
{
	const char *k = key, *kend = key + keylen;
	char buf[4];
	size_t n;

	while (p < end) {
		if (*p != '\\') {
			if (k >= kend || *k != *p)
				return 0;
			k++;
			p++;
			continue;
		}
		n = decode_escape(&p, buf);
		if ((size_t)(kend - k) < n || memcmp(k, buf, n) != 0)
			return 0;
		k += n;
	}
	return k == kend;
}

const struct rec_member *
rec_get(const struct rec *r, const char *key, size_t keylen)
{
	size_t i;

	if (r->type != REC_OBJECT)
		return NULL;
	for (i = r->n; i-- > 0;)
		if (key_equals(&r->m[i], key, keylen))
			return &r->m[i];
	return NULL;
}

/* The C library reads numbers from NUL-terminated text: the span is
 * copied out (onto the caller's stack when short) because it is not
 * terminated and strtod would read past it. NULL when out of memory. */
static char *
span_cstr(struct rec_span v, char *small, size_t size)
{
	char *buf = v.n < size ? small : malloc(v.n + 1);

	if (buf == NULL)
		return NULL;
	memcpy(buf, v.p, v.n);
	buf[v.n] = '\0';
	return buf;
}

double
rec_number(struct rec_span v)
{
	char small[64], *buf = span_cstr(v, small, sizeof(small));
	double d;

	if (buf == NULL)
		return NAN;
	d = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	return d;
}

float
rec_number_float(struct rec_span v)
{
	char small[64], *buf = span_cstr(v, small, sizeof(small));
	float f;

	if (buf == NULL)
		return NAN;
	f = strtof(buf, NULL);
	if (buf != small)
		free(buf);
	return f;
}

int
rec_int64(struct rec_span v, int64_t *out)
{
	const char *p = v.p, *end = v.p + v.n;
	uint64_t acc = 0, limit;
	int neg = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= end)
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		unsigned d;

		if (!is_digit(*p))
			return -1;
		d = (unsigned)(*p - '0');
		if (acc > (limit - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	if (neg)
		*out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		    -(int64_t)acc;
	else
		*out = (int64_t)acc;
	return 0;
}

size_t
rec_utf8_seq(const char *p, size_t n)
{
	if (n == 0)
		return 0;
	return utf8_len((const unsigned char *)p, (const unsigned char *)p + n);
}
