/* kin_multi: Kinesis calls in flight together, on libcurl's multi
 * interface, each with the retry policy of kin_call (throttling, 5xx and
 * connection failures retried with capped exponential backoff and full
 * jitter) but its own attempts and its own backoff: one throttled shard
 * waits without holding the others up. A request is one call at a time;
 * the caller owns the requests and looks at the finished ones. */
#ifndef KP_KIN_MULTI_H
#define KP_KIN_MULTI_H

#include <curl/curl.h>
#include <stddef.h>

#include "base/eb.h"
#include "base/sb.h"
#include "kinesis/kin.h"

enum kin_req_state {
	KR_IDLE,	/* nothing asked, or the answer taken */
	KR_BACKOFF,	/* waiting to try again at not_before */
	KR_RUNNING,	/* in flight */
	KR_DONE		/* st, e and (KIN_OK) text/len say how it ended */
};

struct kin_req {
	CURL *h;
	struct curl_slist *hdr;
	char target[80];
	const char *op;
	struct sb body, resp;
	char errbuf[CURL_ERROR_SIZE];
	enum kin_req_state state;
	int attempt;
	double not_before;	/* monotonic time of the next attempt */
	enum kin_status st;
	struct eb e;
	const char *text;	/* the answer, valid until the next start */
	size_t len;
	/* A streaming answer (SubscribeToShard): its bytes are in resp as
	 * they come, for the caller to take (and reset resp) while it runs;
	 * a retryable failure ends it (st KIN_FAIL, retryable set) instead
	 * of sending the same request again, whose start would be stale. */
	int stream;
	int retryable;
	int slow;		/* the last failure was a throttle */
	/* retries and throttles of its calls, for the caller to take (and
	 * reset): --stats and --metrics charge them to a shard */
	uint64_t retries, throttles;
};

struct kin_multi {
	struct kin_client *k;
	CURLM *m;
};

int kin_multi_init(struct kin_multi *mu, struct kin_client *k, struct eb *e);
void kin_multi_free(struct kin_multi *mu);
void kin_req_free(struct kin_multi *mu, struct kin_req *r);

/* Send op ("GetRecords") with the request body on r (idle or done):
 * KIN_OK, or why it could not go out (KIN_AUTH: credentials lapsed). */
enum kin_status kin_multi_start(struct kin_multi *mu, struct kin_req *r,
    const char *op, const char *body, size_t len, struct eb *e);

/* Stop a request in flight (or waiting to go again): it goes idle. */
void kin_multi_cancel(struct kin_multi *mu, struct kin_req *r);

/* The HTTP status of a streaming answer whose headers have come, else 0. */
long kin_req_status(struct kin_req *r);

/* Move the transfers on until one of the n requests is done (or, when
 * streaming, has bytes to take) or the monotonic time until has come;
 * requests in backoff are sent again when due. KIN_STOPPED when a signal
 * asked us to stop, KIN_AUTH when the credentials lapsed (a refresh
 * failed), KIN_FAIL when libcurl fails, else KIN_OK. */
enum kin_status kin_multi_run(struct kin_multi *mu, struct kin_req **reqs,
    size_t n, double until, struct eb *e);

#endif
