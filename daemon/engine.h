/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "program.h"
#include "technique.h"

/* The program engine's pure parts: where a program is at a given program time,
 * which levels apply, and what the rollers do. Linked alone by the unit tests. */

struct program_position {
	unsigned step;          /* 0-based index */
	uint64_t t_in_step_usec;
	uint64_t remaining_usec; /* of the whole program */
};

/* Where the program stands `pos_usec` into it; false once it has ended. */
bool program_locate(const struct program *p, uint64_t pos_usec, struct program_position *ret);

/* What the person chose for this session, on top of the program. */
struct session_levels {
	unsigned intensity;     /* 1..5 */
	unsigned speed;         /* 1..6: the person's, used when speed_chosen or manual */
	enum width width;
	bool speed_chosen;      /* set by SetSpeed during this session: overrides steps */
	bool width_chosen;
};

/* The levels a step runs at: the step's speed/width unless the person chose theirs,
 * the intensity offset by the step's depth (clamped 1..5). step may be NULL (manual). */
struct motion_levels engine_levels(const struct program_step *step, const struct session_levels *s);

/* Whole-second Elapsed and Remaining of a session: Remaining is what is left of the
 * program (program_remaining_usec, or UINT64_MAX for manual) or of the limit,
 * whichever ends first. */
void engine_session_times(uint64_t session_usec, uint64_t limit_usec, uint64_t program_remaining_usec,
			  unsigned *ret_elapsed_s, unsigned *ret_remaining_s);
