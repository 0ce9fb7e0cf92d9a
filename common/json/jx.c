#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/jx.h"

/* A double's shortest round-trip decimal has at most 17 significant digits;
 * when a normal double's has 15 or fewer, %.15g yields exactly it (the
 * double lies far closer to that decimal than to any 15-digit rounding
 * boundary), so one or two snprintf calls settle almost every value. A
 * float's shortest text likewise has 6 to 9 digits. */
size_t
jx_fmt_double(double d, char buf[JX_NUM_MAX])
{
	int prec, n = 0;

	if (!isfinite(d))
		return 0;
	/* subnormals carry fewer digits than 15, so search from 1 for them */
	for (prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		n = snprintf(buf, JX_NUM_MAX, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return (size_t)n;
}

size_t
jx_fmt_float(float f, char buf[JX_NUM_MAX])
{
	int prec, n = 0;

	if (!isfinite(f))
		return 0;
	for (prec = fabsf(f) < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
		n = snprintf(buf, JX_NUM_MAX, "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	return (size_t)n;
}

void
jx_put_double(struct sb *s, double d)
{
	char buf[JX_NUM_MAX];
	size_t n = jx_fmt_double(d, buf);

	if (n == 0)
		sb_add(s, "null", 4);
	else
		sb_add(s, buf, n);
}

void
jx_put_int(struct sb *s, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	sb_add(s, buf, (size_t)n);
}

void
jx_put_string(struct sb *s, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	if (sb_reserve(s, n + 2) != 0)
		return;
	sb_addc(s, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		char esc[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(s, p + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			sb_add(s, esc, 6);
			continue;
		}
		sb_add(s, esc, 2);
	}
	sb_add(s, p + run, n - run);
	sb_addc(s, '"');
}

void
jx_dump(struct sb *s, const json_t *v)
{
	const char *key;
	json_t *val;
	size_t i;
	int first = 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		sb_addc(s, '{');
		json_object_foreach((json_t *)v, key, val) {
			if (!first)
				sb_addc(s, ',');
			first = 0;
			jx_put_cstr(s, key);
			sb_addc(s, ':');
			jx_dump(s, val);
		}
		sb_addc(s, '}');
		break;
	case JSON_ARRAY:
		sb_addc(s, '[');
		json_array_foreach(v, i, val) {
			if (i > 0)
				sb_addc(s, ',');
			jx_dump(s, val);
		}
		sb_addc(s, ']');
		break;
	case JSON_STRING:
		jx_put_string(s, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jx_put_int(s, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		jx_put_double(s, json_real_value(v));
		break;
	case JSON_TRUE:
		sb_add(s, "true", 4);
		break;
	case JSON_FALSE:
		sb_add(s, "false", 5);
		break;
	case JSON_NULL:
		sb_add(s, "null", 4);
		break;
	}
}

char *
jx_dumps(const json_t *v)
{
	struct sb s = SB_INIT;

	jx_dump(&s, v);
	if (sb_failed(&s) || sb_cstr(&s) == NULL) {
		sb_free(&s);
		return NULL;
	}
	return s.buf;
}

json_t *
jx_load_file(const char *path, struct eb *e)
{
	json_error_t je;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		eb_set(e, "%s:%d: %s", path, je.line, je.text);
	return v;
}

json_t *
jx_load_text(const char *text, size_t len, const char *what, struct eb *e)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);

	if (v == NULL)
		eb_set(e, "%s: %s (at byte %d)", what, je.text, je.position);
	return v;
}
