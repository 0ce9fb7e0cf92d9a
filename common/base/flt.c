#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/flt.h"

/* The message about a bad record: its input and line, and its shardId
 * and sequenceNumber when it has them. */
static void
say_bad(struct flt *f, const struct nd_line *l, const char *suffix)
{
	struct sb where = SB_INIT;
	const char *w;

	if (f->where)
		f->where(f->stage, &where);
	w = sb_cstr(&where);
	cli_warn("%s:%llu%s: %s%s", l->name, (unsigned long long)l->lineno,
	    w && !sb_failed(&where) ? w : "", f->why->msg, suffix);
	sb_free(&where);
}

/* Count one record and apply the policy; -1 stops the run. */
static int
account(struct flt *f, const struct nd_line *l,
    struct sb *out, size_t mark, enum flt_outcome rc)
{
	int bad = rc == FLT_BAD;

	f->st->read++;
	if (rc == FLT_UNTOUCHED && f->untouched >= 0)
		f->st->extra[f->untouched]++;
	if (f->lacking) {
		f->lacking = 0;
		if (f->missing >= 0)
			f->st->extra[f->missing]++;
	}
	if (!bad) {
		f->st->emitted++;
		return 0;
	}
	if (f->on_error == ON_ERROR_FAIL) {
		out->len = mark;
		say_bad(f, l, "");
		return -1;
	}
	if (f->warned++ < FLT_MAX_WARNINGS)
		say_bad(f, l, f->on_error == ON_ERROR_SKIP ?
		    (f->warned == FLT_MAX_WARNINGS ?
		    " (skipped); further warnings suppressed" : " (skipped)") :
		    (f->warned == FLT_MAX_WARNINGS ?
		    " (nulled); further warnings suppressed" : " (nulled)"));
	if (f->on_error == ON_ERROR_SKIP) {
		out->len = mark;
		f->st->skipped++;
		return 0;
	}
	f->st->nulled++;
	f->st->emitted++;
	return 0;
}

int
flt_run(struct flt *f, struct nd_reader *rd, int out_fd, flt_fn *fn,
    void *stage, struct eb *e)
{
	struct nd_writer w;
	struct nd_line line;
	enum nd_status ns;
	int rc = 0, timeout;

	nd_writer_init(&w, out_fd, f->flush_ms);
	/* wake up for periodic --stats=SECONDS and --metrics even when
	 * input is quiet */
	timeout = cli_stats_wait_ms(f->st);
	while ((ns = nd_read(rd, &line, timeout, e)) != ND_EOF) {
		struct sb *out = nd_buf(&w);
		size_t mark = out->len;

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
		if (account(f, &line, out, mark, fn(stage, &line, out)) != 0) {
			rc = 1;
			break;
		}
		if (out->len == mark)
			continue;	/* skipped */
		if (nd_end(&w) != 0) {
			rc = eb_set(e, "write error: %s", strerror(errno));
			break;
		}
		if (sb_failed(out)) {
			rc = eb_set(e, "out of memory");
			break;
		}
		/* nd_end wrote (64 KiB or --flush-ms): a batch that never
		 * runs dry still gets its metrics written, and its stop */
		if (out->len == 0) {
			cli_stats_tick(f->st);
			if (cli_stop_signal())
				break;
		}
	}
	if (nd_writer_close(&w) != 0 && rc == 0)
		rc = eb_set(e, "write error: %s", strerror(errno));
	if (ns == ND_EOF && rc == 0 && col_end(&f->cols, f->st->read))
		rc = 1;
	if (ns == ND_EOF)
		cli_stats_batch_end(f->st);
	return rc;
}

int
flt_main(const struct flt_tool *t, void *stage, int argc, char **argv)
{
	struct nd_reader rd;
	struct flt f = { .untouched = -1, .missing = -1, .stage = stage };
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
