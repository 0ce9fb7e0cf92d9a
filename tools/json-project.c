/* json-project: Spark's from_json(col, schema).alias(x) then select("x.*")
 * over an NDJSON stream (see json-project(1)). Each record's JSON text is
 * validated and indexed as byte spans (rec), its fields cast the way
 * Spark's JacksonParser casts them (sc), and the output record is built by
 * copying spans: nothing is re-serialised. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "base/flt.h"
#include "json/jx.h"
#include "base/nd.h"
#include "json/prov.h"
#include "json/rec.h"
#include "base/sb.h"
#include "time/iv.h"
#include "json/sc.h"

#define MAX_KEEP 64

static const char usage_line[] =
    "json-project --schema DDL|@FILE [--field NAME] [--as NAME] [--keep A,B] "
    "[--drop-provenance] [--on-error=null|skip|fail] [--corrupt-column NAME] "
    "[--stats[=SECONDS]] [--metrics FILE [--metrics-interval D]] "
    "[--flush-ms MS] [--threads N] [FILE ...]";

static const char help_text[] =
    "usage: json-project --schema DDL|@FILE [options] [FILE ...]\n"
    "Spark's from_json(FIELD, SCHEMA) then select(\"x.*\"), one record per line,\n"
    "over the FILEs in order (- or none: standard input).\n"
    "\n"
    "      --schema DDL|@FILE   Spark DDL ('a STRING, b FLOAT') or @FILE with DDL\n"
    "                           or Spark's JSON schema\n"
    "  -f, --field NAME         input field with the JSON text or object (data);\n"
    "                           . for the whole record\n"
    "  -a, --as NAME            nest the result under NAME instead of flattening\n"
    "      --keep A,B           carry these input fields too\n"
    "  -P, --drop-provenance    drop shardId, sequenceNumber and\n"
    "                           subSequenceNumber\n"
    "      --on-error=MODE      null (PERMISSIVE, default), skip, fail\n"
    "      --corrupt-column NAME  keep the raw text of bad documents in NAME\n"
    "                           (default: a schema field _corrupt_record)\n"
    "      --stats[=SECONDS]    counts on stderr at exit (and every SECONDS)\n"
    "      --metrics FILE       the counts for Prometheus, rewritten at exit\n"
    "      --metrics-interval D   and every D (10s)\n"
    "      --flush-ms MS        flush at least this often (100)\n"
    "      --threads N          threads for a backlog (CPUs - 2, 1 to 4)\n"
    "  -h, --help               this help\n"
    "  -V, --version            print the version\n";

struct opts {
	struct sc_type schema;
	const char *field;
	size_t field_len;
	int whole_record;		/* --field . */
	const char *as;			/* --as, or NULL */
	struct sb as_key;		/* "\"as\":" or empty */
	const char *keep[MAX_KEEP];
	size_t nkeep;
	int drop_provenance;
	int carry_shard, carry_seq, carry_sub;	/* provenance not already output */
	enum cli_on_error on_error;
	const char *corrupt;		/* the corrupt-record column's name */
	int corrupt_given;		/* by --corrupt-column */
	int corrupt_in_schema;		/* a schema field of that name */
	struct sb corrupt_key;		/* "\"name\":", or empty: no column */
	/* the schema's fields before and after the corrupt-record column
	 * (views into schema.fields; all of them in head when the schema
	 * has no such field) */
	struct sc_type head, tail;
	int flush_ms;
	int threads;			/* --threads; 0: flt decides */
	struct cli_metrics_opts mx;
};

struct state {
	struct rec outer, inner;
	struct sc_cast cast;
	struct sb text;		/* the document, decoded from the field */
	struct sb spare;	/* text's partner in base64 decoding: the two
				 * are swapped, neither allocated per record */
	struct sb rest;		/* the fields after the corrupt column */
	struct eb why;
	struct cli_stats st;
	struct flt *flt;	/* its named columns: --field, --keep */
	int col_field, col_keep[MAX_KEEP];
	int parsed;		/* outer holds the last line's index */
	/* the envelope's members of these names, as rec_get finds them */
	const struct rec_member *encoding, *shard, *seq, *sub;
};

/* What flt_main runs. */
struct filter {
	struct opts o;
	struct state s;
};


/* A JSON string of bytes that may not be UTF-8: each invalid byte becomes
 * U+FFFD, as Java's decoder does when Spark reads a corrupt record. */
static void
put_lossy_string(struct sb *out, const char *p, size_t n)
{
	struct sb clean = SB_INIT;
	size_t i = 0, k;

	while (i < n) {
		k = rec_utf8_seq(p + i, n - i);
		if (k == 0) {
			sb_add(&clean, "\xef\xbf\xbd", 3);
			k = 1;
		} else
			sb_add(&clean, p + i, k);
		i += k;
	}
	jx_put_string(out, clean.buf ? clean.buf : "", clean.len);
	sb_free(&clean);
}

/* s->encoding, s->shard, s->seq and s->sub: what rec_get finds in the
 * envelope for dataEncoding, shardId, sequenceNumber and
 * subSequenceNumber, in one pass over its members instead of four
 * searches. A key without escapes can only be the name of its length
 * (the four differ in length); one with escapes
 * is decoded and compared with each, as rec_get does. A later member
 * replaces an earlier one: the last of duplicates wins, as in rec_get. */
static void
find_envelope(struct state *s)
{
	const struct rec *r = &s->outer;

	s->encoding = s->shard = s->seq = s->sub = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct rec_member *m = &r->m[i];

		if (m->key_escaped || m->key.n == 12)
			if (rec_key_is(m, "dataEncoding", 12))
				s->encoding = m;
		if (m->key_escaped || m->key.n == 7)
			if (rec_key_is(m, "shardId", 7))
				s->shard = m;
		if (m->key_escaped || m->key.n == 14)
			if (rec_key_is(m, "sequenceNumber", 14))
				s->seq = m;
		if (m->key_escaped || m->key.n == 17)
			if (rec_key_is(m, "subSequenceNumber", 17))
				s->sub = m;
	}
}

/* The document text of the field: decoded string, base64 payload or the
 * object itself. FLT_UNTOUCHED: no document (absent, null or blank). */
static enum flt_outcome
document(struct state *s, const struct rec_member *m, struct rec_span *doc)
{
	const struct rec_member *enc;
	size_t len, i;

	if (m == NULL || m->type == REC_NULL)
		return FLT_UNTOUCHED;
	if (m->type == REC_OBJECT) {
		*doc = m->val;
		return FLT_OK;
	}
	if (m->type != REC_STRING) {
		eb_set(&s->why, "field is neither a JSON string nor an object");
		return FLT_BAD;
	}
	/* s->text holds the string, decoded while the line was validated */
	enc = s->encoding;
	if (enc && enc->type == REC_STRING && enc->val.n == 8 &&
	    memcmp(enc->val.p, "\"base64\"", 8) == 0) {
		struct sb raw = s->text;

		sb_reset(&s->spare);
		if (sb_reserve(&s->spare, raw.len + 1) != 0 ||
		    sodium_base642bin((unsigned char *)s->spare.buf, raw.len + 1,
		    raw.buf ? raw.buf : "", raw.len, NULL, &len, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0) {
			if (sb_failed(&s->spare))	/* out of memory: a new
							 * one next time */
				sb_free(&s->spare);
			doc->p = s->text.buf ? s->text.buf : "";
			doc->n = s->text.len;
			eb_set(&s->why, "invalid base64 in dataEncoding base64 field");
			return FLT_BAD;
		}
		/* the decoded bytes become the text; the encoded buffer is
		 * kept for the next record */
		s->spare.len = len;
		s->text = s->spare;
		s->spare = raw;
	}
	doc->p = s->text.buf ? s->text.buf : "";
	doc->n = s->text.len;
	/* JSON's four blanks and NUL (strchr(" \t\r\n", c) also found
	 * NUL, its terminator: a document of "\u0000" is no document),
	 * tested in place, as a call per record cost more than the test */
	for (i = 0; i < doc->n && (doc->p[i] == ' ' || doc->p[i] == '\t' ||
	    doc->p[i] == '\r' || doc->p[i] == '\n' || doc->p[i] == '\0'); i++)
		;
	return i == doc->n ? FLT_UNTOUCHED : FLT_OK;
}

/* The schema's fields in schema order with the corrupt-record column in
 * its place: between head and tail when the schema names it (the field
 * Spark fills), else after them. Any bad value makes the record bad, so
 * the tail is projected aside before the column is written. */
static enum flt_outcome
put_fields(const struct opts *o, struct state *s, const struct rec *idx,
    enum flt_outcome rc, struct rec_span doc, struct sb *out)
{
	int bad = 0;

	sb_reset(&s->rest);
	if (rc == FLT_OK) {
		if (sc_project(&s->cast, &o->head, idx, out)) {
			s->why = s->cast.why;
			bad = 1;
		}
		if (sc_project(&s->cast, &o->tail, idx, &s->rest) && !bad) {
			s->why = s->cast.why;
			bad = 1;
		}
		if (bad)
			rc = FLT_BAD;
	} else {
		sc_project_null(&o->head, out);
		sc_project_null(&o->tail, &s->rest);
	}
	if (o->corrupt_key.len) {
		if (o->head.nfields)
			sb_addc(out, ',');
		sb_add(out, o->corrupt_key.buf, o->corrupt_key.len);
		if (rc == FLT_BAD)
			put_lossy_string(out, doc.p, doc.n);
		else
			sb_add(out, "null", 4);
	}
	if (o->tail.nfields) {
		if (o->head.nfields || o->corrupt_key.len)
			sb_addc(out, ',');
		sb_add(out, s->rest.buf, s->rest.len);
	}
	return rc;
}

/* Project one line into out. FLT_BAD: a null (or partial) record was
 * written unless the policy skips it; s->why says what was wrong. */
static enum flt_outcome
project(void *arg, const struct nd_line *l, struct sb *out)
{
	struct filter *t = arg;
	const struct opts *o = &t->o;
	struct state *s = &t->s;
	const struct rec_member *m = NULL;
	struct rec_span doc = { l->p, l->len };
	enum flt_outcome rc = FLT_UNTOUCHED;
	const struct rec *idx = &s->inner;
	int line_ok;
	size_t i;

	if (o->whole_record)
		line_ok = rec_parse_object(&s->outer, l->p, l->len,
		    &s->why) == 0;
	else
		line_ok = rec_parse_object_decoding(&s->outer, l->p, l->len,
		    o->field, o->field_len, &s->text, &m, &s->why) == 0;
	s->parsed = line_ok;
	s->flt->cols.any |= line_ok;
	if (line_ok && !o->whole_record) {
		if (m != NULL)
			s->flt->cols.seen[s->col_field] = 1;
		else
			s->flt->lacking = 1;
	}
	if (line_ok)
		find_envelope(s);
	if (!line_ok)
		eb_wrap(&s->why, "invalid JSON record");
	else if (o->whole_record) {
		idx = &s->outer;	/* the record itself, already indexed */
		rc = FLT_OK;
	} else {
		rc = document(s, m, &doc);
		if (rc == FLT_OK && rec_parse_object(&s->inner, doc.p, doc.n,
		    &s->why) != 0) {
			eb_wrap(&s->why, "field '%s': malformed JSON", o->field);
			rc = FLT_BAD;
		} else if (rc == FLT_BAD)
			eb_wrap(&s->why, "field '%s'", o->field);
	}
	if (!line_ok)
		rc = FLT_BAD;
	sb_addc(out, '{');
	sb_add(out, o->as_key.buf, o->as_key.len);
	if (o->as_key.len)
		sb_addc(out, '{');
	rc = put_fields(o, s, idx, rc, doc, out);
	if (o->as_key.len)
		sb_addc(out, '}');
	for (i = 0; line_ok && i < o->nkeep; i++)
		if ((m = rec_get(&s->outer, o->keep[i], strlen(o->keep[i])))) {
			s->flt->cols.seen[s->col_keep[i]] = 1;
			sb_addc(out, ',');
			rec_put_member(out, m);
		} else {
			s->flt->lacking = 1;
		}
	if (line_ok && o->carry_shard && (m = s->shard)) {
		sb_addc(out, ',');
		rec_put_member(out, m);
	}
	if (line_ok && o->carry_seq &&
	    (m = s->seq)) {
		sb_addc(out, ',');
		rec_put_member(out, m);
	}
	/* a KPL user record's place inside its aggregate: window-avg's
	 * replay marks need it as much as the sequence number */
	if (line_ok && o->carry_sub &&
	    (m = s->sub)) {
		sb_addc(out, ',');
		rec_put_member(out, m);
	}
	sb_addc(out, '}');
	return rc;
}

static void
set_key(struct sb *k, const char *prefix, const char *name)
{
	sb_adds(k, prefix);
	jx_put_cstr(k, name);
	sb_addc(k, ':');
}

static void
parse_keep(struct opts *o, char *list)
{
	char *tok, *save = NULL;
	size_t i;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",",
	    &save)) {
		if (o->nkeep == MAX_KEEP)
			cli_usage("--keep: more than %d fields", MAX_KEEP);
		for (i = 0; i < o->nkeep; i++)
			if (strcmp(o->keep[i], tok) == 0)
				cli_usage("--keep: '%s' named twice", tok);
		o->keep[o->nkeep++] = tok;
	}
}

static int
kept(const struct opts *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nkeep; i++)
		if (strcmp(o->keep[i], name) == 0)
			return 1;
	return 0;
}

static int
in_schema(const struct opts *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->schema.nfields; i++)
		if (strcmp(o->schema.fields[i].name, name) == 0)
			return 1;
	return 0;
}

/* Spark's columnNameOfCorruptRecord (spark.sql.columnNameOfCorruptRecord,
 * _corrupt_record unless --corrupt-column names another): a top-level
 * schema field of that name is not read from the document but receives
 * the malformed text, in its place, and must be a STRING, as Spark
 * requires. A --corrupt-column the schema lacks is added after the
 * schema's fields; the default name, when the schema lacks it, adds
 * nothing. */
static void
place_corrupt(struct opts *o)
{
	const struct sc_type *t = &o->schema;
	size_t k;

	o->head = (struct sc_type){ .kind = SC_STRUCT, .fields = t->fields,
	    .nfields = t->nfields };
	o->tail = (struct sc_type){ .kind = SC_STRUCT };
	for (k = 0; k < t->nfields; k++)
		if (strcmp(t->fields[k].name, o->corrupt) == 0)
			break;
	if (k < t->nfields) {
		if (t->fields[k].type.kind != SC_STRING)
			cli_usage("schema: the corrupt record column '%s' must "
			    "be STRING", o->corrupt);
		o->corrupt_in_schema = 1;
		o->head.nfields = k;
		o->tail.fields = t->fields + k + 1;
		o->tail.nfields = t->nfields - k - 1;
	} else if (!o->corrupt_given) {
		return;
	}
	set_key(&o->corrupt_key, "", o->corrupt);
}

/* Every output record has unique keys: the names the options put side
 * by side in one object must differ, and the provenance, which
 * exactly-once counting needs, is never replaced by another value. */
static void
check_names(const struct opts *o)
{
	static const char *const prov[] = { "shardId", "sequenceNumber",
	    "subSequenceNumber" };
	const char *added = o->corrupt_key.len && !o->corrupt_in_schema ?
	    o->corrupt : NULL;
	size_t i;

	for (i = 0; !o->as && i < o->nkeep; i++)
		if (in_schema(o, o->keep[i]))
			cli_usage("--keep: '%s' is also a schema field; "
			    "use --as to nest the result", o->keep[i]);
	if (!o->as && added && kept(o, added))
		cli_usage("--corrupt-column: '%s' is also a --keep field",
		    added);
	if (o->as && kept(o, o->as))
		cli_usage("--as: '%s' is also a --keep field", o->as);
	for (i = 0; !o->drop_provenance && i < sizeof(prov) / sizeof(prov[0]);
	    i++) {
		if (!o->as && in_schema(o, prov[i]))
			cli_usage("schema field '%s' clashes with the record's "
			    "provenance, which exactly-once counting needs: use "
			    "--as to nest the result, or --drop-provenance",
			    prov[i]);
		if (!o->as && added && strcmp(added, prov[i]) == 0)
			cli_usage("--corrupt-column: '%s' clashes with the "
			    "record's provenance: choose another name, or "
			    "--drop-provenance", prov[i]);
		if (o->as && strcmp(o->as, prov[i]) == 0)
			cli_usage("--as: '%s' clashes with the record's "
			    "provenance: choose another name, or "
			    "--drop-provenance", prov[i]);
	}
}

static void
parse_args(int argc, char **argv, struct opts *o, struct state *s)
{
	static const struct option longopts[] = {
		{ "schema", required_argument, NULL, 's' },
		{ "field", required_argument, NULL, 'f' },
		{ "as", required_argument, NULL, 'a' },
		{ "keep", required_argument, NULL, 'k' },
		{ "drop-provenance", no_argument, NULL, 'P' },
		{ "on-error", required_argument, NULL, 'e' },
		{ "corrupt-column", required_argument, NULL, 'c' },
		{ "stats", optional_argument, NULL, 'S' },
		CLI_METRICS_LONGOPTS,
		{ "flush-ms", required_argument, NULL, 'F' },
		{ "threads", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *schema = NULL;
	struct eb e;
	int c;

	while ((c = getopt_long(argc, argv, "f:a:PhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 's': schema = optarg; break;
		case 'f': o->field = optarg; break;
		case 'a':
			o->as = optarg;
			sb_reset(&o->as_key);
			set_key(&o->as_key, "", optarg);
			break;
		case 'k': parse_keep(o, optarg); break;
		case 'P': o->drop_provenance = 1; break;
		case 'e':
			if (cli_parse_on_error(optarg, &o->on_error) != 0)
				cli_usage("--on-error: expected null, skip or "
				    "fail, not '%s'", optarg);
			break;
		case 'c':
			o->corrupt = optarg;
			o->corrupt_given = 1;
			break;
		case 'S': cli_stats_init(&s->st, optarg); break;
		case CLI_OPT_METRICS:
		case CLI_OPT_METRICS_INTERVAL:
			cli_metrics_option(&o->mx, c, optarg);
			break;
		case 'F':
			o->flush_ms = (int)cli_parse_count("--flush-ms", optarg, 0, 86400000);
			break;
		case 'T':
			o->threads = (int)cli_parse_count("--threads", optarg,
			    1, FLT_THREADS_MAX);
			break;
		case 'h': cli_help(help_text);
		case 'V': cli_version();
		default: cli_bad_option(argv);
		}
	}
	if (schema == NULL)
		cli_usage("--schema is required");
	if (sc_load(schema, &o->schema, &e) != 0)
		cli_usage("%s", e.msg);
	if (o->schema.nfields == 0)
		cli_usage("schema: no fields");
	o->field_len = strlen(o->field);
	o->whole_record = strcmp(o->field, ".") == 0;
	place_corrupt(o);
	check_names(o);
	/* --keep shardId is the provenance itself: it travels once */
	o->carry_shard = !o->drop_provenance && !kept(o, "shardId");
	o->carry_seq = !o->drop_provenance && !kept(o, "sequenceNumber");
	o->carry_sub = !o->drop_provenance && !kept(o, "subSequenceNumber");
}

static void
where(void *arg, struct sb *out)
{
	struct filter *t = arg;

	if (t->s.parsed)
		prov_describe(&t->s.outer, out);
}

static int
start(void *arg, struct flt *f, int argc, char **argv)
{
	struct filter *t = arg;

	parse_args(argc, argv, &t->o, &t->s);
	f->on_error = t->o.on_error;
	f->flush_ms = t->o.flush_ms;
	f->threads = t->o.threads;
	f->st = &t->s.st;
	f->why = &t->s.why;
	f->mx = &t->o.mx;
	f->duration = iv_parse;
	f->where = where;
	t->s.flt = f;
	if (!t->o.whole_record)
		t->s.col_field = col_add(&f->cols, "--field", t->o.field);
	for (size_t i = 0; i < t->o.nkeep; i++)
		t->s.col_keep[i] = col_add(&f->cols, "--keep", t->o.keep[i]);
	rec_init(&t->s.outer);
	rec_init(&t->s.inner);
	sc_cast_init(&t->s.cast);
	return optind;
}

/* The working state, apart from the options and the counters. */
static void
free_state(struct state *s)
{
	rec_free(&s->outer);
	rec_free(&s->inner);
	sc_cast_free(&s->cast);
	sb_free(&s->text);
	sb_free(&s->spare);
	sb_free(&s->rest);
}

/* Another thread's stage: the options shared (nothing writes them once
 * start is done), the working state its own, its columns marked in wf. */
static void *
clone_stage(void *arg, struct flt *wf)
{
	const struct filter *t = arg;
	struct filter *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->o = t->o;
	c->s.flt = wf;
	c->s.col_field = t->s.col_field;
	memcpy(c->s.col_keep, t->s.col_keep, sizeof(c->s.col_keep));
	rec_init(&c->s.outer);
	rec_init(&c->s.inner);
	sc_cast_init(&c->s.cast);
	wf->why = &c->s.why;
	return c;
}

static void
free_clone(void *arg)
{
	struct filter *c = arg;

	free_state(&c->s);
	free(c);
}

static void
finish(void *arg)
{
	struct filter *t = arg;

	free_state(&t->s);
	sc_free(&t->o.schema);
	sb_free(&t->o.as_key);
	sb_free(&t->o.corrupt_key);
}

int
main(int argc, char **argv)
{
	static const struct flt_tool tool = { "json-project", usage_line,
	    "no_document", start, project, finish,
	    "kinpipe_records_no_document_total",
	    "Records whose field held no document (absent, null or blank), passed with nulls.",
	    clone_stage, free_clone };
	struct filter t = {
		.o = { .field = "data", .on_error = ON_ERROR_NULL,
		    .corrupt = "_corrupt_record", .as_key = SB_INIT,
		    .corrupt_key = SB_INIT, .flush_ms = ND_FLUSH_MS_DEFAULT },
		.s = { .text = SB_INIT, .spare = SB_INIT, .rest = SB_INIT },
	};

	return flt_main(&tool, &t, argc, argv);
}
