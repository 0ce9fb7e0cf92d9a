/* libFuzzer harness for the event-stream decoder (kinesis/kin_evs.c).
 * The input is cut into pieces (its first byte says where) and fed as
 * the network would hand them over; the same bytes are also decoded by
 * an independent reading of the format written here, frame by frame with
 * zlib's crc32, and both must agree: the same messages (headers, payload)
 * in the same order, and a bad frame at the same place. The harness also
 * re-frames each payload with right CRCs and checks that it decodes.
 * Build and run: see README in this directory (make fuzz-evs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kinesis/kin_evs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The oracle: 1 and the payload of the message at p, 0 when more bytes
 * are needed, -1 when it is bad. */
static int
oracle(const uint8_t *p, size_t n, size_t *len, const uint8_t **payload,
    size_t *plen)
{
	uint32_t total, hlen;
	size_t i;

	if (n < 12)
		return 0;
	if ((uint32_t)crc32(0, p, 8) != be32(p + 8))
		return -1;
	total = be32(p);
	hlen = be32(p + 4);
	if (total < 16 || total > KIN_EVS_MAX || hlen > total - 16)
		return -1;
	if (n < total)
		return 0;
	if ((uint32_t)crc32(0, p, total - 4) != be32(p + total - 4))
		return -1;
	for (i = 12; i < 12 + hlen;) {
		size_t nl = p[i], vl;
		unsigned t;

		if (nl == 0 || i + 1 + nl >= 12 + hlen)
			return -1;
		t = p[i + 1 + nl];
		i += 2 + nl;
		switch (t) {
		case 0: case 1: vl = 0; break;
		case 2: vl = 1; break;
		case 3: vl = 2; break;
		case 4: vl = 4; break;
		case 5: case 8: vl = 8; break;
		case 9: vl = 16; break;
		case 6: case 7:
			if (i + 2 > 12 + hlen)
				return -1;
			vl = 2 + ((size_t)p[i] << 8 | p[i + 1]);
			break;
		default: return -1;
		}
		if (i + vl > 12 + hlen)
			return -1;
		i += vl;
	}
	*len = total;
	*payload = p + 12 + hlen;
	*plen = total - 16 - hlen;
	return 1;
}

static void
reframe(const char *payload, size_t plen)
{
	static const uint8_t hdr[] = { 13, ':', 'm', 'e', 's', 's', 'a', 'g', 'e',
	    '-', 't', 'y', 'p', 'e', 7, 0, 5, 'e', 'v', 'e', 'n', 't' };
	size_t total = 12 + sizeof(hdr) + plen + 4;
	uint8_t *f = malloc(total);
	struct kin_evs d;
	struct kin_evs_msg m;
	struct eb e;
	uint32_t c;

	if (f == NULL || total > KIN_EVS_MAX) {
		free(f);
		return;
	}
	f[0] = (uint8_t)(total >> 24); f[1] = (uint8_t)(total >> 16);
	f[2] = (uint8_t)(total >> 8); f[3] = (uint8_t)total;
	f[4] = 0; f[5] = 0; f[6] = 0; f[7] = sizeof(hdr);
	c = (uint32_t)crc32(0, f, 8);
	f[8] = (uint8_t)(c >> 24); f[9] = (uint8_t)(c >> 16);
	f[10] = (uint8_t)(c >> 8); f[11] = (uint8_t)c;
	memcpy(f + 12, hdr, sizeof(hdr));
	if (plen > 0)
		memcpy(f + 12 + sizeof(hdr), payload, plen);
	c = (uint32_t)crc32(0, f, total - 4);
	f[total - 4] = (uint8_t)(c >> 24); f[total - 3] = (uint8_t)(c >> 16);
	f[total - 2] = (uint8_t)(c >> 8); f[total - 1] = (uint8_t)c;
	kin_evs_init(&d);
	if (kin_evs_feed(&d, f, total) != 0 || kin_evs_next(&d, &m, &e) != 1 ||
	    m.plen != plen || (plen && memcmp(m.payload, payload, plen) != 0) ||
	    m.message_type.n != 5 || memcmp(m.message_type.p, "event", 5) != 0)
		abort();
	kin_evs_free(&d);
	free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kin_evs d;
	struct kin_evs_msg m;
	struct eb e;
	size_t step, fed = 0, at = 0, len, plen;
	const uint8_t *payload;
	int rc, want;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 16 + 1;
	data++;
	size--;
	kin_evs_init(&d);
	for (;;) {
		rc = kin_evs_next(&d, &m, &e);
		want = oracle(data + at, fed - at, &len, &payload, &plen);
		if (rc != want)
			abort();
		if (rc < 0)
			break;
		if (rc == 1) {
			if (m.plen != plen || memcmp(m.payload, payload, plen) != 0)
				abort();
			reframe(m.payload, m.plen);
			at += len;
			continue;
		}
		if (fed == size)
			break;
		step = step > size - fed ? size - fed : step;
		if (kin_evs_feed(&d, data + fed, step) != 0)
			abort();
		fed += step;
	}
	kin_evs_free(&d);
	return 0;
}
