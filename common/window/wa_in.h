/* wa_in: window-avg's per-record path: find the members the query reads
 * in one pass, skip replays by their shard's (sequenceNumber,
 * subSequenceNumber) mark, read
 * the event time and the values, and add the record to each of its
 * windows' rows. */
#ifndef KP_WA_IN_H
#define KP_WA_IN_H

#include "base/eb.h"
#include "base/nd.h"
#include "window/wa.h"

/* Count one record line; 0, or -1 with e set when the run must stop
 * (--on-error fail, out of memory). */
int wa_in_record(struct wa *w, const struct nd_line *ln, struct eb *e);
/* The same for a line already parsed into w->rec (a JSON object). */
int wa_in_parsed(struct wa *w, const struct nd_line *ln, struct eb *e);

#endif
