/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "program.h"
#include "technique.h"

/* The program engine's pure parts: where a program is at a given program time,
 * which levels apply, and what the rollers do. Linked alone by the unit tests. */

struct program_position {
	unsigned step; /* 0-based index */
	uint64_t t_in_step_usec;
	uint64_t remaining_usec; /* of the whole program */
};

/* Where the program stands `pos_usec` into it; false once it has ended. */
bool engine_locate(const struct program *p, uint64_t pos_usec, struct program_position *ret);

/* What the person chose for this session, on top of the program. */
struct session_levels {
	unsigned intensity; /* 1..5 */
	unsigned speed;     /* 1..6: the person's, used when speed_chosen or manual */
	enum width width;
	bool speed_chosen; /* set by SetSpeed during this session: overrides steps */
	bool width_chosen;
	unsigned level_max; /* the highest level anything may reach (gentle mode: 3); 0 = INTENSITY_MAX */
};

/* The levels a step runs at: the step's speed/width unless the person chose theirs,
 * the intensity offset by the step's depth (clamped 1..level_max). step may be NULL (manual). */
struct motion_levels engine_levels(const struct program_step *step, const struct session_levels *s);

/* The force level 1..5 at an instant: the person's intensity, the step's depth offset
 * (none when step is NULL: manual) and the offset the person set for the zone the
 * rollers are in now (SetZonePressure), clamped once to 1..level_max. */
unsigned engine_force_level(const struct program_step *step, const struct session_levels *s, int zone_offset);

/* Between zones the rollers travel briskly at light depth, neither kneading nor
 * tapping, rather than crawling there at the next technique's pace; the technique
 * takes over once they are within TRANSIT_MARGIN_MM of its zone. They lift first: no
 * travel while they are deeper than TRANSIT_DEPTH_MM + TRANSIT_LIFT_SLACK_MM (rollers
 * pressed in and swept across the back at 80 mm/s would run into its firmer parts
 * faster than they can retract). Rewrites *sp and returns true while in transit. */
#define TRANSIT_SPEED_MM_S 80
#define TRANSIT_MARGIN_MM 15
#define TRANSIT_DEPTH_MM 5
#define TRANSIT_LIFT_SLACK_MM 1
bool engine_transit(struct zone_range zone, unsigned position_mm, unsigned depth_mm, const struct limits_config *limits,
		    struct roller_setpoints *sp);

/* Whole-second Elapsed and Remaining of a session: Remaining is what is left of the
 * program (program_remaining_usec, or UINT64_MAX for manual) or of the limit,
 * whichever ends first, rounded up. Their sum, the session's length, is rounded up to the
 * second the same way at every instant. */
void engine_session_times(uint64_t session_usec, uint64_t limit_usec, uint64_t program_remaining_usec,
			  unsigned *ret_elapsed_s, unsigned *ret_remaining_s);
