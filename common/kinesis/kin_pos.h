/* kin_pos: a position in a shard, as --from spells it and as kin-read's
 * checkpoint records where each shard's reading began:
 *
 *   earliest (or trim_horizon)   TRIM_HORIZON
 *   latest                       LATEST (never in a checkpoint: it moves)
 *   at-timestamp=T               AT_TIMESTAMP, T in RFC 3339 or epoch
 *                                seconds (written as RFC 3339 UTC)
 *   at-sequence=N                AT_SEQUENCE_NUMBER
 */
#ifndef KP_KIN_POS_H
#define KP_KIN_POS_H

#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"

enum kin_pos_type {
	KIN_POS_EARLIEST,
	KIN_POS_LATEST,
	KIN_POS_AT_TIMESTAMP,
	KIN_POS_AT_SEQUENCE
};

struct kin_pos {
	enum kin_pos_type type;
	const char *seq;	/* AT_SEQUENCE: points into the parsed text */
	int64_t ts_us;		/* AT_TIMESTAMP */
};

/* Parse s; e says why not, naming the forms. */
int kin_pos_parse(const char *s, struct kin_pos *p, struct eb *e);
/* The GetShardIterator type of p. */
const char *kin_pos_iterator(const struct kin_pos *p);
/* Append p's text (at-timestamp in RFC 3339 UTC). */
void kin_pos_put(struct sb *out, const struct kin_pos *p);

#endif
