/* tm: time on the wire and inside. Inside, int64 microseconds since the
 * epoch (Spark's unit); on the wire, RFC 3339 in UTC with 'Z' and only as
 * many fraction digits as needed (kinpipe(7)). Calendar arithmetic is
 * proleptic Gregorian and works for any year, before 1970 included, with
 * no dependence on the process's time zone. */
#ifndef KP_TM_H
#define KP_TM_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"

#define TM_US_PER_S	INT64_C(1000000)
#define TM_US_PER_DAY	(INT64_C(86400) * TM_US_PER_S)
#define TM_RFC3339_MAX	40

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t tm_days_from_civil(int64_t y, int m, int d);
void tm_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int tm_days_in_month(int64_t y, int m);
int tm_is_leap(int64_t y);

/* tm_days_from_civil for years 0 to 9999, a month 1..12 and a day
 * 1..31: the same days, without its floor division (the year is moved
 * 400 years on, 146097 days, to stay positive) or a call; what a parser
 * of four-digit years runs once a record. */
static inline int64_t
tm_days_from_civil_ce(int y, int m, int d)
{
	/* days from March 1st to the 1st of month m, the year starting in
	 * March so that the leap day falls last */
	static const short from_march[13] = { 0, 306, 337, 0, 31, 61, 92,
	    122, 153, 184, 214, 245, 275 };
	uint32_t yy = (uint32_t)(y + 400 - (m <= 2));

	return (int64_t)(yy * 365 + yy / 4 - yy / 100 + yy / 400) +
	    from_march[m] + d - 1 - 146097 - 719468;
}

/* Floor division and modulo (towards minus infinity), for times before
 * 1970 where C's '/' and '%' round the wrong way. */
static inline int64_t
tm_floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static inline int64_t
tm_floormod(int64_t a, int64_t b)
{
	int64_t r = a % b;	/* never overflows, unlike a - (a / b) * b */

	return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

/* "2024-01-01T00:00:07Z", "2024-01-01T00:00:07.25Z"; returns the length.
 * Years outside 0000-9999 print with a sign and more digits. */
size_t tm_fmt_rfc3339(int64_t us, char buf[TM_RFC3339_MAX]);

/* RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"; 't',
 * 'z' and a space separator are accepted; no zone means UTC. Fractions
 * beyond microseconds are truncated, as Spark does. Rejects Feb 30, hour
 * 24 and second 60. */
int tm_parse_rfc3339(const char *s, size_t n, int64_t *us, struct eb *e);

/* Epoch seconds (with fraction) to microseconds, rounded to the nearest
 * microsecond; fails outside the representable range or for NaN. */
int tm_from_epoch_seconds(double secs, int64_t *us, struct eb *e);

/* Now, by the wall clock (CLOCK_REALTIME), in microseconds since the
 * epoch. */
int64_t tm_now_us(void);

#endif
