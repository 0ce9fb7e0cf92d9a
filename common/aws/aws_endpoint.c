/* Endpoints as the AWS SDKs resolve them. The partitions are those of the
 * SDKs' partitions.json; the host names follow the endpoint rule sets of
 * Kinesis, STS, DynamoDB and SSO (botocore 1.43), which agree on one
 * shape:
 *
 *   FIPS and dual-stack   SVC-fips.REGION.DUALSTACK_SUFFIX
 *   FIPS                  SVC-fips.REGION.SUFFIX, but SVC.REGION.amazonaws.com
 *                         in aws-us-gov, whose regular endpoints are FIPS
 *   dual-stack            SVC.REGION.DUALSTACK_SUFFIX
 *   neither               SVC.REGION.SUFFIX
 *
 * plus STS's global endpoint (region aws-global, or the legacy set of
 * regions when sts_regional_endpoints is "legacy"), signed for us-east-1,
 * and DynamoDB's region "local" (DynamoDB Local on localhost:8000). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "base/sb.h"

/* Region name prefixes of the partitions' regionRegex "^PREFIX\-\w+\-\d+$"
 * ("^(us|eu|...)\-\w+\-\d+$" for aws). Explicit region names (the
 * partitions' global pseudo-regions) are matched first. */
static const char *const aws_prefixes[] = { "us", "eu", "ap", "sa", "ca",
    "me", "af", "il", "mx", NULL };
static const char *const cn_prefixes[] = { "cn", NULL };
static const char *const gov_prefixes[] = { "us-gov", NULL };
static const char *const iso_prefixes[] = { "us-iso", NULL };
static const char *const isob_prefixes[] = { "us-isob", NULL };
static const char *const isoe_prefixes[] = { "eu-isoe", NULL };
static const char *const isof_prefixes[] = { "us-isof", NULL };
static const char *const eusc_prefixes[] = { "eusc-de", NULL };

struct partition_rule {
	struct aws_partition p;
	const char *global;		/* its explicit pseudo-region */
	const char *const *prefixes;
};

static const struct partition_rule partitions[] = {
	{ { "aws", "amazonaws.com", "api.aws" }, "aws-global", aws_prefixes },
	{ { "aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn" },
	    "aws-cn-global", cn_prefixes },
	{ { "aws-us-gov", "amazonaws.com", "api.aws" }, "aws-us-gov-global",
	    gov_prefixes },
	{ { "aws-iso", "c2s.ic.gov", "api.aws.ic.gov" }, "aws-iso-global",
	    iso_prefixes },
	{ { "aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud" }, "aws-iso-b-global",
	    isob_prefixes },
	{ { "aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk" },
	    "aws-iso-e-global", isoe_prefixes },
	{ { "aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov" },
	    "aws-iso-f-global", isof_prefixes },
	{ { "aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu" }, NULL,
	    eusc_prefixes },
};

/* "\w+\-\d+$": one word, a dash, digits, nothing after. */
static int
word_dash_digits(const char *s)
{
	const char *p = s;

	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (p == s || *p != '-' || !isdigit((unsigned char)p[1]))
		return 0;
	for (p++; isdigit((unsigned char)*p); p++)
		;
	return *p == '\0';
}

static int
matches(const char *region, const char *const *prefixes)
{
	size_t n;
	int i;

	for (i = 0; prefixes[i] != NULL; i++) {
		n = strlen(prefixes[i]);
		if (strncmp(region, prefixes[i], n) == 0 && region[n] == '-' &&
		    word_dash_digits(region + n + 1))
			return 1;
	}
	return 0;
}

const struct aws_partition *
aws_partition_of(const char *region)
{
	size_t i, n = sizeof(partitions) / sizeof(partitions[0]);

	for (i = 0; i < n; i++)
		if (partitions[i].global && strcmp(region, partitions[i].global) == 0)
			return &partitions[i].p;
	for (i = 0; i < n; i++)
		if (matches(region, partitions[i].prefixes))
			return &partitions[i].p;
	/* an unknown name is taken to be in the commercial partition, as
	 * the SDKs do */
	return &partitions[0].p;
}

/* The regions whose STS calls went to the global endpoint before the
 * SDKs made regional endpoints the default; "legacy" keeps them there. */
static int
sts_legacy_region(const char *region)
{
	static const char *const legacy[] = { "ap-northeast-1", "ap-south-1",
	    "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
	    "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
	    "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
	    NULL };
	int i;

	for (i = 0; legacy[i] != NULL; i++)
		if (strcmp(region, legacy[i]) == 0)
			return 1;
	return 0;
}

/* A region goes into a host name: letters, digits and dashes only. */
static int
host_label(const char *s)
{
	if (*s == '\0' || *s == '-')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-')
			return 0;
	return 1;
}

int
aws_endpoint_default(const char *service, const char *region,
    unsigned variant, struct aws_ep *ep, struct eb *e)
{
	const struct aws_partition *p;
	const char *host = strcmp(service, "sso") == 0 ? "portal.sso" : service;
	int fips = (variant & AWS_EP_FIPS) != 0;
	int dual = (variant & AWS_EP_DUALSTACK) != 0;
	struct sb s = SB_INIT;
	const char *text;

	ep->url = NULL;
	if (!host_label(region))
		return eb_set(e, "region '%s' is not a region name", region);
	snprintf(ep->region, sizeof(ep->region), "%s", region);
	p = aws_partition_of(region);
	if (strcmp(service, "dynamodb") == 0 && strcmp(region, "local") == 0) {
		if (fips || dual)
			return eb_set(e, "DynamoDB Local (region local) has no "
			    "FIPS or dual-stack endpoint");
		snprintf(ep->region, sizeof(ep->region), "us-east-1");
		sb_adds(&s, "http://localhost:8000");
	} else if (strcmp(service, "sts") == 0 && !fips && !dual &&
	    (strcmp(region, "aws-global") == 0 ||
	    ((variant & AWS_EP_STS_LEGACY) && sts_legacy_region(region)))) {
		snprintf(ep->region, sizeof(ep->region), "us-east-1");
		sb_adds(&s, "https://sts.amazonaws.com");
	} else if (fips && dual) {
		sb_printf(&s, "https://%s-fips.%s.%s", host, region, p->dualstack_dns);
	} else if (fips && strcmp(p->name, "aws-us-gov") == 0) {
		sb_printf(&s, "https://%s.%s.amazonaws.com", host, region);
	} else if (fips) {
		sb_printf(&s, "https://%s-fips.%s.%s", host, region, p->dns);
	} else if (dual) {
		sb_printf(&s, "https://%s.%s.%s", host, region, p->dualstack_dns);
	} else {
		sb_printf(&s, "https://%s.%s.%s", host, region, p->dns);
	}
	if (sb_failed(&s) || (text = sb_cstr(&s)) == NULL ||
	    (ep->url = strdup(text)) == NULL) {
		sb_free(&s);
		return eb_set(e, "out of memory");
	}
	sb_free(&s);
	return 0;
}

/* AWS_ENDPOINT_URL_<SERVICE> (the service id upper-cased) into name. */
static const char *
service_env(const char *service, char *name, size_t cap)
{
	size_t i, n;
	const char *v;

	n = (size_t)snprintf(name, cap, "AWS_ENDPOINT_URL_%s", service);
	for (i = 17; i < n && i < cap; i++)
		name[i] = (char)toupper((unsigned char)name[i]);
	v = getenv(name);
	return v != NULL && *v != '\0' ? v : NULL;
}

int
aws_endpoint_resolve(const struct aws_conf *c, const char *endpoint_opt,
    const char *service, const char *region, struct aws_ep *ep, struct eb *e)
{
	char env[64];
	const char *v = endpoint_opt, *why = "--endpoint-url";
	unsigned variant = 0;
	size_t n;

	ep->url = NULL;
	if (aws_conf_flag(c, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"))
		variant |= AWS_EP_FIPS;
	if (aws_conf_flag(c, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
		variant |= AWS_EP_DUALSTACK;
	if (v == NULL && (v = service_env(service, env, sizeof(env))) != NULL)
		why = env;
	if (v == NULL && (v = getenv("AWS_ENDPOINT_URL")) != NULL) {
		why = "AWS_ENDPOINT_URL";
		if (*v == '\0')
			v = NULL;
	}
	if (v == NULL)
		return aws_endpoint_default(service, region,
		    variant | (aws_sts_legacy(c) ? AWS_EP_STS_LEGACY : 0), ep, e);
	/* the rule sets refuse the mix: a custom endpoint is neither */
	if (variant != 0)
		return eb_set(e, "%s and %s exclude each other: a custom endpoint "
		    "is not a FIPS or dual-stack one", why,
		    (variant & AWS_EP_FIPS) ? "use_fips_endpoint" :
		    "use_dualstack_endpoint");
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	if ((ep->url = strndup(v, n)) == NULL)
		return eb_set(e, "out of memory");
	snprintf(ep->region, sizeof(ep->region), "%s", region);
	return 0;
}

int
aws_sts_legacy(const struct aws_conf *c)
{
	const char *v = getenv("AWS_STS_REGIONAL_ENDPOINTS");

	if ((v == NULL || *v == '\0') && c != NULL)
		v = aws_conf_get(c, c->profile, "sts_regional_endpoints");
	return v != NULL && strcmp(v, "legacy") == 0;
}

void
aws_ep_free(struct aws_ep *ep)
{
	free(ep->url);
	ep->url = NULL;
}
