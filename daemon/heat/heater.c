/* SPDX-License-Identifier: MIT */
/* The pads at run time: their set-up, each pad's target (the session, Heat, SetTarget,
 * the dose budget), the relays and the master relay driven to it, the heat tick's timer,
 * and what Heater1 shows. What a tick does is heater-tick.c, the heat faults
 * heater-faults.c, the tuning files and autotune's result heater-tuning.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "faults.h"
#include "gentle.h"
#include "heater-internal.h"
#include "log.h"
#include "macro.h"
#include "safety.h"

#define AUTOTUNE_CEILING_MARGIN_C 1.0

static int heat_tick_schedule(struct context *c);

/* The first readings, so Temperature is known from the start; the heat tick judges
 * them from its first run on. */
static void heaters_read_once(struct context *c)
{
	int16_t raw[TEMP_CHANNELS];
	double v;

	if (c->driver->ops->temperatures_read(c->driver, raw) < 0)
		return;
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];

		if (h->channel < TEMP_CHANNELS && heat_reading_from_raw(raw[h->channel], &v) == 0)
			h->reading_c = v;
	}
}

int heaters_init(struct context *c)
{
	for (unsigned i = 0; i < c->config.n_pads; i++) {
		struct heater *h = &c->heating.heaters[i];

		*h = (struct heater) {
			.context = c,
			.zone = c->config.pads[i].zone,
			.channel = hardware_sensor_channel(&c->config.hw, c->config.pads[i].zone, i),
			.relay = chair_pad_relay(c->config.pads[i].zone),
			.max_target_c = c->config.pads[i].max_target_c,
			.set_target_c = -1.0,
			.reading_c = NAN,
		};
		if (h->relay == OUTPUT_INVALID)
			log_warning("The %s pad has no relay line in docs/hardware.md's wiring; it stays off",
				    zone_to_string(h->zone));
		heater_load_tuning(h);
		heater_apply_model(h);
		heat_dose_init(&h->dose, c->config.dose_window_h * 3600.0);
		c->heating.n_heaters++;
	}
	if (c->heating.n_heaters == 0)
		return 0;
	heaters_dose_load(c);
	heaters_lockout_load(c);
	heaters_read_once(c);
	return heat_tick_schedule(c);
}

void heaters_free(struct context *c)
{
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		c->heating.heaters[i].autotune = heat_autotune_free(c->heating.heaters[i].autotune);
	c->heating.n_heaters = 0;
	sd_event_source_disable_unref(c->heating.tick_source);
	c->heating.tick_source = NULL;
}

/* Does a step on zone `step` heat the pad on zone `pad`? "back" is both halves. */
static bool zone_covers(enum zone step, enum zone pad)
{
	if (step == pad)
		return true;
	if (step == ZONE_BACK)
		return pad == ZONE_UPPER_BACK || pad == ZONE_LOWER_BACK;
	return pad == ZONE_BACK && (step == ZONE_UPPER_BACK || step == ZONE_LOWER_BACK);
}

/* The person's session target (SetHeatTarget) when they chose one, else the program's
 * HeatTarget, else DefaultTarget; within the pad's MaxTarget. */
static double session_heat_target(const struct context *c, const struct heater *h, double program_c)
{
	double t = c->heat_target_c > 0.0 ? c->heat_target_c : program_c > 0.0 ? program_c : c->config.default_target_c;

	return MIN(t, h->max_target_c);
}

/* What the session asks of this pad: hot-stone ([Program] Heat=yes) heats every pad
 * throughout, other programs the pads of their heated steps' zones, while Heat is on. */
static double session_target(const struct context *c, const struct heater *h)
{
	const struct program *p = &c->session.program;
	double fallback = session_heat_target(c, h, 0.0);
	struct program_position pos;

	if (!c->session.active || !c->heat || c->state == STATE_STOPPING)
		return 0.0;
	if (c->session.manual)
		return zone_covers(c->session.manual_zone, h->zone) ? fallback : 0.0;
	if (p->heat_on_start)
		return session_heat_target(c, h, p->heat_target_c);
	if (engine_locate(p, c->session.program_pos_usec, &pos) && p->steps[pos.step].heat &&
	    zone_covers(p->steps[pos.step].zone, h->zone))
		return fallback;
	return 0.0;
}

/* The dose budget holds over the last DoseWindow whatever heats the pad: a program, a
 * manual session, SetTarget or autotune; no new session, Stop or restart resets it.
 * Gentle mode (docs/safety-rules.md) caps every target under [Gentle] MaxTarget, halves the
 * budget and turns a pad whose halved budget is spent off: 43 °C would be no cap. */
static double heater_target(struct context *c, struct heater *h)
{
	double t, dose, budget = gentle_dose_budget_min(c->config.dose_budget_min, c->gentle);
	double spent_c = c->gentle ? 0.0 : HEAT_DOSE_LIMIT_TARGET_C;

	if (faults_any(c) || h->relay == OUTPUT_INVALID || heater_lockout_holder(h))
		return 0.0;
	t = h->set_target_c >= 0.0 ? h->set_target_c : session_target(c, h);
	t = MIN(t, gentle_pad_target_max_c(&c->config, h->max_target_c, c->gentle));
	dose = heat_dose_total(&h->dose, seconds(context_now(c)));
	if (dose < budget)
		h->dose_spent = false; /* the window forgot enough of it */
	else if (t > spent_c) {
		if (!h->dose_spent)
			log_event(LOG_NOTICE, LOG_EVENT_HEAT_DOSE_SPENT,
				  LOG_FIELDS(.zone = zone_to_string(h->zone), LOG_TEMPERATURE(spent_c)),
				  "The %s pad has given its heat dose for the last %u h (%.0f of %.0f CEM43 "
				  "minutes%s): its target drops from %.1f to %.0f °C",
				  zone_to_string(h->zone), c->config.dose_window_h, dose, budget,
				  c->gentle ? ", half the budget in gentle mode" : "", t, spent_c);
		h->dose_spent = true;
		t = spent_c;
	}
	return t;
}

static bool heater_active(const struct heater *h)
{
	return h->target_c > 0.0 || h->autotune;
}

static bool any_heater_active(const struct context *c)
{
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		if (heater_active(&c->heating.heaters[i]))
			return true;
	return false;
}

bool heaters_heating(const struct context *c)
{
	return any_heater_active(c);
}

/* Relays are written only when they change: heaters_update() runs on every control
 * tick, and a Modbus coil costs a transaction. */
static void master_drive(struct context *c, bool on)
{
	if (on == c->heating.master_on)
		return;
	/* a master that did not open stays "on", so that the next update tries again */
	if (safety_set_output(c, OUTPUT_HEAT_POWER, on) >= 0)
		c->heating.master_on = on;
	maintenance_pads_sync(c);
}

/* A relay that could not be opened (a relay-board coil that did not answer) is tried
 * again on the next update, also after a fault's safe state, and the master relay in
 * series cuts its heat meanwhile. */
void heater_drive(struct heater *h, bool on)
{
	if (h->relay == OUTPUT_INVALID || (on == h->relay_on && !h->relay_unopened))
		return;
	if (safety_set_output(h->context, h->relay, on) >= 0) {
		h->relay_on = on;
		h->relay_unopened = false;
	} else if (!on) {
		h->relay_unopened = true;
		master_drive(h->context, false);
	}
	maintenance_pads_sync(h->context);
}

static bool any_relay_unopened(const struct context *c)
{
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		if (c->heating.heaters[i].relay_unopened)
			return true;
	return false;
}

void heaters_outputs_forced_off(struct context *c)
{
	c->heating.master_on = false;
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		c->heating.heaters[i].relay_on = false;
	maintenance_pads_sync(c);
}

/* A pad starting to heat, stopping, or heating to another target: one journal entry. */
static void heater_log_target(const struct heater *h, double old_c)
{
	const char *zone = zone_to_string(h->zone);

	if (h->target_c == old_c)
		return;
	if (h->target_c > 0.0)
		log_event(LOG_INFO, LOG_EVENT_HEAT_ON, LOG_FIELDS(.zone = zone, LOG_TEMPERATURE(h->target_c)),
			  "The %s pad heats to %.1f °C", zone, h->target_c);
	else
		log_event(LOG_INFO, LOG_EVENT_HEAT_OFF, LOG_FIELDS(.zone = zone), "The %s pad's heat is off", zone);
}

void heaters_update(struct context *c)
{
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];
		double old_c = h->target_c;

		h->target_c = heater_target(c, h);
		heater_log_target(h, old_c);
		if (!heater_active(h)) {
			h->duty = 0.0;
			heater_drive(h, false);
		}
	}
	/* the master relay is in series with every pad: closed only while one heats */
	master_drive(c, any_heater_active(c) && !faults_any(c) && !any_relay_unopened(c) && !heaters_all_locked_out(c));
	/* SessionLimit's cap on heat runs from the moment a pad heats with every pad off
	 * before, sessions or not: only every pad off starts it again (heat_cap_check()) */
	if (!any_heater_active(c))
		c->heating.since_valid = false;
	else if (!c->heating.since_valid) {
		c->heating.since_valid = true;
		c->heating.since_usec = context_now(c);
	}
	(void)heat_tick_schedule(c);
}

void heaters_off(struct context *c, const char *reason, const char *why)
{
	bool was_on = any_heater_active(c);

	if (!why)
		why = reason;
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];

		if (h->autotune)
			log_event(LOG_NOTICE, LOG_EVENT_AUTOTUNE_ABANDONED,
				  LOG_FIELDS(.zone = zone_to_string(h->zone), .reason = reason),
				  "Autotune of the %s pad abandoned: %s", zone_to_string(h->zone), why);
		h->autotune = heat_autotune_free(h->autotune);
		h->set_target_c = -1.0;
	}
	if (was_on)
		log_event(LOG_INFO, LOG_EVENT_HEAT_STOPPED, LOG_FIELDS(.reason = reason),
			  "Heat off at chair time %.3f s: %s", context_now(c) / 1e6, why);
	c->heat = false;
	c->heating.seat_empty_since_usec = 0;
	heaters_update(c);
}

void heaters_reconfigure(struct context *c)
{
	const struct massaged_config *cfg = &c->config;

	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];
		const struct pad_config *pad = config_find_pad(cfg, h->zone);
		double max = pad ? pad->max_target_c : cfg->max_target_c;
		const char *zone = zone_to_string(h->zone);
		struct relay_pwm pwm;

		heat_dose_set_window(&h->dose, cfg->dose_window_h * 3600.0);
		relay_pwm_init(&pwm, cfg->relay_cycle_s, cfg->relay_min_on_s, cfg->relay_min_off_s);
		if (pwm.cycle_s != h->pwm.cycle_s || pwm.min_on_s != h->pwm.min_on_s ||
		    pwm.min_off_s != h->pwm.min_off_s)
			h->pwm = pwm; /* a new cycle from the next tick */
		if (max == h->max_target_c)
			continue;
		log_notice("The %s pad's MaxTarget is now %.1f °C (was %.1f)", zone, max, h->max_target_c);
		if (h->autotune && max < h->max_target_c) {
			log_event(LOG_NOTICE, LOG_EVENT_AUTOTUNE_ABANDONED,
				  LOG_FIELDS(.zone = zone, .reason = "reload"),
				  "Autotune of the %s pad abandoned: MaxTarget lowered", zone);
			h->autotune = heat_autotune_free(h->autotune);
		}
		/* a lowered trip point follows once the stone is below it (heater_tick()): a
		 * reload cuts the heat, it does not fault a pad that was within its old limit */
		if (max > h->max_target_c)
			h->protect.max_target_c = max;
		h->max_target_c = max;
		if (h->set_target_c > max)
			h->set_target_c = max;
	}
	heaters_update(c);
}

void heaters_gentle_on(struct context *c)
{
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];
		double max = gentle_pad_max_c(&c->config, h->max_target_c, true);
		const char *zone = zone_to_string(h->zone);

		if (h->autotune) {
			log_event(LOG_NOTICE, LOG_EVENT_AUTOTUNE_ABANDONED,
				  LOG_FIELDS(.zone = zone, .reason = "gentle"),
				  "Autotune of the %s pad abandoned: gentle mode turned on", zone);
			h->autotune = heat_autotune_free(h->autotune);
		}
		if (h->set_target_c > max)
			h->set_target_c = max;
	}
	heaters_update(c);
}

static int on_heat_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct context *c = userdata;
	uint64_t wall = monotonic_usec();

	(void)s;
	/* usec: when the tick was due (sd-event passes the timer's time) */
	loop_lateness_record(&c->heat_lateness, usec, wall);
	heat_tick(c, context_now(c));
	context_publish(c);
	return heat_tick_schedule(c);
}

/* The heat tick never stops: idle pads are supervised too, so a sensor that fails, a
 * stone that warms with every relay open or a silent temperature module is a fault
 * before anyone asks for heat, and while another fault has turned the heat off. */
static int heat_tick_schedule(struct context *c)
{
	if (!c->event)
		return 0;
	if (!c->heating.tick_source) /* the first tick: the module's silence is timed from now */
		c->heating.temps_last_ok_usec = context_now(c);
	return context_arm_tick(c, &c->heating.tick_source, HEAT_TICK_CHAIR_USEC, on_heat_tick, "heat-tick");
}

void heater_set_target(struct heater *h, double celsius)
{
	struct context *c = h->context;
	const char *zone = zone_to_string(h->zone);

	if (celsius == 0.0)
		celsius = 0.0; /* -0.0 is off too, and Target must not read -0 */
	if (h->autotune) {
		/* the person's choice wins: off, or a target of their own, at once */
		log_event(LOG_NOTICE, LOG_EVENT_AUTOTUNE_ABANDONED,
			  LOG_FIELDS(.zone = zone, .reason = celsius == 0.0 ? "heat-turned-off" : "replaced"),
			  "Autotune of the %s pad abandoned: its target was set to %.1f °C", zone, celsius);
		h->autotune = heat_autotune_free(h->autotune);
	}
	h->set_target_c = celsius;
	log_info("The %s pad's target set to %.1f °C at chair time %.3f s", zone, celsius, context_now(c) / 1e6);
	heaters_update(c);
	context_publish(c);
}

double heater_autotune_target(const struct heater *h)
{
	return MIN(h->context->config.default_target_c, h->max_target_c);
}

int heater_start_autotune(struct heater *h)
{
	struct context *c = h->context;
	const char *zone = zone_to_string(h->zone);
	double target = heater_autotune_target(h);
	int r;

	r = heat_autotune_new(&h->autotune, target, h->max_target_c + AUTOTUNE_CEILING_MARGIN_C,
			      seconds(HEAT_TICK_CHAIR_USEC));
	if (r < 0)
		return log_errno(r, "Failed to start autotune of the %s pad", zone);
	h->set_target_c = -1.0;
	h->autotune_error[0] = '\0';
	log_event(LOG_INFO, LOG_EVENT_AUTOTUNE_STARTED, LOG_FIELDS(.zone = zone, LOG_TEMPERATURE(target)),
		  "Autotune of the %s pad started at %.1f °C (never above %.1f °C)", zone, target,
		  h->max_target_c + AUTOTUNE_CEILING_MARGIN_C);
	heaters_update(c);
	context_publish(c);
	return 0;
}

void heater_stone_moved(struct context *c, enum zone zone, double celsius)
{
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];

		/* a small move is one a stone can make: judged as any reading is */
		if (h->zone != zone || fabs(celsius - h->reading_c) <= HEAT_SENSOR_JUMP_C)
			continue;
		heat_control_reset(&h->control);
		heat_protect_set_model(&h->protect, &h->tuning.model);
		h->protect.started = false;
	}
}

void heater_compute_view(const struct heater *h, struct heater_view *ret)
{
	const struct context *c = h->context;
	const struct maintenance_pad_shown *shown = &c->maintenance.shown.pads[h - c->heating.heaters];
	const struct heater *lockout;
	bool faulted = faults_is_active(c, "temp-module-offline");

	/* every fault code that names a zone (sensor:, overtemp:, ...) is this kind */
	for (unsigned i = 0; i < c->n_faults && !faulted; i++) {
		const char *zone = fault_code_zone(c->faults[i].code);

		faulted = zone && strcmp(zone, zone_to_string(h->zone)) == 0;
	}

	*ret = (struct heater_view) {
		.temperature = isfinite(h->reading_c) ? h->reading_c : 0.0,
		.target = h->target_c,
		.power = h->duty,
		.progress = h->autotune ? heat_autotune_progress(h->autotune) : 0.0,
		.max_target = h->max_target_c,
		.zone = zone_to_string(h->zone),
		.tuned = h->tuned,
		.heating_seconds = shown->heating_s,
		.relay_switches = shown->relay_switches,
		.dose = shown->dose,
		.dose_limit = gentle_dose_budget_min(c->config.dose_budget_min, c->gentle),
	};
	lockout = heater_lockout_holder(h);
	if (lockout) {
		(void)snprintf(ret->lockout, sizeof(ret->lockout), "%s", lockout->lockout);
		ret->lockout_since_usec = lockout->lockout_since_usec;
	}
	(void)snprintf(ret->autotune_error, sizeof(ret->autotune_error), "%s", h->autotune_error);
	if (faulted)
		ret->state = "fault";
	else if (h->autotune)
		ret->state = "autotune";
	else if (h->target_c <= 0.0)
		ret->state = "off";
	else if (isfinite(h->reading_c) && fabs(h->reading_c - h->target_c) <= 0.5)
		ret->state = "holding";
	else
		ret->state = "heating";
}
