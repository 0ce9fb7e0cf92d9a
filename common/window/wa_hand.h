/* wa_hand: a shard's aggregate handed over with its lease. kin-read
 * --lease-state writes, before the records of a shard it has taken, the
 * line {"shardId":ID,"shardState":{"format":"kinpipe-shard-state",
 * "query":Q,"sequenceNumber":S|null,"rows":[...]}}: the shard's rows of
 * window-avg's state as of S, as the lease's last owner counted them.
 * With --emit partials they replace this window-avg's rows of the shard,
 * S becomes its mark, and every one of them is emitted again at the next
 * trigger (the last owner's may never have left its machine). Without
 * --emit partials the line is ignored: a table of all shards together
 * cannot take one shard's part back. */
#ifndef KP_WA_HAND_H
#define KP_WA_HAND_H

#include "base/nd.h"
#include "json/rec.h"
#include "window/wa.h"

#define WA_HAND_MEMBER "shardState"
#define WA_HAND_FORMAT "kinpipe-shard-state"

/* 0, or -1 with e set when the run must stop. */
int wa_hand(struct wa *w, const struct nd_line *ln,
    const struct rec_member *shard, const struct rec_member *state,
    struct eb *e);

#endif
