#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "window/wa_mark.h"

#ifdef __SSE2__
/* One block of sixteen bytes at i: its digit values joined into *top by
 * unsigned max, its bytes that differ from the mark's as bits i.. of the
 * result. */
static inline uint64_t
block(const char *seq, const char *mark, size_t i, __m128i *top)
{
	__m128i a = _mm_loadu_si128((const __m128i *)(seq + i));
	__m128i b = _mm_loadu_si128((const __m128i *)(mark + i));

	*top = _mm_max_epu8(*top, _mm_sub_epi8(a, _mm_set1_epi8('0')));
	return (uint64_t)(~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) &
	    0xFFFF) << i;
}
#endif

int
wa_seq_vs_mark(const struct ck_mark *k, const char *seq, size_t n,
    int64_t sub)
{
#ifdef __SSE2__
	const __m128i nine = _mm_set1_epi8(9);
	__m128i top = _mm_setzero_si128();
	uint64_t ne;
	size_t first;

	/* without leading zeros, numbers of one length compare as text; up
	 * to 64 digits (Kinesis writes 56), which bit is which byte */
	if (k->seqlen != n || n < 16 || n > 64 || seq[0] == '0' ||
	    k->seq[0] == '0')
		return WA_SEQ_UNSURE;
	/* the first block, those between, and the last one ending at n
	 * (overlapping the one before: the same bytes give the same bits),
	 * with no test before the end: a digit less '0' is 0..9, so the
	 * unsigned max of them all is 9 at most */
	ne = block(seq, k->seq, 0, &top) | block(seq, k->seq, n - 16, &top);
	if (n > 32)
		ne |= block(seq, k->seq, 16, &top);
	if (n > 48)
		ne |= block(seq, k->seq, 32, &top);
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
