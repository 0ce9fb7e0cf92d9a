#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "window/wa_mark.h"

struct ck_mark *
wa_mark_get(struct wa_mark_cache *c, struct ck_marks *marks,
    const char *shard, size_t n)
{
	struct ck_mark *k = wa_mark_peek(c, shard, n);

	return k ? k : (c->slot[wa_mark_slot(shard, n)] =
	    ck_marks_get(marks, shard, n));
}

int
wa_seq_vs_mark(const struct ck_mark *k, const char *seq, size_t n,
    int64_t sub)
{
#ifdef __SSE2__
	const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
	__m128i top = _mm_setzero_si128();
	uint64_t ne = 0;
	size_t i, first;

	/* without leading zeros, numbers of one length compare as text; up
	 * to 64 digits (Kinesis writes 56), which bit is which byte */
	if (k->seqlen != n || n < 16 || n > 64 || seq[0] == '0' ||
	    k->seq[0] == '0')
		return WA_SEQ_UNSURE;
	/* sixteen bytes at a time, the last block ending at n (overlapping
	 * the one before: the same bytes give the same bits); nothing is
	 * tested before the end */
	for (i = 0;; i = i + 32 <= n ? i + 16 : n - 16) {
		__m128i a = _mm_loadu_si128((const __m128i *)(seq + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(k->seq + i));

		/* less '0', a digit is 0..9: the unsigned max of them all
		 * with 9 is 9 */
		top = _mm_max_epu8(top, _mm_sub_epi8(a, zero));
		ne |= (uint64_t)(~(unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(a, b)) & 0xFFFF) << i;
		if (i + 16 == n)
			break;
	}
	if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(top, nine),
	    nine)) != 0xFFFF)
		return WA_SEQ_UNSURE;
	if (ne == 0)
		return sub > k->sub;
	first = (size_t)__builtin_ctzll(ne);
	return (unsigned char)seq[first] > (unsigned char)k->seq[first];
#else
	(void)k, (void)seq, (void)n, (void)sub;
	return WA_SEQ_UNSURE;
#endif
}
