/* wa_mark: window-avg's replay check on the path every record takes. A
 * stream's records take turns among a few shards, each a little past its
 * mark: the mark is found again among ck_marks' recent ones
 * (ck_marks_peek), and the sequence number is checked for digits and
 * compared with the mark's in one pass. What this cannot decide at once
 * (a new shard, a leading zero, lengths that differ, a byte that is not a
 * digit) is left to ck's general functions, whose verdicts these equal. */
#ifndef KP_WA_MARK_H
#define KP_WA_MARK_H

#include <stddef.h>
#include <stdint.h>

#include "base/ck.h"

enum { WA_SEQ_UNSURE = 2 };

/* (seq[0..n), sub) against the mark k: 1 above it (a new record), 0 at
 * or below it (a replay), as ck_seq_valid and ck_mark_is_new say; or
 * WA_SEQ_UNSURE when this does not decide, and those must (seq not a
 * sequence number among them). */
int wa_seq_vs_mark(const struct ck_mark *k, const char *seq, size_t n,
    int64_t sub);

#endif
