/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include "gentle.h"
#include "log.h"
#include "macro.h"
#include "safety.h"
#include "setpoint-limits.h"

static const enum chair_output power_outputs[] = {
	OUTPUT_HEAT_NECK, OUTPUT_HEAT_SHOULDERS, OUTPUT_HEAT_LOWER_BACK, OUTPUT_HEAT_POWER, OUTPUT_MOTOR_POWER,
};

bool safety_outputs_locked(const struct context *c)
{
	return c->n_faults > 0 || c->estop_latched;
}

static bool output_needs_no_fault(enum chair_output o)
{
	return o != OUTPUT_LED;
}

int safety_set_output(struct context *c, enum chair_output o, bool active)
{
	int r;

	if (active && safety_outputs_locked(c) && output_needs_no_fault(o))
		return -EPERM;
	r = c->driver->ops->set_output(c->driver, o, active);
	if (r == -EAGAIN) /* the loop iteration's Modbus budget is spent: retried in the next */
		log_debug("Driving %s %s: deferred to the next loop iteration", chair_output_name(o),
			  active ? "active" : "inactive");
	/* a relay-board coil the board did not take is written again by the driver, and a
	 * board that does not confirm it is one relay-offline fault, not a line per write */
	else if (r < 0 && r != -EINPROGRESS)
		log_errno(r, "Failed to drive %s %s", chair_output_name(o), active ? "active" : "inactive");
	return r;
}

int safety_roller_write(struct context *c, struct roller_setpoints *sp)
{
	setpoint_limits_clamp(&c->config.limits, sp);
	/* docs/safety-rules.md: over-force. Whatever asked for depth: a program, the force
	 * loop, a pause's hold, the body scan, a stop. */
	if (c->over_force.capping)
		sp->depth_mm = 0;
	/* docs/safety-rules.md: gentle mode. Level 3's force, whatever computed the depth. */
	if (c->gentle)
		gentle_gate(sp, &c->roller, c->roller_step.open_loop, c->config.limits.depth_max_mm);
	return c->driver->ops->roller_write(c->driver, sp);
}

int safety_force_safe_state(struct context *c)
{
	struct roller_setpoints off = c->setpoints;
	int r, failed = 0;

	/* GPIO lines first, relay-board coils after: a coil write may wait up to a Modbus
	 * timeout, and the master and motor power (always GPIO lines) must not wait for it.
	 * Within each, pads before the master: every relay opens even if one write fails. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ELEMENTSOF(power_outputs); i++) {
			enum chair_output o = power_outputs[i];

			if ((c->config.hw.outputs[o].kind == SIGNAL_COIL) != (pass == 1))
				continue;
			if ((r = safety_set_output(c, o, false)) < 0 && failed == 0)
				failed = r;
		}
	}
	(void)safety_set_output(c, OUTPUT_LED, safety_outputs_locked(c));

	off.control = 0;
	off.knead_rpm = off.tap_rate = off.travel_speed = 0;
	/* clamped: a real board refuses values out of range (width 0 before the first tick) */
	r = safety_roller_write(c, &off);
	if (r == 0)
		c->setpoints = off;
	else if (failed == 0)
		failed = r;
	return failed;
}

int safety_roller_read_timed(struct context *c, struct roller_status *ret, bool *ret_slow)
{
	uint64_t start = monotonic_usec();
	int r = c->driver->ops->roller_read(c->driver, ret);

	/* the simulated chair has no link: its wall time says nothing */
	*ret_slow = c->driver != c->simulator &&
		    monotonic_usec() - start > c->config.hw.modbus.timeout_ms * USEC_PER_MSEC / 2;
	return r;
}

int safety_roller_clear_latched(struct context *c, struct roller_status *ret)
{
	struct roller_setpoints sp = c->setpoints;

	sp.control = ROLLER_CONTROL_CLEAR_FAULT;
	if (safety_roller_write(c, &sp) < 0 || c->driver->ops->roller_read(c->driver, ret) < 0)
		return -EIO;
	c->setpoints.control = 0;
	return 0;
}

int safety_clear_inherited_watchdog(struct context *c)
{
	struct roller_status st;

	if (!(c->roller.status & ROLLER_STATUS_WATCHDOG) || (c->roller.status & ROLLER_STATUS_FAULT))
		return 0;
	if (safety_roller_clear_latched(c, &st) < 0)
		return log_errno(-EIO, "Failed to clear the roller board's watchdog trip from before this start");
	c->roller = st;
	log_notice("The roller board's watchdog had stopped the motors before this start (the massaged "
		   "before this one stopped feeding it): cleared, the motors stay off");
	return 0;
}
