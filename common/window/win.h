/* win: Spark's event-time window assignment (TimeWindowing /
 * ResolveTimeWindows), in int64 microseconds. A time belongs to
 * ceil(size/slide) windows, aligned to the epoch plus start; when the
 * size is not a multiple of the slide, Spark computes that many candidates
 * and keeps only those with start <= ts < end, and so do we. */
#ifndef KP_WIN_H
#define KP_WIN_H

#include <stdint.h>

#include "base/eb.h"

/* Spark has no limit; a window overlapping more slides than this is almost
 * surely a typo, and the per-record array of starts is sized by it. */
#define WIN_MAX_OVERLAP 1024

struct win_spec {
	int64_t size;	/* window duration */
	int64_t slide;	/* slide duration, == size for tumbling windows */
	int64_t start;	/* startTime offset, |start| < slide */
	int overlap;	/* ceil(size / slide): candidates per time */
	int exact;	/* size % slide == 0: every candidate contains ts */
};

/* Check and complete a spec as Spark's TimeWindow does: size > 0,
 * 0 < slide <= size, |start| < slide. */
int win_spec_init(struct win_spec *w, int64_t size, int64_t slide,
    int64_t start, struct eb *e);

/* The starts of the windows containing ts, newest first (Spark's order of
 * i = 0, 1, ...). starts must hold w->overlap entries; returns how many
 * were written. Each window is [start, start + size). */
int win_assign(const struct win_spec *w, int64_t ts, int64_t *starts);

#endif
