/* par: a crew of threads that share the chunks of one job at a time (the
 * filters' record batches: flt.c). Each thread, the caller's among them,
 * claims the next chunk not yet claimed until none is left; the caller
 * then waits only for the chunks others are still doing. A thread that
 * has not got a processor yet (a busy machine: a pipeline's other stages)
 * holds nothing up: the caller does its share. The threads block every
 * signal: signals are the main thread's (kinpipe(7)). */
#ifndef KP_PAR_H
#define KP_PAR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define PAR_MAX 16

/* Chunk number chunk of the job, done by thread part (0: the caller's):
 * no two threads run with the same part at once. */
typedef void par_fn(void *arg, int part, size_t chunk);

struct par;
struct par_member {
	struct par *p;
	int part;
};

/* Its threads hold its address: it stays where par_init put it. */
struct par {
	int n;			/* threads, the caller's included */
	par_fn *fn;
	void *arg;
	pthread_t th[PAR_MAX];
	struct par_member member[PAR_MAX];
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	uint32_t round;		/* jobs started */
	int quit;
	atomic_size_t chunks;	/* in this job */
	/* round << 32 | the next chunk to claim: a thread that wakes late
	 * cannot claim a chunk of a job that is over */
	_Atomic uint64_t claim;
	atomic_size_t finished;	/* chunks of this job done */
};

/* A crew of n threads (1 <= n <= PAR_MAX) running fn(arg, ...). -1 when
 * a thread cannot be started (errno set); nothing is left running then. */
int par_init(struct par *p, int n, par_fn *fn, void *arg);
/* Run the chunks 0 .. chunks-1 (fewer than 2^32); returns when all are
 * done. */
void par_run(struct par *p, size_t chunks);

/* The same in steps, for a caller that takes the chunks' results in
 * order while the crew is still at work: par_start sets the other
 * threads going; par_claim(p, c) claims chunk c for the caller if no
 * thread has (the crew claims in order: c is the next), par_claim_next
 * the next, whichever it is, and the caller then runs it and calls
 * par_done; par_wait returns once every chunk is
 * done (before the next par_start). Whether a chunk the crew claimed is
 * done the caller tells by itself. */
void par_start(struct par *p, size_t chunks);
int par_claim(struct par *p, size_t chunk);
/* The caller claims whichever chunk is next (1, in *chunk), as a thread
 * of the crew would; 0 when none is left. */
int par_claim_next(struct par *p, size_t *chunk);
void par_done(struct par *p);
void par_wait(struct par *p);
/* Stop and join the threads. */
void par_free(struct par *p);

/* Whether the crew pays. Threads help only when they get processors: on
 * a machine busy with other work (a pipeline's other stages, other jobs)
 * a thread that is not running holds up the chunk it claimed, and the
 * job waits. So each job is timed, per byte of input, and the next one
 * goes the cheaper way, one thread or the crew (the crew only when it is
 * clearly cheaper: its threads take processor time from others). Now and then a job goes
 * the other way, so that a change of load is seen: after PAR_TRY_EVERY
 * jobs, then twice as many each time the choice stands (up to
 * PAR_TRY_MAX), PAR_TRY_EVERY again once it changes. */
#define PAR_TRY_EVERY	16
#define PAR_GAIN	0.75	/* the crew's cost must be under this share */
#define PAR_TRY_MAX	64

struct par_choice {
	double cost[2];		/* seconds per byte: alone, crew; 0 unknown */
	unsigned jobs;		/* since the last try of the other way */
	unsigned every;		/* jobs between tries */
	int best;		/* the way chosen last */
};

/* 1: run the next job on the crew, 0: on the caller's thread alone. */
int par_choose(struct par_choice *c);
/* What a job of bytes cost, run as par_choose said (crew 0 or 1). */
void par_cost(struct par_choice *c, int crew, double seconds, size_t bytes);

/* The CPUs this process may run on (sched_getaffinity), at least 1. */
int par_cpus(void);

/* Threads for a stage by default: one per CPU beyond the first two, at
 * most PAR_AUTO_MAX, at least 1. A stage seldom runs alone: the
 * notebook's pipeline is three stages behind a reader, and on two CPUs
 * a fourth busy thread slows the pipeline (measured: by a fifth) more
 * than it speeds its stage. --threads asks for more. */
#define PAR_AUTO_MAX	4
int par_auto_threads(void);

#endif
