/* One small HTTP exchange on a handle of its own: what the credentials
 * chain asks of the metadata services, STS and the SSO portal. The
 * stream's own requests go over the client's kept-alive handle instead
 * (aws_http.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

struct sink {
	struct sb *out;
	int too_big;
};

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;

	/* no credentials document is this large: stop a runaway answer */
	if (k->out->len + size * n > AWS_XFER_MAX) {
		k->too_big = 1;
		return 0;
	}
	sb_add(k->out, p, size * n);
	return size * n;
}

/* A signal asked the tool to stop: a credentials call may hang for its
 * whole timeout, which is no time to make the user wait. */
static int
stopped(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct aws_xfer *x = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return *x->stop != 0;
}

long
aws_xfer(const struct aws_xfer *x, struct sb *out, struct eb *e)
{
	CURL *h = curl_easy_init();
	CURLcode rc;
	long status = 0;
	char errbuf[CURL_ERROR_SIZE] = "", *userpwd = NULL;
	struct sink k = { out, 0 };
	size_t n;

	if (h == NULL)
		return eb_set(e, "out of memory");
	sb_reset(out);
	curl_easy_setopt(h, CURLOPT_URL, x->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, x->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, x->timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &k);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (x->stop != NULL) {
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stopped);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	}
	if (x->ca_bundle != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, x->ca_bundle);
	/* link-local metadata services are never reached through a proxy */
	if (x->no_proxy)
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	if (strcmp(x->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body ? x->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(x->body ? x->len : 0));
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, x->method);
		if (strcmp(x->method, "PUT") == 0)
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
	if (x->signer != NULL) {
		n = strlen(x->signer->access_key_id) +
		    strlen(x->signer->secret_access_key) + 2;
		if ((userpwd = malloc(n)) == NULL) {
			curl_easy_cleanup(h);
			return eb_set(e, "out of memory");
		}
		snprintf(userpwd, n, "%s:%s", x->signer->access_key_id,
		    x->signer->secret_access_key);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, x->sigv4);
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		eb_set(e, "interrupted");
	else if (k.too_big)
		eb_set(e, "answer larger than %d bytes", AWS_XFER_MAX);
	else
		eb_set(e, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_easy_cleanup(h);
	if (userpwd != NULL) {
		memset(userpwd, 0, strlen(userpwd));
		free(userpwd);
	}
	if (rc == CURLE_OK && (sb_failed(out) || sb_cstr(out) == NULL))
		return eb_set(e, "out of memory");
	return rc == CURLE_OK ? status : -1;
}

int
aws_header(struct curl_slist **h, const char *name, const char *value)
{
	struct sb line = SB_INIT;
	struct curl_slist *n = NULL;
	const char *text;

	sb_printf(&line, "%s: %s", name, value);
	if (!sb_failed(&line) && (text = sb_cstr(&line)) != NULL)
		n = curl_slist_append(*h, text);
	sb_free_secret(&line);	/* may be a token */
	if (n == NULL)
		return -1;
	*h = n;
	return 0;
}
