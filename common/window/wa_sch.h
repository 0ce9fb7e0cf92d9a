/* wa_sch: window-avg --schema, the types of the value columns in
 * json-project's DDL, so that values are read and aggregated as Spark's
 * aggregates treat those types:
 *
 *   FLOAT   read straight to the nearest float, widened to double;
 *   DOUBLE  read to the nearest double;
 *           avg and sum add doubles in Spark's order, plainly: each
 *           trigger's values in the order they arrive from 0.0, that sum
 *           then added to the window's sum so far (Spark's partial
 *           aggregate merged into its state store), then divided by the
 *           count; min and max keep the type;
 *   INT, BIGINT  integer literals (INT within 32 bits); sum is the exact
 *           64-bit sum, wrapping on overflow as Spark's long arithmetic
 *           does without ANSI mode, printed as an integer; min and max
 *           are integers; avg is the exact sum over the count;
 *   others  (STRING, BOOLEAN, TIMESTAMP, STRUCT, ARRAY) only counted.
 *
 * Without --schema every column is WA_T_ANY: any JSON number, as a
 * double, summed with compensation (agg.h). */
#ifndef KP_WA_SCH_H
#define KP_WA_SCH_H

#include <math.h>
#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"
#include "json/rec.h"
#include "window/agg.h"

enum wa_type { WA_T_ANY, WA_T_FLOAT, WA_T_DOUBLE, WA_T_INT, WA_T_BIGINT,
	WA_T_OTHER };

struct wa;
struct wa_col;
struct wa_opts;

/* An aggregate's value as its type says it is. */
struct wa_val {
	enum { WA_V_NULL, WA_V_INT, WA_V_DOUBLE, WA_V_FLOAT } kind;
	int64_t i;
	double d;		/* WA_V_FLOAT: the float, widened exactly */
};

/* Load o->schema (when given) and type o's value columns and aggregates;
 * -1 with e set on a usage error (a column the schema lacks, avg of a
 * STRING). */
int wa_sch_resolve(struct wa_opts *o, struct eb *e);
/* " types=float,int" for the state's query description. */
void wa_sch_describe(const struct wa_opts *o, struct sb *out);
/* Spark's name of a type, for messages: "FLOAT". */
const char *wa_sch_name(enum wa_type t);
/* 1 for INT and BIGINT. */
int wa_sch_integral(enum wa_type t);

/* Read a non-null member as type t: 0 with *d (and *i for integers), or
 * -1 when the value is not of the type. */
int wa_sch_read(enum wa_type t, const struct rec_member *m, double *d,
    int64_t *i);

/* Fold each FLOAT and DOUBLE cell's trigger sum into its window's sum, for
 * the rows the current batch changed: called once per data trigger,
 * before its rows go out. */
void wa_sch_fold(struct wa *w);

/* The value of aggregate c of row r. */
void wa_sch_value(const struct wa_col *c, const struct agg_row *r,
    struct wa_val *v);
/* Its JSON text: integers as integers, a FLOAT as the float's shortest
 * text, NaN and infinities as Spark's to_json writes them ("NaN",
 * "Infinity", "-Infinity"). */
void wa_sch_put(struct sb *s, const struct wa_val *v);

/* The exact sum of an integral cell, modulo 2^64 as a signed value. */
int64_t wa_sch_int_sum(const struct agg_cell *c);

/* Spark's ordering of doubles for min and max: NaN above everything. */
static inline int
wa_sch_greater(double a, double b)
{
	return isnan(a) ? !isnan(b) : !isnan(b) && a > b;
}

/* Add one value read by wa_sch_read to a cell of its column's type. */
static inline void
wa_sch_add(enum wa_type t, struct agg_cell *c, double d, int64_t i)
{
	switch (t) {
	case WA_T_ANY:
		agg_cell_add(c, d);
		return;
	case WA_T_FLOAT:
	case WA_T_DOUBLE:
		/* the trigger's own sum, from 0.0 in arrival order, kept in
		 * comp until wa_sch_fold adds it to the window's */
		c->comp += d;
		if (c->n == 0 || wa_sch_greater(c->min, d))
			c->min = d;
		if (c->n == 0 || wa_sch_greater(d, c->max))
			c->max = d;
		break;
	case WA_T_INT:
	case WA_T_BIGINT:
		/* the compensated pair of integer-valued doubles holds an
		 * integer sum exactly; a BIGINT beyond 2^53 goes in as two
		 * exact halves */
		if (i > -(INT64_C(1) << 53) && i < INT64_C(1) << 53) {
			agg_cell_sum_add(c, d);
		} else {
			int64_t hi = (int64_t)((uint64_t)i & ~UINT64_C(0x7FF));

			agg_cell_sum_add(c, (double)hi);
			agg_cell_sum_add(c, (double)(i - hi));
		}
		if (c->n == 0 || d < c->min)
			c->min = d;
		if (c->n == 0 || d > c->max)
			c->max = d;
		break;
	case WA_T_OTHER:
		break;
	}
	c->n++;
}

#endif
