/* dt_resolve: from the fields a value gave to an instant, as java.time's
 * STRICT resolver and Spark's DateTimeFormatterHelper.toZonedDateTime do
 * it (missing fields default: year 1970, month and day 1, time 0).
 * Internal to dt. */
#ifndef KP_DT_RESOLVE_H
#define KP_DT_RESOLVE_H

#include <stdint.h>

#include "time/dt_int.h"
#include "time/tz.h"

struct dt_fields {
	int64_t v[F_COUNT];
	unsigned set;		/* bit (1 << field) when the value gave it */
	const struct tz *zone;	/* a region named in the value */
	int zone_off_set;	/* an offset given as a zone id ("UTC+1") */
	int32_t zone_off;
};

/* 0 and *us, or -1 for a date-time that does not exist (Feb 30, hour
 * 24, second 60, conflicting fields) or does not fit. */
int dt_resolve(const struct dt_fields *f, const struct tz *deflt, int64_t *us);

#endif
