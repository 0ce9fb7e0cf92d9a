#include <stdlib.h>
#include <string.h>

#include "json/jx.h"

/* printf's %lld text without its cost: window-avg writes one or more
 * per output row. */
void
jx_put_int(struct sb *s, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--p = '-';
	sb_add(s, p, (size_t)(buf + sizeof(buf) - p));
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
