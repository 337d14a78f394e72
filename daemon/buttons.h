/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* The chair remote (docs/hardware.md): POWER stops a running session (on its press),
 * starts the last program (on its release, while idle) and, held while idle, steps to
 * the next profile; NECK, SHOULDER, BACK start those programs; PAUSE toggles; UP/DOWN
 * change intensity; HEAT toggles heat. A press the chair cannot follow is logged, not
 * acted on. */

/* How long POWER is held while idle to step to the next profile, chair time. */
#define REMOTE_HOLD_USEC (2 * USEC_PER_SEC)

void buttons_press(struct context *c, enum chair_input button);
void buttons_release(struct context *c, enum chair_input button);
/* At exit: the remote's timers go. */
void buttons_free(struct context *c);

/* buttons-profile.c: POWER held while idle. The next profile in sorted order, after the
 * last none, after none the first; the LED blinks its number (1..32), none one long
 * light. */
void remote_next_profile(struct context *c);
/* What POWER starts: the favourite of the profile in use (the program it last ran),
 * else the last program, else DefaultProgram=. */
const char *remote_program(const struct context *c);
/* The LED pattern for the profile numbered `number` (1-based, sorted); 0 for none. */
int remote_blink(struct context *c, unsigned number);
void remote_blink_stop(struct context *c);
