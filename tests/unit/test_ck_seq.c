/* ck_seq_valid, which reads eight bytes at a time, against the rule read
 * a byte at a time: every byte value at every position of numbers of
 * every length up to the limit and past it. */
#include <check.h>
#include <string.h>

#include "base/ck.h"
#include "check_main.h"

static int
valid_bytewise(const char *s, size_t n)
{
	if (n == 0 || n > CK_SEQ_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

START_TEST(test_every_byte_everywhere)
{
	char s[CK_SEQ_MAX + 8] = "";

	for (size_t n = 0; n <= CK_SEQ_MAX + 2; n++) {
		for (size_t i = 0; i < n; i++)
			s[i] = (char)('0' + (i * 7 + n) % 10);
		ck_assert_int_eq(ck_seq_valid(s, n), valid_bytewise(s, n));
		for (size_t at = 0; at < n; at++) {
			char keep = s[at];

			for (int b = 0; b < 256; b++) {
				s[at] = (char)b;
				/* ck_assert costs a message to the
				 * runner per call: only on failure */
				if (ck_seq_valid(s, n) != valid_bytewise(s, n))
					ck_abort_msg("length %zu, byte %d at %zu",
					    n, b, at);
			}
			s[at] = keep;
		}
	}
}
END_TEST

/* Two bad bytes in one word, where one could carry into the other. */
START_TEST(test_pairs_in_a_word)
{
	char s[16];

	memset(s, '5', sizeof(s));
	for (int a = 0; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			s[2] = (char)a;
			s[3] = (char)b;
			if (ck_seq_valid(s, 16) != valid_bytewise(s, 16))
				ck_abort_msg("bytes %d %d", a, b);
		}
}
END_TEST

static Suite *
ck_seq_suite(void)
{
	Suite *s = suite_create("ck_seq");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_byte_everywhere);
	tcase_add_test(tc, test_pairs_in_a_word);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(ck_seq_suite)
