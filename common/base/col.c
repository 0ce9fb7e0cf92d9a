#include <string.h>

#include "base/cli.h"
#include "base/col.h"

int
col_add(struct col_set *c, const char *opt, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return i;
	if (c->n == COL_MAX)
		return -1;
	c->opt[c->n] = opt;
	c->name[c->n] = name;
	c->seen[c->n] = 0;
	c->warned[c->n] = 0;
	return c->n++;
}

static const char *
records(uint64_t n)
{
	return n == 1 ? "record" : "records";
}

void
col_batch_end(struct col_set *c, uint64_t read)
{
	if (!c->any)
		return;
	for (int i = 0; i < c->n; i++)
		if (!c->seen[i] && !c->warned[i]) {
			c->warned[i] = 1;
			cli_warn("%s '%s': no record has this column so far "
			    "(%llu %s read)", c->opt[i], c->name[i],
			    (unsigned long long)read, records(read));
		}
}

int
col_end(const struct col_set *c, uint64_t read)
{
	int bad = 0;

	if (!c->any)
		return 0;
	for (int i = 0; i < c->n; i++)
		if (!c->seen[i]) {
			cli_warn("%s '%s': no record has this column (%llu %s "
			    "read)", c->opt[i], c->name[i],
			    (unsigned long long)read, records(read));
			bad = 1;
		}
	return bad;
}
