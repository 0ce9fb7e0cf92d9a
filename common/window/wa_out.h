/* wa_out: window-avg's output rows, one JSON object each:
 *   {"<window column>":{"start":...,"end":...},<group keys>,<aggregates>
 *    [,"batch":N]}
 * and, with --emit partials, a shard's mergeable aggregate of one window
 * and key (what --merge reads back). */
#ifndef KP_WA_OUT_H
#define KP_WA_OUT_H

#include "window/wa.h"

/* Append the row r to s; batch < 0 leaves out the batch member. */
void wa_out_row(struct wa *w, struct sb *s, const struct agg_row *r,
    int64_t batch);
void wa_out_partial(struct wa *w, struct sb *s, const struct agg_row *r);
/* Where the group values start in r's key: after the shard in partials
 * and merge modes. */
const char *wa_out_key_groups(const struct wa *w, const struct agg_row *r);

#endif
