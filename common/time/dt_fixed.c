#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "time/dt_fixed.h"
#include "time/dt_int.h"
#include "time/tm.h"

/* The fields a fixed pattern may set and their widths: the 'yyyy' year
 * (any width from 4: fixed only when a non-digit follows it, which the
 * plan checks), the two-digit month, day, hour, minute and second. */
static int
fixed_width(const struct dt_op *op)
{
	switch (op->field) {
	case F_YEAR:
		return op->style == 0 && op->minw == 4 &&
		    op->sign == SIGN_EXCEEDS_PAD ? 4 : 0;
	case F_MONTH: case F_DOM: case F_HOD: case F_MIN: case F_SEC:
		return op->minw == 2 && op->maxw == 2 &&
		    op->sign == SIGN_NOT_NEGATIVE ? 2 : 0;
	default:
		return 0;
	}
}

/* A field's place in dt_fixed.where. */
static int
where_index(int field)
{
	switch (field) {
	case F_YEAR: return DT_FIXED_YEAR;
	case F_MONTH: return DT_FIXED_MONTH;
	case F_DOM: return DT_FIXED_DOM;
	case F_HOD: return DT_FIXED_HOD;
	case F_MIN: return DT_FIXED_MIN;
	default: return DT_FIXED_SEC;
	}
}

/* The template as eight-byte words, the last one ending at len. */
static void
plan_words(struct dt_fixed *f)
{
	size_t at = 0;

	f->nword = 0;
	if (f->len < 8)
		return;
	for (;;) {
		uint64_t lm = 0, lv = 0, dm = 0;

		if (at + 8 > f->len)
			at = f->len - 8;
		for (int i = 0; i < 8; i++) {
			unsigned char c = (unsigned char)f->tmpl[at + (size_t)i];
			uint64_t byte = UINT64_C(0xFF) << (8 * i);

			if (c != '\0') {
				lm |= byte;
				lv |= (uint64_t)c << (8 * i);
			} else {
				dm |= byte;
			}
		}
		/* words are read little-endian below; on a big-endian
		 * machine the bytes would be the other way round */
		f->lit_mask[f->nword] = lm;
		f->lit[f->nword] = lv;
		f->digit_mask[f->nword] = dm;
		f->nword++;
		if (at + 8 == f->len)
			break;
		at += 8;
	}
}

/* The template as two blocks of sixteen, the second ending at len. */
static void
plan_blocks(struct dt_fixed *f)
{
	f->nvec = 0;
	if (f->len < 16 || f->len > 32)
		return;
	for (int k = 0; k < 2; k++) {
		size_t at = k == 0 ? 0 : (size_t)f->len - 16;

		for (int i = 0; i < 16; i++) {
			unsigned char c = (unsigned char)f->tmpl[at + (size_t)i];

			f->vtmpl[k][i] = c;
			f->vlit[k][i] = c != '\0' ? 0xFF : 0;
		}
	}
	f->nvec = 2;
}

void
dt_fixed_plan(struct dt_pattern *p)
{
	struct dt_fixed *f = &p->fixed;
	unsigned seen = 0;
	size_t at = 0;

	memset(f, 0, sizeof(*f));
	memset(f->where, DT_FIXED_ABSENT, sizeof(f->where));
	for (int i = 0; i < p->nop; i++) {
		const struct dt_op *op = &p->op[i];
		int w;

		if (op->kind == DT_LIT) {
			if (op->nlit == 0 || at + op->nlit > DT_FIXED_MAX)
				return;
			for (size_t k = 0; k < op->nlit; k++)
				if (p->lit[op->lit + k] == '\0')
					return;	/* '\0' marks digits */
			memcpy(f->tmpl + at, p->lit + op->lit, op->nlit);
			at += op->nlit;
			continue;
		}
		if (op->kind != DT_NUM || op->subsequent != 0 ||
		    (w = fixed_width(op)) == 0 || (seen >> op->field & 1) ||
		    f->nnum == sizeof(f->num) / sizeof(f->num[0]) ||
		    at + (size_t)w > DT_FIXED_MAX)
			return;
		/* a year reads every digit there is: what follows it must
		 * not be one, or be the end */
		if (op->maxw > w && i + 1 < p->nop &&
		    (p->op[i + 1].kind != DT_LIT || p->op[i + 1].nlit == 0 ||
		    (p->lit[p->op[i + 1].lit] >= '0' &&
		    p->lit[p->op[i + 1].lit] <= '9')))
			return;
		seen |= 1u << op->field;
		f->num[f->nnum].field = op->field;
		f->num[f->nnum].at = (unsigned char)at;
		f->num[f->nnum].width = (unsigned char)w;
		f->where[where_index(op->field)] = (unsigned char)at;
		f->nnum++;
		at += (size_t)w;	/* tmpl stays '\0' there */
	}
	f->len = (unsigned char)at;
	plan_words(f);
	plan_blocks(f);
}

/* Every byte of s is the template's: its literal byte, or a digit. */
static int
fits(const struct dt_fixed *f, const char *s, size_t n)
{
	const uint64_t hi = UINT64_C(0xF0F0F0F0F0F0F0F0);
	const uint64_t threes = UINT64_C(0x3030303030303030);
	const uint64_t sixes = UINT64_C(0x0606060606060606);

#ifdef __SSE2__
	/* sixteen bytes at a time: each the template's literal byte where
	 * it has one, else a digit (less '0', at most 9 unsigned) */
	if (f->nvec == 2) {
		const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);

		for (int k = 0; k < 2; k++) {
			__m128i x = _mm_loadu_si128((const __m128i *)(s +
			    (k == 0 ? 0 : n - 16)));
			__m128i lit = _mm_loadu_si128((const __m128i *)f->vlit[k]);
			__m128i same = _mm_cmpeq_epi8(x, _mm_loadu_si128(
			    (const __m128i *)f->vtmpl[k]));
			__m128i digit = _mm_cmpeq_epi8(_mm_max_epu8(
			    _mm_sub_epi8(x, zero), nine), nine);

			if (_mm_movemask_epi8(_mm_or_si128(_mm_and_si128(lit,
			    same), _mm_andnot_si128(lit, digit))) != 0xFFFF)
				return 0;
		}
		return 1;
	}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (f->nword > 0) {
		size_t at = 0;

		for (int k = 0; k < f->nword; k++, at += 8) {
			uint64_t w, d;

			memcpy(&w, s + (at + 8 > n ? n - 8 : at), 8);
			if ((w & f->lit_mask[k]) != f->lit[k])
				return 0;
			/* digits are 0x30..0x39: 0x3X, and still 0x3X with 6
			 * added (no carry once every digit byte is 0x3X) */
			d = w & f->digit_mask[k];
			if ((d & hi) != (threes & f->digit_mask[k]) ||
			    ((d + (sixes & f->digit_mask[k])) & hi) !=
			    (threes & f->digit_mask[k]))
				return 0;
		}
		return 1;
	}
#endif
	for (size_t i = 0; i < n; i++)
		if (f->tmpl[i] != '\0' ? s[i] != f->tmpl[i] :
		    (unsigned char)(s[i] - '0') > 9)
			return 0;
	return 1;
}

static inline int
two(const char *d)
{
	return (d[0] - '0') * 10 + (d[1] - '0');
}

/* The two-digit field at where[i], or dflt when the pattern lacks it. */
static inline int
field2(const struct dt_fixed *f, const char *s, int i, int dflt)
{
	return f->where[i] == DT_FIXED_ABSENT ? dflt : two(s + f->where[i]);
}

/* The fields are read, each at the place the plan keeps for it; the
 * instant is what dt_resolve makes of them when they are in range (the
 * defaults, the ranges and the arithmetic are its own: a four-digit
 * year's days are tm_days_from_civil_ce's, a zone of one offset needs no
 * search of transitions). Out of range, dt_parse decides: it says why. */
enum dt_fixed_verdict
dt_fixed_parse(const struct dt_pattern *p, const char *s, size_t n,
    const struct tz *deflt, int64_t *us)
{
	const struct dt_fixed *f = &p->fixed;
	int y = 1970, mo, d, h, mi, sec;
	int64_t local;
	int32_t off;

	if (f->len == 0 || n != f->len || !fits(f, s, n))
		return DT_FIXED_UNSURE;
	if (f->where[DT_FIXED_YEAR] != DT_FIXED_ABSENT)
		y = two(s + f->where[DT_FIXED_YEAR]) * 100 +
		    two(s + f->where[DT_FIXED_YEAR] + 2);
	mo = field2(f, s, DT_FIXED_MONTH, 1);
	d = field2(f, s, DT_FIXED_DOM, 1);
	h = field2(f, s, DT_FIXED_HOD, 0);
	mi = field2(f, s, DT_FIXED_MIN, 0);
	sec = field2(f, s, DT_FIXED_SEC, 0);
	if (mo < 1 || mo > 12 || d < 1 || (d > 28 &&
	    d > tm_days_in_month(y, mo)) || h > 23 || mi > 59 || sec > 59)
		return DT_FIXED_UNSURE;
	local = tm_days_from_civil_ce(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec;
	/* four-digit years: far from overflowing the microseconds */
	*us = (tz_fixed_offset(deflt, &off) ? local - off :
	    tz_local_to_utc(deflt, local)) * TM_US_PER_S;
	return DT_FIXED_OK;
}
