/* SPDX-License-Identifier: MIT */
/* Every check on what a person asks (range, state, faults, seat, lockout) before the
 * chair does it; the sentences are the ones D-Bus clients and the journal show. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "commands.h"
#include "faults.h"
#include "gentle-mode.h"
#include "heater.h"
#include "log.h"
#include "macro.h"
#include "quote.h"
#include "safety.h"
#include "session.h"

#define ADJUST_SHOULDER_MAX_MM 50
#define TIMER_MIN_MINUTES 5
#define TIMER_STEP_MINUTES 5
#define SET_TARGET_MIN_C 30.0
/* Autotune starts a pad from at least this far below its target. */
#define AUTOTUNE_COLD_MARGIN_C 5.0

static int refuse_if_faulted(const struct context *c, struct refusal *why)
{
	if (!faults_any(c))
		return 0;
	return refuse(why, REFUSAL_FAULTED,
		      "Refused while a fault is active (%s). Fix its cause, then clear the fault.", faults_first(c));
}

static int refuse_if_not_seated(const struct context *c, struct refusal *why)
{
	if (c->seated)
		return 0;
	return refuse(why, REFUSAL_NOT_SEATED, "Nobody is seated: sit down first.");
}

static int refuse_start(const struct context *c, struct refusal *why)
{
	int r = refuse_if_faulted(c, why);

	return r < 0 ? r : refuse_if_not_seated(c, why);
}

int chair_start_program(struct context *c, const char *id, struct refusal *why)
{
	const struct program *p = program_library_find(&c->programs, id);
	char q[QUOTE_BUF_SIZE];
	int r;

	if (!p)
		return refuse(why, REFUSAL_NO_SUCH_PROGRAM, "No program named '%s'.", quote_value(id, q));
	r = refuse_start(c, why);
	if (r < 0)
		return r;
	r = gentle_check_program(c, p, why);
	if (r < 0)
		return r;
	session_start_program(c, p);
	gentle_log_program_capped(c);
	return 0;
}

int chair_start_manual(struct context *c, const char *technique, const char *zone, struct refusal *why)
{
	char q[QUOTE_BUF_SIZE];
	enum technique t = technique_from_string(technique);
	enum zone z = zone_from_string(zone);
	int r;

	if (t == TECHNIQUE_INVALID)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "Unknown technique '%s': use knead, tap, glide, shiatsu, friction, press or deep.",
			      quote_value(technique, q));
	if (z == ZONE_INVALID)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "Unknown zone '%s': use neck, shoulders, upper-back, lower-back or back.",
			      quote_value(zone, q));
	r = refuse_start(c, why);
	if (r < 0)
		return r;
	r = gentle_check_technique(c, t, why);
	if (r < 0)
		return r;
	session_start_manual(c, t, z);
	return 0;
}

int chair_pause(struct context *c, struct refusal *why)
{
	if (c->state == STATE_PAUSED)
		return 0;
	if (c->state != STATE_RUNNING)
		return refuse(why, REFUSAL_NOT_RUNNING, "Nothing to pause: the chair is %s.",
			      chair_state_to_string(c->state));
	session_pause(c);
	return 0;
}

int chair_resume(struct context *c, struct refusal *why)
{
	int r;

	if (c->state == STATE_RUNNING)
		return 0;
	if (c->state != STATE_PAUSED)
		return refuse(why, REFUSAL_NOT_RUNNING, "Nothing to resume: the chair is %s.",
			      chair_state_to_string(c->state));
	r = refuse_if_not_seated(c, why);
	if (r < 0)
		return r;
	session_resume(c);
	return 0;
}

int chair_set_intensity(struct context *c, unsigned level, struct refusal *why)
{
	int r;

	if (level < INTENSITY_MIN || level > INTENSITY_MAX)
		return refuse(why, REFUSAL_INVALID_ARGS, "Intensity %u is out of range: use 1 (light) to 5 (firm).",
			      level);
	r = gentle_check_intensity(c, level, why);
	if (r < 0)
		return r;
	c->intensity = level;
	context_publish(c);
	return 0;
}

int chair_set_speed(struct context *c, unsigned level, struct refusal *why)
{
	if (level < SPEED_MIN || level > SPEED_MAX)
		return refuse(why, REFUSAL_INVALID_ARGS, "Speed %u is out of range: use 1 (slow) to 6 (fast).", level);
	c->speed = level;
	c->session.speed_chosen = c->session.active;
	context_publish(c);
	return 0;
}

int chair_set_width(struct context *c, const char *width, struct refusal *why)
{
	char q[QUOTE_BUF_SIZE];
	enum width w = width_from_string(width);

	if (w == WIDTH_INVALID)
		return refuse(why, REFUSAL_INVALID_ARGS, "Unknown width '%s': use narrow, medium or wide.",
			      quote_value(width, q));
	c->width = w;
	c->session.width_chosen = c->session.active;
	context_publish(c);
	return 0;
}

int chair_set_timer(struct context *c, unsigned minutes, struct refusal *why)
{
	int r;

	if (minutes < TIMER_MIN_MINUTES || minutes > c->config.max_session_minutes || minutes % TIMER_STEP_MINUTES != 0)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "Timer %u min is not allowed: use 5 to %u minutes in steps of 5.", minutes,
			      c->config.max_session_minutes);
	r = gentle_check_timer(c, minutes, why);
	if (r < 0)
		return r;
	c->session_limit_s = minutes * 60;
	session_check_limits(c);
	context_publish(c);
	return 0;
}

int chair_set_heat(struct context *c, bool on, struct refusal *why)
{
	int r;

	if (on) {
		r = refuse_if_faulted(c, why);
		if (r < 0)
			return r;
		c->heat = true;
		heaters_update(c);
	} else
		heaters_off(c, "heat-turned-off", "heat turned off");
	c->heat_wanted = on;
	context_publish(c);
	return 0;
}

int chair_scan(struct context *c, struct refusal *why)
{
	int r = refuse_start(c, why);

	if (r < 0)
		return r;
	session_scan(c);
	return 0;
}

int chair_adjust_shoulder(struct context *c, int mm, struct refusal *why)
{
	unsigned before;

	if (mm < -ADJUST_SHOULDER_MAX_MM || mm > ADJUST_SHOULDER_MAX_MM)
		return refuse(why, REFUSAL_INVALID_ARGS, "Adjustment %d mm is out of range: use -50 to +50 mm.", mm);
	if (c->shoulder_mm == 0)
		return refuse(why, REFUSAL_NOT_SCANNED,
			      "No shoulder height yet: scan the back or start a program first.");
	before = c->shoulder_mm;
	c->shoulder_mm = (unsigned)CLAMP((int)c->shoulder_mm + mm, SHOULDER_MIN_MM, (int)c->config.limits.track_max_mm);
	/* what moved: a new scan result gets it added (session-tick.c) */
	c->shoulder_adjust_mm += (int)c->shoulder_mm - (int)before;
	log_info("Shoulder line adjusted by %+d mm to %u mm", mm, c->shoulder_mm);
	context_publish(c);
	return 0;
}

int chair_set_zone_pressure(struct context *c, const char *zone, int offset, struct refusal *why)
{
	char q[QUOTE_BUF_SIZE];
	enum zone z = zone_from_string(zone);
	int r;

	if (z == ZONE_BACK)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "'back' is two zones: set upper-back and lower-back each (neck, shoulders, upper-back or "
			      "lower-back).");
	if (z == ZONE_INVALID)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "Unknown zone '%s': use neck, shoulders, upper-back or lower-back.",
			      quote_value(zone, q));
	if (offset < ZONE_PRESSURE_MIN || offset > ZONE_PRESSURE_MAX)
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "Pressure offset %d is out of range: use -2 (lighter) to +2 (firmer) intensity levels.",
			      offset);
	r = gentle_check_zone_pressure(c, z, offset, why);
	if (r < 0)
		return r;
	c->zone_pressure[z] = offset;
	log_info("Pressure on the %s set to %+d intensity levels", zone_to_string(z), offset);
	context_publish(c);
	return 0;
}

/* Heat on a locked-out pad: its own lockout, or another pad's welded relay. */
static int refuse_if_locked_out(const struct heater *h, struct refusal *why)
{
	const struct heater *holder = heater_lockout_holder(h);
	const char *zone = zone_to_string(h->zone);

	if (!holder)
		return 0;
	if (strcmp(holder->lockout, HEATER_LOCKOUT_FILE_DAMAGED) == 0)
		return refuse(why, REFUSAL_LOCKED_OUT,
			      "The %s pad is locked out: the lockout file in the state directory is "
			      "damaged, so massaged cannot tell which pad is broken and keeps every pad "
			      "off. After a service check root resets the %s pad's lockout.",
			      zone, zone);
	if (holder != h)
		return refuse(why, REFUSAL_LOCKED_OUT,
			      "All heat is locked out: the %s pad is locked out (%s, %s), so the master "
			      "heat relay stays open and no pad heats. It needs service: replace that "
			      "pad's relay, then root resets the %s pad's lockout.",
			      zone_to_string(holder->zone), holder->lockout, holder->lockout_what,
			      zone_to_string(holder->zone));
	return refuse(why, REFUSAL_LOCKED_OUT,
		      "The %s pad is locked out (%s, %s).%s It needs service; after the repair root "
		      "resets the %s pad's lockout.",
		      zone, h->lockout, h->lockout_what,
		      heater_lockout_stops_all_heat(h) ? " The master heat relay stays open: no pad heats." : "", zone);
}

static int refuse_if_no_relay(const struct heater *h, struct refusal *why)
{
	if (h->relay != OUTPUT_INVALID)
		return 0;
	return refuse(why, REFUSAL_NOT_SUPPORTED, "The %s pad has no relay wired; it cannot heat.",
		      zone_to_string(h->zone));
}

/* What heating a pad needs, in the order a person can act on: no fault, no lockout,
 * somebody seated, a relay to drive. The two sentences say what was asked for. */
static int refuse_unless_pad_may_heat(const struct heater *h, struct refusal *why, const char *if_faulted,
				      const char *if_empty)
{
	int r;

	if (faults_any(h->context))
		return refuse(why, REFUSAL_FAULTED, "%s", if_faulted);
	r = refuse_if_locked_out(h, why);
	if (r < 0)
		return r;
	if (!h->context->seated)
		return refuse(why, REFUSAL_NOT_SEATED, "%s", if_empty);
	return refuse_if_no_relay(h, why);
}

int heater_command_set_target(struct heater *h, double celsius, struct refusal *why)
{
	int r;

	if (!isfinite(celsius) || (celsius != 0.0 && (celsius < SET_TARGET_MIN_C || celsius > h->max_target_c)))
		return refuse(why, REFUSAL_INVALID_ARGS,
			      "The %s pad takes 0 (off) or %.0f..%.1f °C (its MaxTarget), not %g.",
			      zone_to_string(h->zone), SET_TARGET_MIN_C, h->max_target_c, celsius);
	r = gentle_check_pad_target(h, celsius, why);
	if (r < 0)
		return r;
	if (celsius > 0.0) {
		r = refuse_unless_pad_may_heat(h, why, "The chair has a fault (see Faults): clear it before heating.",
					       "Nobody is seated: the pads only heat for a person in the chair.");
		if (r < 0)
			return r;
	}
	heater_set_target(h, celsius);
	return 0;
}

int heater_command_autotune(struct heater *h, struct refusal *why)
{
	double target = heater_autotune_target(h);
	int r;

	if (h->autotune)
		return 0; /* already tuning */
	r = gentle_check_autotune(h, why);
	if (r < 0)
		return r;
	r = refuse_unless_pad_may_heat(h, why, "The chair has a fault (see Faults): clear it before autotune.",
				       "Autotune heats the pad, and the pads only heat for a person in the chair.");
	if (r < 0)
		return r;
	if (isfinite(h->reading_c) && h->reading_c > target - AUTOTUNE_COLD_MARGIN_C)
		return refuse(why, REFUSAL_TOO_WARM,
			      "The %s pad is at %.1f °C; autotune starts it from below %.0f °C. "
			      "Let it cool and try again.",
			      zone_to_string(h->zone), h->reading_c, target - AUTOTUNE_COLD_MARGIN_C);
	return heater_start_autotune(h);
}

int heater_command_reset_lockout(struct heater *h, int caller_r, uid_t caller_uid, struct refusal *why)
{
	const struct heater *holder;
	const char *zone = zone_to_string(h->zone);
	int r;

	if (caller_r < 0) {
		log_warning("ResetLockout of the %s pad refused: the caller's user is unknown: %s", zone,
			    strerror(-caller_r));
		return refuse(why, REFUSAL_ACCESS_DENIED,
			      "Only root may reset a lockout, and the caller's user is unknown.");
	}
	if (caller_uid != 0) {
		log_notice("ResetLockout of the %s pad refused to uid %u: only root may reset a lockout", zone,
			   (unsigned)caller_uid);
		return refuse(why, REFUSAL_ACCESS_DENIED,
			      "Only root may reset a lockout (after the pad was serviced); you are uid %u.",
			      (unsigned)caller_uid);
	}
	holder = heater_lockout_holder(h);
	if (!holder)
		return 0; /* nothing to end */
	if (holder != h)
		return refuse(why, REFUSAL_LOCKED_OUT,
			      "The %s pad has no lockout of its own: all heat is locked out by the %s "
			      "pad's (%s). Reset that one: the %s pad.",
			      zone, zone_to_string(holder->zone), holder->lockout, zone_to_string(holder->zone));
	r = heater_lockout_reset(h);
	if (r < 0)
		return refuse(why, REFUSAL_FAILED,
			      "The lockout file in %s could not be written (%s): the %s pad stays "
			      "locked out.",
			      h->context->state_dir, strerror(-r), zone);
	return 0;
}

int chair_check_start(const struct context *c, struct refusal *why)
{
	return refuse_start(c, why);
}
