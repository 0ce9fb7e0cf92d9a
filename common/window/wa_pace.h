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

/* commits at most a tenth of the time: a backlog is read at 9/10 of the
 * speed it would be without any commit, at worst, whatever its size, so
 * ten times the records take at most about eleven times the time */
#define WA_PACE_MULTIPLE 9

struct wa_pace {
	double due;	/* monotonic seconds: no commit before this */
};

/* A commit ran from started to ended (cli_now()'s clock). */
void wa_pace_done(struct wa_pace *p, double started, double ended);
/* Milliseconds from now until a commit may run, 0 when it may run now;
 * rounded up, so that waiting that long makes it due. */
int wa_pace_wait_ms(const struct wa_pace *p, double now);

#endif
