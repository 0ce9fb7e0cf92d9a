/* metrics: the Prometheus text exposition format (version 0.0.4), the
 * one node_exporter's textfile collector reads: a "# HELP" and a "# TYPE"
 * line per family, then its samples, with no timestamps. Samples are
 * collected first and rendered sorted (families by name, series by their
 * labels), so that two renderings of the same values are the same bytes
 * and a diff of two files shows only what changed.
 *
 * Errors are sticky, as in sb: a bad name or an allocation that fails is
 * remembered, every later call does nothing, and metrics_render says why. */
#ifndef KP_METRICS_H
#define KP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"

enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM };

struct metrics_label {
	const char *name, *value;	/* the value may be any UTF-8 */
};

struct metrics_family {
	char *name, *help;
	enum metrics_type type;
};

struct metrics_sample {
	size_t family;		/* index into fam */
	char *series;		/* the labels, rendered, for sorting */
	char *line;		/* the whole line, without its newline */
	size_t seq;		/* order of addition: a histogram's lines */
};

struct metrics {
	struct metrics_family *fam;
	size_t nfam, capfam;
	struct metrics_sample *s;
	size_t n, cap;
	int failed;
	struct eb why;
};

void metrics_init(struct metrics *m);
void metrics_free(struct metrics *m);

/* Declare a family. Declaring it again is allowed with the same type and
 * help (two series of one family); anything else is an error. Counter
 * names must end in _total. */
void metrics_family(struct metrics *m, const char *name,
    enum metrics_type type, const char *help);

/* A counter's or a gauge's sample in the declared family name. */
void metrics_add(struct metrics *m, const char *name,
    const struct metrics_label *l, size_t nl, double v);
/* The same for a count: written exactly, even past 2^53. */
void metrics_add_u64(struct metrics *m, const char *name,
    const struct metrics_label *l, size_t nl, uint64_t v);

/* A histogram's series: count[i] observations fell in (bound[i-1],
 * bound[i]], bound ascending, and count[nb] above the last bound; sum is
 * the sum of all observations. Written as the cumulative _bucket lines
 * (le="+Inf" last), _sum and _count. */
void metrics_add_histogram(struct metrics *m, const char *name,
    const struct metrics_label *l, size_t nl, const double *bound,
    const uint64_t *count, size_t nb, double sum);

/* Append the text to out. -1 when an earlier call failed, e says why. */
int metrics_render(struct metrics *m, struct sb *out, struct eb *e);

/* How a double is written: the shortest text that reads back to it,
 * "+Inf", "-Inf", "NaN". buf needs 32 bytes. */
void metrics_format_value(double v, char buf[32]);

#endif
