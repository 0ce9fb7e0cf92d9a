/* The lease taker's decision, KCL's DynamoDBLeaseTaker in one function:
 * no I/O, so that the unit tests can run it on any table. */
#include <string.h>

#include "kinesis/kin_lease.h"

/* Live leases per owner: an expired lease counts for nobody. */
static size_t
count_of(const struct kin_lease_view *v, size_t n, const char *who)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (v[i].eligible && !v[i].expired && v[i].owner != NULL &&
		    strcmp(v[i].owner, who) == 0)
			c++;
	return c;
}

/* The first lease (of those eligible) owned live by who, seen once. */
static int
first_of(const struct kin_lease_view *v, size_t i, const char *who)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (v[j].eligible && !v[j].expired && v[j].owner != NULL &&
		    strcmp(v[j].owner, who) == 0)
			return 0;
	return 1;
}

long
kin_lease_plan(const struct kin_lease_view *v, size_t n, const char *me,
    uint64_t pick, int *steal)
{
	size_t i, active = 0, workers = 1, target, mine, ncand = 0, most = 0;
	const char *loaded = NULL;
	long over, k;

	*steal = 0;
	for (i = 0; i < n; i++) {
		if (!v[i].eligible)
			continue;
		active++;
		if (v[i].expired) {
			ncand++;
			continue;
		}
		if (v[i].owner == NULL || strcmp(v[i].owner, me) == 0 ||
		    !first_of(v, i, v[i].owner))
			continue;
		workers++;
		if ((k = (long)count_of(v, n, v[i].owner)) > (long)most ||
		    (k == (long)most && strcmp(v[i].owner, loaded) < 0)) {
			most = (size_t)k;
			loaded = v[i].owner;
		}
	}
	if (active == 0)
		return -1;
	/* the share of each live worker, this one included, rounded up */
	target = workers >= active ? 1 : (active + workers - 1) / workers;
	mine = count_of(v, n, me);
	if (mine >= target)
		return -1;
	if (ncand > 0) {
		/* workers start at different expired leases, not all at one */
		pick %= ncand;
		for (i = 0; i < n; i++)
			if (v[i].eligible && v[i].expired && pick-- == 0)
				return (long)i;
	}
	if (loaded == NULL || most < target)
		return -1;
	/* steal only what takes the most loaded worker down to the share,
	 * or one when this worker needs more than one and the most loaded
	 * is at the share; never more than one at a time */
	over = (long)(most - target);
	k = (long)(target - mine) < over ? (long)(target - mine) : over;
	if (target - mine > 1 && k == 0)
		k = 1;
	if (k < 1)
		return -1;
	*steal = 1;
	pick %= most;
	for (i = 0; i < n; i++)
		if (v[i].eligible && !v[i].expired && v[i].owner != NULL &&
		    strcmp(v[i].owner, loaded) == 0 && pick-- == 0)
			return (long)i;
	return -1;
}
