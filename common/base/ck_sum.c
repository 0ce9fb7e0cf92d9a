#include <sodium.h>
#include <string.h>

#include "base/ck_sum.h"

#define SEAL_HEAD ",\"" CK_SUM_MEMBER "\":\""
#define SEAL_TAIL "\"}"
#define SEAL_LEN (sizeof(SEAL_HEAD) - 1 + CK_SUM_HEX + sizeof(SEAL_TAIL) - 1)

static void
digest_hex(const char *p, size_t n, char hex[CK_SUM_HEX + 1])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	/* hashing needs no initialisation; sodium_init is for its random
	 * numbers, which nothing here uses */
	crypto_hash_sha256(d, (const unsigned char *)p, n);
	sodium_bin2hex(hex, CK_SUM_HEX + 1, d, sizeof(d));
}

void
ck_sum_seal(struct sb *out, size_t from)
{
	char hex[CK_SUM_HEX + 1];

	if (sb_failed(out) || out->len < from)
		return;
	digest_hex(out->buf + from, out->len - from, hex);
	sb_adds(out, SEAL_HEAD);
	sb_add(out, hex, CK_SUM_HEX);
	sb_adds(out, SEAL_TAIL "\n");
}

enum ck_sum_status
ck_sum_check(const char *text, size_t len)
{
	char hex[CK_SUM_HEX + 1];
	const char *seal, *got;
	size_t body;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len < SEAL_LEN)
		return CK_SUM_NONE;
	body = len - SEAL_LEN;
	seal = text + body;
	got = seal + sizeof(SEAL_HEAD) - 1;
	if (memcmp(seal, SEAL_HEAD, sizeof(SEAL_HEAD) - 1) != 0 ||
	    memcmp(got + CK_SUM_HEX, SEAL_TAIL, sizeof(SEAL_TAIL) - 1) != 0 ||
	    strspn(got, "0123456789abcdef") < CK_SUM_HEX)
		return CK_SUM_NONE;
	digest_hex(text, body, hex);
	return memcmp(hex, got, CK_SUM_HEX) == 0 ? CK_SUM_OK : CK_SUM_BAD;
}
