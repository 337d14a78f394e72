/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "context.h"

/* Sessions: programs and manual massages from start to parked, pause, scan, seat.
 * Callers validate first (D-Bus handlers, buttons); these only act. */

/* The journal's MASSAGED_PROFILE: the profile in use, NULL when none. */
static inline const char *session_profile(const struct context *c)
{
	return c->profile[0] ? c->profile : NULL;
}

/* Start a program or a manual massage; a running session ends as "replaced". The
 * chair scans first when the shoulder height is unknown. */
void session_start_program(struct context *c, const struct program *p);
void session_start_manual(struct context *c, enum technique t, enum zone z);
/* c->focus changed: a running program takes it from its current step on (what ran and
 * where the session stands stay as they are; its length is kept). */
void session_focus_changed(struct context *c);

/* End the session with a reason (ProgramFinished, heat off). For "completed",
 * "stopped", "timeout" and "seat-empty" the rollers then park (State "stopping");
 * "fault" and "replaced" leave the state to the caller. No-op without a session. */
void session_end(struct context *c, const char *reason);
/* Stop(): end with "stopped" and park; also ends a scan. Idempotent. */
void session_stop(struct context *c);

void session_pause(struct context *c);
void session_resume(struct context *c);

/* Scan(): climb and find the shoulder line; a running program holds meanwhile. */
void session_scan(struct context *c);

void session_seat_changed(struct context *c, bool seated);

/* Timeout and seat-empty grace: end the session if either has run out. */
void session_check_limits(struct context *c);

/* session-tick.c: the control tick runs while the rollers have work. */
int session_tick_update(struct context *c);
