/* kin-put: write NDJSON (or raw) lines to a Kinesis stream, one record
 * per line, and print one result line per record in input order. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "base/col.h"
#include "kinesis/kin_agg.h"
#include "kinesis/kin_put.h"
#include "base/nd.h"
#include "json/prov.h"
#include "json/rec.h"
#include "time/iv.h"

static const char usage_line[] =
    "kin-put --stream NAME [--partition-key K | --partition-key-field F] "
    "[--raw] [--aggregate] [--on-error=skip|fail] [--region R] [--profile P] "
    "[--endpoint-url URL] [--ca-bundle FILE] [--stats[=S]] "
    "[--metrics FILE [--metrics-interval D]]";

static const char help[] =
    "usage: kin-put --stream NAME [options] < records.ndjson\n"
    "Put each input line into a Kinesis data stream as one record; print\n"
    "{\"line\":N,\"shardId\":...,\"sequenceNumber\":...} per record, in order.\n\n"
    "  -s, --stream NAME             stream to write\n"
    "  -k, --partition-key K         the same key for every record\n"
    "  -K, --partition-key-field F   the key is the record's field F\n"
    "                                (default key: the input line number)\n"
    "      --raw                     lines are bytes, not JSON objects\n"
    "      --aggregate               pack records per shard as the KPL does\n"
    "      --on-error=skip|fail      bad input lines (default fail)\n"
    "      --retries N               attempts per call and per failed entry,\n"
    "                                0 = for ever (default 10)\n"
    "      --region R, --profile P, --endpoint-url URL   as the AWS CLI\n"
    "      --ca-bundle FILE       trust these certificates (AWS_CA_BUNDLE)\n"
    "      --stats[=SECONDS]         counts on stderr\n"
    "      --metrics FILE            the counts for Prometheus, rewritten at\n"
    "      --metrics-interval D      exit and every D (10s)\n"
    "  -h, --help, -V, --version\n";

struct args {
	struct aws_opts aws;
	const char *stream, *key, *field, *stats;
	int raw, aggregate, stats_on, retries;
	enum cli_on_error on_error;
	struct cli_metrics_opts mx;
};

struct run {
	struct args a;
	struct kin_client k;
	struct kin_batch b;
	struct kin_agg agg;
	struct cli_stats st;
	struct sb out;
	const char *input;
	int broken, failed;
	/* records are validated and indexed as json-project does it, so
	 * that what one tool takes the other takes (a number beyond a
	 * double's range is valid JSON, kinpipe(7)) */
	struct rec rec;
	int parsed;		/* rec is the current line's */
	struct col_set cols;	/* --partition-key-field, a typo said */
	int s_missing, s_failed, s_aggregates;	/* st.extra indices */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
parse_args(int argc, char **argv, struct args *a)
{
	enum { O_RAW = 256, O_ONERR, O_REGION, O_PROFILE, O_ENDPOINT, O_STATS,
	    O_RETRIES, O_AGGREGATE, O_CA_BUNDLE };
	static const struct option longopts[] = {
		{ "stream", required_argument, NULL, 's' },
		{ "partition-key", required_argument, NULL, 'k' },
		{ "partition-key-field", required_argument, NULL, 'K' },
		{ "raw", no_argument, NULL, O_RAW },
		{ "aggregate", no_argument, NULL, O_AGGREGATE },
		{ "on-error", required_argument, NULL, O_ONERR },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "region", required_argument, NULL, O_REGION },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "endpoint-url", required_argument, NULL, O_ENDPOINT },
		{ "ca-bundle", required_argument, NULL, O_CA_BUNDLE },
		{ "stats", optional_argument, NULL, O_STATS },
		CLI_METRICS_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	a->on_error = ON_ERROR_FAIL;
	a->retries = 10;
	a->aws.service = "kinesis";
	while ((c = getopt_long(argc, argv, "s:k:K:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's': a->stream = optarg; break;
		case 'k': a->key = optarg; break;
		case 'K': a->field = optarg; break;
		case O_RAW: a->raw = 1; break;
		case O_AGGREGATE: a->aggregate = 1; break;
		case O_ONERR:
			if (cli_parse_on_error(optarg, &a->on_error) != 0 ||
			    a->on_error == ON_ERROR_NULL)
				cli_usage("--on-error: expected skip or fail: '%s'", optarg);
			break;
		case O_RETRIES: a->retries = (int)cli_parse_count("--retries", optarg, 1, 1000); break;
		case O_REGION: a->aws.region = optarg; break;
		case O_PROFILE: a->aws.profile = optarg; break;
		case O_ENDPOINT: a->aws.endpoint = optarg; break;
		case O_CA_BUNDLE: a->aws.ca_bundle = optarg; break;
		case O_STATS: a->stats_on = 1; a->stats = optarg; break;
		case CLI_OPT_METRICS:
		case CLI_OPT_METRICS_INTERVAL:
			cli_metrics_option(&a->mx, c, optarg);
			break;
		case 'h': cli_help(help);
		case 'V': cli_version();
		default: cli_bad_option(argv);
		}
	}
	if (optind < argc)
		cli_usage("unexpected argument '%s'", argv[optind]);
	if (a->stream == NULL || *a->stream == '\0')
		cli_usage("--stream is required");
	if (a->key != NULL && a->field != NULL)
		cli_usage("--partition-key and --partition-key-field exclude each other");
	if (a->key != NULL && *a->key == '\0')
		cli_usage("--partition-key: must not be empty");
	if (a->raw && a->field != NULL)
		cli_usage("--partition-key-field needs JSON input, not --raw");
	cli_metrics_check(&a->mx, iv_parse, NULL, 0);
}

static int
write_out(struct run *r)
{
	if (!r->broken && nd_write_all(STDOUT_FILENO, r->out.buf, r->out.len,
	    NULL) != 0) {
		if (errno != EPIPE)
			cli_die(CLI_FAIL, "stdout: %s", strerror(errno));
		r->broken = 1;	/* our reader left: stop after this batch */
	}
	sb_reset(&r->out);
	return r->broken ? -1 : 0;
}

/* --aggregate: pack and send what is held, print its results. */
static void
flush_aggregates(struct run *r)
{
	enum kin_status s;
	struct eb e;

	if (r->agg.n == 0)
		return;
	s = kin_agg_send(&r->agg, &r->k, r->a.stream, &e);
	if (s != KIN_OK && s != KIN_STOPPED)
		cli_die(kin_exit_code(s), "%s", e.msg);
	r->st.emitted += r->agg.n - r->agg.failed - r->agg.refused;
	r->st.extra[0] += r->agg.retries;
	r->st.extra[r->s_failed] += r->agg.failed;
	r->st.extra[r->s_aggregates] += r->agg.aggregates;
	r->agg.retries = r->agg.aggregates = 0;
	r->failed |= r->agg.failed > 0;
	kin_agg_results(&r->agg, &r->out);
	if (sb_failed(&r->out))
		cli_die(CLI_FAIL, "out of memory");
	kin_agg_reset(&r->agg);
	write_out(r);
	cli_stats_batch_end(&r->st);
}

/* Send what is batched and print its results: the batch's end. */
static void
flush_batch(struct run *r)
{
	enum kin_status s;
	struct eb e;

	if (r->a.aggregate) {
		flush_aggregates(r);
		return;
	}
	if (r->b.n == 0)
		return;
	s = kin_batch_send(&r->k, r->a.stream, &r->b, &e);
	if (s != KIN_OK && s != KIN_STOPPED)
		cli_die(kin_exit_code(s), "%s", e.msg);
	r->st.emitted += r->b.n - r->b.failed - r->b.refused;
	r->st.extra[0] += r->b.retries;
	r->st.extra[r->s_failed] += r->b.failed;
	r->failed |= r->b.failed > 0;
	kin_batch_results(&r->b, &r->out);
	if (sb_failed(&r->out))
		cli_die(CLI_FAIL, "out of memory");
	kin_batch_reset(&r->b);
	write_out(r);
	cli_stats_batch_end(&r->st);
}

/* The partition key of a JSON record; NULL (why in buf) if it has none.
 * A string field gives its text, a number or boolean its JSON text as
 * written. */
static const char *
key_of(struct run *r, const struct nd_line *ln, struct sb *kb, char *buf,
    size_t cap)
{
	const struct rec_member *v;

	sb_reset(kb);
	if (r->a.key != NULL) {
		sb_adds(kb, r->a.key);
	} else if (r->a.field != NULL) {
		v = rec_get(&r->rec, r->a.field, strlen(r->a.field));
		if (v == NULL)
			r->st.extra[r->s_missing]++;
		else
			r->cols.seen[0] = 1;
		if (v && v->type == REC_STRING)
			rec_string_decode(v->val, kb);
		else if (v && (v->type == REC_NUMBER || v->type == REC_TRUE ||
		    v->type == REC_FALSE))
			sb_add(kb, v->val.p, v->val.n);
		else {
			snprintf(buf, cap, "field '%s' %s", r->a.field, v == NULL ?
			    "is missing" : "is not a string, number or boolean");
			return NULL;
		}
	} else {
		sb_printf(kb, "%llu", (unsigned long long)ln->lineno);
	}
	/* a key cut short would send the record to the wrong shard */
	if (sb_failed(kb) || sb_cstr(kb) == NULL)
		cli_die(CLI_FAIL, "out of memory");
	return kb->buf;
}

static void
bad_line(struct run *r, const struct nd_line *ln, const char *why)
{
	struct sb where = SB_INIT;
	const char *at;

	/* a record re-put from kin-read's output is named by where it was */
	if (r->parsed)
		prov_describe(&r->rec, &where);
	at = sb_failed(&where) || where.len == 0 ? "" : sb_cstr(&where);
	if (r->a.on_error == ON_ERROR_FAIL) {
		flush_batch(r);
		cli_die(CLI_FAIL, "%s:%llu%s: %s", r->input,
		    (unsigned long long)ln->lineno, at, why);
	}
	cli_warn("%s:%llu%s: %s (skipped)", r->input,
	    (unsigned long long)ln->lineno, at, why);
	sb_free(&where);
	r->st.skipped++;
	if (r->a.aggregate ? kin_agg_add_error(&r->agg, ln->lineno, why) != 0 :
	    kin_batch_add_error(&r->b, ln->lineno, why) != 0)
		cli_die(CLI_FAIL, "out of memory");
}

static void
put_line(struct run *r, const struct nd_line *ln, struct sb *kb)
{
	const char *key, *why;
	enum rec_type type;
	char buf[640];
	struct eb e;

	r->st.read++;
	cli_stats_batch_begin(&r->st);
	r->parsed = 0;
	if (!r->a.raw && rec_parse_object(&r->rec, ln->p, ln->len, &e) != 0) {
		/* which of the two it is: not JSON, or JSON but no object */
		if (rec_validate(ln->p, ln->len, &type, &e) == 0)
			snprintf(buf, sizeof(buf), "not a JSON object");
		else
			snprintf(buf, sizeof(buf), "not JSON: %s", e.msg);
		bad_line(r, ln, buf);
		return;
	}
	r->parsed = !r->a.raw;
	r->cols.any |= (unsigned char)r->parsed;
	key = key_of(r, ln, kb, buf, sizeof(buf));
	if (key == NULL || (why = kin_put_check(ln->len, key, kb->len, buf,
	    sizeof(buf))) != NULL) {
		bad_line(r, ln, key == NULL ? buf : why);
		return;
	}
	if (r->a.aggregate) {
		if (kin_agg_add(&r->agg, ln->lineno, ln->p, ln->len, key,
		    kb->len) != 0)
			cli_die(CLI_FAIL, "out of memory");
		if (kin_agg_full(&r->agg))
			flush_batch(r);
		return;
	}
	if (!kin_batch_fits(&r->b, ln->len, kb->len))
		flush_batch(r);
	if (kin_batch_add(&r->b, ln->lineno, ln->p, ln->len, key, kb->len) != 0)
		cli_die(CLI_FAIL, "out of memory");
}

int
main(int argc, char **argv)
{
	struct run r = { 0 };
	struct nd_reader rd;
	struct nd_line ln;
	struct sigaction sa = { 0 };
	struct sb kb = SB_INIT;
	enum nd_status s = ND_LINE;
	struct eb e;
	enum kin_status st;

	cli_init("kin-put", usage_line);
	parse_args(argc, argv, &r.a);
	r.input = "<stdin>";
	sa.sa_handler = on_signal;	/* no SA_RESTART: a blocked read ends */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* no stop flag for the client: a PutRecords in flight must finish,
	 * or we could not tell whether its records were written */
	if ((st = kin_client_init(&r.k, &r.a.aws, NULL, &e)) != KIN_OK)
		cli_die(kin_exit_code(st), "%s", e.msg);
	r.k.bo.max_attempts = r.a.retries;
	if (r.a.stats_on)
		cli_stats_init(&r.st, r.a.stats);
	cli_stats_add_metric(&r.st, "retried",
	    "kinpipe_kinesis_records_retried_total",
	    "Records sent again after PutRecords failed them.");
	r.s_missing = cli_stats_add_metric(&r.st, "missing",
	    "kinpipe_records_missing_column_total",
	    "Records without a column the command line names.");
	r.s_failed = cli_stats_add_metric(&r.st, "failed",
	    "kinpipe_kinesis_records_failed_total",
	    "Records the service failed for good.");
	r.s_aggregates = cli_stats_add_metric(&r.st, "aggregates",
	    "kinpipe_kinesis_aggregates_put_total",
	    "KPL aggregates put (--aggregate).");
	if (r.a.field != NULL)
		col_add(&r.cols, "--partition-key-field", r.a.field);
	rec_init(&r.rec);
	kin_agg_init(&r.agg);
	if (r.a.aggregate && (st = kin_agg_map(&r.agg, &r.k, r.a.stream,
	    &e)) != KIN_OK)
		cli_die(kin_exit_code(st), "%s", e.msg);
	cli_metrics_start(&r.st, &r.a.mx, iv_parse, NULL, 0);	/* checked */
	if (nd_reader_init(&rd, STDIN_FILENO, r.input) != 0)
		cli_die(CLI_FAIL, "out of memory");

	while (!stop && !r.broken && s != ND_EOF) {
		s = nd_read(&rd, &ln, cli_stats_wait_ms(&r.st), &e);
		if (s == ND_LINE)
			put_line(&r, &ln, &kb);
		else if (s == ND_TIMEOUT)
			cli_stats_tick(&r.st);
		else if (s == ND_IDLE || s == ND_EOF || s == ND_INTR) {
			if (s == ND_IDLE)	/* before the results go out */
				col_batch_end(&r.cols, r.st.read);
			flush_batch(&r);
		}
		else if (s == ND_ERROR) {
			flush_batch(&r);
			cli_die(CLI_FAIL, "%s", e.msg);
		}
	}
	flush_batch(&r);
	if (s == ND_EOF && col_end(&r.cols, r.st.read))
		r.failed = 1;
	cli_stats_final(&r.st);
	rec_free(&r.rec);
	nd_reader_free(&rd);
	sb_free(&kb);
	sb_free(&r.out);
	kin_batch_free(&r.b);
	kin_agg_free(&r.agg);
	kin_client_free(&r.k);
	curl_global_cleanup();
	if (r.failed)
		return CLI_FAIL;	/* a record not put says more than a closed pipe */
	if (r.broken)
		cli_die_output_gone();
	return CLI_OK;
}
