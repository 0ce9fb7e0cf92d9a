/* The retry policy every AWS client here shares: capped exponential
 * backoff with full jitter, and a sleep a signal can cut short. */
#include <time.h>
#include <unistd.h>

#include "aws/aws.h"
#include "base/cli.h"

static double
rng_unit(uint64_t *s)
{
	/* splitmix64: jitter needs spread, not secrecy */
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

double
aws_backoff_delay(double base_s, double cap_s, uint64_t *rng, int attempt)
{
	double ceiling = base_s;
	int i;

	for (i = 1; i < attempt && ceiling < cap_s; i++)
		ceiling *= 2;
	if (ceiling > cap_s)
		ceiling = cap_s;
	return rng_unit(rng) * ceiling;
}

uint64_t
aws_backoff_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
	    (uint64_t)getpid() << 40;
}

int
aws_sleep(double s, volatile sig_atomic_t *stop)
{
	struct timespec ts;
	double end = cli_now() + s, left;

	while (!(stop && *stop) && (left = end - cli_now()) > 0) {
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	return stop && *stop ? -1 : 0;
}
