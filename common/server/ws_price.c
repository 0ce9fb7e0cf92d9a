#include <jansson.h>
#include <math.h>
#include <string.h>

#include "base/cli.h"
#include "base/nd.h"
#include "wallet/wl_amount.h"
#include "server/ws_price.h"

int
ws_price_parse(const char *s, int64_t *e8, struct eb *e)
{
	int64_t v;

	if (wl_fixed_parse(s, strlen(s), 8, WS_PRICE_MAX_E8, &v, e) != 0)
		return eb_set(e, "bad price '%.40s': a positive decimal number"
		    " with at most 8 decimals, below 1e9", s);
	if (v == 0)
		return eb_set(e, "bad price '%.40s': not positive", s);
	*e8 = v;
	return 0;
}

int
ws_price_from_record(const char *line, size_t len, int64_t *e8, struct eb *e)
{
	json_error_t je;
	json_t *rec = json_loadb(line, len, 0, &je), *v;
	double d;

	if (rec == NULL)
		return eb_set(e, "not JSON: %s", je.text);
	v = json_is_object(rec) ? json_object_get(rec, "euro_rate") : NULL;
	if (v == NULL || !json_is_number(v)) {
		json_decref(rec);
		return eb_set(e, "no numeric euro_rate");
	}
	d = json_number_value(v);
	json_decref(rec);
	/* a double's rate to the nearest 1e-8 euro: far finer than a cent */
	if (!(d > 0) || d * 1e8 > (double)WS_PRICE_MAX_E8)
		return eb_set(e, "euro_rate out of range");
	*e8 = llround(d * 1e8);
	if (*e8 == 0)
		return eb_set(e, "euro_rate out of range");
	return 0;
}

static void *
follow(void *arg)
{
	struct ws_feed *f = arg;
	struct nd_reader r;
	struct nd_line line;
	struct eb e;
	int64_t e8;

	if (nd_reader_init(&r, f->fd, f->name) != 0) {
		cli_warn("%s: out of memory", f->name);
		return NULL;
	}
	while (!*f->stop) {
		enum nd_status s = nd_read(&r, &line, 200, &e);

		if (s == ND_EOF)
			break;
		if (s == ND_ERROR) {
			cli_warn("%s", e.msg);
			break;
		}
		if (s != ND_LINE)
			continue;
		f->records++;
		if (ws_price_from_record(line.p, line.len, &e8, &e) != 0) {
			f->bad++;
			cli_warn("%s:%llu: %s: record ignored", f->name,
			    (unsigned long long)line.lineno, e.msg);
			continue;
		}
		ws_price_set(f->price, e8);
	}
	nd_reader_free(&r);
	return NULL;
}

int
ws_feed_start(struct ws_feed *f, struct eb *e)
{
	if (pthread_create(&f->thread, NULL, follow, f) != 0)
		return eb_set(e, "cannot start the price feed thread");
	f->started = 1;
	return 0;
}

void
ws_feed_join(struct ws_feed *f)
{
	if (f->started)
		pthread_join(f->thread, NULL);
	f->started = 0;
}
