/* kin_kpl: the Kinesis Producer Library's aggregated record, the format
 * of the KPL's aggregation-format.md: the magic F3 89 9A C2, a protobuf
 * AggregatedRecord, the 16-byte MD5 of the protobuf bytes.
 *
 *   AggregatedRecord { repeated string partition_key_table = 1;
 *                      repeated string explicit_hash_key_table = 2;
 *                      repeated Record records = 3; }
 *   Record { required uint64 partition_key_index = 1;
 *            optional uint64 explicit_hash_key_index = 2;
 *            required bytes data = 3; repeated Tag tags = 4; }
 *   Tag { required string key = 1; optional string value = 2; }
 *
 * A decoder for this one fixed schema (no protobuf library: none in
 * Debian is small enough to be worth it for three messages), and the
 * encoder kin-put --aggregate packs with. Consumers follow KCL's
 * AggregatorUtil: a record without the magic, with a wrong MD5 or with
 * a body that does not decode (bad wire format, a required field missing,
 * a table index out of range) is a plain record, passed on whole.
 *
 * Hash keys are 128-bit unsigned integers: the explicit hash key, or the
 * MD5 of the partition key read big-endian, as Kinesis maps keys to
 * shards. The MD5 is OpenSSL's. */
#ifndef KP_KIN_KPL_H
#define KP_KIN_KPL_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"

#define KIN_KPL_MAGIC "\xf3\x89\x9a\xc2"
#define KIN_KPL_MAGIC_LEN 4
#define KIN_KPL_MD5_LEN 16
#define KIN_KPL_NO_EHK SIZE_MAX	/* a user record without explicit hash key */

typedef unsigned __int128 kin_hash;
#define KIN_HASH_MAX (~(kin_hash)0)

enum kin_kpl_kind {
	KIN_KPL_PLAIN,		/* no magic: not an aggregate */
	KIN_KPL_AGGREGATE,	/* decoded: k->v holds its user records */
	KIN_KPL_BAD_MD5,	/* the magic, but the MD5 does not match */
	KIN_KPL_BAD_BODY,	/* the magic and MD5, but no AggregatedRecord */
	KIN_KPL_NOMEM
};

struct kin_kpl_span {
	const unsigned char *p;
	size_t n;
};

struct kin_kpl_user {
	size_t pk;		/* index into the partition key table */
	size_t ehk;		/* into the explicit hash keys, or KIN_KPL_NO_EHK */
	struct kin_kpl_span data;
};

struct kin_kpl {
	struct kin_kpl_span *pks, *ehks;
	size_t npk, nehk, pkcap, ehkcap;
	struct kin_kpl_user *v;
	size_t n, cap;
	void *md5;		/* OpenSSL's EVP_MD_CTX, made on first use */
	void *md5_alg;		/* its EVP_MD, fetched once */
};

void kin_kpl_init(struct kin_kpl *k);
void kin_kpl_free(struct kin_kpl *k);

/* Decode p[0..n) (a Kinesis record's data). The spans point into p. */
enum kin_kpl_kind kin_kpl_decode(struct kin_kpl *k, const void *p, size_t n);

/* MD5 of p[0..n) into out; -1 when OpenSSL fails (out of memory). */
int kin_kpl_md5(struct kin_kpl *k, const void *p, size_t n,
    unsigned char out[KIN_KPL_MD5_LEN]);

/* The hash key a partition key maps to: its MD5, big-endian. */
int kin_kpl_key_hash(struct kin_kpl *k, const char *key, size_t n,
    kin_hash *h);
/* A decimal hash key (ListShards' ranges, explicit hash keys): -1 when
 * not 1..39 digits or above 2^128 - 1. */
int kin_hash_parse(const char *s, size_t n, kin_hash *h);
/* Decimal text of h into buf (at least 40 bytes); returns its length. */
size_t kin_hash_fmt(kin_hash h, char *buf);

/* The effective hash key of user record i of a decoded aggregate: 0,
 * 1 when its explicit hash key is above 2^128 - 1 (in no shard's range),
 * -1 when the MD5 fails. */
int kin_kpl_user_hash(struct kin_kpl *k, size_t i, kin_hash *h);

/* The packer: user records added one by one, then the Kinesis record's
 * data (magic, protobuf, MD5) built. Partition keys are shared through
 * the table; explicit hash keys are not used (kin-put has none). */
struct kin_kpl_pack {
	struct sb keys;		/* the partition key table, protobuf-encoded */
	struct sb recs;		/* the Record messages, protobuf-encoded */
	struct sb out;		/* the finished data */
	size_t *key_off;	/* each distinct key's text in keys */
	size_t *key_len;
	size_t nkey, keycap;
	size_t *slot;		/* open addressing over the keys: index + 1 */
	size_t nslot;
	size_t n;		/* user records */
};

void kin_kpl_pack_init(struct kin_kpl_pack *p);
void kin_kpl_pack_reset(struct kin_kpl_pack *p);
void kin_kpl_pack_free(struct kin_kpl_pack *p);
/* The size of the data once the record of dlen bytes under key (klen
 * bytes) is added: what the 1 MiB limit is checked against. */
size_t kin_kpl_pack_size_with(const struct kin_kpl_pack *p, const char *key,
    size_t klen, size_t dlen);
int kin_kpl_pack_add(struct kin_kpl_pack *p, const char *key, size_t klen,
    const void *data, size_t dlen);
/* Build p->out; -1 on out of memory (or when OpenSSL fails). */
int kin_kpl_pack_finish(struct kin_kpl_pack *p, struct kin_kpl *k);

#endif
