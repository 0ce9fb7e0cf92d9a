/* kin-read: read a Kinesis stream, write one NDJSON envelope per record. */
#include <limits.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "kinesis/kin_ckpt.h"
#include "kinesis/kin_fanout.h"
#include "base/nd.h"
#include "kinesis/kin_read.h"
#include "time/tm.h"

#define MAX_SHARDS 256

static const char usage_line[] =
    "kin-read --stream NAME [-o earliest|latest|at-timestamp=T|at-sequence=N] "
    "[--resume-from FILE] [--checkpoint FILE] [--shard ID]... "
    "[--shard-index I --shard-count N] [--consumer NAME] [-e] [-c N] "
    "[--region R] [--profile P] [--endpoint-url URL] [--ca-bundle FILE] "
    "[--stats[=S]]";

static const char help[] =
    "usage: kin-read --stream NAME [options]\n"
    "Read a Kinesis data stream; write one JSON envelope per record.\n\n"
    "  -s, --stream NAME          stream to read\n"
    "  -o, --from POS             earliest, latest (default), at-timestamp=T,\n"
    "                             at-sequence=N (with one --shard)\n"
    "      --resume-from FILE     per-shard positions of a checkpoint or\n"
    "                             window-avg state; win over --from\n"
    "      --checkpoint FILE      commit positions after each batch\n"
    "      --shard ID             read only this shard (repeatable)\n"
    "      --shard-index I        with --shard-count N: this reader's share\n"
    "      --shard-count N          of the shards (stable across resharding)\n"
    "      --consumer NAME        enhanced fan-out: subscribe as this stream\n"
    "                             consumer (registered if need be)\n"
    "  -e, --exit-at-end          stop at the end of every shard as of start\n"
    "  -c, --count N              stop after N records\n"
    "      --batch N              records per GetRecords (1-10000, default 10000)\n"
    "      --retries N            attempts per call on throttling/5xx/network\n"
    "                             errors, 0 = for ever (default 10)\n"
    "      --region R, --profile P, --endpoint-url URL   as the AWS CLI\n"
    "      --ca-bundle FILE       trust these certificates (AWS_CA_BUNDLE)\n"
    "      --stats[=SECONDS]      counts on stderr at exit (and every SECONDS)\n"
    "  -h, --help, -V, --version\n";

struct args {
	struct kin_read_opts ro;
	struct aws_opts aws;
	char *shards[MAX_SHARDS];
	const char *checkpoint, *stats, *consumer;
	int stats_on, retries;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
parse_from(const char *s, struct kin_read_opts *o)
{
	struct eb e;

	if (strcmp(s, "earliest") == 0 || strcmp(s, "trim_horizon") == 0)
		o->from_type = "TRIM_HORIZON";
	else if (strcmp(s, "latest") == 0)
		o->from_type = "LATEST";
	else if (strncmp(s, "at-sequence=", 12) == 0 && s[12] != '\0' &&
	    strspn(s + 12, "0123456789") == strlen(s + 12)) {
		o->from_type = "AT_SEQUENCE_NUMBER";
		o->from_seq = s + 12;
	} else if (strncmp(s, "at-timestamp=", 13) == 0) {
		char *end;
		double secs = strtod(s + 13, &end);

		o->from_type = "AT_TIMESTAMP";
		if (end != s + 13 && *end == '\0') {
			if (tm_from_epoch_seconds(secs, &o->from_ts_us, &e) != 0)
				cli_usage("--from: %s", e.msg);
		} else if (tm_parse_rfc3339(s + 13, strlen(s + 13), &o->from_ts_us, &e) != 0)
			cli_usage("--from: %s", e.msg);
	} else
		cli_usage("--from: expected earliest, latest, at-timestamp=T or "
		    "at-sequence=N: '%s'", s);
}

static void
parse_args(int argc, char **argv, struct args *a)
{
	enum { O_RESUME = 256, O_CKPT, O_SHARD, O_INDEX, O_COUNT, O_REGION,
	    O_PROFILE, O_ENDPOINT, O_STATS, O_BATCH, O_RETRIES, O_CONSUMER,
	    O_CA_BUNDLE };
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
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "region", required_argument, NULL, O_REGION },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "endpoint-url", required_argument, NULL, O_ENDPOINT },
		{ "stats", optional_argument, NULL, O_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	long long index = -1, count = 0;
	int c;

	a->ro.from_type = "LATEST";
	a->ro.batch_limit = 10000;
	a->retries = 10;
	a->aws.service = "kinesis";
	while ((c = getopt_long(argc, argv, "s:o:ec:hV", longopts, NULL)) != -1) {
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
		case 'h': cli_help(help);
		case 'V': cli_version();
		default: cli_bad_option(argv);
		}
	}
	if (optind < argc)
		cli_usage("unexpected argument '%s'", argv[optind]);
	if (a->ro.stream == NULL || *a->ro.stream == '\0')
		cli_usage("--stream is required");
	if ((index >= 0) != (count > 0))
		cli_usage("--shard-index and --shard-count go together (count > 0)");
	if (count > 0 && index >= count)
		cli_usage("--shard-index must be less than --shard-count");
	if (count > 0 && a->ro.nonly > 0)
		cli_usage("--shard and --shard-index exclude each other");
	if (a->ro.from_seq != NULL && a->ro.nonly != 1)
		cli_usage("--from at-sequence=N needs exactly one --shard");
	a->ro.index = (int)index;
	a->ro.count = (int)count;
	a->ro.only = a->shards;
}

static void
commit(struct kin_read *r, const struct args *a)
{
	struct eb e;

	if (kin_read_commit(r, &e) != 0)
		cli_die(CLI_FAIL, "%s", e.msg);
	if (a->checkpoint && kin_ckpt_save(a->checkpoint, a->ro.stream,
	    r->committed, r->committed_sub, &e) != 0)
		cli_die(CLI_FAIL, "checkpoint: %s", e.msg);
}

static void
report(const struct kin_read *r, struct cli_stats *st, int final)
{
	size_t i;
	int64_t behind = 0;

	st->read = r->read;
	st->emitted = r->emitted;
	st->extra[0] = r->bytes;
	st->extra[1] = r->getrecords;
	st->extra[2] = r->k->retries;
	st->extra[3] = r->aggregates;
	st->extra[4] = r->kpl_dropped;
	st->extra[5] = r->kpl_bad;
	for (i = 0; i < r->sh.n; i++)
		if (r->sh.v[i].mine && r->sh.v[i].behind_ms > behind)
			behind = r->sh.v[i].behind_ms;
	if (!final && isatty(STDERR_FILENO))
		fprintf(stderr, "\r%s: %llu records, %llu bytes, %lld ms behind ",
		    cli_name(), (unsigned long long)r->emitted,
		    (unsigned long long)r->bytes, (long long)behind);
	if (!final) {
		cli_stats_tick(st);
		return;
	}
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	cli_stats_final(st);
	for (i = 0; i < r->sh.n; i++)
		if (r->sh.v[i].mine)
			cli_warn("%s: millisBehindLatest=%lld", r->sh.v[i].id,
			    (long long)r->sh.v[i].behind_ms);
}

int
main(int argc, char **argv)
{
	struct args a = { 0 };
	struct kin_client k;
	struct kin_read r;
	struct cli_stats stats = { 0 };
	struct sb batch = SB_INIT;
	struct sigaction sa = { 0 };
	json_t *resume = NULL, *resume_sub = NULL;
	char *consumer_arn = NULL;
	enum kin_status st;
	struct eb e;
	uint64_t n;
	int broken = 0;

	cli_init("kin-read", usage_line);
	parse_args(argc, argv, &a);
	/* a restart loop's first run has no positions yet: that is not an
	 * error, every shard starts at --from (said out loud all the same) */
	if (a.ro.resume_path && access(a.ro.resume_path, F_OK) != 0 &&
	    errno == ENOENT)
		cli_warn("--resume-from: %s does not exist yet: every shard "
		    "starts at --from", a.ro.resume_path);
	else if (a.ro.resume_path && kin_ckpt_load(a.ro.resume_path,
	    a.ro.stream, &resume, &resume_sub, &e) != 0)
		cli_die(CLI_FAIL, "--resume-from: %s", e.msg);
	a.ro.resume = resume;
	a.ro.resume_sub = resume_sub;

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
	cli_stats_add(&stats, "bytes");
	cli_stats_add(&stats, "getrecords");
	cli_stats_add(&stats, "retries");
	cli_stats_add(&stats, "aggregates");
	cli_stats_add(&stats, "kpl-dropped");
	cli_stats_add(&stats, "kpl-whole");

	if (a.consumer != NULL) {
		if ((st = kin_fanout_consumer(&k, a.ro.stream, a.consumer,
		    &consumer_arn, &e)) != KIN_OK)
			cli_die(st == KIN_STOPPED ? CLI_OK : kin_exit_code(st), "%s",
			    e.msg);
		a.ro.consumer_arn = consumer_arn;
	}
	if ((st = kin_read_start(&r, &k, &a.ro, &e)) != KIN_OK)
		cli_die(kin_exit_code(st), "%s", e.msg);
	while (!stop && !r.finished) {
		sb_reset(&batch);
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
		if (n > 0 || r.finished)
			commit(&r, &a);
		if (st == KIN_STOPPED)
			break;
		if (st != KIN_OK)
			cli_die(kin_exit_code(st), "%s", e.msg);
		if (a.stats_on)
			report(&r, &stats, 0);
	}
	if (!broken)
		commit(&r, &a);
	if (a.stats_on)
		report(&r, &stats, 1);
	sb_free(&batch);
	kin_read_free(&r);
	kin_client_free(&k);
	json_decref(resume);
	json_decref(resume_sub);
	free(consumer_arn);
	curl_global_cleanup();
	return CLI_OK;
}
