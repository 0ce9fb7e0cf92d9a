/* dt_fixed: the values of a pattern made of fixed-width numbers between
 * literals, read at the offsets the pattern fixes. The notebook's
 * "yyyy-MM-dd'T'HH:mm:ss" is one: every value it matches is 19 bytes,
 * digits where the numbers are, the literal bytes elsewhere. Going
 * through the operations one at a time (dt_parse's run) cost ts-parse
 * over a third of its time; this checks the bytes eight at a time, reads
 * the fields straight and resolves them as dt_resolve does. Anything else
 * a pattern may accept (other case in a literal, a sign, another width)
 * and any field out of range is left to dt_parse, so the verdicts, values
 * and messages are dt_parse's. Internal to dt. */
#ifndef KP_DT_FIXED_H
#define KP_DT_FIXED_H

#include <stddef.h>
#include <stdint.h>

#include "time/dt.h"
#include "time/tz.h"

/* Fill p->fixed when p is such a pattern (p->fixed.len 0 when not). */
void dt_fixed_plan(struct dt_pattern *p);

enum dt_fixed_verdict {
	DT_FIXED_OK,		/* *us is the instant */
	DT_FIXED_UNSURE		/* not read here: ask dt_parse */
};

/* The instant of s[0..n) with a fixed pattern, values without a zone
 * being local time in deflt. */
enum dt_fixed_verdict dt_fixed_parse(const struct dt_pattern *p,
    const char *s, size_t n, const struct tz *deflt, int64_t *us);

#endif
