/* agg_cell: an aggregate cell's JSON text, [n,sum,comp,min,max], the one
 * form in which cells leave the process: in window-avg's state file and
 * in the partial rows that --merge reads back. Both need the cell exactly,
 * and a sum can overflow to an infinity (or its compensation turn NaN)
 * where JSON has no number to say so: such a member is written as the
 * string "Infinity", "-Infinity" or "NaN", as Spark's to_json writes them.
 * The min and max of a cell without values are written as 0. */
#ifndef KP_AGG_CELL_H
#define KP_AGG_CELL_H

#include <jansson.h>

#include "base/sb.h"
#include "window/agg.h"

/* Append c's text to out. */
void agg_cell_put(struct sb *out, const struct agg_cell *c);
/* Read back what agg_cell_put wrote: 0, or -1 when v is not an array of
 * an integer and four numbers (or the three strings above). The count's
 * range is the caller's to check: what bounds it depends on the row. */
int agg_cell_get(const json_t *v, struct agg_cell *c);

#endif
