/* wa_num: every value must be exactly what strtod returns, on millions of
 * numbers shaped like a price feed's and on the awkward ones around the
 * fast path's limits (15 digits, 10^22, halfway cases). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "test_rng.h"
#include "window/wa_num.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next(void)
{
	return test_rng_next(&rng);
}

static void
same_as_strtod(const char *text)
{
	struct rec_span v = { text, strlen(text) };
	double want = strtod(text, NULL), got = wa_num(v);

	if (memcmp(&want, &got, sizeof(want)) != 0)
		ck_abort_msg("%s: wa_num %.17g, strtod %.17g", text, got, want);
}

/* Prices with 0 to 8 decimals, as %.Nf writes them. */
START_TEST(test_prices)
{
	char buf[64];

	for (int i = 0; i < 2000000; i++) {
		double x = (double)(next() % 100000000000ull) / 1e4;

		snprintf(buf, sizeof(buf), "%s%.*f", i % 7 == 0 ? "-" : "",
		    (int)(next() % 9), x);
		same_as_strtod(buf);
	}
}
END_TEST

/* Digit strings of 1 to 24 digits with the point anywhere: past 15
 * digits the fast path must hand over to strtod. */
START_TEST(test_digit_strings)
{
	char buf[64];

	for (int i = 0; i < 1000000; i++) {
		int n = 1 + (int)(next() % 24), point = (int)(next() % (n + 1));
		char *p = buf;

		for (int j = 0; j < n; j++) {
			if (j == point && j > 0)
				*p++ = '.';
			*p++ = (char)('0' + next() % 10);
		}
		*p = '\0';
		if (buf[0] == '0' && buf[1] >= '0' && buf[1] <= '9')
			buf[0] = '1';	/* JSON has no leading zeros */
		same_as_strtod(buf);
	}
}
END_TEST

START_TEST(test_edges)
{
	static const char *const cases[] = {
		"0", "-0", "0.0", "1", "9007199254740993", "900719925474099.3",
		"999999999999999", "9999999999999999", "0.1", "0.2", "0.3",
		"1e22", "1e23", "1.5e-300", "4.9e-324", "2.2250738585072014e-308",
		"1.7976931348623157e308", "123456789012345.6", "0.0000000000000000000001",
		"0.00000000000000000000001", "1234567.891011121314",
		"2.5", "2.675", "0.30000000000000004", "1E5", "1e+5", "-1.5E-5",
		"5e-324", "100000000000000000000000", "0.000001",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_as_strtod(cases[i]);
}
END_TEST

static Suite *
wa_num_suite(void)
{
	Suite *s = suite_create("wa_num");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_prices);
	tcase_add_test(tc, test_digit_strings);
	tcase_add_test(tc, test_edges);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(wa_num_suite)
