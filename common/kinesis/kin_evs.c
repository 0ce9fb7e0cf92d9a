#include <string.h>
#include <zlib.h>

#include "kinesis/kin_evs.h"

/* header value types of the format */
enum { HT_TRUE, HT_FALSE, HT_BYTE, HT_SHORT, HT_INT, HT_LONG, HT_BYTES,
    HT_STRING, HT_TIMESTAMP, HT_UUID };

void
kin_evs_init(struct kin_evs *d)
{
	memset(d, 0, sizeof(*d));
}

void
kin_evs_free(struct kin_evs *d)
{
	sb_free(&d->buf);
	d->off = 0;
}

void
kin_evs_reset(struct kin_evs *d)
{
	sb_reset(&d->buf);
	d->off = 0;
}

int
kin_evs_feed(struct kin_evs *d, const void *p, size_t n)
{
	/* what was taken goes before new bytes come: the buffer stays the
	 * size of one message */
	if (d->off > 0) {
		memmove(d->buf.buf, d->buf.buf + d->off, d->buf.len - d->off);
		d->buf.len -= d->off;
		d->off = 0;
	}
	sb_add(&d->buf, p, n);
	return sb_failed(&d->buf) ? -1 : 0;
}

int
kin_evs_pending(const struct kin_evs *d)
{
	return d->buf.len > d->off;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
crc(const unsigned char *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

/* The size of a header value of type t at p (n bytes left); -1 when it
 * does not fit or the type is unknown. */
static long
value_size(unsigned t, const unsigned char *p, size_t n)
{
	static const long fixed[] = { 0, 0, 1, 2, 4, 8, -1, -1, 8, 16 };

	if (t > HT_UUID)
		return -1;
	if (t == HT_BYTES || t == HT_STRING) {
		if (n < 2 || (size_t)(2 + (p[0] << 8 | p[1])) > n)
			return -1;
		return 2 + (p[0] << 8 | p[1]);
	}
	return (size_t)fixed[t] <= n ? fixed[t] : -1;
}

static void
take_header(struct kin_evs_msg *m, const unsigned char *name, size_t nlen,
    const unsigned char *val, size_t vlen)
{
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{ ":message-type", offsetof(struct kin_evs_msg, message_type) },
		{ ":event-type", offsetof(struct kin_evs_msg, event_type) },
		{ ":exception-type", offsetof(struct kin_evs_msg, exception_type) },
		{ ":error-code", offsetof(struct kin_evs_msg, error_code) },
		{ ":error-message", offsetof(struct kin_evs_msg, error_message) },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == nlen &&
		    memcmp(known[i].name, name, nlen) == 0) {
			struct kin_evs_str *s = (struct kin_evs_str *)
			    ((char *)m + known[i].off);

			s->p = (const char *)val;
			s->n = vlen;
		}
}

static int
headers(struct kin_evs_msg *m, const unsigned char *p, size_t n,
    struct eb *e)
{
	size_t i = 0, nlen;
	long vsize;
	unsigned t;

	while (i < n) {
		nlen = p[i++];
		if (nlen == 0 || nlen + 1 > n - i)
			return eb_set(e, "event stream: bad header name");
		t = p[i + nlen];
		vsize = value_size(t, p + i + nlen + 1, n - i - nlen - 1);
		if (vsize < 0)
			return eb_set(e, "event stream: bad header value (type %u)", t);
		if (t == HT_STRING)
			take_header(m, p + i, nlen, p + i + nlen + 3,
			    (size_t)vsize - 2);
		i += nlen + 1 + (size_t)vsize;
	}
	return 0;
}

int
kin_evs_next(struct kin_evs *d, struct kin_evs_msg *m, struct eb *e)
{
	const unsigned char *p = (const unsigned char *)d->buf.buf + d->off;
	size_t have = d->buf.len - d->off;
	uint32_t total, hlen;

	if (have < KIN_EVS_PRELUDE)
		return 0;
	/* the prelude is checked before its length is believed */
	if (crc(p, 8) != be32(p + 8))
		return eb_set(e, "event stream: prelude CRC32 mismatch");
	total = be32(p);
	hlen = be32(p + 4);
	if (total < KIN_EVS_MIN || total > KIN_EVS_MAX ||
	    hlen > total - KIN_EVS_MIN)
		return eb_set(e, "event stream: bad lengths (message %lu, headers "
		    "%lu)", (unsigned long)total, (unsigned long)hlen);
	if (have < total)
		return 0;
	if (crc(p, total - 4) != be32(p + total - 4))
		return eb_set(e, "event stream: message CRC32 mismatch");
	memset(m, 0, sizeof(*m));
	if (headers(m, p + KIN_EVS_PRELUDE, hlen, e) != 0)
		return -1;
	m->payload = (const char *)p + KIN_EVS_PRELUDE + hlen;
	m->plen = total - KIN_EVS_MIN - hlen;
	d->off += total;
	return 1;
}
