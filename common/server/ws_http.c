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
#include "server/ws_api.h"
#include "server/ws_http.h"

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

void
ws_http_stats_add(struct cli_stats *st)
{
	cli_stats_add_metric(st, "trades", "kinpipe_wallet_trades_total",
	    "Orders answered 200: executed, or an order_id's repeated answer.");
	cli_stats_add_metric(st, "rejected", "kinpipe_wallet_rejections_total",
	    "Orders refused with a 4xx answer (funds, key, order_id...).");
	cli_stats_add_metric(st, "failed", "kinpipe_wallet_server_errors_total",
	    "Requests answered 5xx (the store failed, no price yet).");
}

/* One answered request, counted under the lock: other workers count at
 * the same time, and the metrics writer reads. */
static void
count(struct ws_http *h, int trade, int status, double began)
{
	struct cli_stats *st = h->st;
	double took = cli_now() - began;

	if (st == NULL)
		return;
	pthread_mutex_lock(st->lock);
	st->read++;
	st->emitted++;
	if (trade && status == 200)
		st->extra[WS_STAT_TRADES]++;
	else if (trade && status >= 400 && status < 500)
		st->extra[WS_STAT_REJECTED]++;
	if (status >= 500)
		st->extra[WS_STAT_FAILED]++;
	cli_hist_observe(&st->batch, took);
	pthread_mutex_unlock(st->lock);
}

/* Answer r, counted for --stats and --metrics with the time since its
 * head came in (a trade suspended for its sync included). */
static enum MHD_Result
respond(struct ws_http *h, struct MHD_Connection *c, struct ws_req *r,
    int status)
{
	count(h, r->trade, status, r->began);
	return answer(c, status, &r->body, r->type);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req)
{
	struct ws_http *h = cls;
	struct ws_req *r = *req;
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int status;

	(void)version;
	(void)upload_data;
	if (r == NULL) {
		/* first call: the head is in; count the request until it is
		 * answered */
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;	/* out of memory: close it */
		r->c = c;
		r->type = "application/json";
		r->began = cli_now();
		r->trade = strncmp(url, "/buy", 4) == 0 ||
		    strncmp(url, "/sell", 5) == 0;
		*req = r;
		atomic_fetch_add(&h->in_flight, 1);
		ws_guard_headed(c);
		if (get)
			return MHD_YES;
	}
	if (r->waiting)	/* resumed: its commit is durable, or cannot be */
		return r->ready ? respond(h, c, r, r->status) : MHD_YES;
	if (*upload_data_size != 0) {
		*upload_data_size = 0;	/* a body is never wanted: skip it */
		return MHD_YES;
	}
	if (get)
		status = ws_api_route(h, r, url);
	else
		status = ws_api_fail(&r->body, 405, "only GET is supported");
	if (status == WS_LATER)
		return MHD_YES;
	return respond(h, c, r, status);
}

static void
completed(void *cls, struct MHD_Connection *c, void **req,
    enum MHD_RequestTerminationCode toe)
{
	struct ws_http *h = cls;
	struct ws_req *r = *req;

	(void)toe;
	if (r != NULL) {
		sb_free(&r->body);
		free(r);
		atomic_fetch_sub(&h->in_flight, 1);
	}
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
	if (ws_store_start(h->store, e) != 0) {
		ws_guard_stop(&h->guard);
		close(h->listen_fd);
		return -1;
	}
	/* suspend and resume: a trade's connection waits for its sync
	 * without holding its thread */
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
	    MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
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
		ws_store_stop(h->store);
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
	/* every answer still waiting for a sync gets it, or a refusal:
	 * libmicrohttpd cannot stop with a connection suspended */
	ws_store_stop(h->store);
	MHD_stop_daemon(h->daemon);
	h->daemon = NULL;
	ws_guard_stop(&h->guard);
}
