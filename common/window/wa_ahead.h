/* wa_ahead: a backlog's record lines parsed ahead by a crew of threads
 * (rec_parse_object is about half of what a record costs window-avg),
 * then counted one by one, in input order, on the main thread as before:
 * only the parsing is shared, so windows, marks, messages and output are
 * those of one thread. */
#ifndef KP_WA_AHEAD_H
#define KP_WA_AHEAD_H

#include <stdatomic.h>

#include "base/nd.h"
#include "base/par.h"
#include "json/rec.h"

/* Every parsed line holds its members until counted, and window-avg's
 * memory should stay flat: a few thousand lines at a time. */
#define AHEAD_LINES	4096
#define AHEAD_CHUNK	128	/* lines a thread claims at a time */

struct wa_ahead {
	struct par crew;
	int threads;		/* 1: nothing is parsed ahead */
	int crew_up;
	struct par_choice choice;
	int crew_on;		/* this batch is the crew's */
	int timed;		/* its cost tells what the way costs */
	double started;		/* when this batch was filled */
	size_t bytes;		/* its bytes */
	struct nd_line *lines;
	struct rec *recs;	/* lines[i] parsed, when ok[i] */
	unsigned char *ok;
	size_t n;		/* lines in this batch */
	size_t chunks;
	atomic_uchar done[AHEAD_LINES / AHEAD_CHUNK];	/* chunks parsed */
};

/* threads 0: par_auto_threads(). -1 when out of memory. */
int wa_ahead_init(struct wa_ahead *a, int threads);
void wa_ahead_free(struct wa_ahead *a);
/* Whether a batch is worth parsing ahead: a crew, or the means for one. */
static inline int
wa_ahead_on(const struct wa_ahead *a)
{
	return a->threads > 1;
}
/* The line nd_read gave and every whole line buffered after it, into
 * a->lines and a->n, to be parsed into a->recs (ok[i] 0: not a JSON
 * object; parse it again for the message): the crew starts on them, or
 * (par_choose) they are parsed on the main thread chunk by chunk as they
 * are counted. The lines stay valid until the next nd_read. */
void wa_ahead_fill(struct wa_ahead *a, struct nd_reader *rd,
    const struct nd_line *first);
/* Before the lines of a chunk (AHEAD_CHUNK of them) are counted: parse
 * them here if no thread has started on them, else wait for them. Called
 * for the chunks in order, the crew staying a few chunks ahead. */
void wa_ahead_ready(struct wa_ahead *a, size_t chunk);
/* After the batch: the crew done, read what the input has ready. */
void wa_ahead_next(struct wa_ahead *a, struct nd_reader *rd);

#endif
