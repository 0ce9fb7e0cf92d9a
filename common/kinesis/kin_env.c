#include <stdio.h>
#include <string.h>

#include "json/jx.h"
#include "kinesis/kin_env.h"

/* By hand: a dozen lines, and no Debian library exposes a plain
 * validator (jansson validates only as part of building a string). */
int
kin_utf8_valid(const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;

	while (p < end) {
		/* ASCII eight bytes at a time: payloads are mostly JSON text */
		while (end - p >= 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			p += 8;
		}
		if (p == end)
			break;
		if (*p < 0x80) {
			p++;
			continue;
		}
		n = rec_utf8_seq((const char *)p, (size_t)(end - p));
		if (n == 0)
			return 0;
		p += n;
	}
	return 1;
}

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* By hand rather than libsodium's sodium_base642bin, which was a tenth
 * of kin-read's time per record (it is written to be constant-time). */
int
kin_b64_decode(const char *b64, size_t len, struct sb *out, struct eb *e)
{
	static signed char val[256];
	static int ready;
	const unsigned char *s = (const unsigned char *)b64;
	unsigned char *o;
	size_t i, pad = 0;
	int a, b, c, d;

	if (!ready) {
		memset(val, -1, sizeof(val));
		for (i = 0; i < 64; i++)
			val[(unsigned char)b64_chars[i]] = (signed char)i;
		ready = 1;
	}
	sb_reset(out);
	if (len == 0)
		return 0;
	if (len % 4 != 0)
		return eb_set(e, "Data is not valid base64: length %zu", len);
	if (len > 0 && s[len - 1] == '=')
		pad = (len > 1 && s[len - 2] == '=') ? 2 : 1;
	if (sb_reserve(out, len / 4 * 3) != 0)
		return eb_set(e, "out of memory");
	o = (unsigned char *)out->buf;
	for (i = 0; i < len; i += 4) {
		a = val[s[i]];
		b = val[s[i + 1]];
		c = (i + 4 == len && pad == 2) ? 0 : val[s[i + 2]];
		d = (i + 4 == len && pad >= 1) ? 0 : val[s[i + 3]];
		if ((a | b | c | d) < 0)
			return eb_set(e, "Data is not valid base64");
		*o++ = (unsigned char)(a << 2 | b >> 4);
		*o++ = (unsigned char)(b << 4 | c >> 2);
		*o++ = (unsigned char)(c << 6 | d);
	}
	out->len = len / 4 * 3 - pad;
	return 0;
}

void
kin_b64_encode(const unsigned char *p, size_t n, struct sb *out)
{
	size_t i;
	char *o;
	unsigned v;

	if (n == 0 || sb_reserve(out, (n + 2) / 3 * 4) != 0)
		return;
	o = out->buf + out->len;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = b64_chars[v >> 18];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = b64_chars[(v >> 6) & 63];
		*o++ = b64_chars[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned)p[i] << 16;
		*o++ = b64_chars[v >> 18];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		*o++ = b64_chars[v >> 18];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = b64_chars[(v >> 6) & 63];
		*o++ = '=';
	}
	out->len = (size_t)(o - out->buf);
}

void
kin_env_init(struct kin_env *ev)
{
	memset(ev, 0, sizeof(*ev));
	rec_init(&ev->rec);
	kin_kpl_init(&ev->kpl);
	ev->sec = INT64_MIN;
}

void
kin_env_free(struct kin_env *ev)
{
	rec_free(&ev->rec);
	sb_free(&ev->data);
	sb_free(&ev->text);
	kin_kpl_free(&ev->kpl);
}

size_t
kin_env_stamp(struct kin_env *ev, int64_t us, char buf[TM_RFC3339_MAX])
{
	int64_t sec = tm_floordiv(us, TM_US_PER_S);
	int64_t frac = us - sec * TM_US_PER_S;
	size_t n;
	int i;

	if (sec != ev->sec) {
		/* the whole-second text, without its 'Z' */
		ev->stamp_len = tm_fmt_rfc3339(sec * TM_US_PER_S, ev->stamp) - 1;
		ev->sec = sec;
	}
	memcpy(buf, ev->stamp, ev->stamp_len);
	n = ev->stamp_len;
	if (frac != 0) {
		buf[n++] = '.';
		for (i = 5; i >= 0; i--) {
			buf[n + (size_t)i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		n += 6;
		while (buf[n - 1] == '0')
			n--;
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
	return n;
}

static const struct rec_member *
member(const struct rec *r, const char *name, enum rec_type type, struct eb *e)
{
	const struct rec_member *m = rec_get(r, name, strlen(name));

	if (m == NULL || m->type != type) {
		eb_set(e, "GetRecords: record without %s", name);
		return NULL;
	}
	return m;
}

/* A string member as it should print: copied when it has no escapes (it
 * was validated, so it is already the JSON we would write), else decoded
 * and escaped our way. */
static void
put_string(struct kin_env *ev, struct sb *out, const struct rec_member *m)
{
	if (!m->val_escaped) {
		sb_add(out, m->val.p, m->val.n);
		return;
	}
	sb_reset(&ev->text);
	rec_string_decode(m->val, &ev->text);
	jx_put_string(out, ev->text.buf, ev->text.len);
}

int
kin_env_parse(struct kin_env *ev, const char *p, size_t n, struct eb *e)
{
	const struct rec_member *data, *sq, *at;
	struct rec_span raw;

	ev->nuser = 0;
	if (rec_parse_object(&ev->rec, p, n, e) != 0)
		return eb_wrap(e, "GetRecords: bad record");
	if ((data = member(&ev->rec, "Data", REC_STRING, e)) == NULL ||
	    (ev->key = member(&ev->rec, "PartitionKey", REC_STRING, e)) == NULL ||
	    (sq = member(&ev->rec, "SequenceNumber", REC_STRING, e)) == NULL ||
	    (at = member(&ev->rec, "ApproximateArrivalTimestamp", REC_NUMBER, e)) == NULL)
		return -1;
	ev->seq = rec_string_raw(sq);
	if (sq->val_escaped || ev->seq.n == 0 ||
	    strspn(ev->seq.p, "0123456789") < ev->seq.n)
		return eb_set(e, "GetRecords: SequenceNumber is not a decimal string");
	if (tm_from_epoch_seconds(rec_number(at->val), &ev->arrival_us, e) != 0)
		return eb_wrap(e, "GetRecords: record %.*s", (int)ev->seq.n, ev->seq.p);
	raw = rec_string_raw(data);
	if (data->val_escaped) {	/* "\/" is legal JSON for '/' */
		sb_reset(&ev->text);
		rec_string_decode(data->val, &ev->text);
		raw.p = ev->text.buf;
		raw.n = ev->text.len;
	}
	if (kin_b64_decode(raw.p, raw.n, &ev->data, e) != 0)
		return eb_wrap(e, "GetRecords: record %.*s", (int)ev->seq.n, ev->seq.p);
	ev->tslen = kin_env_stamp(ev, ev->arrival_us, ev->ts);
	ev->kind = kin_kpl_decode(&ev->kpl, ev->data.buf, ev->data.len);
	if (ev->kind == KIN_KPL_NOMEM)
		return eb_set(e, "out of memory (or no MD5 from OpenSSL)");
	ev->nuser = ev->kind == KIN_KPL_AGGREGATE ? ev->kpl.n : 1;
	return 0;
}

int
kin_env_in_range(struct kin_env *ev, kin_hash lo, kin_hash hi, struct eb *e)
{
	kin_hash h;
	size_t i;
	int rc;

	if (ev->kind != KIN_KPL_AGGREGATE)
		return 1;
	for (i = 0; i < ev->kpl.n; i++) {
		if ((rc = kin_kpl_user_hash(&ev->kpl, i, &h)) < 0)
			return eb_set(e, "no MD5 from OpenSSL");
		if (rc > 0 || h < lo || h > hi)
			return 0;
	}
	return 1;
}

/* The payload as "data", or as base64 when it is not UTF-8. */
static void
put_data(struct sb *out, const unsigned char *p, size_t n)
{
	sb_adds(out, "{\"data\":");
	if (kin_utf8_valid(p, n)) {
		jx_put_string(out, (const char *)p, n);
	} else {
		/* re-encoded rather than copied: canonical whatever was sent */
		sb_addc(out, '"');
		kin_b64_encode(p, n, out);
		sb_adds(out, "\",\"dataEncoding\":\"base64\"");
	}
}

int
kin_env_put(struct kin_env *ev, struct sb *out, const struct sb *ids,
    size_t i, struct eb *e)
{
	const struct kin_kpl_user *u = ev->kind == KIN_KPL_AGGREGATE ?
	    &ev->kpl.v[i] : NULL;

	if (u != NULL)
		put_data(out, u->data.p, u->data.n);
	else
		put_data(out, (const unsigned char *)ev->data.buf, ev->data.len);
	sb_add(out, ids->buf, ids->len);
	sb_adds(out, ",\"sequenceNumber\":\"");
	sb_add(out, ev->seq.p, ev->seq.n);
	sb_addc(out, '"');
	if (u != NULL) {
		struct kin_kpl_span k = ev->kpl.pks[u->pk];

		sb_adds(out, ",\"subSequenceNumber\":");
		jx_put_int(out, (int64_t)i);
		sb_adds(out, ",\"partitionKey\":");
		jx_put_string(out, (const char *)k.p, k.n);
		if (u->ehk != KIN_KPL_NO_EHK) {
			k = ev->kpl.ehks[u->ehk];
			sb_adds(out, ",\"explicitHashKey\":\"");
			sb_add(out, k.p, k.n);	/* digits: nothing to escape */
			sb_addc(out, '"');
		}
	} else {
		sb_adds(out, ",\"partitionKey\":");
		put_string(ev, out, ev->key);
	}
	sb_adds(out, ",\"approximateArrivalTimestamp\":\"");
	sb_add(out, ev->ts, ev->tslen);
	sb_adds(out, "\"}");
	return sb_failed(out) ? eb_set(e, "out of memory") : 0;
}

int
kin_env_put_raw(struct kin_env *ev, struct sb *out, size_t i, struct eb *e)
{
	const struct kin_kpl_user *u = ev->kind == KIN_KPL_AGGREGATE ?
	    &ev->kpl.v[i] : NULL;
	const char *p = u != NULL ? (const char *)u->data.p : ev->data.buf;
	size_t n = u != NULL ? u->data.n : ev->data.len;
	char sub[32] = "";

	if (u != NULL)
		snprintf(sub, sizeof(sub), " (subSequenceNumber %zu)", i);
	if (n > 0 && memchr(p, '\n', n) != NULL)
		return eb_set(e, "record %.*s%s: --raw cannot write a payload "
		    "that holds a newline: read it without --raw",
		    (int)ev->seq.n, ev->seq.p, sub);
	if (!kin_utf8_valid((const unsigned char *)p, n))
		return eb_set(e, "record %.*s%s: --raw cannot write a payload "
		    "that is not UTF-8 text: read it without --raw",
		    (int)ev->seq.n, ev->seq.p, sub);
	sb_add(out, p, n);
	return sb_failed(out) ? eb_set(e, "out of memory") : 0;
}
