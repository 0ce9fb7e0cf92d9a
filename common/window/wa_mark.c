#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "window/wa_mark.h"

/* a[0..n) == b[0..n) a word at a time, without a call: names are short */
static inline int
same_name(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	size_t i;

	if (n < 8)
		return memcmp(a, b, n) == 0;
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* "shardId-000000000003": the last byte tells a stream's shards apart;
 * marks never move, so a slot stays good */
static inline size_t
slot_of(const char *shard, size_t n)
{
	return n > 0 ? (unsigned char)shard[n - 1] % WA_MARK_SLOTS : 0;
}

struct ck_mark *
wa_mark_peek(const struct wa_mark_cache *c, const char *shard, size_t n)
{
	struct ck_mark *k = c->slot[slot_of(shard, n)];

	return k != NULL && k->shardlen == n && same_name(k->shard, shard, n) ?
	    k : NULL;
}

struct ck_mark *
wa_mark_get(struct wa_mark_cache *c, struct ck_marks *marks,
    const char *shard, size_t n)
{
	struct ck_mark *k = wa_mark_peek(c, shard, n);

	return k ? k : (c->slot[slot_of(shard, n)] =
	    ck_marks_get(marks, shard, n));
}

int
wa_seq_vs_mark(const struct ck_mark *k, const char *seq, size_t n,
    int64_t sub)
{
#ifdef __SSE2__
	const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
	size_t i = 0, first = n;

	/* without leading zeros, numbers of one length compare as text */
	if (k->seqlen != n || n < 16 || n > CK_SEQ_MAX || seq[0] == '0' ||
	    k->seq[0] == '0')
		return WA_SEQ_UNSURE;
	for (;;) {
		__m128i a = _mm_loadu_si128((const __m128i *)(seq + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(k->seq + i));
		/* less '0', a digit is 0..9: the unsigned max with 9 is 9 */
		__m128i d = _mm_sub_epi8(a, zero);
		unsigned ne;

		if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(d, nine),
		    nine)) != 0xFFFF)
			return WA_SEQ_UNSURE;
		ne = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) & 0xFFFF;
		/* the last block overlaps the one before, whose bytes were
		 * equal if first is still n */
		if (ne != 0 && first == n)
			first = i + (size_t)__builtin_ctz(ne);
		if (i + 16 == n)
			break;
		i = i + 32 <= n ? i + 16 : n - 16;
	}
	if (first != n)
		return (unsigned char)seq[first] > (unsigned char)k->seq[first];
	return sub > k->sub;
#else
	(void)k, (void)seq, (void)n, (void)sub;
	return WA_SEQ_UNSURE;
#endif
}
