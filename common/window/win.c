#include "window/win.h"

int
win_spec_init(struct win_spec *w, int64_t size, int64_t slide, int64_t start,
    struct eb *e)
{
	/* Spark's messages, so a Spark user recognises them */
	if (size <= 0)
		return eb_set(e, "the window duration must be greater than 0");
	if (slide <= 0)
		return eb_set(e, "the slide duration must be greater than 0");
	if (slide > size)
		return eb_set(e, "the slide duration must be less than or "
		    "equal to the window duration");
	if (start <= -slide || start >= slide)
		return eb_set(e, "the absolute value of the start time must be "
		    "less than the slide duration");
	if ((size - 1) / slide + 1 > WIN_MAX_OVERLAP)
		return eb_set(e, "a window overlapping more than %d slides is "
		    "not supported", WIN_MAX_OVERLAP);
	w->size = size;
	w->slide = slide;
	w->start = start;
	w->overlap = (int)((size - 1) / slide + 1);
	w->exact = size % slide == 0;
	return 0;
}

int
win_assign(const struct win_spec *w, int64_t ts, int64_t *starts)
{
	/* Spark 3.3+: remainder = (ts - startTime) % slide, taken towards
	 * zero as on the JVM, then moved into [0, slide) for times before the
	 * start; older releases got negative times one slide wrong. */
	int64_t rem = (ts - w->start) % w->slide;
	int64_t last = ts - (rem < 0 ? rem + w->slide : rem);
	int n = 0;

	for (int i = 0; i < w->overlap; i++) {
		int64_t s = last - (int64_t)i * w->slide;

		if (w->exact || (s <= ts && ts < s + w->size))
			starts[n++] = s;
	}
	return n;
}
