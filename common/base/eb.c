#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/eb.h"

int
eb_set(struct eb *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
eb_wrap(struct eb *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)];
	size_t n, room;
	va_list ap;

	if (e == NULL)
		return -1;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* append ": old", cut to fit: the tail of a long cause matters less */
	n = strlen(e->msg);
	room = sizeof(e->msg) - 1 - n;
	if (room > 2) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
		room -= 2;
		old[room < sizeof(old) ? room : sizeof(old) - 1] = '\0';
		memcpy(e->msg + n, old, strlen(old) + 1);
	}
	return -1;
}
