#include <stdlib.h>
#include <string.h>

#include "base/ck.h"
#include "json/jx.h"
#include "kinesis/kin_ckpt.h"

/* The shard of the first position that is not a decimal string, or NULL. */
static const char *
bad_position(json_t *map)
{
	const char *key;
	json_t *v;

	json_object_foreach(map, key, v)
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    strspn(json_string_value(v), "0123456789") !=
		    json_string_length(v))
			return key;
	return NULL;
}

/* The shard of the first subSequenceNumber that is not a count or has
 * no sequence number beside it, or NULL. */
static const char *
bad_sub(json_t *subs, json_t *map)
{
	const char *key;
	json_t *v;

	json_object_foreach(subs, key, v)
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) == CK_SUB_WHOLE ||
		    json_object_get(map, key) == NULL)
			return key;
	return NULL;
}

int
kin_ckpt_load(const char *path, const char *stream, json_t **shards,
    json_t **subs, struct eb *e)
{
	json_t *doc, *fmt, *st, *map, *sub;
	const char *f, *bad;
	int rc = -1;

	*shards = NULL;
	*subs = NULL;
	if ((doc = jx_load_file(path, e)) == NULL)
		return -1;
	fmt = json_object_get(doc, "format");
	st = json_object_get(doc, "stream");
	map = json_object_get(doc, "shards");
	sub = json_object_get(doc, "subSequenceNumbers");
	f = json_string_value(fmt);
	/* the messages quote the document: it is freed after them, not before */
	if (!json_is_object(doc) || (fmt != NULL && !json_is_string(fmt)))
		eb_set(e, "%s: not a checkpoint or state file", path);
	else if (f != NULL && strcmp(f, KIN_CKPT_FORMAT) != 0 &&
	    strcmp(f, "kinpipe-window-avg-state") != 0)
		eb_set(e, "%s: unknown format '%s'", path, f);
	else if (json_is_string(st) && strcmp(json_string_value(st), stream) != 0)
		eb_set(e, "%s: positions are for stream '%s', not '%s'",
		    path, json_string_value(st), stream);
	else if (!json_is_object(map))
		eb_set(e, "%s: no \"shards\" object", path);
	else if ((bad = bad_position(map)) != NULL)
		eb_set(e, "%s: shard %s: sequence number is not a "
		    "decimal string", path, bad);
	else if (sub != NULL && !json_is_object(sub))
		eb_set(e, "%s: \"subSequenceNumbers\" is not an object", path);
	else if (sub != NULL && (bad = bad_sub(sub, map)) != NULL)
		eb_set(e, "%s: shard %s: subSequenceNumber is not a count "
		    "beside a sequence number", path, bad);
	else if ((*subs = sub ? json_incref(sub) : json_object()) == NULL)
		eb_set(e, "out of memory");
	else {
		*shards = json_incref(map);
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

int
kin_ckpt_save(const char *path, const char *stream, const json_t *shards,
    const json_t *subs, struct eb *e)
{
	json_t *doc = json_pack("{s:s,s:s,s:O}", "format", KIN_CKPT_FORMAT,
	    "stream", stream, "shards", (json_t *)shards);
	char *text, *nl;
	int r;

	/* only when there are any: files of plain streams stay as they were */
	if (doc != NULL && json_object_size(subs) > 0 &&
	    json_object_set(doc, "subSequenceNumbers", (json_t *)subs) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc == NULL || (text = jx_dumps(doc)) == NULL) {
		json_decref(doc);
		return eb_set(e, "out of memory");
	}
	json_decref(doc);
	/* one line, newline-terminated: pleasant to cat */
	if ((nl = realloc(text, strlen(text) + 2)) == NULL) {
		free(text);
		return eb_set(e, "out of memory");
	}
	text = nl;
	strcat(text, "\n");
	r = ck_write_atomic(path, text, strlen(text), e);
	free(text);
	return r;
}
