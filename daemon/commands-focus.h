/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"
#include "refusal.h"

/* Areas of concern (motion/focus.h), checked and done as commands.h's commands are. */

/* SetFocus: the zones named (neck, shoulders, upper-back, lower-back, back for both back
 * zones; none clears) for the running program from its current step on and the ones
 * after it. `zones` is NULL-terminated. An unknown name changes nothing. */
int chair_set_focus(struct context *c, char *const *zones, struct refusal *why);
/* StartFocus: a session of `minutes` on one zone (Program focus-ZONE), replacing a
 * running one. */
int chair_start_focus(struct context *c, const char *zone, unsigned minutes, struct refusal *why);
