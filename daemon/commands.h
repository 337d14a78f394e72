/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "context.h"
#include "refusal.h"

/* What a person may ask of the chair (the Chair1 and Heater1 methods, the remote's
 * buttons), each checked here and then done. Every one returns 0, or a negative errno
 * with *why saying what was refused (why may be NULL); a refusal changes nothing. A
 * negative errno with why->message left empty is a failure of the daemon itself. */

int chair_start_program(struct context *c, const char *id, struct refusal *why);
/* What every start checks (no fault, somebody seated), for the starts kept elsewhere
 * (commands-focus.c). */
int chair_check_start(const struct context *c, struct refusal *why);
/* `technique` and `zone` as a person names them (knead, neck, ...) */
int chair_start_manual(struct context *c, const char *technique, const char *zone, struct refusal *why);
int chair_pause(struct context *c, struct refusal *why);
int chair_resume(struct context *c, struct refusal *why);
int chair_set_intensity(struct context *c, unsigned level, struct refusal *why);
int chair_set_speed(struct context *c, unsigned level, struct refusal *why);
int chair_set_width(struct context *c, const char *width, struct refusal *why);
int chair_set_timer(struct context *c, unsigned minutes, struct refusal *why);
int chair_set_heat(struct context *c, bool on, struct refusal *why);
int chair_scan(struct context *c, struct refusal *why);
int chair_adjust_shoulder(struct context *c, int mm, struct refusal *why);
/* One zone's intensity shifted by `offset` levels (ZONE_PRESSURE_MIN..MAX), for the
 * running session and the ones after it: neck, shoulders, upper-back or lower-back. */
int chair_set_zone_pressure(struct context *c, const char *zone, int offset, struct refusal *why);

/* Heater1: one pad. */
int heater_command_set_target(struct heater *h, double celsius, struct refusal *why);
int heater_command_autotune(struct heater *h, struct refusal *why);
/* Only root ends a lockout. `caller_r` is negative when the caller's uid could not be
 * learnt (then `caller_uid` is ignored). */
int heater_command_reset_lockout(struct heater *h, int caller_r, uid_t caller_uid, struct refusal *why);
