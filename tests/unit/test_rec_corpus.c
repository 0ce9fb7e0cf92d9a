/* rec against jansson on tests/corpus/json: valid/ must pass rec, invalid/
 * must fail it, and jansson (JSON_DECODE_ANY | JSON_ALLOW_NUL) must agree
 * except on the files JANSSON-DIFFERS lists, where it departs from
 * RFC 8259 by design. Run from the repository root (make does). */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json/rec.h"

#define CORPUS "tests/corpus/json/"

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static int
listed(const char *differs, const char *name)
{
	char pat[300];

	snprintf(pat, sizeof(pat), "\n%s\t", name);
	return strstr(differs, pat) != NULL;
}

static int
run_dir(const char *sub, int want_valid, const char *differs)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int count = 0;

	snprintf(path, sizeof(path), CORPUS "%s", sub);
	d = opendir(path);
	ck_assert_msg(d != NULL, "no corpus at %s", path);
	while ((de = readdir(d)) != NULL) {
		json_error_t err;
		struct eb e;
		size_t n;
		char *text;
		json_t *j;
		int ours;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), CORPUS "%s/%s", sub, de->d_name);
		text = slurp(path, &n);
		ours = rec_validate(text, n, NULL, &e) == 0;
		ck_assert_msg(ours == want_valid, "rec %s %s: %s",
		    ours ? "accepts" : "rejects", path, e.msg);
		j = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		if (listed(differs, de->d_name))
			ck_assert_msg((j != NULL) != want_valid,
			    "jansson now agrees on %s: drop it from the list",
			    path);
		else
			ck_assert_msg((j != NULL) == want_valid,
			    "jansson disagrees on %s (%s)", path, err.text);
		json_decref(j);
		free(text);
		count++;
	}
	closedir(d);
	return count;
}

START_TEST(test_corpus)
{
	size_t n;
	char *differs = slurp(CORPUS "JANSSON-DIFFERS", &n);
	char *text = malloc(n + 2);

	text[0] = '\n';
	memcpy(text + 1, differs, n);
	text[n + 1] = '\0';
	ck_assert_int_gt(run_dir("valid", 1, text), 40);
	ck_assert_int_gt(run_dir("invalid", 0, text), 60);
	free(text);
	free(differs);
}
END_TEST

static Suite *
corpus_suite(void)
{
	Suite *s = suite_create("rec_corpus");
	TCase *tc = tcase_create("corpus");

	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(corpus_suite)
