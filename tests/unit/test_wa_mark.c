/* wa_mark: the replay check's fast path must give ck's verdicts. Every
 * case is decided both ways: by wa_seq_vs_mark, when it decides (up to 64
 * digits), and by ck_seq_valid and ck_mark_is_new, on sequence numbers
 * that share long prefixes with the mark, differ in one byte, carry a
 * non-digit, leading zeros or another length; and the mark cache must
 * find the marks ck_marks_get finds. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "test_rng.h"
#include "window/wa_mark.h"

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t
next(void)
{
	return test_rng_next(&rng);
}

/* A 1..CK_SEQ_MAX digit string, mostly Kinesis' 56 digits. */
static size_t
make_seq(char *s)
{
	size_t n = next() % 4 ? 56 : 1 + next() % CK_SEQ_MAX;

	for (size_t i = 0; i < n; i++)
		s[i] = (char)('0' + next() % 10);
	if (next() % 3)
		s[0] = (char)('1' + next() % 9);
	return n;
}

/* b: a, or a near it: one byte changed (to a digit or not), a length
 * one apart, a leading zero; sometimes another number altogether. */
static size_t
near(const char *a, size_t an, char *b)
{
	size_t n = an;

	memcpy(b, a, an);
	switch (next() % 6) {
	case 0:
		break;
	case 1:
	case 2:
		b[next() % n] = (char)('0' + next() % 10);
		break;
	case 3:
		b[next() % n] = "x/:a \x80"[next() % 6];
		break;
	case 4:
		if (n < CK_SEQ_MAX)
			b[n++] = (char)('0' + next() % 10);
		else
			n--;
		break;
	case 5:
		n = make_seq(b);
		break;
	}
	return n;
}

START_TEST(test_same_verdicts)
{
	static const int64_t subs[] = { 0, 1, 2, CK_SUB_WHOLE };
	struct ck_mark k;
	char a[CK_SEQ_MAX + 1], b[CK_SEQ_MAX + 1];
	long decided = 0;

	for (int i = 0; i < 2000000; i++) {
		size_t an = make_seq(a), bn = near(a, an, b);
		int64_t asub = subs[next() % 4], bsub = subs[next() % 4];
		int fast, slow;

		memset(&k, 0, sizeof(k));
		if (next() % 50)
			ck_mark_set(&k, a, an, asub);
		fast = wa_seq_vs_mark(&k, b, bn, bsub);
		if (fast == WA_SEQ_UNSURE)
			continue;
		decided++;
		ck_assert_int_eq(ck_seq_valid(b, bn), 1);
		slow = ck_mark_is_new(&k, b, bn, bsub);
		if (fast != slow)
			ck_abort_msg("%.*s/%lld vs mark %.*s/%lld: fast %d, ck %d",
			    (int)bn, b, (long long)bsub, (int)k.seqlen, k.seq,
			    (long long)k.sub, fast, slow);
	}
#ifdef __SSE2__
	ck_assert_int_gt(decided, 700000);
#endif
}
END_TEST

static Suite *
wa_mark_suite(void)
{
	Suite *s = suite_create("wa_mark");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_same_verdicts);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_mark_suite)
