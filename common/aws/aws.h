/* aws: what every AWS client needs before its first request, found the
 * way the AWS CLI finds it (credentials chain, shared config files,
 * region, endpoint), and one signed JSON POST over a kept-alive libcurl
 * handle. Signing is libcurl's CURLOPT_AWS_SIGV4, which a unit-free e2e
 * test proves byte for byte against botocore.
 *
 * Errors: the lookups (credentials, region, INI files) return 0 or -1
 * (aws_ini_get also 1, found) and fill eb, as base does; the client's
 * calls return an enum aws_status, AWS_OK or why not, and fill eb when
 * it is not AWS_OK. */
#ifndef KP_AWS_H
#define KP_AWS_H

#include <curl/curl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"

struct aws_creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;	/* NULL unless temporary credentials */
	int64_t expires_us;	/* 0: never (static credentials) */
	char source[160];	/* where they came from, for messages */
};

/* What the user said on the command line; NULL where they said nothing. */
struct aws_opts {
	const char *profile;	/* --profile (AWS_PROFILE is read here) */
	const char *region;	/* --region */
	const char *endpoint;	/* --endpoint-url */
	const char *service;	/* "kinesis": signing name, endpoint env */
	const char *ca_bundle;	/* --ca-bundle (AWS_CA_BUNDLE is read here) */
};

/* Credentials chain of the AWS CLI: environment (skipped when --profile
 * is given, as botocore does), the shared credentials file, the config
 * file, the ECS container endpoint, EC2 instance metadata (IMDSv2).
 * Fails naming every place that was tried. */
int aws_creds_load(const char *profile_opt, struct aws_creds *c, struct eb *e);
void aws_creds_free(struct aws_creds *c);

/* Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's config.
 * Returns a malloc'd string. */
char *aws_region(const char *region_opt, const char *profile_opt, struct eb *e);

/* Endpoint: --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 * else https://SERVICE.REGION.amazonaws.com. Malloc'd, ends without '/'. */
char *aws_endpoint(const char *endpoint_opt, const char *service,
    const char *region);

/* Value of KEY in [SECTION] of an INI file (~/.aws/credentials style).
 * Returns 1 and a malloc'd *out when found, 0 when the file, section or
 * key is absent (*section_seen tells which), -1 on a read error. */
int aws_ini_get(const char *path, const char *section, const char *key,
    char **out, int *section_seen, struct eb *e);

/* The profile in use: --profile, AWS_PROFILE, else "default". */
const char *aws_profile_name(const char *profile_opt);

struct aws_client {
	CURL *curl;
	char *endpoint;
	char *region;
	char *profile;		/* --profile as given, for refreshes */
	char sigv4[96];
	char *userpwd;
	struct aws_creds creds;
	struct sb resp;
	char errbuf[CURL_ERROR_SIZE];
	/* When set (by a signal handler), transfers in flight abort. */
	volatile sig_atomic_t *stop;
	long timeout_ms;
	char *ca_bundle;	/* certificates to trust instead of the system's */
};

struct aws_result {
	long status;		/* HTTP status, 0 when no answer */
	const char *body;	/* response body (NUL-terminated), owned by the client */
	size_t len;
};

enum aws_status {
	AWS_OK = 0,	/* done; for aws_post: an HTTP answer, of any status */
	AWS_TRANSPORT,	/* connection-level failure (refused, reset, timeout) */
	AWS_STOPPED,	/* *stop was set */
	AWS_LOCAL,	/* on this side: configuration, out of memory, a
			 * credentials refresh that failed, a certificate
			 * not trusted */
	AWS_NOCREDS	/* no usable credentials (the tools' exit 3) */
};

/* AWS_OK, AWS_NOCREDS when the credentials chain found none (or a bad
 * one), AWS_LOCAL otherwise. */
enum aws_status aws_client_init(struct aws_client *c,
    const struct aws_opts *o, volatile sig_atomic_t *stop, struct eb *e);
void aws_client_free(struct aws_client *c);
/* POST body to the endpoint with X-Amz-Target: target, signed. Returns
 * AWS_OK with r filled for any HTTP answer, AWS_TRANSPORT, AWS_STOPPED
 * or AWS_LOCAL. */
enum aws_status aws_post(struct aws_client *c, const char *target,
    const char *body, size_t len, struct aws_result *r, struct eb *e);

/* The same request on a handle of the caller's, for libcurl's multi
 * interface: h is set up to POST body (which must outlive the transfer)
 * to the client's endpoint, signed with its credentials, the answer
 * appended to resp, errors in errbuf (CURL_ERROR_SIZE bytes), aborted
 * when *c->stop is set. *hdrs takes the request's headers: the caller
 * frees them (curl_slist_free_all) when the transfer is over. AWS_OK or
 * AWS_LOCAL. */
enum aws_status aws_prepare(struct aws_client *c, CURL *h, const char *target,
    const char *body, size_t len, struct sb *resp, char *errbuf,
    struct curl_slist **hdrs, struct eb *e);
/* A long-lived answer on a handle set up by aws_prepare (SubscribeToShard):
 * HTTP/2 (with prior knowledge for an http:// endpoint, negotiated by
 * ALPN for https://), no overall time limit, but cut when less than a
 * byte a second arrives for idle_s seconds. */
void aws_streaming(struct aws_client *c, CURL *h, long idle_s);
/* What a transfer set up by aws_prepare ended with (rc): AWS_OK with
 * *status for an HTTP answer, AWS_TRANSPORT, AWS_STOPPED. */
enum aws_status aws_finish(struct aws_client *c, CURL *h, CURLcode rc,
    const char *errbuf, long *status, struct eb *e);

#endif
