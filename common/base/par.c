/* _GNU_SOURCE (the Makefile) for sched_getaffinity and CPU_COUNT */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>

#include "base/par.h"

/* The next chunk of job round: 1 with it in *chunk, 0 when none is
 * left (or the job is over: a thread that woke late). p->chunks may
 * already be the next job's when c is stale: then the exchange fails. */
static int
claim(struct par *p, uint32_t round, size_t *chunk)
{
	uint64_t c = atomic_load(&p->claim);

	for (;;) {
		*chunk = (size_t)(c & UINT32_MAX);
		if ((uint32_t)(c >> 32) != round ||
		    *chunk >= atomic_load(&p->chunks))
			return 0;
		if (atomic_compare_exchange_weak(&p->claim, &c, c + 1))
			return 1;
	}
}

void
par_done(struct par *p)
{
	if (atomic_fetch_add(&p->finished, 1) + 1 == atomic_load(&p->chunks)) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_signal(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Claim and run chunks of job round until none is left. */
static void
work(struct par *p, int part, uint32_t round)
{
	size_t chunk;

	while (claim(p, round, &chunk)) {
		p->fn(p->arg, part, chunk);
		par_done(p);
	}
}

static void *
member_loop(void *arg)
{
	struct par_member *m = arg;
	struct par *p = m->p;
	uint32_t seen = 0;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->round == seen && !p->quit)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		seen = p->round;
		pthread_mutex_unlock(&p->mu);
		work(p, m->part, seen);
	}
}

int
par_init(struct par *p, int n, par_fn *fn, void *arg)
{
	sigset_t all, old;
	int k, rc = 0;

	memset(p, 0, sizeof(*p));
	p->n = n < 1 ? 1 : n > PAR_MAX ? PAR_MAX : n;
	p->fn = fn;
	p->arg = arg;
	atomic_init(&p->claim, 0);
	atomic_init(&p->finished, 0);
	atomic_init(&p->chunks, 0);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	/* the threads inherit this mask: a signal is never theirs */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (k = 1; k < p->n; k++) {
		p->member[k] = (struct par_member){ p, k };
		if ((rc = pthread_create(&p->th[k], NULL, member_loop,
		    &p->member[k])) != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		p->n = k;	/* the ones started */
		par_free(p);
		errno = rc;
		return -1;
	}
	return 0;
}

void
par_start(struct par *p, size_t chunks)
{
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->chunks, chunks);
	atomic_store(&p->finished, 0);
	p->round++;
	atomic_store(&p->claim, (uint64_t)p->round << 32);
	if (p->n > 1 && chunks > 0)
		pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
}

int
par_claim(struct par *p, size_t chunk)
{
	uint64_t c = ((uint64_t)p->round << 32) | chunk;

	return chunk < atomic_load(&p->chunks) &&
	    atomic_compare_exchange_strong(&p->claim, &c, c + 1);
}

int
par_claim_next(struct par *p, size_t *chunk)
{
	return claim(p, p->round, chunk);
}

void
par_wait(struct par *p)
{
	size_t chunks = atomic_load(&p->chunks);

	pthread_mutex_lock(&p->mu);
	while (atomic_load(&p->finished) < chunks)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void
par_run(struct par *p, size_t chunks)
{
	if (chunks == 0)
		return;
	par_start(p, chunks);
	work(p, 0, p->round);
	par_wait(p);
}

void
par_free(struct par *p)
{
	int k;

	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (k = 1; k < p->n; k++)
		pthread_join(p->th[k], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	p->n = 0;
}

int
par_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	n = CPU_COUNT(&set);
	return n > 0 ? n : 1;
}

int
par_choose(struct par_choice *c)
{
	int better;

	if (c->cost[1] == 0)
		return 1;
	if (c->cost[0] == 0)
		return 0;
	/* the crew's threads cost processor time the others could use:
	 * it must be clearly faster, not as fast */
	better = c->cost[1] < PAR_GAIN * c->cost[0];
	if (c->every == 0 || better != c->best) {
		c->every = PAR_TRY_EVERY;
		c->best = better;
	}
	if (++c->jobs < c->every)
		return better;
	c->jobs = 0;
	if (c->every < PAR_TRY_MAX)
		c->every *= 2;
	return !better;
}

void
par_cost(struct par_choice *c, int crew, double seconds, size_t bytes)
{
	double per_byte;

	if (bytes == 0 || seconds <= 0)
		return;
	per_byte = seconds / (double)bytes;
	/* the way taken every time: the recent jobs count most, load comes
	 * and goes; the way only tried now and then: the try is the news
	 * (its first, with the threads' start, would otherwise weigh on it
	 * for long) */
	if (c->cost[crew] == 0 || crew != c->best)
		c->cost[crew] = per_byte;
	else
		c->cost[crew] = 0.75 * c->cost[crew] + 0.25 * per_byte;
}

int
par_auto_threads(void)
{
	int n = par_cpus() - 2;

	return n < 1 ? 1 : n > PAR_AUTO_MAX ? PAR_AUTO_MAX : n;
}
