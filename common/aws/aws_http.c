/* One signed POST to an AWS JSON endpoint over a kept-alive handle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"
#include "time/tm.h"
#include "base/cli.h"

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	sb_add(arg, p, size * n);
	return size * n;
}

/* Abort a transfer in flight once a signal asked us to stop: what was
 * not answered was not consumed, so nothing is lost by dropping it. */
static int
progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct aws_client *c = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return c->stop != NULL && *c->stop;
}

static int
set_creds(struct aws_client *c, struct eb *e)
{
	size_t n;

	free(c->userpwd);
	n = strlen(c->creds.access_key_id) + strlen(c->creds.secret_access_key) + 2;
	if ((c->userpwd = malloc(n)) == NULL)
		return eb_set(e, "out of memory");
	snprintf(c->userpwd, n, "%s:%s", c->creds.access_key_id,
	    c->creds.secret_access_key);
	curl_easy_setopt(c->curl, CURLOPT_USERPWD, c->userpwd);
	return 0;
}

enum aws_status
aws_client_init(struct aws_client *c, const struct aws_opts *o,
    volatile sig_atomic_t *stop, struct eb *e)
{
	struct aws_conf conf;
	struct aws_ep ep = { NULL, "" };
	enum aws_status st = AWS_LOCAL;
	const char *ca;

	memset(c, 0, sizeof(*c));
	c->stop = stop;
	c->timeout_ms = 30000;
	c->content_type = "application/x-amz-json-1.1";
	if (aws_conf_load(&conf, o, e) != 0)
		return AWS_NOCREDS;
	conf.stop = stop;
	if (aws_creds_load_conf(&conf, &c->creds, e) != 0) {
		aws_conf_free(&conf);
		return stop != NULL && *stop ? AWS_STOPPED : AWS_NOCREDS;
	}
	if ((c->region = aws_region(o->region, o->profile, e)) == NULL ||
	    aws_endpoint_resolve(&conf, o->endpoint, o->service, c->region,
	    &ep, e) != 0)
		goto out;
	ca = conf.ca_bundle;
	if ((o->profile != NULL && (c->profile = strdup(o->profile)) == NULL) ||
	    (o->region != NULL && (c->region_opt = strdup(o->region)) == NULL) ||
	    (ca != NULL && (c->ca_bundle = strdup(ca)) == NULL)) {
		eb_set(e, "out of memory");
		goto out;
	}
	c->endpoint = ep.url;
	ep.url = NULL;
	snprintf(c->sigv4, sizeof(c->sigv4), "aws:amz:%s:%s", ep.region, o->service);
	if ((c->curl = curl_easy_init()) == NULL) {
		eb_set(e, "out of memory");
		goto out;
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, c->endpoint);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_AWS_SIGV4, c->sigv4);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->resp);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "");
	if (c->ca_bundle != NULL)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->ca_bundle);
	if (set_creds(c, e) == 0)
		st = AWS_OK;
out:
	aws_ep_free(&ep);
	aws_conf_free(&conf);
	return st;
}

void
aws_client_free(struct aws_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	if (c->userpwd)
		memset(c->userpwd, 0, strlen(c->userpwd));
	free(c->userpwd);
	free(c->endpoint);
	free(c->ca_bundle);
	free(c->region);
	free(c->profile);
	free(c->region_opt);
	aws_creds_free(&c->creds);
	sb_free(&c->resp);
	memset(c, 0, sizeof(*c));
}

/* Temporary credentials are fetched again before they lapse, so that a
 * reader that follows for days keeps working: from botocore's advisory
 * window on (15 minutes before expiry), but not more than once every
 * AWS_REFRESH_GAP_S, since credentials that live 15 minutes or less
 * (AssumeRole's shortest) would otherwise be fetched for every call.
 * A refresh that fails is retried every AWS_REFRESH_RETRY_S while the
 * old credentials still hold; only when less than AWS_REFRESH_LAST_S of
 * them remains does the failure stop the run. */
static enum aws_status
refresh_creds(struct aws_client *c, struct eb *e)
{
	struct aws_opts o = { c->profile, c->region_opt, NULL, NULL, NULL };
	struct aws_creds fresh;
	struct aws_conf conf;
	int64_t now, left;
	struct eb why;
	int rc;

	if (c->creds.expires_us == 0)
		return AWS_OK;
	now = tm_now_us();
	left = c->creds.expires_us - now;
	if (left >= AWS_REFRESH_WINDOW_S * INT64_C(1000000) ||
	    (now < c->retry_us && left > AWS_REFRESH_LAST_S * INT64_C(1000000)))
		return AWS_OK;
	/* the files are read again: a rotated key or a new aws sso login
	 * is picked up */
	if ((rc = aws_conf_load(&conf, &o, &why)) == 0) {
		conf.stop = c->stop;
		rc = aws_creds_load_conf(&conf, &fresh, &why);
		aws_conf_free(&conf);
	}
	if (c->stop != NULL && *c->stop) {
		if (rc == 0)
			aws_creds_free(&fresh);
		eb_set(e, "interrupted");
		return AWS_STOPPED;
	}
	if (rc == 0) {
		aws_creds_free(&c->creds);
		c->creds = fresh;
		c->retry_us = now + AWS_REFRESH_GAP_S * INT64_C(1000000);
		return set_creds(c, e) == 0 ? AWS_OK : AWS_LOCAL;
	}
	if (left > AWS_REFRESH_LAST_S * INT64_C(1000000)) {
		cli_warn("refreshing credentials (the current ones hold %lld s "
		    "more): %s", (long long)(left / 1000000), why.msg);
		c->retry_us = now + AWS_REFRESH_RETRY_S * INT64_C(1000000);
		return AWS_OK;
	}
	*e = why;
	eb_wrap(e, "refreshing credentials");
	return AWS_NOCREDS;
}

/* Append line to the list h; curl_slist_append leaves the list as it
 * was when it fails, so every header is checked, none silently missing. */
static int
add_header(struct curl_slist **h, struct sb *line)
{
	struct curl_slist *n;
	const char *text = sb_failed(line) ? NULL : sb_cstr(line);

	if (text == NULL || (n = curl_slist_append(*h, text)) == NULL)
		return -1;
	*h = n;
	sb_reset(line);
	return 0;
}

/* The request's headers, or NULL when out of memory. */
static struct curl_slist *
headers(const struct aws_client *c, const char *target)
{
	struct curl_slist *h = NULL;
	struct sb line = SB_INIT;
	const char *pin = getenv("KINPIPE_TEST_AMZ_DATE");
	int rc;

	sb_printf(&line, "Content-Type: %s", c->content_type);
	rc = add_header(&h, &line);
	sb_printf(&line, "X-Amz-Target: %s", target);
	rc |= add_header(&h, &line);
	if (c->creds.session_token) {
		sb_printf(&line, "X-Amz-Security-Token: %s", c->creds.session_token);
		rc |= add_header(&h, &line);
	}
	/* Test hook only: libcurl signs with an X-Amz-Date it is given (and
	 * then sends the header twice, which AWS would refuse), so this pins
	 * the signing time for the botocore comparison test and nothing else. */
	if (pin != NULL && *pin != '\0') {
		sb_printf(&line, "X-Amz-Date: %s", pin);
		rc |= add_header(&h, &line);
	}
	sb_free(&line);
	if (rc != 0) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

/* A certificate that is not trusted, or a CA bundle that cannot be read,
 * will not be better on the next try: no retries. */
static int
untrusted(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM;
}

enum aws_status
aws_post(struct aws_client *c, const char *target, const char *body,
    size_t len, struct aws_result *r, struct eb *e)
{
	struct curl_slist *h;
	enum aws_status st;
	CURLcode rc;

	r->status = 0;
	r->body = "";
	r->len = 0;
	if ((st = refresh_creds(c, e)) != AWS_OK)
		return st;
	if ((h = headers(c, target)) == NULL) {
		eb_set(e, "out of memory");
		return AWS_LOCAL;
	}
	sb_reset(&c->resp);
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(h);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		eb_set(e, "interrupted");
		return AWS_STOPPED;
	}
	if (rc != CURLE_OK) {
		eb_set(e, "%s: %s", c->endpoint, c->errbuf[0] ? c->errbuf :
		    curl_easy_strerror(rc));
		return untrusted(rc) ? AWS_LOCAL : AWS_TRANSPORT;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (sb_failed(&c->resp) || sb_cstr(&c->resp) == NULL) {
		eb_set(e, "out of memory");
		return AWS_LOCAL;
	}
	r->body = c->resp.buf;
	r->len = c->resp.len;
	return AWS_OK;
}

enum aws_status
aws_prepare(struct aws_client *c, CURL *h, const char *target,
    const char *body, size_t len, struct sb *resp, char *errbuf,
    struct curl_slist **hdrs, struct eb *e)
{
	enum aws_status st;

	*hdrs = NULL;
	if ((st = refresh_creds(c, e)) != AWS_OK)
		return st;
	if ((*hdrs = headers(c, target)) == NULL) {
		eb_set(e, "out of memory");
		return AWS_LOCAL;
	}
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, c->endpoint);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
	curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	if (c->ca_bundle != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	return AWS_OK;
}

void
aws_streaming(struct aws_client *c, CURL *h, long idle_s)
{
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, strncmp(c->endpoint,
	    "http://", 7) == 0 ? (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE :
	    (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, idle_s);
}

enum aws_status
aws_finish(struct aws_client *c, CURL *h, CURLcode rc, const char *errbuf,
    long *status, struct eb *e)
{
	*status = 0;
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		eb_set(e, "interrupted");
		return AWS_STOPPED;
	}
	if (rc != CURLE_OK) {
		eb_set(e, "%s: %s", c->endpoint, errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
		return untrusted(rc) ? AWS_LOCAL : AWS_TRANSPORT;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	return AWS_OK;
}
