/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "force-control.h"
#include "roller.h"
#include "technique.h"

/* What the rollers do at one control tick of a running session: the technique's
 * setpoints, and the depth that makes the load follow the force the person chose.
 * Pure: the daemon's run_step() and tools/pressure-bench's driver both call it, so the
 * benchmark measures exactly what the daemon composes.
 *
 * The force level at an instant is the session's intensity + the step's depth offset +
 * the offset of the zone the rollers are in now (zone_at_mm()), clamped 1..5; the target
 * is force_target_n(level, the technique's share). In transit between zones there is
 * no target and the depth stays light; the loop starts afresh from the measured depth
 * when the technique takes over (and after roller_step_restart()), keeping what it has
 * learnt of this person's back along the track (force-map.h) until roller_step_forget(). */

struct roller_step_state {
	bool open_loop;    /* --force-control=off: depth from the intensity alone, as before */
	bool loop_running; /* the loop has the depth since the technique last took over */
	bool loop_known;   /* the loop has run for this person: restart it, keeping its map */
	struct force_loop loop;
};

struct roller_step_input {
	enum technique technique;
	struct zone_range zone;          /* the step's zone on this person's track */
	uint64_t t_usec;                 /* into the step (a manual session: into the session) */
	const struct program_step *step; /* NULL: a manual session */
	struct session_levels levels;
	const int *zone_pressure; /* level offsets by enum zone (_ZONE_MAX of them) */
	unsigned shoulder_mm;
	const struct limits_config *limits;
	const struct roller_status *status; /* as read this tick */
	double tick_s;                      /* the control period, chair time */
};

struct roller_step_result {
	double force_target_n; /* 0: none asked (in transit) */
	unsigned level;        /* the force level 1..5 that applies here */
	unsigned share_permille;
	bool transit;
};

/* Starts in closed loop, its loop waiting for the technique to take over. */
void roller_step_init(struct roller_step_state *st, bool open_loop);
/* The loop starts afresh from the measured depth at the next step: after a pause, a
 * scan, or at a new session. */
void roller_step_restart(struct roller_step_state *st);
/* As roller_step_restart(), and the loop forgets the back along the track: the person
 * may have changed (a new session, a scan, an empty seat). */
void roller_step_forget(struct roller_step_state *st);

/* One tick: writes the motion registers of *sp (control and watchdog left as they
 * were). In open loop the depth is the technique's share of the intensity's depth and
 * the target is only reported, for comparison. */
void roller_step(struct roller_step_state *st, const struct roller_step_input *in, struct roller_setpoints *sp,
		 struct roller_step_result *ret);
