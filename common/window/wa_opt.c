#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/par.h"
#include "time/iv.h"
#include "json/jx.h"
#include "time/tm.h"
#include "window/wa_opt.h"
#include "window/wa_sql.h"

const char wa_opt_usage_line[] =
    "window-avg --time COL --window DURATION [--slide D] [--avg COL[=ALIAS]]... "
    "[options] [FILE ...]";

const char wa_opt_help_text[] =
    "usage: window-avg --time COL --window DURATION [options] [FILE ...]\n"
    "Spark's windowed aggregation over NDJSON records (part of kinpipe),\n"
    "read from the FILEs in order (- or none: standard input).\n"
    "\n"
    "  -t, --time COL            event time column: RFC 3339 string or epoch seconds\n"
    "  -w, --window DURATION     window length ('10 minutes', '10m')\n"
    "      --slide DURATION      slide (default: the window, tumbling)\n"
    "      --start-time DURATION offset of window starts from the epoch\n"
    "      --window-column NAME  name of the window column (default window)\n"
    "      --avg COL[=ALIAS]     average (alias default avg(COL)); repeatable\n"
    "      --count COL[=ALIAS]   non-null count; COL '*' counts rows (count(1))\n"
    "      --sum, --min, --max COL[=ALIAS]\n"
    "  -g, --group-by COL,...    grouping columns after the window\n"
    "      --watermark DELAY     withWatermark(time, DELAY)\n"
    "      --mode MODE           complete (default), update or append\n"
    "      --trigger WHEN        default: each batch of available input;\n"
    "                            DURATION (processing time) or available-now\n"
    "      --table FILE          keep the latest complete table in FILE\n"
    "      --tee                 with --table, write the rows to stdout too\n"
    "      --sqlite FILE         keep the table in SQLite database FILE as\n"
    "      --query-name NAME     table NAME (Spark's queryName), any mode\n"
    "      --state FILE          exactly-once state (aggregates, watermark,\n"
    "                            per-shard sequenceNumber marks)\n"
    "      --emit rows|partials  partials: mergeable per-shard aggregates\n"
    "      --source-id ID        partials: shard name for records without one\n"
    "      --merge               combine partial streams into the table\n"
    "      --schema DDL|@FILE    the value columns' types, as json-project's\n"
    "                            (FLOAT read as a float, INT sums as integers)\n"
    "      --on-error POLICY     null (default), skip or fail\n"
    "      --stats[=SECONDS]     counts on stderr at exit (and periodically)\n"
    "      --metrics FILE        the counts for Prometheus, rewritten at exit\n"
    "      --metrics-interval D    and every D (10s)\n"
    "      --flush-ms MS         flush output at least this often (100)\n"
    "      --threads N           threads parsing a backlog (CPUs - 2, 1 to 4)\n"
    "  -h, --help                this help\n"
    "  -V, --version             print the version\n";

/* Durations beyond a thousand years are typos, and capping them keeps
 * time arithmetic inside int64. */
#define DURATION_MAX (INT64_C(1000) * 366 * TM_US_PER_DAY)

static int
duration(const char *opt, const char *s, int allow_negative, int64_t *us,
    struct eb *e)
{
	if (iv_parse(s, us, allow_negative, e) != 0)
		return eb_wrap(e, "%s", opt);
	if (*us > DURATION_MAX || *us < -DURATION_MAX)
		return eb_set(e, "%s: longer than a thousand years: '%s'", opt, s);
	return 0;
}

static int
col_index(struct wa_opts *o, const char *col)
{
	for (int i = 0; i < o->ncols; i++)
		if (strcmp(o->cols[i], col) == 0)
			return i;
	o->cols[o->ncols] = col;
	return o->ncols++;
}

static int
add_out(struct wa_opts *o, enum wa_fn fn, const char *fname, char *arg,
    struct eb *e)
{
	struct wa_col *c;
	char *eq = strchr(arg, '=');
	struct sb alias = SB_INIT;

	if (o->nout == WA_MAX_OUT)
		return eb_set(e, "at most %d aggregates", WA_MAX_OUT);
	if (eq)
		*eq = '\0';
	if (*arg == '\0' || (eq && eq[1] == '\0'))
		return eb_set(e, "--%s: expected COL[=ALIAS], got '%s'", fname, arg);
	if (strcmp(arg, "*") == 0 && fn != WA_COUNT)
		return eb_set(e, "--%s: '*' only makes sense for --count", fname);
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
	if (c->alias == NULL)
		return eb_set(e, "out of memory");
	sb_addc(&c->name, ',');
	jx_put_cstr(&c->name, c->alias);
	sb_addc(&c->name, ':');
	return 0;
}

static int
add_groups(struct wa_opts *o, char *list, struct eb *e)
{
	for (char *g = strtok(list, ","); g; g = strtok(NULL, ",")) {
		if (o->ngroup == WA_MAX_GROUP)
			return eb_set(e, "at most %d grouping columns", WA_MAX_GROUP);
		sb_addc(&o->group_name[o->ngroup], ',');
		jx_put_cstr(&o->group_name[o->ngroup], g);
		sb_addc(&o->group_name[o->ngroup], ':');
		o->group[o->ngroup++] = g;
	}
	return 0;
}

static int
set_mode(struct wa_opts *o, const char *s, struct eb *e)
{
	o->mode_given = 1;
	if (strcmp(s, "complete") == 0)
		o->mode = WA_COMPLETE;
	else if (strcmp(s, "update") == 0)
		o->mode = WA_UPDATE;
	else if (strcmp(s, "append") == 0)
		o->mode = WA_APPEND;
	else
		return eb_set(e, "--mode: expected complete, update or append, "
		    "got '%s'", s);
	return 0;
}

static int
set_trigger(struct wa_opts *o, const char *s, struct eb *e)
{
	if (strcmp(s, "available-now") == 0) {
		o->trig = WA_TRIG_AVAILABLE_NOW;
		return 0;
	}
	if (duration("--trigger", s, 0, &o->trig_us, e) != 0)
		return -1;
	o->trig = o->trig_us == 0 ? WA_TRIG_IDLE : WA_TRIG_INTERVAL;
	return 0;
}

static int
set_emit(struct wa_opts *o, const char *s, struct eb *e)
{
	if (strcmp(s, "partials") == 0)
		o->partials = 1;
	else if (strcmp(s, "rows") == 0)
		o->partials = 0;
	else
		return eb_set(e, "--emit: expected rows or partials, got '%s'", s);
	return 0;
}

/* cli_stats_init's check, made here so that a bad value is a usage error
 * returned like the others */
static int
set_stats(struct wa_opts *o, const char *s, struct eb *e)
{
	char *end;
	double secs;

	if (s != NULL) {
		secs = strtod(s, &end);
		if (end == s || *end != '\0' || !(secs > 0))
			return eb_set(e, "--stats: not a positive number of "
			    "seconds: '%s'", s);
	}
	o->stats = s ? s : "";
	return 0;
}

static int
set_flush(struct wa_opts *o, const char *s, struct eb *e)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 0 || v > INT_MAX)
		return eb_set(e, "--flush-ms: not a non-negative integer: '%s'",
		    s);
	o->flush_ms = (int)v;
	return 0;
}

static int
set_threads(struct wa_opts *o, const char *s, struct eb *e)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > PAR_MAX)
		return eb_set(e, "--threads: not a number from 1 to %d: '%s'",
		    PAR_MAX, s);
	o->threads = (int)v;
	return 0;
}

int
wa_opt_parse(struct wa_opts *o, int argc, char **argv, struct eb *e)
{
	enum { O_START = 256, O_AVG, O_COUNT, O_SUM, O_MIN, O_MAX, O_WM, O_TRIG,
	    O_TABLE, O_TEE, O_STATE, O_EMIT, O_SRC, O_MERGE, O_ONERR, O_STATS,
	    O_FLUSH, O_SCHEMA, O_SQLITE, O_QNAME, O_THREADS };
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
		CLI_METRICS_LONGOPTS,
		{ "flush-ms", required_argument, NULL, O_FLUSH },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "schema", required_argument, NULL, O_SCHEMA },
		{ "sqlite", required_argument, NULL, O_SQLITE },
		{ "query-name", required_argument, NULL, O_QNAME },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	o->window_col = "window";
	o->source_id = "-";
	while (rc == 0 &&
	    (ch = getopt_long(argc, argv, "t:w:g:hV", lo, NULL)) != -1) {
		switch (ch) {
		case 't': o->time_col = optarg; break;
		case 'w': rc = duration("--window", optarg, 0, &o->size_us, e);
			o->have_window = 1; break;
		case 's': rc = duration("--slide", optarg, 0, &o->slide_us, e);
			o->have_slide = 1; break;
		case O_START:
			rc = duration("--start-time", optarg, 1, &o->start_us, e);
			break;
		case 'c': o->window_col = optarg; break;
		case O_AVG: rc = add_out(o, WA_AVG, "avg", optarg, e); break;
		case O_COUNT: rc = add_out(o, WA_COUNT, "count", optarg, e); break;
		case O_SUM: rc = add_out(o, WA_SUM, "sum", optarg, e); break;
		case O_MIN: rc = add_out(o, WA_MIN, "min", optarg, e); break;
		case O_MAX: rc = add_out(o, WA_MAX, "max", optarg, e); break;
		case 'g': rc = add_groups(o, optarg, e); break;
		case O_WM: rc = duration("--watermark", optarg, 0, &o->delay_us, e);
			o->have_wm = 1; break;
		case 'm': rc = set_mode(o, optarg, e); break;
		case O_TRIG: rc = set_trigger(o, optarg, e); break;
		case O_TABLE: o->table = optarg; break;
		case O_TEE: o->tee = 1; break;
		case O_STATE: o->state = optarg; break;
		case O_EMIT: rc = set_emit(o, optarg, e); break;
		case O_SRC: o->source_id = optarg; break;
		case O_MERGE: o->merge = 1; break;
		case O_ONERR:
			if (cli_parse_on_error(optarg, &o->on_error) != 0)
				rc = eb_set(e, "--on-error: expected null, skip or "
				    "fail, got '%s'", optarg);
			break;
		case O_STATS: rc = set_stats(o, optarg, e); break;
		case CLI_OPT_METRICS:
		case CLI_OPT_METRICS_INTERVAL:
			cli_metrics_option(&o->mx, ch, optarg);
			break;
		case O_FLUSH: rc = set_flush(o, optarg, e); break;
		case O_THREADS: rc = set_threads(o, optarg, e); break;
		case O_SCHEMA: o->schema = optarg; break;
		case O_SQLITE: o->sqlite = optarg; break;
		case O_QNAME: o->query_name = optarg; break;
		case 'h': return WA_OPT_HELP;
		case 'V': return WA_OPT_VERSION;
		default: return WA_OPT_BAD_OPTION;
		}
	}
	return rc;
}

static int
check_names(const struct wa_opts *o, struct eb *e)
{
	for (int i = 0; i < o->nout; i++) {
		for (int j = 0; j < i; j++)
			if (strcmp(o->out[i].alias, o->out[j].alias) == 0)
				return eb_set(e, "two output columns named '%s'",
				    o->out[i].alias);
		for (int g = 0; g < o->ngroup; g++)
			if (strcmp(o->out[i].alias, o->group[g]) == 0)
				return eb_set(e, "output column '%s' is also a "
				    "grouping column", o->out[i].alias);
		if (strcmp(o->out[i].alias, o->window_col) == 0 ||
		    strcmp(o->out[i].alias, "batch") == 0)
			return eb_set(e, "output column '%s' clashes with the "
			    "window or batch column", o->out[i].alias);
	}
	return 0;
}

static int
check_merge(const struct wa_opts *o, struct eb *e)
{
	if (o->time_col || o->have_window || o->have_slide || o->start_us ||
	    o->have_wm || o->partials || o->state)
		return eb_set(e, "--merge takes its windows from the partials: "
		    "--time, --window, --slide, --start-time, --watermark, "
		    "--emit and --state do not apply");
	if (o->mode == WA_APPEND)
		return eb_set(e, "--merge: append mode needs a watermark, which "
		    "partials do not carry; use complete or update");
	return 0;
}

static int
check_window(struct wa_opts *o, struct eb *e)
{
	if (o->time_col == NULL)
		return eb_set(e, "--time COL is required");
	if (!o->have_window)
		return eb_set(e, "--window DURATION is required");
	return win_spec_init(&o->win, o->size_us, o->have_slide ? o->slide_us :
	    o->size_us, o->start_us, e);
}

/* What shapes the state: a state file of another query is refused. */
static void
describe_query(struct wa_opts *o)
{
	const struct win_spec *w = &o->win;

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
	wa_sch_describe(o, &o->query);
}

int
wa_opt_validate(struct wa_opts *o, struct eb *e)
{
	if (o->nout == 0)
		return eb_set(e, "no aggregate: give --avg, --count, --sum, "
		    "--min or --max");
	if ((o->merge ? check_merge(o, e) : check_window(o, e)) != 0)
		return -1;
	if (o->mode == WA_APPEND && !o->have_wm && !o->merge)
		return eb_set(e, "Append output mode not supported when there "
		    "are streaming aggregations on streaming DataFrames/DataSets "
		    "without watermark");
	if (o->partials && o->mode_given && o->mode != WA_UPDATE)
		return eb_set(e, "--emit partials emits the changed windows of "
		    "each trigger: only --mode update applies");
	if (o->partials)
		o->mode = WA_UPDATE;
	if (o->table && o->mode != WA_COMPLETE)
		return eb_set(e, "--table keeps the complete table: it needs "
		    "--mode complete");
	if (o->table && o->partials)
		return eb_set(e, "--table and --emit partials do not go together");
	if (o->tee && !o->table)
		return eb_set(e, "--tee only applies with --table");
	if (check_names(o, e) != 0 || wa_sch_resolve(o, e) != 0 ||
	    wa_sql_check_opts(o, e) != 0)
		return -1;
	describe_query(o);
	return sb_failed(&o->query) ? eb_set(e, "out of memory") : 0;
}

void
wa_opt_free(struct wa_opts *o)
{
	for (int i = 0; i < o->nout; i++) {
		free(o->out[i].alias);
		sb_free(&o->out[i].name);
	}
	for (int g = 0; g < o->ngroup; g++)
		sb_free(&o->group_name[g]);
	sb_free(&o->query);
}
