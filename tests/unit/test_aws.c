/* aws: INI lookup, region, endpoint and profile resolution. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws.h"
#include "check_main.h"

static char path[64];

static void
write_ini(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/kp-aws-ini.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

START_TEST(ini_sections_and_keys)
{
	char *v;
	int seen;
	struct eb e;

	write_ini("# comment\n[default]\naws_access_key_id = AKID1\n"
	    "s3 =\n    aws_access_key_id = NESTED\n"
	    "; another\n[ profile   dev ]\nregion=eu-west-1\n"
	    "[dev]\nregion = wrong-section\n");
	ck_assert_int_eq(aws_ini_get(path, "default", "aws_access_key_id", &v, &seen, &e), 1);
	ck_assert_str_eq(v, "AKID1");
	ck_assert_int_eq(seen, 1);
	free(v);
	ck_assert_int_eq(aws_ini_get(path, "profile dev", "region", &v, &seen, &e), 1);
	ck_assert_str_eq(v, "eu-west-1");
	free(v);
	ck_assert_int_eq(aws_ini_get(path, "default", "region", &v, &seen, &e), 0);
	ck_assert_int_eq(seen, 1);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(aws_ini_get(path, "nope", "region", &v, &seen, &e), 0);
	ck_assert_int_eq(seen, 0);
	unlink(path);
	ck_assert_int_eq(aws_ini_get(path, "default", "region", &v, &seen, &e), 0);
}
END_TEST

START_TEST(endpoint_order)
{
	char *v;

	unsetenv("AWS_ENDPOINT_URL_KINESIS");
	unsetenv("AWS_ENDPOINT_URL");
	v = aws_endpoint(NULL, "kinesis", "us-west-2");
	ck_assert_str_eq(v, "https://kinesis.us-west-2.amazonaws.com");
	free(v);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1/", 1);
	v = aws_endpoint(NULL, "kinesis", "us-west-2");
	ck_assert_str_eq(v, "http://127.0.0.1:1");
	free(v);
	setenv("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:2", 1);
	v = aws_endpoint(NULL, "kinesis", "us-west-2");
	ck_assert_str_eq(v, "http://127.0.0.1:2");
	free(v);
	v = aws_endpoint("http://127.0.0.1:3//", "kinesis", "us-west-2");
	ck_assert_str_eq(v, "http://127.0.0.1:3");
	free(v);
	unsetenv("AWS_ENDPOINT_URL_KINESIS");
	unsetenv("AWS_ENDPOINT_URL");
}
END_TEST

START_TEST(region_and_profile)
{
	struct eb e;
	char *v;

	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
	ck_assert_str_eq(aws_profile_name(NULL), "default");
	setenv("AWS_PROFILE", "p1", 1);
	ck_assert_str_eq(aws_profile_name(NULL), "p1");
	ck_assert_str_eq(aws_profile_name("opt"), "opt");
	unsetenv("AWS_PROFILE");
	setenv("AWS_DEFAULT_REGION", "ap-east-1", 1);
	setenv("AWS_REGION", "us-east-2", 1);
	v = aws_region(NULL, NULL, &e);
	ck_assert_str_eq(v, "us-east-2");
	free(v);
	v = aws_region("eu-north-1", NULL, &e);
	ck_assert_str_eq(v, "eu-north-1");
	free(v);
	unsetenv("AWS_REGION");
	v = aws_region(NULL, NULL, &e);
	ck_assert_str_eq(v, "ap-east-1");
	free(v);
	unsetenv("AWS_DEFAULT_REGION");
	write_ini("[profile x]\nregion = sa-east-1\n");
	setenv("AWS_CONFIG_FILE", path, 1);
	v = aws_region(NULL, "x", &e);
	ck_assert_str_eq(v, "sa-east-1");
	free(v);
	ck_assert_ptr_null(aws_region(NULL, "y", &e));
	ck_assert(strstr(e.msg, "no region: give --region") == e.msg);
	unlink(path);
	unsetenv("AWS_CONFIG_FILE");
}
END_TEST

START_TEST(creds_environment)
{
	struct aws_creds c;
	struct eb e;

	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t", 1);
	setenv("AWS_SESSION_TOKEN", "tok", 1);
	ck_assert_int_eq(aws_creds_load(NULL, &c, &e), 0);
	ck_assert_str_eq(c.access_key_id, "AKIDENV");
	ck_assert_str_eq(c.secret_access_key, "s3cr3t");
	ck_assert_str_eq(c.session_token, "tok");
	ck_assert_str_eq(c.source, "environment");
	aws_creds_free(&c);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	ck_assert_int_eq(aws_creds_load(NULL, &c, &e), -1);
	ck_assert_str_eq(e.msg, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (only AWS_ACCESS_KEY_ID is)");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SESSION_TOKEN");
}
END_TEST

static Suite *
aws_suite(void)
{
	Suite *s = suite_create("aws");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ini_sections_and_keys);
	tcase_add_test(tc, endpoint_order);
	tcase_add_test(tc, region_and_profile);
	tcase_add_test(tc, creds_environment);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(aws_suite)
