/* The KPL aggregate packer (kin_kpl.h): the partition key table first,
 * then the records, as the KPL writes them. */
#include <stdlib.h>
#include <string.h>

#include "kinesis/kin_kpl.h"

enum { TAG_PK_TABLE = 0x0a, TAG_RECORDS = 0x1a, TAG_PK_INDEX = 0x08,
    TAG_DATA = 0x1a };

static size_t
varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void
put_varint(struct sb *s, uint64_t v)
{
	while (v >= 0x80) {
		sb_addc(s, (char)((v & 0x7f) | 0x80));
		v >>= 7;
	}
	sb_addc(s, (char)v);
}

void
kin_kpl_pack_init(struct kin_kpl_pack *p)
{
	memset(p, 0, sizeof(*p));
}

void
kin_kpl_pack_reset(struct kin_kpl_pack *p)
{
	sb_reset(&p->keys);
	sb_reset(&p->recs);
	sb_reset(&p->out);
	if (p->slot != NULL)
		memset(p->slot, 0, p->nslot * sizeof(*p->slot));
	p->nkey = 0;
	p->n = 0;
}

void
kin_kpl_pack_free(struct kin_kpl_pack *p)
{
	sb_free(&p->keys);
	sb_free(&p->recs);
	sb_free(&p->out);
	free(p->key_off);
	free(p->key_len);
	free(p->slot);
	memset(p, 0, sizeof(*p));
}

static uint64_t
key_hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t
find_slot(const struct kin_kpl_pack *p, const char *key, size_t n)
{
	size_t i = (size_t)key_hash(key, n) & (p->nslot - 1), k;

	while ((k = p->slot[i]) != 0 && (p->key_len[k - 1] != n ||
	    memcmp(p->keys.buf + p->key_off[k - 1], key, n) != 0))
		i = (i + 1) & (p->nslot - 1);
	return i;
}

/* The index of key in the table, or nkey when it is not there yet. */
static size_t
key_index(const struct kin_kpl_pack *p, const char *key, size_t n)
{
	size_t k;

	if (p->nslot == 0)
		return p->nkey;
	k = p->slot[find_slot(p, key, n)];
	return k ? k - 1 : p->nkey;
}

static size_t
record_len(size_t idx, size_t dlen)
{
	return 1 + varint_len(idx) + 1 + varint_len(dlen) + dlen;
}

size_t
kin_kpl_pack_size_with(const struct kin_kpl_pack *p, const char *key,
    size_t klen, size_t dlen)
{
	size_t idx = key_index(p, key, klen);
	size_t rec = record_len(idx, dlen);
	size_t size = KIN_KPL_MAGIC_LEN + p->keys.len + p->recs.len +
	    KIN_KPL_MD5_LEN + 1 + varint_len(rec) + rec;

	if (idx == p->nkey)
		size += 1 + varint_len(klen) + klen;
	return size;
}

static int
rehash(struct kin_kpl_pack *p)
{
	size_t ncap = p->nslot ? p->nslot * 2 : 64, i, j;
	size_t *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return -1;
	free(p->slot);
	p->slot = ns;
	p->nslot = ncap;
	for (i = 0; i < p->nkey; i++) {
		j = find_slot(p, p->keys.buf + p->key_off[i], p->key_len[i]);
		p->slot[j] = i + 1;
	}
	return 0;
}

static int
add_key(struct kin_kpl_pack *p, const char *key, size_t n)
{
	size_t *off, *len, ncap;

	if ((p->nkey + 1) * 2 > p->nslot && rehash(p) != 0)
		return -1;
	if (p->nkey == p->keycap) {
		ncap = p->keycap ? p->keycap * 2 : 64;
		if ((off = realloc(p->key_off, ncap * sizeof(*off))) == NULL)
			return -1;
		p->key_off = off;
		if ((len = realloc(p->key_len, ncap * sizeof(*len))) == NULL)
			return -1;
		p->key_len = len;
		p->keycap = ncap;
	}
	sb_addc(&p->keys, TAG_PK_TABLE);
	put_varint(&p->keys, n);
	p->key_off[p->nkey] = p->keys.len;
	p->key_len[p->nkey] = n;
	sb_add(&p->keys, key, n);
	if (sb_failed(&p->keys))
		return -1;
	/* the slot is found once the key's text is where it compares */
	p->slot[find_slot(p, key, n)] = p->nkey + 1;
	p->nkey++;
	return 0;
}

int
kin_kpl_pack_add(struct kin_kpl_pack *p, const char *key, size_t klen,
    const void *data, size_t dlen)
{
	size_t idx = key_index(p, key, klen);

	if (idx == p->nkey && add_key(p, key, klen) != 0)
		return -1;
	sb_addc(&p->recs, TAG_RECORDS);
	put_varint(&p->recs, record_len(idx, dlen));
	sb_addc(&p->recs, TAG_PK_INDEX);
	put_varint(&p->recs, idx);
	sb_addc(&p->recs, TAG_DATA);
	put_varint(&p->recs, dlen);
	sb_add(&p->recs, data, dlen);
	if (sb_failed(&p->recs))
		return -1;
	p->n++;
	return 0;
}

int
kin_kpl_pack_finish(struct kin_kpl_pack *p, struct kin_kpl *k)
{
	unsigned char md5[KIN_KPL_MD5_LEN];

	sb_reset(&p->out);
	sb_add(&p->out, KIN_KPL_MAGIC, KIN_KPL_MAGIC_LEN);
	sb_add(&p->out, p->keys.buf, p->keys.len);
	sb_add(&p->out, p->recs.buf, p->recs.len);
	if (sb_failed(&p->out) || kin_kpl_md5(k, p->out.buf + KIN_KPL_MAGIC_LEN,
	    p->out.len - KIN_KPL_MAGIC_LEN, md5) != 0)
		return -1;
	sb_add(&p->out, (const char *)md5, sizeof(md5));
	return sb_failed(&p->out) ? -1 : 0;
}
