/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "context.h"
#include "refusal.h"

/* docs/safety-rules.md: gentle mode, applied to the chair: SetGentle, SetHeatTarget and
 * the checks the other commands (commands.c) make while gentle mode is on. A request
 * above a cap is refused (InvalidArgs naming the cap), nothing changed; what a program
 * file or a profile asks is capped where the level and the heat are computed (gentle.h). */

/* SetGentle(on). On: always allowed, at once: the intensity and zone offsets are lowered
 * to the cap (turning gentle off does not jump back to a firmer level), the pads' targets
 * drop, a session past 15 min ends (`timeout`). Off: logged in the journal with the
 * profile in use. */
int chair_set_gentle(struct context *c, bool on, struct refusal *why);
/* While gentle mode is on: the person's intensity, zone offsets and heat target lowered
 * to its caps (for settings a file brings: a profile, settings.state). */
void gentle_lower_settings(struct context *c);
/* SetHeatTarget(celsius): 0 = the program's or the configured default, else 30..the
 * lowest pad MaxTarget (while gentle, [Gentle] MaxTarget). */
int chair_set_heat_target(struct context *c, double celsius, struct refusal *why);

/* The checks of the other commands while gentle mode is on (0 otherwise). */
int gentle_check_program(const struct context *c, const struct program *p, struct refusal *why);
int gentle_check_technique(const struct context *c, enum technique t, struct refusal *why);
/* SetIntensity(level), or SetZonePressure(zone, offset) with zone valid: no zone may
 * reach a level above the cap (intensity + its offset). */
int gentle_check_intensity(const struct context *c, unsigned level, struct refusal *why);
int gentle_check_zone_pressure(const struct context *c, enum zone zone, int offset, struct refusal *why);
int gentle_check_timer(const struct context *c, unsigned minutes, struct refusal *why);
/* Heater1.SetTarget(celsius) and Autotune on this pad. */
int gentle_check_pad_target(const struct heater *h, double celsius, struct refusal *why);
int gentle_check_autotune(const struct heater *h, struct refusal *why);

/* The running program asks more than gentle mode gives: say once that it is capped
 * (at Start, and when gentle turns on during it). */
void gentle_log_program_capped(const struct context *c);
