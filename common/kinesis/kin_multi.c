#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "kinesis/kin_multi.h"

/* the longest one wait in curl_multi_poll, so that a signal and the
 * backoff timers are looked at often enough */
#define POLL_MAX_MS 100

int
kin_multi_init(struct kin_multi *mu, struct kin_client *k, struct eb *e)
{
	mu->k = k;
	if ((mu->m = curl_multi_init()) == NULL)
		return eb_set(e, "out of memory");
	/* AWS answers over HTTP/2 when it can: many shards, one connection */
	curl_multi_setopt(mu->m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	return 0;
}

void
kin_multi_free(struct kin_multi *mu)
{
	if (mu->m != NULL)
		curl_multi_cleanup(mu->m);
	mu->m = NULL;
}

static void
detach(struct kin_multi *mu, struct kin_req *r)
{
	if (r->state == KR_RUNNING)
		curl_multi_remove_handle(mu->m, r->h);
	curl_slist_free_all(r->hdr);
	r->hdr = NULL;
}

void
kin_req_free(struct kin_multi *mu, struct kin_req *r)
{
	if (r->h != NULL) {
		detach(mu, r);
		curl_easy_cleanup(r->h);
	}
	sb_free(&r->body);
	sb_free(&r->resp);
	memset(r, 0, sizeof(*r));
}

/* One attempt: the handle set up again (credentials may have been
 * refreshed) and handed to the multi handle. */
static enum kin_status
launch(struct kin_multi *mu, struct kin_req *r, struct eb *e)
{
	enum aws_status as;
	CURLMcode mc;

	/* a handle that streamed on a connection that died keeps some of its
	 * HTTP/2 state (libcurl 7.88 then fails it at once with "Error in the
	 * HTTP2 framing layer"): each subscription gets a new one */
	if (r->stream && r->h != NULL) {
		curl_easy_cleanup(r->h);
		r->h = NULL;
	}
	if (r->h == NULL && (r->h = curl_easy_init()) == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	sb_reset(&r->resp);
	curl_slist_free_all(r->hdr);
	r->hdr = NULL;
	/* credentials are refreshed here, as for every kin_call */
	if ((as = aws_prepare(&mu->k->aws, r->h, r->target, r->body.buf,
	    r->body.len, &r->resp, r->errbuf, &r->hdr, e)) != AWS_OK)
		return as == AWS_NOCREDS ? KIN_AUTH : as == AWS_STOPPED ?
		    KIN_STOPPED : KIN_FAIL;
	/* events come for minutes; AWS sends one every few seconds, so a
	 * minute without a byte is a connection gone */
	if (r->stream) {
		aws_streaming(&mu->k->aws, r->h, 60);
		/* one connection each: libcurl 7.88 fails a new stream on a
		 * connection that took over from a dead one ("Error in the
		 * HTTP2 framing layer", seen against kinesis-mock), and a
		 * dropped connection then costs one subscription, not all */
		curl_easy_setopt(r->h, CURLOPT_FRESH_CONNECT, 1L);
	}
	curl_easy_setopt(r->h, CURLOPT_PRIVATE, r);
	if ((mc = curl_multi_add_handle(mu->m, r->h)) != CURLM_OK) {
		eb_set(e, "libcurl: %s", curl_multi_strerror(mc));
		return KIN_FAIL;
	}
	mu->k->calls++;
	r->attempt++;
	r->state = KR_RUNNING;
	return KIN_OK;
}

enum kin_status
kin_multi_start(struct kin_multi *mu, struct kin_req *r, const char *op,
    const char *body, size_t len, struct eb *e)
{
	snprintf(r->target, sizeof(r->target), "Kinesis_20131202.%s", op);
	r->op = op;
	r->attempt = 0;
	r->retryable = 0;
	r->text = NULL;
	r->len = 0;
	sb_reset(&r->body);
	sb_add(&r->body, body, len);
	if (sb_failed(&r->body) || sb_cstr(&r->body) == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	return launch(mu, r, e);
}

static void
done(struct kin_req *r, enum kin_status st)
{
	r->state = KR_DONE;
	r->st = st;
}

/* A transfer ended: the answer, a final error, or a retry later. */
static void
finished(struct kin_multi *mu, struct kin_req *r, CURLcode rc)
{
	struct kin_client *k = mu->k;
	enum aws_status as;
	enum kin_class cls;
	long status;
	int slow = 0;

	detach(mu, r);
	as = aws_finish(&k->aws, r->h, rc, r->errbuf, &status, &r->e);
	if (as == AWS_STOPPED || as == AWS_LOCAL) {
		if (as == AWS_LOCAL)
			eb_wrap(&r->e, "%s", r->op);
		done(r, as == AWS_STOPPED ? KIN_STOPPED : KIN_FAIL);
		return;
	}
	if (as == AWS_OK && status == 200) {
		if (sb_failed(&r->resp) || sb_cstr(&r->resp) == NULL) {
			eb_set(&r->e, "out of memory");
			done(r, KIN_FAIL);
			return;
		}
		r->text = r->resp.buf;
		r->len = r->resp.len;
		done(r, KIN_OK);
		return;
	}
	if (as == AWS_OK) {
		cls = kin_error_answer(r->op, status, r->resp.buf ? r->resp.buf : "",
		    r->resp.len, &slow, &r->e);
	} else {
		cls = KC_RETRY;
		eb_wrap(&r->e, "%s", r->op);
	}
	if (cls != KC_RETRY) {
		done(r, kin_class_status(cls));
		return;
	}
	r->slow = slow;
	if (r->stream) {
		r->retryable = 1;
		done(r, KIN_FAIL);
		return;
	}
	if (kin_retry_note(k, r->attempt, slow, &r->e) != KIN_OK) {
		done(r, KIN_GAVEUP);
		return;
	}
	r->retries++;
	r->throttles += slow != 0;
	r->state = KR_BACKOFF;
	r->not_before = cli_now() + kin_backoff_delay(&k->bo, r->attempt);
}

/* Requests whose backoff is over go out again. */
static enum kin_status
relaunch(struct kin_multi *mu, struct kin_req **reqs, size_t n,
    struct eb *e)
{
	double now = cli_now();
	enum kin_status st;

	for (size_t i = 0; i < n; i++) {
		struct kin_req *r = reqs[i];

		if (r == NULL || r->state != KR_BACKOFF)
			continue;
		if (r->not_before <= now &&
		    (st = launch(mu, r, &r->e)) != KIN_OK) {
			*e = r->e;
			return st;
		}
	}
	return KIN_OK;
}

/* The earliest of until and the ends of the backoffs, looked at after
 * the answers were handled: finished() may have just set one. */
static double
next_wake(struct kin_req **reqs, size_t n, double until)
{
	for (size_t i = 0; i < n; i++)
		if (reqs[i] != NULL && reqs[i]->state == KR_BACKOFF &&
		    reqs[i]->not_before < until)
			until = reqs[i]->not_before;
	return until;
}

static int
any_done(struct kin_req **reqs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (reqs[i] != NULL && (reqs[i]->state == KR_DONE ||
		    (reqs[i]->stream && reqs[i]->state == KR_RUNNING &&
		    reqs[i]->resp.len > 0)))
			return 1;
	return 0;
}

void
kin_multi_cancel(struct kin_multi *mu, struct kin_req *r)
{
	if (r->h != NULL)
		detach(mu, r);
	r->state = KR_IDLE;
	sb_reset(&r->resp);
}

long
kin_req_status(struct kin_req *r)
{
	long status = 0;

	if (r->h != NULL)
		curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

enum kin_status
kin_multi_run(struct kin_multi *mu, struct kin_req **reqs, size_t n,
    double until, struct eb *e)
{
	volatile sig_atomic_t *stop = mu->k->aws.stop;
	CURLMsg *msg;
	CURLMcode mc;
	enum kin_status st;
	int running, left, ms;
	double now;

	for (;;) {
		if (stop != NULL && *stop)
			return KIN_STOPPED;
		if ((st = relaunch(mu, reqs, n, e)) != KIN_OK)
			return st;
		if ((mc = curl_multi_perform(mu->m, &running)) != CURLM_OK) {
			eb_set(e, "libcurl: %s", curl_multi_strerror(mc));
			return KIN_FAIL;
		}
		while ((msg = curl_multi_info_read(mu->m, &left)) != NULL) {
			struct kin_req *r;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			finished(mu, r, msg->data.result);
		}
		if (any_done(reqs, n))
			return KIN_OK;
		now = cli_now();
		if (now >= until)
			return KIN_OK;
		/* the wake may have passed while the answers were handled:
		 * then a wait of 0, as a negative one is refused */
		ms = cli_wait_ms(next_wake(reqs, n, until) - now, POLL_MAX_MS);
		if ((mc = curl_multi_poll(mu->m, NULL, 0, ms, NULL)) != CURLM_OK) {
			eb_set(e, "libcurl: %s", curl_multi_strerror(mc));
			return KIN_FAIL;
		}
	}
}
