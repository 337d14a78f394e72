/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "chair-types.h"
#include "config.h"
#include "roller.h"

/* A track span in mm above the seat (lo < hi). */
struct zone_range {
	unsigned lo_mm, hi_mm;
};

/* The person's levels as they apply now. */
struct motion_levels {
	unsigned intensity; /* 1..5 after the step's depth offset: depth and force */
	unsigned speed;     /* 1..6: travel, knead and tap rates */
	enum width width;   /* roller spacing */
};

/* The share of the intensity's depth (open loop) or force (closed loop) a technique
 * asks for at an instant, permille: from a light touch to the level itself. */
#define TECHNIQUE_SHARE_MIN_PERMILLE 250u
#define TECHNIQUE_SHARE_FULL_PERMILLE 1000u

/* The roller setpoints of a technique `t_usec` (chair time) into a step working `zone`.
 * Pure and stateless: the same inputs give the same setpoints, so a timeline can be
 * evaluated at any instant. Every value is clamped to `limits`. Sets the motion
 * registers only (travel, speeds, knead, tap, depth, width); control and watchdog
 * are left as they were in *ret. The depth is the open loop's: the technique's share
 * of the intensity's depth. That share (TECHNIQUE_SHARE_MIN..FULL_PERMILLE, 0 for an
 * unknown technique) goes to *ret_share_permille unless it is NULL, for the force
 * loop's target (force_target_n()). */
void technique_setpoints(enum technique t, struct zone_range zone, const struct motion_levels *levels,
			 const struct limits_config *limits, uint64_t t_usec, struct roller_setpoints *ret,
			 unsigned *ret_share_permille);

/* Roller spacing in mm for a width, within limits. */
unsigned width_to_mm(enum width w, const struct limits_config *limits);
