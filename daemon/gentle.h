/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "program.h"
#include "roller.h"

/* docs/safety-rules.md: gentle mode. The caps for a person with reduced sensation, as
 * pure functions of what they cap; gentle-mode.c applies them to the chair, the gate
 * (safety.c), the heaters and the commands enforce them. */

#define GENTLE_LEVEL_MAX 3                 /* the intensity / force level, offsets included */
#define GENTLE_SESSION_LIMIT_S (15u * 60u) /* SessionLimit while gentle */
#define GENTLE_DOSE_BUDGET_SHARE 0.5       /* of [Heat] DoseBudget */
/* The share of DepthMax the rollers reach at level 3 without the force loop
 * (technique.c's intensity_depth_pct[2]; tests/unit/test-gentle.c holds them together). */
#define GENTLE_DEPTH_PERCENT 50u

/* The highest force level a session may reach: GENTLE_LEVEL_MAX while gentle, else 5. */
unsigned gentle_level_max(bool gentle);

/* The force target the loop may follow at most while gentle: level 3's force, N. */
double gentle_force_target_max_n(void);
/* The most the rollers may press while gentle: level 3's force and the force loop's own
 * back-off margin over it (max(10 N, 20 %)): 72 N. */
double gentle_force_max_n(void);
/* The load above which the gate steps the rollers back while gentle, 0.1 N as the
 * roller board reads it: a quarter of the way from level 3's force to
 * gentle_force_max_n() (63 N), so that they are clear of a rising bony spot before it
 * presses gentle_force_max_n(). */
uint16_t gentle_load_ceiling_dn(void);
/* The deepest depth the rollers are sent without the force loop while gentle, mm. */
unsigned gentle_depth_max_mm(unsigned depth_max_mm);

/* THE GATE's rule while gentle, on the setpoints about to be sent, from the last read
 * (whatever computed them). Above gentle_load_ceiling_dn() the rollers step back a mm
 * from where they are (never deeper than asked) and travel at most
 * GENTLE_GATE_TRAVEL_MM_S, so that a bony spot rising under a stroke does not outrun
 * their retreat; without the force loop (`open_loop`) the depth is never past
 * gentle_depth_max_mm(). */
#define GENTLE_GATE_TRAVEL_MM_S 5u
void gentle_gate(struct roller_setpoints *sp, const struct roller_status *now, bool open_loop, unsigned depth_max_mm);

/* A pad's ceiling: its MaxTarget, and while gentle the lower of it and [Gentle] MaxTarget. */
double gentle_pad_max_c(const struct massaged_config *cfg, double pad_max_c, bool gentle);
/* What a pad is driven to at most: gentle_pad_max_c(), and while gentle
 * GENTLE_STONE_MARGIN_C under [Gentle] MaxTarget, so that the stone's ripple around its
 * target (up to 0.4 °C on the simulated pads) stays under the cap itself: a person who
 * cannot feel heat gets the stone at most at [Gentle] MaxTarget, not the target. */
#define GENTLE_STONE_MARGIN_C 0.5
double gentle_pad_target_max_c(const struct massaged_config *cfg, double pad_max_c, bool gentle);
/* The lowest ceiling of all configured pads (SetHeatTarget's range), as gentle_pad_max_c(). */
double gentle_pads_max_c(const struct massaged_config *cfg, bool gentle);

/* SessionLimit as it applies: the person's, at most GENTLE_SESSION_LIMIT_S while gentle. */
unsigned gentle_session_limit_s(unsigned limit_s, bool gentle);
/* The dose budget as it applies (CEM43 minutes): halved while gentle. */
double gentle_dose_budget_min(double budget_min, bool gentle);

/* The intensity a person keeps when gentle turns on: at most GENTLE_LEVEL_MAX, so that
 * turning gentle off later does not jump back to a firmer level by itself. */
unsigned gentle_lowered_intensity(unsigned intensity);
/* The zone offset kept when gentle turns on: intensity + offset at most GENTLE_LEVEL_MAX. */
int gentle_lowered_zone_offset(unsigned intensity, int offset);

/* Techniques too firm for gentle mode (deep, sustained pressure: deep, press): StartManual
 * refuses them while it is on. */
bool gentle_technique_refused(enum technique t);

/* Does a program ask more than gentle mode gives at the intensity given (a step's
 * depth offset pushing the level above GENTLE_LEVEL_MAX), or a heat target above
 * max_c (hot-stone's HeatTarget=44)? The highest level it asks is in *ret_level. */
bool gentle_program_capped(const struct program *p, unsigned intensity, double max_c, unsigned *ret_level);
