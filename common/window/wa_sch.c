#include <string.h>

#include "json/jx.h"
#include "json/sc.h"
#include "window/wa.h"
#include "window/wa_num.h"
#include "window/wa_sch.h"

static const char *const type_name[] = {
	[WA_T_ANY] = "number", [WA_T_FLOAT] = "FLOAT",
	[WA_T_DOUBLE] = "DOUBLE", [WA_T_INT] = "INT", [WA_T_BIGINT] = "BIGINT",
	[WA_T_OTHER] = "non-numeric",
};

const char *
wa_sch_name(enum wa_type t)
{
	return type_name[t];
}

int
wa_sch_integral(enum wa_type t)
{
	return t == WA_T_INT || t == WA_T_BIGINT;
}

static enum wa_type
of_kind(enum sc_kind k)
{
	switch (k) {
	case SC_FLOAT: return WA_T_FLOAT;
	case SC_DOUBLE: return WA_T_DOUBLE;
	case SC_INT: return WA_T_INT;
	case SC_BIGINT: return WA_T_BIGINT;
	default: return WA_T_OTHER;
	}
}

static const char *const fn_name[] = {
	[WA_AVG] = "avg", [WA_COUNT] = "count", [WA_SUM] = "sum",
	[WA_MIN] = "min", [WA_MAX] = "max",
};

static size_t
field_of(const struct sc_type *t, const char *name)
{
	size_t k;

	for (k = 0; k < t->nfields; k++)
		if (strcmp(t->fields[k].name, name) == 0)
			break;
	return k;
}

static int
check_out(const struct wa_opts *o, const struct sc_type *t, struct eb *e)
{
	for (int i = 0; i < o->nout; i++) {
		const struct wa_col *c = &o->out[i];
		struct sb kind = SB_INIT;

		if (c->col < 0 || c->type != WA_T_OTHER || c->fn == WA_COUNT)
			continue;
		sc_type_name(&t->fields[field_of(t, o->cols[c->col])].type,
		    &kind);
		eb_set(e, "--%s %s: the column is %s in --schema; avg, sum, "
		    "min and max take FLOAT, DOUBLE, INT or BIGINT",
		    fn_name[c->fn], o->cols[c->col], sb_cstr(&kind));
		sb_free(&kind);
		return -1;
	}
	return 0;
}

int
wa_sch_resolve(struct wa_opts *o, struct eb *e)
{
	struct sc_type t;
	int rc = 0;

	if (o->schema == NULL)
		return 0;
	if (sc_load(o->schema, &t, e) != 0)
		return eb_wrap(e, "--schema");
	for (int c = 0; c < o->ncols && rc == 0; c++) {
		size_t k = field_of(&t, o->cols[c]);

		if (k == t.nfields)
			rc = eb_set(e, "--schema: no column '%s'", o->cols[c]);
		else
			o->type[c] = of_kind(t.fields[k].type.kind);
	}
	for (int i = 0; rc == 0 && i < o->nout; i++)
		if (o->out[i].col >= 0)
			o->out[i].type = o->type[o->out[i].col];
	if (rc == 0)
		rc = check_out(o, &t, e);
	sc_free(&t);
	return rc;
}

void
wa_sch_describe(const struct wa_opts *o, struct sb *out)
{
	if (o->schema == NULL)
		return;
	sb_adds(out, " types=");
	for (int c = 0; c < o->ncols; c++)
		sb_printf(out, "%s%s", c ? "," : "", type_name[o->type[c]]);
}

/* The strings json-project writes for a FLOAT or DOUBLE that JSON cannot
 * carry, as Spark's to_json does. */
static int
special(const struct rec_member *m, double *d)
{
	struct rec_span s;

	if (m->type != REC_STRING || m->val_escaped)
		return -1;
	s = rec_string_raw(m);
	if (s.n == 3 && memcmp(s.p, "NaN", 3) == 0)
		*d = NAN;
	else if (s.n == 8 && memcmp(s.p, "Infinity", 8) == 0)
		*d = INFINITY;
	else if (s.n == 9 && memcmp(s.p, "-Infinity", 9) == 0)
		*d = -INFINITY;
	else
		return -1;
	return 0;
}

int
wa_sch_read(enum wa_type t, const struct rec_member *m, double *d,
    int64_t *i)
{
	switch (t) {
	case WA_T_ANY:
		if (m->type != REC_NUMBER)
			return -1;
		*d = wa_num(m->val);
		return 0;
	case WA_T_FLOAT:
		if (m->type != REC_NUMBER)
			return special(m, d);
		*d = (double)sc_parse_float(m->val);
		return 0;
	case WA_T_DOUBLE:
		if (m->type != REC_NUMBER)
			return special(m, d);
		*d = wa_num(m->val);
		return 0;
	case WA_T_INT:
	case WA_T_BIGINT:
		if (m->type != REC_NUMBER || !m->num_int ||
		    rec_int64(m->val, i) != 0)
			return -1;
		if (t == WA_T_INT && (*i < INT32_MIN || *i > INT32_MAX))
			return -1;
		*d = (double)*i;
		return 0;
	case WA_T_OTHER:
		*d = 0;
		return 0;
	}
	return -1;
}

void
wa_sch_fold(struct wa *w)
{
	const struct wa_opts *o = w->o;
	int plain[WA_MAX_OUT], n = 0;

	for (int c = 0; c < o->ncols; c++)
		if (o->type[c] == WA_T_FLOAT || o->type[c] == WA_T_DOUBLE)
			plain[n++] = c;
	if (n == 0 || o->merge)
		return;
	for (size_t k = 0; k < w->tab.n; k++) {
		struct agg_row *r = w->tab.order[k];

		if (r->batch != w->st.batch)
			continue;
		for (int j = 0; j < n; j++) {
			struct agg_cell *x = &r->cell[plain[j]];

			/* Spark's merge of the state's buffer with the batch's
			 * partial: state + batch */
			x->sum = x->sum + x->comp;
			x->comp = 0;
		}
	}
}

/* An integer-valued double modulo 2^64. */
static uint64_t
wrap64(double d)
{
	if (d >= -0x1p63 && d < 0x1p63)
		return (uint64_t)(int64_t)d;
	d = fmod(d, 0x1p64);	/* exact */
	if (d >= 0x1p63)
		d -= 0x1p64;	/* exact: both are multiples of 2^11 */
	else if (d < -0x1p63)
		d += 0x1p64;
	return (uint64_t)(int64_t)d;
}

int64_t
wa_sch_int_sum(const struct agg_cell *c)
{
	uint64_t u = wrap64(c->sum) + wrap64(c->comp);
	int64_t v;

	memcpy(&v, &u, sizeof(v));	/* two's complement, as Java's long */
	return v;
}

/* A double that holds an integer column's value, as an int64. */
static int64_t
clamp64(double d)
{
	if (d >= 0x1p63)
		return INT64_MAX;
	if (d < -0x1p63)
		return INT64_MIN;
	return (int64_t)d;
}

void
wa_sch_value(const struct wa_col *c, const struct agg_row *r,
    struct wa_val *v)
{
	const struct agg_cell *x = c->col >= 0 ? &r->cell[c->col] : NULL;
	int integral = wa_sch_integral(c->type);

	v->i = 0;
	v->d = 0;
	if (c->fn == WA_COUNT) {
		v->kind = WA_V_INT;
		v->i = x ? x->n : r->rows;
		return;
	}
	if (x->n == 0) {	/* every value null: Spark's null */
		v->kind = WA_V_NULL;
		return;
	}
	v->kind = WA_V_DOUBLE;
	switch (c->fn) {
	case WA_AVG:
		v->d = agg_cell_sum(x) / (double)x->n;
		return;
	case WA_SUM:
		if (integral && isfinite(x->sum) && isfinite(x->comp)) {
			v->kind = WA_V_INT;
			v->i = wa_sch_int_sum(x);
		} else {
			v->d = agg_cell_sum(x);
		}
		return;
	case WA_MIN:
	case WA_MAX:
		v->d = c->fn == WA_MIN ? x->min : x->max;
		if (integral) {
			v->kind = WA_V_INT;
			v->i = clamp64(v->d);
		} else if (c->type == WA_T_FLOAT) {
			v->kind = WA_V_FLOAT;
		}
		return;
	case WA_COUNT:
		return;
	}
}

void
wa_sch_put(struct sb *s, const struct wa_val *v)
{
	char buf[JX_NUM_MAX];

	switch (v->kind) {
	case WA_V_NULL:
		sb_adds(s, "null");
		return;
	case WA_V_INT:
		jx_put_int(s, v->i);
		return;
	case WA_V_DOUBLE:
	case WA_V_FLOAT:
		if (isnan(v->d))
			sb_adds(s, "\"NaN\"");
		else if (isinf(v->d))
			sb_adds(s, v->d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		else if (v->kind == WA_V_FLOAT)
			sb_add(s, buf, jx_fmt_float((float)v->d, buf));
		else
			jx_put_double(s, v->d);
		return;
	}
}
