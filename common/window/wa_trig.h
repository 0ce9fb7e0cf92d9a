/* wa_trig: what happens at a trigger, as in Spark's micro-batches: the
 * batch's rows out as the mode says (complete: the whole table, also into
 * --table; update: the rows the batch changed; append: the rows the
 * watermark finalised), then the watermark advanced, finalised windows
 * forgotten (update, append) and the state saved. */
#ifndef KP_WA_TRIG_H
#define KP_WA_TRIG_H

#include "base/eb.h"
#include "window/wa.h"

/* End the current batch; at_eof also ends event time (append: every
 * window is emitted). Output is flushed. 0, or -1 with e set. */
int wa_trigger(struct wa *w, int at_eof, struct eb *e);

#endif
