/* Leases in DynamoDB: the table, the conditional writes, the taker, and
 * the hook through which the reader learns which shards are its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/ck.h"
#include "base/cli.h"
#include "json/jx.h"
#include "kinesis/kin_lease.h"

#define SHARD_END "SHARD_END"
#define STATE_FORMAT "kinpipe-window-avg-state"
#define TABLE_WAIT_S 60.0

static struct kin_lease *
find(struct kin_leases *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

static void
lease_clear(struct kin_lease *x)
{
	free(x->key);
	free(x->owner);
	free(x->checkpoint);
	free(x->parents[0]);
	free(x->parents[1]);
	free(x->last);
	memset(x, 0, sizeof(*x));
}

static int
set_str(char **dst, const char *s)
{
	char *c = s != NULL ? strdup(s) : NULL;

	if (s != NULL && c == NULL)
		return -1;
	free(*dst);
	*dst = c;
	return 0;
}

static int
is_seq(const char *c)
{
	return c != NULL && ck_seq_valid(c, strlen(c));
}

/* (a, asub) > (b, bsub), a position over a checkpoint that may be a
 * word: a KPL user record sorts before the whole record (CK_SUB_WHOLE) */
static int
pos_above(const char *a, int64_t asub, const char *b, int64_t bsub)
{
	return is_seq(a) && (!is_seq(b) || ck_pos_cmp(a, strlen(a), asub, b,
	    strlen(b), bsub) > 0);
}

/* The position in a lease item: KCL's checkpointSubSequenceNumber is
 * that of the last user record processed, 0 for a plain record. kinpipe
 * writes 0 for a whole record too, and marks a checkpoint inside an
 * aggregate with KIN_LEASE_PART_ATTR, so that its user record 0 is not
 * taken for the whole; a KCL checkpoint above 0 is inside an aggregate
 * (reading resumes at it, skipping the user records up to it). */
static int64_t
item_sub(const json_t *item)
{
	int64_t k, part;

	if (ddb_get_n(item, "checkpointSubSequenceNumber", &k) != 0 || k < 0)
		return CK_SUB_WHOLE;
	if (k == 0 && ddb_get_n(item, KIN_LEASE_PART_ATTR, &part) != 0)
		return CK_SUB_WHOLE;
	return k;
}

static enum kin_status
of_ddb(enum ddb_status st)
{
	switch (st) {
	case DDB_OK: return KIN_OK;
	case DDB_AUTH: return KIN_AUTH;
	case DDB_NOTFOUND: return KIN_NOTFOUND;
	case DDB_GAVEUP: return KIN_GAVEUP;
	case DDB_STOPPED: return KIN_STOPPED;
	default: return KIN_FAIL;
	}
}

/* ---- the table ---- */

static enum kin_status
table_status(struct kin_leases *l, const char **status, json_t **resp,
    struct eb *e)
{
	json_t *req = json_pack("{s:s}", "TableName", l->o.table);
	enum ddb_status st = ddb_call(l->d, "DescribeTable", req, resp, e);

	json_decref(req);	/* ddb_call leaves the request to its caller */
	*status = st == DDB_OK ? json_string_value(json_object_get(
	    json_object_get(*resp, "Table"), "TableStatus")) : NULL;
	return st == DDB_NOTFOUND ? KIN_NOTFOUND : of_ddb(st);
}

/* The table as KCL creates it: leaseKey the hash key, on-demand
 * capacity; a worker that finds it missing creates it, and one that
 * loses that race to another is just as content. */
static enum kin_status
ensure_table(struct kin_leases *l, struct eb *e)
{
	double until = cli_now() + TABLE_WAIT_S;
	const char *status;
	enum kin_status st;
	enum ddb_status dst;
	json_t *req, *resp = NULL;

	st = table_status(l, &status, &resp, e);
	json_decref(resp);
	if (st == KIN_NOTFOUND) {
		req = json_pack("{s:s,s:[{s:s,s:s}],s:[{s:s,s:s}],s:s}",
		    "TableName", l->o.table, "AttributeDefinitions",
		    "AttributeName", "leaseKey", "AttributeType", "S",
		    "KeySchema", "AttributeName", "leaseKey", "KeyType", "HASH",
		    "BillingMode", "PAY_PER_REQUEST");
		dst = ddb_call(l->d, "CreateTable", req, &resp, e);
		json_decref(req);
		json_decref(resp);
		if (dst != DDB_OK && dst != DDB_INUSE) {
			eb_wrap(e, "lease table %s", l->o.table);
			return of_ddb(dst);
		}
		cli_warn("lease table %s: created", l->o.table);
	} else if (st != KIN_OK) {
		eb_wrap(e, "lease table %s", l->o.table);
		return st;
	}
	for (;;) {
		st = table_status(l, &status, &resp, e);
		if (st == KIN_OK && status != NULL && strcmp(status, "ACTIVE") == 0) {
			json_decref(resp);
			return KIN_OK;
		}
		json_decref(resp);
		if (st != KIN_OK && st != KIN_NOTFOUND) {
			eb_wrap(e, "lease table %s", l->o.table);
			return st;
		}
		if (cli_now() > until) {
			eb_set(e, "lease table %s: not ACTIVE after %.0f s",
			    l->o.table, TABLE_WAIT_S);
			return KIN_FAIL;
		}
		if (aws_sleep(0.05, l->d->aws.stop) != 0)
			return KIN_STOPPED;
	}
}

/* ---- reading the leases ---- */

static int
take_item(struct kin_leases *l, const json_t *item, double now, struct eb *e)
{
	const char *key = ddb_get_s(item, "leaseKey");
	const json_t *ps = json_object_get(json_object_get(item,
	    "parentShardId"), "SS");
	struct kin_lease *x, *nv;
	int64_t counter = 0;
	size_t i;

	if (key == NULL)
		return eb_set(e, "lease table %s: an item without leaseKey",
		    l->o.table);
	if (ddb_get_n(item, "leaseCounter", &counter) != 0)
		return eb_set(e, "lease %s: leaseCounter is not a number", key);
	if ((x = find(l, key)) == NULL) {
		if (l->n == l->cap) {
			size_t ncap = l->cap ? l->cap * 2 : 16;

			if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
				return eb_set(e, "out of memory");
			l->v = nv;
			l->cap = ncap;
		}
		x = &l->v[l->n];
		memset(x, 0, sizeof(*x));
		if ((x->key = strdup(key)) == NULL)
			return eb_set(e, "out of memory");
		l->n++;
		x->seen_at = now;
		x->counter = counter;
	}
	/* a held lease's counter is ours to know: a scan may be older */
	if (x->held)
		return 0;
	if (counter != x->counter) {
		x->counter = counter;
		x->seen_at = now;
	}
	x->nparents = 0;
	for (i = 0; i < json_array_size(ps) && i < 2; i++)
		if (set_str(&x->parents[x->nparents++],
		    json_string_value(json_array_get(ps, i))) != 0)
			return eb_set(e, "out of memory");
	if (set_str(&x->owner, ddb_get_s(item, "leaseOwner")) != 0 ||
	    set_str(&x->checkpoint, ddb_get_s(item, "checkpoint")) != 0)
		return eb_set(e, "out of memory");
	x->checkpoint_sub = item_sub(item);
	return 0;
}

/* Every lease, without kinpipe's state (which only a taker needs). */
static enum kin_status
scan(struct kin_leases *l, struct eb *e)
{
	json_t *req, *resp, *items, *last = NULL;
	double now = cli_now();
	enum ddb_status st;
	size_t i;

	do {
		req = json_pack("{s:s,s:b,s:[sssssss]}", "TableName", l->o.table,
		    "ConsistentRead", 1, "AttributesToGet", "leaseKey",
		    "leaseOwner", "leaseCounter", "checkpoint", "parentShardId",
		    "childShardIds", "ownerSwitchesSinceCheckpoint");
		if (req != NULL && last != NULL &&
		    json_object_set(req, "ExclusiveStartKey", last) != 0) {
			json_decref(req);
			req = NULL;
		}
		json_decref(last);
		last = NULL;
		st = ddb_call(l->d, "Scan", req, &resp, e);
		json_decref(req);
		if (st != DDB_OK) {
			eb_wrap(e, "lease table %s", l->o.table);
			return of_ddb(st);
		}
		items = json_object_get(resp, "Items");
		for (i = 0; i < json_array_size(items); i++)
			if (take_item(l, json_array_get(items, i), now, e) != 0) {
				json_decref(resp);
				return KIN_FAIL;
			}
		last = json_incref(json_object_get(resp, "LastEvaluatedKey"));
		json_decref(resp);
	} while (last != NULL);
	return KIN_OK;
}

/* ---- conditional writes ---- */

static json_t *
key_of(const struct kin_lease *x)
{
	return json_pack("{s:o}", "leaseKey", ddb_s(x->key));
}

/* An UpdateItem; DDB_CONDITION is an answer (someone else wrote). */
static enum ddb_status
update(struct kin_leases *l, struct kin_lease *x, json_t *expected,
    json_t *updates, json_t **item, struct eb *e)
{
	json_t *req = json_pack("{s:s,s:o,s:o,s:o,s:s}", "TableName", l->o.table,
	    "Key", key_of(x), "Expected", expected, "AttributeUpdates", updates,
	    "ReturnValues", item != NULL ? "ALL_NEW" : "NONE");
	json_t *resp;
	enum ddb_status st;

	st = ddb_call(l->d, "UpdateItem", req, &resp, e);
	json_decref(req);
	if (st == DDB_OK && item != NULL)
		*item = json_incref(json_object_get(resp, "Attributes"));
	json_decref(resp);
	if (st != DDB_OK && st != DDB_CONDITION)
		eb_wrap(e, "lease %s", x->key);
	return st;
}

static json_t *
counter_expected(const struct kin_lease *x)
{
	return json_pack("{s:{s:o}}", "leaseCounter", "Value", ddb_n(x->counter));
}

static json_t *
counter_update(const struct kin_lease *x)
{
	return json_pack("{s:{s:s,s:o}}", "leaseCounter", "Action", "PUT",
	    "Value", ddb_n(x->counter + 1));
}

static int
put_action(json_t *u, const char *name, const char *action, json_t *value)
{
	json_t *a = value != NULL ? json_pack("{s:s,s:o}", "Action", action,
	    "Value", value) : json_pack("{s:s}", "Action", action);

	return u == NULL || a == NULL || json_object_set_new(u, name, a) != 0;
}

/* Lost: the reader stops reading it at once. */
static void
lose(struct kin_leases *l, struct kin_read *r, struct kin_lease *x,
    const char *why)
{
	cli_warn("lease %s: lost (%s)", x->key, why);
	x->held = 0;
	x->ended = x->drained = 0;
	l->lost++;
	kin_read_disown(r, x->key);
}

/* A conditional write to a held lease failed. It may still be ours: a
 * write whose answer was lost (retried after the service had applied it,
 * or cut short by a stop signal) moved the counter on unseen. KCL's
 * renewLease reads the lease back for this, and so do we: *ours when its
 * owner is still this worker and its counter one past the one we knew,
 * which is then adopted. */
static enum kin_status
still_ours(struct kin_leases *l, struct kin_lease *x, int *ours,
    struct eb *e)
{
	json_t *req = json_pack("{s:s,s:o,s:b}", "TableName", l->o.table,
	    "Key", key_of(x), "ConsistentRead", 1), *resp, *item;
	enum ddb_status st;
	const char *owner;
	int64_t counter;

	*ours = 0;
	st = ddb_call(l->d, "GetItem", req, &resp, e);
	json_decref(req);
	if (st != DDB_OK) {
		eb_wrap(e, "lease %s", x->key);
		return of_ddb(st);
	}
	item = json_object_get(resp, "Item");
	owner = ddb_get_s(item, "leaseOwner");
	if (owner != NULL && strcmp(owner, l->o.worker) == 0 &&
	    ddb_get_n(item, "leaseCounter", &counter) == 0 &&
	    counter == x->counter + 1) {
		cli_warn("lease %s: a write's answer was lost, but the lease is "
		    "still ours", x->key);
		x->counter = counter;
		*ours = 1;
	}
	json_decref(resp);
	return KIN_OK;
}

static enum kin_status
renew(struct kin_leases *l, struct kin_read *r, struct kin_lease *x,
    struct eb *e)
{
	enum ddb_status st = update(l, x, counter_expected(x),
	    counter_update(x), NULL, e);
	enum kin_status kst;
	int ours = 0;

	if (st == DDB_CONDITION) {
		if ((kst = still_ours(l, x, &ours, e)) != KIN_OK)
			return kst;
		if (!ours) {
			lose(l, r, x, "another worker took it");
			return KIN_OK;
		}
	} else if (st != DDB_OK) {
		return of_ddb(st);
	} else {
		x->counter++;
	}
	/* a counter moved, by this write or by the one whose answer was lost */
	x->renewed_at = cli_now();
	return KIN_OK;
}

/* The checkpoint as KCL's updateLease writes it, with kinpipe's state
 * (NULL: left as it is) and, at SHARD_END, the children. */
static enum ddb_status
write_checkpoint(struct kin_leases *l, struct kin_lease *x, const char *pos,
    int64_t sub, const char *state, json_t *children, struct eb *e)
{
	json_t *u = counter_update(x);
	int bad;

	bad = put_action(u, "checkpoint", "PUT", ddb_s(pos)) ||
	    put_action(u, "checkpointSubSequenceNumber", "PUT",
	    ddb_n(sub == CK_SUB_WHOLE ? 0 : sub)) ||
	    (sub == CK_SUB_WHOLE ?
	    put_action(u, KIN_LEASE_PART_ATTR, "DELETE", NULL) :
	    put_action(u, KIN_LEASE_PART_ATTR, "PUT", ddb_n(1))) ||
	    put_action(u, "ownerSwitchesSinceCheckpoint", "PUT", ddb_n(0)) ||
	    put_action(u, "pendingCheckpoint", "DELETE", NULL) ||
	    put_action(u, "pendingCheckpointSubSequenceNumber", "DELETE", NULL);
	if (!bad && state != NULL)
		bad = put_action(u, KIN_LEASE_STATE_ATTR, "PUT", ddb_s(state));
	if (!bad && json_array_size(children) > 0)
		bad = put_action(u, "childShardIds", "PUT", json_pack("{s:O}",
		    "SS", children));
	if (bad) {
		json_decref(u);
		eb_set(e, "out of memory");
		return DDB_FAIL;
	}
	return update(l, x, counter_expected(x), u, NULL, e);
}

static enum kin_status
checkpoint(struct kin_leases *l, struct kin_read *r, struct kin_lease *x,
    const char *pos, int64_t sub, const char *state, json_t *children,
    struct eb *e)
{
	enum ddb_status st = write_checkpoint(l, x, pos, sub, state, children,
	    e);
	enum kin_status kst;
	int ours;

	/* again, at the counter found, while the lease is found ours (the
	 * answer to the write again may be lost too) */
	while (st == DDB_CONDITION) {
		if ((kst = still_ours(l, x, &ours, e)) != KIN_OK)
			return kst;
		if (!ours) {
			lose(l, r, x, "another worker took it before its "
			    "checkpoint");
			return KIN_OK;
		}
		st = write_checkpoint(l, x, pos, sub, state, children, e);
	}
	if (st != DDB_OK)
		return of_ddb(st);
	x->counter++;
	x->renewed_at = cli_now();
	x->checkpoint_sub = sub;
	return set_str(&x->checkpoint, pos) == 0 ? KIN_OK : KIN_FAIL;
}

static enum kin_status
evict(struct kin_leases *l, struct kin_lease *x, struct eb *e)
{
	json_t *u = counter_update(x);
	enum ddb_status st;

	if (put_action(u, "leaseOwner", "DELETE", NULL)) {
		json_decref(u);
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	st = update(l, x, json_pack("{s:{s:o}}", "leaseOwner", "Value",
	    ddb_s(l->o.worker)), u, NULL, e);
	x->held = 0;
	return st == DDB_OK || st == DDB_CONDITION ? KIN_OK : of_ddb(st);
}

/* ---- creating leases for the stream's shards ---- */

static json_t *
string_set(const json_t *shard)
{
	json_t *ss = json_array(), *p = json_object_get(shard, "ParentShardId"),
	    *a = json_object_get(shard, "AdjacentParentShardId");

	if (ss != NULL && ((json_is_string(p) && json_array_append(ss, p)) ||
	    (json_is_string(a) && json_array_append(ss, a)))) {
		json_decref(ss);
		return NULL;
	}
	return ss;
}

/* Where a new lease starts: a child of a lease still being read from its
 * first record (AT_TIMESTAMP keeps its time), any other shard from
 * --from; LATEST of a closed shard is nothing at all. */
static const char *
new_checkpoint(struct kin_leases *l, const json_t *shard, const json_t *ps)
{
	int closed = json_is_string(json_object_get(json_object_get(shard,
	    "SequenceNumberRange"), "EndingSequenceNumber"));
	size_t i;

	for (i = 0; i < json_array_size(ps); i++) {
		struct kin_lease *p = find(l, json_string_value(json_array_get(ps, i)));

		if (p != NULL && (p->checkpoint == NULL ||
		    strcmp(p->checkpoint, SHARD_END) != 0 || p->held))
			return strcmp(l->o.from_type, "LATEST") == 0 ?
			    "TRIM_HORIZON" : l->o.from_type;
	}
	if (closed && strcmp(l->o.from_type, "LATEST") == 0)
		return SHARD_END;
	return l->o.from_type;
}

static enum kin_status
create(struct kin_leases *l, const json_t *shard, struct eb *e)
{
	const char *id = json_string_value(json_object_get(shard, "ShardId"));
	json_t *range = json_object_get(shard, "HashKeyRange");
	json_t *ps = string_set(shard), *item, *req, *resp;
	enum ddb_status st;

	if (ps == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	item = json_pack("{s:o,s:o,s:o,s:o,s:o}", "leaseKey", ddb_s(id),
	    "leaseCounter", ddb_n(0), "checkpoint",
	    ddb_s(new_checkpoint(l, shard, ps)), "checkpointSubSequenceNumber",
	    ddb_n(0), "ownerSwitchesSinceCheckpoint", ddb_n(0));
	/* a member that cannot be added leaves no item at all */
	if (item != NULL && ((json_array_size(ps) > 0 && json_object_set_new(
	    item, "parentShardId", json_pack("{s:O}", "SS", ps)) != 0) ||
	    (json_is_object(range) && (json_object_set_new(item,
	    "startingHashKey", ddb_s(json_string_value(json_object_get(range,
	    "StartingHashKey")))) != 0 || json_object_set_new(item,
	    "endingHashKey", ddb_s(json_string_value(json_object_get(range,
	    "EndingHashKey")))) != 0)))) {
		json_decref(item);
		item = NULL;
	}
	json_decref(ps);
	req = item != NULL ? json_pack("{s:s,s:o,s:{s:{s:b}}}", "TableName",
	    l->o.table, "Item", item, "Expected", "leaseKey", "Exists", 0) : NULL;
	st = ddb_call(l->d, "PutItem", req, &resp, e);
	json_decref(req);
	json_decref(resp);
	if (st == DDB_OK || st == DDB_CONDITION)
		return KIN_OK;	/* created, or someone was first */
	eb_wrap(e, "creating lease %s", id);
	return of_ddb(st);
}

/* A lease for every shard of the stream that has none, parents first
 * (ListShards lists them in that order). */
static enum kin_status
sync_shards(struct kin_leases *l, struct eb *e)
{
	json_t *list, *it;
	enum kin_status st = KIN_OK;
	size_t i;
	int made = 0;

	if ((st = kin_list_shards(l->k, l->o.stream, &list, e)) != KIN_OK)
		return st;
	json_array_foreach(list, i, it) {
		const char *id = json_string_value(json_object_get(it, "ShardId"));

		if (id == NULL)
			continue;
		if (l->o.exit_at_end && !l->started &&
		    json_array_append_new(l->at_start, json_string(id)) != 0) {
			eb_set(e, "out of memory");
			st = KIN_FAIL;
			break;
		}
		if (find(l, id) != NULL)
			continue;
		if ((st = create(l, it, e)) != KIN_OK)
			break;
		made = 1;
	}
	for (i = 0; i < l->n; i++) {
		int listed = 0;
		size_t j;

		json_array_foreach(list, j, it)
			listed |= strcmp(json_string_value(json_object_get(it,
			    "ShardId")) ? json_string_value(json_object_get(it,
			    "ShardId")) : "", l->v[i].key) == 0;
		l->v[i].gone = !listed;
	}
	json_decref(list);
	/* what was just created is read back as every other lease is */
	if (st == KIN_OK && made)
		st = scan(l, e);
	return st;
}

/* ---- the state that travels with a lease ---- */

/* window-avg's state file as it is now, or NULL before its first save. */
static int
read_state(struct kin_leases *l, struct eb *e)
{
	json_t *doc, *f;

	json_decref(l->state);
	l->state = NULL;
	if (l->o.state_path == NULL || (access(l->o.state_path, F_OK) != 0 &&
	    errno == ENOENT))
		return 0;
	if ((doc = jx_load_file(l->o.state_path, e)) == NULL)
		return eb_wrap(e, "--lease-state");
	f = json_object_get(doc, "format");
	if (!json_is_string(f) || strcmp(json_string_value(f), STATE_FORMAT) != 0 ||
	    !json_is_object(json_object_get(doc, "shards")) ||
	    !json_is_array(json_object_get(doc, "rows"))) {
		json_decref(doc);
		return eb_set(e, "--lease-state: %s: not a window-avg state file",
		    l->o.state_path);
	}
	l->state = doc;
	return 0;
}

/* The shard's part of the state file: {"format","query",
 * "sequenceNumber","rows"}, its rows those whose key starts with the
 * shard's id as a JSON string and the key separator (window-avg's
 * partials keep one aggregate per shard, window and key). Malloc'd text,
 * NULL when out of memory. */
static char *
shard_state(struct kin_leases *l, const char *id, const char *mark,
    int64_t sub)
{
	json_t *rows = json_object_get(l->state, "rows"), *row, *mine, *doc;
	struct sb prefix = SB_INIT;
	char *text = NULL;
	size_t i;

	jx_put_cstr(&prefix, id);
	sb_addc(&prefix, '\x1f');
	mine = json_array();
	if (sb_failed(&prefix) || mine == NULL)
		goto out;
	json_array_foreach(rows, i, row) {
		const char *k = json_string_value(json_array_get(row, 1));

		if (k != NULL && strncmp(k, prefix.buf, prefix.len) == 0 &&
		    json_array_append(mine, row) != 0)
			goto out;
	}
	doc = json_pack("{s:s,s:O,s:s,s:O}", "format", "kinpipe-shard-state",
	    "query", json_object_get(l->state, "query"), "sequenceNumber", mark,
	    "rows", mine);
	if (doc != NULL && sub != CK_SUB_WHOLE && json_object_set_new(doc,
	    "subSequenceNumber", json_integer(sub)) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc != NULL)
		text = jx_dumps(doc);
	json_decref(doc);
out:
	json_decref(mine);
	sb_free(&prefix);
	return text;
}

/* The line that hands a shard's state to window-avg before its records:
 * {"stream":...,"shardId":...,"shardState":{...}}; an empty state (a new
 * lease, or one written without --lease-state) clears the shard there. */
static void
put_handoff(struct kin_leases *l, struct sb *out, const char *id,
    const char *state)
{
	sb_adds(out, "{\"stream\":");
	jx_put_cstr(out, l->o.stream);
	sb_adds(out, ",\"shardId\":");
	jx_put_cstr(out, id);
	sb_adds(out, ",\"shardState\":");
	sb_adds(out, state != NULL ? state :
	    "{\"format\":\"kinpipe-shard-state\",\"sequenceNumber\":null,\"rows\":[]}");
	sb_adds(out, "}\n");
}

/* A parent's final state goes to window-avg again with each child: the
 * worker that drained the parent may have died before its last partial
 * rows left the machine. */
static enum kin_status
hand_parent(struct kin_leases *l, struct sb *out, const char *id,
    struct eb *e)
{
	json_t *req, *resp;
	enum ddb_status st;
	const char *state, *ck;

	req = json_pack("{s:s,s:{s:o},s:b}", "TableName", l->o.table, "Key",
	    "leaseKey", ddb_s(id), "ConsistentRead", 1);
	st = ddb_call(l->d, "GetItem", req, &resp, e);
	json_decref(req);
	if (st != DDB_OK) {
		eb_wrap(e, "lease %s", id);
		return of_ddb(st);
	}
	ck = ddb_get_s(json_object_get(resp, "Item"), "checkpoint");
	state = ddb_get_s(json_object_get(resp, "Item"), KIN_LEASE_STATE_ATTR);
	if (ck != NULL && strcmp(ck, SHARD_END) == 0 && state != NULL)
		put_handoff(l, out, id, state);
	json_decref(resp);
	return KIN_OK;
}

/* ---- taking ---- */

static int
parents_ended(struct kin_leases *l, const struct kin_lease *x)
{
	for (int i = 0; i < x->nparents; i++) {
		struct kin_lease *p = find(l, x->parents[i]);

		if (p != NULL && (p->checkpoint == NULL ||
		    strcmp(p->checkpoint, SHARD_END) != 0 || p->held))
			return 0;
	}
	return 1;
}

static int
in_start_set(struct kin_leases *l, const char *id)
{
	size_t i;
	json_t *v;

	if (!l->o.exit_at_end)
		return 1;
	json_array_foreach(l->at_start, i, v)
		if (strcmp(json_string_value(v), id) == 0)
			return 1;
	return 0;
}

static int
finished(const struct kin_lease *x)
{
	return x->checkpoint != NULL && strcmp(x->checkpoint, SHARD_END) == 0;
}

/* Read a lease just taken from its checkpoint on: x->checkpoint, the
 * lease's own copy, for the item it came in is freed by then. */
static enum kin_status
read_from(struct kin_leases *l, struct kin_read *r, struct kin_lease *x,
    struct eb *e)
{
	const char *ck = x->checkpoint != NULL ? x->checkpoint : "TRIM_HORIZON";
	enum kin_status st;

	if (finished(x)) {
		x->held = 0;	/* nothing to read: it is let go */
		return KIN_OK;
	}
	st = kin_read_own(r, x->key, is_seq(ck) ? ck : NULL, is_seq(ck) ?
	    x->checkpoint_sub : CK_SUB_WHOLE, is_seq(ck) ?
	    NULL : strcmp(ck, "AT_TIMESTAMP") == 0 ? "AT_TIMESTAMP" :
	    strcmp(ck, "LATEST") == 0 ? "LATEST" : "TRIM_HORIZON",
	    l->o.from_ts_us, e);
	if (st == KIN_NOTFOUND) {
		cli_warn("lease %s: the stream has no such shard (expired?): "
		    "left alone", x->key);
		x->gone = 1;
		return evict(l, x, e);
	}
	return st;
}

static enum kin_status
take(struct kin_leases *l, struct kin_read *r, struct kin_lease *x,
    int steal, struct sb *out, struct eb *e)
{
	json_t *u = counter_update(x), *item = NULL;
	const char *ck, *state;
	enum ddb_status st;
	enum kin_status kst = KIN_OK;
	int bad;

	bad = put_action(u, "leaseOwner", "PUT", ddb_s(l->o.worker));
	if (!bad && x->owner != NULL && strcmp(x->owner, l->o.worker) != 0)
		bad = put_action(u, "ownerSwitchesSinceCheckpoint", "ADD", ddb_n(1));
	if (bad) {
		json_decref(u);
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	st = update(l, x, counter_expected(x), u, &item, e);
	if (st == DDB_CONDITION)
		return KIN_OK;	/* another worker moved first */
	if (st != DDB_OK)
		return of_ddb(st);
	x->counter++;
	x->held = 1;
	x->renewed_at = x->seen_at = cli_now();
	x->ended = x->drained = x->done = 0;
	/* ck and state live in item: used before it is freed */
	ck = ddb_get_s(item, "checkpoint");
	state = ddb_get_s(item, KIN_LEASE_STATE_ATTR);
	x->checkpoint_sub = item_sub(item);
	if (set_str(&x->owner, l->o.worker) != 0 || set_str(&x->checkpoint,
	    ck) != 0) {
		json_decref(item);
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	cli_warn("lease %s: %s at %s", x->key, steal ? "stolen" : "taken",
	    ck ? ck : "(no checkpoint)");
	if (steal)
		l->stolen++;
	else
		l->taken++;
	if (l->o.state_path != NULL) {
		for (int i = 0; kst == KIN_OK && i < x->nparents; i++)
			kst = hand_parent(l, out, x->parents[i], e);
		if (kst == KIN_OK)
			put_handoff(l, out, x->key, state);
	}
	json_decref(item);
	return kst != KIN_OK ? kst : read_from(l, r, x, e);
}

/* One look at the table: take what the plan says, expired leases while
 * below the share, at most one stolen. */
static enum kin_status
take_some(struct kin_leases *l, struct kin_read *r, struct sb *out,
    struct eb *e)
{
	struct kin_lease_view *v;
	double now = cli_now();
	enum kin_status st = KIN_OK;
	long pick;
	int steal = 0, stole = 0;

	if ((v = calloc(l->n + 1, sizeof(*v))) == NULL) {
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct kin_lease *x = &l->v[i];

		v[i].owner = x->owner;
		v[i].eligible = !finished(x) && !x->gone && !x->done &&
		    parents_ended(l, x) && in_start_set(l, x->key);
		/* this worker's own leases of an earlier run are expired */
		v[i].expired = !x->held && (x->owner == NULL ||
		    strcmp(x->owner, l->o.worker) == 0 ||
		    now - x->seen_at > (double)l->o.failover_ms / 1000);
	}
	while (st == KIN_OK && !stole && (pick = kin_lease_plan(v, l->n,
	    l->o.worker, l->rng++, &steal)) >= 0) {
		struct kin_lease *x = &l->v[pick];

		st = take(l, r, x, steal, out, e);
		stole = steal;
		if (!x->held) {
			v[pick].eligible = 0;	/* lost the race: next look */
			continue;
		}
		v[pick].owner = x->owner;
		v[pick].expired = 0;
	}
	free(v);
	return st;
}

/* ---- checkpoints ---- */

/* The reader's children of a shard, for the SHARD_END checkpoint. */
static json_t *
children_of(struct kin_read *r, const char *id)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < r->sh.n; i++) {
		const struct kin_shard *s = &r->sh.v[i];

		if (((s->parent && strcmp(s->parent, id) == 0) ||
		    (s->adjacent && strcmp(s->adjacent, id) == 0)) &&
		    json_array_append_new(a, json_string(s->id)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* What has been counted of a held lease: the state file's mark with
 * --lease-state, else what the reader handed out and saw delivered. */
static const char *
counted(struct kin_leases *l, struct kin_read *r, const struct kin_lease *x,
    int64_t *sub)
{
	const json_t *k;

	if (l->o.state_path != NULL) {
		k = json_object_get(json_object_get(l->state,
		    "subSequenceNumbers"), x->key);
		*sub = json_is_integer(k) ? json_integer_value(k) : CK_SUB_WHOLE;
		return json_string_value(json_object_get(json_object_get(
		    l->state, "shards"), x->key));
	}
	k = json_object_get(r->committed_sub, x->key);
	*sub = json_is_integer(k) ? json_integer_value(k) : CK_SUB_WHOLE;
	return json_string_value(json_object_get(r->committed, x->key));
}

static enum kin_status
keep_one(struct kin_leases *l, struct kin_read *r, struct kin_lease *x,
    struct eb *e)
{
	int64_t sub;
	const char *mark = counted(l, r, x, &sub);
	char *state = NULL;
	enum kin_status st = KIN_OK;
	int caught_up = x->last == NULL || (is_seq(mark) && ck_pos_cmp(mark,
	    strlen(mark), sub, x->last, strlen(x->last), CK_SUB_WHOLE) >= 0);

	if (pos_above(mark, sub, x->checkpoint, x->checkpoint_sub) ||
	    (x->drained && caught_up)) {
		if (l->o.state_path != NULL && is_seq(mark) &&
		    (state = shard_state(l, x->key, mark, sub)) == NULL) {
			eb_set(e, "out of memory");
			return KIN_FAIL;
		}
		if (state != NULL && strlen(state) > KIN_LEASE_ITEM_MAX - 4096) {
			eb_set(e, "lease %s: the shard's window-avg state is %zu "
			    "bytes, more than a lease item holds (400 KB): "
			    "finalise windows with a watermark", x->key,
			    strlen(state));
			free(state);
			return KIN_FAIL;
		}
		if (x->drained && caught_up) {
			json_t *kids = children_of(r, x->key);

			st = kids == NULL ? KIN_FAIL : checkpoint(l, r, x,
			    SHARD_END, CK_SUB_WHOLE, state, kids, e);
			if (kids == NULL)
				eb_set(e, "out of memory");
			json_decref(kids);
			if (st == KIN_OK && x->held) {
				/* KCL lets a finished lease lapse; so do we */
				cli_warn("lease %s: SHARD_END", x->key);
				x->held = 0;
				st = sync_shards(l, e);
			}
		} else {
			st = checkpoint(l, r, x, mark, sub, state, NULL, e);
		}
		free(state);
		return st;
	}
	return renew(l, r, x, e);
}

/* Renew every held lease (a checkpoint renews too). One renewed late,
 * after a slow call, is still ours when its counter is: the conditional
 * write, not this clock, says who holds it. */
static enum kin_status
renew_all(struct kin_leases *l, struct kin_read *r, struct eb *e)
{
	enum kin_status st;

	if (read_state(l, e) != 0)
		return KIN_FAIL;
	for (size_t i = 0; i < l->n; i++) {
		struct kin_lease *x = &l->v[i];

		if (!x->held)
			continue;
		if ((st = keep_one(l, r, x, e)) != KIN_OK)
			return st;
		if (x->held && x->ended && !x->drained && x->last != NULL &&
		    x->checkpoint != NULL && !pos_above(x->last, CK_SUB_WHOLE,
		    x->checkpoint, x->checkpoint_sub))
			x->done = 1;
		else if (x->held && x->ended && x->last == NULL)
			x->done = 1;
	}
	return KIN_OK;
}

/* ---- -e: shards that others read ---- */

/* One GetRecords of one record at *it: its sequence number into *seq
 * (malloc'd); else *it becomes the iterator to ask again while
 * MillisBehindLatest says there is more, or NULL. */
static enum kin_status
ask_first(struct kin_leases *l, char **it, char **seq, struct eb *e)
{
	json_t *req = json_pack("{s:s,s:i}", "ShardIterator", *it, "Limit", 1);
	json_t *resp, *recs, *next;
	const char *s;
	enum kin_status st;

	free(*it);
	*it = NULL;
	st = kin_call(l->k, "GetRecords", req, &resp, e);
	json_decref(req);
	if (st != KIN_OK)
		return st;
	recs = json_object_get(resp, "Records");
	next = json_object_get(resp, "NextShardIterator");
	if (json_array_size(recs) > 0) {
		s = json_string_value(json_object_get(json_array_get(recs, 0),
		    "SequenceNumber"));
		if (s == NULL || (*seq = strdup(s)) == NULL) {
			eb_set(e, s == NULL ? "GetRecords: a record without "
			    "SequenceNumber" : "out of memory");
			st = KIN_FAIL;
		}
	} else if (json_is_string(next) && json_number_value(json_object_get(
	    resp, "MillisBehindLatest")) > 0 &&
	    (*it = strdup(json_string_value(next))) == NULL) {
		eb_set(e, "out of memory");
		st = KIN_FAIL;
	}
	json_decref(resp);
	return st;
}

/* The first record at a lease's checkpoint: none (*seq NULL), or its
 * sequence number (malloc'd). An empty answer while MillisBehindLatest
 * says there is more is no answer: AWS gives those short of the tip, and
 * a shard judged empty on one would never be read. Asked again at the
 * pace the service allows a shard. */
static enum kin_status
first_at(struct kin_leases *l, const struct kin_lease *x, char **seq,
    struct eb *e)
{
	const char *ck = x->checkpoint;
	char *it = NULL;
	enum kin_status st;

	*seq = NULL;
	/* inside an aggregate, the rest of the record at the checkpoint is
	 * still to read */
	st = kin_get_iterator(l->k, l->o.stream, x->key, is_seq(ck) ?
	    (x->checkpoint_sub == CK_SUB_WHOLE ? "AFTER_SEQUENCE_NUMBER" :
	    "AT_SEQUENCE_NUMBER") : strcmp(ck, "AT_TIMESTAMP") == 0 ?
	    "AT_TIMESTAMP" : "TRIM_HORIZON", is_seq(ck) ? ck : NULL,
	    l->o.from_ts_us, &it, e);
	while (st == KIN_OK && it != NULL) {
		st = ask_first(l, &it, seq, e);
		if (st == KIN_OK && it != NULL &&
		    kin_sleep(KIN_READ_INTERVAL_S, l->k->aws.stop) != 0)
			st = KIN_STOPPED;
	}
	free(it);
	return st;
}

/* Read to where it ended at this worker's start, by whichever worker:
 * nothing after its checkpoint, or only what was put since. */
static enum kin_status
judge(struct kin_leases *l, struct kin_read *r, struct kin_lease *x,
    struct eb *e)
{
	struct kin_shard *s = kin_shards_find(&r->sh, x->key);
	enum kin_status st;
	char *seq;

	if (finished(x) || x->gone) {
		x->done = 1;
		return KIN_OK;
	}
	if (x->held || s == NULL || s->closed || x->checkpoint == NULL)
		return KIN_OK;
	if (strcmp(x->checkpoint, "LATEST") == 0) {
		x->done = 1;	/* nothing before the start is wanted */
		return KIN_OK;
	}
	if ((st = kin_read_tip(r, s, e)) != KIN_OK)
		return st;
	if ((st = first_at(l, x, &seq, e)) != KIN_OK) {
		eb_wrap(e, "%s", x->key);
		return st;
	}
	x->done = seq == NULL || (s->end_seq != NULL && ck_seq_cmp(seq,
	    strlen(seq), s->end_seq, strlen(s->end_seq)) >= 0);
	free(seq);
	return KIN_OK;
}

/* ---- the hook ---- */

static enum kin_status
step(void *arg, struct kin_read *r, struct sb *out, struct eb *e)
{
	struct kin_leases *l = arg;
	double now = cli_now(), third = (double)l->o.failover_ms / 3000;
	enum kin_status st;

	if (l->failed) {
		*e = l->why;
		return KIN_FAIL;
	}
	if (!l->started) {
		if ((st = ensure_table(l, e)) != KIN_OK ||
		    (st = scan(l, e)) != KIN_OK || (st = sync_shards(l, e)) != KIN_OK)
			return st;
		l->started = 1;
		l->next_scan = now;
	}
	if (now >= l->next_renew) {
		if ((st = renew_all(l, r, e)) != KIN_OK)
			return st;
		l->next_renew = now + third;
	}
	if (now >= l->next_scan) {
		if ((st = scan(l, e)) != KIN_OK || (st = sync_shards(l, e)) != KIN_OK)
			return st;
		for (size_t i = 0; l->o.exit_at_end && i < l->n; i++)
			if (!l->v[i].done && in_start_set(l, l->v[i].key) &&
			    (st = judge(l, r, &l->v[i], e)) != KIN_OK)
				return st;
		if ((st = take_some(l, r, out, e)) != KIN_OK)
			return st;
		/* scans between renewals: an expired lease is seen within a
		 * third of the failover time */
		l->next_scan = now + third;
	}
	l->owner.wake = l->next_renew < l->next_scan ? l->next_renew : l->next_scan;
	return KIN_OK;
}

static void
ended(void *arg, const struct kin_shard *s, int drained)
{
	struct kin_leases *l = arg;
	struct kin_lease *x = find(l, s->id);
	char *last = s->seen.p != NULL ? strndup(s->seen.p, s->seen.n) :
	    s->pos != NULL ? strdup(s->pos) : NULL;

	if (x == NULL || !x->held || ((s->seen.p != NULL || s->pos != NULL) &&
	    last == NULL)) {
		free(last);
		if (x != NULL && x->held) {
			l->failed = 1;
			eb_set(&l->why, "out of memory");
		}
		return;
	}
	free(x->last);
	x->last = last;
	x->ended = 1;
	x->drained = drained;
	/* checkpoint it at the next turn, not a third of the failover later */
	l->next_renew = 0;
}

/* exit_at_end: every shard listed at the start has a lease, seen, and
 * read to its end; a shard whose lease has not been seen is not. */
static int
done(void *arg)
{
	struct kin_leases *l = arg;
	struct kin_lease *x;
	size_t i;
	json_t *v;

	if (!l->o.exit_at_end || !l->started)
		return 0;
	json_array_foreach(l->at_start, i, v)
		if ((x = find(l, json_string_value(v))) == NULL || !x->done)
			return 0;
	return 1;
}

int
kin_lease_init(struct kin_leases *l, struct ddb_client *d,
    struct kin_client *k, const struct kin_lease_opts *o, struct eb *e)
{
	memset(l, 0, sizeof(*l));
	l->d = d;
	l->k = k;
	l->o = *o;
	l->rng = aws_backoff_seed();
	l->owner = (struct kin_owner){ l, step, ended, done, 0 };
	if ((l->at_start = json_array()) == NULL)
		return eb_set(e, "out of memory");
	return 0;
}

size_t
kin_lease_held(const struct kin_leases *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i].held;
	return n;
}

enum kin_status
kin_lease_stop(struct kin_leases *l, struct kin_read *r, struct eb *e)
{
	enum kin_status st = KIN_OK, st2;

	if (!l->started)
		return KIN_OK;
	if (read_state(l, e) != 0)
		st = KIN_FAIL;
	for (size_t i = 0; i < l->n; i++) {
		struct kin_lease *x = &l->v[i];

		if (!x->held)
			continue;
		if (st == KIN_OK)
			st = keep_one(l, r, x, e);
		if (x->held && (st2 = evict(l, x, e)) != KIN_OK && st == KIN_OK)
			st = st2;
	}
	return st;
}

void
kin_lease_free(struct kin_leases *l)
{
	for (size_t i = 0; i < l->n; i++)
		lease_clear(&l->v[i]);
	free(l->v);
	json_decref(l->at_start);
	json_decref(l->state);
	memset(l, 0, sizeof(*l));
}
