#include <limits.h>

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
	double left = (p->due - now) * 1000;

	if (left <= 0)
		return 0;
	/* a commit that took a day would not make the wait overflow */
	if (left >= INT_MAX - 1)
		return INT_MAX - 1;
	return (int)left + 1;
}
