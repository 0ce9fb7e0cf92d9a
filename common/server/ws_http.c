#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/sb.h"
#include "json/jx.h"
#include "wallet/wl_amount.h"
#include "server/ws_http.h"
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

static enum MHD_Result
answer(struct MHD_Connection *c, int status, struct sb *body, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (sb_failed(body)) {
		sb_reset(body);
		body->failed = 0;
		status = 503;
		sb_adds(body, "{\"error\":\"out of memory\"}");
		type = "application/json";
	}
	r = MHD_create_response_from_buffer(body->len, body->buf,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	/* out of memory for a header: close the connection rather than
	 * answer without one (a client would retry nothing without
	 * WS_IDEMPOTENT_HEADER) */
	if (MHD_add_response_header(r, "Content-Type", type) != MHD_YES ||
	    MHD_add_response_header(r, "Cache-Control", "no-store") != MHD_YES ||
	    MHD_add_response_header(r, WS_IDEMPOTENT_HEADER,
	    WS_IDEMPOTENT_VALUE) != MHD_YES || (status == 405 &&
	    MHD_add_response_header(r, "Allow", "GET, HEAD") != MHD_YES))
		ret = MHD_NO;
	else
		ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

/* {"error":"msg"}, and the status that goes with it. */
static int
fail(struct sb *body, int status, const char *msg)
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
	return fail(body, answers[out].status, answers[out].error);
}

static int
need_user(const struct args *a, struct sb *body)
{
	if (a->user_id == NULL)
		return fail(body, 400, "missing user_id");
	if (!ws_id_valid(a->user_id))
		return fail(body, 400, "bad user_id");
	return 0;
}

static int
trade(struct ws_http *h, const struct args *a, enum ws_side side,
    struct sb *body)
{
	struct ws_order o = { .side = side };
	struct eb e;
	int status;

	if ((status = need_user(a, body)) != 0)
		return status;
	if (a->access_key == NULL || *a->access_key == '\0')
		return fail(body, 401, "missing access_key");
	if (a->amount == NULL)
		return fail(body, 400, "missing amount");
	if (wl_amount_parse(a->amount, strlen(a->amount), &o.sats, &e) != 0)
		return fail(body, 400, e.msg);
	if (a->order_id != NULL && !ws_id_valid(a->order_id))
		return fail(body, 400, "bad order_id: 1 to 64 of A-Z a-z 0-9 _ . : -");
	o.price_e8 = ws_price_get(h->price);
	if (o.price_e8 == 0)
		return fail(body, 503, "no price yet");
	o.user_id = a->user_id;
	o.access_key = a->access_key;
	o.order_id = a->order_id;
	return store_answer(ws_trade(h->store, &o, body, &e), &e, body);
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
			return fail(body, 400, "bad limit: 1 to 10000");
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

static int
route(struct ws_http *h, struct MHD_Connection *c, const char *url,
    struct sb *body, const char **type)
{
	struct args a = { 0 };
	struct eb e;
	int status;

	MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect, &a);
	if (a.total > WS_QUERY_MAX)
		return fail(body, 414, "query too long");
	if (a.nul)
		return fail(body, 400, "NUL byte in the query");
	if (a.dup != NULL) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%s given more than once", a.dup);
		return fail(body, 400, msg);
	}
	if (strcmp(url, "/") == 0) {
		*type = "text/html; charset=utf-8";
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
		return trade(h, &a, WS_BUY, body);
	if (is_path(url, "sell"))
		return trade(h, &a, WS_SELL, body);
	if (is_path(url, "history"))
		return history(h, &a, body);
	return fail(body, 404, "unknown path");
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req)
{
	struct ws_http *h = cls;
	struct sb body = SB_INIT;
	const char *type = "application/json";
	enum MHD_Result ret;
	int status;

	(void)version;
	(void)upload_data;
	if (*req == NULL) {
		/* first call: the head is in; count the request until it is
		 * answered */
		*req = h;
		atomic_fetch_add(&h->in_flight, 1);
		ws_guard_headed(c);
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
			return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;	/* a body is never wanted: skip it */
		return MHD_YES;
	}
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		status = route(h, c, url, &body, &type);
	else
		status = fail(&body, 405, "only GET is supported");
	ret = answer(c, status, &body, type);
	sb_free(&body);
	return ret;
}

static void
completed(void *cls, struct MHD_Connection *c, void **req,
    enum MHD_RequestTerminationCode toe)
{
	struct ws_http *h = cls;

	(void)toe;
	if (*req != NULL)
		atomic_fetch_sub(&h->in_flight, 1);
	*req = NULL;
	ws_guard_answered(&h->guard, c);
}

int
ws_listen_parse(const char *spec, char host[WS_HOST_MAX], const char **port,
    struct eb *e)
{
	const char *colon = strrchr(spec, ':'), *h = spec;
	size_t hn, pn;

	if (colon == NULL)
		goto bad;
	hn = (size_t)(colon - spec);
	if (hn >= 2 && spec[0] == '[' && spec[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	pn = strlen(colon + 1);
	if (hn == 0 || hn >= WS_HOST_MAX || pn == 0 || pn > 5 ||
	    strspn(colon + 1, "0123456789") != pn || atol(colon + 1) > 65535)
		goto bad;
	memcpy(host, h, hn);
	host[hn] = '\0';
	*port = colon + 1;
	return 0;
bad:
	return eb_set(e, "--listen: want HOST:PORT, got '%.80s'", spec);
}

/* http://ADDRESS:PORT/ of the bound socket, the address in numbers. */
static void
bound_url(const struct sockaddr_storage *ss, socklen_t sl, unsigned port,
    char url[WS_URL_MAX])
{
	char host[NI_MAXHOST];

	if (getnameinfo((const struct sockaddr *)ss, sl, host, sizeof(host),
	    NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	snprintf(url, WS_URL_MAX, ss->ss_family == AF_INET6 ?
	    "http://[%s]:%u/" : "http://%s:%u/", host, port);
}

static int
listen_socket(const char *spec, int *fd_out, unsigned *port,
    char url[WS_URL_MAX], struct eb *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[WS_HOST_MAX];
	const char *service;
	int fd, one = 1, rc;

	if (ws_listen_parse(spec, host, &service, e) != 0)
		return -1;
	rc = getaddrinfo(host, service, &hints, &ai);
	if (rc != 0)
		return eb_set(e, "--listen %s: %s", spec, gai_strerror(rc));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, WS_BACKLOG) != 0) {
		eb_set(e, "cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		eb_set(e, "cannot listen on %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	bound_url(&ss, sl, *port, url);
	*fd_out = fd;
	return 0;
}

/* Every connection is a descriptor: raise the soft open-files limit to
 * what the connection limit needs, or lower the connection limit to what
 * the hard limit allows. */
static void
fit_descriptors(struct ws_limits *l, struct eb *warn)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)l->connections + WS_FD_RESERVE;
	unsigned fit;

	warn->msg[0] = '\0';
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
		    want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && getrlimit(RLIMIT_NOFILE,
		    &rl) != 0)
			return;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return;
	fit = rl.rlim_cur > 2 * WS_FD_RESERVE ?
	    (unsigned)(rl.rlim_cur - WS_FD_RESERVE) : WS_FD_RESERVE;
	eb_set(warn, "open files limited to %llu: at most %u connections, not %u",
	    (unsigned long long)rl.rlim_cur, fit, l->connections);
	l->connections = fit;
	if (l->per_address > fit)
		l->per_address = fit;
}

int
ws_http_start(struct ws_http *h, const char *listen_on, int threads,
    struct eb *warn, struct eb *e)
{
	fit_descriptors(&h->limits, warn);
	if (listen_socket(listen_on, &h->listen_fd, &h->port, h->url, e) != 0)
		return -1;
	atomic_init(&h->in_flight, 0);
	if (ws_guard_start(&h->guard, h->limits.header_ms, e) != 0) {
		close(h->listen_fd);
		return -1;
	}
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO, 0, NULL, NULL,
	    handle, h,
	    MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(threads > 0 ? threads : 1),
	    MHD_OPTION_NOTIFY_COMPLETED, completed, h,
	    MHD_OPTION_NOTIFY_CONNECTION, ws_guard_notify, &h->guard,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WS_IDLE_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_CONNECTION_LIMIT, h->limits.connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->limits.per_address,
	    MHD_OPTION_END);
	if (h->daemon == NULL) {
		ws_guard_stop(&h->guard);
		close(h->listen_fd);
		return eb_set(e, "cannot start the HTTP server on %s", listen_on);
	}
	return 0;
}

void
ws_http_stop(struct ws_http *h, int wait_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int fd, waited = 0;

	if (h->daemon == NULL)
		return;
	fd = MHD_quiesce_daemon(h->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	while (atomic_load(&h->in_flight) > 0 && waited < wait_ms) {
		nanosleep(&tick, NULL);
		waited += 10;
	}
	MHD_stop_daemon(h->daemon);
	h->daemon = NULL;
	ws_guard_stop(&h->guard);
}
