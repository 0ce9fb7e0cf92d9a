#include <stdlib.h>
#include <string.h>

#include "base/ck.h"
#include "base/ck_sum.h"
#include "base/cli.h"
#include "json/jx.h"
#include "kinesis/kin_ckpt.h"
#include "kinesis/kin_pos.h"

/* Why a refusal: another file than expected, or a damaged one. */
enum refusal { R_OTHER, R_DAMAGED };

/* The "shards" map: every value a sequence number. Its failures, like
 * those of the other checks below, are damage. */
static int
check_shards(const json_t *map, struct eb *e)
{
	const char *key;
	json_t *v;

	if (!json_is_object(map))
		return eb_set(e, "no \"shards\" object");
	json_object_foreach((json_t *)map, key, v)
		if (!json_is_string(v) || !ck_seq_valid(json_string_value(v),
		    json_string_length(v)))
			return eb_set(e, "shard %s: sequence number is not a "
			    "decimal string", key);
	return 0;
}

/* The "starts" map: a fixed position for every shard, and one for each
 * shard with a sequence number too. */
static int
check_starts(const json_t *starts, const json_t *shards, struct eb *e)
{
	struct kin_pos p;
	const char *key;
	json_t *v;

	if (!json_is_object(starts))
		return eb_set(e, "no \"starts\" object");
	json_object_foreach((json_t *)starts, key, v)
		if (!json_is_string(v) ||
		    kin_pos_parse(json_string_value(v), &p, NULL) != 0 ||
		    p.type == KIN_POS_LATEST)
			return eb_set(e, "shard %s: bad start", key);
	json_object_foreach((json_t *)shards, key, v)
		if (json_object_get(starts, key) == NULL)
			return eb_set(e, "shard %s: a position without a start",
			    key);
	return 0;
}

/* The "subSequenceNumbers" map, when there is one: a count for shards
 * that have a sequence number too (a position inside a KPL aggregate). */
static int
check_subs(const json_t *subs, const json_t *shards, struct eb *e)
{
	const char *key;
	json_t *v;

	if (!json_is_object(subs))
		return eb_set(e, "\"subSequenceNumbers\" is not an object");
	json_object_foreach((json_t *)subs, key, v)
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) == CK_SUB_WHOLE ||
		    json_object_get(shards, key) == NULL)
			return eb_set(e, "shard %s: subSequenceNumber is not a "
			    "count beside a sequence number", key);
	return 0;
}

/* The version says whether the file must be sealed; older ones are read
 * as they are (and said to be, once accepted). */
static int
check_version(const json_t *doc, enum kin_ckpt_kind kind,
    enum ck_sum_status sum, enum refusal *why, struct eb *e)
{
	const json_t *v = json_object_get(doc, "version");
	int sealed = kind == KIN_CKPT_CHECKPOINT ? KIN_CKPT_VERSION :
	    KIN_CKPT_STATE_VERSION;
	json_int_t n;

	/* kin-read's first checkpoints had no "version" at all */
	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		*why = R_DAMAGED;
		return eb_set(e, "bad \"version\"");
	}
	n = json_integer_value(v);
	if (n == sealed) {
		if (sum == CK_SUM_OK)
			return 0;
		*why = R_DAMAGED;
		return eb_set(e, "no valid \"%s\" seal at its end",
		    CK_SUM_MEMBER);
	}
	if (kind == KIN_CKPT_STATE && n == KIN_CKPT_STATE_UNSEALED)
		return 0;
	return eb_set(e, "unsupported version %lld", (long long)n);
}

static int
load_doc(const json_t *doc, const char *stream, enum ck_sum_status sum,
    struct kin_ckpt *c, enum refusal *why, struct eb *e)
{
	const json_t *fmt = json_object_get(doc, "format");
	const json_t *st = json_object_get(doc, "stream");
	const json_t *map = json_object_get(doc, "shards");
	const json_t *starts = json_object_get(doc, "starts");
	const json_t *subs = json_object_get(doc, "subSequenceNumbers");
	const char *f = json_string_value(fmt);

	*why = R_OTHER;
	if (!json_is_object(doc) || (fmt != NULL && !json_is_string(fmt)))
		return eb_set(e, "not a checkpoint or state file");
	if (f != NULL && strcmp(f, KIN_CKPT_FORMAT) != 0 &&
	    strcmp(f, KIN_CKPT_STATE_FORMAT) != 0)
		return eb_set(e, "unknown format '%s'", f);
	c->kind = f != NULL && strcmp(f, KIN_CKPT_STATE_FORMAT) == 0 ?
	    KIN_CKPT_STATE : KIN_CKPT_CHECKPOINT;
	if (check_version(doc, c->kind, sum, why, e) != 0)
		return -1;
	if (json_is_string(st) && strcmp(json_string_value(st), stream) != 0)
		return eb_set(e, "positions are for stream '%s', not '%s'",
		    json_string_value(st), stream);
	*why = R_DAMAGED;
	if (check_shards(map, e) != 0 ||
	    (subs != NULL && check_subs(subs, map, e) != 0))
		return -1;
	if (c->kind == KIN_CKPT_CHECKPOINT && json_is_integer(json_object_get(
	    doc, "version"))) {
		if (!json_is_string(st))
			return eb_set(e, "no \"stream\"");
		if (check_starts(starts, map, e) != 0)
			return -1;
		c->starts = json_incref((json_t *)starts);
	}
	/* a file of a plain stream has none: every position is whole */
	if ((c->subs = subs != NULL ? json_incref((json_t *)subs) :
	    json_object()) == NULL) {
		*why = R_OTHER;
		return eb_set(e, "out of memory");
	}
	c->shards = json_incref((json_t *)map);
	return 0;
}

/* A damaged file is never used: say so, and what starting over costs. */
static int
refuse_damaged(const char *path, enum kin_ckpt_kind kind, struct eb *e)
{
	char why[sizeof(e->msg)];

	memcpy(why, e->msg, sizeof(why));
	if (kind == KIN_CKPT_STATE)
		return eb_set(e, "%s: damaged (%s): not used. To start over, "
		    "move it aside (mv %s %s.damaged): window-avg then starts "
		    "with no windows and kin-read reads each shard from its "
		    "start in --checkpoint's file, or --from", path, why, path,
		    path);
	return eb_set(e, "%s: damaged (%s): not used. To start over, move it "
	    "aside (mv %s %s.damaged): each shard then starts at --from, and "
	    "what was read since is read again or skipped", path, why, path,
	    path);
}

/* The opening a file of ours has, whatever became of the rest. */
static int
starts_like(const char *text, size_t len, const char *format)
{
	static const char open[] = "{\"format\":\"";
	size_t n = sizeof(open) - 1, f = strlen(format);

	return len > n + f && memcmp(text, open, n) == 0 &&
	    memcmp(text + n, format, f) == 0;
}

int
kin_ckpt_load_text(const char *text, size_t len, const char *path,
    const char *stream, struct kin_ckpt *c, struct eb *e)
{
	enum ck_sum_status sum = ck_sum_check(text, len);
	enum refusal why = R_DAMAGED;
	json_t *doc = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	c->kind = starts_like(text, len, KIN_CKPT_STATE_FORMAT) ?
	    KIN_CKPT_STATE : KIN_CKPT_CHECKPOINT;
	if (sum == CK_SUM_BAD)
		rc = eb_set(e, "its %s does not match its content",
		    CK_SUM_MEMBER);
	else if ((doc = jx_load_text(text, len, "not JSON", e)) == NULL) {
		/* ours, cut or garbled, or not ours at all */
		rc = -1;
		if (!starts_like(text, len, KIN_CKPT_FORMAT) &&
		    !starts_like(text, len, KIN_CKPT_STATE_FORMAT))
			why = R_OTHER;
	} else
		rc = load_doc(doc, stream, sum, c, &why, e);
	/* the messages may quote the document: it is freed after them */
	json_decref(doc);
	if (rc == 0) {
		if (sum == CK_SUM_NONE)
			cli_warn("%s: written by an older kinpipe, without a "
			    "checksum: used as it is", path);
		return 0;
	}
	kin_ckpt_free(c);
	if (why == R_DAMAGED)
		return refuse_damaged(path, c->kind, e);
	return eb_wrap(e, "%s", path);
}

int
kin_ckpt_load(const char *path, const char *stream, struct kin_ckpt *c,
    struct eb *e)
{
	struct sb text = SB_INIT;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = ck_read_file(path, &text, e)) == 0)
		rc = kin_ckpt_load_text(text.buf ? text.buf : "", text.len, path,
		    stream, c, e);
	sb_free(&text);
	return rc;
}

void
kin_ckpt_free(struct kin_ckpt *c)
{
	json_decref(c->shards);
	json_decref(c->subs);
	json_decref(c->starts);
	c->shards = c->subs = c->starts = NULL;
}

int
kin_ckpt_save(const char *path, const char *stream, const json_t *shards,
    const json_t *subs, const json_t *starts, struct eb *e)
{
	struct sb out = SB_INIT;
	int rc;

	sb_adds(&out, "{\"format\":\"" KIN_CKPT_FORMAT "\",\"version\":");
	jx_put_int(&out, KIN_CKPT_VERSION);
	sb_adds(&out, ",\"stream\":");
	jx_put_cstr(&out, stream);
	sb_adds(&out, ",\"shards\":");
	jx_dump(&out, shards);
	/* only when there are any: files of plain streams stay as they were */
	if (subs != NULL && json_object_size(subs) > 0) {
		sb_adds(&out, ",\"subSequenceNumbers\":");
		jx_dump(&out, subs);
	}
	sb_adds(&out, ",\"starts\":");
	jx_dump(&out, starts);
	/* one line, newline-terminated: pleasant to cat */
	ck_sum_seal(&out, 0);
	if (sb_failed(&out)) {
		sb_free(&out);
		return eb_set(e, "%s: out of memory", path);
	}
	rc = ck_write_atomic(path, out.buf, out.len, e);
	sb_free(&out);
	return rc;
}
