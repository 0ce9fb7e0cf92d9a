/* aws: INI lookup, region, profiles, endpoints per partition and flag,
 * and the parsers of the credential sources (STS XML, SSO JSON,
 * credential_process output and command line). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Both shared files in a directory of their own: credentials, config. */
static char dir[64];

static void
write_files(const char *cred, const char *config)
{
	char p[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/kp-aws-conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/credentials", dir);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(cred, f);
	fclose(f);
	chmod(p, 0600);
	setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
	snprintf(p, sizeof(p), "%s/config", dir);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(config, f);
	fclose(f);
	chmod(p, 0600);
	setenv("AWS_CONFIG_FILE", p, 1);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static void
remove_files(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/credentials", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/config", dir);
	unlink(p);
	rmdir(dir);
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

START_TEST(ini_nested_and_case)
{
	struct aws_ini ini;
	struct eb e;

	/* keys are case-insensitive (ConfigParser lowers them), values and
	 * sections are kept; "#" inside a value is not a comment */
	write_ini("[default]\nAWS_Access_Key_ID = AKID2\n"
	    "s3 =\n  max_concurrent_requests = 20\n  Region = x#y\n"
	    "region = us-east-2\n[empty]\n");
	ck_assert_int_eq(aws_ini_load(&ini, path, &e), 0);
	ck_assert_str_eq(aws_ini_find(&ini, "default", "aws_access_key_id"), "AKID2");
	ck_assert_str_eq(aws_ini_find(&ini, "default", "region"), "us-east-2");
	ck_assert_str_eq(aws_ini_find_sub(&ini, "default", "s3", "region"), "x#y");
	ck_assert_str_eq(aws_ini_find_sub(&ini, "default", "s3",
	    "max_concurrent_requests"), "20");
	ck_assert_str_eq(aws_ini_find(&ini, "default", "s3"), "");
	ck_assert_int_eq(aws_ini_has(&ini, "empty"), 1);
	ck_assert_int_eq(aws_ini_has(&ini, "Empty"), 0);
	aws_ini_free(&ini);
	unlink(path);
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

START_TEST(conf_merges_files)
{
	struct aws_opts o = { "dev", NULL, NULL, "kinesis", NULL };
	struct aws_conf c;
	struct eb e;

	/* botocore: the credentials file's [dev] over the config file's
	 * [profile dev]; [dev] in the config file is another section */
	write_files("[dev]\nregion = from-credentials\n",
	    "[profile dev]\nregion = from-config\nrole_arn = arn:x\n"
	    "[dev]\nexternal_id = not-this-one\n"
	    "[sso-session corp]\nsso_region = eu-west-1\n");
	ck_assert_int_eq(aws_conf_load(&c, &o, &e), 0);
	ck_assert_str_eq(c.profile, "dev");
	ck_assert_int_eq(c.explicit_profile, 1);
	ck_assert_str_eq(aws_conf_get(&c, "dev", "region"), "from-credentials");
	ck_assert_str_eq(aws_conf_get(&c, "dev", "role_arn"), "arn:x");
	ck_assert_ptr_null(aws_conf_get(&c, "dev", "external_id"));
	ck_assert_int_eq(aws_conf_has_profile(&c, "dev"), 1);
	ck_assert_int_eq(aws_conf_has_profile(&c, "other"), 0);
	ck_assert_str_eq(aws_conf_sso_session(&c, "corp", "sso_region"), "eu-west-1");
	ck_assert_str_eq(aws_conf_region(&c), "from-credentials");
	aws_conf_free(&c);
	remove_files();
}
END_TEST

/* ---- endpoints ----
 * Expected host names: botocore 1.43's endpoint rule sets, evaluated by
 * sending one request of each service through a botocore client with
 * use_fips_endpoint and use_dualstack_endpoint set, and reading the URL
 * it was about to send to. */

struct ep_case {
	const char *service, *region;
	unsigned variant;
	const char *url, *sign;
};

#define F AWS_EP_FIPS
#define D AWS_EP_DUALSTACK

static const struct ep_case ep_cases[] = {
	/* aws */
	{ "kinesis", "us-east-1", 0, "https://kinesis.us-east-1.amazonaws.com", "us-east-1" },
	{ "kinesis", "us-east-1", F, "https://kinesis-fips.us-east-1.amazonaws.com", "us-east-1" },
	{ "kinesis", "us-east-1", D, "https://kinesis.us-east-1.api.aws", "us-east-1" },
	{ "kinesis", "us-east-1", F | D, "https://kinesis-fips.us-east-1.api.aws", "us-east-1" },
	{ "sts", "eu-west-1", 0, "https://sts.eu-west-1.amazonaws.com", "eu-west-1" },
	{ "sts", "eu-west-1", F, "https://sts-fips.eu-west-1.amazonaws.com", "eu-west-1" },
	{ "sts", "eu-west-1", D, "https://sts.eu-west-1.api.aws", "eu-west-1" },
	{ "sts", "eu-west-1", F | D, "https://sts-fips.eu-west-1.api.aws", "eu-west-1" },
	{ "dynamodb", "ap-southeast-7", 0, "https://dynamodb.ap-southeast-7.amazonaws.com", "ap-southeast-7" },
	{ "dynamodb", "ap-southeast-7", F, "https://dynamodb-fips.ap-southeast-7.amazonaws.com", "ap-southeast-7" },
	{ "dynamodb", "ap-southeast-7", D, "https://dynamodb.ap-southeast-7.api.aws", "ap-southeast-7" },
	{ "dynamodb", "ap-southeast-7", F | D, "https://dynamodb-fips.ap-southeast-7.api.aws", "ap-southeast-7" },
	{ "sso", "us-east-1", 0, "https://portal.sso.us-east-1.amazonaws.com", "us-east-1" },
	{ "sso", "us-east-1", F, "https://portal.sso-fips.us-east-1.amazonaws.com", "us-east-1" },
	/* aws-cn */
	{ "kinesis", "cn-north-1", 0, "https://kinesis.cn-north-1.amazonaws.com.cn", "cn-north-1" },
	{ "kinesis", "cn-north-1", F, "https://kinesis-fips.cn-north-1.amazonaws.com.cn", "cn-north-1" },
	{ "kinesis", "cn-north-1", D, "https://kinesis.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1" },
	{ "kinesis", "cn-north-1", F | D, "https://kinesis-fips.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1" },
	{ "sts", "cn-northwest-1", 0, "https://sts.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1" },
	{ "sts", "cn-northwest-1", F, "https://sts-fips.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1" },
	{ "sts", "cn-northwest-1", D, "https://sts.cn-northwest-1.api.amazonwebservices.com.cn", "cn-northwest-1" },
	{ "sts", "cn-northwest-1", F | D, "https://sts-fips.cn-northwest-1.api.amazonwebservices.com.cn", "cn-northwest-1" },
	{ "dynamodb", "cn-north-1", 0, "https://dynamodb.cn-north-1.amazonaws.com.cn", "cn-north-1" },
	{ "dynamodb", "cn-north-1", F, "https://dynamodb-fips.cn-north-1.amazonaws.com.cn", "cn-north-1" },
	{ "dynamodb", "cn-north-1", D, "https://dynamodb.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1" },
	{ "dynamodb", "cn-north-1", F | D, "https://dynamodb-fips.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1" },
	/* aws-us-gov: the regular endpoints are the FIPS ones */
	{ "kinesis", "us-gov-west-1", 0, "https://kinesis.us-gov-west-1.amazonaws.com", "us-gov-west-1" },
	{ "kinesis", "us-gov-west-1", F, "https://kinesis.us-gov-west-1.amazonaws.com", "us-gov-west-1" },
	{ "kinesis", "us-gov-west-1", D, "https://kinesis.us-gov-west-1.api.aws", "us-gov-west-1" },
	{ "kinesis", "us-gov-west-1", F | D, "https://kinesis-fips.us-gov-west-1.api.aws", "us-gov-west-1" },
	{ "sts", "us-gov-east-1", 0, "https://sts.us-gov-east-1.amazonaws.com", "us-gov-east-1" },
	{ "sts", "us-gov-east-1", F, "https://sts.us-gov-east-1.amazonaws.com", "us-gov-east-1" },
	{ "sts", "us-gov-east-1", D, "https://sts.us-gov-east-1.api.aws", "us-gov-east-1" },
	{ "sts", "us-gov-east-1", F | D, "https://sts-fips.us-gov-east-1.api.aws", "us-gov-east-1" },
	{ "dynamodb", "us-gov-west-1", 0, "https://dynamodb.us-gov-west-1.amazonaws.com", "us-gov-west-1" },
	{ "dynamodb", "us-gov-west-1", F, "https://dynamodb.us-gov-west-1.amazonaws.com", "us-gov-west-1" },
	{ "dynamodb", "us-gov-west-1", D, "https://dynamodb.us-gov-west-1.api.aws", "us-gov-west-1" },
	{ "dynamodb", "us-gov-west-1", F | D, "https://dynamodb-fips.us-gov-west-1.api.aws", "us-gov-west-1" },
	{ "sso", "us-gov-west-1", F, "https://portal.sso.us-gov-west-1.amazonaws.com", "us-gov-west-1" },
	/* the isolated partitions' own suffixes */
	{ "kinesis", "us-iso-east-1", 0, "https://kinesis.us-iso-east-1.c2s.ic.gov", "us-iso-east-1" },
	{ "sts", "us-isob-east-1", F, "https://sts-fips.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1" },
	{ "dynamodb", "eusc-de-east-1", D, "https://dynamodb.eusc-de-east-1.api.amazonwebservices.eu", "eusc-de-east-1" },
	/* STS's global endpoint, signed for us-east-1 */
	{ "sts", "aws-global", 0, "https://sts.amazonaws.com", "us-east-1" },
	{ "sts", "us-east-1", AWS_EP_STS_LEGACY, "https://sts.amazonaws.com", "us-east-1" },
	{ "sts", "eu-west-1", AWS_EP_STS_LEGACY, "https://sts.amazonaws.com", "us-east-1" },
	{ "sts", "ap-east-1", AWS_EP_STS_LEGACY, "https://sts.ap-east-1.amazonaws.com", "ap-east-1" },
	{ "sts", "cn-north-1", AWS_EP_STS_LEGACY, "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1" },
	/* DynamoDB Local */
	{ "dynamodb", "local", 0, "http://localhost:8000", "us-east-1" },
};

START_TEST(endpoint_per_partition_and_flag)
{
	const struct ep_case *c = &ep_cases[_i];
	struct aws_ep ep;
	struct eb e;

	ck_assert_msg(aws_endpoint_default(c->service, c->region, c->variant,
	    &ep, &e) == 0, "%s %s %u: %s", c->service, c->region, c->variant, e.msg);
	ck_assert_msg(strcmp(ep.url, c->url) == 0, "%s %s %u: %s, wanted %s",
	    c->service, c->region, c->variant, ep.url, c->url);
	ck_assert_str_eq(ep.region, c->sign);
	aws_ep_free(&ep);
}
END_TEST

START_TEST(endpoint_refusals)
{
	struct aws_ep ep;
	struct eb e;

	ck_assert_int_eq(aws_endpoint_default("dynamodb", "local", F, &ep, &e), -1);
	ck_assert_str_eq(e.msg, "DynamoDB Local (region local) has no FIPS or "
	    "dual-stack endpoint");
	ck_assert_int_eq(aws_endpoint_default("kinesis", "us-east-1/x", 0, &ep, &e), -1);
	ck_assert_str_eq(e.msg, "region 'us-east-1/x' is not a region name");
}
END_TEST

START_TEST(partitions)
{
	ck_assert_str_eq(aws_partition_of("us-east-1")->name, "aws");
	ck_assert_str_eq(aws_partition_of("mx-central-1")->name, "aws");
	ck_assert_str_eq(aws_partition_of("cn-northwest-1")->name, "aws-cn");
	ck_assert_str_eq(aws_partition_of("aws-cn-global")->name, "aws-cn");
	ck_assert_str_eq(aws_partition_of("us-gov-east-1")->name, "aws-us-gov");
	ck_assert_str_eq(aws_partition_of("us-iso-west-1")->name, "aws-iso");
	ck_assert_str_eq(aws_partition_of("us-isob-east-1")->name, "aws-iso-b");
	ck_assert_str_eq(aws_partition_of("eu-isoe-west-1")->name, "aws-iso-e");
	ck_assert_str_eq(aws_partition_of("us-isof-south-1")->name, "aws-iso-f");
	ck_assert_str_eq(aws_partition_of("eusc-de-east-1")->name, "aws-eusc");
	/* not a region name of any partition: the commercial one */
	ck_assert_str_eq(aws_partition_of("moon-base-1")->name, "aws");
	ck_assert_str_eq(aws_partition_of("cn-north")->name, "aws");
}
END_TEST

START_TEST(endpoint_order)
{
	struct aws_ep ep;
	struct eb e;

	unsetenv("AWS_ENDPOINT_URL_KINESIS");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_USE_FIPS_ENDPOINT");
	unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
	ck_assert_int_eq(aws_endpoint_resolve(NULL, NULL, "kinesis", "us-west-2", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "https://kinesis.us-west-2.amazonaws.com");
	aws_ep_free(&ep);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1/", 1);
	ck_assert_int_eq(aws_endpoint_resolve(NULL, NULL, "kinesis", "us-west-2", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:1");
	aws_ep_free(&ep);
	setenv("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:2", 1);
	ck_assert_int_eq(aws_endpoint_resolve(NULL, NULL, "kinesis", "us-west-2", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:2");
	ck_assert_str_eq(ep.region, "us-west-2");
	aws_ep_free(&ep);
	/* the service's own variable only */
	ck_assert_int_eq(aws_endpoint_resolve(NULL, NULL, "sts", "us-west-2", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:1");
	aws_ep_free(&ep);
	ck_assert_int_eq(aws_endpoint_resolve(NULL, "http://127.0.0.1:3//",
	    "kinesis", "us-west-2", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:3");
	aws_ep_free(&ep);
	/* a custom endpoint is not a FIPS one: refused, as the SDKs do */
	setenv("AWS_USE_FIPS_ENDPOINT", "true", 1);
	ck_assert_int_eq(aws_endpoint_resolve(NULL, NULL, "kinesis", "us-west-2", &ep, &e), -1);
	ck_assert_str_eq(e.msg, "AWS_ENDPOINT_URL_KINESIS and use_fips_endpoint "
	    "exclude each other: a custom endpoint is not a FIPS or dual-stack one");
	unsetenv("AWS_ENDPOINT_URL_KINESIS");
	unsetenv("AWS_ENDPOINT_URL");
	ck_assert_int_eq(aws_endpoint_resolve(NULL, NULL, "kinesis", "us-west-2", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "https://kinesis-fips.us-west-2.amazonaws.com");
	aws_ep_free(&ep);
	/* only "true" is true */
	setenv("AWS_USE_FIPS_ENDPOINT", "yes", 1);
	setenv("AWS_USE_DUALSTACK_ENDPOINT", "TRUE", 1);
	ck_assert_int_eq(aws_endpoint_resolve(NULL, NULL, "kinesis", "cn-north-1", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "https://kinesis.cn-north-1.api.amazonwebservices.com.cn");
	aws_ep_free(&ep);
}
END_TEST

START_TEST(endpoint_flags_from_profile)
{
	struct aws_opts o = { NULL, NULL, NULL, "kinesis", NULL };
	struct aws_conf c;
	struct aws_ep ep;
	struct eb e;

	unsetenv("AWS_ENDPOINT_URL_KINESIS");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_USE_FIPS_ENDPOINT");
	unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
	unsetenv("AWS_STS_REGIONAL_ENDPOINTS");
	write_files("", "[default]\nuse_fips_endpoint = true\n"
	    "use_dualstack_endpoint = true\nsts_regional_endpoints = legacy\n"
	    "[profile plain]\nsts_regional_endpoints = legacy\n");
	ck_assert_int_eq(aws_conf_load(&c, &o, &e), 0);
	ck_assert_int_eq(aws_endpoint_resolve(&c, NULL, "kinesis", "us-gov-west-1", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "https://kinesis-fips.us-gov-west-1.api.aws");
	aws_ep_free(&ep);
	/* the environment wins over the profile */
	setenv("AWS_USE_DUALSTACK_ENDPOINT", "false", 1);
	ck_assert_int_eq(aws_endpoint_resolve(&c, NULL, "dynamodb", "us-east-1", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "https://dynamodb-fips.us-east-1.amazonaws.com");
	aws_ep_free(&ep);
	aws_conf_free(&c);
	o.profile = "plain";
	ck_assert_int_eq(aws_conf_load(&c, &o, &e), 0);
	ck_assert_int_eq(aws_endpoint_resolve(&c, NULL, "sts", "us-west-2", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "https://sts.amazonaws.com");
	ck_assert_str_eq(ep.region, "us-east-1");
	aws_ep_free(&ep);
	setenv("AWS_STS_REGIONAL_ENDPOINTS", "regional", 1);
	ck_assert_int_eq(aws_endpoint_resolve(&c, NULL, "sts", "us-west-2", &ep, &e), 0);
	ck_assert_str_eq(ep.url, "https://sts.us-west-2.amazonaws.com");
	aws_ep_free(&ep);
	aws_conf_free(&c);
	remove_files();
}
END_TEST

/* ---- credential sources ---- */

START_TEST(creds_environment)
{
	struct aws_opts o = { NULL, NULL, NULL, "kinesis", NULL };
	struct aws_creds c;
	struct eb e;

	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t", 1);
	setenv("AWS_SESSION_TOKEN", "tok", 1);
	ck_assert_int_eq(aws_creds_load(&o, &c, &e), 0);
	ck_assert_str_eq(c.access_key_id, "AKIDENV");
	ck_assert_str_eq(c.secret_access_key, "s3cr3t");
	ck_assert_str_eq(c.session_token, "tok");
	ck_assert_str_eq(c.source, "environment");
	aws_creds_free(&c);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	ck_assert_int_eq(aws_creds_load(&o, &c, &e), -1);
	ck_assert_str_eq(e.msg, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (only AWS_ACCESS_KEY_ID is)");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SESSION_TOKEN");
}
END_TEST

static const char *
load_error(const char *profile)
{
	static struct eb e;
	struct aws_opts o = { profile, NULL, NULL, "kinesis", NULL };
	struct aws_creds c;

	ck_assert_int_eq(aws_creds_load(&o, &c, &e), -1);
	return e.msg;
}

START_TEST(role_refusals)
{
	write_files("[keys]\naws_access_key_id = AKIDK\naws_secret_access_key = k\n",
	    "[profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\n"
	    "mfa_serial = arn:aws:iam::1:mfa/me\n"
	    "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\n"
	    "credential_source = Environment\n"
	    "[profile neither]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "[profile missing]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = ghost\n"
	    "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
	    "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
	    "[profile badsrc]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Moon\n"
	    "[profile envsrc]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n"
	    "[profile self]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = self\n"
	    "[profile empty]\nregion = x\n"
	    "[profile src-empty]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = empty\n");
	ck_assert_str_eq(load_error("mfa"), "profile 'mfa' has mfa_serial: kinpipe "
	    "cannot ask for an MFA code (a pipeline has no one to type it); use a "
	    "profile whose role needs no MFA");
	ck_assert_str_eq(load_error("both"), "profile 'both' has both "
	    "source_profile and credential_source");
	ck_assert_str_eq(load_error("neither"), "profile 'neither' has role_arn "
	    "but neither source_profile nor credential_source");
	ck_assert_str_eq(load_error("missing"), "profile 'missing': "
	    "source_profile 'ghost' does not exist");
	ck_assert_str_eq(load_error("a"), "profile 'b': source_profile loop: "
	    "a -> b -> a");
	ck_assert_str_eq(load_error("badsrc"), "profile 'badsrc': "
	    "credential_source 'Moon' is not one of Environment, "
	    "Ec2InstanceMetadata, EcsContainer");
	ck_assert_str_eq(load_error("envsrc"), "profile 'envsrc': "
	    "credential_source Environment has no credentials");
	/* naming itself takes its own keys: it has none */
	ck_assert_str_eq(load_error("self"), "profile 'self': source_profile "
	    "loop: self -> self");
	ck_assert_str_eq(load_error("src-empty"), "profile 'src-empty': "
	    "source_profile 'empty' has no credentials");
	remove_files();
}
END_TEST

/* AWS's documented AssumeRole answer, trimmed. */
static const char sts_answer[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "<AssumeRoleResult>\n<SourceIdentity>Alice</SourceIdentity>\n"
    "<AssumedRoleUser>\n<Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>\n"
    "<AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>\n</AssumedRoleUser>\n"
    "<Credentials>\n<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
    "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>\n"
    "<SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764&amp;plus</SessionToken>\n"
    "<Expiration>2019-11-09T13:34:41Z</Expiration>\n</Credentials>\n"
    "<PackedPolicySize>6</PackedPolicySize>\n</AssumeRoleResult>\n"
    "<ResponseMetadata>\n<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
    "</ResponseMetadata>\n</AssumeRoleResponse>\n";

START_TEST(sts_xml)
{
	static const char partial[] = "<AssumeRoleResponse><AssumeRoleResult>"
	    "<Credentials><AccessKeyId>A</AccessKeyId></Credentials>"
	    "</AssumeRoleResult></AssumeRoleResponse>";
	struct aws_creds c;
	struct eb e;

	ck_assert_int_eq(aws_sts_parse(sts_answer, strlen(sts_answer),
	    "AssumeRole", &c, &e), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
	ck_assert_str_eq(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
	/* the parser decodes entities */
	ck_assert_str_eq(c.session_token, "AQoDYXdzEPT//////////wEXAMPLEtc764&plus");
	/* 2019-11-09T13:34:41Z: date -u -d ... +%s gives 1573306481 */
	ck_assert_int_eq(c.expires_us, INT64_C(1573306481000000));
	aws_creds_free(&c);
	ck_assert_int_eq(aws_sts_parse(sts_answer, strlen(sts_answer),
	    "AssumeRoleWithWebIdentity", &c, &e), -1);
	ck_assert_str_eq(e.msg, "AssumeRoleWithWebIdentity: answer is not an "
	    "AssumeRoleWithWebIdentityResponse");
	ck_assert_int_eq(aws_sts_parse("<AssumeRoleResponse>", 20, "AssumeRole",
	    &c, &e), -1);
	ck_assert_str_eq(e.msg, "AssumeRole: answer is not XML");
	ck_assert_int_eq(aws_sts_parse(partial, strlen(partial), "AssumeRole", &c, &e), -1);
	ck_assert_str_eq(e.msg, "AssumeRole: answer without AccessKeyId, "
	    "SecretAccessKey, SessionToken and Expiration");
}
END_TEST

START_TEST(sso_parts)
{
	static const char answer[] = "{\"roleCredentials\":{\"accessKeyId\":"
	    "\"ASIASSO\",\"secretAccessKey\":\"s\",\"sessionToken\":\"t\","
	    "\"expiration\":1700000000123}}";
	char name[AWS_SSO_CACHE_NAME];
	struct aws_creds c;
	struct eb e;

	/* python3: hashlib.sha1(b"my-sso").hexdigest() */
	aws_sso_cache_name("my-sso", name);
	ck_assert_str_eq(name, "0ad374308c5a4e22f723adf10145eafad7c4031c.json");
	aws_sso_cache_name("https://my-sso-portal.awsapps.com/start", name);
	ck_assert_str_eq(name, "c7aaaf71fcc8777ae2475525ed049d39fe16c484.json");
	ck_assert_int_eq(aws_sso_parse(answer, strlen(answer), &c, &e), 0);
	ck_assert_str_eq(c.access_key_id, "ASIASSO");
	ck_assert_int_eq(c.expires_us, INT64_C(1700000000123000));
	aws_creds_free(&c);
	ck_assert_int_eq(aws_sso_parse("{}", 2, &c, &e), -1);
}
END_TEST

static void
check_split(const char *line, const char *const *want)
{
	char **argv;
	struct eb e;
	int i;

	ck_assert_msg(aws_split_command(line, &argv, &e) == 0, "%s: %s", line, e.msg);
	for (i = 0; want[i] != NULL; i++) {
		ck_assert_ptr_nonnull(argv[i]);
		ck_assert_str_eq(argv[i], want[i]);
	}
	ck_assert_ptr_null(argv[i]);
	aws_argv_free(argv);
}

START_TEST(process_command_line)
{
	/* expected words: python3's shlex.split of the same lines */
	static const char *const w1[] = { "/usr/bin/helper", "--profile", "dev", NULL };
	static const char *const w2[] = { "/opt/my tools/helper", "--a=x y", "z w", NULL };
	static const char *const w3[] = { "a b", "c", NULL };
	static const char *const w4[] = { "x", "q\"q", "\\n", "#c", NULL };
	static const char *const w5[] = { "x", "", "y", NULL };
	char **argv;
	struct eb e;

	check_split("/usr/bin/helper --profile dev", w1);
	check_split("\"/opt/my tools/helper\" --a=\"x y\" 'z w'", w2);
	check_split("a\\ b c", w3);
	check_split("x \"q\\\"q\" \"\\n\" #c", w4);
	check_split("x  \"\"  y", w5);
	ck_assert_int_eq(aws_split_command("helper 'open", &argv, &e), -1);
	ck_assert_str_eq(e.msg, "no closing quotation");
	ck_assert_int_eq(aws_split_command("   ", &argv, &e), -1);
	ck_assert_str_eq(e.msg, "empty command");
}
END_TEST

static const char *
process_error(const char *out)
{
	static struct eb e;
	struct aws_creds c;

	ck_assert_int_eq(aws_process_parse(out, strlen(out), &c, &e), -1);
	/* whatever is wrong, the secret is not in the message */
	ck_assert_ptr_null(strstr(e.msg, "TOPSECRET"));
	return e.msg;
}

START_TEST(process_output)
{
	static const char good[] = "{\"Version\": 1, \"AccessKeyId\": \"ASIAP\","
	    " \"SecretAccessKey\": \"TOPSECRET\", \"SessionToken\": \"tok\","
	    " \"Expiration\": \"2030-01-01T00:00:00Z\"}";
	struct aws_creds c;
	struct eb e;

	ck_assert_int_eq(aws_process_parse(good, strlen(good), &c, &e), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAP");
	ck_assert_str_eq(c.secret_access_key, "TOPSECRET");
	ck_assert_str_eq(c.session_token, "tok");
	/* date -u -d 2030-01-01T00:00:00Z +%s gives 1893456000 */
	ck_assert_int_eq(c.expires_us, INT64_C(1893456000000000));
	aws_creds_free(&c);
	/* where jansson stopped is jansson's business; that it says no
	 * more than where is ours */
	ck_assert(strncmp(process_error("{\"Version\": 1, \"SecretAccessKey\": TOPSECRET}"),
	    "output is not JSON (line 1, column ", 35) == 0);
	ck_assert_str_eq(process_error("[\"TOPSECRET\"]"), "output is not a JSON object");
	ck_assert_str_eq(process_error("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"TOPSECRET\"}"),
	    "output has no Version: expected 1");
	ck_assert_str_eq(process_error("{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"TOPSECRET\"}"),
	    "output has an unsupported Version: expected 1");
	ck_assert_str_eq(process_error("{\"Version\": 1, \"SecretAccessKey\": \"TOPSECRET\"}"),
	    "output: no AccessKeyId or SecretAccessKey");
	ck_assert_str_eq(process_error("{\"Version\": 1, \"AccessKeyId\": \"A\", "
	    "\"SecretAccessKey\": \"TOPSECRET\", \"Expiration\": \"soon\"}"),
	    "output: Expiration is not an RFC 3339 time");
	ck_assert_str_eq(process_error("{\"Version\": 1, \"AccessKeyId\": \"A\", "
	    "\"SecretAccessKey\": \"TOPSECRET\", \"SessionToken\": 7}"),
	    "output: SessionToken is not a string");
}
END_TEST

START_TEST(process_runs)
{
	struct aws_opts o = { "p", NULL, NULL, "kinesis", NULL };
	struct aws_creds c;
	struct eb e;

	/* printf is run without a shell: its one argument is the JSON */
	write_files("", "[profile p]\ncredential_process = printf "
	    "'{\"Version\":1,\"AccessKeyId\":\"ASIAPROC\",\"SecretAccessKey\":\"s\"}'\n"
	    "[profile fails]\ncredential_process = false\n"
	    "[profile nosuch]\ncredential_process = /nonexistent/helper --x\n");
	ck_assert_int_eq(aws_creds_load(&o, &c, &e), 0);
	ck_assert_str_eq(c.access_key_id, "ASIAPROC");
	ck_assert_int_eq(c.expires_us, 0);
	ck_assert_str_eq(c.source, "credential_process of profile 'p'");
	aws_creds_free(&c);
	ck_assert_str_eq(load_error("fails"), "profile 'fails': credential_process: "
	    "false exited with status 1");
	ck_assert_str_eq(load_error("nosuch"), "profile 'nosuch': credential_process: "
	    "cannot run /nonexistent/helper: No such file or directory");
	remove_files();
}
END_TEST

START_TEST(times)
{
	int64_t us;
	struct eb e;

	ck_assert_int_eq(aws_parse_time("2019-11-14T04:05:45UTC", &us, &e), 0);
	/* date -u -d 2019-11-14T04:05:45Z +%s gives 1573704345 */
	ck_assert_int_eq(us, INT64_C(1573704345000000));
	ck_assert_int_eq(aws_parse_time("2019-11-14T04:05:45Z", &us, &e), 0);
	ck_assert_int_eq(us, INT64_C(1573704345000000));
	ck_assert_int_eq(aws_parse_time("yesterday", &us, &e), -1);
}
END_TEST

static Suite *
aws_suite(void)
{
	Suite *s = suite_create("aws");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ini_sections_and_keys);
	tcase_add_test(tc, ini_nested_and_case);
	tcase_add_test(tc, region_and_profile);
	tcase_add_test(tc, conf_merges_files);
	tcase_add_loop_test(tc, endpoint_per_partition_and_flag, 0,
	    (int)(sizeof(ep_cases) / sizeof(ep_cases[0])));
	tcase_add_test(tc, endpoint_refusals);
	tcase_add_test(tc, partitions);
	tcase_add_test(tc, endpoint_order);
	tcase_add_test(tc, endpoint_flags_from_profile);
	tcase_add_test(tc, creds_environment);
	tcase_add_test(tc, role_refusals);
	tcase_add_test(tc, sts_xml);
	tcase_add_test(tc, sso_parts);
	tcase_add_test(tc, process_command_line);
	tcase_add_test(tc, process_output);
	tcase_add_test(tc, process_runs);
	tcase_add_test(tc, times);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(aws_suite)
