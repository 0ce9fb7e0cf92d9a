#include <stdlib.h>
#include <string.h>

#include "base/ck.h"
#include "kinesis/kin_shard.h"

static char *
dup_string(const json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static int
has_string(const json_t *shard, const char *key)
{
	return json_is_string(json_object_get(shard, key));
}

struct kin_shard *
kin_shards_find(const struct kin_shards *s, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < s->n; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	return NULL;
}

static const json_t *
range_end(const json_t *shard, const char *end)
{
	return json_object_get(json_object_get(shard, "SequenceNumberRange"),
	    end);
}

static int
is_closed(const json_t *shard)
{
	return json_is_string(range_end(shard, "EndingSequenceNumber"));
}

/* A range that does not parse is left unchecked, as KCL does without one. */
static void
hash_range(struct kin_shard *sh, const json_t *shard)
{
	json_t *r = json_object_get(shard, "HashKeyRange");
	json_t *lo = json_object_get(r, "StartingHashKey");
	json_t *hi = json_object_get(r, "EndingHashKey");

	sh->has_range = json_is_string(lo) && json_is_string(hi) &&
	    kin_hash_parse(json_string_value(lo), json_string_length(lo),
	    &sh->hash_lo) == 0 && kin_hash_parse(json_string_value(hi),
	    json_string_length(hi), &sh->hash_hi) == 0;
}

int
kin_shards_add(struct kin_shards *s, const json_t *list, size_t *added,
    struct eb *e)
{
	size_t i;
	json_t *it, *id;
	struct kin_shard *sh, *nv;

	*added = 0;
	json_array_foreach(list, i, it) {
		id = json_object_get(it, "ShardId");
		if (!json_is_string(id))
			return eb_set(e, "ListShards: a shard without ShardId");
		if ((sh = kin_shards_find(s, json_string_value(id))) != NULL) {
			if (!sh->closed && is_closed(it) &&
			    (sh->last_seq = dup_string(range_end(it,
			    "EndingSequenceNumber"))) == NULL)
				return eb_set(e, "out of memory");
			sh->closed |= is_closed(it);
			continue;
		}
		if (s->n == s->cap) {
			size_t ncap = s->cap ? s->cap * 2 : 16;

			if ((nv = realloc(s->v, ncap * sizeof(*nv))) == NULL)
				return eb_set(e, "out of memory");
			s->v = nv;
			s->cap = ncap;
		}
		sh = &s->v[s->n];
		memset(sh, 0, sizeof(*sh));
		sh->id = dup_string(id);
		sh->parent = dup_string(json_object_get(it, "ParentShardId"));
		sh->adjacent = dup_string(json_object_get(it, "AdjacentParentShardId"));
		sh->first_seq = dup_string(range_end(it, "StartingSequenceNumber"));
		sh->last_seq = dup_string(range_end(it, "EndingSequenceNumber"));
		sh->closed = is_closed(it);
		sh->state = KS_WAIT;
		sh->pos_sub = CK_SUB_WHOLE;
		hash_range(sh, it);
		/* a parent lost to out of memory would read a child before it */
		if (sh->id == NULL ||
		    (sh->parent == NULL && has_string(it, "ParentShardId")) ||
		    (sh->adjacent == NULL && has_string(it, "AdjacentParentShardId")) ||
		    (sh->first_seq == NULL && json_is_string(range_end(it,
		    "StartingSequenceNumber"))) ||
		    (sh->last_seq == NULL && sh->closed)) {
			free(sh->id);
			free(sh->parent);
			free(sh->adjacent);
			free(sh->first_seq);
			free(sh->last_seq);
			return eb_set(e, "out of memory");
		}
		s->n++;
		(*added)++;
	}
	return 0;
}

void
kin_shards_free(struct kin_shards *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].id);
		free(s->v[i].parent);
		free(s->v[i].adjacent);
		free(s->v[i].first_seq);
		free(s->v[i].last_seq);
		free(s->v[i].iter);
		free(s->v[i].pos);
		free(s->v[i].start_seq);
		free(s->v[i].tip);
		free(s->v[i].end_seq);
		free(s->v[i].cont);
		kin_evs_free(&s->v[i].evs);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

uint64_t
kin_shard_number(const char *id)
{
	const char *dash = strrchr(id, '-'), *p;
	uint64_t v = 0, h = UINT64_C(1469598103934665603);

	if (dash != NULL && dash[1] != '\0') {
		for (p = dash + 1; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		if (*p == '\0')
			return v;
	}
	/* not Kinesis's usual form: FNV-1a keeps the assignment stable */
	for (p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
	return h;
}

int
kin_shard_owner(const struct kin_shards *s, const struct kin_shard *sh,
    int count)
{
	const struct kin_shard *up;
	size_t depth;

	/* the depth bound guards against a cycle in a corrupt listing */
	for (depth = 0; depth <= s->n; depth++) {
		if ((up = kin_shards_find(s, sh->parent)) == NULL)
			break;
		sh = up;
	}
	return (int)(kin_shard_number(sh->id) % (uint64_t)count);
}

static int
unfinished(const struct kin_shards *s, const char *id)
{
	const struct kin_shard *p = kin_shards_find(s, id);

	return p != NULL && p->mine && p->state != KS_DONE;
}

int
kin_shard_parents_done(const struct kin_shards *s, const struct kin_shard *sh)
{
	return !unfinished(s, sh->parent) && !unfinished(s, sh->adjacent);
}
