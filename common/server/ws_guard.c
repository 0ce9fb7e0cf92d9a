#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "base/cli.h"
#include "server/ws_guard.h"

#define TICK_MS 100		/* how late a deadline may be noticed */
#define LOG_EVERY_MS 60000	/* at most one line a minute under attack */

struct ws_guarded {
	struct ws_guarded *prev, *next;
	int fd;
	_Atomic int_least64_t deadline_ms;	/* 0: none (a request is in) */
	int shut;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
watch(void *arg)
{
	struct ws_guard *g = arg;
	int64_t last_log = -LOG_EVERY_MS, now;
	uint64_t unlogged = 0;
	struct ws_guarded *p;
	struct timespec until;

	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		now = now_ms();
		for (p = g->head; p != NULL; p = p->next) {
			int64_t d = atomic_load(&p->deadline_ms);

			/* the list's lock keeps the descriptor this
			 * connection's: libmicrohttpd reports the close
			 * (and so waits for the lock) before it closes it */
			if (d != 0 && !p->shut && now >= d) {
				shutdown(p->fd, SHUT_RDWR);
				p->shut = 1;
				g->closed++;
				unlogged++;
			}
		}
		if (unlogged && now - last_log >= LOG_EVERY_MS) {
			cli_warn("closed %llu connection%s that sent no complete"
			    " request head within %g s",
			    (unsigned long long)unlogged, unlogged == 1 ? "" : "s",
			    (double)g->header_ms / 1000);
			unlogged = 0;
			last_log = now;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->mu, &until);
	}
	if (unlogged)
		cli_warn("closed %llu connection%s that sent no complete"
		    " request head within %g s", (unsigned long long)unlogged,
		    unlogged == 1 ? "" : "s", (double)g->header_ms / 1000);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

int
ws_guard_start(struct ws_guard *g, int64_t header_ms, struct eb *e)
{
	g->head = NULL;
	g->header_ms = header_ms;
	g->closed = 0;
	g->stop = 0;
	g->started = 0;
	if (pthread_mutex_init(&g->mu, NULL) != 0)
		return eb_set(e, "cannot create the connection guard's lock");
	if (pthread_cond_init(&g->wake, NULL) != 0) {
		pthread_mutex_destroy(&g->mu);
		return eb_set(e, "cannot create the connection guard's condition");
	}
	if (pthread_create(&g->thread, NULL, watch, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->mu);
		return eb_set(e, "cannot start the connection guard's thread");
	}
	g->started = 1;
	return 0;
}

void
ws_guard_stop(struct ws_guard *g)
{
	struct ws_guarded *p;

	if (!g->started)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	/* the server has stopped: every close was reported, but free what
	 * a report could have missed rather than leak it */
	while ((p = g->head) != NULL) {
		g->head = p->next;
		free(p);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->mu);
	g->started = 0;
}

void
ws_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct ws_guard *g = cls;
	const union MHD_ConnectionInfo *info;
	struct ws_guarded *p;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		p = calloc(1, sizeof(*p));
		if (p == NULL || info == NULL) {
			/* a connection the guard cannot watch is not served */
			free(p);
			if (info != NULL)
				shutdown(info->connect_fd, SHUT_RDWR);
			*socket_context = NULL;
			return;
		}
		p->fd = info->connect_fd;
		atomic_init(&p->deadline_ms, now_ms() + g->header_ms);
		pthread_mutex_lock(&g->mu);
		p->next = g->head;
		if (g->head)
			g->head->prev = p;
		g->head = p;
		pthread_mutex_unlock(&g->mu);
		*socket_context = p;
		return;
	}
	p = *socket_context;
	if (p == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	if (p->prev)
		p->prev->next = p->next;
	else
		g->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	pthread_mutex_unlock(&g->mu);
	free(p);
	*socket_context = NULL;
}

static struct ws_guarded *
guarded(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

void
ws_guard_headed(struct MHD_Connection *c)
{
	struct ws_guarded *p = guarded(c);

	if (p != NULL)
		atomic_store(&p->deadline_ms, 0);
}

void
ws_guard_answered(struct ws_guard *g, struct MHD_Connection *c)
{
	struct ws_guarded *p = guarded(c);

	if (p != NULL)
		atomic_store(&p->deadline_ms, now_ms() + g->header_ms);
}
