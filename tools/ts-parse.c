/* ts-parse: Spark's to_timestamp(col, pattern), or CAST(col AS TIMESTAMP)
 * without a pattern, over an NDJSON stream (see ts-parse(1)). The pattern
 * is compiled once (dt); each record is indexed as byte spans (rec), only
 * the timestamp field is decoded and parsed, and the record is written
 * back by copying every other member verbatim. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "time/dt.h"
#include "base/flt.h"
#include "json/jx.h"
#include "base/nd.h"
#include "json/prov.h"
#include "json/rec.h"
#include "base/sb.h"
#include "time/iv.h"
#include "time/tm.h"
#include "time/tz.h"


static const char usage_line[] =
    "ts-parse [--field NAME] [--format PATTERN] [--tz ZONE] [--as NAME] "
    "[--to iso|epoch|epoch_ms|epoch_us] [--on-error=null|skip|fail] "
    "[--stats[=SECONDS]] [--metrics FILE [--metrics-interval D]] "
    "[--flush-ms MS] [--threads N] [FILE ...]";

static const char help_text[] =
    "usage: ts-parse [options] [FILE ...]\n"
    "Spark's to_timestamp(FIELD, PATTERN) on every record; other fields pass.\n"
    "Reads the FILEs in order (- or none: standard input).\n"
    "\n"
    "  -f, --field NAME       field holding the time (timestamp)\n"
    "  -p, --format PATTERN   Spark datetime pattern, e.g. \"yyyy-MM-dd'T'HH:mm:ss\";\n"
    "                         without it, Spark's CAST(... AS TIMESTAMP)\n"
    "  -z, --tz ZONE          zone of values that carry none: IANA name or\n"
    "                         offset (UTC)\n"
    "  -a, --as NAME          write the result to NAME, keep FIELD\n"
    "      --to FORM          iso (RFC 3339 UTC, default), epoch, epoch_ms,\n"
    "                         epoch_us\n"
    "      --on-error=MODE    unparsable value: null (default), skip, fail\n"
    "      --stats[=SECONDS]  counts on stderr at exit (and every SECONDS)\n"
    "      --metrics FILE     the counts for Prometheus, rewritten at exit\n"
    "      --metrics-interval D  and every D (10s)\n"
    "      --flush-ms MS      flush at least this often (100)\n"
    "      --threads N        threads for a backlog (CPUs - 2, 1 to 4)\n"
    "  -h, --help             this help\n"
    "  -V, --version          print the version\n";

enum form { TO_ISO, TO_EPOCH, TO_EPOCH_MS, TO_EPOCH_US };

struct opts {
	const char *field, *as;
	size_t field_len, as_len;
	struct dt_pattern pat;
	int has_pattern;
	struct tz *tz;
	enum form to;
	enum cli_on_error on_error;
	int flush_ms;
	int threads;		/* --threads; 0: flt decides */
	struct cli_metrics_opts mx;
};

/* The text of a day, "2024-01-01T", kept for the records that follow in
 * the same day: most do, and the calendar is most of fmt_iso's work; and
 * that of the last minute, "2024-01-01T00:00:", for those that follow in
 * the same minute, which leaves only the seconds to write. */
struct iso_day {
	int valid;
	int64_t days;
	size_t n;
	char text[32];
	/* the instants the minute's text is for (first > last: none) */
	int64_t minute_first, minute_last;
	size_t minute_n;
	char minute_text[32];
};

struct state {
	struct rec r;
	struct tz_cache zones;
	struct sb text;		/* the field's value, when it had escapes */
	struct sb key;		/* "\"name\":" of the output member */
	struct sb name;		/* scratch for a key with escapes */
	struct eb why;
	struct cli_stats st;
	struct flt *flt;	/* its named column: --field */
	int parsed;		/* r holds the last line's index */
	struct iso_day day;	/* fmt_iso's last date */
};

/* What flt_main runs. */
struct filter {
	struct opts o;
	struct state s;
};

static char *
put2(char *b, int v)
{
	b[0] = (char)('0' + v / 10);
	b[1] = (char)('0' + v % 10);
	return b + 2;
}

/* tm_fmt_rfc3339's text without snprintf, which would cost a third of
 * the tool's time; days and time of day are split without multiplying
 * back, so the earliest instant (Long.MinValue microseconds) cannot
 * overflow. */
static size_t
fmt_iso(int64_t us, char *buf, struct iso_day *day)
{
	int64_t rest, days, y, ay, secs, frac;
	int m, d, digits = 6, n = 0;
	char *b = buf, tmp[24];

	/* within the kept minute (which day->valid says there is): only
	 * the seconds to write, no division by the day */
	if (day->valid && us >= day->minute_first && us <= day->minute_last) {
		secs = (us - day->minute_first) / TM_US_PER_S;
		frac = (us - day->minute_first) % TM_US_PER_S;
		/* the whole array, a fixed size the compiler copies without a
		 * call: buf has room for it */
		memcpy(b, day->minute_text, sizeof(day->minute_text));
		b += day->minute_n;
		goto second;
	}
	rest = us % TM_US_PER_DAY;
	days = us / TM_US_PER_DAY;
	if (rest < 0) {
		rest += TM_US_PER_DAY;
		days--;
	}

	secs = rest / TM_US_PER_S;
	frac = rest % TM_US_PER_S;
	if (day->valid && day->days == days) {
		memcpy(b, day->text, sizeof(day->text));
		b += day->n;
		goto time_of_day;
	}
	tm_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		*b++ = y < 0 ? '-' : '+';
	ay = y < 0 ? -y : y;
	do {
		tmp[n++] = (char)('0' + ay % 10);
		ay /= 10;
	} while (ay > 0);
	while (n < 4)
		tmp[n++] = '0';
	while (n > 0)
		*b++ = tmp[--n];
	*b++ = '-';
	b = put2(b, m);
	*b++ = '-';
	b = put2(b, d);
	*b++ = 'T';
	day->valid = 1;
	day->days = days;
	day->n = (size_t)(b - buf);
	memcpy(day->text, buf, day->n);
time_of_day:
	b = put2(b, (int)(secs / 3600));
	*b++ = ':';
	b = put2(b, (int)(secs / 60 % 60));
	*b++ = ':';
	/* at most "+292277-12-31T23:59:", far within minute_text; the
	 * minute's first instant is kept unless it is before the earliest
	 * (that minute begins before Long.MinValue microseconds), its last
	 * is the latest at most */
	day->minute_n = (size_t)(b - buf);
	memcpy(day->minute_text, buf, day->minute_n);
	if (us >= INT64_MIN + 60 * TM_US_PER_S) {
		day->minute_first = us - rest % (60 * TM_US_PER_S);
		day->minute_last = day->minute_first > INT64_MAX -
		    (60 * TM_US_PER_S - 1) ? INT64_MAX :
		    day->minute_first + (60 * TM_US_PER_S - 1);
	} else {
		day->minute_first = 1;
		day->minute_last = 0;
	}
second:
	b = put2(b, (int)(secs % 60));
	if (frac != 0) {
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		*b++ = '.';
		for (int i = digits - 1; i >= 0; i--, frac /= 10)
			b[i] = (char)('0' + frac % 10);
		b += digits;
	}
	*b++ = 'Z';
	*b = '\0';
	return (size_t)(b - buf);
}

static void
put_time(struct sb *out, enum form to, int64_t us, struct iso_day *day)
{
	char buf[TM_RFC3339_MAX + 2];
	int64_t secs, frac;
	int digits = 6;

	size_t n;

	switch (to) {
	case TO_ISO:
		/* written in place, quotes and all: fmt_iso's room is
		 * TM_RFC3339_MAX after the opening quote */
		if (out->cap - out->len < TM_RFC3339_MAX + 2 &&
		    sb_reserve(out, TM_RFC3339_MAX + 2) != 0)
			break;
		out->buf[out->len] = '"';
		n = fmt_iso(us, out->buf + out->len + 1, day);
		out->buf[out->len + 1 + n] = '"';
		out->len += n + 2;
		break;
	case TO_EPOCH_US:
		jx_put_int(out, us);
		break;
	case TO_EPOCH_MS:
		jx_put_int(out, tm_floordiv(us, 1000));
		break;
	case TO_EPOCH:
		/* exact decimal of the microseconds, fraction only if any */
		secs = us / TM_US_PER_S;
		frac = us % TM_US_PER_S;
		if (frac < 0)
			frac = -frac;
		if (us < 0 && secs == 0)
			sb_addc(out, '-');
		jx_put_int(out, secs);
		if (frac == 0)
			break;
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		snprintf(buf, sizeof(buf), ".%0*lld", digits, (long long)frac);
		sb_adds(out, buf);
		break;
	}
}

/* The instant of the field's value: a string parsed by the pattern (or
 * cast), or a number of epoch seconds (kinpipe(7)). */
static enum flt_outcome
convert(const struct opts *o, struct state *s, const struct rec_member *m,
    int64_t *us)
{
	struct rec_span v;
	int rc;

	if (m->type == REC_NUMBER)
		return tm_from_epoch_seconds(rec_number(m->val), us, &s->why) ?
		    FLT_BAD : FLT_OK;
	if (m->type != REC_STRING) {
		eb_set(&s->why, "field '%s' is not a string or a number", o->field);
		return FLT_BAD;
	}
	v = rec_string_text(m, &s->text);
	rc = o->has_pattern ?
	    dt_parse(&o->pat, v.p, v.n, o->tz, &s->zones, us, &s->why) :
	    dt_cast(v.p, v.n, o->tz, &s->zones, us, &s->why);
	if (rc != 0)
		eb_wrap(&s->why, "field '%s'", o->field);
	return rc ? FLT_BAD : FLT_OK;
}

/* 1 when x, a member before last (the one rec_get found), has its name:
 * with duplicate keys the last wins, as in Spark's parser, and only it
 * goes out. */
static int
earlier_dup(struct state *s, const struct rec_member *x, const char *name,
    size_t len)
{
	if (!x->key_escaped)
		return x->key.n == len && memcmp(x->key.p, name, len) == 0;
	/* the key's span sits between its quotes */
	sb_reset(&s->name);
	rec_string_decode((struct rec_span){ x->key.p - 1, x->key.n + 2 },
	    &s->name);
	return s->name.len == len && (len == 0 ||
	    memcmp(s->name.buf, name, len) == 0);
}

/* The members from the second on as one span, when they lie a lone ','
 * apart as compact writers put them (what the run loop of convert_record
 * would join): members are in order, each gap at least a byte, so the
 * span is the lengths and one byte a gap only when every gap is one. */
static int
rest_compact(const struct rec *r, struct rec_span *rest)
{
	const struct rec_member *first = &r->m[1], *last = &r->m[r->n - 1];
	size_t sum = 0;

	for (size_t i = 1; i < r->n; i++)
		sum += r->m[i].whole.n;
	rest->p = first->whole.p;
	rest->n = (size_t)(last->whole.p + last->whole.n - first->whole.p);
	return rest->n == sum + (r->n - 2);
}

/* Write the record with its time converted. FLT_BAD: the value became
 * null, or the line is not a JSON object (flt drops the record for skip
 * and fail); FLT_UNTOUCHED: the record has no such field. */
static enum flt_outcome
convert_record(void *arg, const struct nd_line *l, struct sb *out)
{
	struct filter *t = arg;
	const struct opts *o = &t->o;
	struct state *s = &t->s;
	const struct rec_member *m, *target;
	enum flt_outcome rc = FLT_OK;
	int64_t us = 0;
	size_t i, before_m, before_t;
	const char *run = NULL, *run_end = NULL;
	struct rec_span rest = { NULL, 0 };
	int sep = 0;

	s->parsed = 0;
	if (rec_parse_object(&s->r, l->p, l->len, &s->why) != 0) {
		eb_wrap(&s->why, "invalid JSON record");
		sb_addc(out, '{');
		sb_add(out, s->key.buf, s->key.len);
		sb_add(out, "null}", 5);
		return FLT_BAD;
	}
	s->parsed = 1;
	s->flt->cols.any = 1;
	if ((m = rec_get(&s->r, o->field, o->field_len)) == NULL) {
		s->flt->lacking = 1;
		sb_add(out, l->p, l->len);	/* validated: pass it as it is */
		return FLT_UNTOUCHED;
	}
	s->flt->cols.seen[0] = 1;
	if (m->type != REC_NULL)
		rc = convert(o, s, m, &us);
	target = o->as ? rec_get(&s->r, o->as, o->as_len) : m;
	/* only members before the last of a name can repeat it; the time
	 * usually comes first, and then nothing is compared */
	before_m = (size_t)(m - s->r.m);
	before_t = target ? (size_t)(target - s->r.m) : 0;
	sb_addc(out, '{');
	/* the time first and the rest compact, as a stream's records are:
	 * the loop's output in one copy */
	if (before_m == 0 && target == m &&
	    (s->r.n == 1 || rest_compact(&s->r, &rest))) {
		sb_add(out, s->key.buf, s->key.len);
		if (m->type == REC_NULL || rc != FLT_OK)
			sb_add(out, "null", 4);
		else
			put_time(out, o->to, us, &s->day);
		if (s->r.n > 1) {
			sb_addc(out, ',');
			sb_add(out, rest.p, rest.n);
		}
		sb_addc(out, '}');
		return rc;
	}
	for (i = 0; i < s->r.n; i++) {
		const struct rec_member *x = &s->r.m[i];

		if ((i < before_m && earlier_dup(s, x, o->field, o->field_len)) ||
		    (i < before_t && o->as &&
		    earlier_dup(s, x, o->as, o->as_len)))
			continue;
		if (x != target) {
			/* members copied as they stand go out in runs: one
			 * that follows the run's last after a lone ',' (the
			 * only byte that can be there) joins it, comma and
			 * all */
			if (run != NULL && x->whole.p == run_end + 1) {
				run_end = x->whole.p + x->whole.n;
				continue;
			}
			if (run != NULL)
				sb_add(out, run, (size_t)(run_end - run));
			if (sep++)
				sb_addc(out, ',');
			run = x->whole.p;
			run_end = run + x->whole.n;
			continue;
		}
		if (run != NULL)
			sb_add(out, run, (size_t)(run_end - run));
		run = NULL;
		if (sep++)
			sb_addc(out, ',');
		sb_add(out, s->key.buf, s->key.len);
		if (m->type == REC_NULL || rc != FLT_OK)
			sb_add(out, "null", 4);
		else
			put_time(out, o->to, us, &s->day);
	}
	if (run != NULL)
		sb_add(out, run, (size_t)(run_end - run));
	if (target == NULL) {	/* --as NAME, a new column at the end */
		if (sep)
			sb_addc(out, ',');
		sb_add(out, s->key.buf, s->key.len);
		if (m->type == REC_NULL || rc != FLT_OK)
			sb_add(out, "null", 4);
		else
			put_time(out, o->to, us, &s->day);
	}
	sb_addc(out, '}');
	return rc;
}

static enum form
parse_form(const char *s)
{
	static const char *const names[] = { "iso", "epoch", "epoch_ms", "epoch_us" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum form)i;
	cli_usage("--to: expected iso, epoch, epoch_ms or epoch_us, not '%s'", s);
}

static void
parse_args(int argc, char **argv, struct opts *o, struct state *s)
{
	static const struct option longopts[] = {
		{ "field", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'p' },
		{ "tz", required_argument, NULL, 'z' },
		{ "as", required_argument, NULL, 'a' },
		{ "to", required_argument, NULL, 't' },
		{ "on-error", required_argument, NULL, 'e' },
		{ "stats", optional_argument, NULL, 'S' },
		CLI_METRICS_LONGOPTS,
		{ "flush-ms", required_argument, NULL, 'F' },
		{ "threads", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *format = NULL, *tz = "UTC";
	struct eb e;
	int c;

	while ((c = getopt_long(argc, argv, "f:p:z:a:hV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f': o->field = optarg; break;
		case 'p': format = optarg; break;
		case 'z': tz = optarg; break;
		case 'a': o->as = optarg; break;
		case 't': o->to = parse_form(optarg); break;
		case 'e':
			if (cli_parse_on_error(optarg, &o->on_error) != 0)
				cli_usage("--on-error: expected null, skip or "
				    "fail, not '%s'", optarg);
			break;
		case 'S': cli_stats_init(&s->st, optarg); break;
		case CLI_OPT_METRICS:
		case CLI_OPT_METRICS_INTERVAL:
			cli_metrics_option(&o->mx, c, optarg);
			break;
		case 'F':
			o->flush_ms = (int)cli_parse_count("--flush-ms", optarg, 0, 86400000);
			break;
		case 'T':
			o->threads = (int)cli_parse_count("--threads", optarg,
			    1, FLT_THREADS_MAX);
			break;
		case 'h': cli_help(help_text);
		case 'V': cli_version();
		default: cli_bad_option(argv);
		}
	}
	if (*o->field == '\0' || (o->as && *o->as == '\0'))
		cli_usage("field names must not be empty");
	o->field_len = strlen(o->field);
	o->as_len = o->as ? strlen(o->as) : 0;
	/* an empty pattern matches only empty text: every record nulled */
	if (format != NULL && *format == '\0')
		cli_usage("--format: empty pattern; leave --format out for "
		    "Spark's CAST");
	if (format != NULL) {
		if (dt_compile(&o->pat, format, &e) != 0)
			cli_usage("--format: %s", e.msg);
		o->has_pattern = 1;
	}
	if ((o->tz = tz_open(tz, strlen(tz), &e)) == NULL)
		cli_usage("--tz: %s", e.msg);
	jx_put_cstr(&s->key, o->as ? o->as : o->field);
	sb_addc(&s->key, ':');
}

static void
where(void *arg, struct sb *out)
{
	struct filter *t = arg;

	if (t->s.parsed)
		prov_describe(&t->s.r, out);
}

static int
start(void *arg, struct flt *f, int argc, char **argv)
{
	struct filter *t = arg;

	parse_args(argc, argv, &t->o, &t->s);
	f->on_error = t->o.on_error;
	f->flush_ms = t->o.flush_ms;
	f->threads = t->o.threads;
	f->st = &t->s.st;
	f->why = &t->s.why;
	f->mx = &t->o.mx;
	f->duration = iv_parse;
	f->where = where;
	t->s.flt = f;
	col_add(&f->cols, "--field", t->o.field);	/* index 0 */
	rec_init(&t->s.r);
	tz_cache_init(&t->s.zones);
	return optind;
}

/* Another thread's stage: the options and the output member's key
 * shared (nothing writes them once start is done), the working state
 * its own, its column marked in wf. */
static void *
clone_stage(void *arg, struct flt *wf)
{
	const struct filter *t = arg;
	struct filter *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->o = t->o;
	c->s.key = t->s.key;
	c->s.flt = wf;
	rec_init(&c->s.r);
	tz_cache_init(&c->s.zones);
	wf->why = &c->s.why;
	return c;
}

static void
free_clone(void *arg)
{
	struct filter *c = arg;

	rec_free(&c->s.r);
	tz_cache_free(&c->s.zones);
	sb_free(&c->s.text);
	sb_free(&c->s.name);
	free(c);
}

static void
finish(void *arg)
{
	struct filter *t = arg;

	rec_free(&t->s.r);
	tz_cache_free(&t->s.zones);
	tz_close(t->o.tz);
	sb_free(&t->s.text);
	sb_free(&t->s.key);
	sb_free(&t->s.name);
}

int
main(int argc, char **argv)
{
	/* FLT_UNTOUCHED is a record without the field: flt's own
	 * `missing` counts it */
	static const struct flt_tool tool = { "ts-parse", usage_line,
	    NULL, start, convert_record, finish, NULL, NULL, clone_stage,
	    free_clone };
	struct filter t = {
		.o = { .field = "timestamp", .to = TO_ISO,
		    .on_error = ON_ERROR_NULL, .flush_ms = ND_FLUSH_MS_DEFAULT },
		.s = { .text = SB_INIT, .key = SB_INIT, .name = SB_INIT },
	};

	return flt_main(&tool, &t, argc, argv);
}
