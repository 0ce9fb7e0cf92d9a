#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "time/tm.h"
#include "time/tz.h"
#include "time/tz_rule.h"

/* A zone: its transitions (instant, offset before and after), the offset
 * before the first one, and the POSIX rule that continues after the last
 * one. A fixed offset has no transitions and no rule. */
struct tz {
	char name[64];
	int64_t *t;		/* instants of the transitions, ascending */
	int64_t *lstart;	/* t + min(before, after): the first local
				   time that is missing or ambiguous */
	int32_t *before, *after;
	size_t n;
	int32_t initial;	/* offset before the first transition */
	struct tz_rule rule;
};

/* java.time.ZoneId.SHORT_IDS, which Spark hands to ZoneId.of. */
static const struct {
	const char *id, *to;
} short_ids[] = {
	{ "ACT", "Australia/Darwin" }, { "AET", "Australia/Sydney" },
	{ "AGT", "America/Argentina/Buenos_Aires" }, { "ART", "Africa/Cairo" },
	{ "AST", "America/Anchorage" }, { "BET", "America/Sao_Paulo" },
	{ "BST", "Asia/Dhaka" }, { "CAT", "Africa/Harare" },
	{ "CNT", "America/St_Johns" }, { "CST", "America/Chicago" },
	{ "CTT", "Asia/Shanghai" }, { "EAT", "Africa/Addis_Ababa" },
	{ "ECT", "Europe/Paris" }, { "IET", "America/Indiana/Indianapolis" },
	{ "IST", "Asia/Kolkata" }, { "JST", "Asia/Tokyo" },
	{ "MIT", "Pacific/Apia" }, { "NET", "Asia/Yerevan" },
	{ "NST", "Pacific/Auckland" }, { "PLT", "Asia/Karachi" },
	{ "PNT", "America/Phoenix" }, { "PRT", "America/Puerto_Rico" },
	{ "PST", "America/Los_Angeles" }, { "SST", "Pacific/Guadalcanal" },
	{ "VST", "Asia/Ho_Chi_Minh" }, { "EST", "-05:00" }, { "MST", "-07:00" },
	{ "HST", "-10:00" },
};

static int
two(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

int
tz_parse_offset(const char *s, size_t n, int32_t *off)
{
	char b[16];
	size_t k = 0;
	int h = 0, m = 0, sec = 0, sign;

	if (n < 2 || n > 9 || (s[0] != '+' && s[0] != '-'))
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	/* Spark's getZoneId turns "+h:mm" into "+0h:mm" and "+hh:m" into
	 * "+hh:0m" before ZoneOffset.of sees them */
	b[k++] = s[0];
	if (n >= 3 && s[1] >= '0' && s[1] <= '9' && s[2] == ':')
		b[k++] = '0';
	memcpy(b + k, s + 1, n - 1);
	k += n - 1;
	if (k == 5 && b[3] == ':') {
		b[5] = b[4];
		b[4] = '0';
		k = 6;
	}
	switch (k) {
	case 2:		/* +h */
		if (b[1] < '0' || b[1] > '9')
			return -1;
		h = b[1] - '0';
		break;
	case 3:		/* +hh */
		if (two(b + 1, &h))
			return -1;
		break;
	case 5:		/* +hhmm */
		if (two(b + 1, &h) || two(b + 3, &m))
			return -1;
		break;
	case 6:		/* +hh:mm */
		if (two(b + 1, &h) || b[3] != ':' || two(b + 4, &m))
			return -1;
		break;
	case 7:		/* +hhmmss */
		if (two(b + 1, &h) || two(b + 3, &m) || two(b + 5, &sec))
			return -1;
		break;
	case 9:		/* +hh:mm:ss */
		if (two(b + 1, &h) || b[3] != ':' || two(b + 4, &m) ||
		    b[6] != ':' || two(b + 7, &sec))
			return -1;
		break;
	default:
		return -1;
	}
	if (h > 18 || m > 59 || sec > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60 + sec);
	return *off > TZ_OFFSET_MAX || *off < -TZ_OFFSET_MAX ? -1 : 0;
}

static struct tz *
tz_new(const char *name, size_t n, struct eb *e)
{
	struct tz *z = calloc(1, sizeof(*z));

	if (z == NULL) {
		eb_set(e, "out of memory");
		return NULL;
	}
	if (n >= sizeof(z->name))
		n = sizeof(z->name) - 1;
	memcpy(z->name, name, n);
	return z;
}

struct tz *
tz_fixed(int32_t off, struct eb *e)
{
	struct tz *z;
	int32_t a = off < 0 ? -off : off;

	if (a > TZ_OFFSET_MAX) {
		eb_set(e, "offset out of range: %d seconds", (int)off);
		return NULL;
	}
	if ((z = tz_new("", 0, e)) == NULL)
		return NULL;
	z->initial = off;
	if (off == 0)
		strcpy(z->name, "Z");
	else if (a % 60)
		snprintf(z->name, sizeof(z->name), "%c%02d:%02d:%02d",
		    off < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
	else
		snprintf(z->name, sizeof(z->name), "%c%02d:%02d",
		    off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
	return z;
}

void
tz_close(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->t);
	free(z->lstart);
	free(z->before);
	free(z->after);
	free(z);
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

/* A region name as java.time's ZoneRegion accepts it, and nothing that
 * could leave the database directory or name a file that is not a zone
 * in Java's database. */
static int
region_name_ok(const char *s, size_t n)
{
	if (n < 2 || n > 60 || !((s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '~' || c == '/' || c == '.' ||
		    c == '_' || c == '+' || c == '-'))
			return 0;
		if (c == '.' && i + 1 < n && s[i + 1] == '.')
			return 0;
	}
	if ((n > 6 && memcmp(s, "posix/", 6) == 0) ||
	    (n > 6 && memcmp(s, "right/", 6) == 0) ||
	    (n == 10 && memcmp(s, "posixrules", 10) == 0) ||
	    (n == 9 && memcmp(s, "localtime", 9) == 0))
		return 0;
	return 1;
}

static int64_t
be(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	if (bytes == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* RFC 8536: skip the version 1 block, read the 64-bit block and the
 * footer. Transitions that change neither offset are dropped: only the
 * offset matters to local-to-instant conversion. */
static int
load_tzif(struct tz *z, const unsigned char *b, size_t len, struct eb *e)
{
	size_t cnt[6], off, v1, need, typ, idx, k;
	const unsigned char *tt;
	int32_t prev;

	if (len < 44 || memcmp(b, "TZif", 4) != 0 || b[4] < '2')
		return eb_set(e, "not a TZif version 2+ file");
	for (int i = 0; i < 6; i++)
		cnt[i] = (size_t)be(b + 20 + 4 * i, 4);
	/* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
	v1 = 44 + cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
	if (v1 + 44 > len || memcmp(b + v1, "TZif", 4) != 0)
		return eb_set(e, "truncated TZif file");
	for (int i = 0; i < 6; i++)
		cnt[i] = (size_t)be(b + v1 + 20 + 4 * i, 4);
	off = v1 + 44;
	need = cnt[3] * 9 + cnt[4] * 6 + cnt[5] + cnt[2] * 12 + cnt[1] + cnt[0];
	if (cnt[4] == 0 || cnt[3] > 100000 || cnt[4] > 256 || off + need > len)
		return eb_set(e, "truncated TZif file");
	typ = off + cnt[3] * 9;
	idx = off + cnt[3] * 8;
	tt = b + typ;
	z->initial = (int32_t)be(tt, 4);
	if (cnt[3] > 0) {
		z->t = malloc(cnt[3] * sizeof(*z->t));
		z->lstart = malloc(cnt[3] * sizeof(*z->lstart));
		z->before = malloc(cnt[3] * sizeof(*z->before));
		z->after = malloc(cnt[3] * sizeof(*z->after));
		if (!z->t || !z->lstart || !z->before || !z->after)
			return eb_set(e, "out of memory");
	}
	prev = z->initial;
	for (k = 0; k < cnt[3]; k++) {
		unsigned ti = b[idx + k];
		int32_t o;

		if (ti >= cnt[4])
			return eb_set(e, "bad TZif type index");
		o = (int32_t)be(tt + 6 * ti, 4);
		if (o == prev)
			continue;
		z->t[z->n] = be(b + off + 8 * k, 8);
		z->before[z->n] = prev;
		z->after[z->n] = o;
		z->lstart[z->n] = z->t[z->n] + (o < prev ? o : prev);
		z->n++;
		prev = o;
	}
	off += need;
	if (off < len && b[off] == '\n') {
		const unsigned char *s = b + off + 1, *nl;

		nl = memchr(s, '\n', len - off - 1);
		if (nl != NULL && nl > s &&
		    tz_rule_parse(&z->rule, (const char *)s, (size_t)(nl - s)) != 0)
			return eb_set(e, "bad TZif footer rule");
	}
	return 0;
}

static struct tz *
open_region(const char *id, size_t n, struct eb *e)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	unsigned char *buf;
	struct stat st;
	struct tz *z;
	ssize_t got;
	size_t len = 0;
	int fd;

	if (!region_name_ok(id, n))
		goto unknown;
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	snprintf(path, sizeof(path), "%s/%.*s", dir, (int)n, id);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto unknown;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > 1024 * 1024) {
		close(fd);
		goto unknown;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		eb_set(e, "out of memory");
		return NULL;
	}
	while (len < (size_t)st.st_size) {
		got = read(fd, buf + len, (size_t)st.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if ((z = tz_new(id, n, e)) != NULL && load_tzif(z, buf, len, e) != 0) {
		eb_wrap(e, "time zone '%.*s'", (int)n, id);
		tz_close(z);
		z = NULL;
	}
	free(buf);
	return z;
unknown:
	eb_set(e, "unknown time zone '%.*s'", (int)(n > 64 ? 64 : n), id);
	return NULL;
}

static int
has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(s, p, k) == 0;
}

static struct tz *
open_id(const char *id, size_t n, int short_ids_ok, struct eb *e)
{
	struct tz *z;
	int32_t off;
	size_t k;

	if (n == 1 && id[0] == 'Z')
		return tz_fixed(0, e);
	if (n > 0 && (id[0] == '+' || id[0] == '-')) {
		if (tz_parse_offset(id, n, &off) != 0) {
			eb_set(e, "invalid time zone offset '%.*s'",
			    (int)(n > 64 ? 64 : n), id);
			return NULL;
		}
		return tz_fixed(off, e);
	}
	/* UTC, GMT, UT, alone or followed by an offset: ZoneId.of's prefixes */
	k = has_prefix(id, n, "UTC") || has_prefix(id, n, "GMT") ? 3 :
	    has_prefix(id, n, "UT") ? 2 : 0;
	if (k > 0 && (n == k || id[k] == '+' || id[k] == '-')) {
		off = 0;
		if (n > k && tz_parse_offset(id + k, n - k, &off) != 0) {
			eb_set(e, "invalid time zone offset '%.*s'",
			    (int)(n > 64 ? 64 : n), id);
			return NULL;
		}
		if ((z = tz_fixed(off, e)) != NULL)
			snprintf(z->name, sizeof(z->name), "%.*s", (int)n, id);
		return z;
	}
	for (size_t i = 0; short_ids_ok &&
	    i < sizeof(short_ids) / sizeof(short_ids[0]); i++) {
		if (n == strlen(short_ids[i].id) && memcmp(id, short_ids[i].id, n) == 0) {
			z = tz_open(short_ids[i].to, strlen(short_ids[i].to), e);
			if (z != NULL)
				snprintf(z->name, sizeof(z->name), "%s", short_ids[i].id);
			return z;
		}
	}
	return open_region(id, n, e);
}

struct tz *
tz_open(const char *id, size_t n, struct eb *e)
{
	return open_id(id, n, 1, e);
}

struct tz *
tz_open_region(const char *id, size_t n, struct eb *e)
{
	return open_id(id, n, 0, e);
}

/* The rule's transitions around year y, as (instant, before, after). */
static size_t
rule_transitions(const struct tz_rule *r, int64_t y, int64_t t[6],
    int32_t bef[6], int32_t aft[6])
{
	size_t k = 0;

	for (int64_t yy = y - 1; yy <= y + 1; yy++) {
		int64_t s, en;

		tz_rule_year(r, yy, &s, &en);
		/* southern hemisphere: the end comes first in the year */
		if (en < s) {
			t[k] = en, bef[k] = r->dst_off, aft[k++] = r->std_off;
			t[k] = s, bef[k] = r->std_off, aft[k++] = r->dst_off;
		} else {
			t[k] = s, bef[k] = r->std_off, aft[k++] = r->dst_off;
			t[k] = en, bef[k] = r->dst_off, aft[k++] = r->std_off;
		}
	}
	return k;
}

/* Java's rule, in one line: find the last transition whose window (the
 * local times it skips or repeats) starts at or before L; inside the
 * window the offset before the transition applies (the gap is skipped
 * forward by its length, the overlap takes the earlier offset), after it
 * the offset after. */
static int64_t
resolve(const int64_t *t, const int32_t *bef, const int32_t *aft, size_t n,
    int32_t initial, int64_t local_s)
{
	size_t lo = 0, hi = n, i;

	while (lo < hi) {	/* first transition whose window starts after L */
		size_t mid = lo + (hi - lo) / 2;
		int64_t ws = t[mid] + (aft[mid] < bef[mid] ? aft[mid] : bef[mid]);

		if (ws <= local_s)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return local_s - initial;
	i = lo - 1;
	if (local_s < t[i] + (aft[i] > bef[i] ? aft[i] : bef[i]))
		return local_s - bef[i];
	return local_s - aft[i];
}

static int64_t
year_of(int64_t s)
{
	int64_t y;
	int m, d;

	tm_civil_from_days(tm_floordiv(s, 86400), &y, &m, &d);
	return y;
}

int64_t
tz_local_to_utc(const struct tz *z, int64_t local_s)
{
	int64_t t[7];
	int32_t bef[7], aft[7];
	size_t k = 0, j, cnt;

	if (z->rule.has_dst && (z->n == 0 || local_s > z->t[z->n - 1] + 2 * 86400)) {
		int64_t rt[6];
		int32_t rb[6], ra[6];

		if (z->n > 0) {
			t[k] = z->t[z->n - 1];
			bef[k] = z->before[z->n - 1];
			aft[k++] = z->after[z->n - 1];
		}
		cnt = rule_transitions(&z->rule, year_of(local_s), rt, rb, ra);
		for (j = 0; j < cnt; j++) {
			if (k > 0 && rt[j] <= t[k - 1])
				continue;
			t[k] = rt[j], bef[k] = rb[j], aft[k++] = ra[j];
		}
		return resolve(t, bef, aft, k, k ? bef[0] : z->rule.std_off, local_s);
	}
	if (z->rule.valid && !z->rule.has_dst && z->n > 0 &&
	    local_s > z->t[z->n - 1] + 2 * 86400)
		return local_s - z->rule.std_off;
	return resolve(z->t, z->before, z->after, z->n, z->initial, local_s);
}

/* tz_local_to_utc of a zone without transitions or a rule with daylight
 * saving: resolve over no transitions, the initial offset */
int
tz_fixed_offset(const struct tz *z, int32_t *off)
{
	if (z->n != 0 || z->rule.has_dst)
		return 0;
	*off = z->initial;
	return 1;
}

int32_t
tz_offset_at(const struct tz *z, int64_t utc_s)
{
	size_t lo = 0, hi = z->n;

	if (z->rule.valid && (z->n == 0 || utc_s > z->t[z->n - 1])) {
		int64_t rt[6];
		int32_t rb[6], ra[6];
		int32_t off = z->rule.std_off;
		size_t cnt;

		if (!z->rule.has_dst)
			return z->rule.std_off;
		cnt = rule_transitions(&z->rule, year_of(utc_s), rt, rb, ra);
		off = rb[0];
		for (size_t j = 0; j < cnt && rt[j] <= utc_s; j++)
			off = ra[j];
		return off;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->t[mid] <= utc_s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? z->initial : z->after[lo - 1];
}

void
tz_cache_init(struct tz_cache *c)
{
	memset(c, 0, sizeof(*c));
}

void
tz_cache_free(struct tz_cache *c)
{
	for (int i = 0; i < TZ_CACHE_SLOTS; i++)
		tz_close(c->slot[i].z);
	memset(c, 0, sizeof(*c));
}

const struct tz *
tz_cache_get(struct tz_cache *c, const char *id, size_t n, int flags,
    struct eb *e)
{
	struct tz *z;
	unsigned s;

	for (int i = 0; i < TZ_CACHE_SLOTS; i++)
		if (c->slot[i].z != NULL && c->slot[i].flags == flags &&
		    strlen(c->slot[i].name) == n &&
		    memcmp(c->slot[i].name, id, n) == 0)
			return c->slot[i].z;
	if (n >= sizeof(c->slot[0].name)) {
		eb_set(e, "unknown time zone '%.*s'", 64, id);
		return NULL;
	}
	if ((z = open_id(id, n, flags & TZ_SHORT_IDS, e)) == NULL)
		return NULL;
	s = c->next++ % TZ_CACHE_SLOTS;
	tz_close(c->slot[s].z);
	memcpy(c->slot[s].name, id, n);
	c->slot[s].name[n] = '\0';
	c->slot[s].flags = flags;
	c->slot[s].z = z;
	return z;
}
