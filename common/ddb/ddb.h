/* ddb: the DynamoDB JSON API (DynamoDB_20120810.*, application/
 * x-amz-json-1.0) on aws_post, for kin-read's lease table: the same
 * credentials chain and SigV4 signing as Kinesis, service "dynamodb",
 * its endpoint from --dynamodb-endpoint-url, AWS_ENDPOINT_URL_DYNAMODB or
 * AWS_ENDPOINT_URL as the AWS CLI resolves them. Throttling, 5xx and
 * connection failures are retried with capped exponential backoff and
 * full jitter; a failed condition is an answer, not an error.
 *
 * Errors: calls return DDB_OK or another enum ddb_status and fill eb. */
#ifndef KP_DDB_H
#define KP_DDB_H

#include <jansson.h>
#include <stdint.h>

#include "aws/aws.h"
#include "base/eb.h"

enum ddb_status {
	DDB_OK = 0,
	DDB_CONDITION,	/* ConditionalCheckFailedException: someone else wrote */
	DDB_NOTFOUND,	/* ResourceNotFoundException: no such table */
	DDB_INUSE,	/* ResourceInUseException: the table exists already */
	DDB_FAIL,	/* another service or local error */
	DDB_AUTH,	/* no usable credentials, or the service refused them */
	DDB_GAVEUP,	/* retryable errors outlasted the retry budget */
	DDB_STOPPED	/* a signal asked us to stop */
};

struct ddb_client {
	struct aws_client aws;
	double base_s, cap_s;	/* backoff */
	int max_attempts;	/* 0: retry for ever */
	uint64_t rng;
	uint64_t calls, retries;
};

/* o->service is set here; the rest as for Kinesis (o->endpoint being
 * --dynamodb-endpoint-url). DDB_OK, DDB_AUTH without credentials, or
 * DDB_FAIL. */
enum ddb_status ddb_client_init(struct ddb_client *d, const struct aws_opts *o,
    volatile sig_atomic_t *stop, struct eb *e);
void ddb_client_free(struct ddb_client *d);

/* Call operation op ("UpdateItem") with request req (NULL: the caller
 * ran out of memory building it); on DDB_OK *resp is the answer (the
 * caller decrefs). */
enum ddb_status ddb_call(struct ddb_client *d, const char *op, json_t *req,
    json_t **resp, struct eb *e);

/* The class of an error answer: its HTTP status and "__type" name. */
enum ddb_status ddb_classify(long status, const char *type, int *retry);

/* Attribute values in DynamoDB's JSON: {"S":...}, {"N":...}. NULL when
 * out of memory. */
json_t *ddb_s(const char *s);
json_t *ddb_n(int64_t n);
/* The string of a {"S":..} member of item, or NULL. */
const char *ddb_get_s(const json_t *item, const char *name);
/* The number of a {"N":..} member: 0, or -1 when absent or not a whole
 * number. */
int ddb_get_n(const json_t *item, const char *name, int64_t *out);

#endif
