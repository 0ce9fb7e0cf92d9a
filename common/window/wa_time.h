/* wa_time: window-avg's event times. Records come in time order, mostly
 * within one day: once tm has parsed (and so validated) a date, later
 * times of that date in the plain forms "YYYY-MM-DDTHH:MM:SS" and with
 * "Z" need only their time of day read. Anything else, fractions and
 * offsets included, goes to tm_parse_rfc3339, whose verdicts these are. */
#ifndef KP_WA_TIME_H
#define KP_WA_TIME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/eb.h"
#include "time/tm.h"

/* Spark's TIMESTAMP range, 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999Z: it also keeps window arithmetic far from
 * int64 overflow. */
#define WA_TIME_MIN (INT64_C(-62135596800) * TM_US_PER_S)
#define WA_TIME_MAX (INT64_C(253402300800) * TM_US_PER_S - 1)

struct wa_time_cache {
	char day[10];		/* the date of the last plain time */
	uint64_t day8;		/* its first 8 bytes, to compare at once */
	size_t day_len;		/* 0: none yet */
	int64_t day_us;		/* its midnight */
	uint64_t minute8;	/* bytes 8-15 ("DDTHH:MM") of the last time
				   read on that day, 0 for none */
	int64_t minute_us;	/* the start of its minute */
};

/* RFC 3339 text p[0..n) to microseconds, as tm_parse_rfc3339 reads it. */
int wa_time_parse(struct wa_time_cache *c, const char *p, size_t n,
    int64_t *us, struct eb *e);

/* wa_time_parse, with a time in the minute of the last one (as a
 * stream's are, nearly always) read here without a call: its date and
 * "THH:MM" are the minute's bytes, and only ":SS[Z]" is checked. */
static inline int
wa_time_read(struct wa_time_cache *c, const char *p, size_t n, int64_t *us,
    struct eb *e)
{
	uint64_t date, hm;
	unsigned s1, s2;

	if ((n == 19 || (n == 20 && p[19] == 'Z')) && c->day_len != 0) {
		memcpy(&date, p, 8);
		memcpy(&hm, p + 8, 8);
		s1 = (unsigned)(unsigned char)p[17] - '0';
		s2 = (unsigned)(unsigned char)p[18] - '0';
		if (date == c->day8 && hm == c->minute8 && p[16] == ':' &&
		    s1 < 6 && s2 < 10) {
			*us = c->minute_us + (int64_t)(s1 * 10 + s2) * TM_US_PER_S;
			return 0;
		}
	}
	return wa_time_parse(c, p, n, us, e);
}

#endif
