/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "faults.h"
#include "heater.h"
#include "log.h"
#include "macro.h"
#include "safety.h"
#include "session.h"

/* fault-codes.h's codes, in its order */
static const char *const fault_global_codes[] = {
	[FAULT_ESTOP] = "estop",
	[FAULT_ROLLER_OFFLINE] = "roller-offline",
	[FAULT_ROLLER_FAULT] = "roller-fault",
	[FAULT_TEMP_MODULE_OFFLINE] = "temp-module-offline",
	[FAULT_RELAY_OFFLINE] = "relay-offline",
	[FAULT_MODBUS_SLOW] = "modbus-slow",
	[FAULT_OVER_FORCE] = "over-force",
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
	return safety_outputs_locked(c); /* the gate's lock is the list's, and the stop's latch */
}

const char *faults_first(const struct context *c)
{
	if (c->estop_latched)
		return fault_global_codes[FAULT_ESTOP];
	return c->n_faults > 0 ? c->faults[0].code : NULL;
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

int faults_force_safe_state(struct context *c)
{
	int r = safety_force_safe_state(c);

	heaters_outputs_forced_off(c);
	return r;
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
		log_error("Fault code %s is missing from fault-codes.h: the fault list may not have room for it", code);
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

	faults_force_safe_state(c);
	log_event(LOG_WARNING, LOG_EVENT_FAULT_RAISED,
		  LOG_FIELDS(.fault = f->code, .zone = fault_code_zone(f->code), LOG_TEMPERATURE(celsius)),
		  "fault %s: %s", f->code, f->message);
	/* under --time-scale this relates the fault to what caused it, in the chair's time */
	log_debug("Fault %s: safe state at chair time %.3f s", f->code, context_now(c) / 1e6);
	heaters_off(c, "fault", f->code);
	events_fault_raised(&c->events, f->code, f->message);
	session_end(c, "fault");
	c->scan.active = false; /* a scan ends too: Stop must not park a faulted chair */
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
	for (unsigned i = 0; i < c->heating.n_heaters && at < size; i++) {
		enum chair_output relay = c->heating.heaters[i].relay;

		if (relay != OUTPUT_INVALID && c->config.hw.outputs[relay].kind == SIGNAL_COIL)
			at += (size_t)snprintf(buf + at, size - at, "%s%s", at ? ", " : "",
					       zone_to_string(c->heating.heaters[i].zone));
	}
}

void faults_check_relay_board(struct context *c, uint64_t unconfirmed_usec)
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
		faults_raise(c, "relay-offline",
			     "The relay board has not confirmed its coils for %llu ms (no pad "
			     "relay is on it). Check its cable and supply, then clear the fault.",
			     ms);
	else if (master_open)
		faults_raise(c, "relay-offline",
			     "The relay board has not confirmed its coils for %llu ms: the "
			     "relays of the %s pads may still be closed. The master heater relay, a GPIO line, is "
			     "open and cuts every pad. Check the board's cable and supply, then clear the fault.",
			     ms, pads);
	else
		faults_raise(c, "relay-offline",
			     "The relay board has not confirmed its coils for %llu ms: the "
			     "relays of the %s pads may still be closed, and the master heater relay did not "
			     "open. Switch the chair off at the mains.",
			     ms, pads);
}

bool faults_check_over_force(struct context *c, uint64_t now)
{
	struct over_force *of = &c->over_force;
	unsigned max_n = c->config.limits.force_max_n;
	double load_n = c->roller.load_dn / 10.0;
	bool was_capping = of->capping;
	enum over_force_verdict v = over_force_update(of, c->roller.load_dn, max_n, now);
	const char *program = !c->session.active ? NULL : c->session.manual ? "manual" : c->session.program.id;

	if (v == OVER_FORCE_FAULT) {
		faults_raise(c, "over-force",
			     "The back pressed on the rollers with %.1f N, over ForceMax (%u N), for 100 ms while "
			     "they retracted; the motors are off. Check that nothing pushes the back onto them "
			     "and that the load cell reads about 0 N with the seat empty, then clear the fault.",
			     load_n, max_n);
		return false;
	}
	if (of->episode == OVER_FORCE_EPISODE_BEGAN)
		log_event(LOG_WARNING, LOG_EVENT_OVER_FORCE, LOG_FIELDS(.program = program),
			  "Load %.1f N over ForceMax %u N at chair time %.3f s (%s): the rollers retract", load_n,
			  max_n, now / 1e6, chair_state_to_string(c->state));
	else if (of->episode == OVER_FORCE_EPISODE_ENDED)
		log_info("Over ForceMax %u N from chair time %.3f s to %.3f s: the rollers retracted %u time%s, "
			 "the load peaked at %.1f N",
			 max_n, of->episode_start_usec / 1e6, of->released_usec / 1e6, of->retractions,
			 of->retractions == 1 ? "" : "s", of->peak_dn / 10.0);
	if (v == OVER_FORCE_NONE && was_capping)
		log_debug("Load %.1f N, below %.1f N at chair time %.3f s: the rollers may press again", load_n,
			  over_force_release_dn(max_n) / 10.0, now / 1e6);
	return true;
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
			return safety_roller_clear_latched(c, &st) < 0;
		return false;
	}
	if (strcmp(f->code, "modbus-slow") == 0) {
		bool slow;

		/* one timed read: an answer as quick as the control tick needs */
		return safety_roller_read_timed(c, &st, &slow) < 0 || slow;
	}
	/* a tensing person is not a broken part, and the motors are off: the next session's
	 * gate watches the load again */
	if (strcmp(f->code, "over-force") == 0)
		return false;
	if (strcmp(f->code, "relay-offline") == 0)
		return d->ops->relay_confirm && d->ops->relay_confirm(d) < 0;
	r = heater_fault_persists(c, f->code);
	if (r != -ENOENT)
		return r != 0;
	if (strcmp(f->code, "roller-fault") == 0)
		return safety_roller_clear_latched(c, &st) < 0 ||
		       (st.status & (ROLLER_STATUS_FAULT | ROLLER_STATUS_WATCHDOG)) != 0;
	return false;
}

int faults_clear(struct context *c, struct refusal *r)
{
	char persisting[FAULTS_MAX * (FAULT_CODE_MAX + 2)] = "";
	const char *estop = fault_global_codes[FAULT_ESTOP];
	size_t off = 0;

	/* the latch, listed or not: a pressed stop is never cleared */
	if (c->estop_latched && !faults_is_active(c, estop) && estop_pressed(c))
		off += (size_t)snprintf(persisting, sizeof(persisting), "%s", estop);
	for (unsigned i = 0; i < c->n_faults && off < sizeof(persisting); i++)
		if (fault_cause_persists(c, &c->faults[i]))
			off += (size_t)snprintf(persisting + off, sizeof(persisting) - off, "%s%s", off ? ", " : "",
						c->faults[i].code);
	if (off > 0)
		return refuse(r, REFUSAL_FAULT_ACTIVE,
			      "The cause of %s is still there: release the emergency stop "
			      "or repair what the fault names, then clear again.",
			      persisting);

	while (c->n_faults > 0) {
		struct fault f = c->faults[--c->n_faults];

		log_event(LOG_NOTICE, LOG_EVENT_FAULT_CLEARED,
			  LOG_FIELDS(.fault = f.code, .zone = fault_code_zone(f.code)), "Fault %s cleared", f.code);
		events_fault_cleared(&c->events, f.code);
	}
	c->estop_latched = false;
	(void)safety_set_output(c, OUTPUT_LED, false);
	if (c->state == STATE_FAULT)
		c->state = STATE_IDLE;
	context_publish(c);
	return 0;
}
