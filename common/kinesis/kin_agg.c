#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ck.h"
#include "json/jx.h"
#include "kinesis/kin_agg.h"

/* the partition key of an aggregate: the KPL's one byte, routing being
 * by its explicit hash key */
#define AGG_KEY "a"

struct span {
	size_t first, count;
};

void
kin_agg_init(struct kin_agg *a)
{
	memset(a, 0, sizeof(*a));
	kin_kpl_pack_init(&a->pack);
	kin_kpl_init(&a->kpl);
}

static void
free_map(struct kin_agg *a)
{
	for (size_t i = 0; i < a->nmap; i++)
		free(a->map[i].id);
	free(a->map);
	a->map = NULL;
	a->nmap = 0;
}

static void
clear_outcome(struct kin_agg_user *u)
{
	free(u->shard_id);
	free(u->seq);
	u->shard_id = u->seq = NULL;
	u->sub = CK_SUB_WHOLE;
}

void
kin_agg_reset(struct kin_agg *a)
{
	for (size_t i = 0; i < a->n; i++) {
		clear_outcome(&a->v[i]);
		free(a->v[i].error);
	}
	a->n = 0;
	a->bytes = 0;
	a->failed = a->refused = 0;
	sb_reset(&a->arena);
}

void
kin_agg_free(struct kin_agg *a)
{
	kin_agg_reset(a);
	free(a->v);
	sb_free(&a->arena);
	free_map(a);
	kin_kpl_pack_free(&a->pack);
	kin_kpl_free(&a->kpl);
	kin_batch_free(&a->b);
	free(a->order);
	memset(a, 0, sizeof(*a));
}

/* Every shard with a range, open or closed: a closed one is never packed
 * for (its lo..hi is set empty) but is still where a record may land. */
enum kin_status
kin_agg_map(struct kin_agg *a, struct kin_client *k, const char *stream,
    struct eb *e)
{
	json_t *list, *it, *r, *lo, *hi, *end;
	enum kin_status st;
	size_t i, n = 0;

	if ((st = kin_list_shards(k, stream, &list, e)) != KIN_OK)
		return st;
	free_map(a);
	if ((a->map = calloc(json_array_size(list) + 1, sizeof(*a->map))) == NULL) {
		json_decref(list);
		eb_set(e, "out of memory");
		return KIN_FAIL;
	}
	json_array_foreach(list, i, it) {
		struct kin_agg_shard *s = &a->map[n];

		r = json_object_get(it, "HashKeyRange");
		lo = json_object_get(r, "StartingHashKey");
		hi = json_object_get(r, "EndingHashKey");
		end = json_object_get(json_object_get(it, "SequenceNumberRange"),
		    "EndingSequenceNumber");
		if (!json_is_string(json_object_get(it, "ShardId")) ||
		    !json_is_string(lo) || !json_is_string(hi) ||
		    kin_hash_parse(json_string_value(lo), json_string_length(lo),
		    &s->lo) != 0 || kin_hash_parse(json_string_value(hi),
		    json_string_length(hi), &s->hi) != 0) {
			json_decref(list);
			eb_set(e, "ListShards: a shard without a hash key range");
			return KIN_FAIL;
		}
		if ((s->id = strdup(json_string_value(json_object_get(it,
		    "ShardId")))) == NULL) {
			json_decref(list);
			eb_set(e, "out of memory");
			return KIN_FAIL;
		}
		s->open = !json_is_string(end);
		a->nmap = ++n;
	}
	json_decref(list);
	return KIN_OK;
}

/* The open shard whose range holds h; nmap when none does. */
static size_t
shard_of(const struct kin_agg *a, kin_hash h)
{
	for (size_t i = 0; i < a->nmap; i++)
		if (a->map[i].open && h >= a->map[i].lo && h <= a->map[i].hi)
			return i;
	return a->nmap;
}

static struct kin_agg_user *
new_user(struct kin_agg *a, uint64_t line)
{
	struct kin_agg_user *nv;
	size_t ncap;

	if (a->n == a->cap) {
		ncap = a->cap ? a->cap * 2 : 256;
		if ((nv = realloc(a->v, ncap * sizeof(*nv))) == NULL)
			return NULL;
		a->v = nv;
		a->cap = ncap;
	}
	nv = &a->v[a->n++];
	memset(nv, 0, sizeof(*nv));
	nv->line = line;
	nv->sub = CK_SUB_WHOLE;
	return nv;
}

int
kin_agg_add(struct kin_agg *a, uint64_t line, const char *data, size_t dlen,
    const char *key, size_t klen)
{
	struct kin_agg_user *u = new_user(a, line);

	if (u == NULL || kin_kpl_key_hash(&a->kpl, key, klen, &u->hash) != 0)
		return -1;
	u->off = a->arena.len;
	u->dlen = dlen;
	u->klen = klen;
	sb_add(&a->arena, data, dlen);
	sb_add(&a->arena, key, klen);
	a->bytes += dlen + klen;
	return sb_failed(&a->arena) ? -1 : 0;
}

int
kin_agg_add_error(struct kin_agg *a, uint64_t line, const char *why)
{
	struct kin_agg_user *u = new_user(a, line);

	if (u == NULL || (u->error = strdup(why)) == NULL)
		return -1;
	a->refused++;
	return 0;
}

int
kin_agg_full(const struct kin_agg *a)
{
	return a->bytes >= KIN_PUT_MAX_BATCH;
}

static int
pending(const struct kin_agg_user *u)
{
	return u->seq == NULL && u->error == NULL;
}

/* The pending user records grouped by shard, input order within each
 * (a counting sort); returns how many. */
static size_t
group(struct kin_agg *a, struct eb *e, int *rc)
{
	size_t *start, i, n = 0, *nv;

	*rc = 0;
	if (a->n > a->ecap) {
		if ((nv = realloc(a->order, a->n * sizeof(*nv))) == NULL) {
			*rc = eb_set(e, "out of memory");
			return 0;
		}
		a->order = nv;
		a->ecap = a->n;
	}
	if ((start = calloc(a->nmap + 2, sizeof(*start))) == NULL) {
		*rc = eb_set(e, "out of memory");
		return 0;
	}
	for (i = 0; i < a->n; i++)
		if (pending(&a->v[i])) {
			a->v[i].shard = shard_of(a, a->v[i].hash);
			start[a->v[i].shard + 1]++;
			n++;
		}
	for (i = 1; i <= a->nmap + 1; i++)
		start[i] += start[i - 1];
	for (i = 0; i < a->n; i++)
		if (pending(&a->v[i]))
			a->order[start[a->v[i].shard]++] = i;
	free(start);
	return n;
}

static int
set_error(struct kin_agg *a, struct span s, const char *why)
{
	for (size_t j = 0; j < s.count; j++) {
		struct kin_agg_user *u = &a->v[a->order[s.first + j]];

		if ((u->error = strdup(why)) == NULL)
			return -1;
		a->failed++;
	}
	return 0;
}

/* The outcome of batch entry i, the user records of span s: each gets the
 * Kinesis record's shard and sequence number, and its place in it. */
static int
take(struct kin_agg *a, size_t i, struct span s, struct span **susp,
    size_t *nsusp, size_t *suspcap)
{
	const struct kin_put_entry *en = &a->b.v[i];
	struct kin_agg_user *first = &a->v[a->order[s.first]];

	if (en->seq == NULL)
		return set_error(a, s, en->error ? en->error : "not sent");
	for (size_t j = 0; j < s.count; j++) {
		struct kin_agg_user *u = &a->v[a->order[s.first + j]];

		if ((u->shard_id = strdup(en->shard)) == NULL ||
		    (u->seq = strdup(en->seq)) == NULL)
			return -1;
		u->sub = s.count > 1 ? (int64_t)j : CK_SUB_WHOLE;
	}
	/* landed elsewhere than predicted: looked at again once the map
	 * is taken again */
	if (s.count > 1 && (first->shard == a->nmap ||
	    strcmp(a->map[first->shard].id, en->shard) != 0)) {
		if (*nsusp == *suspcap) {
			size_t ncap = *suspcap ? *suspcap * 2 : 16;
			struct span *nv = realloc(*susp, ncap * sizeof(*nv));

			if (nv == NULL)
				return -1;
			*susp = nv;
			*suspcap = ncap;
		}
		(*susp)[(*nsusp)++] = s;
	}
	return 0;
}

static enum kin_status
send_batch(struct kin_agg *a, struct kin_client *k, const char *stream,
    const struct span *spans, struct span **susp, size_t *nsusp,
    size_t *suspcap, struct eb *e)
{
	enum kin_status st;

	if (a->b.n == 0)
		return KIN_OK;
	if ((st = kin_batch_send(k, stream, &a->b, e)) != KIN_OK)
		return st;
	a->retries += a->b.retries;
	a->b.retries = 0;
	for (size_t i = 0; i < a->b.n; i++)
		if (take(a, i, spans[i], susp, nsusp, suspcap) != 0) {
			eb_set(e, "out of memory");
			return KIN_FAIL;
		}
	kin_batch_reset(&a->b);
	return KIN_OK;
}

/* Pack the longest run of pending user records from order[i] on that
 * goes to one shard within the record limit (at least one); returns its
 * length, 0 on out of memory. */
static size_t
pack_run(struct kin_agg *a, size_t i, size_t n)
{
	size_t j = i, shard = a->v[a->order[i]].shard;

	kin_kpl_pack_reset(&a->pack);
	for (; j < n; j++) {
		struct kin_agg_user *u = &a->v[a->order[j]];
		const char *key = a->arena.buf + u->off + u->dlen;

		/* no shard predicted: each goes alone, wherever it lands */
		if (j > i && (u->shard != shard || shard == a->nmap ||
		    kin_kpl_pack_size_with(&a->pack, key, u->klen, u->dlen) +
		    strlen(AGG_KEY) > KIN_PUT_MAX_RECORD))
			break;
		if (kin_kpl_pack_add(&a->pack, key, u->klen, a->arena.buf + u->off,
		    u->dlen) != 0)
			return 0;
	}
	return j - i;
}

/* The Kinesis record of the packed run s into the batch: the plain record
 * when it is one user record, else the aggregate. Either way with the
 * first user record's hash key as ExplicitHashKey, as the KPL does. */
static int
add_entry(struct kin_agg *a, struct span s)
{
	struct kin_agg_user *u = &a->v[a->order[s.first]];
	char ehk[48];
	size_t hlen = kin_hash_fmt(u->hash, ehk);

	if (s.count == 1)
		return kin_batch_add_ehk(&a->b, u->line, a->arena.buf + u->off,
		    u->dlen, a->arena.buf + u->off + u->dlen, u->klen, ehk, hlen);
	if (kin_kpl_pack_finish(&a->pack, &a->kpl) != 0)
		return -1;
	a->aggregates++;
	return kin_batch_add_ehk(&a->b, u->line, a->pack.out.buf,
	    a->pack.out.len, AGG_KEY, strlen(AGG_KEY), ehk, hlen);
}

static size_t
entry_size(const struct kin_agg *a, struct span s)
{
	const struct kin_agg_user *u = &a->v[a->order[s.first]];

	return s.count == 1 ? u->dlen + u->klen :
	    a->pack.keys.len + a->pack.recs.len + KIN_KPL_MAGIC_LEN +
	    KIN_KPL_MD5_LEN + strlen(AGG_KEY);
}

/* A suspect aggregate stands when every user record of it is in the
 * range of the shard it landed in (by the map taken again): a consumer
 * keeps it. Otherwise its outcomes are forgotten: it goes again. */
static size_t
recheck(struct kin_agg *a, const struct span *susp, size_t nsusp)
{
	size_t again = 0;

	for (size_t i = 0; i < nsusp; i++) {
		const struct kin_agg_shard *at = NULL;
		size_t j;

		for (j = 0; j < a->nmap; j++)
			if (strcmp(a->map[j].id, a->v[a->order[susp[i].first]].shard_id) == 0)
				at = &a->map[j];
		for (j = 0; at != NULL && j < susp[i].count; j++) {
			kin_hash h = a->v[a->order[susp[i].first + j]].hash;

			if (h < at->lo || h > at->hi)
				break;
		}
		if (at != NULL && j == susp[i].count)
			continue;
		for (j = 0; j < susp[i].count; j++)
			clear_outcome(&a->v[a->order[susp[i].first + j]]);
		again += susp[i].count;
	}
	return again;
}

enum kin_status
kin_agg_send(struct kin_agg *a, struct kin_client *k, const char *stream,
    struct eb *e)
{
	struct span spans[KIN_PUT_MAX_RECORDS], *susp = NULL, s;
	size_t n, i, nsusp, suspcap = 0, round;
	enum kin_status st = KIN_OK;
	int rc;

	for (round = 0;; round++) {
		n = group(a, e, &rc);
		if (rc != 0 || n == 0)
			break;
		nsusp = 0;
		for (i = 0; i < n && st == KIN_OK; i += s.count) {
			s.first = i;
			if ((s.count = pack_run(a, i, n)) == 0) {
				eb_set(e, "out of memory");
				st = KIN_FAIL;
				break;
			}
			if (!kin_batch_fits(&a->b, entry_size(a, s), 0) &&
			    (st = send_batch(a, k, stream, spans, &susp, &nsusp,
			    &suspcap, e)) != KIN_OK)
				break;
			spans[a->b.n] = s;
			if (add_entry(a, s) != 0) {
				eb_set(e, "out of memory");
				st = KIN_FAIL;
			}
		}
		if (st == KIN_OK)
			st = send_batch(a, k, stream, spans, &susp, &nsusp,
			    &suspcap, e);
		if (st != KIN_OK || nsusp == 0)
			break;
		if (round == KIN_AGG_MAX_REMAPS) {
			eb_set(e, "aggregates keep landing outside the shards "
			    "predicted (%d fresh shard maps)", KIN_AGG_MAX_REMAPS);
			st = KIN_FAIL;
			break;
		}
		if ((st = kin_agg_map(a, k, stream, e)) != KIN_OK)
			break;
		a->remaps += recheck(a, susp, nsusp) > 0;
	}
	free(susp);
	if (rc != 0)
		return KIN_FAIL;
	if (st != KIN_OK)
		kin_batch_reset(&a->b);
	return st;
}

void
kin_agg_results(const struct kin_agg *a, struct sb *out)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct kin_agg_user *u = &a->v[i];

		sb_adds(out, "{\"line\":");
		jx_put_int(out, (int64_t)u->line);
		if (u->seq != NULL) {
			sb_adds(out, ",\"shardId\":");
			jx_put_cstr(out, u->shard_id);
			sb_adds(out, ",\"sequenceNumber\":");
			jx_put_cstr(out, u->seq);
			if (u->sub != CK_SUB_WHOLE) {
				sb_adds(out, ",\"subSequenceNumber\":");
				jx_put_int(out, u->sub);
			}
		} else {
			sb_adds(out, ",\"error\":");
			jx_put_cstr(out, u->error ? u->error : "not sent");
		}
		sb_adds(out, "}\n");
	}
}
