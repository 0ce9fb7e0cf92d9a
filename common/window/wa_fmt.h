/* wa_fmt: window bounds in window-avg's output rows, on its hot path:
 * RFC 3339, the same text as tm_fmt_rfc3339, without its cost in the
 * common case. (Aggregates go through jx_put_double and jx_put_int, which
 * are fast themselves.) */
#ifndef KP_WA_FMT_H
#define KP_WA_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/sb.h"
#include "time/tm.h"

#define WA_FMT_CACHED 4

/* Window bounds repeat for every key and every slide: their quoted text
 * is worth remembering across rows. */
struct wa_fmt_cache {
	int64_t us[WA_FMT_CACHED];
	char text[WA_FMT_CACHED][TM_RFC3339_MAX + 2];
	size_t n[WA_FMT_CACHED];
	unsigned next;
	int ready;
};

/* tm_fmt_rfc3339's text, with digits by hand for whole seconds of years
 * 0001-9999. */
size_t wa_fmt_time(int64_t us, char buf[TM_RFC3339_MAX]);
/* "time" quoted, through the cache (which starts zeroed). */
void wa_fmt_put_time(struct wa_fmt_cache *c, struct sb *s, int64_t us);

#endif
