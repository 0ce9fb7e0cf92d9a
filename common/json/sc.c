/* sc: reading Spark schemas. The DDL grammar follows Spark's SqlBaseParser
 * (colType / complexColType / primitive type names, case-insensitive) for
 * the types kinpipe casts; anything else is refused by name. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json/jx.h"
#include "json/sc.h"

/* Spark's names for the primitive types, DDL aliases included. */
static const struct {
	const char *name;
	enum sc_kind kind;
} prim[] = {
	{ "string", SC_STRING }, { "float", SC_FLOAT }, { "real", SC_FLOAT },
	{ "double", SC_DOUBLE }, { "int", SC_INT }, { "integer", SC_INT },
	{ "bigint", SC_BIGINT }, { "long", SC_BIGINT },
	{ "boolean", SC_BOOLEAN }, { "timestamp", SC_TIMESTAMP },
};

static const char *const kind_name[] = {
	"string", "float", "double", "int", "bigint", "boolean", "timestamp",
	"struct", "array"
};

struct ddl {
	const char *s, *p;
	struct eb *e;
};

static void
ddl_ws(struct ddl *d)
{
	while (isspace((unsigned char)*d->p))
		d->p++;
}

static int
ddl_fail(struct ddl *d, const char *what)
{
	return eb_set(d->e, "schema: %s at character %zu", what,
	    (size_t)(d->p - d->s) + 1);
}

/* An identifier: letters, digits and '_', or `back quoted` with ``. */
static int
ddl_ident(struct ddl *d, struct sb *out)
{
	sb_reset(out);
	ddl_ws(d);
	if (*d->p == '`') {
		for (d->p++;; d->p++) {
			if (*d->p == '\0')
				return ddl_fail(d, "unterminated `name`");
			if (*d->p == '`') {
				if (d->p[1] != '`')
					break;
				d->p++;
			}
			sb_addc(out, *d->p);
		}
		d->p++;
		return 0;
	}
	while (isalnum((unsigned char)*d->p) || *d->p == '_')
		sb_addc(out, *d->p++);
	if (out->len == 0)
		return ddl_fail(d, "name expected");
	return 0;
}

static int
ddl_keyword(struct ddl *d, const char *kw)
{
	size_t n = strlen(kw);

	ddl_ws(d);
	if (strncasecmp(d->p, kw, n) == 0 && !isalnum((unsigned char)d->p[n]) &&
	    d->p[n] != '_') {
		d->p += n;
		return 1;
	}
	return 0;
}

static int ddl_type(struct ddl *d, struct sc_type *t, int depth);

static int
set_field(struct sc_field *f, const char *name, size_t n)
{
	struct sb k = SB_INIT;

	if ((f->name = malloc(n + 1)) == NULL)
		return -1;
	memcpy(f->name, name, n);
	f->name[n] = '\0';
	f->namelen = n;
	jx_put_string(&k, name, n);
	sb_addc(&k, ':');
	/* zeros up to the next multiple of 16 (SC_KEY_PAD): the key is
	 * copied in whole 16-byte moves */
	if (sb_reserve(&k, SC_KEY_PAD(k.len) - k.len) == 0)
		memset(k.buf + k.len, 0, SC_KEY_PAD(k.len) - k.len);
	if (sb_failed(&k)) {
		sb_free(&k);
		return -1;
	}
	f->out_key = k.buf;
	f->out_keylen = k.len;
	return 0;
}

static struct sc_field *
add_field(struct sc_type *t)
{
	struct sc_field *f = realloc(t->fields, (t->nfields + 1) * sizeof(*f));

	if (f == NULL)
		return NULL;
	t->fields = f;
	f = &t->fields[t->nfields++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* COMMENT 'text', quoted as Spark's string literals are. */
static int
ddl_comment(struct ddl *d)
{
	char q;

	if (!ddl_keyword(d, "comment"))
		return 0;
	ddl_ws(d);
	if (*d->p != '\'' && *d->p != '"')
		return ddl_fail(d, "quoted comment expected");
	/* adjacent literals concatenate, so 'it''s' reads as in Spark */
	while (*d->p == '\'' || *d->p == '"') {
		q = *d->p++;
		for (; *d->p != q; d->p++) {
			if (*d->p == '\0')
				return ddl_fail(d, "unterminated comment");
			if (*d->p == '\\' && d->p[1] != '\0')
				d->p++;
		}
		d->p++;
		ddl_ws(d);
	}
	return 0;
}

/* name [:] TYPE [NOT NULL] [COMMENT '...'] {, ...} up to `end` */
static int
ddl_fields(struct ddl *d, struct sc_type *t, char end, int colon_ok,
    int depth)
{
	struct sb name = SB_INIT;
	struct sc_field *f;
	size_t i;

	t->kind = SC_STRUCT;
	for (;;) {
		ddl_ws(d);
		if (*d->p == end && t->nfields == 0 && end == '>')
			break;
		if (ddl_ident(d, &name) != 0)
			goto fail;
		for (i = 0; i < t->nfields; i++)
			if (t->fields[i].namelen == name.len &&
			    memcmp(t->fields[i].name, name.buf, name.len) == 0) {
				eb_set(d->e, "schema: duplicate field name '%s'",
				    sb_cstr(&name));
				goto fail;
			}
		if ((f = add_field(t)) == NULL ||
		    set_field(f, name.len ? name.buf : "", name.len) != 0) {
			eb_set(d->e, "schema: out of memory");
			goto fail;
		}
		ddl_ws(d);
		if (colon_ok && *d->p == ':')
			d->p++;
		if (ddl_type(d, &f->type, depth) != 0)
			goto fail;
		if (ddl_keyword(d, "not") && !ddl_keyword(d, "null")) {
			ddl_fail(d, "NULL expected after NOT");
			goto fail;
		}
		if (ddl_comment(d) != 0)
			goto fail;
		ddl_ws(d);
		if (*d->p != ',')
			break;
		d->p++;
	}
	sb_free(&name);
	if (*d->p != end) {
		if (end == '\0')
			return ddl_fail(d, "',' or end of schema expected");
		return ddl_fail(d, "',' or '>' expected");
	}
	return 0;
fail:
	sb_free(&name);
	return -1;
}

static int
ddl_type(struct ddl *d, struct sc_type *t, int depth)
{
	struct sb word = SB_INIT;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (depth > 64)
		return ddl_fail(d, "types nested too deep");
	ddl_ws(d);
	while (isalpha((unsigned char)*d->p))
		sb_addc(&word, (char)tolower((unsigned char)*d->p++));
	if (word.len == 0) {
		sb_free(&word);
		return ddl_fail(d, "data type expected");
	}
	sb_cstr(&word);
	for (i = 0; i < sizeof(prim) / sizeof(prim[0]); i++)
		if (strcmp(word.buf, prim[i].name) == 0) {
			t->kind = prim[i].kind;
			sb_free(&word);
			return 0;
		}
	ddl_ws(d);
	if (strcmp(word.buf, "struct") == 0 && *d->p == '<') {
		sb_free(&word);
		d->p++;
		if (ddl_fields(d, t, '>', 1, depth + 1) != 0)
			return -1;
		d->p++;
		return 0;
	}
	if (strcmp(word.buf, "array") == 0 && *d->p == '<') {
		sb_free(&word);
		d->p++;
		t->kind = SC_ARRAY;
		if ((t->elem = calloc(1, sizeof(*t->elem))) == NULL)
			return eb_set(d->e, "schema: out of memory");
		if (ddl_type(d, t->elem, depth + 1) != 0)
			return -1;
		ddl_ws(d);
		if (*d->p != '>')
			return ddl_fail(d, "'>' expected");
		d->p++;
		return 0;
	}
	eb_set(d->e, "schema: unsupported data type '%s' (kinpipe casts "
	    "STRING, FLOAT, DOUBLE, INT, BIGINT, BOOLEAN, TIMESTAMP, STRUCT "
	    "and ARRAY)", word.buf);
	sb_free(&word);
	return -1;
}

int
sc_parse_ddl(const char *s, struct sc_type *out, struct eb *e)
{
	struct ddl d = { s, s, e };
	const char *save;

	memset(out, 0, sizeof(*out));
	ddl_ws(&d);
	/* Spark's fromDDL also takes the whole schema as one STRUCT<...> */
	save = d.p;
	if (ddl_keyword(&d, "struct") && (ddl_ws(&d), *d.p == '<')) {
		d.p = save;
		if (ddl_type(&d, out, 0) != 0)
			goto fail;
		ddl_ws(&d);
		if (*d.p != '\0') {
			ddl_fail(&d, "end of schema expected");
			goto fail;
		}
		return 0;
	}
	d.p = save;
	if (ddl_fields(&d, out, '\0', 0, 0) == 0)
		return 0;
fail:
	sc_free(out);
	return -1;
}

static int js_type(const json_t *j, struct sc_type *t, int depth,
    struct eb *e);

static int
js_fields(const json_t *j, struct sc_type *t, int depth, struct eb *e)
{
	const json_t *fields = json_object_get(j, "fields"), *f;
	struct sc_field *sf;
	size_t i, k;

	t->kind = SC_STRUCT;
	if (!json_is_array(fields))
		return eb_set(e, "schema: struct without a \"fields\" array");
	json_array_foreach(fields, i, f) {
		const json_t *name = json_object_get(f, "name");

		if (!json_is_string(name))
			return eb_set(e, "schema: field %zu has no \"name\"",
			    i + 1);
		for (k = 0; k < t->nfields; k++)
			if (strcmp(t->fields[k].name, json_string_value(name)) == 0)
				return eb_set(e, "schema: duplicate field name "
				    "'%s'", json_string_value(name));
		if ((sf = add_field(t)) == NULL ||
		    set_field(sf, json_string_value(name),
		    json_string_length(name)) != 0)
			return eb_set(e, "schema: out of memory");
		if (js_type(json_object_get(f, "type"), &sf->type, depth + 1,
		    e) != 0)
			return eb_wrap(e, "schema: field '%s'", sf->name);
	}
	return 0;
}

static int
js_type(const json_t *j, struct sc_type *t, int depth, struct eb *e)
{
	const char *name;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (depth > 64)
		return eb_set(e, "types nested too deep");
	if (json_is_string(j)) {
		name = json_string_value(j);
		for (i = 0; i < sizeof(prim) / sizeof(prim[0]); i++)
			if (strcmp(name, prim[i].name) == 0) {
				t->kind = prim[i].kind;
				return 0;
			}
		return eb_set(e, "unsupported data type \"%s\"", name);
	}
	name = json_string_value(json_object_get(j, "type"));
	if (name == NULL)
		return eb_set(e, "a type is a name or an object with \"type\"");
	if (strcmp(name, "struct") == 0)
		return js_fields(j, t, depth, e);
	if (strcmp(name, "array") == 0) {
		t->kind = SC_ARRAY;
		if ((t->elem = calloc(1, sizeof(*t->elem))) == NULL)
			return eb_set(e, "out of memory");
		return js_type(json_object_get(j, "elementType"), t->elem,
		    depth + 1, e);
	}
	return eb_set(e, "unsupported data type \"%s\"", name);
}

int
sc_parse_json(const json_t *j, struct sc_type *out, struct eb *e)
{
	const char *type = json_string_value(json_object_get(j, "type"));

	memset(out, 0, sizeof(*out));
	if (type == NULL || strcmp(type, "struct") != 0) {
		eb_set(e, "schema: JSON schema must be {\"type\":\"struct\","
		    "\"fields\":[...]}");
		return -1;
	}
	if (js_fields(j, out, 0, e) != 0) {
		sc_free(out);
		return -1;
	}
	return 0;
}

int
sc_load(const char *arg, struct sc_type *out, struct eb *e)
{
	const char *p;
	json_t *j;
	int rc;

	if (arg[0] != '@')
		return sc_parse_ddl(arg, out, e);
	if ((j = jx_load_file(arg + 1, e)) != NULL) {
		rc = sc_parse_json(j, out, e);
		json_decref(j);
		return rc < 0 ? eb_wrap(e, "%s", arg + 1) : 0;
	}
	/* not JSON: DDL text, unless it looked like JSON and was broken */
	{
		FILE *f = fopen(arg + 1, "r");
		struct sb text = SB_INIT;
		char buf[4096];
		size_t n;

		if (f == NULL)
			return -1;	/* jx_load_file said why */
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			sb_add(&text, buf, n);
		rc = ferror(f);
		fclose(f);
		if (rc || sb_failed(&text)) {
			sb_free(&text);
			return eb_set(e, "%s: read failed", arg + 1);
		}
		sb_cstr(&text);
		for (p = text.buf; isspace((unsigned char)*p); p++)
			;
		if (*p == '{' || *p == '[') {
			sb_free(&text);
			return -1;	/* the JSON error stands */
		}
		if (memchr(text.buf, '\0', text.len) != NULL) {
			sb_free(&text);
			return eb_set(e, "%s: schema file holds a NUL byte",
			    arg + 1);
		}
		rc = sc_parse_ddl(text.buf, out, e);
		sb_free(&text);
		return rc < 0 ? eb_wrap(e, "%s", arg + 1) : 0;
	}
}

void
sc_free(struct sc_type *t)
{
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		free(t->fields[i].name);
		free(t->fields[i].out_key);
		sc_free(&t->fields[i].type);
	}
	free(t->fields);
	if (t->elem) {
		sc_free(t->elem);
		free(t->elem);
	}
	memset(t, 0, sizeof(*t));
}

void
sc_type_name(const struct sc_type *t, struct sb *out)
{
	size_t i;

	sb_adds(out, kind_name[t->kind]);
	if (t->kind == SC_ARRAY) {
		sb_addc(out, '<');
		sc_type_name(t->elem, out);
		sb_addc(out, '>');
	} else if (t->kind == SC_STRUCT) {
		sb_addc(out, '<');
		for (i = 0; i < t->nfields; i++) {
			if (i)
				sb_addc(out, ',');
			sb_adds(out, t->fields[i].name);
			sb_addc(out, ':');
			sc_type_name(&t->fields[i].type, out);
		}
		sb_addc(out, '>');
	}
}
