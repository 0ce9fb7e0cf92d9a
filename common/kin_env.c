#include <sodium.h>
#include <string.h>

#include "jx.h"
#include "kin_env.h"
#include "tm.h"

/* By hand: a dozen lines, and no Debian library exposes a plain
 * validator (jansson validates only as part of building a string). */
int
kin_utf8_valid(const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;
	unsigned c;
	size_t k, i;
	uint32_t cp, min;

	while (p < end) {
		c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if ((size_t)(end - p) <= k)
			return 0;
		for (i = 1; i <= k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += k + 1;
	}
	return 1;
}

int
kin_b64_decode(const char *b64, size_t len, struct sb *out, struct eb *e)
{
	size_t n = 0;

	sb_reset(out);
	if (sb_reserve(out, len / 4 * 3 + 3) != 0)
		return eb_set(e, "out of memory");
	if (sodium_base642bin((unsigned char *)out->buf, out->cap, b64, len,
	    NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return eb_set(e, "Data is not valid base64");
	out->len = n;
	return 0;
}

void
kin_b64_encode(const unsigned char *p, size_t n, struct sb *out)
{
	size_t need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);

	if (sb_reserve(out, need) != 0)
		return;
	sodium_bin2base64(out->buf + out->len, need, p, n,
	    sodium_base64_VARIANT_ORIGINAL);
	out->len += need - 1;
}

static const char *
field(const json_t *rec, const char *name, size_t *len, struct eb *e)
{
	json_t *v = json_object_get(rec, name);

	if (!json_is_string(v)) {
		eb_set(e, "GetRecords: record without %s", name);
		return NULL;
	}
	*len = json_string_length(v);
	return json_string_value(v);
}

int
kin_env_put(struct sb *out, const char *stream, const char *shard,
    const json_t *rec, struct sb *scratch, int64_t *arrival_us,
    size_t *bytes, struct eb *e)
{
	const char *data, *key, *seq;
	size_t dlen, klen, slen, n;
	json_t *at = json_object_get(rec, "ApproximateArrivalTimestamp");
	char ts[TM_RFC3339_MAX];

	if ((data = field(rec, "Data", &dlen, e)) == NULL ||
	    (key = field(rec, "PartitionKey", &klen, e)) == NULL ||
	    (seq = field(rec, "SequenceNumber", &slen, e)) == NULL)
		return -1;
	if (!json_is_number(at))
		return eb_set(e, "GetRecords: record %s without "
		    "ApproximateArrivalTimestamp", seq);
	if (tm_from_epoch_seconds(json_number_value(at), arrival_us, e) != 0)
		return eb_wrap(e, "GetRecords: record %s", seq);
	if (kin_b64_decode(data, dlen, scratch, e) != 0)
		return eb_wrap(e, "GetRecords: record %s", seq);
	*bytes = scratch->len;
	sb_adds(out, "{\"data\":");
	if (kin_utf8_valid((unsigned char *)scratch->buf, scratch->len)) {
		jx_put_string(out, scratch->buf, scratch->len);
	} else {
		/* re-encoded rather than copied: canonical whatever the server sent */
		sb_addc(out, '"');
		kin_b64_encode((unsigned char *)scratch->buf, scratch->len, out);
		sb_adds(out, "\",\"dataEncoding\":\"base64\"");
	}
	sb_adds(out, ",\"stream\":");
	jx_put_cstr(out, stream);
	sb_adds(out, ",\"shardId\":");
	jx_put_cstr(out, shard);
	sb_adds(out, ",\"sequenceNumber\":");
	jx_put_string(out, seq, slen);
	sb_adds(out, ",\"partitionKey\":");
	jx_put_string(out, key, klen);
	sb_adds(out, ",\"approximateArrivalTimestamp\":\"");
	n = tm_fmt_rfc3339(*arrival_us, ts);
	sb_add(out, ts, n);
	sb_adds(out, "\"}");
	return sb_failed(out) ? eb_set(e, "out of memory") : 0;
}
