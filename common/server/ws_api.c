#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"
#include "wallet/wl_amount.h"
#include "server/ws_api.h"
#include "server/ws_page.h"

#define HISTORY_DEFAULT 100
#define HISTORY_MAX 10000

/* The query arguments an API call may carry, each at most once. */
struct args {
	const char *user_id, *access_key, *amount, *order_id, *limit;
	size_t total;
	const char *dup;
	int nul;
};

static enum MHD_Result
collect(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
    const char *value, size_t value_size)
{
	struct args *a = cls;
	const char **slot = NULL;

	(void)kind;
	a->total += key_size + value_size;
	/* a %00 would cut the C string short and hide what follows */
	if (strlen(key) != key_size || (value && strlen(value) != value_size))
		a->nul = 1;
	if (strcmp(key, "user_id") == 0)
		slot = &a->user_id;
	else if (strcmp(key, "access_key") == 0)
		slot = &a->access_key;
	else if (strcmp(key, "amount") == 0)
		slot = &a->amount;
	else if (strcmp(key, "order_id") == 0)
		slot = &a->order_id;
	else if (strcmp(key, "limit") == 0)
		slot = &a->limit;
	if (slot == NULL)
		return MHD_YES;	/* unknown arguments are ignored, as a web API does */
	if (*slot != NULL && a->dup == NULL)
		a->dup = key;
	*slot = value ? value : "";
	return MHD_YES;
}

int
ws_api_fail(struct sb *body, int status, const char *msg)
{
	sb_adds(body, "{\"error\":");
	jx_put_cstr(body, msg);
	sb_addc(body, '}');
	return status;
}

/* What the API answers for each outcome of the store. */
static const struct {
	int status;
	const char *error;	/* NULL: the store's answer is the body */
} answers[] = {
	[WS_OK] = { 200, NULL },
	[WS_BAD_KEY] = { 403, "unknown user or bad access key" },
	[WS_ORDER_ID_REUSED] = { 409, "order_id already used for a different order" },
	[WS_INSUFFICIENT_EURO] = { 409, "insufficient euro" },
	[WS_INSUFFICIENT_BITCOIN] = { 409, "insufficient bitcoin" },
	[WS_EURO_TOO_LARGE] = { 409, "euro balance would be too large" },
	[WS_BITCOIN_TOO_LARGE] = { 409, "bitcoin balance would be too large" },
	/* the store's own failures are logged, and told to the client as
	 * temporary: nothing happened, try later */
	[WS_DB_FAILURE] = { 503, "store unavailable" },
	[WS_DB_ROLLED_BACK] = { 503, "store unavailable, trade not executed" },
};
_Static_assert(sizeof(answers) / sizeof(answers[0]) == WS_OUTCOMES,
    "an answer for every outcome of the store");

static int
store_answer(enum ws_outcome out, const struct eb *e, struct sb *body)
{
	if (out == WS_DB_FAILURE || out == WS_DB_ROLLED_BACK)
		fprintf(stderr, "wallet-server: %s\n", e->msg);
	if (answers[out].error == NULL)
		return answers[out].status;
	return ws_api_fail(body, answers[out].status, answers[out].error);
}

static int
need_user(const struct args *a, struct sb *body)
{
	if (a->user_id == NULL)
		return ws_api_fail(body, 400, "missing user_id");
	if (!ws_id_valid(a->user_id))
		return ws_api_fail(body, 400, "bad user_id");
	return 0;
}

/* Called back from the store's thread once the trade's commit is durable
 * (or cannot be): the answer may go. */
static void
durable(void *arg, int ok, const struct eb *why)
{
	struct ws_req *r = arg;

	if (!ok) {
		fprintf(stderr, "wallet-server: %s\n", why->msg);
		sb_reset(&r->body);
		r->status = ws_api_fail(&r->body, 503, "store unavailable");
	}
	r->ready = 1;
	MHD_resume_connection(r->c);
}

/* The answer waits for commit mark to be durable: the connection is
 * suspended meanwhile, so that its thread serves others, and durable()
 * resumes it. */
static int
later(struct ws_http *h, struct ws_req *r, uint64_t mark, int status)
{
	struct eb e;
	int rc;

	r->status = status;
	r->waiting = 1;
	MHD_suspend_connection(r->c);
	rc = ws_store_after(h->store, mark, durable, r, &e);
	if (rc == 0)
		return WS_LATER;
	/* durable already, or the store's thread is gone (stopping): wait
	 * here */
	if (rc < 0 && ws_store_settle(h->store, mark, &e) != 0)
		durable(r, 0, &e);
	else
		durable(r, 1, &e);
	return WS_LATER;
}

static int
trade(struct ws_http *h, struct ws_req *r, const struct args *a,
    enum ws_side side)
{
	struct ws_order o = { .side = side };
	struct sb *body = &r->body;
	uint64_t mark;
	struct eb e;
	int status;

	if ((status = need_user(a, body)) != 0)
		return status;
	if (a->access_key == NULL || *a->access_key == '\0')
		return ws_api_fail(body, 401, "missing access_key");
	if (a->amount == NULL)
		return ws_api_fail(body, 400, "missing amount");
	if (wl_amount_parse(a->amount, strlen(a->amount), &o.sats, &e) != 0)
		return ws_api_fail(body, 400, e.msg);
	if (a->order_id != NULL && !ws_id_valid(a->order_id))
		return ws_api_fail(body, 400, "bad order_id: 1 to 64 of A-Z a-z 0-9 _ . : -");
	o.price_e8 = ws_price_get(h->price);
	if (o.price_e8 == 0)
		return ws_api_fail(body, 503, "no price yet");
	o.user_id = a->user_id;
	o.access_key = a->access_key;
	o.order_id = a->order_id;
	status = store_answer(ws_trade_commit(h->store, &o, body, &mark, &e),
	    &e, body);
	if (mark == 0 || ws_store_mark_durable(h->store, mark))
		return status;
	return later(h, r, mark, status);
}

static int
history(struct ws_http *h, const struct args *a, struct sb *body)
{
	long limit = HISTORY_DEFAULT;
	struct eb e;
	int status;

	if ((status = need_user(a, body)) != 0)
		return status;
	if (a->limit != NULL) {
		char *end;

		errno = 0;
		limit = strtol(a->limit, &end, 10);
		if (errno || end == a->limit || *end || limit < 1 ||
		    limit > HISTORY_MAX)
			return ws_api_fail(body, 400, "bad limit: 1 to 10000");
	}
	return store_answer(ws_history(h->store, a->user_id, a->access_key,
	    (int)limit, body, &e), &e, body);
}

/* "/info/" and "/info" both name the info call: the notebook writes the
 * slash, people often do not. */
static int
is_path(const char *url, const char *name)
{
	size_t n = strlen(name);

	return url[0] == '/' && strncmp(url + 1, name, n) == 0 &&
	    (url[n + 1] == '\0' || (url[n + 1] == '/' && url[n + 2] == '\0'));
}

int
ws_api_route(struct ws_http *h, struct ws_req *r, const char *url)
{
	struct args a = { 0 };
	struct sb *body = &r->body;
	struct eb e;
	int status;

	MHD_get_connection_values_n(r->c, MHD_GET_ARGUMENT_KIND, collect, &a);
	if (a.total > WS_QUERY_MAX)
		return ws_api_fail(body, 414, "query too long");
	if (a.nul)
		return ws_api_fail(body, 400, "NUL byte in the query");
	if (a.dup != NULL) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%s given more than once", a.dup);
		return ws_api_fail(body, 400, msg);
	}
	if (strcmp(url, "/") == 0) {
		r->type = "text/html; charset=utf-8";
		if (ws_page_render(h->store, h->price, h->feed, body, &e) != 0) {
			fprintf(stderr, "wallet-server: %s\n", e.msg);
			return 503;
		}
		return 200;
	}
	if (is_path(url, "info")) {
		if ((status = need_user(&a, body)) != 0)
			return status;
		return store_answer(ws_info(h->store, a.user_id, a.access_key,
		    body, &e), &e, body);
	}
	if (is_path(url, "buy"))
		return trade(h, r, &a, WS_BUY);
	if (is_path(url, "sell"))
		return trade(h, r, &a, WS_SELL);
	if (is_path(url, "history"))
		return history(h, &a, body);
	return ws_api_fail(body, 404, "unknown path");
}

