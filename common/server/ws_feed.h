/* ws_feed: the price taken from NDJSON records, followed as they come: a
 * file followed as `tail -F` does (ws_follow), or standard input.
 *
 * Each record's price is its member named field (a JSON number above
 * 0). A record that carries a window (a member that is an object with
 * RFC 3339 "start" and "end", as window-avg writes) is ordered by the
 * window's end: of one version of a file, the window that ends latest
 * gives the price, wherever its row is; a record without a window gives
 * the price in the order it comes. The price changes once per pass (what
 * was there to read at once), so that a table rewritten whole moves the
 * price once, to its newest window, never through the older ones.
 *
 * Bad records (not JSON, no such numeric member, a bad window) are told
 * on stderr, the first WS_FEED_WARN of them, then only counted. */
#ifndef KP_WS_FEED_H
#define KP_WS_FEED_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/eb.h"
#include "server/ws_price.h"

#define WS_FEED_WARN 10

struct ws_feed {
	struct ws_price *price;
	const char *path;	/* "-": standard input */
	const char *name;	/* in messages: the path, or "<stdin>" */
	const char *field;
	volatile sig_atomic_t *stop;
	/* the pass: the best record so far */
	int have;
	int64_t cand_e8, cand_end_us;
	int cand_windowed;
	/* the window of the price in force, in this version of the file */
	int64_t cur_end_us;
	int cur_windowed;
	_Atomic uint_least64_t records, bad;
	pthread_t thread;
	int started;
	int failed;		/* the feed stopped on a read error */
};

/* The member named field of one record, and its window's end if it has
 * one (*windowed). */
int ws_feed_record(const char *line, size_t len, const char *field,
    int64_t *e8, int *windowed, int64_t *end_us, struct eb *e);

int ws_feed_start(struct ws_feed *f, struct eb *e);
/* Stop (after *f->stop is set) and wait; says on stderr how many bad
 * records there were if more than were told. */
void ws_feed_join(struct ws_feed *f);

#endif
