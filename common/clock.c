/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <time.h>

#include "clock.h"
#include "macro.h"

void chair_clock_init(struct chair_clock *c, uint64_t wall_now_usec, double scale)
{
	*c = (struct chair_clock) {
		.wall_origin_usec = wall_now_usec,
		.scale = scale > 0 ? scale : 1.0,
		.last_read_usec = wall_now_usec,
	};
}

uint64_t chair_clock_at(const struct chair_clock *c, uint64_t wall_usec)
{
	uint64_t origin = c->wall_origin_usec + c->skipped_usec;

	if (wall_usec <= origin)
		return 0;
	return (uint64_t)llround((double)(wall_usec - origin) * c->scale);
}

uint64_t chair_clock_wall_at(const struct chair_clock *c, uint64_t chair_usec)
{
	/* round up, so a timer set for chair time T never fires before T */
	return c->wall_origin_usec + c->skipped_usec + (uint64_t)ceil((double)chair_usec / c->scale);
}

uint64_t chair_clock_wall_span(const struct chair_clock *c, uint64_t chair_span_usec)
{
	return (uint64_t)ceil((double)chair_span_usec / c->scale);
}

uint64_t monotonic_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t chair_clock_now(struct chair_clock *c)
{
	uint64_t wall = monotonic_usec();

	if (c->due_usec)
		(void)chair_clock_skip_stall(c, c->due_usec, wall, CHAIR_CLOCK_STALL_TOLERANCE_USEC);
	c->last_read_usec = MAX(c->last_read_usec, wall);
	return chair_clock_at(c, wall);
}

uint64_t chair_clock_skip_stall(struct chair_clock *c, uint64_t due_usec, uint64_t wall_now_usec,
				uint64_t tolerance_usec)
{
	uint64_t from = MAX(due_usec, c->last_read_usec), skip;

	if (c->scale <= 1.0 || wall_now_usec <= from + tolerance_usec)
		return 0;
	skip = wall_now_usec - from - tolerance_usec;
	c->skipped_usec += skip;
	c->stalls++;
	return skip;
}

void chair_clock_set_due(struct chair_clock *c, uint64_t due_usec)
{
	c->due_usec = due_usec;
}
