/* jx: JSON output done once, right: numbers as the shortest text that reads
 * back to the same double (Debian's jansson prints 0.1 as
 * 0.10000000000000001), strings escaped for RFC 8259, and jansson
 * documents serialised compactly through the same number rule. */
#ifndef KP_JX_H
#define KP_JX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"

#define JX_NUM_MAX 32

/* Shortest round-trip text of d into buf (NUL-terminated): the first of
 * %.15g, %.16g, %.17g that reads back to d (jx_double.c); returns its
 * length, or 0 for NaN and infinities, which JSON cannot carry. Every
 * stage prints doubles through this, fast in the common case. */
size_t jx_fmt_double(double d, char buf[JX_NUM_MAX]);
/* Same for a float (Spark's FLOAT): the first of %.6g .. %.9g that reads
 * back, as a float, to the same float (jx_float.c). */
size_t jx_fmt_float(float f, char buf[JX_NUM_MAX]);

void jx_put_double(struct sb *s, double d);	/* null for NaN/inf */
/* The same, but NaN and the infinities as the strings "NaN", "Infinity"
 * and "-Infinity", as Spark's to_json writes a DOUBLE: for values a
 * number beyond a double's range (1e999999, which Spark reads as
 * Infinity) or an overflowing sum made infinite, where null would say
 * "no value" (kinpipe(7)). */
void jx_put_double_named(struct sb *s, double d);
void jx_put_int(struct sb *s, int64_t v);	/* printf's %lld */
/* Quoted, escaped JSON string of n bytes of UTF-8 (NULs allowed). */
void jx_put_string(struct sb *s, const char *p, size_t n);
static inline void
jx_put_cstr(struct sb *s, const char *str)
{
	jx_put_string(s, str, strlen(str));
}

/* Compact serialisation of a jansson value with jx number formatting. */
void jx_dump(struct sb *s, const json_t *v);
/* Same into a malloc'd NUL-terminated string (NULL on out of memory). */
char *jx_dumps(const json_t *v);

/* Load a JSON document from a file or from text, errors into e. */
json_t *jx_load_file(const char *path, struct eb *e);
json_t *jx_load_text(const char *text, size_t len, const char *what, struct eb *e);

#endif
