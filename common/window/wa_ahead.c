#include <sched.h>
#include <stdlib.h>

#include "base/cli.h"
#include "window/wa_ahead.h"

/* Smaller than json-project's batches: every parsed line holds its
 * members until counted, and window-avg's memory should stay flat. */
#define AHEAD_BYTES	(512 * 1024)
/* The crew only for a batch of this many chunks: a backlog, whose input
 * piles up faster than window-avg takes it (as flt.c's FLT_CREW_LINES) */
#define AHEAD_CREW_CHUNKS	8

static void
parse_chunk(void *arg, int part, size_t chunk)
{
	struct wa_ahead *a = arg;
	size_t i = chunk * AHEAD_CHUNK, end = i + AHEAD_CHUNK;
	struct eb why;

	(void)part;
	if (end > a->n)
		end = a->n;
	for (; i < end; i++)
		a->ok[i] = rec_parse_object(&a->recs[i], a->lines[i].p,
		    a->lines[i].len, &why) == 0;
	atomic_store(&a->done[chunk], 1);
}

int
wa_ahead_init(struct wa_ahead *a, int threads)
{
	size_t i;

	*a = (struct wa_ahead){ .threads = threads };
	if (threads <= 0)
		a->threads = par_auto_threads();
	if (a->threads > PAR_MAX)
		a->threads = PAR_MAX;
	if (a->threads == 1)
		return 0;
	a->lines = malloc(AHEAD_LINES * sizeof(*a->lines));
	a->recs = malloc(AHEAD_LINES * sizeof(*a->recs));
	a->ok = malloc(AHEAD_LINES);
	if (a->lines == NULL || a->recs == NULL || a->ok == NULL) {
		free(a->lines);
		free(a->recs);
		free(a->ok);
		return -1;
	}
	for (i = 0; i < AHEAD_LINES; i++)
		rec_init(&a->recs[i]);
	return 0;
}

void
wa_ahead_free(struct wa_ahead *a)
{
	size_t i;

	if (a->crew_up)
		par_free(&a->crew);
	if (a->recs)
		for (i = 0; i < AHEAD_LINES; i++)
			rec_free(&a->recs[i]);
	free(a->lines);
	free(a->recs);
	free(a->ok);
	*a = (struct wa_ahead){ .threads = 1 };
}

/* The crew, at the first batch that has work for it; on failure the
 * run goes on with one thread, said once. */
static int
start_crew(struct wa_ahead *a)
{
	if (par_init(&a->crew, a->threads, parse_chunk, a) == 0) {
		a->crew_up = 1;
		return 0;
	}
	cli_warn("cannot start %d threads: going on with one", a->threads);
	a->threads = 1;	/* the batches are still parsed, here */
	return -1;
}

void
wa_ahead_fill(struct wa_ahead *a, struct nd_reader *rd,
    const struct nd_line *first)
{
	size_t n = 1, bytes = first->len + 1, c;

	a->started = cli_now();
	a->lines[0] = *first;
	while (n < AHEAD_LINES && bytes < AHEAD_BYTES &&
	    nd_read_buffered(rd, &a->lines[n]))
		bytes += a->lines[n++].len + 1;
	a->n = n;
	a->bytes = bytes;
	a->chunks = (n + AHEAD_CHUNK - 1) / AHEAD_CHUNK;
	for (c = 0; c < a->chunks; c++)
		atomic_store(&a->done[c], 0);
	a->timed = 1;
	if (!a->crew_up && a->chunks >= AHEAD_CREW_CHUNKS &&
	    start_crew(a) == 0) {
		/* the first batch pays for the threads' start: not a
		 * measure of what they cost */
		a->timed = 0;
		a->crew_on = 1;
	} else {
		a->crew_on = a->crew_up && a->chunks >= AHEAD_CREW_CHUNKS &&
		    par_choose(&a->choice);
	}
	if (a->crew_on)
		par_start(&a->crew, a->chunks);
}

void
wa_ahead_ready(struct wa_ahead *a, size_t chunk)
{
	if (!a->crew_on) {
		parse_chunk(a, 0, chunk);
		return;
	}
	if (par_claim(&a->crew, chunk)) {
		parse_chunk(a, 0, chunk);
		par_done(&a->crew);
		return;
	}
	/* a thread has it: a chunk is a tenth of a millisecond */
	while (!atomic_load(&a->done[chunk]))
		sched_yield();
}

void
wa_ahead_next(struct wa_ahead *a, struct nd_reader *rd)
{
	if (a->crew_on)
		par_wait(&a->crew);
	if (a->crew_up && a->chunks >= AHEAD_CREW_CHUNKS && a->timed)
		par_cost(&a->choice, a->crew_on, cli_now() - a->started,
		    a->bytes);
	/* a backlog (what is ready now, without waiting) makes a batch
	 * big enough for the crew */
	nd_read_ahead(rd, AHEAD_BYTES);
}
