#include "time/dt_resolve.h"
#include "time/tm.h"

#define HAS(f, x) (((f)->set >> (x)) & 1u)
#define YEAR_MAX INT64_C(999999999)	/* java.time.Year.MAX_VALUE */

static const struct {
	int field;
	int64_t lo, hi;
} ranges[] = {
	{ F_ERA, 0, 1 }, { F_YOE, 1, YEAR_MAX }, { F_YEAR, -YEAR_MAX, YEAR_MAX },
	{ F_MONTH, 1, 12 }, { F_DOM, 1, 31 }, { F_DOY, 1, 366 },
	{ F_AMPM, 0, 1 }, { F_HOAP, 0, 11 }, { F_CHOAP, 1, 12 },
	{ F_HOD, 0, 23 }, { F_CHOD, 1, 24 }, { F_MIN, 0, 59 }, { F_SEC, 0, 59 },
	{ F_NANO, 0, 999999999 }, { F_OFFSET, -TZ_OFFSET_MAX, TZ_OFFSET_MAX },
};

static int
date(const struct dt_fields *f, int64_t *days)
{
	int64_t y = 1970, doy;
	int m, d;

	if (HAS(f, F_YEAR))
		y = f->v[F_YEAR];
	else if (HAS(f, F_YOE) && HAS(f, F_ERA))
		y = f->v[F_ERA] == 1 ? f->v[F_YOE] : 1 - f->v[F_YOE];
	/* a year of era without its era stays unresolved under STRICT, and
	 * Spark then takes 1970 */
	if (HAS(f, F_DOY)) {
		doy = f->v[F_DOY];
		if (doy > 365 + tm_is_leap(y))
			return -1;
		*days = tm_days_from_civil(y, 1, 1) + doy - 1;
		{
			int64_t yy;

			tm_civil_from_days(*days, &yy, &m, &d);
		}
		if ((HAS(f, F_MONTH) && f->v[F_MONTH] != m) ||
		    (HAS(f, F_DOM) && f->v[F_DOM] != d))
			return -1;	/* "Conflict found" */
		return 0;
	}
	m = HAS(f, F_MONTH) ? (int)f->v[F_MONTH] : 1;
	d = HAS(f, F_DOM) ? (int)f->v[F_DOM] : 1;
	if (d > tm_days_in_month(y, m))
		return -1;
	*days = tm_days_from_civil(y, m, d);
	return 0;
}

static int
hour(const struct dt_fields *f, int64_t *h)
{
	int64_t hod = -1, hap = -1;

	if (HAS(f, F_CHOD))
		hod = f->v[F_CHOD] % 24;	/* k=24 is midnight, same day */
	if (HAS(f, F_HOD)) {
		if (hod >= 0 && hod != f->v[F_HOD])
			return -1;
		hod = f->v[F_HOD];
	}
	if (HAS(f, F_CHOAP))
		hap = f->v[F_CHOAP] % 12;
	if (HAS(f, F_HOAP)) {
		if (hap >= 0 && hap != f->v[F_HOAP])
			return -1;
		hap = f->v[F_HOAP];
	}
	if (HAS(f, F_AMPM) && hap >= 0) {
		int64_t x = f->v[F_AMPM] * 12 + hap;

		if (hod >= 0 && hod != x)
			return -1;
		hod = x;
	} else if (hod >= 0) {
		if ((HAS(f, F_AMPM) && f->v[F_AMPM] != hod / 12) ||
		    (hap >= 0 && hap != hod % 12))
			return -1;
	} else if (hap >= 0) {
		hod = hap;	/* Spark: an hour of am-pm alone is am */
	} else {
		hod = HAS(f, F_AMPM) && f->v[F_AMPM] == 1 ? 12 : 0;
	}
	*h = hod;
	return 0;
}

int
dt_resolve(const struct dt_fields *f, const struct tz *deflt, int64_t *us)
{
	int64_t days, h, local, utc, micros;

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (HAS(f, ranges[i].field) && (f->v[ranges[i].field] < ranges[i].lo ||
		    f->v[ranges[i].field] > ranges[i].hi))
			return -1;
	if (date(f, &days) || hour(f, &h))
		return -1;
	local = days * 86400 + h * 3600 + (HAS(f, F_MIN) ? f->v[F_MIN] : 0) * 60 +
	    (HAS(f, F_SEC) ? f->v[F_SEC] : 0);
	if (f->zone != NULL)
		utc = tz_local_to_utc(f->zone, local);
	else if (f->zone_off_set)
		utc = local - f->zone_off;
	else if (HAS(f, F_OFFSET))
		utc = local - f->v[F_OFFSET];
	else
		utc = tz_local_to_utc(deflt, local);
	/* microseconds must fit an int64, as in Spark's instantToMicros,
	 * down to Long.MinValue itself */
	micros = HAS(f, F_NANO) ? f->v[F_NANO] / 1000 : 0;
	if (utc >= 0) {
		if (utc > INT64_MAX / TM_US_PER_S)
			return -1;
		*us = utc * TM_US_PER_S;
		if (micros > INT64_MAX - *us)
			return -1;
		*us += micros;
	} else {
		if (utc + 1 < INT64_MIN / TM_US_PER_S)
			return -1;
		*us = (utc + 1) * TM_US_PER_S;
		micros -= TM_US_PER_S;
		if (*us < INT64_MIN - micros)
			return -1;
		*us += micros;
	}
	return 0;
}
