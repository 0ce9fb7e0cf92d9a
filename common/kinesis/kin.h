/* kin: the Kinesis Data Streams JSON API (Kinesis_20131202.*) on top of
 * aws_post, with the service's error classes and retry policy: throttling,
 * 5xx and connection failures retried with capped exponential backoff and
 * full jitter; everything else handed back classified.
 *
 * Errors: what talks to the service (and kin_client_init) returns
 * KIN_OK or another enum kin_status and fills eb; local helpers (the
 * envelope, base64, shards, batches, checkpoint files) return 0 or -1
 * and fill eb when they take one, as base does. A tool turns a status
 * into its exit code with kin_exit_code. */
#ifndef KP_KIN_H
#define KP_KIN_H

#include <jansson.h>
#include <stdint.h>

#include "aws/aws.h"
#include "base/eb.h"

enum kin_status {
	KIN_OK = 0,
	KIN_FAIL,	/* other service or local error */
	KIN_AUTH,	/* no usable credentials, or the service refused them */
	KIN_NOTFOUND,	/* stream or shard does not exist */
	KIN_EXPIRED,	/* ExpiredIteratorException */
	KIN_GAVEUP,	/* retryable errors outlasted the retry budget */
	KIN_STOPPED	/* a signal asked us to stop */
};

/* Exit codes of the network tools (documented in their man pages). */
enum { KIN_EXIT_AUTH = 3, KIN_EXIT_NOTFOUND = 4 };

/* The exit code of a tool that stops on st (not KIN_OK): KIN_EXIT_AUTH,
 * KIN_EXIT_NOTFOUND, else 1. */
int kin_exit_code(enum kin_status st);

struct kin_backoff {
	double base_s, cap_s;
	int max_attempts;	/* 0: retry for ever */
	uint64_t rng;
};

struct kin_client {
	struct aws_client aws;
	struct kin_backoff bo;
	uint64_t calls, retries;
	uint64_t throttles;	/* retries because the service said slow down */
	const char *tool;	/* prefix for retry warnings */
	int quiet;
};

/* KIN_OK, KIN_AUTH when no credentials were found, KIN_FAIL. */
enum kin_status kin_client_init(struct kin_client *k,
    const struct aws_opts *o, volatile sig_atomic_t *stop, struct eb *e);
void kin_client_free(struct kin_client *k);

/* Delay before retry number attempt (1-based): uniform in
 * [0, min(cap, base * 2^(attempt-1))], the "full jitter" of the AWS
 * architecture blog. */
double kin_backoff_delay(struct kin_backoff *b, int attempt);

/* Sleep s seconds unless *stop is set; returns -1 if stopped. */
int kin_sleep(double s, volatile sig_atomic_t *stop);

/* Classify an error answer: HTTP status plus the "__type" of the body. */
enum kin_class { KC_RETRY, KC_EXPIRED, KC_AUTH, KC_NOTFOUND, KC_FATAL };
enum kin_class kin_classify(long status, const char *type);

/* 1 for the retryable answers that mean "too fast" rather than
 * "broken" (the throttles of --stats and --metrics). */
int kin_throttled(long status, const char *type);

/* An error answer (HTTP status, body) to operation op: its class, *slow
 * (kin_throttled), and a message in e naming the error type and the
 * service's message. */
enum kin_class kin_error_answer(const char *op, long status, const char *body,
    size_t len, int *slow, struct eb *e);
/* The status a final (not retried) class ends a call with. */
enum kin_status kin_class_status(enum kin_class c);

/* The retry policy's bookkeeping, shared by kin_call and kin_multi:
 * attempt (1-based) failed in a way that may be retried (e says how,
 * slow when throttled). KIN_GAVEUP, e saying after how many attempts,
 * when they are used up; else KIN_OK, the retry (and throttle) counted
 * and warned about now and then: wait kin_backoff_delay, then again. */
enum kin_status kin_retry_note(struct kin_client *k, int attempt, int slow,
    struct eb *e);

/* Call operation op ("GetRecords") with request document req; on KIN_OK
 * *resp is the answer (caller decrefs). Retries what may be retried. */
enum kin_status kin_call(struct kin_client *k, const char *op, json_t *req,
    json_t **resp, struct eb *e);

/* Same with the request already serialised. */
enum kin_status kin_call_body(struct kin_client *k, const char *op,
    const char *body, size_t len, json_t **resp, struct eb *e);

/* Same, handing back the answer's text (valid until the next call) for
 * a caller that parses it itself: GetRecords, the one hot answer. */
enum kin_status kin_call_text(struct kin_client *k, const char *op,
    const char *body, size_t len, const char **text, size_t *tlen,
    struct eb *e);

/* Every shard of the stream (ListShards, following NextToken). */
enum kin_status kin_list_shards(struct kin_client *k, const char *stream,
    json_t **shards, struct eb *e);

/* type: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER,
 * AT_TIMESTAMP; seq for the two sequence types, ts_us for AT_TIMESTAMP. */
enum kin_status kin_get_iterator(struct kin_client *k, const char *stream,
    const char *shard, const char *type, const char *seq, int64_t ts_us,
    char **iter, struct eb *e);
/* The request and the answer of GetShardIterator, for a caller that
 * sends it itself (kin_multi): NULL on out of memory; 0 or -1. */
json_t *kin_iterator_request(const char *stream, const char *shard,
    const char *type, const char *seq, int64_t ts_us);
int kin_iterator_answer(const char *text, size_t len, char **iter,
    struct eb *e);

#endif
