/* window-avg: Spark's groupBy(window(time, size, slide, start), keys...)
 * .agg(avg(col), ...) over an NDJSON stream, with Spark's watermark, output
 * modes and triggers, and an exactly-once state file (see window-avg(1)). */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "ck.h"
#include "cli.h"
#include "iv.h"
#include "jx.h"
#include "nd.h"
#include "rec.h"
#include "sb.h"
#include "st.h"
#include "tm.h"
#include "win.h"

#define MAX_OUT 64
#define MAX_GROUP 32
#define KEY_SEP '\x1f'	/* never raw inside canonical JSON text */
#define PARTIAL_KIND "window-avg-partial"

enum fn { FN_AVG, FN_COUNT, FN_SUM, FN_MIN, FN_MAX };
enum mode { MODE_COMPLETE, MODE_UPDATE, MODE_APPEND };
enum trig { TRIG_IDLE, TRIG_INTERVAL, TRIG_AVAILABLE_NOW };

struct out_col {
	enum fn fn;
	int col;		/* value column index; -1 for count(*) */
	char *alias;
	struct sb name;		/* ,"alias": ready to copy */
};

struct opts {
	const char *time_col, *window_col, *table, *state, *source_id;
	int64_t size_us, slide_us, start_us, delay_us, trig_us;
	int have_window, have_slide, have_wm, tee, partials, merge;
	enum mode mode;
	int mode_given;
	enum trig trig;
	enum cli_on_error on_error;
	int flush_ms;
	struct out_col out[MAX_OUT];
	int nout;
	const char *cols[MAX_OUT];	/* distinct value columns */
	int ncols;
	const char *group[MAX_GROUP];
	int ngroup;
	struct sb group_name[MAX_GROUP];	/* ,"name": ready to copy */
	struct sb query;			/* what the state must match */
};

/* Everything one run holds; passed explicitly, never global. */
struct wa {
	const struct opts *o;
	struct win_spec win;
	struct agg_table tab;
	struct ck_marks marks;
	struct st_state st;
	struct rec rec;
	struct sb key, tmp, table;
	struct nd_writer out;
	struct cli_stats stats;
	int in_batch;			/* records seen since the last trigger */
	int64_t win_size;		/* --merge: learnt from the partials */
	int s_late, s_late_windows, s_replayed, s_null_time, s_batches;
	/* the members this query reads, found in one pass per record:
	 * WANT_* slots, then the value columns, then the group columns */
	const char *want_name[3 + 2 * MAX_OUT + MAX_GROUP];
	size_t want_len[3 + 2 * MAX_OUT + MAX_GROUP];
	const struct rec_member *found[3 + 2 * MAX_OUT + MAX_GROUP];
	int nwant;
	/* the row each window index of the previous record went to: records
	 * come nearly in time order, so the next one usually goes there too */
	struct agg_row *recent[8];
	char day[10];			/* the date of the last plain time */
	size_t day_len;
	int64_t day_us;			/* its midnight */
	double values[MAX_OUT];
	unsigned char has_value[MAX_OUT];
};

static volatile sig_atomic_t stop_signal;

static const char usage_line[] =
    "window-avg --time COL --window DURATION [--slide D] [--avg COL[=ALIAS]]... "
    "[options] < records";

static const char help_text[] =
    "usage: window-avg --time COL --window DURATION [options] < records\n"
    "Spark's windowed aggregation over NDJSON records (part of kinpipe).\n"
    "\n"
    "  -t, --time COL            event time column: RFC 3339 string or epoch seconds\n"
    "  -w, --window DURATION     window length ('10 minutes', '10m')\n"
    "  -s, --slide DURATION      slide (default: the window, tumbling)\n"
    "      --start-time DURATION offset of window starts from the epoch\n"
    "  -c, --window-column NAME  name of the window column (default window)\n"
    "      --avg COL[=ALIAS]     average (alias default avg(COL)); repeatable\n"
    "      --count COL[=ALIAS]   non-null count; COL '*' counts rows (count(1))\n"
    "      --sum, --min, --max COL[=ALIAS]\n"
    "  -g, --group-by COL,...    grouping columns after the window\n"
    "      --watermark DELAY     withWatermark(time, DELAY)\n"
    "  -m, --mode MODE           complete (default), update or append\n"
    "      --trigger WHEN        default: each batch of available input;\n"
    "                            DURATION (processing time) or available-now\n"
    "      --table FILE          keep the latest complete table in FILE\n"
    "      --tee                 with --table, write the rows to stdout too\n"
    "      --state FILE          exactly-once state (aggregates, watermark,\n"
    "                            per-shard sequenceNumber marks)\n"
    "      --emit rows|partials  partials: mergeable per-shard aggregates\n"
    "      --source-id ID        partials: shard name for records without one\n"
    "      --merge               combine partial streams into the table\n"
    "      --on-error POLICY     null (default), skip or fail\n"
    "      --stats[=SECONDS]     counts on stderr at exit (and periodically)\n"
    "      --flush-ms MS         flush output at least this often (100)\n"
    "  -h, --help                this help\n"
    "  -V, --version             print the version\n";

/* ---- options ---- */

/* Durations beyond a thousand years are typos, and capping them keeps
 * time arithmetic inside int64. */
#define DURATION_MAX (INT64_C(1000) * 366 * TM_US_PER_DAY)

static int64_t
parse_duration(const char *opt, const char *s, int allow_negative)
{
	struct eb e;
	int64_t us;

	if (iv_parse(s, &us, allow_negative, &e) != 0)
		cli_usage("%s: %s", opt, e.msg);
	if (us > DURATION_MAX || us < -DURATION_MAX)
		cli_usage("%s: longer than a thousand years: '%s'", opt, s);
	return us;
}

static int
col_index(struct opts *o, const char *col)
{
	for (int i = 0; i < o->ncols; i++)
		if (strcmp(o->cols[i], col) == 0)
			return i;
	o->cols[o->ncols] = col;
	return o->ncols++;
}

static void
add_out(struct opts *o, enum fn fn, const char *fname, char *arg)
{
	struct out_col *c;
	char *eq = strchr(arg, '=');
	struct sb alias = SB_INIT;

	if (o->nout == MAX_OUT)
		cli_usage("at most %d aggregates", MAX_OUT);
	if (eq)
		*eq = '\0';
	if (*arg == '\0' || (eq && eq[1] == '\0'))
		cli_usage("--%s: expected COL[=ALIAS], got '%s'", fname, arg);
	if (strcmp(arg, "*") == 0 && fn != FN_COUNT)
		cli_usage("--%s: '*' only makes sense for --count", fname);
	c = &o->out[o->nout++];
	c->fn = fn;
	c->col = strcmp(arg, "*") == 0 ? -1 : col_index(o, arg);
	if (eq) {
		sb_adds(&alias, eq + 1);
	} else {
		/* Spark's default names; count(*) is count(1) */
		sb_printf(&alias, "%s(%s)", fname, c->col < 0 ? "1" : arg);
	}
	c->alias = strdup(sb_cstr(&alias));
	sb_free(&alias);
	sb_addc(&c->name, ',');
	jx_put_cstr(&c->name, c->alias);
	sb_addc(&c->name, ':');
}

static void
add_groups(struct opts *o, char *list)
{
	for (char *g = strtok(list, ","); g; g = strtok(NULL, ",")) {
		if (o->ngroup == MAX_GROUP)
			cli_usage("at most %d grouping columns", MAX_GROUP);
		sb_addc(&o->group_name[o->ngroup], ',');
		jx_put_cstr(&o->group_name[o->ngroup], g);
		sb_addc(&o->group_name[o->ngroup], ':');
		o->group[o->ngroup++] = g;
	}
}

static void
parse_args(struct opts *o, struct cli_stats *st, int argc, char **argv)
{
	enum { O_START = 256, O_AVG, O_COUNT, O_SUM, O_MIN, O_MAX, O_WM, O_TRIG,
	    O_TABLE, O_TEE, O_STATE, O_EMIT, O_SRC, O_MERGE, O_ONERR, O_STATS,
	    O_FLUSH };
	static const struct option lo[] = {
		{ "time", required_argument, NULL, 't' },
		{ "window", required_argument, NULL, 'w' },
		{ "slide", required_argument, NULL, 's' },
		{ "start-time", required_argument, NULL, O_START },
		{ "window-column", required_argument, NULL, 'c' },
		{ "avg", required_argument, NULL, O_AVG },
		{ "count", required_argument, NULL, O_COUNT },
		{ "sum", required_argument, NULL, O_SUM },
		{ "min", required_argument, NULL, O_MIN },
		{ "max", required_argument, NULL, O_MAX },
		{ "group-by", required_argument, NULL, 'g' },
		{ "watermark", required_argument, NULL, O_WM },
		{ "mode", required_argument, NULL, 'm' },
		{ "trigger", required_argument, NULL, O_TRIG },
		{ "table", required_argument, NULL, O_TABLE },
		{ "tee", no_argument, NULL, O_TEE },
		{ "state", required_argument, NULL, O_STATE },
		{ "emit", required_argument, NULL, O_EMIT },
		{ "source-id", required_argument, NULL, O_SRC },
		{ "merge", no_argument, NULL, O_MERGE },
		{ "on-error", required_argument, NULL, O_ONERR },
		{ "stats", optional_argument, NULL, O_STATS },
		{ "flush-ms", required_argument, NULL, O_FLUSH },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->window_col = "window";
	o->source_id = "-";
	while ((ch = getopt_long(argc, argv, "t:w:s:c:g:m:hV", lo, NULL)) != -1) {
		switch (ch) {
		case 't': o->time_col = optarg; break;
		case 'w': o->size_us = parse_duration("--window", optarg, 0);
			o->have_window = 1; break;
		case 's': o->slide_us = parse_duration("--slide", optarg, 0);
			o->have_slide = 1; break;
		case O_START: o->start_us = parse_duration("--start-time", optarg, 1);
			break;
		case 'c': o->window_col = optarg; break;
		case O_AVG: add_out(o, FN_AVG, "avg", optarg); break;
		case O_COUNT: add_out(o, FN_COUNT, "count", optarg); break;
		case O_SUM: add_out(o, FN_SUM, "sum", optarg); break;
		case O_MIN: add_out(o, FN_MIN, "min", optarg); break;
		case O_MAX: add_out(o, FN_MAX, "max", optarg); break;
		case 'g': add_groups(o, optarg); break;
		case O_WM: o->delay_us = parse_duration("--watermark", optarg, 0);
			o->have_wm = 1; break;
		case 'm':
			o->mode_given = 1;
			if (strcmp(optarg, "complete") == 0) o->mode = MODE_COMPLETE;
			else if (strcmp(optarg, "update") == 0) o->mode = MODE_UPDATE;
			else if (strcmp(optarg, "append") == 0) o->mode = MODE_APPEND;
			else cli_usage("--mode: expected complete, update or append, "
			    "got '%s'", optarg);
			break;
		case O_TRIG:
			if (strcmp(optarg, "available-now") == 0) {
				o->trig = TRIG_AVAILABLE_NOW;
			} else {
				o->trig = TRIG_INTERVAL;
				o->trig_us = parse_duration("--trigger", optarg, 0);
				if (o->trig_us == 0)
					o->trig = TRIG_IDLE;
			}
			break;
		case O_TABLE: o->table = optarg; break;
		case O_TEE: o->tee = 1; break;
		case O_STATE: o->state = optarg; break;
		case O_EMIT:
			if (strcmp(optarg, "partials") == 0) o->partials = 1;
			else if (strcmp(optarg, "rows") == 0) o->partials = 0;
			else cli_usage("--emit: expected rows or partials, got '%s'",
			    optarg);
			break;
		case O_SRC: o->source_id = optarg; break;
		case O_MERGE: o->merge = 1; break;
		case O_ONERR:
			if (cli_parse_on_error(optarg, &o->on_error) != 0)
				cli_usage("--on-error: expected null, skip or fail, "
				    "got '%s'", optarg);
			break;
		case O_STATS: cli_stats_init(st, optarg); break;
		case O_FLUSH: o->flush_ms = (int)cli_parse_count("--flush-ms", optarg);
			break;
		case 'h': cli_help(help_text);
		case 'V': cli_version();
		default: cli_usage("unknown option");
		}
	}
	if (optind < argc)
		cli_usage("unexpected argument '%s'", argv[optind]);
}

/* Spark's UnsupportedOperationChecker and our own combinations. */
static void
validate(struct opts *o, struct win_spec *w)
{
	struct eb e;

	if (o->nout == 0)
		cli_usage("no aggregate: give --avg, --count, --sum, --min or --max");
	if (o->merge) {
		if (o->time_col || o->have_window || o->have_slide || o->start_us ||
		    o->have_wm || o->partials || o->state)
			cli_usage("--merge takes its windows from the partials: "
			    "--time, --window, --slide, --start-time, --watermark, "
			    "--emit and --state do not apply");
		if (o->mode == MODE_APPEND)
			cli_usage("--merge: append mode needs a watermark, which "
			    "partials do not carry; use complete or update");
	} else {
		if (o->time_col == NULL)
			cli_usage("--time COL is required");
		if (!o->have_window)
			cli_usage("--window DURATION is required");
		if (win_spec_init(w, o->size_us, o->have_slide ? o->slide_us :
		    o->size_us, o->start_us, &e) != 0)
			cli_usage("%s", e.msg);
	}
	if (o->mode == MODE_APPEND && !o->have_wm && !o->merge)
		cli_usage("Append output mode not supported when there are "
		    "streaming aggregations on streaming DataFrames/DataSets "
		    "without watermark");
	if (o->partials && o->mode_given && o->mode != MODE_UPDATE)
		cli_usage("--emit partials emits the changed windows of each "
		    "trigger: only --mode update applies");
	if (o->partials)
		o->mode = MODE_UPDATE;
	if (o->table && o->mode != MODE_COMPLETE)
		cli_usage("--table keeps the complete table: it needs --mode "
		    "complete");
	if (o->table && o->partials)
		cli_usage("--table and --emit partials do not go together");
	if (o->tee && !o->table)
		cli_usage("--tee only applies with --table");
	for (int i = 0; i < o->nout; i++) {
		for (int j = 0; j < i; j++)
			if (strcmp(o->out[i].alias, o->out[j].alias) == 0)
				cli_usage("two output columns named '%s'",
				    o->out[i].alias);
		for (int g = 0; g < o->ngroup; g++)
			if (strcmp(o->out[i].alias, o->group[g]) == 0)
				cli_usage("output column '%s' is also a grouping "
				    "column", o->out[i].alias);
		if (strcmp(o->out[i].alias, o->window_col) == 0 ||
		    strcmp(o->out[i].alias, "batch") == 0)
			cli_usage("output column '%s' clashes with the window or "
			    "batch column", o->out[i].alias);
	}
	sb_printf(&o->query, "window=%lld slide=%lld start=%lld partials=%d "
	    "source=%s time=", (long long)w->size, (long long)w->slide,
	    (long long)w->start, o->partials, o->partials ? o->source_id : "");
	sb_adds(&o->query, o->time_col ? o->time_col : "");
	sb_adds(&o->query, " values=");
	for (int i = 0; i < o->ncols; i++)
		sb_printf(&o->query, "%s%s", i ? "," : "", o->cols[i]);
	sb_adds(&o->query, " group=");
	for (int i = 0; i < o->ngroup; i++)
		sb_printf(&o->query, "%s%s", i ? "," : "", o->group[i]);
}

/* ---- output ---- */

/* RFC 3339 of a whole second of years 0001-9999 with digits by hand;
 * anything else as tm formats it. Same text either way. */
static size_t
fmt_time(int64_t us, char buf[TM_RFC3339_MAX])
{
	int64_t secs = tm_floordiv(us, TM_US_PER_S), days = tm_floordiv(secs, 86400);
	int64_t y, sod = secs - days * 86400;
	int mo, d, v[6];
	char *p = buf;

	if (us % TM_US_PER_S != 0)
		return tm_fmt_rfc3339(us, buf);
	tm_civil_from_days(days, &y, &mo, &d);
	if (y < 1 || y > 9999)
		return tm_fmt_rfc3339(us, buf);
	v[0] = (int)y;
	v[1] = mo;
	v[2] = d;
	v[3] = (int)(sod / 3600);
	v[4] = (int)(sod / 60 % 60);
	v[5] = (int)(sod % 60);
	*p++ = (char)('0' + v[0] / 1000);
	*p++ = (char)('0' + v[0] / 100 % 10);
	*p++ = (char)('0' + v[0] / 10 % 10);
	*p++ = (char)('0' + v[0] % 10);
	for (int i = 1; i < 6; i++) {
		*p++ = "--T::"[i - 1];
		*p++ = (char)('0' + v[i] / 10);
		*p++ = (char)('0' + v[i] % 10);
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

static void
put_time(struct sb *s, int64_t us)
{
	/* window bounds repeat for every key and every slide: formatting
	 * is worth remembering across rows */
	static int64_t cached_us[4] = { INT64_MIN, INT64_MIN, INT64_MIN,
	    INT64_MIN };
	static char cached[4][TM_RFC3339_MAX + 2];
	static size_t cached_n[4];
	static unsigned next;
	unsigned i;

	for (i = 0; i < 4; i++)
		if (cached_us[i] == us) {
			sb_add(s, cached[i], cached_n[i]);
			return;
		}
	i = next++ % 4;
	cached[i][0] = '"';
	cached_n[i] = fmt_time(us, cached[i] + 1) + 2;
	cached[i][cached_n[i] - 1] = '"';
	cached_us[i] = us;
	sb_add(s, cached[i], cached_n[i]);
}

static void
put_window(struct sb *s, int64_t start, int64_t size)
{
	sb_adds(s, "{\"start\":");
	put_time(s, start);
	sb_adds(s, ",\"end\":");
	put_time(s, start + size);
	sb_addc(s, '}');
}

/* The key's group values, after the shard in partials mode. */
static const char *
key_groups(const struct wa *w, const struct agg_row *r)
{
	const char *p = r->key;

	if (w->o->partials || w->o->merge)
		p = strchr(p, KEY_SEP) + 1;
	return p;
}

/* ,"name":value for each group column; skip_comma for the first inside
 * an object of its own. */
static void
put_groups(const struct wa *w, struct sb *s, const char *p, int skip_comma)
{
	for (int g = 0; g < w->o->ngroup; g++) {
		const char *end = strchr(p, KEY_SEP);
		const struct sb *name = &w->o->group_name[g];

		if (g == 0 && skip_comma)
			sb_add(s, name->buf + 1, name->len - 1);
		else
			sb_add(s, name->buf, name->len);
		sb_add(s, p, (size_t)(end - p));
		p = end + 1;
	}
}

/* Shortest round-trip text of d, as jx_put_double writes it (the first of
 * %.15g, %.16g, %.17g that reads back), without its three snprintf and
 * strtod calls on the common path: output of a window table is mostly
 * averages. The 17 leading digits come from one long double product
 * (64-bit mantissa: absolute error under 0.01 at 1e17, and 10^k exact for
 * k <= 27), each candidate is correctly rounded unless it lies within
 * 0.001 of a rounding tie, and is then checked by reading it back; any
 * doubt falls back to jx. Fixed notation only, as %g writes it here. */
static void
put_double(struct sb *s, double d)
{
	static const long double p10[] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L,
	    1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L,
	    1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L };
	double a = fabs(d);
	char buf[48], *p = buf;
	int e10, k;
	long double u;

	if (!(a >= 1e-4 && a < 1e15)) {
		jx_put_double(s, d);
		return;
	}
	e10 = (int)floor(log10(a));
	if (e10 < -4 || e10 > 14 || (u = (long double)a * p10[16 - e10]) >= 1e17L ||
	    u < 1e16L) {
		jx_put_double(s, d);
		return;
	}
	for (k = 15; k <= 17; k++) {
		long double q = u / p10[17 - k], f = q - floorl(q);
		uint64_t m = (uint64_t)floorl(q) + (f > 0.5L);
		char digits[24], *t;
		int n, point;

		if (fabsl(f - 0.5L) < 1e-3L)
			break;
		for (n = 0, t = digits + sizeof(digits); m > 0 || n == 0; m /= 10, n++)
			*--t = (char)('0' + m % 10);
		if (n != k)	/* rounded up to one digit more: let jx say */
			break;
		memmove(digits, t, (size_t)n);
		/* digits with the point after e10 + 1 of them, trailing zeros cut */
		p = buf;
		if (d < 0)
			*p++ = '-';
		point = e10 + 1;
		if (point <= 0) {
			*p++ = '0';
			*p++ = '.';
			for (int z = point; z < 0; z++)
				*p++ = '0';
			memcpy(p, digits, (size_t)k);
			p += k;
		} else {
			memcpy(p, digits, (size_t)point);
			p += point;
			*p++ = '.';
			memcpy(p, digits + point, (size_t)(k - point));
			p += k - point;
		}
		while (p[-1] == '0')
			p--;
		if (p[-1] == '.')
			p--;
		*p = '\0';
		t = NULL;
		if (strtod(buf, &t) == d && t == p) {
			sb_add(s, buf, (size_t)(p - buf));
			return;
		}
	}
	jx_put_double(s, d);
}

static void
put_value(struct sb *s, const struct out_col *c, const struct agg_row *r)
{
	const struct agg_cell *x = c->col >= 0 ? &r->cell[c->col] : NULL;

	sb_add(s, c->name.buf, c->name.len);
	if (c->fn == FN_COUNT) {
		jx_put_int(s, x ? x->n : r->rows);
		return;
	}
	if (x->n == 0) {	/* every value null: Spark's null */
		sb_adds(s, "null");
		return;
	}
	switch (c->fn) {
	case FN_AVG: put_double(s, agg_cell_sum(x) / (double)x->n); break;
	case FN_SUM: put_double(s, agg_cell_sum(x)); break;
	case FN_MIN: put_double(s, x->min); break;
	case FN_MAX: put_double(s, x->max); break;
	case FN_COUNT: break;
	}
}

static void
put_row(const struct wa *w, struct sb *s, const struct agg_row *r,
    int64_t batch)
{
	sb_addc(s, '{');
	jx_put_cstr(s, w->o->window_col);
	sb_addc(s, ':');
	put_window(s, r->start, w->win_size);
	put_groups(w, s, key_groups(w, r), 0);
	for (int i = 0; i < w->o->nout; i++)
		put_value(s, &w->o->out[i], r);
	if (batch >= 0) {
		sb_adds(s, ",\"batch\":");
		jx_put_int(s, batch);
	}
	sb_addc(s, '}');
}

/* One partial row: a shard's whole aggregate of one window and key as of
 * the shard's mark, so that the latest one per (shard, window, key)
 * replaces the earlier ones and a replay can never count twice. */
static void
put_partial(struct wa *w, struct sb *s, const struct agg_row *r)
{
	const char *sep = strchr(r->key, KEY_SEP);
	struct ck_mark *k;

	sb_adds(s, "{\"kind\":\"" PARTIAL_KIND "\",\"window\":");
	put_window(s, r->start, w->win_size);
	sb_adds(s, ",\"shardId\":");
	sb_add(s, r->key, (size_t)(sep - r->key));
	sb_adds(s, ",\"sequenceNumber\":");
	/* the mark of this row's shard: the key holds its JSON string */
	sb_reset(&w->tmp);
	rec_string_decode((struct rec_span){ r->key, (size_t)(sep - r->key) },
	    &w->tmp);
	k = ck_marks_get(&w->marks, w->tmp.buf ? w->tmp.buf : "", w->tmp.len);
	if (k && k->seqlen)
		jx_put_string(s, k->seq, k->seqlen);
	else
		sb_adds(s, "null");
	sb_adds(s, ",\"group\":{");
	put_groups(w, s, sep + 1, 1);
	sb_adds(s, "},\"rows\":");
	jx_put_int(s, r->rows);
	sb_adds(s, ",\"values\":{");
	for (int c = 0; c < w->o->ncols; c++) {
		const struct agg_cell *x = &r->cell[c];

		if (c > 0)
			sb_addc(s, ',');
		jx_put_cstr(s, w->o->cols[c]);
		sb_adds(s, ":[");
		jx_put_int(s, x->n);
		sb_addc(s, ',');
		jx_put_double(s, x->sum);
		sb_addc(s, ',');
		jx_put_double(s, x->comp);
		sb_addc(s, ',');
		jx_put_double(s, x->n ? x->min : 0);
		sb_addc(s, ',');
		jx_put_double(s, x->n ? x->max : 0);
		sb_addc(s, ']');
	}
	sb_adds(s, "}}");
}

/* ---- per record ---- */

enum { REC_OK, REC_DROPPED };

/* A bad record under --on-error: fail exits; skip drops the record; null
 * keeps it with the bad field as null (drop_anyway when the field is the
 * event time, as Spark drops rows whose window is null). */
static int
bad_field(struct wa *w, const struct nd_line *ln, int drop_anyway,
    const char *what, const char *detail)
{
	unsigned long long no = (unsigned long long)ln->lineno;
	const char *sep = detail ? ": " : "";

	if (detail == NULL)
		detail = "";
	switch (w->o->on_error) {
	case ON_ERROR_FAIL:
		cli_die(CLI_FAIL, "<stdin>:%llu: %s%s%s", no, what, sep, detail);
	case ON_ERROR_SKIP:
		cli_warn("<stdin>:%llu: %s%s%s (skipped)", no, what, sep, detail);
		w->stats.skipped++;
		return REC_DROPPED;
	case ON_ERROR_NULL:
		cli_warn("<stdin>:%llu: %s%s%s (%s)", no, what, sep, detail,
		    drop_anyway ? "nulled, so dropped" : "nulled");
		w->stats.nulled++;
		break;
	}
	return drop_anyway ? REC_DROPPED : REC_OK;
}

/* Clinger's fast path: a decimal whose digits fit in 2^53 and whose
 * exponent is within 10^22 is one correctly rounded multiplication or
 * division of two exact doubles, so the result equals strtod's; anything
 * else goes to strtod. Prices like 41234.5712 all take the fast path,
 * which is most of what this tool parses. */
static double
number(struct rec_span v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
	    1e19, 1e20, 1e21, 1e22 };
	const char *p = v.p, *end = v.p + v.n;
	uint64_t m = 0;
	int digits = 0, scale = 0, neg = 0;
	double d;

	if (p < end && *p == '-')
		neg = 1, p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++)
		m = m * 10 + (uint64_t)(*p - '0');
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits++, scale++)
			m = m * 10 + (uint64_t)(*p - '0');
	if (p != end || digits > 15 || scale > 22)
		return rec_number(v);
	d = (double)m;
	d = scale ? d / p10[scale] : d;
	return neg ? -d : d;
}

enum { WANT_SHARD, WANT_SEQ, WANT_TIME, WANT_COLS };
#define WANT_GROUP(w) (WANT_COLS + (w)->o->ncols)

static void
want_init(struct wa *w)
{
	const struct opts *o = w->o;
	int n = 0;

	w->want_name[n++] = "shardId";
	w->want_name[n++] = "sequenceNumber";
	w->want_name[n++] = o->time_col ? o->time_col : "";
	for (int c = 0; c < o->ncols; c++)
		w->want_name[n++] = o->cols[c];
	for (int g = 0; g < o->ngroup; g++)
		w->want_name[n++] = o->group[g];
	for (int i = 0; i < n; i++)
		w->want_len[i] = strlen(w->want_name[i]);
	w->nwant = n;
}

/* Find every wanted member in one pass rather than one rec_get each; the
 * last of duplicate keys wins, as in rec_get, which handles escaped keys. */
static void
find_members(struct wa *w)
{
	const struct rec *r = &w->rec;

	memset(w->found, 0, (size_t)w->nwant * sizeof(w->found[0]));
	for (size_t i = 0; i < r->n; i++) {
		const struct rec_member *m = &r->m[i];

		if (m->key_escaped) {
			for (int k = 0; k < w->nwant; k++)
				w->found[k] = rec_get(r, w->want_name[k], w->want_len[k]);
			return;
		}
		for (int k = 0; k < w->nwant; k++)
			if (m->key.n == w->want_len[k] &&
			    memcmp(m->key.p, w->want_name[k], m->key.n) == 0)
				w->found[k] = m;
	}
}

/* Spark's TIMESTAMP range, 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z:
 * it also keeps window arithmetic far from int64 overflow. */
#define TIME_MIN (INT64_C(-62135596800) * TM_US_PER_S)
#define TIME_MAX (INT64_C(253402300800) * TM_US_PER_S - 1)

/* Records come in time order, mostly within one day: once tm has parsed
 * (and so validated) a date, later times of that date in the plain forms
 * "YYYY-MM-DDTHH:MM:SS" and with "Z" need only their time of day read.
 * Anything else, fractions and offsets included, goes to tm. */
static int
plain_time(const char *p, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";

	if (n != 19 && !(n == 20 && p[19] == 'Z'))
		return 0;
	for (int i = 0; i < 19; i++)
		if (shape[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != shape[i])
			return 0;
	return 1;
}

static int
time_same_day(const struct wa *w, const char *p, size_t n, int64_t *us)
{
	int h, mi, s;

	if (w->day_len == 0 || n < 19 || memcmp(p, w->day, 10) != 0 ||
	    !plain_time(p, n))
		return 0;
	h = (p[11] - '0') * 10 + p[12] - '0';
	mi = (p[14] - '0') * 10 + p[15] - '0';
	s = (p[17] - '0') * 10 + p[18] - '0';
	if (h > 23 || mi > 59 || s > 59)
		return 0;	/* let tm say why */
	*us = w->day_us + ((int64_t)h * 3600 + mi * 60 + s) * TM_US_PER_S;
	return 1;
}

static void
remember_day(struct wa *w, const char *p, size_t n, int64_t us)
{
	if (!plain_time(p, n))
		return;
	memcpy(w->day, p, 10);
	w->day_len = 10;
	w->day_us = us - tm_floormod(us, TM_US_PER_DAY);
}

/* Event time in microseconds; 1 when null or missing, -1 when bad. */
static int
event_time(struct wa *w, const struct rec_member *m, int64_t *us,
    struct eb *e)
{
	int rc;

	if (m == NULL || m->type == REC_NULL)
		return 1;
	if (m->type == REC_NUMBER) {
		rc = tm_from_epoch_seconds(number(m->val), us, e);
	} else if (m->type != REC_STRING) {
		return eb_set(e, "not a string or a number");
	} else if (!m->val_escaped) {
		struct rec_span raw = rec_string_raw(m);

		if (time_same_day(w, raw.p, raw.n, us))
			return 0;
		rc = tm_parse_rfc3339(raw.p, raw.n, us, e);
		if (rc == 0)
			remember_day(w, raw.p, raw.n, *us);
	} else {
		sb_reset(&w->tmp);
		rec_string_decode(m->val, &w->tmp);
		rc = tm_parse_rfc3339(w->tmp.buf, w->tmp.len, us, e);
	}
	if (rc == 0 && (*us < TIME_MIN || *us > TIME_MAX))
		return eb_set(e, "outside years 0001 to 9999");
	return rc;
}

/* Canonical text of a group value, so that "A" and "\u0041", 1 and 1.0
 * fall in one group; then the separator. */
static void
key_value(struct wa *w, const struct rec_member *m)
{
	struct sb *k = &w->key;
	int64_t i;

	if (m == NULL || m->type == REC_NULL) {
		sb_add(k, "null", 4);
	} else if (m->type == REC_STRING) {
		if (m->val_escaped) {
			sb_reset(&w->tmp);
			rec_string_decode(m->val, &w->tmp);
			jx_put_string(k, w->tmp.buf, w->tmp.len);
		} else {
			struct rec_span raw = rec_string_raw(m);

			jx_put_string(k, raw.p, raw.n);
		}
	} else if (m->type == REC_NUMBER) {
		if (m->num_int && rec_int64(m->val, &i) == 0)
			jx_put_int(k, i);
		else
			jx_put_double(k, rec_number(m->val));
	} else {
		sb_add(k, m->val.p, m->val.n);
	}
	sb_addc(k, KEY_SEP);
}

static void
shard_key(struct wa *w, const struct rec_member *shard)
{
	if (shard == NULL || shard->type != REC_STRING) {
		jx_put_cstr(&w->key, w->o->source_id);
	} else if (shard->val_escaped) {
		sb_reset(&w->tmp);
		rec_string_decode(shard->val, &w->tmp);
		jx_put_string(&w->key, w->tmp.buf, w->tmp.len);
	} else {
		struct rec_span raw = rec_string_raw(shard);

		jx_put_string(&w->key, raw.p, raw.n);
	}
	sb_addc(&w->key, KEY_SEP);
}

/* Spark expands a record into its windows before aggregating, so lateness
 * is decided per (record, window): a window ending at or before the
 * watermark is dropped, the record's later windows still count. */
static void
aggregate(struct wa *w, int64_t ts)
{
	int64_t starts[WIN_MAX_OVERLAP];
	int n = win_assign(&w->win, ts, starts), counted = 0;
	int evicting = w->o->mode != MODE_COMPLETE && w->st.wm_ms != ST_NONE;
	const char *key = w->key.buf ? w->key.buf : "";

	for (int i = 0; i < n; i++) {
		struct agg_row *r;

		if (evicting && starts[i] + w->win.size <= w->st.wm_ms * 1000) {
			w->stats.extra[w->s_late_windows]++;
			continue;
		}
		r = i < 8 ? w->recent[i] : NULL;
		if (r == NULL || r->start != starts[i] || r->keylen != w->key.len ||
		    memcmp(r->key, key, w->key.len) != 0)
			r = agg_get(&w->tab, starts[i], key, w->key.len);
		if (i < 8)
			w->recent[i] = r;
		if (r == NULL)
			cli_die(CLI_FAIL, "out of memory with %zu windows",
			    w->tab.n);
		r->rows++;
		r->batch = w->st.batch;
		for (int c = 0; c < w->o->ncols; c++)
			if (w->has_value[c])
				agg_cell_add(&r->cell[c], w->values[c]);
		counted++;
	}
	if (counted == 0 && n > 0)
		w->stats.extra[w->s_late]++;
}

/* The replay check: 1 when the record was counted before. */
static int
replayed(struct wa *w, const struct rec_member *shard,
    const struct rec_member *seq, struct ck_mark **mark)
{
	struct rec_span s;

	*mark = NULL;
	if (shard == NULL || seq == NULL || shard->type != REC_STRING ||
	    seq->type != REC_STRING || seq->val_escaped)
		return 0;
	s = rec_string_raw(seq);
	if (!ck_seq_valid(s.p, s.n))
		return 0;
	if (shard->val_escaped) {
		sb_reset(&w->tmp);
		rec_string_decode(shard->val, &w->tmp);
		*mark = ck_marks_get(&w->marks, w->tmp.buf ? w->tmp.buf : "",
		    w->tmp.len);
	} else {
		struct rec_span raw = rec_string_raw(shard);

		*mark = ck_marks_get(&w->marks, raw.p, raw.n);
	}
	if (*mark == NULL)
		cli_die(CLI_FAIL, "out of memory");
	return !ck_mark_is_new(*mark, s.p, s.n);
}

static int
values(struct wa *w, const struct nd_line *ln)
{
	int nulled = 0;

	for (int c = 0; c < w->o->ncols; c++) {
		const struct rec_member *m = w->found[WANT_COLS + c];

		w->has_value[c] = 0;
		if (m == NULL || m->type == REC_NULL)
			continue;
		if (m->type == REC_NUMBER) {
			w->values[c] = number(m->val);
			w->has_value[c] = 1;
			continue;
		}
		if (w->o->on_error != ON_ERROR_NULL || !nulled) {
			char what[300];

			snprintf(what, sizeof(what), "field '%s': not a number",
			    w->o->cols[c]);
			if (bad_field(w, ln, 0, what, NULL) == REC_DROPPED)
				return REC_DROPPED;
			nulled = 1;
		}
	}
	return REC_OK;
}

static int
on_record(struct wa *w, const struct nd_line *ln)
{
	const struct rec_member *shard, *seq;
	struct ck_mark *mark;
	struct eb e;
	int64_t ts;
	int rc;

	if (rec_parse_object(&w->rec, ln->p, ln->len, &e) != 0) {
		bad_field(w, ln, 1, "not a JSON object", e.msg);
		return 0;
	}
	find_members(w);
	shard = w->found[WANT_SHARD];
	seq = w->found[WANT_SEQ];
	if (replayed(w, shard, seq, &mark)) {
		w->stats.extra[w->s_replayed]++;
		return 0;
	}
	rc = event_time(w, w->found[WANT_TIME], &ts, &e);
	if (rc == 1) {
		w->stats.extra[w->s_null_time]++;
	} else if (rc < 0) {
		char what[300];

		snprintf(what, sizeof(what), "field '%s': bad event time", w->o->time_col);
		bad_field(w, ln, 1, what, e.msg);
	} else if (values(w, ln) == REC_OK) {
		int64_t ms = ts / 1000;	/* Spark's watermark is in ms */

		sb_reset(&w->key);
		if (w->o->partials)
			shard_key(w, shard);
		for (int g = 0; g < w->o->ngroup; g++)
			key_value(w, w->found[WANT_GROUP(w) + g]);
		if (sb_failed(&w->key))
			cli_die(CLI_FAIL, "out of memory");
		aggregate(w, ts);
		if (w->st.max_ms == ST_NONE || ms > w->st.max_ms)
			w->st.max_ms = ms;
	}
	if (mark) {
		struct rec_span s = rec_string_raw(seq);

		ck_mark_set(mark, s.p, s.n);
	}
	return 0;
}

/* ---- --merge: partial rows in ---- */

static int
partial_bad(struct wa *w, const struct nd_line *ln, json_t *doc,
    const char *why)
{
	json_decref(doc);
	bad_field(w, ln, 1, "not a window-avg partial row", why);
	return 0;
}

static int
read_cells(struct wa *w, json_t *vals, struct agg_cell *cells)
{
	for (int c = 0; c < w->o->ncols; c++) {
		json_t *a = json_object_get(vals, w->o->cols[c]);

		if (!json_is_array(a) || json_array_size(a) != 5 ||
		    !json_is_integer(json_array_get(a, 0)))
			return -1;
		for (size_t i = 1; i < 5; i++)
			if (!json_is_number(json_array_get(a, i)))
				return -1;
		cells[c].n = json_integer_value(json_array_get(a, 0));
		cells[c].sum = json_number_value(json_array_get(a, 1));
		cells[c].comp = json_number_value(json_array_get(a, 2));
		cells[c].min = json_number_value(json_array_get(a, 3));
		cells[c].max = json_number_value(json_array_get(a, 4));
		if (cells[c].n < 0)
			return -1;
	}
	return 0;
}

/* Partial rows come from us, at most one per shard, window and key per
 * trigger: jansson's speed is plenty here. */
static int
on_partial(struct wa *w, const struct nd_line *ln)
{
	json_t *doc = json_loadb(ln->p, ln->len, JSON_REJECT_DUPLICATES, NULL);
	json_t *win, *shard, *seq, *group, *rows, *vals, *x;
	struct agg_cell cells[MAX_OUT];
	int64_t start, end;
	struct agg_row *r;
	struct eb e;

	if (!json_is_object(doc) || !json_is_string(x = json_object_get(doc,
	    "kind")) || strcmp(json_string_value(x), PARTIAL_KIND) != 0)
		return partial_bad(w, ln, doc, "no \"kind\":\"" PARTIAL_KIND "\"");
	win = json_object_get(doc, "window");
	shard = json_object_get(doc, "shardId");
	seq = json_object_get(doc, "sequenceNumber");
	group = json_object_get(doc, "group");
	rows = json_object_get(doc, "rows");
	vals = json_object_get(doc, "values");
	if (!json_is_string(x = json_object_get(win, "start")) ||
	    tm_parse_rfc3339(json_string_value(x), json_string_length(x), &start,
	    &e) != 0 || !json_is_string(x = json_object_get(win, "end")) ||
	    tm_parse_rfc3339(json_string_value(x), json_string_length(x), &end,
	    &e) != 0 || end <= start)
		return partial_bad(w, ln, doc, "bad \"window\"");
	if (w->win_size == 0)
		w->win_size = end - start;
	if (end - start != w->win_size)
		return partial_bad(w, ln, doc, "windows of different lengths");
	if (!json_is_string(shard) || !json_is_object(group) ||
	    !json_is_integer(rows) || !json_is_object(vals) ||
	    (!json_is_null(seq) && !(json_is_string(seq) && ck_seq_valid(
	    json_string_value(seq), json_string_length(seq)))))
		return partial_bad(w, ln, doc, "missing or mistyped member");
	if (read_cells(w, vals, cells) != 0)
		return partial_bad(w, ln, doc, "\"values\" lacks a column of "
		    "this query or is not [count,sum,comp,min,max]");
	sb_reset(&w->key);
	jx_put_string(&w->key, json_string_value(shard), json_string_length(shard));
	sb_addc(&w->key, KEY_SEP);
	for (int g = 0; g < w->o->ngroup; g++) {
		x = json_object_get(group, w->o->group[g]);
		if (x == NULL)
			sb_adds(&w->key, "null");
		else
			jx_dump(&w->key, x);
		sb_addc(&w->key, KEY_SEP);
	}
	r = agg_find(&w->tab, start, w->key.buf, w->key.len);
	/* an older state of the same shard, window and key (replayed by a
	 * restarted emitter) never replaces a newer one */
	if (r && r->tag && json_is_string(seq) && ck_seq_cmp(json_string_value(
	    seq), json_string_length(seq), r->tag, strlen(r->tag)) < 0) {
		json_decref(doc);
		w->stats.extra[w->s_replayed]++;
		return 0;
	}
	if (r == NULL && (r = agg_get(&w->tab, start, w->key.buf,
	    w->key.len)) == NULL)
		cli_die(CLI_FAIL, "out of memory");
	free(r->tag);
	r->tag = json_is_string(seq) ? strdup(json_string_value(seq)) : NULL;
	r->rows = json_integer_value(rows);
	r->batch = w->st.batch;
	memcpy(r->cell, cells, (size_t)w->o->ncols * sizeof(*cells));
	json_decref(doc);
	return 0;
}

/* The table one window-avg over every shard would hold: the shards'
 * latest partials folded per window and key. */
static void
merge_shards(struct wa *w, struct agg_table *out)
{
	if (agg_init(out, w->o->ncols) != 0)
		cli_die(CLI_FAIL, "out of memory");
	for (size_t i = 0; i < w->tab.cap; i++) {
		const struct agg_row *r = w->tab.slot[i];
		const char *g;
		struct agg_row *m;

		if (r == NULL)
			continue;
		g = strchr(r->key, KEY_SEP);
		m = agg_get(out, r->start, g, strlen(g));
		if (m == NULL)
			cli_die(CLI_FAIL, "out of memory");
		m->rows += r->rows;
		if (r->batch > m->batch || m->rows == r->rows)
			m->batch = r->batch;
		for (int c = 0; c < w->o->ncols; c++)
			agg_cell_merge(&m->cell[c], &r->cell[c]);
	}
}

/* ---- triggers ---- */

static int
keep_changed(const struct agg_row *r, void *arg)
{
	return r->batch == *(const uint64_t *)arg;
}

static int
keep_ended(const struct agg_row *r, void *arg)
{
	const struct wa *w = arg;

	return r->start + w->win_size <= w->st.wm_ms * 1000;
}

static void
write_out(struct wa *w)
{
	if (nd_end(&w->out) != 0)
		cli_die(CLI_FAIL, "write error: %s", strerror(errno));
	w->stats.emitted++;
}

/* Emit the rows of t that keep() selects, sorted; complete tables also go
 * to --table. */
static void
emit(struct wa *w, struct agg_table *t, int (*keep)(const struct agg_row *,
    void *), void *arg, int64_t batch_tag)
{
	struct agg_row **rows;
	size_t n;
	struct eb e;
	int to_stdout = w->o->table == NULL || w->o->tee;

	if (agg_sorted(t, keep, arg, &rows, &n) != 0)
		cli_die(CLI_FAIL, "out of memory");
	sb_reset(&w->table);
	for (size_t i = 0; i < n; i++) {
		if (w->o->partials) {
			put_partial(w, nd_buf(&w->out), rows[i]);
			write_out(w);
			continue;
		}
		if (to_stdout) {
			put_row(w, nd_buf(&w->out), rows[i], batch_tag);
			write_out(w);
		}
		if (w->o->table) {
			put_row(w, &w->table, rows[i], -1);
			sb_addc(&w->table, '\n');
		}
	}
	free(rows);
	if (w->o->table) {
		if (sb_failed(&w->table))
			cli_die(CLI_FAIL, "out of memory");
		if (ck_write_atomic(w->o->table, w->table.buf ? w->table.buf : "",
		    w->table.len, &e) != 0)
			cli_die(CLI_FAIL, "%s", e.msg);
	}
}

/* Rows whose window ended at or before the watermark: emitted once in
 * append mode, then forgotten in append and update modes. */
static void
finalise(struct wa *w)
{
	if (w->st.wm_ms == ST_NONE)
		return;
	if (w->o->mode == MODE_APPEND)
		emit(w, &w->tab, keep_ended, w, -1);
	if (agg_remove_if(&w->tab, keep_ended, w) > 0)
		memset(w->recent, 0, sizeof(w->recent));
}

static void
data_batch(struct wa *w)
{
	uint64_t b = w->st.batch;
	struct agg_table merged, *t = &w->tab;

	if (w->o->merge) {
		merge_shards(w, &merged);
		t = &merged;
	}
	if (w->o->mode == MODE_COMPLETE)
		emit(w, t, NULL, NULL, (int64_t)b);
	else if (w->o->mode == MODE_UPDATE)
		emit(w, t, keep_changed, &b, -1);
	if (w->o->merge)
		agg_free(&merged);
	if (w->o->mode != MODE_COMPLETE)
		finalise(w);
	w->st.batch++;
	w->stats.extra[w->s_batches]++;
}

static void
advance_watermark(struct wa *w)
{
	int64_t wm;

	if (!w->o->have_wm || w->st.max_ms == ST_NONE)
		return;
	wm = w->st.max_ms - w->o->delay_us / 1000;
	if (w->st.wm_ms != ST_NONE && wm <= w->st.wm_ms)
		return;
	w->st.wm_ms = wm;
	/* Spark's no-data batch: a moved watermark finalises windows even
	 * when no new record arrives */
	if (w->o->mode != MODE_COMPLETE) {
		finalise(w);
		w->st.batch++;
		w->stats.extra[w->s_batches]++;
	}
}

/* End of input is the end of event time: in append mode the watermark
 * passes every window, so nothing is left unemitted. */
static void
end_of_time(struct wa *w)
{
	int64_t last_end = ST_NONE;

	if (w->o->mode != MODE_APPEND || w->tab.n == 0)
		return;
	for (size_t i = 0; i < w->tab.cap; i++)
		if (w->tab.slot[i] && w->tab.slot[i]->start + w->win_size > last_end)
			last_end = w->tab.slot[i]->start + w->win_size;
	last_end = last_end / 1000 + (last_end % 1000 > 0);
	if (w->st.wm_ms == ST_NONE || last_end > w->st.wm_ms)
		w->st.wm_ms = last_end;
	finalise(w);
	w->st.batch++;
	w->stats.extra[w->s_batches]++;
}

static void
trigger(struct wa *w, int at_eof)
{
	struct eb e;

	if (w->in_batch) {
		data_batch(w);
		advance_watermark(w);
	}
	if (at_eof)
		end_of_time(w);
	if (w->o->state && (w->in_batch || at_eof) &&
	    st_save(w->o->state, &w->st, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	w->in_batch = 0;
	if (nd_flush(&w->out) != 0)
		cli_die(CLI_FAIL, "write error: %s", strerror(errno));
}

/* ---- set-up and the loop ---- */

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
setup(struct wa *w, const struct opts *o)
{
	struct sigaction sa;
	struct eb e;

	w->o = o;
	w->win_size = o->merge ? 0 : w->win.size;
	if (agg_init(&w->tab, o->ncols) != 0 || ck_marks_init(&w->marks) != 0)
		cli_die(CLI_FAIL, "out of memory");
	rec_init(&w->rec);
	want_init(w);
	w->st = (struct st_state){ sb_cstr((struct sb *)&o->query), 0, ST_NONE,
	    ST_NONE, &w->tab, &w->marks };
	if (o->state && st_load(o->state, &w->st, &e) < 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	w->s_late = cli_stats_add(&w->stats, "late");
	w->s_late_windows = cli_stats_add(&w->stats, "late_windows");
	w->s_replayed = cli_stats_add(&w->stats, "replayed");
	w->s_null_time = cli_stats_add(&w->stats, "null_time");
	w->s_batches = cli_stats_add(&w->stats, "batches");
	nd_writer_init(&w->out, STDOUT_FILENO, o->flush_ms);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void
teardown(struct wa *w, struct opts *o)
{
	agg_free(&w->tab);
	ck_marks_free(&w->marks);
	rec_free(&w->rec);
	sb_free(&w->key);
	sb_free(&w->tmp);
	sb_free(&w->table);
	for (int i = 0; i < o->nout; i++) {
		free(o->out[i].alias);
		sb_free(&o->out[i].name);
	}
	for (int g = 0; g < o->ngroup; g++)
		sb_free(&o->group_name[g]);
	sb_free(&o->query);
}

/* Milliseconds until the next processing-time trigger, advancing it. */
static int
until_tick(const struct opts *o, double *next)
{
	double left;

	if (o->trig != TRIG_INTERVAL)
		return -1;
	left = *next - cli_now();
	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

int
main(int argc, char **argv)
{
	static struct opts o;
	static struct wa w;
	struct nd_reader rd;
	struct nd_line ln;
	struct eb e;
	double next_tick;
	int status = CLI_OK, done = 0;

	cli_init("window-avg", usage_line);
	memset(&w.stats, 0, sizeof(w.stats));
	parse_args(&o, &w.stats, argc, argv);
	validate(&o, &w.win);
	setup(&w, &o);
	if (nd_reader_init(&rd, STDIN_FILENO, "<stdin>") != 0)
		cli_die(CLI_FAIL, "out of memory");
	next_tick = cli_now() + (double)o.trig_us / 1e6;
	while (!done) {
		enum nd_status s = stop_signal ? ND_INTR :
		    nd_read(&rd, &ln, until_tick(&o, &next_tick), &e);

		if (o.trig == TRIG_INTERVAL && cli_now() >= next_tick) {
			trigger(&w, 0);
			while (next_tick <= cli_now())
				next_tick += (double)o.trig_us / 1e6;
		}
		switch (s) {
		case ND_LINE:
			w.stats.read++;
			w.in_batch = 1;
			(o.merge ? on_partial : on_record)(&w, &ln);
			break;
		case ND_IDLE:
			if (o.trig == TRIG_IDLE)
				trigger(&w, 0);
			else if (nd_flush(&w.out) != 0)
				cli_die(CLI_FAIL, "write error: %s", strerror(errno));
			cli_stats_tick(&w.stats);
			break;
		case ND_TIMEOUT:
			break;
		case ND_INTR:
			/* finish the batch and commit, without ending time */
			if (stop_signal) {
				trigger(&w, 0);
				done = 1;
			}
			break;
		case ND_EOF:
			trigger(&w, 1);
			done = 1;
			break;
		case ND_ERROR:
			cli_warn("%s", e.msg);
			trigger(&w, 0);
			status = CLI_FAIL;
			done = 1;
			break;
		}
	}
	if (nd_writer_close(&w.out) != 0)
		cli_die(CLI_FAIL, "write error: %s", strerror(errno));
	cli_stats_final(&w.stats);
	nd_reader_free(&rd);
	teardown(&w, &o);
	return status;
}
