#include "json/prov.h"

static void
put_text(const char *p, size_t len, struct sb *out)
{
	size_t n = len > PROV_MAX ? PROV_MAX : len;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		sb_addc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (len > PROV_MAX)
		sb_adds(out, "...");
}

void
prov_describe_text(const char *shard, size_t shardlen, const char *seq,
    size_t seqlen, const char *sub, size_t sublen, struct sb *out)
{
	sb_adds(out, " (");
	put_text(shard, shardlen, out);
	sb_addc(out, ' ');
	put_text(seq, seqlen, out);
	if (sub != NULL) {
		sb_addc(out, ':');
		put_text(sub, sublen, out);
	}
	sb_addc(out, ')');
}

void
prov_describe_values(const struct rec_member *shard,
    const struct rec_member *seq, const struct rec_member *sub,
    struct sb *out)
{
	struct sb a = SB_INIT, b = SB_INIT;
	/* a number's text has nothing to decode */
	int has_sub = sub != NULL && sub->type == REC_NUMBER;

	if (shard == NULL || seq == NULL || shard->type != REC_STRING ||
	    seq->type != REC_STRING)
		return;
	rec_string_decode(shard->val, &a);
	rec_string_decode(seq->val, &b);
	if (!sb_failed(&a) && !sb_failed(&b))
		prov_describe_text(a.buf ? a.buf : "", a.len,
		    b.buf ? b.buf : "", b.len, has_sub ? sub->val.p : NULL,
		    has_sub ? sub->val.n : 0, out);
	sb_free(&a);
	sb_free(&b);
}

void
prov_describe(const struct rec *r, struct sb *out)
{
	prov_describe_values(rec_get(r, "shardId", 7),
	    rec_get(r, "sequenceNumber", 14),
	    rec_get(r, "subSequenceNumber", 17), out);
}
