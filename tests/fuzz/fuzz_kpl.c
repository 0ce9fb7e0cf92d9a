/* libFuzzer harness for the KPL aggregate decoder (kinesis/kin_kpl.c).
 * The input is an AggregatedRecord body: the harness adds the magic and
 * the right MD5, so that the fuzzer explores the protobuf and not the
 * checksum, and also decodes the input as it came (magic and MD5 paths).
 * No protobuf library is at hand as an oracle, so the checks are the
 * decoder's promises, and a round trip through the packer:
 *   - every span lies inside the input, every index inside its table,
 *     every partition key is UTF-8, every explicit hash key is digits;
 *   - an aggregate's user records, packed again by kin_kpl_pack, decode
 *     to the same keys and data, in the same order;
 *   - one byte of the MD5 changed makes it KIN_KPL_BAD_MD5.
 * Build and run: see README in this directory (make fuzz-kpl). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kinesis/kin_env.h"
#include "kinesis/kin_kpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kin_kpl k, again;
static struct kin_kpl_pack pack;
static int ready;

static void
inside(struct kin_kpl_span s, const uint8_t *p, size_t n)
{
	if (s.n > 0 && (s.p < p || s.p + s.n > p + n))
		abort();
}

static void
check(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < k.npk; i++) {
		inside(k.pks[i], p, n);
		if (!kin_utf8_valid(k.pks[i].p, k.pks[i].n))
			abort();
	}
	for (size_t i = 0; i < k.nehk; i++) {
		inside(k.ehks[i], p, n);
		if (k.ehks[i].n == 0 || strspn((const char *)k.ehks[i].p,
		    "0123456789") < k.ehks[i].n)
			abort();
	}
	for (size_t i = 0; i < k.n; i++) {
		inside(k.v[i].data, p, n);
		if (k.v[i].pk >= k.npk ||
		    (k.v[i].ehk != KIN_KPL_NO_EHK && k.v[i].ehk >= k.nehk))
			abort();
	}
}

static void
round_trip(void)
{
	kin_kpl_pack_reset(&pack);
	for (size_t i = 0; i < k.n; i++) {
		struct kin_kpl_span key = k.pks[k.v[i].pk];

		if (kin_kpl_pack_add(&pack, (const char *)key.p, key.n,
		    k.v[i].data.p, k.v[i].data.n) != 0)
			abort();
	}
	if (kin_kpl_pack_finish(&pack, &again) != 0)
		abort();
	if (k.n == 0) {
		/* magic and MD5 only: too short to be an aggregate */
		if (kin_kpl_decode(&again, pack.out.buf, pack.out.len) !=
		    KIN_KPL_PLAIN)
			abort();
		return;
	}
	if (kin_kpl_decode(&again, pack.out.buf, pack.out.len) !=
	    KIN_KPL_AGGREGATE || again.n != k.n)
		abort();
	for (size_t i = 0; i < k.n; i++) {
		struct kin_kpl_span a = k.pks[k.v[i].pk], b = again.pks[again.v[i].pk];

		if (a.n != b.n || memcmp(a.p, b.p, a.n) != 0 ||
		    k.v[i].data.n != again.v[i].data.n ||
		    memcmp(k.v[i].data.p, again.v[i].data.p, k.v[i].data.n) != 0 ||
		    again.v[i].ehk != KIN_KPL_NO_EHK)
			abort();
	}
	pack.out.buf[pack.out.len - 1] ^= 1;
	if (kin_kpl_decode(&again, pack.out.buf, pack.out.len) != KIN_KPL_BAD_MD5)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *rec = malloc(size + KIN_KPL_MAGIC_LEN + KIN_KPL_MD5_LEN);
	enum kin_kpl_kind kind;

	if (!ready) {
		kin_kpl_init(&k);
		kin_kpl_init(&again);
		kin_kpl_pack_init(&pack);
		ready = 1;
	}
	if (rec == NULL)
		return 0;
	/* as it came: mostly no magic, sometimes a bad MD5 */
	kind = kin_kpl_decode(&k, data, size);
	if (kind == KIN_KPL_AGGREGATE)
		check(data, size);
	else if (k.n != 0)
		abort();
	memcpy(rec, KIN_KPL_MAGIC, KIN_KPL_MAGIC_LEN);
	if (size > 0)
		memcpy(rec + KIN_KPL_MAGIC_LEN, data, size);
	if (kin_kpl_md5(&k, data, size, rec + KIN_KPL_MAGIC_LEN + size) != 0)
		abort();
	kind = kin_kpl_decode(&k, rec, size + KIN_KPL_MAGIC_LEN + KIN_KPL_MD5_LEN);
	if (size == 0 ? kind != KIN_KPL_PLAIN :
	    kind != KIN_KPL_AGGREGATE && kind != KIN_KPL_BAD_BODY)
		abort();
	if (kind == KIN_KPL_AGGREGATE) {
		check(rec, size + KIN_KPL_MAGIC_LEN + KIN_KPL_MD5_LEN);
		round_trip();
	}
	free(rec);
	return 0;
}
