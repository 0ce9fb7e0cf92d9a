#include <string.h>

#include "time/dt.h"
#include "time/dt_fixed.h"
#include "time/dt_int.h"
#include "time/dt_resolve.h"
#include "time/tm.h"

/* What one parse has read so far; copied whole to undo an optional
 * section that did not match, as java.time's parse context does. */
struct st {
	int64_t v[F_COUNT];
	unsigned set;
	const struct tz *zone;	/* a region read by VV or z */
	int zone_off_set;	/* VV/z read an offset ("+01:00", "UTC+1") */
	int32_t zone_off;
};

struct in {
	const char *s;
	size_t n;
	const struct dt_pattern *p;
	struct tz_cache *zones;
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* parseCaseInsensitive: Spark's builder compares text in any case */
static int
match_ci(const struct in *in, size_t pos, const char *t, size_t k)
{
	if (in->n - pos < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (lower((unsigned char)in->s[pos + i]) != lower((unsigned char)t[i]))
			return 0;
	return 1;
}

static int
set(struct st *st, int f, int64_t v)
{
	if (st->set & (1u << f))
		return st->v[f] == v ? 0 : -1;	/* the same field twice */
	st->set |= 1u << f;
	st->v[f] = v;
	return 0;
}

static int
digit(const struct in *in, size_t pos)
{
	return pos < in->n && in->s[pos] >= '0' && in->s[pos] <= '9' ?
	    in->s[pos] - '0' : -1;
}

/* NumberPrinterParser.parse in strict mode, with adjacent value parsing */
static int
num(const struct in *in, const struct dt_op *op, size_t *pos, struct st *st)
{
	size_t start = *pos, p = *pos, cnt = 0, maxw;
	int neg = 0, pos_sign = 0;
	int64_t v = 0;

	if (p >= in->n)
		return -1;
	if (in->s[p] == '+') {
		if (op->sign != SIGN_EXCEEDS_PAD)
			return -1;
		pos_sign = 1;
		start = ++p;
	} else if (in->s[p] == '-') {
		if (op->sign == SIGN_NOT_NEGATIVE)
			return -1;
		neg = 1;
		start = ++p;
	}
	maxw = (size_t)op->maxw + (op->subsequent > 0 ? (size_t)op->subsequent : 0);
	while (cnt < maxw && digit(in, start + cnt) >= 0)
		cnt++;
	if (cnt < op->minw)
		return -1;
	if (op->subsequent > 0) {
		/* leave the following fixed-width numbers their digits */
		size_t keep = cnt > (size_t)op->subsequent ? cnt - (size_t)op->subsequent : 0;

		cnt = keep > op->minw ? keep : op->minw;
	}
	for (size_t i = 0; i < cnt; i++)
		v = v > INT64_C(100000000000000000) ? v : v * 10 + digit(in, start + i);
	if (neg && v == 0)
		return -1;	/* no minus zero when strict */
	if (op->sign == SIGN_EXCEEDS_PAD) {
		/* '+' exactly when the digits exceed the pad width */
		if (pos_sign && cnt <= op->minw)
			return -1;
		if (!pos_sign && !neg && cnt > op->minw)
			return -1;
	}
	*pos = start + cnt;
	if (op->field == F_YEAR && op->style == 1)
		v += DT_REDUCED_BASE;
	if (op->field == F_YOE && op->style == 1)
		v += DT_REDUCED_BASE;
	return set(st, op->field, neg ? -v : v);
}

static int
frac(const struct in *in, const struct dt_op *op, size_t *pos, struct st *st)
{
	size_t cnt = 0;
	int64_t v = 0;

	while (cnt < op->maxw && digit(in, *pos + cnt) >= 0) {
		v = v * 10 + digit(in, *pos + cnt);
		cnt++;
	}
	if (cnt < op->minw)
		return -1;
	*pos += cnt;
	for (size_t i = cnt; i < 9; i++)
		v *= 10;
	return set(st, F_NANO, v);
}

static const char *const month_full[] = { "January", "February", "March",
	"April", "May", "June", "July", "August", "September", "October",
	"November", "December" };
static const char *const month_short[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const ampm[] = { "AM", "PM" };
static const char *const era_short[] = { "BC", "AD" };
static const char *const era_full[] = { "Before Christ", "Anno Domini" };

/* TextPrinterParser with Locale.US names; strict: names only */
static int
text(const struct in *in, const struct dt_op *op, size_t *pos, struct st *st)
{
	const char *const *names;
	int count, base = 0;

	switch (op->style) {
	case TEXT_MONTH_SHORT: names = month_short, count = 12, base = 1; break;
	case TEXT_MONTH_FULL: names = month_full, count = 12, base = 1; break;
	case TEXT_AMPM: names = ampm, count = 2; break;
	case TEXT_ERA_SHORT: names = era_short, count = 2; break;
	default: names = era_full, count = 2; break;
	}
	for (int i = 0; i < count; i++) {
		size_t k = strlen(names[i]);

		if (match_ci(in, *pos, names[i], k)) {
			*pos += k;
			return set(st, op->field, i + base);
		}
	}
	return -1;
}

static int
two_digits(const struct in *in, size_t p, int *v)
{
	int a = digit(in, p), b = digit(in, p + 1);

	if (a < 0 || b < 0)
		return -1;
	*v = a * 10 + b;
	return *v > 59 ? -1 : 0;
}

/* OffsetIdPrinterParser (JDK 11+, strict). type: java.time's index into
 * "+HH" "+HHmm" "+HH:mm" "+HHMM" "+HH:MM" "+HHMMss" "+HH:MM:ss" "+HHMMSS"
 * "+HH:MM:SS"; lower case parts are optional. */
static int
offset_num(const struct in *in, int type, size_t *pos, int32_t *off)
{
	size_t p = *pos;
	int colon = type > 0 && type % 2 == 0, sign, h, m = 0, sec = 0;

	if (p >= in->n || (in->s[p] != '+' && in->s[p] != '-'))
		return -1;
	sign = in->s[p++] == '-' ? -1 : 1;
	if (two_digits(in, p, &h))
		return -1;
	p += 2;
	for (int part = 1; part <= 2; part++) {
		int need = part == 1 ? type >= 3 : type >= 7, want = part == 1 ?
		    type >= 1 : type >= 5, v;
		size_t q = p;

		if (!want)
			break;
		if (colon) {
			if (q >= in->n || in->s[q] != ':') {
				if (need)
					return -1;
				break;
			}
			q++;
		}
		if (two_digits(in, q, &v)) {
			if (need)
				return -1;
			break;
		}
		p = q + 2;
		*(part == 1 ? &m : &sec) = v;
	}
	if (h > 23)
		return -1;	/* "Value out of range" */
	*off = sign * (h * 3600 + m * 60 + sec);
	*pos = p;
	return 0;
}

static int
offset(const struct in *in, const struct dt_op *op, size_t *pos, struct st *st)
{
	int type = op->style & 0x3f;
	const char *none = op->style & 0x80 ? "Z" : op->style & 0x40 ? "+00" :
	    type % 2 ? "+0000" : "+00:00";
	int32_t off;

	if (match_ci(in, *pos, none, strlen(none))) {
		*pos += strlen(none);
		return set(st, F_OFFSET, 0);
	}
	if (offset_num(in, type, pos, &off))
		return -1;
	return set(st, F_OFFSET, off);
}

/* LocalizedOffsetIdPrinterParser: "GMT", then "+8", "+08:30" (short) or
 * "+08:00" (full) */
static int
locoff(const struct in *in, const struct dt_op *op, size_t *pos, struct st *st)
{
	size_t p = *pos;
	int sign, h, m = 0, sec = 0, d;

	if (!match_ci(in, p, "GMT", 3))
		return -1;
	p += 3;
	if (p >= in->n || (in->s[p] != '+' && in->s[p] != '-')) {
		*pos = p;
		return set(st, F_OFFSET, 0);
	}
	sign = in->s[p++] == '-' ? -1 : 1;
	if (op->style == 1) {
		if (digit(in, p) < 0 || digit(in, p + 1) < 0 || p + 2 >= in->n ||
		    in->s[p + 2] != ':' || digit(in, p + 3) < 0 || digit(in, p + 4) < 0)
			return -1;
		h = digit(in, p) * 10 + digit(in, p + 1);
		m = digit(in, p + 3) * 10 + digit(in, p + 4);
		p += 5;
	} else {
		if ((h = digit(in, p++)) < 0)
			return -1;
		if ((d = digit(in, p)) >= 0) {
			h = h * 10 + d;
			p++;
		}
		if (p + 2 < in->n && in->s[p] == ':' && digit(in, p + 1) >= 0 &&
		    digit(in, p + 2) >= 0) {
			m = digit(in, p + 1) * 10 + digit(in, p + 2);
			p += 3;
		} else {
			goto done;
		}
	}
	if (p + 2 < in->n && in->s[p] == ':' && digit(in, p + 1) >= 0 &&
	    digit(in, p + 2) >= 0) {
		sec = digit(in, p + 1) * 10 + digit(in, p + 2);
		p += 3;
	}
done:
	if (h > 23 || m > 59 || sec > 59)
		return -1;
	*pos = p;
	return set(st, F_OFFSET, sign * (h * 3600 + m * 60 + sec));
}

static int
id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '~' || c == '/' || c == '.' ||
	    c == '_' || c == '+' || c == '-';
}

static int
set_zone_off(struct st *st, int32_t off)
{
	if (off > TZ_OFFSET_MAX || off < -TZ_OFFSET_MAX)
		return -1;
	st->zone = NULL;
	st->zone_off_set = 1;
	st->zone_off = off;
	return 0;
}

/* Zone names Locale.US gives 'z', mapped to the zone java.time resolves
 * them to; a region, so "PST" in July is daylight time, as in Java. */
static const struct {
	const char *name, *zone;
} zone_names[] = {
	{ "Pacific Standard Time", "America/Los_Angeles" },
	{ "Pacific Daylight Time", "America/Los_Angeles" },
	{ "Mountain Standard Time", "America/Denver" },
	{ "Mountain Daylight Time", "America/Denver" },
	{ "Central Standard Time", "America/Chicago" },
	{ "Central Daylight Time", "America/Chicago" },
	{ "Eastern Standard Time", "America/New_York" },
	{ "Eastern Daylight Time", "America/New_York" },
	{ "Central European Standard Time", "Europe/Paris" },
	{ "Central European Summer Time", "Europe/Paris" },
	{ "Coordinated Universal Time", "UTC" },
	{ "Greenwich Mean Time", "GMT" },
	{ "British Summer Time", "Europe/London" },
	{ "AKST", "America/Anchorage" }, { "AKDT", "America/Anchorage" },
	{ "CEST", "Europe/Paris" }, { "EEST", "Europe/Bucharest" },
	{ "WEST", "Europe/Lisbon" },
	{ "PST", "America/Los_Angeles" }, { "PDT", "America/Los_Angeles" },
	{ "MST", "America/Denver" }, { "MDT", "America/Denver" },
	{ "CST", "America/Chicago" }, { "CDT", "America/Chicago" },
	{ "EST", "America/New_York" }, { "EDT", "America/New_York" },
	{ "HST", "Pacific/Honolulu" }, { "CET", "Europe/Paris" },
	{ "EET", "Europe/Bucharest" }, { "WET", "Europe/Lisbon" },
	{ "BST", "Europe/London" }, { "IST", "Asia/Kolkata" },
	{ "JST", "Asia/Tokyo" },
};

/* ZoneIdPrinterParser (VV) and, with names, ZoneTextPrinterParser (z) */
static int
zone(const struct in *in, const struct dt_op *op, size_t *pos, struct st *st)
{
	size_t p = *pos, run = 0, k;
	int32_t off;

	if (p >= in->n)
		return -1;
	if (in->s[p] == '+' || in->s[p] == '-') {
		if (offset_num(in, 6, &p, &off) || set_zone_off(st, off))
			return -1;
		*pos = p;
		return 0;
	}
	k = match_ci(in, p, "UTC", 3) ? 3 : match_ci(in, p, "GMT", 3) ? 3 :
	    match_ci(in, p, "UT", 2) ? 2 : 0;
	if (k > 0) {
		if (k == 3 && lower((unsigned char)in->s[p]) == 'g' &&
		    p + 3 < in->n && in->s[p + 3] == '0') {
			*pos = p + 4;	/* "GMT0" */
			return set_zone_off(st, 0);
		}
		p += k;
		off = 0;
		/* an offset after the prefix, else the prefix alone */
		if (p < in->n && in->s[p] != '0' && lower((unsigned char)in->s[p]) != 'z' &&
		    offset_num(in, 6, &p, &off) != 0)
			off = 0;
		if (set_zone_off(st, off))
			return -1;
		*pos = p;
		return 0;
	}
	if (op->kind == DT_ZONETEXT) {
		for (size_t i = 0; i < sizeof(zone_names) / sizeof(zone_names[0]); i++) {
			size_t len = strlen(zone_names[i].name);

			if (!match_ci(in, p, zone_names[i].name, len))
				continue;
			st->zone = tz_cache_get(in->zones, zone_names[i].zone,
			    strlen(zone_names[i].zone), 0, NULL);
			if (st->zone == NULL)
				return -1;
			st->zone_off_set = 0;
			*pos = p + len;
			return 0;
		}
	}
	/* the longest region name the text starts with */
	while (p + run < in->n && run < 64 && id_char(in->s[p + run]))
		run++;
	for (k = run; k >= 2; k--) {
		const struct tz *z;
		char next = p + k < in->n ? in->s[p + k] : '\0';

		if (k < run && ((next >= 'A' && next <= 'Z') ||
		    (next >= 'a' && next <= 'z')))
			continue;	/* not the end of a name */
		if ((z = tz_cache_get(in->zones, in->s + p, k, 0, NULL)) != NULL) {
			st->zone = z;
			st->zone_off_set = 0;
			*pos = p + k;
			return 0;
		}
	}
	if (lower((unsigned char)in->s[p]) == 'z') {
		*pos = p + 1;
		return set_zone_off(st, 0);
	}
	return -1;
}

static int
run(const struct in *in, int from, int to, size_t *pos, struct st *st)
{
	for (int i = from; i < to; i++) {
		const struct dt_op *op = &in->p->op[i];
		int rc;

		switch (op->kind) {
		case DT_LIT:
			rc = match_ci(in, *pos, in->p->lit + op->lit, op->nlit) ? 0 : -1;
			if (rc == 0)
				*pos += op->nlit;
			break;
		case DT_NUM: rc = num(in, op, pos, st); break;
		case DT_FRAC: rc = frac(in, op, pos, st); break;
		case DT_TEXT: rc = text(in, op, pos, st); break;
		case DT_OFFSET: rc = offset(in, op, pos, st); break;
		case DT_LOCOFF: rc = locoff(in, op, pos, st); break;
		case DT_ZONEID:
		case DT_ZONETEXT: rc = zone(in, op, pos, st); break;
		case DT_OPT: {
			struct st save = *st;
			size_t at = *pos;

			if (run(in, i + 1, op->end, pos, st) != 0) {
				*st = save;	/* the section is simply absent */
				*pos = at;
			}
			i = op->end;
			rc = 0;
			break;
		}
		default:
			rc = 0;
			break;
		}
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
dt_parse(const struct dt_pattern *p, const char *s, size_t n,
    const struct tz *deflt, struct tz_cache *zones, int64_t *us, struct eb *e)
{
	struct in in = { s, n, p, zones };
	struct dt_fields f;
	struct st st;
	size_t pos = 0;

	if (dt_fixed_parse(p, s, n, deflt, us) == DT_FIXED_OK)
		return 0;
	memset(&st, 0, sizeof(st));
	if (run(&in, 0, p->nop, &pos, &st) != 0 || pos != n)
		return eb_set(e, "'%.*s' does not match the pattern",
		    (int)(n > 64 ? 64 : n), s);
	memcpy(f.v, st.v, sizeof(f.v));
	f.set = st.set;
	f.zone = st.zone;
	f.zone_off_set = st.zone_off_set;
	f.zone_off = st.zone_off;
	if (dt_resolve(&f, deflt, us) != 0)
		return eb_set(e, "'%.*s' is not a valid date-time",
		    (int)(n > 64 ? 64 : n), s);
	return 0;
}
