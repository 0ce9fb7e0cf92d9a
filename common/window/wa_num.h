/* wa_num: the nearest double of a JSON number, as rec_number (strtod)
 * gives it, fast for the short decimals that make up most of a price
 * feed. */
#ifndef KP_WA_NUM_H
#define KP_WA_NUM_H

#include "json/rec.h"

/* v: a validated JSON number span, followed by a byte that is not a
 * digit (in a record's text, at least the closing brace; a C string's
 * NUL). */
double wa_num(struct rec_span v);

#endif
