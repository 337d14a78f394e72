/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "log.h"
#include "macro.h"
#include "maintenance.h"
#include "safety.h"
#include "scan-depth.h"
#include "session.h"
#include "zone.h"

/* The control tick: ~50 Hz of chair time while the rollers have work, none while
 * idle. Under --time-scale the wall period shrinks (context_arm_tick()). */
#define TICK_CHAIR_USEC (20 * USEC_PER_MSEC)
#define ROLLER_SILENCE_USEC (300 * USEC_PER_MSEC) /* docs/safety-rules.md: roller board silent */
#define ROLLER_WATCHDOG_MS 1000
/* Every roller read of the control tick slow for this long: modbus-slow */
#define MODBUS_SLOW_USEC (1 * USEC_PER_SEC)
#define SCAN_TIMEOUT_USEC (90 * USEC_PER_SEC)
#define PARKED_TRAVEL_MM 2
#define PARKED_DEPTH_MM 1

static bool tick_wanted(const struct context *c)
{
	return c->state == STATE_SCANNING || c->state == STATE_RUNNING || c->state == STATE_PAUSED ||
	       c->state == STATE_STOPPING;
}

/* A link whose answers keep coming later than the control tick can afford (a read and
 * a write per tick within one Modbus timeout) ends the session: the rollers would run
 * on stale setpoints and status. False when the fault was raised. */
static bool link_keeps_up(struct context *c, uint64_t now, bool slow)
{
	if (!slow) {
		c->modbus_slow = false;
		return true;
	}
	if (!c->modbus_slow) {
		c->modbus_slow = true;
		c->modbus_slow_since_usec = now;
		return true;
	}
	if (now - MIN(now, c->modbus_slow_since_usec) < MODBUS_SLOW_USEC)
		return true;
	faults_raise(c, "modbus-slow",
		     "The Modbus link answers too slowly for the control tick: every roller board answer "
		     "took over %u ms (half the %u ms Timeout) for 1 s; motors and heat are off. Check the "
		     "bus wiring, its speed and the devices, then clear the fault.",
		     c->config.hw.modbus.timeout_ms / 2, c->config.hw.modbus.timeout_ms);
	return false;
}

/* Reads the board; false when the session cannot go on (a fault was raised). */
static bool roller_poll(struct context *c, uint64_t now)
{
	bool slow;
	int r = safety_roller_read_timed(c, &c->roller, &slow);

	if (r < 0) {
		if (now - MIN(now, c->roller_last_ok_usec) >= ROLLER_SILENCE_USEC) {
			faults_raise(c, "roller-offline",
				     "The roller board has not answered for 300 ms; motor power is off. "
				     "Check its cable and supply, then clear the fault.");
			return false;
		}
		return link_keeps_up(c, now, slow);
	}
	c->roller_last_ok_usec = now;
	if (!link_keeps_up(c, now, slow))
		return false;
	if (c->roller.status & ROLLER_STATUS_FAULT) {
		faults_raise(c, "roller-fault",
			     "The roller board reports fault code %u (1 pinch or overcurrent, 2 motor "
			     "overtemperature, 3 encoder, 4 supply); the motors are off. Make sure nothing "
			     "is caught in the mechanism, then clear the fault.",
			     c->roller.fault_code);
		return false;
	}
	if (c->roller.status & ROLLER_STATUS_WATCHDOG) {
		faults_raise(c, "roller-fault",
			     "The roller board's watchdog stopped the motors: it missed the daemon's "
			     "updates. Clear the fault to go on.");
		return false;
	}
	return true;
}

static void setpoints_hold(struct context *c)
{
	struct roller_setpoints *sp = &c->setpoints;

	sp->travel_target_mm = c->roller.travel_mm;
	sp->travel_speed = 0;
	sp->knead_rpm = 0;
	sp->tap_rate = 0;
	sp->depth_mm = c->roller.depth_mm;
}

static void setpoints_park(struct context *c)
{
	struct roller_setpoints *sp = &c->setpoints;

	sp->control = ROLLER_CONTROL_ENABLE | ROLLER_CONTROL_PARK;
	sp->travel_target_mm = (uint16_t)c->config.limits.track_min_mm;
	sp->travel_speed = (uint16_t)c->config.limits.travel_speed_max;
	sp->knead_rpm = sp->tap_rate = sp->depth_mm = 0;
}

static void scan_finish(struct context *c)
{
	unsigned mm;
	int r = body_scan_find_shoulder(c->scan.body, &mm);

	if (r < 0) {
		log_event(LOG_WARNING, LOG_EVENT_SCAN_FINISHED,
			  LOG_FIELDS(.reason = "no-shoulder-line", .profile = session_profile(c)),
			  "Body scan found no shoulder line; zones use the default %u mm",
			  c->config.default_shoulder_mm);
	} else {
		/* the person's adjustment holds on a new scan too, within the line's range */
		int adjust =
			CLAMP(c->shoulder_adjust_mm, -SHOULDER_ADJUST_CARRIED_MAX_MM, SHOULDER_ADJUST_CARRIED_MAX_MM);

		c->shoulder_mm = (unsigned)CLAMP((int)mm + adjust, SHOULDER_MIN_MM, (int)c->config.limits.track_max_mm);
		c->shoulder_adjust_mm = (int)c->shoulder_mm - (int)mm;
		log_event(LOG_INFO, LOG_EVENT_SCAN_FINISHED,
			  LOG_FIELDS(.reason = "found", .profile = session_profile(c)),
			  "Body scan: shoulder line at %u mm (adjusted %+d mm: %u mm)", mm, c->shoulder_adjust_mm,
			  c->shoulder_mm);
	}
	c->scan.active = false;
	c->state = c->scan.then;
	if (c->state == STATE_STOPPING)
		setpoints_park(c);
}

/* The scan presses at most its force ceiling (motion/scan-depth.h), from the approach
 * on: on a firm back the depth steps back, and the profile records what it held back. */
static void scan_step(struct context *c, uint64_t now)
{
	const struct limits_config *lim = &c->config.limits;
	struct roller_setpoints *sp = &c->setpoints;
	unsigned from = MAX(SCAN_FROM_MM, lim->track_min_mm);
	unsigned depth = MIN(SCAN_DEPTH_MM, lim->depth_max_mm);
	unsigned board_depth = c->roller.depth_mm;
	double load = c->roller.load_dn / 10.0;
	double ceiling = scan_force_ceiling_n(lim->force_max_n);

	sp->knead_rpm = sp->tap_rate = 0;
	sp->depth_mm = (uint16_t)scan_depth_next(board_depth, load, ceiling, depth);
	if (c->scan.phase == SCAN_APPROACH) {
		sp->travel_target_mm = (uint16_t)from;
		sp->travel_speed = (uint16_t)lim->travel_speed_max;
		if (abs((int)c->roller.travel_mm - (int)from) <= 3 &&
		    scan_depth_settled(board_depth, load, ceiling, depth)) {
			c->scan.phase = SCAN_CLIMB;
			c->scan.climb_start_usec = now;
		}
		return;
	}
	body_scan_add_held(c->scan.body, c->roller.travel_mm, load, depth - MIN(depth, board_depth));
	sp->travel_target_mm = (uint16_t)lim->track_max_mm;
	sp->travel_speed = SCAN_SPEED_MM_S;
	if ((unsigned)c->roller.travel_mm + 1 >= lim->track_max_mm ||
	    now - c->scan.climb_start_usec >= SCAN_TIMEOUT_USEC)
		scan_finish(c);
}

/* The rollers at one tick of the running session: motion/roller-step.c composes the
 * technique, the transit and the force loop. */
static void roll(struct context *c, enum technique t, enum zone z, const struct program_step *step, uint64_t t_usec)
{
	const struct limits_config *lim = &c->config.limits;
	struct roller_step_result res;
	struct roller_step_input in = {
		.technique = t,
		.zone = zone_to_range(z, context_shoulder_mm(c), lim),
		.t_usec = t_usec,
		.step = step,
		.levels = context_levels(c),
		.zone_pressure = c->zone_pressure,
		.shoulder_mm = context_shoulder_mm(c),
		.limits = lim,
		.status = &c->roller,
		.tick_s = (double)TICK_CHAIR_USEC / USEC_PER_SEC,
	};

	roller_step(&c->roller_step, &in, &c->setpoints, &res);
	c->force_target_n = res.force_target_n;
}

static void run_step(struct context *c, uint64_t dt)
{
	struct session *s = &c->session;
	struct program_position pos;
	const struct program_step *step;

	s->program_pos_usec += dt;
	if (s->manual) {
		roll(c, s->manual_technique, s->manual_zone, NULL, s->program_pos_usec);
		return;
	}
	if (!engine_locate(&s->program, s->program_pos_usec, &pos)) {
		session_end(c, "completed");
		setpoints_park(c);
		return;
	}
	step = &s->program.steps[pos.step];
	roll(c, step->technique, step->zone, step, pos.t_in_step_usec);
}

/* Parked: motors off, back to idle. */
static void park_finish(struct context *c)
{
	c->setpoints.control = 0;
	(void)safety_roller_write(c, &c->setpoints);
	(void)safety_set_output(c, OUTPUT_MOTOR_POWER, false);
	c->state = STATE_IDLE;
	log_info("Rollers parked");
}

static void tick_once(struct context *c, uint64_t now)
{
	uint64_t dt = now - MIN(now, c->last_tick_usec);
	int r;

	c->last_tick_usec = now;
	if (!roller_poll(c, now) || !faults_check_over_force(c, now))
		return;
	/* the rollers moved since the last tick: scan, program, parking (a pause holds them) */
	if (c->state == STATE_SCANNING || c->state == STATE_RUNNING || c->state == STATE_STOPPING)
		maintenance_rollers_ran(c, dt);
	session_check_limits(c);
	c->setpoints.control = ROLLER_CONTROL_ENABLE;
	c->setpoints.watchdog_ms = ROLLER_WATCHDOG_MS;
	switch (c->state) {
	case STATE_SCANNING:
		scan_step(c, now);
		break;
	case STATE_RUNNING:
		run_step(c, dt);
		break;
	case STATE_PAUSED:
		setpoints_hold(c);
		break;
	case STATE_STOPPING:
		setpoints_park(c);
		if (c->roller.travel_mm <= c->config.limits.track_min_mm + PARKED_TRAVEL_MM &&
		    c->roller.depth_mm <= PARKED_DEPTH_MM) {
			park_finish(c);
			return;
		}
		break;
	default:
		return;
	}
	r = safety_roller_write(c, &c->setpoints); /* clamped to the limits there */
	if (r < 0)
		log_debug("Roller board write failed: %s", strerror(-r));
}

/* usec: when the tick was due (sd-event passes the timer's time) */
static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct context *c = userdata;
	uint64_t wall = monotonic_usec();

	loop_lateness_record(&c->control_lateness, usec, wall);
	tick_once(c, context_now(c)); /* less a host stall under --time-scale */
	heaters_update(c);            /* a step may start or stop heating its zone */
	context_publish(c);
	return session_tick_update(c);
}

int session_tick_update(struct context *c)
{
	if (!tick_wanted(c)) {
		c->ticking = false;
		return context_disarm_tick(c, c->tick_source);
	}
	if (!c->ticking) {
		c->last_tick_usec = context_now(c);
		c->ticking = true;
		c->modbus_slow = false;
	}
	return context_arm_tick(c, &c->tick_source, TICK_CHAIR_USEC, on_tick, "control-tick");
}
