#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/ck.h"
#include "base/ck_path.h"
#include "base/nd.h"

int
ck_fsync_dir_of(const char *path, struct eb *e)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return eb_set(e, "%s: out of memory", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = eb_set(e, "%s: fsync of its directory: %s", path,
		    strerror(errno));
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

/* Every failure after the temporary file exists removes it: a failed
 * write leaves the old file as it was and nothing beside it. */
static int
write_atomic(const char *path, const void *data, size_t len, struct eb *e)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".tmp"));
	const char *failed;
	int fd, saved;

	if (tmp == NULL)
		return eb_set(e, "%s: out of memory", path);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", sizeof(".tmp"));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		eb_set(e, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	failed = tmp;
	if (nd_write_all(fd, data, len, NULL) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		goto fail;
	}
	/* close reports the write errors of some file systems (NFS) */
	if (close(fd) != 0) {
		saved = errno;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		saved = errno;
		failed = path;
		goto fail;
	}
	free(tmp);
	return ck_fsync_dir_of(path, e);
fail:
	unlink(tmp);
	eb_set(e, "%s: %s", failed, strerror(saved));
	free(tmp);
	return -1;
}

/* The check at start (ck_sinks_check) is made again at every write: the
 * path may have become something else since, and a link may have been
 * pointed elsewhere, which is then what gets replaced. */
int
ck_write_atomic(const char *path, const void *data, size_t len, struct eb *e)
{
	char *target = ck_path_resolve(path, e);
	struct stat st;
	int rc;

	if (target == NULL)
		return -1;
	if (lstat(target, &st) == 0 && !S_ISREG(st.st_mode))
		rc = eb_set(e, "%s: not a regular file: refusing to replace it",
		    target);
	else
		rc = write_atomic(target, data, len, e);
	free(target);
	return rc;
}

int
ck_read_file(const char *path, struct sb *out, struct eb *e)
{
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int bad;

	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		return eb_set(e, "%s: %s", path, strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(out, buf, n);
	bad = ferror(f);
	fclose(f);
	if (bad)
		return eb_set(e, "%s: read error", path);
	if (sb_failed(out))
		return eb_set(e, "%s: out of memory", path);
	return 0;
}

/* Eight bytes are all ASCII digits: each is 0x30..0x3F, and stays so
 * with 6 added (0x3A..0x3F become 0x40..0x45; no byte carries into the
 * next once the first test has passed). */
static inline int
digits8(const char *s)
{
	const uint64_t hi = UINT64_C(0xF0F0F0F0F0F0F0F0);
	const uint64_t threes = UINT64_C(0x3030303030303030);
	uint64_t w;

	memcpy(&w, s, 8);
	return (w & hi) == threes &&
	    ((w + UINT64_C(0x0606060606060606)) & hi) == threes;
}

/* Every record of a Kinesis stream brings a 56-digit sequence number:
 * checked sixteen or eight digits at a time, which was an eighth of
 * window-avg's instructions a byte at a time. */
int
ck_seq_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || n > CK_SEQ_MAX)
		return 0;
#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		/* less '0', a digit is 0..9: the unsigned max with 9 is 9 */
		__m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(s + i)),
		    _mm_set1_epi8('0'));
		__m128i nine = _mm_set1_epi8(9);

		if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(d, nine),
		    nine)) != 0xFFFF)
			return 0;
	}
#endif
	for (; i + 8 <= n; i += 8)
		if (!digits8(s + i))
			return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
ck_seq_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c;

	while (an > 1 && *a == '0')
		a++, an--;
	while (bn > 1 && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	c = memcmp(a, b, an);
	return (c > 0) - (c < 0);
}

int
ck_pos_cmp(const char *a, size_t an, int64_t asub, const char *b, size_t bn,
    int64_t bsub)
{
	int c = ck_seq_cmp(a, an, b, bn);

	if (c != 0)
		return c;
	return (asub > bsub) - (asub < bsub);
}

static uint64_t
mark_hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

int
ck_marks_init(struct ck_marks *m)
{
	m->cap = 16;
	m->n = 0;
	memset(m->recent, 0, sizeof(m->recent));
	m->slot = calloc(m->cap, sizeof(*m->slot));
	return m->slot ? 0 : -1;
}

void
ck_marks_free(struct ck_marks *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slot[i]) {
			free(m->slot[i]->shard);
			free(m->slot[i]);
		}
	}
	free(m->slot);
	m->slot = NULL;
	m->cap = m->n = 0;
	memset(m->recent, 0, sizeof(m->recent));
}

static int
marks_grow(struct ck_marks *m)
{
	size_t ncap = m->cap * 2;
	struct ck_mark **ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (m->slot[i] == NULL)
			continue;
		for (j = m->slot[i]->hash & (ncap - 1); ns[j]; j = (j + 1) & (ncap - 1))
			;
		ns[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = ns;
	m->cap = ncap;
	return 0;
}

struct ck_mark *
ck_marks_get(struct ck_marks *m, const char *shard, size_t n)
{
	struct ck_mark **recent = &m->recent[ck_recent_slot(shard, n)];
	struct ck_mark *k = ck_marks_peek(m, shard, n);
	uint64_t h;
	size_t i;

	/* the shards of a stream come again and again: skip the hash */
	if (k != NULL)
		return k;
	h = mark_hash(shard, n);
	for (i = h & (m->cap - 1); m->slot[i]; i = (i + 1) & (m->cap - 1)) {
		k = m->slot[i];
		if (k->hash == h && k->shardlen == n && memcmp(k->shard, shard, n) == 0)
			return *recent = k;
	}
	if ((m->n + 1) * 2 > m->cap) {
		if (marks_grow(m) != 0)
			return NULL;
		for (i = h & (m->cap - 1); m->slot[i]; i = (i + 1) & (m->cap - 1))
			;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL || (k->shard = malloc(n + 1)) == NULL) {
		free(k);
		return NULL;
	}
	memcpy(k->shard, shard, n);
	k->shard[n] = '\0';
	k->shardlen = n;
	k->hash = h;
	k->sub = CK_SUB_WHOLE;
	m->slot[i] = k;
	m->n++;
	return *recent = k;
}

void
ck_mark_set(struct ck_mark *k, const char *seq, size_t n, int64_t sub)
{
	k->sub = sub;
	if (n > CK_SEQ_MAX)
		n = CK_SEQ_MAX;
	memcpy(k->seq, seq, n);
	k->seq[n] = '\0';
	k->seqlen = n;
}
