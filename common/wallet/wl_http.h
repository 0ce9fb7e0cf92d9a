/* wl_http: the wallet clients' HTTP GET over libcurl: TLS verified,
 * connect and total timeouts, no redirects, http(s) only. It says what a
 * failed request may have done: nothing (it never left: refused, no such
 * host, TLS handshake) or perhaps something (it was sent and the answer
 * was lost), which is what decides whether a trade may be retried. */
#ifndef KP_WL_HTTP_H
#define KP_WL_HTTP_H

#include <curl/curl.h>

#include "base/eb.h"
#include "base/sb.h"
#include "wallet/wl_config.h"

enum wl_sent {
	WL_ANSWERED,	/* an HTTP answer came: status and body are set */
	WL_NOT_SENT,	/* the request never reached a server */
	WL_MAYBE_SENT,	/* it may have reached the server: no answer */
	WL_HOPELESS,	/* it cannot work (bad certificate, bad URL) */
	WL_FAILED_HERE	/* not sent: out of memory before sending */
};

struct wl_client {
	CURL *h;
	const struct wl_config *cfg;
	long connect_ms, max_ms;
	struct sb body;
	long status;
	/* the server said it treats a repeated order_id as the same order:
	 * on this answer, and on any answer so far */
	int answer_idempotent, idempotent;
	char errbuf[CURL_ERROR_SIZE];
};

#define WL_CONNECT_MS_DEFAULT 5000
#define WL_MAX_MS_DEFAULT 30000

int wl_client_init(struct wl_client *c, const struct wl_config *cfg,
    long connect_ms, long max_ms, struct eb *e);
void wl_client_free(struct wl_client *c);

/* GET {api}PATH?name=value&... (values URL-encoded; NULL values skipped). */
enum wl_sent wl_get(struct wl_client *c, const char *path,
    const char *const *params, struct eb *e);

/* Replace every occurrence of secret in msg with "***". */
void wl_redact(char *msg, const char *secret);

#endif
