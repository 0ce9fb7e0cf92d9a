#include <jansson.h>
#include <string.h>
#include <time.h>

#include "base/cli.h"
#include "time/tm.h"
#include "server/ws_feed.h"
#include "server/ws_follow.h"

/* The first member that is an object with string start and end. */
static const json_t *
window_of(const json_t *rec)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)rec, key, v) {
		if (json_is_object(v) && json_is_string(json_object_get(v,
		    "start")) && json_is_string(json_object_get(v, "end")))
			return v;
	}
	return NULL;
}

int
ws_feed_record(const char *line, size_t len, const char *field, int64_t *e8,
    int *windowed, int64_t *end_us, struct eb *e)
{
	json_error_t je;
	json_t *rec = json_loadb(line, len, 0, &je), *v;
	const json_t *w, *end;
	struct eb why;
	int rc = 0;

	if (rec == NULL)
		return eb_set(e, "not JSON: %s", je.text);
	v = json_is_object(rec) ? json_object_get(rec, field) : NULL;
	*windowed = 0;
	if (!json_is_object(rec))
		rc = eb_set(e, "not an object");
	else if (v == NULL || !json_is_number(v))
		rc = eb_set(e, "no numeric %s", field);
	else if (ws_price_from_double(json_number_value(v), e8, &why) != 0)
		rc = eb_set(e, "%s %s", field, why.msg);
	else if ((w = window_of(rec)) != NULL) {
		end = json_object_get(w, "end");
		if (tm_parse_rfc3339(json_string_value(end),
		    json_string_length(end), end_us, &why) != 0)
			rc = eb_set(e, "bad window end: %s", why.msg);
		else
			*windowed = 1;
	}
	json_decref(rec);
	return rc;
}

static void
bad(struct ws_feed *f, uint64_t lineno, const char *why)
{
	uint64_t n = atomic_fetch_add(&f->bad, 1) + 1;

	if (n <= WS_FEED_WARN)
		cli_warn("%s:%llu: %s: record ignored", f->name,
		    (unsigned long long)lineno, why);
	if (n == WS_FEED_WARN)
		cli_warn("%s: %d bad price records: any more are counted,"
		    " not shown", f->name, WS_FEED_WARN);
}

static void
on_line(void *arg, const char *p, size_t n, uint64_t lineno)
{
	struct ws_feed *f = arg;
	int64_t e8, end;
	int windowed;
	struct eb e;

	if (n == 0)
		return;	/* a blank line is no record (kinpipe(7)) */
	atomic_fetch_add(&f->records, 1);
	if (ws_feed_record(p, n, f->field, &e8, &windowed, &end, &e) != 0) {
		bad(f, lineno, e.msg);
		return;
	}
	/* an older window than the one in force, or than the pass's best,
	 * gives no price; on a tie the later line wins */
	if (windowed && ((f->cur_windowed && end < f->cur_end_us) ||
	    (f->have && f->cand_windowed && end < f->cand_end_us)))
		return;
	f->have = 1;
	f->cand_e8 = e8;
	f->cand_windowed = windowed;
	f->cand_end_us = end;
}

static void
on_too_long(void *arg, uint64_t lineno)
{
	struct ws_feed *f = arg;

	atomic_fetch_add(&f->records, 1);
	bad(f, lineno, "line too long");
}

static void
on_fresh(void *arg)
{
	struct ws_feed *f = arg;

	f->cur_windowed = 0;
	f->have = 0;
}

static void
on_pass(void *arg)
{
	struct ws_feed *f = arg;

	if (!f->have)
		return;
	ws_price_set(f->price, f->cand_e8, tm_now_us());
	f->cur_windowed = f->cand_windowed;
	f->cur_end_us = f->cand_end_us;
	f->have = 0;
}

static void *
run(void *arg)
{
	static const struct ws_follow_ops ops = {
		on_line, on_too_long, on_fresh, on_pass
	};
	struct ws_feed *f = arg;
	struct ws_follow fo;
	struct eb e;
	int stdin_feed = strcmp(f->path, "-") == 0;

	ws_follow_init(&fo, stdin_feed ? NULL : f->path, stdin_feed ? 0 : -1,
	    f->name);
	if (ws_follow_run(&fo, &ops, f, f->stop, &e) != 0) {
		cli_warn("%s: the price stays %s", e.msg,
		    ws_price_get(f->price) ? "as it was" : "unset");
		f->failed = 1;
	}
	ws_follow_free(&fo);
	return NULL;
}

int
ws_feed_start(struct ws_feed *f, struct eb *e)
{
	f->name = strcmp(f->path, "-") == 0 ? "<stdin>" : f->path;
	atomic_init(&f->records, 0);
	atomic_init(&f->bad, 0);
	f->have = 0;
	f->cur_windowed = 0;
	if (pthread_create(&f->thread, NULL, run, f) != 0)
		return eb_set(e, "cannot start the price feed thread");
	f->started = 1;
	return 0;
}

void
ws_feed_join(struct ws_feed *f)
{
	uint64_t n;

	if (!f->started)
		return;
	pthread_join(f->thread, NULL);
	f->started = 0;
	n = atomic_load(&f->bad);
	if (n > WS_FEED_WARN)
		cli_warn("%s: %llu bad price records of %llu, %llu of them"
		    " not shown", f->name, (unsigned long long)n,
		    (unsigned long long)atomic_load(&f->records),
		    (unsigned long long)(n - WS_FEED_WARN));
}
