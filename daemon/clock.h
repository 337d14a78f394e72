/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/* The chair clock: every piece of control logic reads chair time from here.
 * Chair time runs `scale` times faster than CLOCK_MONOTONIC (scale 1 on a real chair). */
struct chair_clock {
	uint64_t wall_origin_usec; /* CLOCK_MONOTONIC at chair time 0 */
	double scale;
};

void chair_clock_init(struct chair_clock *c, uint64_t wall_now_usec, double scale);
/* Chair time in µs at the given CLOCK_MONOTONIC time. */
uint64_t chair_clock_at(const struct chair_clock *c, uint64_t wall_usec);
/* CLOCK_MONOTONIC time at which chair time reaches chair_usec. */
uint64_t chair_clock_wall_at(const struct chair_clock *c, uint64_t chair_usec);
/* Wall duration of a chair-time span. */
uint64_t chair_clock_wall_span(const struct chair_clock *c, uint64_t chair_span_usec);
/* CLOCK_MONOTONIC in µs. */
uint64_t monotonic_usec(void);
/* Chair time now (reads CLOCK_MONOTONIC). */
uint64_t chair_clock_now(const struct chair_clock *c);
