/* par: every chunk of every job run exactly once, never two at once with
 * the same part, jobs kept apart (a chunk of one job never runs during
 * the next), and the caller doing the whole job when no other thread
 * gets to it. */
#include <check.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "base/par.h"

#define JOBS	2000
#define CHUNKS	300

struct job {
	atomic_int runs[CHUNKS];	/* times each chunk ran */
	atomic_int busy[PAR_MAX];	/* parts running now */
	atomic_int job_no;		/* the job par_run is in */
	atomic_int wrong_job;		/* chunks seen after their job */
	atomic_int overlap;		/* a part run twice at once */
	int current;
	int parts_seen[PAR_MAX];
	int slow_part;			/* this part naps a little */
};

static void
one_chunk(void *arg, int part, size_t chunk)
{
	struct job *j = arg;

	if (atomic_fetch_add(&j->busy[part], 1) != 0)
		atomic_fetch_add(&j->overlap, 1);
	if (atomic_load(&j->job_no) != j->current)
		atomic_fetch_add(&j->wrong_job, 1);
	atomic_fetch_add(&j->runs[chunk], 1);
	j->parts_seen[part] = 1;
	if (part == j->slow_part && chunk % 17 == 0)
		usleep(50);
	atomic_fetch_sub(&j->busy[part], 1);
}

static void
run_jobs(int threads, int slow_part)
{
	static struct job j;
	struct par p;
	int job, c, k, seen = 0;

	memset(&j, 0, sizeof(j));
	j.slow_part = slow_part;
	ck_assert_int_eq(par_init(&p, threads, one_chunk, &j), 0);
	for (job = 0; job < JOBS; job++) {
		size_t chunks = (size_t)(job % CHUNKS) + 1;

		j.current = job;
		atomic_store(&j.job_no, job);
		for (c = 0; c < CHUNKS; c++)
			atomic_store(&j.runs[c], 0);
		par_run(&p, chunks);
		for (c = 0; c < CHUNKS; c++)
			ck_assert_int_eq(atomic_load(&j.runs[c]),
			    (size_t)c < chunks ? 1 : 0);
		atomic_store(&j.job_no, -1);	/* between jobs */
	}
	par_free(&p);
	ck_assert_int_eq(atomic_load(&j.overlap), 0);
	ck_assert_int_eq(atomic_load(&j.wrong_job), 0);
	for (k = 0; k < threads; k++)
		seen += j.parts_seen[k];
	ck_assert_int_ge(seen, 1);
	ck_assert_int_eq(j.parts_seen[0], 1);	/* the caller always works */
}

START_TEST(test_one_thread)
{
	run_jobs(1, -1);
}
END_TEST

START_TEST(test_four_threads)
{
	run_jobs(4, 2);
}
END_TEST

START_TEST(test_many_threads)
{
	run_jobs(PAR_MAX, 0);
}
END_TEST

START_TEST(test_empty_job)
{
	struct job j;
	struct par p;

	memset(&j, 0, sizeof(j));
	ck_assert_int_eq(par_init(&p, 3, one_chunk, &j), 0);
	par_run(&p, 0);
	par_free(&p);
	ck_assert_int_eq(atomic_load(&j.runs[0]), 0);
}
END_TEST

START_TEST(test_cpus)
{
	ck_assert_int_ge(par_cpus(), 1);
}
END_TEST

static Suite *
par_suite(void)
{
	Suite *s = suite_create("par");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_one_thread);
	tcase_add_test(tc, test_four_threads);
	tcase_add_test(tc, test_many_threads);
	tcase_add_test(tc, test_empty_job);
	tcase_add_test(tc, test_cpus);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(par_suite)
