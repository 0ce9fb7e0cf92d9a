/* tz_rule: the POSIX TZ string at the end of a TZif file (RFC 8536 §3.3),
 * e.g. "EST5EDT,M3.2.0,M11.1.0": the rule a zone follows after its last
 * listed transition. Internal to tz. */
#ifndef KP_TZ_RULE_H
#define KP_TZ_RULE_H

#include <stddef.h>
#include <stdint.h>

struct tz_rule_date {
	char kind;		/* 'J' (1..365, no Feb 29), 'n' (0..365), 'M' */
	int n, m, w, d;
	int32_t time;		/* local seconds after midnight, may be <0 or >24h */
};

struct tz_rule {
	int valid;		/* a rule was parsed */
	int has_dst;
	int32_t std_off, dst_off;	/* seconds east of UTC */
	struct tz_rule_date start, end;
};

/* Parse s[0..n); 0, or -1 if it is not a POSIX TZ string. */
int tz_rule_parse(struct tz_rule *r, const char *s, size_t n);

/* The two instants (seconds since the epoch) of year y at which daylight
 * saving starts and ends. */
void tz_rule_year(const struct tz_rule *r, int64_t y, int64_t *start,
    int64_t *end);

#endif
