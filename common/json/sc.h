/* sc: Spark schemas and Spark's casts of JSON values (from_json, as
 * JacksonParser does in Spark 3.5). A schema comes from Spark's DDL string
 * ("a STRING, b STRUCT<c: INT>") or from Spark's JSON schema
 * ({"type":"struct","fields":[...]}), and casting a value writes its JSON
 * text straight into an output buffer, so the per-record path copies and
 * converts without building a tree. */
#ifndef KP_SC_H
#define KP_SC_H

#include <jansson.h>
#include <stddef.h>

#include "base/eb.h"
#include "json/rec.h"
#include "base/sb.h"

enum sc_kind {
	SC_STRING, SC_FLOAT, SC_DOUBLE, SC_INT, SC_BIGINT, SC_BOOLEAN,
	SC_TIMESTAMP, SC_STRUCT, SC_ARRAY
};

struct sc_field;

struct sc_type {
	enum sc_kind kind;
	struct sc_field *fields;	/* SC_STRUCT */
	size_t nfields;
	struct sc_type *elem;		/* SC_ARRAY */
};

/* The bytes allocated for an out_key of n bytes: whole 16-byte blocks,
 * so that it can be copied without a call (sc_project). */
#define SC_KEY_PAD(n)	(((n) + 15) / 16 * 16)

struct sc_field {
	char *name;		/* UTF-8, NUL-terminated */
	size_t namelen;
	char *out_key;		/* "\"name\":" escaped, ready to copy;
				   zeros after it up to SC_KEY_PAD */
	size_t out_keylen;
	struct sc_type type;
};

/* A DDL string: `name TYPE [NOT NULL] [COMMENT 'text'], ...`, or the same
 * wrapped as STRUCT<...>; inside STRUCT<> a colon may follow the name. */
int sc_parse_ddl(const char *s, struct sc_type *out, struct eb *e);
/* Spark's JSON form of a StructType (DataType.json). */
int sc_parse_json(const json_t *j, struct sc_type *out, struct eb *e);
/* --schema's argument: DDL text, or @FILE holding DDL or the JSON form. */
int sc_load(const char *arg, struct sc_type *out, struct eb *e);
void sc_free(struct sc_type *t);
/* Spark's catalog name of a type: "float", "struct<a:int>". */
void sc_type_name(const struct sc_type *t, struct sb *out);

/* Casting state reused from record to record (no allocation once warm). */
struct sc_cast {
	struct rec **level;	/* one index per nesting level, kept warm */
	size_t nlevel;
	struct sb tmp;
	struct eb why;		/* what went wrong with the first bad field */
	int bad;		/* a field of this record was nulled */
};

void sc_cast_init(struct sc_cast *c);
void sc_cast_free(struct sc_cast *c);

/* Project an object (already indexed in r) onto the struct type t: write
 * each field's "key":value in schema order, separated by commas, without
 * braces. Returns 0, or 1 when some field was nulled because its value
 * did not fit its type (Spark's partial result; c->why says which). */
int sc_project(struct sc_cast *c, const struct sc_type *t,
    const struct rec *r, struct sb *out);
/* Write every field of t as null (a malformed document). */
void sc_project_null(const struct sc_type *t, struct sb *out);

/* Cast the value of m (a member or element of an indexed record) to t;
 * 0, or 1 with null written. */
int sc_cast_value(struct sc_cast *c, const struct sc_type *t,
    const struct rec_member *m, size_t depth, struct sb *out);

/* Numbers as Spark reads them: FLOAT parsed straight to the nearest float
 * (Jackson 2.15's parseFloat), DOUBLE to the nearest double. */
float sc_parse_float(struct rec_span v);
double sc_parse_double(struct rec_span v);

#endif
