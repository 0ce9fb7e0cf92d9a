/* tz: time zones for turning a local date-time into an instant, the way
 * Spark does it through java.time. A zone is a fixed offset or an IANA
 * region read from the system's time-zone database (the TZif files under
 * /usr/share/zoneinfo, Debian's tzdata), including the POSIX rule at the
 * end of each file that carries daylight saving past the last listed
 * transition. Written by hand because the C library offers only one zone
 * per process (TZ) and mktime's answer in a gap or an overlap is not
 * Java's.
 *
 * Zone IDs follow java.time.ZoneId.of with Spark's getZoneId: "Z",
 * offsets "+h", "+hh", "+hh:mm", "+hhmm", "+hh:mm:ss", "+hhmmss" (and
 * Spark's "+h:mm", "+hh:m"), "UTC"/"GMT"/"UT" alone or followed by an
 * offset, Java's SHORT_IDS ("EST", "PST", ...), and region names
 * ("Europe/Berlin", case-sensitive as in Java). */
#ifndef KP_TZ_H
#define KP_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"

#define TZ_OFFSET_MAX (18 * 3600)	/* java.time.ZoneOffset's range */

struct tz;

/* The zone named by id[0..n) as ZoneId.of(id, SHORT_IDS) with Spark's
 * normalisation; NULL with e set when there is none. */
struct tz *tz_open(const char *id, size_t n, struct eb *e);
/* The same without SHORT_IDS: what a zone-id pattern letter (VV) reads,
 * where "EST" is the tz database's own zone. */
struct tz *tz_open_region(const char *id, size_t n, struct eb *e);
void tz_close(struct tz *z);
/* A fixed offset in seconds east of UTC (|off| <= TZ_OFFSET_MAX). */
struct tz *tz_fixed(int32_t off, struct eb *e);
const char *tz_name(const struct tz *z);

/* Seconds since the epoch of local seconds local_s in zone z, as
 * ZonedDateTime.ofLocal(ldt, zone, null): in a gap (spring forward) the
 * local time moves forward by the gap's length, in an overlap (fall back)
 * the earlier offset wins. */
int64_t tz_local_to_utc(const struct tz *z, int64_t local_s);
/* 1 with *off when z has one offset for all time (UTC, a fixed offset):
 * tz_local_to_utc is then local_s - *off; else 0. */
int tz_fixed_offset(const struct tz *z, int32_t *off);
/* The zone's offset east of UTC at instant utc_s. */
int32_t tz_offset_at(const struct tz *z, int64_t utc_s);

/* Parse an offset as ZoneOffset.of accepts it (sign required; Spark's
 * "+h:mm" and "+hh:m" too); 0 and *off, or -1. */
int tz_parse_offset(const char *s, size_t n, int32_t *off);

/* A few zones remembered by name, for values that name their own zone:
 * only the first sight of a name touches the file system. */
#define TZ_CACHE_SLOTS 16
struct tz_cache {
	struct {
		char name[64];
		int flags;
		struct tz *z;
	} slot[TZ_CACHE_SLOTS];
	unsigned next;
};

void tz_cache_init(struct tz_cache *c);
void tz_cache_free(struct tz_cache *c);
/* The zone named id[0..n), loaded on first use; NULL (e set) if none. */
enum { TZ_SHORT_IDS = 1 };
const struct tz *tz_cache_get(struct tz_cache *c, const char *id, size_t n,
    int flags, struct eb *e);

#endif
