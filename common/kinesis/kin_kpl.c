#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "kinesis/kin_env.h"
#include "kinesis/kin_kpl.h"

/* protobuf wire types */
enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_BYTES = 2, WT_GROUP_START = 3,
    WT_GROUP_END = 4, WT_FIXED32 = 5 };
/* field numbers of the three messages */
enum { F_PK_TABLE = 1, F_EHK_TABLE = 2, F_RECORDS = 3 };
enum { F_PK_INDEX = 1, F_EHK_INDEX = 2, F_DATA = 3, F_TAGS = 4 };
enum { F_TAG_KEY = 1 };
/* protobuf-java's limit on nested groups and messages */
#define MAX_DEPTH 100
#define VARINT_MAX_BYTES 10

struct cur {
	const unsigned char *p, *end;
};

void
kin_kpl_init(struct kin_kpl *k)
{
	memset(k, 0, sizeof(*k));
}

void
kin_kpl_free(struct kin_kpl *k)
{
	free(k->pks);
	free(k->ehks);
	free(k->v);
	EVP_MD_CTX_free(k->md5);
	EVP_MD_free(k->md5_alg);
	memset(k, 0, sizeof(*k));
}

int
kin_kpl_md5(struct kin_kpl *k, const void *p, size_t n,
    unsigned char out[KIN_KPL_MD5_LEN])
{
	unsigned len = 0;

	/* fetched once: OpenSSL 3 looks the algorithm up on every implicit
	 * use, a cost per user record when hash keys are checked */
	if (k->md5_alg == NULL &&
	    (k->md5_alg = EVP_MD_fetch(NULL, "MD5", NULL)) == NULL)
		return -1;
	if (k->md5 == NULL && (k->md5 = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(k->md5, k->md5_alg, NULL) != 1 ||
	    EVP_DigestUpdate(k->md5, p, n) != 1 ||
	    EVP_DigestFinal_ex(k->md5, out, &len) != 1 || len != KIN_KPL_MD5_LEN)
		return -1;
	return 0;
}

static int
varint(struct cur *c, uint64_t *v)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < VARINT_MAX_BYTES && c->p < c->end; i++) {
		unsigned char b = *c->p++;

		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

static int
bytes(struct cur *c, struct kin_kpl_span *s)
{
	uint64_t n;

	if (varint(c, &n) != 0 || n > (uint64_t)(c->end - c->p))
		return -1;
	s->p = c->p;
	s->n = (size_t)n;
	c->p += n;
	return 0;
}

static int skip(struct cur *c, uint64_t tag, int depth);

/* Skip to the end of the group field opened with this field number. */
static int
skip_group(struct cur *c, uint64_t field, int depth)
{
	uint64_t tag;

	if (depth > MAX_DEPTH)
		return -1;
	for (;;) {
		if (varint(c, &tag) != 0 || tag >> 3 == 0)
			return -1;
		if ((tag & 7) == WT_GROUP_END)
			return tag >> 3 == field ? 0 : -1;
		if (skip(c, tag, depth + 1) != 0)
			return -1;
	}
}

/* Skip the value of a field nobody asked for. */
static int
skip(struct cur *c, uint64_t tag, int depth)
{
	struct kin_kpl_span s;
	uint64_t v;

	switch (tag & 7) {
	case WT_VARINT: return varint(c, &v);
	case WT_FIXED64:
		if (c->end - c->p < 8)
			return -1;
		c->p += 8;
		return 0;
	case WT_BYTES: return bytes(c, &s);
	case WT_GROUP_START: return skip_group(c, tag >> 3, depth);
	case WT_FIXED32:
		if (c->end - c->p < 4)
			return -1;
		c->p += 4;
		return 0;
	default: return -1;	/* an end without a start, or no such type */
	}
}

/* The next tag, or 1 at the end of the message. */
static int
next_tag(struct cur *c, uint64_t *tag)
{
	if (c->p == c->end)
		return 1;
	if (varint(c, tag) != 0 || *tag >> 3 == 0)
		return -1;
	return 0;
}

/* A Tag's only rule that matters to a consumer: its key is required. */
static int
check_tag(struct kin_kpl_span msg)
{
	struct cur c = { msg.p, msg.p + msg.n };
	struct kin_kpl_span s;
	uint64_t tag;
	int rc, has_key = 0;

	while ((rc = next_tag(&c, &tag)) == 0) {
		if (tag == (F_TAG_KEY << 3 | WT_BYTES)) {
			if (bytes(&c, &s) != 0)
				return -1;
			has_key = 1;
		} else if (skip(&c, tag, 1) != 0) {
			return -1;
		}
	}
	return rc < 0 || !has_key ? -1 : 0;
}

static int
record(struct kin_kpl_span msg, struct kin_kpl_user *u)
{
	struct cur c = { msg.p, msg.p + msg.n };
	struct kin_kpl_span s;
	uint64_t tag, v;
	int rc, has_pk = 0, has_data = 0;

	u->pk = 0;
	u->ehk = KIN_KPL_NO_EHK;
	while ((rc = next_tag(&c, &tag)) == 0) {
		switch (tag) {
		case F_PK_INDEX << 3 | WT_VARINT:
			if (varint(&c, &v) != 0)
				return -1;
			/* out of any table's range: caught by the caller */
			u->pk = v > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)v;
			has_pk = 1;
			break;
		case F_EHK_INDEX << 3 | WT_VARINT:
			if (varint(&c, &v) != 0)
				return -1;
			u->ehk = v > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)v;
			break;
		case F_DATA << 3 | WT_BYTES:
			if (bytes(&c, &u->data) != 0)
				return -1;
			has_data = 1;
			break;
		case F_TAGS << 3 | WT_BYTES:
			if (bytes(&c, &s) != 0 || check_tag(s) != 0)
				return -1;
			break;
		default:
			/* a known field with another wire type is an unknown
			 * field to protobuf too */
			if (skip(&c, tag, 1) != 0)
				return -1;
		}
	}
	return rc < 0 || !has_pk || !has_data ? -1 : 0;
}

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if ((nv = realloc(*v, ncap * size)) == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

static int
decimal(struct kin_kpl_span s)
{
	size_t i;

	if (s.n == 0)
		return 0;
	for (i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	return 1;
}

/* The AggregatedRecord body: KIN_KPL_AGGREGATE, KIN_KPL_BAD_BODY or
 * KIN_KPL_NOMEM. */
static enum kin_kpl_kind
body(struct kin_kpl *k, const unsigned char *p, size_t n)
{
	struct cur c = { p, p + n };
	struct kin_kpl_span s;
	uint64_t tag;
	size_t i;
	int rc;

	while ((rc = next_tag(&c, &tag)) == 0) {
		switch (tag) {
		case F_PK_TABLE << 3 | WT_BYTES:
			/* keys become JSON strings: they must be UTF-8 */
			if (bytes(&c, &s) != 0 || !kin_utf8_valid(s.p, s.n))
				return KIN_KPL_BAD_BODY;
			if (grow((void **)&k->pks, &k->pkcap, k->npk, sizeof(s)) != 0)
				return KIN_KPL_NOMEM;
			k->pks[k->npk++] = s;
			break;
		case F_EHK_TABLE << 3 | WT_BYTES:
			if (bytes(&c, &s) != 0 || !decimal(s))
				return KIN_KPL_BAD_BODY;
			if (grow((void **)&k->ehks, &k->ehkcap, k->nehk, sizeof(s)) != 0)
				return KIN_KPL_NOMEM;
			k->ehks[k->nehk++] = s;
			break;
		case F_RECORDS << 3 | WT_BYTES:
			if (bytes(&c, &s) != 0)
				return KIN_KPL_BAD_BODY;
			if (grow((void **)&k->v, &k->cap, k->n, sizeof(*k->v)) != 0)
				return KIN_KPL_NOMEM;
			if (record(s, &k->v[k->n]) != 0)
				return KIN_KPL_BAD_BODY;
			k->n++;
			break;
		default:
			if (skip(&c, tag, 1) != 0)
				return KIN_KPL_BAD_BODY;
		}
	}
	if (rc < 0)
		return KIN_KPL_BAD_BODY;
	/* the tables are known only at the end: fields come in any order */
	for (i = 0; i < k->n; i++)
		if (k->v[i].pk >= k->npk ||
		    (k->v[i].ehk != KIN_KPL_NO_EHK && k->v[i].ehk >= k->nehk))
			return KIN_KPL_BAD_BODY;
	return KIN_KPL_AGGREGATE;
}

enum kin_kpl_kind
kin_kpl_decode(struct kin_kpl *k, const void *data, size_t n)
{
	const unsigned char *p = data;
	unsigned char md5[KIN_KPL_MD5_LEN];
	enum kin_kpl_kind kind;

	k->npk = k->nehk = k->n = 0;
	/* KCL: the magic and more than an MD5 after it */
	if (n <= KIN_KPL_MAGIC_LEN + KIN_KPL_MD5_LEN ||
	    memcmp(p, KIN_KPL_MAGIC, KIN_KPL_MAGIC_LEN) != 0)
		return KIN_KPL_PLAIN;
	p += KIN_KPL_MAGIC_LEN;
	n -= KIN_KPL_MAGIC_LEN + KIN_KPL_MD5_LEN;
	if (kin_kpl_md5(k, p, n, md5) != 0)
		return KIN_KPL_NOMEM;
	if (memcmp(md5, p + n, KIN_KPL_MD5_LEN) != 0)
		return KIN_KPL_BAD_MD5;
	kind = body(k, p, n);
	if (kind != KIN_KPL_AGGREGATE)
		k->npk = k->nehk = k->n = 0;
	return kind;
}

int
kin_hash_parse(const char *s, size_t n, kin_hash *h)
{
	kin_hash v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || v > (KIN_HASH_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*h = v;
	return 0;
}

size_t
kin_hash_fmt(kin_hash h, char *buf)
{
	char tmp[40];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + (unsigned)(h % 10));
		h /= 10;
	} while (h != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

int
kin_kpl_key_hash(struct kin_kpl *k, const char *key, size_t n, kin_hash *h)
{
	unsigned char md5[KIN_KPL_MD5_LEN];
	kin_hash v = 0;
	int i;

	if (kin_kpl_md5(k, key, n, md5) != 0)
		return -1;
	for (i = 0; i < KIN_KPL_MD5_LEN; i++)
		v = v << 8 | md5[i];
	*h = v;
	return 0;
}

int
kin_kpl_user_hash(struct kin_kpl *k, size_t i, kin_hash *h)
{
	const struct kin_kpl_user *u = &k->v[i];
	struct kin_kpl_span s;

	if (u->ehk == KIN_KPL_NO_EHK) {
		s = k->pks[u->pk];
		return kin_kpl_key_hash(k, (const char *)s.p, s.n, h);
	}
	s = k->ehks[u->ehk];
	/* decimal (checked by the decoder), but beyond 2^128 - 1 */
	return kin_hash_parse((const char *)s.p, s.n, h) != 0 ? 1 : 0;
}
