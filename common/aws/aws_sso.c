/* IAM Identity Center (SSO) profiles: the access token `aws sso login`
 * cached under ~/.aws/sso/cache, traded for the role's credentials with
 * the portal's GetRoleCredentials. Both profile forms: sso_session (an
 * [sso-session NAME] section) and the older sso_start_url in the profile.
 * The token itself is never refreshed here (that takes the OIDC client
 * registration `aws sso login` made): once it expires, the user is told
 * to log in again. */
#include <jansson.h>
#include <nettle/sha1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "time/tm.h"

#define SSO_TIMEOUT_MS 30000

void
aws_sso_cache_name(const char *key, char out[AWS_SSO_CACHE_NAME])
{
	static const char hex[] = "0123456789abcdef";
	struct sha1_ctx ctx;
	uint8_t d[SHA1_DIGEST_SIZE];
	int i;

	sha1_init(&ctx);
	sha1_update(&ctx, strlen(key), (const uint8_t *)key);
	sha1_digest(&ctx, sizeof(d), d);
	for (i = 0; i < SHA1_DIGEST_SIZE; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	snprintf(out + 2 * SHA1_DIGEST_SIZE, AWS_SSO_CACHE_NAME -
	    2 * SHA1_DIGEST_SIZE, ".json");
}

struct sso_conf {
	const char *account, *role, *session, *start_url, *region;
};

/* The profile's SSO settings, an sso_session's filled in: 1, 0 when the
 * profile is not an SSO one, -1 when it is but something is missing. */
static int
sso_settings(const struct aws_conf *c, const char *profile,
    struct sso_conf *s, struct eb *e)
{
	static const char *const keys[] = { "sso_start_url", "sso_region", NULL };
	const char *pv, *sv, *missing[4];
	int i, n = 0;

	memset(s, 0, sizeof(*s));
	s->account = aws_conf_get(c, profile, "sso_account_id");
	s->role = aws_conf_get(c, profile, "sso_role_name");
	if (s->account == NULL && s->role == NULL)
		return 0;
	s->start_url = aws_conf_get(c, profile, "sso_start_url");
	s->region = aws_conf_get(c, profile, "sso_region");
	if ((s->session = aws_conf_get(c, profile, "sso_session")) != NULL) {
		if (!aws_conf_has_sso_session(c, s->session))
			return eb_set(e, "profile '%s': sso_session '%s' has no "
			    "[sso-session %s] in %s", profile, s->session,
			    s->session, c->config.path);
		for (i = 0; keys[i] != NULL; i++) {
			sv = aws_conf_sso_session(c, s->session, keys[i]);
			pv = aws_conf_get(c, profile, keys[i]);
			if (sv != NULL && pv != NULL && strcmp(sv, pv) != 0)
				return eb_set(e, "profile '%s': %s differs from "
				    "the one of sso-session '%s'", profile, keys[i],
				    s->session);
		}
		if ((sv = aws_conf_sso_session(c, s->session, "sso_start_url")) != NULL)
			s->start_url = sv;
		if ((sv = aws_conf_sso_session(c, s->session, "sso_region")) != NULL)
			s->region = sv;
	}
	if (s->start_url == NULL)
		missing[n++] = "sso_start_url";
	if (s->region == NULL)
		missing[n++] = "sso_region";
	if (s->account == NULL)
		missing[n++] = "sso_account_id";
	if (s->role == NULL)
		missing[n++] = "sso_role_name";
	if (n > 0)
		return eb_set(e, "profile '%s' uses SSO but has no %s%s%s%s%s%s%s",
		    profile, missing[0], n > 1 ? ", " : "", n > 1 ? missing[1] : "",
		    n > 2 ? ", " : "", n > 2 ? missing[2] : "",
		    n > 3 ? ", " : "", n > 3 ? missing[3] : "");
	return 1;
}

/* The cached access token (malloc'd), or -1 saying how to get one. */
static int
cached_token(const char *profile, const struct sso_conf *s, char **token,
    struct eb *e)
{
	char name[AWS_SSO_CACHE_NAME];
	const char *home = aws_env("HOME");
	struct sb path = SB_INIT, text = SB_INIT;
	json_t *doc = NULL, *tok, *exp;
	struct eb why;
	int64_t until, now = tm_now_us();
	int rc = -1;

	*token = NULL;
	aws_sso_cache_name(s->session ? s->session : s->start_url, name);
	sb_printf(&path, "%s/.aws/sso/cache/%s", home ? home : "", name);
	if (sb_failed(&path) || sb_cstr(&path) == NULL)
		return eb_set(e, "out of memory");
	if (aws_read_small_file(path.buf, &text, &why) != 0) {
		eb_set(e, "profile '%s': no SSO token (%s): run aws sso login "
		    "--profile %s", profile, why.msg, profile);
		goto out;
	}
	doc = json_loadb(text.buf, text.len, 0, NULL);
	tok = json_object_get(doc, "accessToken");
	exp = json_object_get(doc, "expiresAt");
	if (!json_is_string(tok) || !json_is_string(exp) ||
	    aws_parse_time(json_string_value(exp), &until, &why) != 0) {
		eb_set(e, "profile '%s': %s is not an SSO token cache (no "
		    "accessToken and expiresAt): run aws sso login --profile %s",
		    profile, path.buf, profile);
		goto out;
	}
	if (until <= now) {
		eb_set(e, "profile '%s': the SSO session has expired (at %s): run "
		    "aws sso login --profile %s", profile, json_string_value(exp),
		    profile);
		goto out;
	}
	if ((*token = strdup(json_string_value(tok))) == NULL)
		eb_set(e, "out of memory");
	else
		rc = 0;
out:
	json_decref(doc);
	sb_free_secret(&text);
	sb_free(&path);
	return rc;
}

/* {"roleCredentials":{"accessKeyId","secretAccessKey","sessionToken",
 * "expiration" (epoch milliseconds)}} */
int
aws_sso_parse(const char *text, size_t len, struct aws_creds *c, struct eb *e)
{
	json_t *doc = json_loadb(text, len, 0, NULL), *rc, *id, *secret, *tok, *exp;

	memset(c, 0, sizeof(*c));
	rc = json_object_get(doc, "roleCredentials");
	id = json_object_get(rc, "accessKeyId");
	secret = json_object_get(rc, "secretAccessKey");
	tok = json_object_get(rc, "sessionToken");
	exp = json_object_get(rc, "expiration");
	if (!json_is_string(id) || !json_is_string(secret) ||
	    !json_is_string(tok) || !json_is_integer(exp)) {
		json_decref(doc);
		return eb_set(e, "GetRoleCredentials: answer without roleCredentials "
		    "(accessKeyId, secretAccessKey, sessionToken, expiration)");
	}
	c->access_key_id = strdup(json_string_value(id));
	c->secret_access_key = strdup(json_string_value(secret));
	c->session_token = strdup(json_string_value(tok));
	c->expires_us = (int64_t)json_integer_value(exp) * 1000;
	json_decref(doc);
	if (c->access_key_id == NULL || c->secret_access_key == NULL ||
	    c->session_token == NULL) {
		aws_creds_free(c);
		return eb_set(e, "out of memory");
	}
	return 0;
}

/* The portal's {"message":...}, one line, or a word when it has none. */
static const char *
portal_message(const struct sb *resp, char *buf, size_t cap)
{
	json_t *doc = json_loadb(resp->buf ? resp->buf : "", resp->len, 0, NULL);
	const json_t *m = json_object_get(doc, "message");

	snprintf(buf, cap, "%s", json_is_string(m) ? json_string_value(m) : "error");
	json_decref(doc);
	return aws_one_line(buf);
}

int
aws_creds_sso(const struct aws_conf *c, const char *profile,
    struct aws_creds *out, struct eb *e)
{
	struct sso_conf s;
	struct aws_ep ep = { NULL, "" };
	struct aws_xfer x = { 0 };
	struct sb url = SB_INIT, resp = SB_INIT;
	struct curl_slist *h = NULL;
	char *token = NULL, msg[200];
	long status;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = sso_settings(c, profile, &s, e)) <= 0)
		return r;
	if (cached_token(profile, &s, &token, e) != 0)
		return -1;
	r = -1;
	if (aws_endpoint_resolve(c, NULL, "sso", s.region, &ep, e) != 0) {
		eb_wrap(e, "profile '%s': SSO endpoint", profile);
		goto out;
	}
	sb_printf(&url, "%s/federation/credentials?account_id=", ep.url);
	aws_put_uri_escaped(&url, s.account);
	sb_adds(&url, "&role_name=");
	aws_put_uri_escaped(&url, s.role);
	if (sb_failed(&url) || sb_cstr(&url) == NULL ||
	    aws_header(&h, "x-amz-sso_bearer_token", token) != 0) {
		eb_set(e, "out of memory");
		goto out;
	}
	x.url = url.buf;
	x.method = "GET";
	x.headers = h;
	x.timeout_ms = SSO_TIMEOUT_MS;
	x.stop = c->stop;
	x.ca_bundle = c->ca_bundle;
	if ((status = aws_xfer(&x, &resp, e)) < 0)
		eb_wrap(e, "profile '%s': GetRoleCredentials %s", profile, ep.url);
	else if (status == 401)
		eb_set(e, "profile '%s': the SSO session has expired or is not "
		    "valid: run aws sso login --profile %s", profile, profile);
	else if (status != 200)
		eb_set(e, "profile '%s': GetRoleCredentials %s: %s (HTTP %ld)",
		    profile, ep.url, portal_message(&resp, msg, sizeof(msg)), status);
	else if (aws_sso_parse(resp.buf, resp.len, out, e) != 0)
		eb_wrap(e, "profile '%s': %s", profile, ep.url);
	else
		r = 1;
	if (r == 1)
		snprintf(out->source, sizeof(out->source), "SSO role %s of "
		    "account %s (profile '%s')", s.role, s.account, profile);
out:
	if (token != NULL) {
		memset(token, 0, strlen(token));
		free(token);
	}
	curl_slist_free_all(h);
	sb_free_secret(&resp);
	sb_free(&url);
	aws_ep_free(&ep);
	return r;
}
