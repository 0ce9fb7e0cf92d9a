/* iv: Spark interval strings as window(), withWatermark() and triggers take
 * them ("10 minutes", "1 hour 30 minutes", "interval 5 seconds") and the
 * short forms users type ("10m", "1h30m", "250ms", "90s"). Months and years
 * are refused: they have no fixed length, and Spark refuses them for
 * windows too. */
#ifndef KP_IV_H
#define KP_IV_H

#include <stdint.h>

#include "base/eb.h"

/* Parse into microseconds. A negative value needs allow_negative (Spark
 * allows it for a window's startTime). */
int iv_parse(const char *s, int64_t *us, int allow_negative, struct eb *e);

#endif
