#include <limits.h>

#include "base/cli.h"
#include "window/wa_pace.h"

void
wa_pace_done(struct wa_pace *p, double started, double ended)
{
	double cost = ended > started ? ended - started : 0;

	p->due = ended + WA_PACE_MULTIPLE * cost;
}

int
wa_pace_wait_ms(const struct wa_pace *p, double now)
{
	/* a commit that took a day would not make the wait overflow */
	return cli_wait_ms(p->due - now, INT_MAX - 1);
}
