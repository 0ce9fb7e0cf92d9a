#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/sb.h"

int
sb_reserve(struct sb *s, size_t more)
{
	size_t cap;
	char *p;

	if (s->failed)
		return -1;
	if (s->cap - s->len >= more)
		return 0;
	if (more > (size_t)-1 / 2 - s->len) {
		s->failed = 1;
		return -1;
	}
	cap = s->cap ? s->cap : 256;
	while (cap - s->len < more)
		cap *= 2;
	/* one spare byte so that sb_cstr never needs to grow */
	p = realloc(s->buf, cap + 1);
	if (p == NULL) {
		s->failed = 1;
		return -1;
	}
	s->buf = p;
	s->cap = cap;
	return 0;
}

void
sb_free(struct sb *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
	s->failed = 0;
}

void
sb_free_secret(struct sb *s)
{
	if (s->buf != NULL)
		explicit_bzero(s->buf, s->cap);
	sb_free(s);
}

char *
sb_cstr(struct sb *s)
{
	if (s->buf == NULL && sb_reserve(s, 1) != 0)
		return NULL;
	s->buf[s->len] = '\0';
	return s->buf;
}

void
sb_printf(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sb_reserve(s, (size_t)n + 1) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}
