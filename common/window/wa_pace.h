/* wa_pace: when window-avg's default trigger may end a batch. Spark starts
 * a micro-batch when the previous one has finished, so the costlier a
 * commit, the more input the next batch takes. Here records are counted as
 * they arrive and the cost is in the commit (output, --table, --state), so
 * the rule is said of the commit: the next one waits at least
 * WA_PACE_MULTIPLE times what the last one cost, counted from its end.
 * Commits then take at most 1 / (WA_PACE_MULTIPLE + 1) of the time however
 * long the backlog, where ending a batch at every empty pipe made a
 * backlog of N records cost O(N) commits of the whole table each. A record
 * that arrives after the pipe has been quiet that long is committed at
 * once. */
#ifndef KP_WA_PACE_H
#define KP_WA_PACE_H

/* commits at most a twentieth of the time: a backlog is read at 19/20 of
 * the speed it would be without any commit, at worst, whatever its size.
 * A tenth (9) was tried first: about half of a commit is the wait for
 * fsync, which stalls the stages before too once the pipe between is
 * full, so on 10 million records (a table of 33,000 windows) the
 * pipeline took 1.13x the time of update mode for the same CPU time, and
 * ten times the records up to 12.5x the time of a million whose table is
 * small. A commit of such a table took 8 to 14 ms (state and table, each
 * written and synced): the next waits at most about a quarter of a
 * second, well within a second on a live stream. */
#define WA_PACE_MULTIPLE 19

struct wa_pace {
	double due;	/* monotonic seconds: no commit before this */
};

/* A commit ran from started to ended (cli_now()'s clock). */
void wa_pace_done(struct wa_pace *p, double started, double ended);
/* Milliseconds from now until a commit may run, 0 when it may run now;
 * rounded up, so that waiting that long makes it due. */
int wa_pace_wait_ms(const struct wa_pace *p, double now);

#endif
