#include "time/tm.h"
#include "time/tz_rule.h"

struct cur {
	const char *p, *end;
};

static int
peek(const struct cur *c)
{
	return c->p < c->end ? (unsigned char)*c->p : -1;
}

static int
num(struct cur *c, int max_digits, int *v)
{
	int k = 0;

	*v = 0;
	while (k < max_digits && c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		*v = *v * 10 + (*c->p++ - '0');
		k++;
	}
	return k > 0 ? 0 : -1;
}

/* std or dst name: alphabetic, or anything in <...> */
static int
name(struct cur *c)
{
	const char *start = c->p;

	if (peek(c) == '<') {
		while (c->p < c->end && *c->p != '>')
			c->p++;
		if (c->p == c->end)
			return -1;
		c->p++;
		return 0;
	}
	while (c->p < c->end && ((*c->p >= 'A' && *c->p <= 'Z') ||
	    (*c->p >= 'a' && *c->p <= 'z')))
		c->p++;
	return c->p - start >= 3 ? 0 : -1;
}

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536 allows that for times) */
static int
hms(struct cur *c, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;

	if (peek(c) == '+' || peek(c) == '-')
		sign = *c->p++ == '-' ? -1 : 1;
	if (num(c, 3, &h) || h > 167)
		return -1;
	if (peek(c) == ':') {
		c->p++;
		if (num(c, 2, &m) || m > 59)
			return -1;
		if (peek(c) == ':') {
			c->p++;
			if (num(c, 2, &s) || s > 59)
				return -1;
		}
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return 0;
}

static int
date(struct cur *c, struct tz_rule_date *d)
{
	d->time = 2 * 3600;
	if (peek(c) == 'M') {
		c->p++;
		d->kind = 'M';
		if (num(c, 2, &d->m) || d->m < 1 || d->m > 12 || peek(c) != '.')
			return -1;
		c->p++;
		if (num(c, 1, &d->w) || d->w < 1 || d->w > 5 || peek(c) != '.')
			return -1;
		c->p++;
		if (num(c, 1, &d->d) || d->d > 6)
			return -1;
	} else if (peek(c) == 'J') {
		c->p++;
		d->kind = 'J';
		if (num(c, 3, &d->n) || d->n < 1 || d->n > 365)
			return -1;
	} else {
		d->kind = 'n';
		if (num(c, 3, &d->n) || d->n > 365)
			return -1;
	}
	if (peek(c) == '/') {
		c->p++;
		return hms(c, &d->time);
	}
	return 0;
}

int
tz_rule_parse(struct tz_rule *r, const char *s, size_t n)
{
	struct cur c = { s, s + n };
	int32_t west;

	r->valid = r->has_dst = 0;
	if (name(&c) || hms(&c, &west))
		return -1;
	r->std_off = r->dst_off = -west;	/* POSIX counts west of UTC */
	if (c.p == c.end) {
		r->valid = 1;
		return 0;
	}
	if (name(&c))
		return -1;
	r->dst_off = r->std_off + 3600;
	if (peek(&c) != ',' && c.p != c.end) {
		if (hms(&c, &west))
			return -1;
		r->dst_off = -west;
	}
	if (peek(&c) != ',')
		return -1;	/* TZif footers always carry the rule */
	c.p++;
	if (date(&c, &r->start) || peek(&c) != ',')
		return -1;
	c.p++;
	if (date(&c, &r->end) || c.p != c.end)
		return -1;
	r->has_dst = 1;
	r->valid = 1;
	return 0;
}

/* Days since the epoch of the rule date in year y. */
static int64_t
rule_day(const struct tz_rule_date *d, int64_t y)
{
	int64_t jan1 = tm_days_from_civil(y, 1, 1), first;
	int dow, day;

	switch (d->kind) {
	case 'J':
		return jan1 + d->n - 1 + (tm_is_leap(y) && d->n >= 60);
	case 'n':
		return jan1 + d->n;
	default:
		first = tm_days_from_civil(y, d->m, 1);
		dow = (int)tm_floormod(first + 4, 7);	/* 1970-01-01: Thursday */
		day = 1 + (d->d - dow + 7) % 7 + (d->w - 1) * 7;
		if (day > tm_days_in_month(y, d->m))
			day -= 7;
		return first + day - 1;
	}
}

void
tz_rule_year(const struct tz_rule *r, int64_t y, int64_t *start, int64_t *end)
{
	/* the start is given in standard time, the end in daylight time */
	*start = rule_day(&r->start, y) * 86400 + r->start.time - r->std_off;
	*end = rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
}
