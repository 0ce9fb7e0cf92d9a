/* eb: the error buffer every common/ function fills when it fails, so that
 * the tool can say why in one line (kinpipe(7)) and tests can read it. */
#ifndef KP_EB_H
#define KP_EB_H

struct eb {
	char msg[512];
};

/* Format a message into e (if e is not NULL); always returns -1 so that
 * callers can write `return eb_set(e, "...")`. */
int eb_set(struct eb *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the message already in e with "fmt: " (adds context on the way up). */
int eb_wrap(struct eb *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
