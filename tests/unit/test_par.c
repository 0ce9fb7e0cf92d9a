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

/* The way par_choose takes: each untried way first, then the cheaper,
 * the other only on the tries, further apart while the choice stands. */
START_TEST(test_choice)
{
	struct par_choice c = { { 0, 0 }, 0, 0, 0 };
	int k, crew = 0, alone = 0, tries_at[8], ntries = 0;

	ck_assert_int_eq(par_choose(&c), 1);	/* the crew, untried */
	par_cost(&c, 1, 1.0, 1000);		/* 1 ms a KB */
	ck_assert_int_eq(par_choose(&c), 0);	/* alone, untried */
	par_cost(&c, 0, 3.0, 1000);		/* 3 ms a KB */
	for (k = 0; k < 16 + 32 + 64; k++) {
		int way = par_choose(&c);

		crew += way;
		alone += !way;
		if (!way && ntries < 8)
			tries_at[ntries++] = k;
	}
	ck_assert_int_eq(alone, 3);		/* after 16, 32 and 64 more */
	ck_assert_int_eq(tries_at[0], 15);
	ck_assert_int_eq(tries_at[1], 15 + 32);
	ck_assert_int_eq(tries_at[2], 15 + 32 + 64);
	/* the load changes: the crew now costs more; a few of its jobs
	 * move its cost past the other's, and the choice follows */
	for (k = 0; k < 8; k++)
		par_cost(&c, 1, 10.0, 1000);
	ck_assert_int_eq(par_choose(&c), 0);
	ck_assert_uint_eq(c.every, PAR_TRY_EVERY);
	/* a job of no bytes or no time tells nothing */
	par_cost(&c, 0, 0.0, 1000);
	par_cost(&c, 0, 1.0, 0);
	ck_assert(c.cost[0] > 2.9e-3 && c.cost[0] < 3.1e-3);
	ck_assert_int_eq(crew, 16 + 32 + 64 - 3);
}
END_TEST

/* A crew only a little faster is not worth its threads (PAR_GAIN); a
 * try of the way not taken counts as it is. */
START_TEST(test_choice_margin)
{
	struct par_choice c = { { 0, 0 }, 0, 0, 0 };

	ck_assert_int_eq(par_choose(&c), 1);
	par_cost(&c, 1, 0.95, 1000);
	ck_assert_int_eq(par_choose(&c), 0);
	par_cost(&c, 0, 1.0, 1000);
	ck_assert_int_eq(par_choose(&c), 0);	/* 5% is not enough */
	par_cost(&c, 1, 0.8, 1000);		/* a try: 20%, not enough */
	ck_assert_int_eq(par_choose(&c), 0);
	par_cost(&c, 1, 0.5, 1000);		/* a try: half, enough */
	ck_assert_int_eq(par_choose(&c), 1);
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
	tcase_add_test(tc, test_choice);
	tcase_add_test(tc, test_choice_margin);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(par_suite)
