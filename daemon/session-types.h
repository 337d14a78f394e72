/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "chair-types.h"
#include "program.h"
#include "scan.h"

/* What session.c and session-tick.c keep in the context: the chair's state, the
 * session, and the body scan's run. */

enum chair_state {
	STATE_IDLE,
	STATE_SCANNING,
	STATE_RUNNING,
	STATE_PAUSED,
	STATE_STOPPING,
	STATE_FAULT,
	_STATE_MAX,
};

enum scan_phase {
	SCAN_APPROACH, /* to SCAN_FROM_MM at full travel speed, no depth */
	SCAN_CLIMB,    /* up the track at SCAN_SPEED_MM_S, light depth, reading the load */
};

/* The body scan's run: a climb up the back reading the load (session-tick.c). */
struct chair_scan {
	bool active;
	enum scan_phase phase;
	enum chair_state then; /* what follows the scan: running, paused or stopping */
	uint64_t climb_start_usec;
	struct body_scan *body; /* the load profile so far (motion/scan.c) */
};

struct session {
	bool active; /* a program or manual session exists */
	bool manual;
	struct program program; /* a copy: a reload never pulls it away */
	/* the program's own step durations, before the focus reshaped them (motion/focus.h) */
	unsigned base_duration_s[PROGRAM_STEPS_MAX];
	enum technique manual_technique;
	enum zone manual_zone;
	uint64_t start_usec;             /* chair time the session began */
	uint64_t program_pos_usec;       /* how far into the program (holds in pause and scan) */
	unsigned elapsed_shown_s;        /* Elapsed last announced: never shown less */
	bool speed_chosen, width_chosen; /* the person's SetSpeed/SetWidth override the steps */
	bool seat_empty;                 /* paused because the seat emptied */
	uint64_t seat_empty_since_usec;
};
