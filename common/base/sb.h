/* sb: a growable byte buffer. Appends never fail loudly: an allocation
 * failure sets a sticky flag that the owner checks once (sb_failed) when
 * the record or document is complete, which keeps hot loops free of
 * per-append error handling. */
#ifndef KP_SB_H
#define KP_SB_H

#include <stddef.h>
#include <string.h>

struct sb {
	char *buf;
	size_t len;
	size_t cap;
	int failed;
};

#define SB_INIT { NULL, 0, 0, 0 }

int sb_reserve(struct sb *s, size_t more);	/* 0, or -1 (and failed) */
void sb_free(struct sb *s);
/* sb_free for text that held a secret (a key, a token): its whole
 * allocation zeroed first, in a way the compiler may not drop. */
void sb_free_secret(struct sb *s);
char *sb_cstr(struct sb *s);			/* NUL-terminated view */
void sb_printf(struct sb *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void
sb_reset(struct sb *s)
{
	s->len = 0;
}

static inline int
sb_failed(const struct sb *s)
{
	return s->failed;
}

static inline void
sb_add(struct sb *s, const void *p, size_t n)
{
	if (s->cap - s->len < n && sb_reserve(s, n) != 0)
		return;
	if (n)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static inline void
sb_addc(struct sb *s, char c)
{
	if (s->cap - s->len < 1 && sb_reserve(s, 1) != 0)
		return;
	s->buf[s->len++] = c;
}

static inline void
sb_adds(struct sb *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

#endif
