/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bus-chair.h"
#include "heater.h"
#include "log.h"
#include "macro.h"
#include "safety.h"
#include "session.h"
#include "setpoint-limits.h"

static const enum chair_output power_outputs[] = {
	OUTPUT_HEAT_NECK, OUTPUT_HEAT_SHOULDERS, OUTPUT_HEAT_LOWER_BACK, OUTPUT_HEAT_POWER, OUTPUT_MOTOR_POWER,
};

/* fault-codes.h's codes, in its order */
static const char *const fault_global_codes[] = {
	[FAULT_ESTOP] = "estop",
	[FAULT_ROLLER_OFFLINE] = "roller-offline",
	[FAULT_ROLLER_FAULT] = "roller-fault",
	[FAULT_TEMP_MODULE_OFFLINE] = "temp-module-offline",
	[FAULT_RELAY_OFFLINE] = "relay-offline",
	[FAULT_MODBUS_SLOW] = "modbus-slow",
};
static const char *const fault_pad_kinds[] = {
	[FAULT_PAD_SENSOR] = "sensor",
	[FAULT_PAD_OVERTEMP] = "overtemp",
	[FAULT_PAD_RUNAWAY] = "runaway",
	[FAULT_PAD_HEATER_STUCK] = "heater-stuck",
};
_Static_assert(ELEMENTSOF(fault_global_codes) == _FAULT_GLOBAL_MAX, "a global fault code without its enum");
_Static_assert(ELEMENTSOF(fault_pad_kinds) == _FAULT_PAD_KIND_MAX, "a pad fault kind without its enum");
_Static_assert(ELEMENTSOF(((struct context *)NULL)->faults) >=
		       ELEMENTSOF(fault_global_codes) + ELEMENTSOF(fault_pad_kinds) * MAX_PADS,
	       "the fault list cannot hold every fault at once");
_Static_assert(MAX_PADS >= _ZONE_MAX, "pad faults are per zone: the list must hold one per zone");

bool fault_code_is_known(const char *code)
{
	const char *zone = fault_code_zone(code);

	if (!zone) {
		for (size_t i = 0; i < ELEMENTSOF(fault_global_codes); i++)
			if (strcmp(code, fault_global_codes[i]) == 0)
				return true;
		return false;
	}
	if (zone_from_string(zone) == ZONE_INVALID)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(fault_pad_kinds); i++)
		if (strlen(fault_pad_kinds[i]) == (size_t)(zone - 1 - code) &&
		    strncmp(code, fault_pad_kinds[i], (size_t)(zone - 1 - code)) == 0)
			return true;
	return false;
}

bool faults_any(const struct context *c)
{
	return c->n_faults > 0 || c->estop_latched;
}

const char *faults_first(const struct context *c)
{
	if (c->estop_latched)
		return fault_global_codes[FAULT_ESTOP];
	return c->n_faults > 0 ? c->faults[0].code : NULL;
}

static bool output_needs_no_fault(enum chair_output o)
{
	return o != OUTPUT_LED;
}

int safety_set_output(struct context *c, enum chair_output o, bool active)
{
	int r;

	if (active && faults_any(c) && output_needs_no_fault(o))
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
	heaters_outputs_forced_off(c);
	(void)safety_set_output(c, OUTPUT_LED, faults_any(c));

	off.control = 0;
	off.knead_rpm = off.tap_rate = off.travel_speed = 0;
	/* a real board refuses values out of range (width 0 before the first tick) */
	setpoint_limits_clamp(&c->config.limits, &off);
	r = c->driver->ops->roller_write(c->driver, &off);
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

bool faults_is_active(const struct context *c, const char *code)
{
	for (unsigned i = 0; i < c->n_faults; i++)
		if (strcmp(c->faults[i].code, code) == 0)
			return true;
	return false;
}

const char *fault_code_zone(const char *code)
{
	const char *colon = strchr(code, ':');

	return colon ? colon + 1 : NULL;
}

static void fault_raisev(struct context *c, const char *code, double celsius, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void fault_raisev(struct context *c, const char *code, double celsius, const char *fmt, va_list ap)
{
	struct fault *f, unlisted;

	if (strcmp(code, fault_global_codes[FAULT_ESTOP]) == 0)
		c->estop_latched = true; /* first: whatever follows, the stop is held */
	if (faults_is_active(c, code))
		return;
	if (!fault_code_is_known(code))
		log_error("Fault code %s is missing from fault-codes.h: the fault list may not have room for it",
			  code);
	if (c->n_faults < ELEMENTSOF(c->faults))
		f = &c->faults[c->n_faults++];
	else {
		/* cannot happen with the codes fault-codes.h knows; still a fault in every way
		 * but the list (the chair stays in fault while the list holds any) */
		log_error("The fault list is full: fault %s is not listed", code);
		f = &unlisted;
	}
	(void)snprintf(f->code, sizeof(f->code), "%s", code);
	(void)vsnprintf(f->message, sizeof(f->message), fmt, ap);

	safety_force_safe_state(c);
	log_event(LOG_WARNING, LOG_EVENT_FAULT_RAISED,
		  LOG_FIELDS(.fault = f->code, .zone = fault_code_zone(f->code), LOG_TEMPERATURE(celsius)),
		  "fault %s: %s", f->code, f->message);
	/* under --time-scale this relates the fault to what caused it, in the chair's time */
	log_debug("Fault %s: safe state at chair time %.3f s", f->code, context_now(c) / 1e6);
	heaters_off(c, "fault", f->code);
	bus_chair_emit_fault_raised(c, f->code, f->message);
	session_end(c, "fault");
	c->scan_active = false; /* a scan ends too: Stop must not park a faulted chair */
	c->state = STATE_FAULT;
	context_publish(c);
}

void faults_raise(struct context *c, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fault_raisev(c, code, NAN, fmt, ap);
	va_end(ap);
}

void faults_raise_reading(struct context *c, const char *code, double celsius, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fault_raisev(c, code, celsius, fmt, ap);
	va_end(ap);
}

/* The pads whose relays are coils of the relay board, "neck, shoulders", for messages. */
static void pads_on_coils(const struct context *c, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < c->n_heaters && at < size; i++) {
		enum chair_output relay = c->heaters[i].relay;

		if (relay != OUTPUT_INVALID && c->config.hw.outputs[relay].kind == SIGNAL_COIL)
			at += (size_t)snprintf(buf + at, size - at, "%s%s", at ? ", " : "",
					       zone_to_string(c->heaters[i].zone));
	}
}

void safety_relay_board_checked(struct context *c, uint64_t unconfirmed_usec)
{
	unsigned long long ms = unconfirmed_usec / USEC_PER_MSEC;
	char pads[64];
	bool master_open;

	if (unconfirmed_usec < RELAY_SILENCE_USEC || faults_is_active(c, "relay-offline"))
		return;
	/* first, and a GPIO line (the configuration allows no other while a pad can heat):
	 * what the message says of it is what this write did */
	master_open = c->config.hw.outputs[OUTPUT_HEAT_POWER].kind == SIGNAL_GPIO &&
		      safety_set_output(c, OUTPUT_HEAT_POWER, false) == 0;
	pads_on_coils(c, pads, sizeof(pads));
	if (!pads[0])
		faults_raise(c, "relay-offline", "The relay board has not confirmed its coils for %llu ms (no pad "
			    "relay is on it). Check its cable and supply, then clear the fault.", ms);
	else if (master_open)
		faults_raise(c, "relay-offline", "The relay board has not confirmed its coils for %llu ms: the "
			    "relays of the %s pads may still be closed. The master heater relay, a GPIO line, is "
			    "open and cuts every pad. Check the board's cable and supply, then clear the fault.",
			    ms, pads);
	else
		faults_raise(c, "relay-offline", "The relay board has not confirmed its coils for %llu ms: the "
			    "relays of the %s pads may still be closed, and the master heater relay did not "
			    "open. Switch the chair off at the mains.", ms, pads);
}

/* Tell the roller board to clear what it latched (motors stay off), then read it. */
static int roller_clear_latched(struct context *c, struct roller_status *ret)
{
	struct chair_driver *d = c->driver;
	struct roller_setpoints sp = c->setpoints;

	sp.control = ROLLER_CONTROL_CLEAR_FAULT;
	if (d->ops->roller_write(d, &sp) < 0 || d->ops->roller_read(d, ret) < 0)
		return -EIO;
	c->setpoints.control = 0;
	return 0;
}

int safety_clear_inherited_watchdog(struct context *c)
{
	struct roller_status st;

	if (!(c->roller.status & ROLLER_STATUS_WATCHDOG) || (c->roller.status & ROLLER_STATUS_FAULT))
		return 0;
	if (roller_clear_latched(c, &st) < 0)
		return log_errno(-EIO, "Failed to clear the roller board's watchdog trip from before this start");
	c->roller = st;
	log_notice("The roller board's watchdog had stopped the motors before this start (the massaged "
		   "before this one stopped feeding it): cleared, the motors stay off");
	return 0;
}

/* A stop that cannot be read counts as pressed. */
static bool estop_pressed(struct context *c)
{
	bool pressed = false;

	return c->driver->ops->get_input(c->driver, INPUT_ESTOP, &pressed) < 0 || pressed;
}

/* Is the cause of this fault still there? Asks the hardware afresh. */
static bool fault_cause_persists(struct context *c, const struct fault *f)
{
	struct chair_driver *d = c->driver;
	struct roller_status st;
	int r;

	if (strcmp(f->code, fault_global_codes[FAULT_ESTOP]) == 0)
		return estop_pressed(c);
	if (strcmp(f->code, "roller-offline") == 0) {
		if (d->ops->roller_read(d, &st) < 0)
			return true;
		/* the outage outlasted the board's watchdog, which stopped the motors and
		 * latched that it did: part of this fault, cleared with it */
		if (st.status & ROLLER_STATUS_WATCHDOG)
			return roller_clear_latched(c, &st) < 0;
		return false;
	}
	if (strcmp(f->code, "modbus-slow") == 0) {
		bool slow;

		/* one timed read: an answer as quick as the control tick needs */
		return safety_roller_read_timed(c, &st, &slow) < 0 || slow;
	}
	if (strcmp(f->code, "relay-offline") == 0)
		return d->ops->relay_confirm && d->ops->relay_confirm(d) < 0;
	r = heater_fault_persists(c, f->code);
	if (r != -ENOENT)
		return r != 0;
	if (strcmp(f->code, "roller-fault") == 0)
		return roller_clear_latched(c, &st) < 0 ||
		       (st.status & (ROLLER_STATUS_FAULT | ROLLER_STATUS_WATCHDOG)) != 0;
	return false;
}

int faults_clear(struct context *c, sd_bus_error *error)
{
	char persisting[FAULTS_MAX * (FAULT_CODE_MAX + 2)] = "";
	const char *estop = fault_global_codes[FAULT_ESTOP];
	size_t off = 0;

	/* the latch, listed or not: a pressed stop is never cleared */
	if (c->estop_latched && !faults_is_active(c, estop) && estop_pressed(c))
		off += (size_t)snprintf(persisting, sizeof(persisting), "%s", estop);
	for (unsigned i = 0; i < c->n_faults && off < sizeof(persisting); i++)
		if (fault_cause_persists(c, &c->faults[i]))
			off += (size_t)snprintf(persisting + off, sizeof(persisting) - off, "%s%s",
						off ? ", " : "", c->faults[i].code);
	if (off > 0)
		return sd_bus_error_setf(error, "org.massaged.Chair1.Error.FaultActive",
					 "The cause of %s is still there: release the emergency stop "
					 "or repair what the fault names, then clear again.", persisting);

	while (c->n_faults > 0) {
		struct fault f = c->faults[--c->n_faults];

		log_event(LOG_NOTICE, LOG_EVENT_FAULT_CLEARED, LOG_FIELDS(.fault = f.code, .zone = fault_code_zone(f.code)),
			  "Fault %s cleared", f.code);
		bus_chair_emit_fault_cleared(c, f.code);
	}
	c->estop_latched = false;
	(void)safety_set_output(c, OUTPUT_LED, false);
	if (c->state == STATE_FAULT)
		c->state = STATE_IDLE;
	context_publish(c);
	return 0;
}
