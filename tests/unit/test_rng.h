/* The unit suites' random numbers: xorshift64* from a fixed seed per
 * suite, so that a failure reproduces run after run. */
#ifndef KP_TEST_RNG_H
#define KP_TEST_RNG_H

#include <stdint.h>

static inline uint64_t
test_rng_next(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

#endif
