/* kin-read: read a Kinesis stream, write one NDJSON envelope per record. */
#include <limits.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/ck_path.h"
#include "base/cli.h"
#include "kinesis/kin_ckpt.h"
#include "kinesis/kin_fanout.h"
#include "kinesis/kin_pos.h"
#include "kinesis/kin_lease.h"
#include "base/nd.h"
#include "kinesis/kin_list.h"
#include "kinesis/kin_read.h"
#include "time/iv.h"
#include "time/tm.h"

#define MAX_SHARDS 256

static const char usage_line[] =
    "kin-read --stream NAME [-o earliest|latest|at-timestamp=T|at-sequence=N] "
    "[--resume-from FILE] [--checkpoint FILE] [--shard ID]... "
    "[--shard-index I --shard-count N] [--lease-table T --worker-id ID "
    "[--failover-ms N] [--lease-state FILE] [--dynamodb-endpoint-url URL]] "
    "[--consumer NAME] [-e] [-c N] [--raw] [--max-fetch-rate MB] [--region R] "
    "[--profile P] [--endpoint-url URL] [--ca-bundle FILE] [--stats[=S]] "
    "[--metrics FILE [--metrics-interval D]] "
    "| kin-read [--stream NAME] --list";

static const char help[] =
    "usage: kin-read --stream NAME [options]\n"
    "       kin-read [--stream NAME] --list\n"
    "Read a Kinesis data stream; write one JSON envelope per record.\n\n"
    "  -s, --stream NAME          stream to read\n"
    "  -o, --from POS             earliest, latest (default), at-timestamp=T\n"
    "                             (T: RFC 3339, epoch seconds, or -DURATION\n"
    "                             before now), at-sequence=N (with one --shard)\n"
    "      --resume-from FILE     start each shard after its position in FILE\n"
    "                             (window-avg's state); wins over the others\n"
    "      --checkpoint FILE      resume from FILE when it exists; keep every\n"
    "                             shard's start and position in it\n"
    "      --shard ID             read only this shard (repeatable)\n"
    "      --shard-index I        with --shard-count N: this reader's share\n"
    "      --shard-count N          of the shards (stable across resharding)\n"
    "      --lease-table T        share the shards with every worker given T,\n"
    "                             through KCL 2.x leases in DynamoDB table T\n"
    "      --worker-id ID         this worker's name in the lease table\n"
    "      --failover-ms N        a lease not renewed for N ms is taken over\n"
    "                             (default 10000)\n"
    "      --lease-state FILE     window-avg --state FILE: checkpoint leases\n"
    "                             with what it counted, hand states over\n"
    "      --dynamodb-endpoint-url URL   the lease table's endpoint\n"
    "      --consumer NAME        enhanced fan-out: subscribe as this stream\n"
    "                             consumer (registered if need be; not with\n"
    "                             --lease-table)\n"
    "  -e, --exit-at-end          stop at the end of every shard as of start\n"
    "  -c, --count N              stop after N records\n"
    "      --batch N              records per GetRecords (1-10000, default 10000)\n"
    "      --raw                  write each payload and a newline, no envelope\n"
    "      --max-fetch-rate MB    per shard, in MiB of payload a second\n"
    "                             (0 < MB <= 2; default: no limit)\n"
    "      --list                 list the streams, or with --stream its shards\n"
    "      --retries N            attempts per call on throttling/5xx/network\n"
    "                             errors, 0 = for ever (default 10)\n"
    "      --region R, --profile P, --endpoint-url URL   as the AWS CLI\n"
    "      --ca-bundle FILE       trust these certificates (AWS_CA_BUNDLE)\n"
    "      --stats[=SECONDS]      counts on stderr at exit (and every SECONDS)\n"
    "      --metrics FILE         the counts for Prometheus, rewritten at exit\n"
    "      --metrics-interval D     and every D (10s)\n"
    "  -h, --help, -V, --version\n";

struct args {
	struct kin_read_opts ro;
	struct aws_opts aws;
	char *shards[MAX_SHARDS];
	const char *checkpoint, *stats, *consumer;
	int stats_on, retries, list;
	int reading;		/* an option that only reading takes was given */
	struct cli_metrics_opts mx;
	struct kin_lease_opts lease;
	struct aws_opts ddb;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* at-timestamp=T: RFC 3339, epoch seconds, or -DURATION (the suite's
 * duration syntax, kinpipe(7)) before now. A bare negative number is
 * epoch seconds, as it always was; a duration needs its unit. */
static void
parse_timestamp(const char *t, struct kin_read_opts *o)
{
	struct eb e;
	char *end;
	double secs;
	int64_t d;

	if (t[0] == '-' && (t[1] < '0' || t[1] > '9' ||
	    strspn(t + 1, "0123456789.") < strlen(t + 1))) {
		if (iv_parse(t + 1, &d, 0, &e) != 0)
			cli_usage("--from: at-timestamp=%s: %s", t, e.msg);
		o->from_ts_us = tm_now_us() - d;
		return;
	}
	secs = strtod(t, &end);
	if (end != t && *end == '\0') {
		if (tm_from_epoch_seconds(secs, &o->from_ts_us, &e) != 0)
			cli_usage("--from: %s", e.msg);
	} else if (tm_parse_rfc3339(t, strlen(t), &o->from_ts_us, &e) != 0)
		cli_usage("--from: %s", e.msg);
}

static void
parse_from(const char *s, struct kin_read_opts *o)
{
	if (strcmp(s, "earliest") == 0 || strcmp(s, "trim_horizon") == 0)
		o->from_type = "TRIM_HORIZON";
	else if (strcmp(s, "latest") == 0)
		o->from_type = "LATEST";
	else if (strncmp(s, "at-sequence=", 12) == 0 && s[12] != '\0' &&
	    strspn(s + 12, "0123456789") == strlen(s + 12)) {
		o->from_type = "AT_SEQUENCE_NUMBER";
		o->from_seq = s + 12;
	} else if (strncmp(s, "at-timestamp=", 13) == 0) {
		o->from_type = "AT_TIMESTAMP";
		parse_timestamp(s + 13, o);
	} else
		cli_usage("--from: expected earliest, latest, at-timestamp=T or "
		    "at-sequence=N: '%s'", s);
	o->from_label = s;
}

/* MiB a second, as Spark's maxFetchRate counts (MB, Kinesis's 2 MiB). */
static double
parse_rate(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0) || v > 2)
		cli_usage("--max-fetch-rate: expected MiB a second, above 0 and "
		    "at most 2 (a shard's read limit): '%s'", s);
	return v * 1048576.0;
}

/* What --lease-table needs and what it excludes: the leases say which
 * shards to read and where each starts. */
static void
leases_args(struct args *a, int shard_count)
{
	if (a->lease.table == NULL) {
		if (a->lease.worker || a->lease.state_path || a->ddb.endpoint)
			cli_usage("--worker-id, --lease-state and "
			    "--dynamodb-endpoint-url go with --lease-table");
		return;
	}
	if (*a->lease.table == '\0' || a->lease.worker == NULL ||
	    *a->lease.worker == '\0')
		cli_usage("--lease-table needs --worker-id (both non-empty)");
	if (a->ro.nonly > 0 || shard_count)
		cli_usage("--lease-table excludes --shard and --shard-index: "
		    "the leases say which shards to read");
	if (a->ro.resume_path || a->checkpoint)
		cli_usage("--lease-table excludes --resume-from and --checkpoint: "
		    "the positions are the leases' checkpoints");
	a->lease.stream = a->ro.stream;
	a->lease.from_type = a->ro.from_type;
	a->lease.from_ts_us = a->ro.from_ts_us;
	a->lease.exit_at_end = a->ro.exit_at_end;
	a->ddb.profile = a->aws.profile;
	a->ddb.region = a->aws.region;
}

static void
parse_args(int argc, char **argv, struct args *a)
{
	enum { O_RESUME = 256, O_CKPT, O_SHARD, O_INDEX, O_COUNT, O_REGION,
	    O_PROFILE, O_ENDPOINT, O_STATS, O_BATCH, O_RETRIES, O_RAW, O_RATE,
	    O_LIST, O_TABLE, O_WORKER, O_FAILOVER, O_LSTATE, O_DDB_ENDPOINT,
	    O_CONSUMER, O_CA_BUNDLE };
	static const struct option longopts[] = {
		{ "stream", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'o' },
		{ "resume-from", required_argument, NULL, O_RESUME },
		{ "checkpoint", required_argument, NULL, O_CKPT },
		{ "shard", required_argument, NULL, O_SHARD },
		{ "shard-index", required_argument, NULL, O_INDEX },
		{ "shard-count", required_argument, NULL, O_COUNT },
		{ "consumer", required_argument, NULL, O_CONSUMER },
		{ "ca-bundle", required_argument, NULL, O_CA_BUNDLE },
		{ "exit-at-end", no_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "raw", no_argument, NULL, O_RAW },
		{ "max-fetch-rate", required_argument, NULL, O_RATE },
		{ "list", no_argument, NULL, O_LIST },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "region", required_argument, NULL, O_REGION },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "endpoint-url", required_argument, NULL, O_ENDPOINT },
		{ "stats", optional_argument, NULL, O_STATS },
		CLI_METRICS_LONGOPTS,
		{ "lease-table", required_argument, NULL, O_TABLE },
		{ "worker-id", required_argument, NULL, O_WORKER },
		{ "failover-ms", required_argument, NULL, O_FAILOVER },
		{ "lease-state", required_argument, NULL, O_LSTATE },
		{ "dynamodb-endpoint-url", required_argument, NULL, O_DDB_ENDPOINT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	long long index = -1, count = 0;
	int c;

	a->ro.from_type = "LATEST";
	a->ro.from_label = "latest";
	a->ro.batch_limit = 10000;
	a->retries = 10;
	a->aws.service = "kinesis";
	a->lease.failover_ms = KIN_LEASE_FAILOVER_MS;
	while ((c = getopt_long(argc, argv, "s:o:ec:hV", longopts, NULL)) != -1) {
		/* what --list has no use for */
		a->reading |= c == 'o' || c == O_RESUME || c == O_CKPT ||
		    c == O_SHARD || c == O_INDEX || c == O_COUNT || c == 'e' ||
		    c == 'c' || c == O_BATCH || c == O_RAW || c == O_RATE ||
		    c == O_STATS || c == O_CONSUMER;
		switch (c) {
		case 's': a->ro.stream = optarg; break;
		case 'o': parse_from(optarg, &a->ro); break;
		case O_RESUME: a->ro.resume_path = optarg; break;
		case O_CKPT: a->checkpoint = optarg; break;
		case O_SHARD:
			if (a->ro.nonly == MAX_SHARDS)
				cli_usage("--shard: at most %d", MAX_SHARDS);
			a->shards[a->ro.nonly++] = optarg;
			break;
		case O_INDEX: index = cli_parse_count("--shard-index", optarg, 0, INT_MAX); break;
		case O_COUNT: count = cli_parse_count("--shard-count", optarg, 1, INT_MAX); break;
		case 'e': a->ro.exit_at_end = 1; break;
		case 'c': a->ro.limit = (uint64_t)cli_parse_count("--count", optarg, 0, LLONG_MAX); break;
		case O_BATCH: a->ro.batch_limit = (int)cli_parse_count("--batch", optarg, 1, 10000); break;
		case O_RETRIES: a->retries = (int)cli_parse_count("--retries", optarg, 1, 1000); break;
		case O_REGION: a->aws.region = optarg; break;
		case O_PROFILE: a->aws.profile = optarg; break;
		case O_ENDPOINT: a->aws.endpoint = optarg; break;
		case O_CONSUMER:
			if (*optarg == '\0')
				cli_usage("--consumer: must not be empty");
			a->consumer = optarg;
			break;
		case O_CA_BUNDLE: a->aws.ca_bundle = optarg; break;
		case O_STATS: a->stats_on = 1; a->stats = optarg; break;
		case O_RAW: a->ro.raw = 1; break;
		case O_RATE: a->ro.max_fetch_rate = parse_rate(optarg); break;
		case O_LIST: a->list = 1; break;
		case CLI_OPT_METRICS:
		case CLI_OPT_METRICS_INTERVAL:
			cli_metrics_option(&a->mx, c, optarg);
			break;
		case O_TABLE: a->lease.table = optarg; break;
		case O_WORKER: a->lease.worker = optarg; break;
		case O_FAILOVER: a->lease.failover_ms = cli_parse_count("--failover-ms", optarg, 100, 86400000); break;
		case O_LSTATE: a->lease.state_path = optarg; break;
		case O_DDB_ENDPOINT: a->ddb.endpoint = optarg; break;
		case 'h': cli_help(help);
		case 'V': cli_version();
		default: cli_bad_option(argv);
		}
	}
	if (optind < argc)
		cli_usage("unexpected argument '%s'", argv[optind]);
	if (a->list && a->reading)
		cli_usage("--list takes only --stream, --retries, --region, "
		    "--profile, --endpoint-url and --ca-bundle");
	if (a->ro.stream != NULL && *a->ro.stream == '\0')
		cli_usage("--stream: must not be empty");
	if (a->ro.stream == NULL && !a->list)
		cli_usage("--stream is required");
	if ((index >= 0) != (count > 0))
		cli_usage("--shard-index and --shard-count go together (count > 0)");
	if (count > 0 && index >= count)
		cli_usage("--shard-index must be less than --shard-count");
	if (count > 0 && a->ro.nonly > 0)
		cli_usage("--shard and --shard-index exclude each other");
	if (a->ro.from_seq != NULL && a->ro.nonly != 1)
		cli_usage("--from at-sequence=N needs exactly one --shard");
	leases_args(a, count > 0);
	/* the service pushes a subscription's records: no calls to pace */
	if (a->consumer != NULL && a->ro.max_fetch_rate > 0)
		cli_usage("--max-fetch-rate paces GetRecords calls: not with "
		    "--consumer");
	/* a lease moves a shard between workers at any step; subscriptions
	 * are opened for the shards of the start and renewed by the fan-out
	 * loop alone, which does not ask the lease table */
	if (a->consumer != NULL && a->lease.table != NULL)
		cli_usage("--lease-table excludes --consumer (a subscription "
		    "follows its shard wherever a lease moves it)");
	a->ro.index = (int)index;
	a->ro.count = (int)count;
	a->ro.only = a->shards;
	cli_metrics_check(&a->mx, iv_parse, (const struct cli_path[]){
	    { "--checkpoint", a->checkpoint },
	    { "--resume-from", a->ro.resume_path } }, 2);
}

/* Where the shards start (kin_read.h): --checkpoint's file resumes the
 * run that wrote it, unless --resume-from names another file (window-avg's
 * state: what was counted, not what was written), whose positions then win
 * while the checkpoint still says where each shard's reading began. A
 * file that does not exist yet is a first run; one that cannot be used
 * stops the run before anything is read or written. */
static void
load_positions(struct args *a, struct kin_ckpt *ck, struct kin_ckpt *from)
{
	const struct ck_sink sink = { "--checkpoint", a->checkpoint };
	const char *rpath = a->ro.resume_path;
	int have_ck = 0, have_from = 0, rc;
	struct eb e;

	if (ck_sinks_check(&sink, 1, &e) != CK_SINKS_OK)
		cli_die(CLI_FAIL, "%s", e.msg);
	if (a->checkpoint != NULL) {
		if ((rc = kin_ckpt_load(a->checkpoint, a->ro.stream, ck, &e)) < 0)
			cli_die(CLI_FAIL, "--checkpoint: %s", e.msg);
		/* replacing it with a checkpoint would lose what it counted */
		if (rc == 0 && ck->kind == KIN_CKPT_STATE)
			cli_die(CLI_FAIL, "--checkpoint: %s is window-avg's state "
			    "file: give it to --resume-from, and --checkpoint a "
			    "file of its own", a->checkpoint);
		have_ck = rc == 0;
	}
	/* the same file twice is the checkpoint resuming itself */
	if (rpath != NULL && a->checkpoint != NULL &&
	    ck_path_same(rpath, a->checkpoint))
		rpath = NULL;
	if (rpath != NULL) {
		if ((rc = kin_ckpt_load(rpath, a->ro.stream, from, &e)) < 0)
			cli_die(CLI_FAIL, "--resume-from: %s", e.msg);
		if (rc == 1)
			cli_warn("--resume-from: %s does not exist yet: every "
			    "shard starts at %s", rpath, have_ck ? "where its "
			    "reading began (from --checkpoint), else at --from" :
			    "--from");
		have_from = rc == 0;
	}
	if (have_from) {
		a->ro.resume = from->shards;
		a->ro.resume_sub = from->subs;
		a->ro.resume_path = rpath;
	} else if (rpath == NULL && have_ck) {
		a->ro.resume = ck->shards;
		a->ro.resume_sub = ck->subs;
		a->ro.resume_path = a->checkpoint;
	} else {
		a->ro.resume = NULL;
		a->ro.resume_sub = NULL;
	}
	a->ro.starts = have_ck ? ck->starts : NULL;
	a->ro.starts_path = a->checkpoint;
}

/* The lease table's failures as the tools' statuses (exit codes). */
static enum kin_status
of_ddb(enum ddb_status st)
{
	return st == DDB_OK ? KIN_OK : st == DDB_AUTH ? KIN_AUTH : KIN_FAIL;
}

static void
commit(struct kin_read *r, const struct args *a)
{
	struct eb e;

	if (kin_read_commit(r, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	if (a->checkpoint && kin_ckpt_save(a->checkpoint, a->ro.stream,
	    r->committed, r->committed_sub, r->starts_committed, &e) != 0)
		cli_die(CLI_FAIL, "checkpoint: %s", e.msg);
}

static void
report(const struct kin_read *r, const struct kin_leases *l,
    struct cli_stats *st, int final)
{
	size_t i;
	int64_t behind = 0;

	st->read = r->read;
	st->emitted = r->emitted;
	st->extra[0] = r->bytes;
	st->extra[1] = r->getrecords;
	st->extra[2] = r->k->retries;
	st->extra[3] = r->k->throttles;
	st->extra[4] = r->aggregates;
	st->extra[5] = r->kpl_dropped;
	st->extra[6] = r->kpl_bad;
	if (r->o.owner != NULL) {
		st->extra[7] = kin_lease_held(l);
		st->extra[8] = l->taken;
		st->extra[9] = l->stolen;
		st->extra[10] = l->lost;
	}
	for (i = 0; i < r->sh.n; i++)
		if (r->sh.v[i].mine && r->sh.v[i].behind_ms > behind)
			behind = r->sh.v[i].behind_ms;
	if (!final && st->enabled && isatty(STDERR_FILENO))
		fprintf(stderr, "\r%s: %llu records, %llu bytes, %lld ms behind ",
		    cli_name(), (unsigned long long)r->emitted,
		    (unsigned long long)r->bytes, (long long)behind);
	if (!final) {
		cli_stats_tick(st);
		return;
	}
	if (st->enabled && isatty(STDERR_FILENO))
		fputc('\n', stderr);
	cli_stats_final(st);
	for (i = 0; st->enabled && i < r->sh.n; i++) {
		const struct kin_shard *s = &r->sh.v[i];

		if (s->mine)
			cli_warn("%s: millisBehindLatest=%lld records=%llu "
			    "bytes=%llu throttles=%llu retries=%llu", s->id,
			    (long long)s->behind_ms,
			    (unsigned long long)s->records,
			    (unsigned long long)s->bytes,
			    (unsigned long long)s->throttles,
			    (unsigned long long)s->retries);
	}
}

/* Per shard, for --metrics: its lag, records, bytes, throttles, retries. */
static void
shard_series(void *arg, struct metrics *m, const struct metrics_label *base,
    size_t nbase)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "kinpipe_kinesis_millis_behind_latest",
		    "MillisBehindLatest of the shard's last answer or event." },
		{ "kinpipe_kinesis_shard_records_total",
		    "Records read from the shard." },
		{ "kinpipe_kinesis_shard_bytes_total",
		    "Bytes of record data read from the shard." },
		{ "kinpipe_kinesis_shard_throttles_total",
		    "Calls for the shard refused as too fast, each retried." },
		{ "kinpipe_kinesis_shard_retries_total",
		    "Calls for the shard retried (throttles among them)." },
	};
	const struct kin_read *r = arg;
	struct metrics_label l[CLI_METRICS_BASE_LABELS + 2];
	size_t i;

	metrics_family(m, fam[0].name, METRICS_GAUGE, fam[0].help);
	for (i = 1; i < sizeof(fam) / sizeof(fam[0]); i++)
		metrics_family(m, fam[i].name, METRICS_COUNTER, fam[i].help);
	memcpy(l, base, nbase * sizeof(*l));
	l[nbase] = (struct metrics_label){ "stream", r->o.stream };
	for (i = 0; i < r->sh.n; i++) {
		const struct kin_shard *s = &r->sh.v[i];

		if (!s->mine)
			continue;
		l[nbase + 1] = (struct metrics_label){ "shard", s->id };
		metrics_add(m, fam[0].name, l, nbase + 2, (double)s->behind_ms);
		metrics_add_u64(m, fam[1].name, l, nbase + 2, s->records);
		metrics_add_u64(m, fam[2].name, l, nbase + 2, s->bytes);
		metrics_add_u64(m, fam[3].name, l, nbase + 2, s->throttles);
		metrics_add_u64(m, fam[4].name, l, nbase + 2, s->retries);
	}
}

/* --list: the streams, or the shards of --stream, one line each. */
static int
list(struct args *a)
{
	struct kin_client k;
	struct sb out = SB_INIT;
	enum kin_status st;
	struct eb e;
	uint64_t n;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((st = kin_client_init(&k, &a->aws, &stop, &e)) != KIN_OK)
		cli_die(kin_exit_code(st), "%s", e.msg);
	k.bo.max_attempts = a->retries;
	k.tool = cli_name();
	st = a->ro.stream != NULL ?
	    kin_list_shard_lines(&k, a->ro.stream, &out, &n, &e) :
	    kin_list_streams(&k, &out, &n, &e);
	if (st != KIN_OK)
		cli_die(kin_exit_code(st), "%s", e.msg);
	if (out.len > 0 && nd_write_all(STDOUT_FILENO, out.buf, out.len,
	    NULL) != 0 && errno != EPIPE)
		cli_die(CLI_FAIL, "stdout: %s", strerror(errno));
	sb_free(&out);
	kin_client_free(&k);
	curl_global_cleanup();
	return CLI_OK;
}

int
main(int argc, char **argv)
{
	struct args a = { 0 };
	struct kin_client k;
	struct ddb_client d;
	struct kin_leases leases = { 0 };
	struct kin_read r;
	struct cli_stats stats = { 0 };
	struct sb batch = SB_INIT;
	struct sigaction sa = { 0 };
	struct kin_ckpt ck = { 0 }, from = { 0 };
	char *consumer_arn = NULL;
	enum kin_status st;
	struct eb e;
	uint64_t n;
	int broken = 0;

	cli_init("kin-read", usage_line);
	parse_args(argc, argv, &a);
	if (a.list)
		return list(&a);
	load_positions(&a, &ck, &from);
	sa.sa_handler = on_signal;	/* no SA_RESTART: sleeps end early */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((st = kin_client_init(&k, &a.aws, &stop, &e)) != KIN_OK)
		cli_die(kin_exit_code(st), "%s", e.msg);
	k.bo.max_attempts = a.retries;
	k.tool = cli_name();
	if (a.stats_on)
		cli_stats_init(&stats, a.stats);
	cli_stats_add_metric(&stats, "bytes", "kinpipe_kinesis_bytes_read_total",
	    "Bytes of record data read from Kinesis.");
	cli_stats_add_metric(&stats, "getrecords",
	    "kinpipe_kinesis_getrecords_total", "GetRecords calls made.");
	cli_stats_add_metric(&stats, "retries", "kinpipe_kinesis_retries_total",
	    "Kinesis calls retried (throttles among them).");
	cli_stats_add_metric(&stats, "throttles",
	    "kinpipe_kinesis_throttles_total",
	    "Kinesis calls refused as too fast, each retried.");
	cli_stats_add_metric(&stats, "aggregates",
	    "kinpipe_kinesis_aggregates_read_total",
	    "KPL aggregates unpacked into their user records.");
	cli_stats_add_metric(&stats, "kpl_dropped",
	    "kinpipe_kinesis_kpl_dropped_total",
	    "KPL user records dropped as outside their shard's hash keys.");
	cli_stats_add_metric(&stats, "kpl_whole",
	    "kinpipe_kinesis_kpl_whole_total",
	    "Records with the KPL magic passed whole (a bad MD5 or body).");
	if (a.lease.table != NULL) {
		cli_stats_add_metric(&stats, "leases_held",
		    "kinpipe_kinesis_leases_held", "Leases this worker holds.");
		cli_stats_add_metric(&stats, "leases_taken",
		    "kinpipe_kinesis_leases_taken_total",
		    "Expired leases this worker took.");
		cli_stats_add_metric(&stats, "leases_stolen",
		    "kinpipe_kinesis_leases_stolen_total",
		    "Leases this worker stole to balance the shards.");
		cli_stats_add_metric(&stats, "leases_lost",
		    "kinpipe_kinesis_leases_lost_total",
		    "Leases this worker lost to another.");
		if ((st = of_ddb(ddb_client_init(&d, &a.ddb, &stop, &e))) != KIN_OK)
			cli_die(kin_exit_code(st), "%s", e.msg);
		d.max_attempts = a.retries;
		if (kin_lease_init(&leases, &d, &k, &a.lease, &e) != 0)
			cli_die(CLI_FAIL, "%s", e.msg);
		a.ro.owner = &leases.owner;
	}
	cli_metrics_start(&stats, &a.mx, iv_parse, NULL, 0);	/* checked */

	if (a.consumer != NULL) {
		if ((st = kin_fanout_consumer(&k, a.ro.stream, a.consumer,
		    &consumer_arn, &e)) != KIN_OK)
			cli_die(st == KIN_STOPPED ? CLI_OK : kin_exit_code(st), "%s",
			    e.msg);
		a.ro.consumer_arn = consumer_arn;
	}
	if ((st = kin_read_start(&r, &k, &a.ro, &e)) != KIN_OK)
		cli_die(kin_exit_code(st), "%s", e.msg);
	/* from the first commit on, the checkpoint names every shard */
	commit(&r, &a);
	cli_metrics_extend(&stats, shard_series, &r);
	while (!stop && !r.finished) {
		sb_reset(&batch);
		cli_stats_batch_begin(&stats);
		st = kin_read_step(&r, &batch, &n, &e);
		/* a batch cut short is not written, nor its positions kept */
		if (sb_failed(&batch))
			cli_die(CLI_FAIL, "out of memory");
		if (batch.len > 0 && nd_write_all(STDOUT_FILENO, batch.buf,
		    batch.len, NULL) != 0) {
			if (errno != EPIPE)
				cli_die(CLI_FAIL, "stdout: %s", strerror(errno));
			broken = 1;	/* the batch did not arrive: keep the last commit */
			break;
		}
		/* a follower that has nothing to write would otherwise never
		 * learn that its reader left: the shards' answers may all have
		 * come in one batch, written before it did */
		if (batch.len == 0 && cli_output_gone()) {
			broken = 1;
			break;
		}
		if (n > 0 || r.finished)
			commit(&r, &a);
		/* a batch is a GetRecords answer with records, written and
		 * committed */
		if (n > 0)
			cli_stats_batch_end(&stats);
		else
			cli_stats_batch_drop(&stats);
		if (st == KIN_STOPPED)
			break;
		if (st != KIN_OK)
			cli_die(kin_exit_code(st), "%s", e.msg);
		report(&r, &leases, &stats, 0);
	}
	if (!broken)
		commit(&r, &a);
	/* what was counted is checkpointed and the leases given up, on any
	 * way out but a failure */
	k.aws.stop = d.aws.stop = NULL;	/* a stop signal must not cut these */
	if (a.ro.owner != NULL && (st = kin_lease_stop(&leases, &r, &e)) != KIN_OK)
		cli_die(kin_exit_code(st), "%s", e.msg);
	report(&r, &leases, &stats, 1);
	sb_free(&batch);
	kin_read_free(&r);
	kin_client_free(&k);
	if (a.ro.owner != NULL) {
		kin_lease_free(&leases);
		ddb_client_free(&d);
	}
	kin_ckpt_free(&ck);
	kin_ckpt_free(&from);
	free(consumer_arn);
	curl_global_cleanup();
	if (broken)
		cli_die_output_gone();	/* after the last delivered batch's commit */
	return CLI_OK;
}
