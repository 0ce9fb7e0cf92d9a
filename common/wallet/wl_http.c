#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "wallet/wl_http.h"

#define BODY_MAX (1024 * 1024)	/* an API answer is small: refuse floods */

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct wl_client *c = arg;

	if (c->body.len + n > BODY_MAX)
		return 0;	/* abort the transfer */
	sb_add(&c->body, p, n);
	return sb_failed(&c->body) ? 0 : n * size;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char name[] = "X-Wallet-Order-Ids:";
	struct wl_client *c = arg;
	size_t len = size * n, k = sizeof(name) - 1;

	if (len > k && strncasecmp(p, name, k) == 0) {
		const char *v = p + k;

		v += strspn(v, " \t");
		if (strncasecmp(v, "idempotent", 10) == 0)
			c->answer_idempotent = c->idempotent = 1;
	}
	return len;
}

int
wl_client_init(struct wl_client *c, const struct wl_config *cfg,
    long connect_ms, long max_ms, struct eb *e)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->connect_ms = connect_ms;
	c->max_ms = max_ms;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c->h = curl_easy_init()) == NULL)
		return eb_set(e, "cannot initialise libcurl");
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, max_ms);
	curl_easy_setopt(c->h, CURLOPT_USERAGENT, "kinpipe-wallet/" "0.1.0");
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
	return 0;
}

void
wl_client_free(struct wl_client *c)
{
	if (c->h)
		curl_easy_cleanup(c->h);
	sb_free(&c->body);
	curl_global_cleanup();
	c->h = NULL;
}

void
wl_redact(char *msg, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	char *p;

	if (n == 0)
		return;
	while ((p = strstr(msg, secret)) != NULL) {
		memcpy(p, "***", 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
	}
}

static int
build_url(struct wl_client *c, struct sb *url, const char *path,
    const char *const *params, struct eb *e)
{
	int first = 1;

	sb_adds(url, c->cfg->api);
	sb_adds(url, path);
	for (; params[0] != NULL; params += 2) {
		char *v;

		if (params[1] == NULL)
			continue;
		v = curl_easy_escape(c->h, params[1], 0);
		if (v == NULL)
			return eb_set(e, "out of memory");
		sb_addc(url, first ? '?' : '&');
		first = 0;
		sb_adds(url, params[0]);
		sb_addc(url, '=');
		sb_adds(url, v);
		curl_free(v);
	}
	if (sb_failed(url) || sb_cstr(url) == NULL)
		return eb_set(e, "out of memory");
	return 0;
}

static enum wl_sent
classify(CURLcode rc, CURL *h)
{
	double connect_time = 0;

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return WL_NOT_SENT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_SSL_CACERT_BADFILE:
		return WL_HOPELESS;
	case CURLE_OPERATION_TIMEDOUT:
		/* a connect that timed out sent nothing */
		curl_easy_getinfo(h, CURLINFO_CONNECT_TIME, &connect_time);
		return connect_time > 0 ? WL_MAYBE_SENT : WL_NOT_SENT;
	default:
		return WL_MAYBE_SENT;
	}
}

enum wl_sent
wl_get(struct wl_client *c, const char *path, const char *const *params,
    struct eb *e)
{
	struct sb url = SB_INIT;
	CURLcode rc;
	enum wl_sent sent;

	sb_reset(&c->body);
	c->body.failed = 0;
	c->status = 0;
	c->answer_idempotent = 0;
	c->errbuf[0] = '\0';
	if (build_url(c, &url, path, params, e) != 0) {
		sb_free(&url);
		return WL_FAILED_HERE;
	}
	curl_easy_setopt(c->h, CURLOPT_URL, url.buf);
	/* libcurl quietly sends a request again when a kept-alive connection
	 * turns out dead; that is only safe where a repeat cannot double a
	 * trade, so connections are kept only with a server known to treat
	 * a repeated order_id as the same order. */
	curl_easy_setopt(c->h, CURLOPT_FORBID_REUSE, c->idempotent ? 0L : 1L);
	rc = curl_easy_perform(c->h);
	if (url.buf)
		sodium_memzero(url.buf, url.len);
	sb_free(&url);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &c->status);
		sb_cstr(&c->body);
		return WL_ANSWERED;
	}
	sent = classify(rc, c->h);
	eb_set(e, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
	wl_redact(e->msg, c->cfg->access_key);
	return sent;
}
