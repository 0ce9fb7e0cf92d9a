/* flt: the record loop of a stateless filter (json-project, ts-parse).
 * It reads NDJSON lines, lets the stage write each record's replacement
 * into the output buffer, applies --on-error to the records the stage
 * calls bad, keeps the --stats counters and flushes at every batch end
 * (kinpipe(7)), so that every filter treats bad input alike. */
#ifndef KP_FLT_H
#define KP_FLT_H

#include "base/cli.h"
#include "base/col.h"
#include "base/eb.h"
#include "base/nd.h"
#include "base/sb.h"

enum flt_outcome {
	FLT_OK,		/* the stage wrote the record */
	FLT_BAD,	/* it wrote the nulled form; why says what was wrong */
	FLT_UNTOUCHED	/* it wrote the record with nothing to do (counted) */
};

/* Append the output record for line to out (without the newline). */
typedef enum flt_outcome flt_fn(void *stage, const struct nd_line *line,
    struct sb *out);

struct flt {
	enum cli_on_error on_error;
	int flush_ms;
	struct cli_stats *st;
	int untouched;		/* st->extra index counting FLT_UNTOUCHED */
	const struct eb *why;	/* the stage's reason for its last FLT_BAD */
	unsigned warned;
	const struct cli_metrics_opts *mx;	/* --metrics, as parsed */
	cli_duration_fn *duration;	/* the parser of --metrics-interval */
	/* The columns the command line names: the stage sets cols.seen[i]
	 * for each it finds in a record, and lacking when the record lacks
	 * one of them (counted as `missing`); flt says which no record had
	 * (col.h). */
	struct col_set cols;
	int lacking;
	int missing;		/* st->extra index, -1 for none */
	int shared;		/* st->extra index counting the records of
				   batches shared among threads, -1 for none */
	/* Appends where the record just handled came from to out (its
	 * shardId and sequenceNumber: prov.h), for the message about it;
	 * NULL for nothing. Called with stage only for bad records. */
	void (*where)(void *stage, struct sb *out);
	void *stage;
	/* Threads for a backlog (--threads; 0: par_auto_threads()). Each
	 * thread but the main one runs a clone of the stage: clone makes
	 * one that shares the stage's options and has its own working
	 * state, with wf (a copy of this flt, columns unmarked) as its flt:
	 * it marks its columns and lacking there and sets wf->why to its
	 * own. NULL: the stage runs on one thread. */
	int threads;
	void *(*clone)(void *stage, struct flt *wf);
	void (*clone_free)(void *clone);
};

/* --threads' largest value */
#define FLT_THREADS_MAX 16

/* Bad records named on stderr before the rest are only counted. */
#define FLT_MAX_WARNINGS 100

/* Run rd to the end of its input, in batches: the record lines already
 * buffered when one is read, shared among the threads when there are
 * enough of them, each batch's records then counted, warned about and
 * written in input order, so output and messages are those of one
 * thread. Returns 0 when all input was handled,
 * 1 when --on-error=fail stopped at a bad record or the input ended
 * without a column the command line names (already reported), -1
 * on a read or write error (in e), and also when a file of rd cannot be
 * opened: the run stops there, what came before it written. */
int flt_run(struct flt *f, struct nd_reader *rd, int out_fd, flt_fn *fn,
    void *stage, struct eb *e);

/* A filter tool, as flt_main runs it: its options and its per-record
 * work are its own; the rest of its main, input files included, is the
 * same for every filter. */
struct flt_tool {
	const char *name;		/* for cli_init */
	const char *usage_line;
	const char *untouched;		/* --stats name for FLT_UNTOUCHED,
					   NULL: not counted */
	/* Parse the command line (exiting on a usage error, as only a tool
	 * may), set up the stage (flt_main has set f->stage to it) and fill
	 * in f's on_error, flush_ms, st,
	 * why, mx and duration, its named columns (f->cols) and where;
	 * return the index in argv of the first input file operand. */
	int (*start)(void *stage, struct flt *f, int argc, char **argv);
	flt_fn *record;
	void (*finish)(void *stage);	/* free what start set up */
	/* --metrics' name and help for FLT_UNTOUCHED */
	const char *untouched_metric, *untouched_help;
	/* flt's clone and clone_free (NULL: one thread) */
	void *(*clone)(void *stage, struct flt *wf);
	void (*clone_free)(void *clone);
};

/* The whole main of a filter: reads the files named by the operands in
 * order ("-" or none: standard input) and writes standard output.
 * Returns the exit status, CLI_FAIL once the failure is on stderr. With
 * --metrics, SIGINT and SIGTERM end the run at the next batch end, the
 * file is written, and the signal then ends the process as it would
 * have without --metrics. */
int flt_main(const struct flt_tool *t, void *stage, int argc, char **argv);

#endif
