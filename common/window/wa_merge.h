/* wa_merge: window-avg --merge. Partial rows (wa_out_partial's) come in,
 * the latest per (shard, window, key) is kept, and at each trigger the
 * shards' partials fold into the table one window-avg over every shard
 * would hold. */
#ifndef KP_WA_MERGE_H
#define KP_WA_MERGE_H

#include "base/eb.h"
#include "base/nd.h"
#include "window/wa.h"

/* Take one partial row line; 0, or -1 with e set when the run must stop. */
int wa_merge_partial(struct wa *w, const struct nd_line *ln, struct eb *e);
/* Fold the partials into out (initialised here; the caller frees it with
 * agg_free when this returns 0). */
int wa_merge_shards(struct wa *w, struct agg_table *out, struct eb *e);

#endif
