#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/flt.h"
#include "base/par.h"

/* A batch is every record line already buffered, up to these: enough
 * work for the threads to outweigh waking them (tens of microseconds),
 * little enough to keep the output flowing. */
#define FLT_BATCH_BYTES	(1024 * 1024)
#define FLT_BATCH_LINES	16384
/* The lines a thread claims at a time: about a tenth of a millisecond
 * of work, so a thread that gets no processor delays the batch little. */
#define FLT_CHUNK_LINES	128
/* The crew only for a batch of this many lines: a backlog, whose input
 * piles up faster than this stage takes it. A stage that waits on the
 * one before it (a pipe of 64 KiB, a few hundred lines at a time) has
 * nothing to gain from more threads, only processor time to take from
 * that stage. */
#define FLT_CREW_LINES	(8 * FLT_CHUNK_LINES)
_Static_assert(FLT_THREADS_MAX <= PAR_MAX, "a part per thread");

/* What one record came to. */
struct flt_item {
	size_t end;		/* in its chunk's out, past the record's bytes */
	size_t msg;		/* bad only: in msgs, where '\0' why '\0' */
	unsigned char rc, lacking;
};

/* A chunk's records as its thread wrote them, each chunk apart: the main
 * thread writes one out while others still fill later ones. */
struct flt_chunk {
	struct sb out, msgs;	/* its records, their messages */
	atomic_uchar done;	/* out and msgs are final */
};

/* One thread's tools. Part 0 is the main thread's, with the tool's own
 * stage and flt; the others have clones of both. */
struct flt_part {
	void *stage;
	struct flt *f;		/* where the stage marks its columns */
	struct flt own;		/* a clone's flt */
};

struct flt_batch {
	struct flt *f;
	flt_fn *fn;
	struct flt_part part[PAR_MAX];
	int threads;		/* parts there can be */
	struct par crew;
	int crew_up;
	struct par_choice choice;
	size_t n;		/* lines in this batch */
	size_t bytes;		/* and their bytes */
	uint64_t read_before;	/* st->read before the batch */
	struct nd_line *lines;	/* FLT_BATCH_LINES of each */
	struct flt_item *items;
	struct flt_chunk *chunks;	/* FLT_BATCH_CHUNKS */
};

#define FLT_BATCH_CHUNKS	(FLT_BATCH_LINES / FLT_CHUNK_LINES + 1)

/* The message about a bad record: its input and line, where the stage
 * says it came from (its shardId and sequenceNumber) and why. */
static void
say_bad(const struct nd_line *l, const char *where, const char *why,
    const char *suffix)
{
	cli_warn("%s:%llu%s: %s%s", l->name, (unsigned long long)l->lineno,
	    where, why, suffix);
}

/* The records of chunk c by the stage of part k, each with its outcome;
 * a bad record's message is taken at once, while the stage still holds
 * that record. */
static void
run_chunk(void *arg, int k, size_t c)
{
	struct flt_batch *b = arg;
	struct flt_part *pt = &b->part[k];
	struct flt_chunk *ch = &b->chunks[c];
	struct flt *f = pt->f;
	size_t i = c * FLT_CHUNK_LINES, end = i + FLT_CHUNK_LINES;

	if (end > b->n)
		end = b->n;
	sb_reset(&ch->out);
	sb_reset(&ch->msgs);
	for (; i < end; i++) {
		struct flt_item *it = &b->items[i];
		size_t mark = ch->out.len;

		it->rc = (unsigned char)b->fn(pt->stage, &b->lines[i],
		    &ch->out);
		it->lacking = (unsigned char)f->lacking;
		f->lacking = 0;
		it->msg = SIZE_MAX;
		if (it->rc == FLT_BAD) {
			it->msg = ch->msgs.len;
			if (f->where)
				f->where(pt->stage, &ch->msgs);
			sb_addc(&ch->msgs, '\0');
			sb_add(&ch->msgs, f->why->msg, strlen(f->why->msg) + 1);
			/* a skipped record leaves nothing; a failing one
			 * is never written */
			if (f->on_error != ON_ERROR_NULL)
				ch->out.len = mark;
		}
		if (ch->out.len != mark)	/* nothing written: skipped */
			sb_addc(&ch->out, '\n');
		it->end = ch->out.len;
	}
	atomic_store(&ch->done, 1);
}

/* Count one record and apply the policy to a bad one: 1 stops the run
 * (--on-error=fail). */
static int
account(struct flt *f, const struct nd_line *l, const struct flt_chunk *ch,
    const struct flt_item *it)
{
	const char *where, *why;

	f->st->read++;
	if (it->rc == FLT_UNTOUCHED && f->untouched >= 0)
		f->st->extra[f->untouched]++;
	if (it->lacking && f->missing >= 0)
		f->st->extra[f->missing]++;
	if (it->rc != FLT_BAD) {
		f->st->emitted++;
		return 0;
	}
	where = ch->msgs.buf + it->msg;
	why = where + strlen(where) + 1;
	if (f->on_error == ON_ERROR_FAIL) {
		say_bad(l, where, why, "");
		return 1;
	}
	if (f->warned++ < FLT_MAX_WARNINGS)
		say_bad(l, where, why, f->on_error == ON_ERROR_SKIP ?
		    (f->warned == FLT_MAX_WARNINGS ?
		    " (skipped); further warnings suppressed" : " (skipped)") :
		    (f->warned == FLT_MAX_WARNINGS ?
		    " (nulled); further warnings suppressed" : " (nulled)"));
	if (f->on_error == ON_ERROR_SKIP) {
		f->st->skipped++;
		return 0;
	}
	f->st->nulled++;
	f->st->emitted++;
	return 0;
}

/* Chunk c's records counted and written in input order; at a record that
 * fails the run, what came before it is written and 1 returned. -1 on a
 * write error or when the chunk ran out of memory (in e). */
static int
settle(struct flt_batch *b, size_t c, struct nd_writer *w, struct eb *e)
{
	const struct flt_chunk *ch = &b->chunks[c];
	size_t i = c * FLT_CHUNK_LINES, end = i + FLT_CHUNK_LINES;
	size_t start = 0, records = 0;
	int stop = 0;

	if (sb_failed(&ch->out) || sb_failed(&ch->msgs))
		return eb_set(e, "out of memory");
	for (; i < end && i < b->n && !stop; i++) {
		stop = account(b->f, &b->lines[i], ch, &b->items[i]);
		if (!stop) {
			records += b->items[i].end > start;
			start = b->items[i].end;
		}
	}
	if (nd_write_records(w, ch->out.buf, start, records) != 0)
		return eb_set(e, "write error: %s", strerror(errno));
	return stop;
}

/* The columns the clones' records had, told to the tool's flt. */
static void
merge_columns(struct flt_batch *b)
{
	struct col_set *to = &b->f->cols;
	int k, i;

	for (k = 1; k < b->threads && b->crew_up; k++) {
		struct col_set *c = &b->part[k].own.cols;

		to->any |= c->any;
		for (i = 0; i < c->n; i++)
			to->seen[i] |= c->seen[i];
		c->any = 0;
		memset(c->seen, 0, sizeof(c->seen));
	}
}

/* The crew, and a clone of the stage for each thread but the main one.
 * On failure the run goes on with the main thread alone, said once. */
static void
crew_start(struct flt_batch *b, void *stage)
{
	struct flt *f = b->f;
	int k;

	errno = 0;
	for (k = 1; k < b->threads; k++) {
		struct flt_part *pt = &b->part[k];

		pt->own = *f;
		pt->own.lacking = 0;
		pt->own.cols.any = 0;
		memset(pt->own.cols.seen, 0, sizeof(pt->own.cols.seen));
		pt->f = &pt->own;
		if ((pt->stage = f->clone(stage, &pt->own)) == NULL)
			break;
	}
	if (k == b->threads && par_init(&b->crew, b->threads, run_chunk, b) == 0) {
		b->crew_up = 1;
		return;
	}
	cli_warn("cannot start %d threads (%s): going on with one",
	    b->threads, strerror(errno ? errno : ENOMEM));
	while (--k >= 1)
		f->clone_free(b->part[k].stage);
	b->threads = 1;
}

/* The line nd_read gave and every whole line buffered after it, up to
 * FLT_BATCH_BYTES and FLT_BATCH_LINES, into b->lines and b->n. */
static void
gather(struct flt_batch *b, struct nd_reader *rd, const struct nd_line *first)
{
	size_t n = 1, bytes = first->len + 1;

	b->lines[0] = *first;
	while (n < FLT_BATCH_LINES && bytes < FLT_BATCH_BYTES &&
	    nd_read_buffered(rd, &b->lines[n]))
		bytes += b->lines[n++].len + 1;
	b->n = n;
	b->bytes = bytes;
}

/* Until chunk c is done: the main thread takes the next chunk no thread
 * has claimed (c itself, when the crew has not got to it), and yields
 * when every chunk is claimed (a tenth of a millisecond of work each,
 * unless a thread waits for a processor, which yielding gives it). */
static void
help_until_done(struct flt_batch *b, size_t c)
{
	size_t next;

	while (!atomic_load(&b->chunks[c].done)) {
		if (par_claim_next(&b->crew, &next)) {
			run_chunk(b, 0, next);
			par_done(&b->crew);
		} else {
			sched_yield();
		}
	}
}

/* Every record of the batch through the stage, on the crew when crew
 * says so, and each chunk counted and written as soon as it and those
 * before it are done: the output flows while the crew works on, and the
 * next stage has its input as it would from one thread (settle's
 * status). */
static int
run_batch(struct flt_batch *b, int crew, struct nd_writer *w, struct eb *e)
{
	size_t nchunks = (b->n + FLT_CHUNK_LINES - 1) / FLT_CHUNK_LINES, c;
	int rc = 0;

	for (c = 0; c < nchunks; c++)
		atomic_store(&b->chunks[c].done, 0);
	if (crew)
		par_start(&b->crew, nchunks);
	for (c = 0; c < nchunks && rc == 0; c++) {
		if (crew)
			help_until_done(b, c);
		else
			run_chunk(b, 0, c);
		rc = settle(b, c, w, e);
	}
	/* the lines stay in use until every thread is done with them */
	if (crew)
		par_wait(&b->crew);
	merge_columns(b);
	return rc;
}

/* --stats' shared: the batch's records, as many as settle counted
 * (read, for the lines up to one that failed the run). */
static void
count_shared(struct flt_batch *b)
{
	if (b->f->shared >= 0)
		b->f->st->extra[b->f->shared] += b->f->st->read - b->read_before;
}

/* Run the batch and write it (settle's status). A batch of more than
 * one chunk is timed with its writing, per byte, and the next one
 * chooses from that whether to use the crew (par_choice): a stage whose
 * output waits on a slower one downstream gains nothing from its
 * threads, and the write's wait shows it. */
static int
batch(struct flt_batch *b, void *stage, struct nd_writer *w, struct eb *e)
{
	int many = b->n >= FLT_CREW_LINES, crew, rc;
	double t0;

	b->read_before = b->f->st->read;
	if (!b->crew_up && b->threads > 1 && many) {
		crew_start(b, stage);
		/* the first batch pays for the threads' start: not a
		 * measure of what they cost */
		if (b->crew_up) {
			rc = run_batch(b, 1, w, e);
			count_shared(b);
			return rc;
		}
	}
	if (!b->crew_up || !many)
		return run_batch(b, 0, w, e);
	crew = par_choose(&b->choice);
	t0 = cli_now();
	rc = run_batch(b, crew, w, e);
	par_cost(&b->choice, crew, cli_now() - t0, b->bytes);
	if (crew)
		count_shared(b);
	return rc;
}

static void
batch_free(struct flt_batch *b)
{
	int k;

	if (b->crew_up)
		par_free(&b->crew);
	for (k = 1; k < b->threads && b->crew_up; k++)
		b->f->clone_free(b->part[k].stage);
	for (k = 0; b->chunks != NULL && k < FLT_BATCH_CHUNKS; k++) {
		sb_free(&b->chunks[k].out);
		sb_free(&b->chunks[k].msgs);
	}
	free(b->lines);
	free(b->items);
	free(b->chunks);
}

/* The batch's arrays, and its threads as the flt asks (their crew
 * starts with the first batch that needs it). -1 when out of memory. */
static int
batch_init(struct flt_batch *b, struct flt *f, flt_fn *fn, void *stage)
{
	*b = (struct flt_batch){ .f = f, .fn = fn };
	b->threads = f->threads > 0 ? f->threads : par_auto_threads();
	if (b->threads > FLT_THREADS_MAX)
		b->threads = FLT_THREADS_MAX;
	if (f->clone == NULL)
		b->threads = 1;
	b->part[0].stage = stage;
	b->part[0].f = f;
	b->lines = malloc(FLT_BATCH_LINES * sizeof(*b->lines));
	b->items = malloc(FLT_BATCH_LINES * sizeof(*b->items));
	b->chunks = calloc(FLT_BATCH_CHUNKS, sizeof(*b->chunks));
	if (b->lines == NULL || b->items == NULL || b->chunks == NULL) {
		b->threads = 1;
		batch_free(b);
		return -1;
	}
	return 0;
}

int
flt_run(struct flt *f, struct nd_reader *rd, int out_fd, flt_fn *fn,
    void *stage, struct eb *e)
{
	struct flt_batch b;
	struct nd_writer w;
	struct nd_line line;
	enum nd_status ns;
	int rc = 0, timeout;

	if (batch_init(&b, f, fn, stage) != 0)
		return eb_set(e, "out of memory");
	nd_writer_init(&w, out_fd, f->flush_ms);
	/* wake up for periodic --stats=SECONDS and --metrics even when
	 * input is quiet */
	timeout = cli_stats_wait_ms(f->st);
	while ((ns = nd_read(rd, &line, timeout, e)) != ND_EOF) {
		if (ns == ND_ERROR) {
			rc = -1;
			break;
		}
		if (ns != ND_LINE) {
			/* said before the batch's records go out, so that a
			 * reader of both sees the warning with them */
			if (ns == ND_IDLE)
				col_batch_end(&f->cols, f->st->read);
			if (ns == ND_IDLE && nd_flush(&w) != 0) {
				rc = eb_set(e, "write error: %s", strerror(errno));
				break;
			}
			if (ns == ND_IDLE)
				cli_stats_batch_end(f->st);
			else
				cli_stats_tick(f->st);
			if (cli_stop_signal())
				break;
			timeout = cli_stats_wait_ms(f->st);
			continue;
		}
		cli_stats_batch_begin(f->st);
		gather(&b, rd, &line);
		if ((rc = batch(&b, stage, &w, e)) != 0)
			break;
		/* a write happened (64 KiB or --flush-ms): a batch that
		 * never runs dry still gets its metrics written, and its
		 * stop */
		if (w.out.len == 0) {
			cli_stats_tick(f->st);
			if (cli_stop_signal())
				break;
		}
		/* a backlog (what is ready now, without waiting) makes a
		 * batch big enough for the crew */
		if (b.threads > 1)
			nd_read_ahead(rd, FLT_BATCH_BYTES);
	}
	if (nd_writer_close(&w) != 0 && rc == 0)
		rc = eb_set(e, "write error: %s", strerror(errno));
	if (ns == ND_EOF && rc == 0 && col_end(&f->cols, f->st->read))
		rc = 1;
	if (ns == ND_EOF)
		cli_stats_batch_end(f->st);
	batch_free(&b);
	return rc;
}

int
flt_main(const struct flt_tool *t, void *stage, int argc, char **argv)
{
	struct nd_reader rd;
	struct flt f = { .untouched = -1, .missing = -1, .shared = -1,
	    .stage = stage,
	    .clone = t->clone, .clone_free = t->clone_free };
	struct eb e;
	int first, rc;

	cli_init(t->name, t->usage_line);
	first = t->start(stage, &f, argc, argv);
	if (t->untouched)
		f.untouched = cli_stats_add_metric(f.st, t->untouched,
		    t->untouched_metric, t->untouched_help);
	f.missing = cli_stats_add_metric(f.st, "missing",
	    "kinpipe_records_missing_column_total",
	    "Records without a column the command line names.");
	f.shared = cli_stats_add_metric(f.st, "shared",
	    "kinpipe_records_shared_total",
	    "Records handled in batches shared among threads (--threads).");
	cli_metrics_start(f.st, f.mx, f.duration, NULL, 0);
	if (f.st->mx != NULL)
		cli_catch_stop_signals();
	if (nd_reader_init_files(&rd, argv + first, argc - first) != 0)
		rc = eb_set(&e, "out of memory");
	else {
		rc = flt_run(&f, &rd, STDOUT_FILENO, t->record, stage, &e);
		nd_reader_free(&rd);
	}
	if (rc < 0)
		cli_warn("%s", e.msg);
	else
		cli_stats_final(f.st);
	cli_metrics_final(f.st);	/* after an error too */
	t->finish(stage);
	if (cli_stop_signal())
		cli_die_of_signal();
	return rc == 0 ? CLI_OK : CLI_FAIL;
}
