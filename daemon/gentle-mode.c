/* SPDX-License-Identifier: MIT */
/* Gentle mode applied to the chair (gentle-mode.h); the caps themselves are gentle.c's. */
#include <math.h>
#include <stdio.h>

#include "gentle-mode.h"
#include "gentle.h"
#include "heater.h"
#include "log.h"
#include "macro.h"
#include "session.h"

#define HEAT_TARGET_MIN_C 30.0

/* " for NAME" when a profile is in use: whose caps these are. */
static const char *for_whom(const struct context *c, char *buf, size_t size)
{
	if (c->profile[0] == '\0')
		return "";
	(void)snprintf(buf, size, " for %s", c->profile);
	return buf;
}

#define FOR_WHOM_MAX (PROFILE_NAME_MAX + 8)

int gentle_check_program(const struct context *c, const struct program *p, struct refusal *why)
{
	char who[FOR_WHOM_MAX];

	if (!c->gentle || !p->not_gentle)
		return 0;
	return refuse(why, REFUSAL_GENTLE_MODE,
		      "'%s' is refused in gentle mode (on%s): its deep, sustained pressure is more than a person "
		      "with reduced sensation can judge. Choose a lighter program, or turn gentle mode off.",
		      p->title, for_whom(c, who, sizeof(who)));
}

int gentle_check_technique(const struct context *c, enum technique t, struct refusal *why)
{
	char who[FOR_WHOM_MAX];

	if (!c->gentle || !gentle_technique_refused(t))
		return 0;
	return refuse(why, REFUSAL_GENTLE_MODE,
		      "%s is refused in gentle mode (on%s): its deep, sustained pressure is more than a person "
		      "with reduced sensation can judge. Choose knead, glide, tap, shiatsu or friction, or turn "
		      "gentle mode off.",
		      technique_to_string(t), for_whom(c, who, sizeof(who)));
}

/* The zone whose level (intensity + its offset) is highest, and that level. */
static int highest_zone(const int *offsets, unsigned intensity, enum zone *ret_zone)
{
	int level = (int)intensity;

	*ret_zone = ZONE_INVALID;
	for (int z = 0; z < _ZONE_MAX; z++)
		if (z != ZONE_BACK && (int)intensity + offsets[z] > level) {
			level = (int)intensity + offsets[z];
			*ret_zone = (enum zone)z;
		}
	return level;
}

static int refuse_level(const struct context *c, unsigned intensity, const int *offsets, struct refusal *why)
{
	char who[FOR_WHOM_MAX];
	enum zone z;
	int level = highest_zone(offsets, intensity, &z);

	if (!c->gentle || level <= GENTLE_LEVEL_MAX)
		return 0;
	if (z == ZONE_INVALID)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "Intensity %u is above gentle mode's cap of %u (gentle mode is on%s): use 1 to %u.",
			      intensity, GENTLE_LEVEL_MAX, for_whom(c, who, sizeof(who)), GENTLE_LEVEL_MAX);
	return refuse(why, REFUSAL_INVALID_ARGS,
		      "Intensity %u with the %s's offset of %+d is level %d, above gentle mode's cap of %u (gentle "
		      "mode is on%s): keep intensity and offset together at most %u.",
		      intensity, zone_to_string(z), offsets[z], level, GENTLE_LEVEL_MAX, for_whom(c, who, sizeof(who)),
		      GENTLE_LEVEL_MAX);
}

int gentle_check_intensity(const struct context *c, unsigned level, struct refusal *why)
{
	return refuse_level(c, level, c->zone_pressure, why);
}

int gentle_check_zone_pressure(const struct context *c, enum zone zone, int offset, struct refusal *why)
{
	int offsets[_ZONE_MAX];

	for (int z = 0; z < _ZONE_MAX; z++)
		offsets[z] = c->zone_pressure[z];
	offsets[zone] = offset;
	return refuse_level(c, c->intensity, offsets, why);
}

int gentle_check_timer(const struct context *c, unsigned minutes, struct refusal *why)
{
	char who[FOR_WHOM_MAX];

	if (!c->gentle || minutes * 60 <= GENTLE_SESSION_LIMIT_S)
		return 0;
	return refuse(why, REFUSAL_INVALID_ARGS,
		      "Timer %u min is above gentle mode's cap of %u min (gentle mode is on%s): use 5 to %u minutes.",
		      minutes, GENTLE_SESSION_LIMIT_S / 60, for_whom(c, who, sizeof(who)), GENTLE_SESSION_LIMIT_S / 60);
}

int gentle_check_pad_target(const struct heater *h, double celsius, struct refusal *why)
{
	const struct context *c = h->context;
	double max = gentle_pad_max_c(&c->config, h->max_target_c, c->gentle);
	char who[FOR_WHOM_MAX];

	if (!c->gentle || celsius <= max)
		return 0;
	return refuse(why, REFUSAL_INVALID_ARGS,
		      "%.1f °C is above gentle mode's cap of %.1f °C for the %s pad (gentle mode is on%s): use 0 "
		      "(off) or 30..%.1f °C.",
		      celsius, max, zone_to_string(h->zone), for_whom(c, who, sizeof(who)), max);
}

int gentle_check_autotune(const struct heater *h, struct refusal *why)
{
	const struct context *c = h->context;
	char who[FOR_WHOM_MAX];

	if (!c->gentle)
		return 0;
	return refuse(why, REFUSAL_GENTLE_MODE,
		      "Autotune heats the %s pad to %.1f °C and past it, above gentle mode's cap of %.1f °C (gentle "
		      "mode is on%s): tune the pad with gentle mode off and nobody with reduced sensation on it.",
		      zone_to_string(h->zone), heater_autotune_target(h),
		      gentle_pad_max_c(&c->config, h->max_target_c, true), for_whom(c, who, sizeof(who)));
}

void gentle_log_program_capped(const struct context *c)
{
	const struct program *p = &c->session.program;
	double max = gentle_pads_max_c(&c->config, true);
	char heat[48] = "";
	unsigned level;

	if (!c->gentle || !c->session.active || c->session.manual ||
	    !gentle_program_capped(p, c->intensity, max, &level))
		return;
	if (p->heat_target_c > max)
		(void)snprintf(heat, sizeof(heat), ", heat %.1f °C", p->heat_target_c);
	log_notice("Program %s asks for more than gentle mode gives (level %u%s): capped at level %u and %.1f °C",
		   p->id, level, heat, GENTLE_LEVEL_MAX, max);
}

void gentle_lower_settings(struct context *c)
{
	double heat_max = gentle_pads_max_c(&c->config, true);

	if (!c->gentle)
		return;
	c->intensity = gentle_lowered_intensity(c->intensity);
	for (int z = 0; z < _ZONE_MAX; z++)
		c->zone_pressure[z] = gentle_lowered_zone_offset(c->intensity, c->zone_pressure[z]);
	if (c->heat_target_c > heat_max)
		c->heat_target_c = heat_max;
}

static void gentle_turn_on(struct context *c)
{
	double heat_max = gentle_pads_max_c(&c->config, true);

	c->gentle = true;
	gentle_lower_settings(c);
	log_event(LOG_NOTICE, LOG_EVENT_GENTLE_ON, LOG_FIELDS(.profile = c->profile),
		  "Gentle mode on%s%s: intensity at most %u, pads at most %.1f °C, sessions at most %u min, heat "
		  "dose budget halved",
		  c->profile[0] ? " for " : "", c->profile, GENTLE_LEVEL_MAX, heat_max, GENTLE_SESSION_LIMIT_S / 60);
	heaters_gentle_on(c);
	gentle_log_program_capped(c);
	session_check_limits(c); /* a session past the gentle limit ends now */
}

int chair_set_gentle(struct context *c, bool on, struct refusal *why)
{
	(void)why;
	if (on == c->gentle)
		return 0;
	if (on)
		gentle_turn_on(c);
	else {
		c->gentle = false;
		log_event(LOG_NOTICE, LOG_EVENT_GENTLE_OFF, LOG_FIELDS(.profile = c->profile),
			  "Gentle mode turned off%s%s: its caps no longer hold", c->profile[0] ? " for " : "",
			  c->profile);
		heaters_update(c);
	}
	context_publish(c);
	return 0;
}

int chair_set_heat_target(struct context *c, double celsius, struct refusal *why)
{
	double max = gentle_pads_max_c(&c->config, false), cap = gentle_pads_max_c(&c->config, true);
	char who[FOR_WHOM_MAX];

	if (!isfinite(celsius) || (celsius != 0.0 && (celsius < HEAT_TARGET_MIN_C || celsius > max)))
		return refuse(
			why, REFUSAL_INVALID_ARGS,
			"Heat target %g °C is out of range: use 0 (the program's or the default) or %.0f..%.1f °C "
			"(the lowest pad MaxTarget).",
			celsius, HEAT_TARGET_MIN_C, max);
	if (c->gentle && celsius > cap)
		return refuse(
			why, REFUSAL_INVALID_ARGS,
			"Heat target %.1f °C is above gentle mode's cap of %.1f °C (gentle mode is on%s): use 0 or "
			"%.0f..%.1f °C.",
			celsius, cap, for_whom(c, who, sizeof(who)), HEAT_TARGET_MIN_C, cap);
	c->heat_target_c = celsius == 0.0 ? 0.0 : celsius;
	log_info("Heat target set to %.1f °C%s", c->heat_target_c, c->heat_target_c > 0.0 ? "" : " (the default)");
	heaters_update(c);
	context_publish(c);
	return 0;
}
