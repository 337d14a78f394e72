/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/* The chair clock: every piece of control logic reads chair time from here.
 * Chair time runs `scale` times faster than CLOCK_MONOTONIC (scale 1 on a real chair).
 *
 * Under a time scale a host stall is multiplied: at 100x, 10 ms in which the daemon is
 * not scheduled would be a second of chair time in which the rollers run without an
 * update (and the roller board's watchdog trips). The clock knows when the next tick is
 * due (chair_clock_set_due()); the first read after that time, whoever makes it, does
 * not count the lateness beyond a tolerance as chair time: the simulated chair waits for
 * the daemon as a real one never has to. At scale 1 nothing is skipped. */
struct chair_clock {
	uint64_t wall_origin_usec; /* CLOCK_MONOTONIC at chair time 0 */
	double scale;
	uint64_t skipped_usec;   /* wall time of host stalls, not counted */
	uint64_t last_read_usec; /* CLOCK_MONOTONIC of the latest chair_clock_now() */
	uint64_t stalls;         /* how many stalls were skipped */
	uint64_t due_usec;       /* CLOCK_MONOTONIC the next tick is due, 0 = none armed */
};

/* A tick may run this much wall time late before the rest is a host stall. */
#define CHAIR_CLOCK_STALL_TOLERANCE_USEC 2000ULL

void chair_clock_init(struct chair_clock *c, uint64_t wall_now_usec, double scale);
/* Chair time in µs at the given CLOCK_MONOTONIC time. */
uint64_t chair_clock_at(const struct chair_clock *c, uint64_t wall_usec);
/* CLOCK_MONOTONIC time at which chair time reaches chair_usec. */
uint64_t chair_clock_wall_at(const struct chair_clock *c, uint64_t chair_usec);
/* Wall duration of a chair-time span. */
uint64_t chair_clock_wall_span(const struct chair_clock *c, uint64_t chair_span_usec);
/* CLOCK_MONOTONIC in µs. */
uint64_t monotonic_usec(void);
/* Chair time now (reads CLOCK_MONOTONIC), less any stall since the due tick. */
uint64_t chair_clock_now(struct chair_clock *c);
/* When the next tick is due (CLOCK_MONOTONIC), 0 when no tick is armed. */
void chair_clock_set_due(struct chair_clock *c, uint64_t due_usec);
/* A timer due at wall `due_usec` runs at `wall_now_usec`: with a time scale, skip the
 * wall time since the due time (or the clock's latest read, if later: chair time never
 * goes back) beyond `tolerance_usec`. Returns the wall µs skipped. */
uint64_t chair_clock_skip_stall(struct chair_clock *c, uint64_t due_usec, uint64_t wall_now_usec,
				uint64_t tolerance_usec);
