#include <math.h>
#include <string.h>

#include "json/jx.h"
#include "window/agg_cell.h"

void
agg_cell_put(struct sb *out, const struct agg_cell *c)
{
	sb_addc(out, '[');
	jx_put_int(out, c->n);
	sb_addc(out, ',');
	jx_put_double_named(out, c->sum);
	sb_addc(out, ',');
	jx_put_double_named(out, c->comp);
	sb_addc(out, ',');
	jx_put_double_named(out, c->n ? c->min : 0);
	sb_addc(out, ',');
	jx_put_double_named(out, c->n ? c->max : 0);
	sb_addc(out, ']');
}

static int
get_num(const json_t *v, double *d)
{
	const char *s;

	if (json_is_number(v)) {
		*d = json_number_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strcmp(s, "Infinity") == 0)
		*d = INFINITY;
	else if (strcmp(s, "-Infinity") == 0)
		*d = -INFINITY;
	else if (strcmp(s, "NaN") == 0)
		*d = NAN;
	else
		return -1;
	return 0;
}

int
agg_cell_get(const json_t *v, struct agg_cell *c)
{
	if (!json_is_array(v) || json_array_size(v) != 5 ||
	    !json_is_integer(json_array_get(v, 0)) ||
	    get_num(json_array_get(v, 1), &c->sum) ||
	    get_num(json_array_get(v, 2), &c->comp) ||
	    get_num(json_array_get(v, 3), &c->min) ||
	    get_num(json_array_get(v, 4), &c->max))
		return -1;
	c->n = json_integer_value(json_array_get(v, 0));
	return 0;
}
