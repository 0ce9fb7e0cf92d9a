#include <math.h>
#include <string.h>

#include "wallet/wl_amount.h"
#include "server/ws_price.h"

int
ws_price_init(struct ws_price *p, struct eb *e)
{
	atomic_init(&p->e8, 0);
	atomic_init(&p->updated_us, 0);
	p->n = 0;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		return eb_set(e, "cannot create the price history's lock");
	p->started = 1;
	return 0;
}

void
ws_price_free(struct ws_price *p)
{
	if (p->started)
		pthread_mutex_destroy(&p->mu);
	p->started = 0;
}

/* Full: keep every other point, and the newest. */
static void
thin(struct ws_price *p)
{
	int i, j = 0;

	for (i = 0; i < p->n; i += 2)
		p->hist[j++] = p->hist[i];
	if ((p->n & 1) == 0)
		p->hist[j - 1] = p->hist[p->n - 1];
	p->n = j;
}

void
ws_price_set(struct ws_price *p, int64_t e8, int64_t now_us)
{
	struct ws_price_point *last;

	atomic_store(&p->e8, e8);
	atomic_store(&p->updated_us, now_us);
	pthread_mutex_lock(&p->mu);
	last = p->n ? &p->hist[p->n - 1] : NULL;
	if (last && last->e8 == e8) {
		;	/* no change to draw */
	} else if (last && now_us - last->t_us < WS_PRICE_POINT_US &&
	    (p->n < 2 || p->hist[p->n - 2].e8 != e8)) {
		last->e8 = e8;	/* within the second: its last price */
	} else if (last && now_us - last->t_us < WS_PRICE_POINT_US) {
		p->n--;		/* back to the price before: no step at all */
	} else {
		if (p->n == WS_PRICE_HISTORY)
			thin(p);
		p->hist[p->n].t_us = now_us;
		p->hist[p->n].e8 = e8;
		p->n++;
	}
	pthread_mutex_unlock(&p->mu);
}

int
ws_price_history(struct ws_price *p, struct ws_price_point *out, int max)
{
	int n;

	pthread_mutex_lock(&p->mu);
	n = p->n < max ? p->n : max;
	/* the newest points, if out is short */
	memcpy(out, p->hist + (p->n - n), (size_t)n * sizeof(*out));
	pthread_mutex_unlock(&p->mu);
	return n;
}

int
ws_price_parse(const char *s, int64_t *e8, struct eb *e)
{
	int64_t v;

	if (wl_fixed_parse(s, strlen(s), 8, WS_PRICE_MAX_E8, &v, e) != 0)
		return eb_set(e, "bad price '%.40s': a positive decimal number"
		    " with at most 8 decimals, at most 1e9", s);
	if (v == 0)
		return eb_set(e, "bad price '%.40s': not positive", s);
	*e8 = v;
	return 0;
}

int
ws_price_from_double(double d, int64_t *e8, struct eb *e)
{
	/* a double's rate to the nearest 1e-8 euro: far finer than a cent */
	if (!(d > 0) || d * 1e8 > (double)WS_PRICE_MAX_E8)
		return eb_set(e, "out of range");
	*e8 = llround(d * 1e8);
	if (*e8 == 0)
		return eb_set(e, "out of range");
	return 0;
}
