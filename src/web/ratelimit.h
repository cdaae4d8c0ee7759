/*
 * ratelimit.h — an in-memory fixed-window rate limiter keyed by a string
 * (e.g. a client IP), sharded under mutexes so lookups stay cheap under
 * load.  Counters are per process: with several web processes the limit
 * applies per process (login attempts, which must hold across processes,
 * are counted in the store instead).
 */
#ifndef EVISA_RATELIMIT_H
#define EVISA_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* limit hits per window_s seconds per key; limit 0 = unlimited. */
struct ratelimit *ratelimit_new(int limit, int window_s);
void ratelimit_free(struct ratelimit *rl);

/* Counts a hit for key at time now; false once the key is over its limit in
 * the current window. */
bool ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now);

#endif
