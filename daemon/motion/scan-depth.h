/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* The body scan's force ceiling (docs/safety-rules.md: over-force): the scan presses
 * lightly whatever the back, never near ForceMax. The ceiling is the lower of
 * SCAN_FORCE_MAX_N and SCAN_FORCE_MAX_SHARE of [Limits] ForceMax. While the load read
 * is above SCAN_STEP_BACK_SHARE of the ceiling the depth steps back a whole mm; below
 * SCAN_RETURN_SHARE it steps toward the scan's depth again. The room left under the
 * ceiling is for what rises faster than the rollers retract (0.5 mm a 20 ms tick): a
 * spinous process passes under them in about 100 ms. Pure: the session's tick calls it
 * with the board's status, the new depth goes to DEPTH_TARGET. */
#define SCAN_FORCE_MAX_N 50.0
#define SCAN_FORCE_MAX_SHARE 0.5
#define SCAN_STEP_BACK_SHARE 0.7
#define SCAN_RETURN_SHARE 0.5

/* The scan's ceiling in N for ForceMax force_max_n. */
double scan_force_ceiling_n(unsigned force_max_n);

/* The depth to ask for next, 0..scan_depth_mm: a mm less than the board's depth while
 * the load is above the step-back level, a mm more (up to scan_depth_mm) while it is
 * below the return level, the board's depth in between. */
unsigned scan_depth_next(unsigned board_depth_mm, double load_n, double ceiling_n, unsigned scan_depth_mm);

/* The approach may end: the board is within a mm of the scan's depth, or the ceiling holds it
 * back (the load is at or above the return level). */
bool scan_depth_settled(unsigned board_depth_mm, double load_n, double ceiling_n, unsigned scan_depth_mm);
