/* The metadata services of the credentials chain: the ECS (and EKS Pod
 * Identity) container endpoint, and EC2 instance metadata (IMDSv2). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/aws.h"
#include "time/tm.h"

/* The text of s, or NULL (and e says so) when building it ran out of
 * memory. */
static const char *
built(struct sb *s, struct eb *e)
{
	const char *t = sb_failed(s) ? NULL : sb_cstr(s);

	if (t == NULL)
		eb_set(e, "out of memory");
	return t;
}

/* Off EC2/ECS nothing answers, and the chain must fail fast. */
static long
meta_timeout_ms(void)
{
	const char *t = aws_env("AWS_METADATA_SERVICE_TIMEOUT");

	return t != NULL && atof(t) > 0 ? (long)(atof(t) * 1000) : 1000;
}

static long
meta_http(const char *url, const char *method, struct curl_slist *hdrs,
    struct sb *out, struct eb *e)
{
	struct aws_xfer x = { 0 };

	x.url = url;
	x.method = method;
	x.headers = hdrs;
	x.timeout_ms = meta_timeout_ms();
	x.no_proxy = 1;
	return aws_xfer(&x, out, e);
}

int
aws_creds_from_doc(const char *text, size_t len, const char *token_key,
    const char *what, struct aws_creds *c, struct eb *e)
{
	json_t *doc, *id, *secret, *token, *exp;
	json_error_t je;
	int64_t us = 0;

	/* the parser's message quotes the text near the error: never shown,
	 * the text holds a secret */
	if ((doc = json_loadb(text, len, 0, &je)) == NULL || !json_is_object(doc)) {
		json_decref(doc);
		return eb_set(e, "%s: answer is not a JSON object", what);
	}
	id = json_object_get(doc, "AccessKeyId");
	secret = json_object_get(doc, "SecretAccessKey");
	token = json_object_get(doc, token_key);
	exp = json_object_get(doc, "Expiration");
	if (!json_is_string(id) || !json_is_string(secret)) {
		json_decref(doc);
		return eb_set(e, "%s: no AccessKeyId or SecretAccessKey", what);
	}
	if (exp != NULL && (!json_is_string(exp) || aws_parse_time(
	    json_string_value(exp), &us, e) != 0)) {
		json_decref(doc);
		return eb_set(e, "%s: Expiration is not an RFC 3339 time", what);
	}
	if (token != NULL && !json_is_string(token)) {
		json_decref(doc);
		return eb_set(e, "%s: %s is not a string", what, token_key);
	}
	c->access_key_id = strdup(json_string_value(id));
	c->secret_access_key = strdup(json_string_value(secret));
	c->session_token = token ? strdup(json_string_value(token)) : NULL;
	json_decref(doc);
	if (c->access_key_id == NULL || c->secret_access_key == NULL ||
	    (token != NULL && c->session_token == NULL)) {
		aws_creds_free(c);
		return eb_set(e, "%s: out of memory", what);
	}
	c->expires_us = us;
	snprintf(c->source, sizeof(c->source), "%s", what);
	return 0;
}

/* The container's authorization: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
 * (EKS Pod Identity; read at every fetch, it is rotated) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. 0, or -1. */
static int
container_auth(struct curl_slist **h, struct eb *e)
{
	const char *file = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct sb text = SB_INIT;
	int rc = 0;

	if (file != NULL) {
		if (aws_read_small_file(file, &text, e) != 0)
			return eb_wrap(e, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
		tok = text.buf;
	}
	if (tok != NULL && aws_header(h, "Authorization", tok) != 0)
		rc = eb_set(e, "out of memory");
	sb_free_secret(&text);
	return rc;
}

int
aws_creds_ecs(struct aws_creds *c, struct eb *e)
{
	const char *rel = aws_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = aws_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct sb url = SB_INIT, body = SB_INIT;
	struct curl_slist *h = NULL;
	const char *u;
	long st;
	int r;

	if (rel == NULL && full == NULL)
		return 0;
	if (rel != NULL)
		sb_printf(&url, "http://169.254.170.2%s", rel);
	else
		sb_adds(&url, full);
	if ((u = built(&url, e)) == NULL || container_auth(&h, e) != 0)
		r = -1;
	else if ((st = meta_http(u, "GET", h, &body, e)) < 0)
		r = eb_wrap(e, "container credentials endpoint %s", u);
	else if (st != 200)
		r = eb_set(e, "container credentials endpoint %s: HTTP %ld", u, st);
	else if (aws_creds_from_doc(body.buf, body.len, "Token",
	    "container credentials endpoint", c, e) != 0)
		r = -1;
	else
		r = 1;
	curl_slist_free_all(h);
	sb_free(&url);
	sb_free_secret(&body);
	return r;
}

/* IMDSv2: a session token by PUT, then the role name, then its keys. */
int
aws_creds_imds(struct aws_creds *c, struct eb *e)
{
	const char *base = aws_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *off = aws_env("AWS_EC2_METADATA_DISABLED");
	struct sb url = SB_INIT, body = SB_INIT;
	struct curl_slist *h = NULL;
	const char *u;
	char *nl;
	long st;
	int r = -1;

	if (off != NULL && strcasecmp(off, "true") == 0)
		return 0;
	if (base == NULL)
		base = "http://169.254.169.254";
	sb_printf(&url, "%.*s/latest/api/token", (int)(strlen(base) -
	    (base[strlen(base) - 1] == '/')), base);
	if ((u = built(&url, e)) == NULL)
		goto out;
	if ((h = curl_slist_append(NULL,
	    "X-aws-ec2-metadata-token-ttl-seconds: 21600")) == NULL) {
		eb_set(e, "out of memory");
		goto out;
	}
	st = meta_http(u, "PUT", h, &body, e);
	curl_slist_free_all(h);
	h = NULL;
	if (st != 200) {
		if (st > 0)
			eb_set(e, "HTTP %ld", st);
		goto out;
	}
	if (aws_header(&h, "X-aws-ec2-metadata-token", body.buf) != 0) {
		eb_set(e, "out of memory");
		goto out;
	}
	url.len -= strlen("api/token");
	sb_adds(&url, "meta-data/iam/security-credentials/");
	if ((u = built(&url, e)) == NULL)
		goto out;
	st = meta_http(u, "GET", h, &body, e);
	if (st != 200) {
		if (st > 0)
			eb_set(e, "%s: HTTP %ld (no instance role?)", u, st);
		goto out;
	}
	/* the role's name, on the first line */
	if ((nl = strchr(body.buf, '\n')) != NULL)
		*nl = '\0';
	sb_adds(&url, aws_trim(body.buf));
	if ((u = built(&url, e)) == NULL)
		goto out;
	st = meta_http(u, "GET", h, &body, e);
	if (st != 200) {
		if (st > 0)
			eb_set(e, "%s: HTTP %ld", url.buf, st);
		goto out;
	}
	r = aws_creds_from_doc(body.buf, body.len, "Token",
	    "instance metadata (IMDSv2)", c, e) == 0 ? 1 : -1;
out:
	if (r < 0)
		eb_wrap(e, "instance metadata at %s", base);
	curl_slist_free_all(h);
	sb_free(&url);
	sb_free_secret(&body);
	return r;
}
