/* agg_text: the text of a table's rows, kept from one write to the next.
 * A complete table and the state are written whole at every trigger, but
 * few of their rows changed since the last one, and those nearly all at
 * the end: records come nearly in time order, so the rows they change are
 * the newest windows. The text is therefore rebuilt only from the first
 * row that changed, moved or is new; the rows before it keep the text
 * they had, and are not formatted again. A commit then formats what
 * changed, not the whole table, which used to be most of its CPU time on
 * a large table (the state's four doubles a cell). */
#ifndef KP_AGG_TEXT_H
#define KP_AGG_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "base/sb.h"
#include "window/agg.h"

/* Append the text of row r to out; the same row unchanged must give the
 * same bytes every time. */
typedef void agg_text_put_fn(void *arg, struct sb *out,
    const struct agg_row *r);

/* Make t->text[k].buf the text of rows[0..n) in that order, each written
 * by put, and return it; NULL when memory runs out (then nothing is kept
 * for the next call). rows must be every row of t that has a text k (the
 * rows of t, in any order). A row whose batch is below the next_batch of
 * the previous call, and that comes where it came then, keeps its text.
 * next_batch is the first batch whose changes the text does not hold:
 * the number of the batch under way, plus one when the rows it changed
 * are in rows. */
const struct sb *agg_text_build(struct agg_table *t, int k,
    struct agg_row *const *rows, size_t n, uint64_t next_batch,
    agg_text_put_fn *put, void *arg);

#endif
