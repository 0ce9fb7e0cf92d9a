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

#define AWS_XFER_MAX (1 << 20)	/* largest answer or file the chain reads */
#define AWS_REGION_MAX 64
#define AWS_SSO_CACHE_NAME 46	/* 40 hex digits, ".json", NUL */

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
	const char *ca_bundle;	/* --ca-bundle (AWS_CA_BUNDLE and the
				   profile's ca_bundle: aws_conf_load) */
};

/* ---- the shared files (aws_config.c) ---- */

/* One setting of an INI file; sub is set for a nested value ("s3 =" and
 * indented "key = value" lines under it), key is NULL for the entry
 * that records a section exists. */
struct aws_ini_ent {
	char *section, *key, *sub, *val;
};

struct aws_ini {
	char *path;
	struct aws_ini_ent *v;
	size_t n, cap;
};

/* Read an INI file (~/.aws/credentials style); a file that does not
 * exist reads as empty. Keys are matched case-insensitively, sections
 * exactly (blanks inside the brackets collapsed). */
int aws_ini_load(struct aws_ini *ini, const char *path, struct eb *e);
void aws_ini_free(struct aws_ini *ini);
/* The value of KEY in [SECTION], NULL when absent. */
const char *aws_ini_find(const struct aws_ini *ini, const char *section,
    const char *key);
/* The nested value SUB under KEY in [SECTION]. */
const char *aws_ini_find_sub(const struct aws_ini *ini, const char *section,
    const char *key, const char *sub);
int aws_ini_has(const struct aws_ini *ini, const char *section);

/* Value of KEY in [SECTION] of an INI file, read for this one question.
 * Returns 1 and a malloc'd *out when found, 0 when the file, section or
 * key is absent (*section_seen tells which), -1 on a read error. */
int aws_ini_get(const char *path, const char *section, const char *key,
    char **out, int *section_seen, struct eb *e);

/* The profile in use: --profile, AWS_PROFILE, else "default". */
const char *aws_profile_name(const char *profile_opt);

/* Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's config.
 * Returns a malloc'd string. */
char *aws_region(const char *region_opt, const char *profile_opt, struct eb *e);

/* Both shared files, as one run reads them. */
struct aws_conf {
	struct aws_ini cred;	/* AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials */
	struct aws_ini config;	/* AWS_CONFIG_FILE, ~/.aws/config */
	const char *profile;	/* the profile in use */
	int explicit_profile;	/* --profile given: the environment's keys are skipped */
	const char *region_opt;	/* --region */
	/* The certificates every https call of the run trusts, the AWS
	 * CLI's way: --ca-bundle, else AWS_CA_BUNDLE, else the profile's
	 * ca_bundle; NULL: the system's. */
	const char *ca_bundle;
	/* When set (by a signal handler), STS and SSO calls in flight abort. */
	volatile sig_atomic_t *stop;
};

int aws_conf_load(struct aws_conf *c, const struct aws_opts *o, struct eb *e);
void aws_conf_free(struct aws_conf *c);
/* A profile's setting as botocore merges the files: the credentials
 * file's [NAME] over the config file's [profile NAME] ([default] for
 * default). NULL when set in neither. */
const char *aws_conf_get(const struct aws_conf *c, const char *profile,
    const char *key);
int aws_conf_has_profile(const struct aws_conf *c, const char *profile);
/* KEY of [sso-session NAME] in the config file. */
const char *aws_conf_sso_session(const struct aws_conf *c, const char *name,
    const char *key);
int aws_conf_has_sso_session(const struct aws_conf *c, const char *name);
/* A true/false setting: the environment variable env, else the profile's
 * key (c may be NULL); only "true", in any letter case, is true, as
 * botocore reads them. */
int aws_conf_flag(const struct aws_conf *c, const char *env, const char *key);
/* The region of the calls the chain makes: --region, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's region; NULL when none. */
const char *aws_conf_region(const struct aws_conf *c);

/* ---- endpoints (aws_endpoint.c) ---- */

struct aws_partition {
	const char *name, *dns, *dualstack_dns;
};

/* The partition of a region (aws, aws-cn, aws-us-gov, the isolated ones);
 * an unknown name is in aws. */
const struct aws_partition *aws_partition_of(const char *region);

enum aws_ep_variant {
	AWS_EP_FIPS = 1,	/* AWS_USE_FIPS_ENDPOINT, use_fips_endpoint */
	AWS_EP_DUALSTACK = 2,	/* AWS_USE_DUALSTACK_ENDPOINT, use_dualstack_endpoint */
	AWS_EP_STS_LEGACY = 4	/* sts_regional_endpoints = legacy */
};

struct aws_ep {
	char *url;			/* no trailing '/' */
	char region[AWS_REGION_MAX];	/* the region to sign for */
};

/* The SDKs' default endpoint of service ("kinesis", "sts", "dynamodb",
 * "sso") in region, for the variant flags. */
int aws_endpoint_default(const char *service, const char *region,
    unsigned variant, struct aws_ep *ep, struct eb *e);
/* The endpoint a client uses: endpoint_opt (--endpoint-url),
 * AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, else the default for the
 * flags of the environment and of c's profile (c may be NULL). A custom
 * endpoint with FIPS or dual-stack asked for is refused, as the SDKs
 * refuse it. */
int aws_endpoint_resolve(const struct aws_conf *c, const char *endpoint_opt,
    const char *service, const char *region, struct aws_ep *ep, struct eb *e);
/* AWS_STS_REGIONAL_ENDPOINTS, else sts_regional_endpoints, is "legacy". */
int aws_sts_legacy(const struct aws_conf *c);
void aws_ep_free(struct aws_ep *ep);

/* ---- credentials (aws_cred.c and one file per source) ---- */

/* The credentials chain of the AWS CLI (aws_cred.c says the order);
 * fails naming what was tried, or why a source that applies failed. */
int aws_creds_load(const struct aws_opts *o, struct aws_creds *c,
    struct eb *e);
int aws_creds_load_conf(const struct aws_conf *conf, struct aws_creds *c,
    struct eb *e);
void aws_creds_free(struct aws_creds *c);

/* The sources return 1 with c filled, 0 when they do not apply, -1 when
 * they apply and fail. */
int aws_creds_ecs(struct aws_creds *c, struct eb *e);
int aws_creds_imds(struct aws_creds *c, struct eb *e);
int aws_creds_sso(const struct aws_conf *conf, const char *profile,
    struct aws_creds *c, struct eb *e);
/* credential_process: 0 or -1 (never 0 without credentials). */
int aws_creds_process(const char *command, struct aws_creds *c,
    struct eb *e);

/* {"AccessKeyId","SecretAccessKey",TOKEN_KEY,"Expiration"}, the document
 * of the metadata services (TOKEN_KEY "Token") and of credential_process
 * ("SessionToken"). Messages never quote the document. 0 or -1. */
int aws_creds_from_doc(const char *text, size_t len, const char *token_key,
    const char *what, struct aws_creds *c, struct eb *e);
/* credential_process output: the document above with "Version": 1. */
int aws_process_parse(const char *text, size_t len, struct aws_creds *c,
    struct eb *e);
/* Split a command line as Python's shlex.split does (POSIX mode) into a
 * NULL-terminated, malloc'd argv. */
int aws_split_command(const char *s, char ***argv, struct eb *e);
void aws_argv_free(char **argv);

struct aws_sts_req {
	const char *action;	/* "AssumeRole", "AssumeRoleWithWebIdentity" */
	const char *role_arn, *session_name;
	const char *external_id;	/* AssumeRole; NULL = none */
	const char *web_identity_token;	/* AssumeRoleWithWebIdentity */
	long duration_s;		/* 0 = STS's default */
};

/* One STS call (signed with signer, or unsigned when it is NULL) at the
 * STS endpoint of conf; out gets the temporary credentials. */
int aws_sts_call(const struct aws_conf *conf, const struct aws_sts_req *r,
    const struct aws_creds *signer, struct aws_creds *out, struct eb *e);
/* The Credentials of an <ACTION>Response document. */
int aws_sts_parse(const char *xml, size_t len, const char *action,
    struct aws_creds *c, struct eb *e);

/* The SSO token cache's file name for a session name or start URL: the
 * SHA-1 of it in hex, ".json". */
void aws_sso_cache_name(const char *key, char out[AWS_SSO_CACHE_NAME]);
/* GetRoleCredentials' answer. */
int aws_sso_parse(const char *text, size_t len, struct aws_creds *c,
    struct eb *e);

/* ---- helpers (aws_util.c, aws_xfer.c) ---- */

char *aws_trim(char *s);
/* Control characters (newlines) to blanks: a message is one line. */
char *aws_one_line(char *s);
/* The whole of a small file (at most AWS_XFER_MAX bytes), NUL-terminated. */
int aws_read_small_file(const char *path, struct sb *out, struct eb *e);
/* RFC 3339, or the "...T00:00:00UTC" older AWS CLIs wrote. */
int aws_parse_time(const char *s, int64_t *us, struct eb *e);
/* The environment variable's value, NULL when unset or empty (as the
 * AWS CLI treats an empty one). */
const char *aws_env(const char *name);
/* Percent-encoding of all but RFC 3986's unreserved characters, as
 * botocore encodes query and form values. */
void aws_put_uri_escaped(struct sb *s, const char *v);
/* An error that says the credentials or the signature were refused: one
 * of the errors common to every AWS service (the API references' "Common
 * Errors"), or HTTP 401 or 403. Each service adds its own to these. */
int aws_is_auth_error(long status, const char *type);

/* One HTTP exchange on a handle of its own. */
struct aws_xfer {
	const char *url, *method;	/* "GET", "PUT", "POST" */
	struct curl_slist *headers;
	const char *body;		/* POST */
	size_t len;
	long timeout_ms;
	int no_proxy;			/* metadata services: never via a proxy */
	const struct aws_creds *signer;	/* sign with SigV4, or NULL */
	const char *sigv4;		/* "aws:amz:REGION:SERVICE" */
	volatile sig_atomic_t *stop;	/* abort when set, or NULL */
	const char *ca_bundle;		/* aws_conf's, or NULL */
};

/* The HTTP status, or -1 (e says why) when there was no answer. */
long aws_xfer(const struct aws_xfer *x, struct sb *out, struct eb *e);
/* Append "NAME: VALUE" to *h; -1 when out of memory. */
int aws_header(struct curl_slist **h, const char *name, const char *value);

struct aws_client {
	CURL *curl;
	char *endpoint;
	char *region;
	char *profile;		/* --profile as given, for refreshes */
	char *region_opt;	/* --region as given, for refreshes */
	int64_t retry_us;	/* no refresh before this (unless lapsing) */
	char sigv4[96];
	char *userpwd;
	struct aws_creds creds;
	struct sb resp;
	char errbuf[CURL_ERROR_SIZE];
	/* When set (by a signal handler), transfers in flight abort. */
	volatile sig_atomic_t *stop;
	long timeout_ms;
	/* the service's JSON protocol: application/x-amz-json-1.1 unless
	 * the client says otherwise (DynamoDB speaks 1.0) */
	const char *content_type;
	char *ca_bundle;	/* certificates to trust instead of the system's */
};

struct aws_result {
	long status;		/* HTTP status, 0 when no answer */
	const char *body;	/* response body (NUL-terminated), owned by the client */
	size_t len;
};

#define AWS_REFRESH_WINDOW_S 900	/* botocore's advisory refresh window */
#define AWS_REFRESH_LAST_S 60	/* a failed refresh stops the run below this */
#define AWS_REFRESH_RETRY_S 10	/* after a failed refresh */
#define AWS_REFRESH_GAP_S 60	/* after a good one */

enum aws_status {
	AWS_OK = 0,	/* done; for aws_post: an HTTP answer, of any status */
	AWS_TRANSPORT,	/* connection-level failure (refused, reset, timeout) */
	AWS_STOPPED,	/* *stop was set */
	AWS_LOCAL,	/* on this side: configuration, out of memory, a
			 * certificate not trusted */
	AWS_NOCREDS	/* no usable credentials (the tools' exit 3), also
			 * when a refresh failed and the old ones lapse */
};

/* AWS_OK, AWS_NOCREDS when the credentials chain found none (or a bad
 * one), AWS_STOPPED when *stop was set while it looked, AWS_LOCAL
 * otherwise. */
enum aws_status aws_client_init(struct aws_client *c,
    const struct aws_opts *o, volatile sig_atomic_t *stop, struct eb *e);
void aws_client_free(struct aws_client *c);
/* POST body to the endpoint with X-Amz-Target: target, signed. Returns
 * AWS_OK with r filled for any HTTP answer, AWS_TRANSPORT, AWS_STOPPED,
 * AWS_LOCAL or AWS_NOCREDS. */
enum aws_status aws_post(struct aws_client *c, const char *target,
    const char *body, size_t len, struct aws_result *r, struct eb *e);

/* Retries: the delay before retry number attempt (1-based), uniform in
 * [0, min(cap_s, base_s * 2^(attempt-1))], the "full jitter" of the AWS
 * architecture blog; rng is the caller's splitmix64 state. */
double aws_backoff_delay(double base_s, double cap_s, uint64_t *rng,
    int attempt);
/* A seed for rng that differs between processes and runs. */
uint64_t aws_backoff_seed(void);
/* Sleep s seconds unless *stop is set (stop may be NULL); -1 if stopped. */
int aws_sleep(double s, volatile sig_atomic_t *stop);
/* The same request on a handle of the caller's, for libcurl's multi
 * interface: h is set up to POST body (which must outlive the transfer)
 * to the client's endpoint, signed with its credentials, the answer
 * appended to resp, errors in errbuf (CURL_ERROR_SIZE bytes), aborted
 * when *c->stop is set. *hdrs takes the request's headers: the caller
 * frees them (curl_slist_free_all) when the transfer is over. The
 * credentials are refreshed first, as for aws_post: AWS_OK, AWS_LOCAL,
 * AWS_NOCREDS (a refresh failed and the old ones lapse) or AWS_STOPPED. */
enum aws_status aws_prepare(struct aws_client *c, CURL *h, const char *target,
    const char *body, size_t len, struct sb *resp, char *errbuf,
    struct curl_slist **hdrs, struct eb *e);
/* A long-lived answer on a handle set up by aws_prepare (SubscribeToShard):
 * HTTP/2 (with prior knowledge for an http:// endpoint, negotiated by
 * ALPN for https://), no overall time limit, but cut when less than a
 * byte a second arrives for idle_s seconds. */
void aws_streaming(struct aws_client *c, CURL *h, long idle_s);
/* What a transfer set up by aws_prepare ended with (rc): AWS_OK with
 * *status for an HTTP answer, AWS_TRANSPORT, AWS_STOPPED, AWS_LOCAL (a
 * certificate not trusted). */
enum aws_status aws_finish(struct aws_client *c, CURL *h, CURLcode rc,
    const char *errbuf, long *status, struct eb *e);

#endif
