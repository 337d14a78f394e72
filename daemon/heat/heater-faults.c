/* SPDX-License-Identifier: MIT */
/* A pad's heat faults: which ones the heat tick raises from the temperature module and
 * a pad's reading (and which of those lock the pad out), and whether a heat fault's cause
 * is still there when ClearFault asks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "context.h"
#include "faults.h"
#include "heater-internal.h"
#include "macro.h"
#include "safety.h"

void heaters_temperatures_unanswered(struct context *c, uint64_t now)
{
	if (now - MIN(now, c->heating.temps_last_ok_usec) >= (uint64_t)(HEAT_SILENCE_S * 1e6))
		faults_raise(c, "temp-module-offline",
			     "The temperature module has not answered for "
			     "%.0f s: all heat is off. Check its supply and bus wiring.",
			     HEAT_SILENCE_S);
}

void heater_raise_unreadable(struct heater *h, int16_t raw)
{
	const char *zone = zone_to_string(h->zone);
	char code[FAULT_CODE_MAX];

	/* no lockout: an open or shorted sensor is unmistakable, and ClearFault needs a
	 * valid reading again */
	(void)snprintf(code, sizeof(code), "sensor:%s", zone);
	faults_raise(h->context, code,
		     "The %s pad's temperature sensor reads %s (raw %d): its heat is off. "
		     "Check the sensor and its wiring.",
		     zone,
		     raw == TEMP_SENTINEL_OPEN    ? "open or missing"
		     : raw == TEMP_SENTINEL_SHORT ? "shorted"
						  : "an impossible value",
		     raw);
}

bool heater_raise_verdict(struct heater *h, enum heat_verdict verdict, double reading)
{
	struct context *c = h->context;
	const char *zone = zone_to_string(h->zone);
	char code[FAULT_CODE_MAX];

	switch (verdict) {
	case HEAT_VERDICT_OK:
		return false;
	case HEAT_VERDICT_OVERTEMP:
		(void)snprintf(code, sizeof(code), "overtemp:%s", zone);
		faults_raise_reading(c, code, reading,
				     "The %s pad reached %.1f °C, at or above its trip point of "
				     "%.1f °C (MaxTarget + %.0f °C): all heat is off.",
				     zone, reading, h->max_target_c + HEAT_OVERTEMP_MARGIN_C, HEAT_OVERTEMP_MARGIN_C);
		/* the controller never drives past MaxTarget: heat it did not command arrived */
		heater_lock_out(h, code, "it heated past its trip point uncommanded: a relay or its drive is broken");
		return true;
	case HEAT_VERDICT_RUNAWAY:
		(void)snprintf(code, sizeof(code), "runaway:%s", zone);
		faults_raise_reading(c, code, reading,
				     "The %s pad is not warming although it is heated hard "
				     "(%.1f °C at %.0f %% power): its element may be dead or its sensor off the "
				     "stone. Its heat is off.",
				     zone, reading, h->protect.duty_mean * 100.0);
		heater_lock_out(h, code, "it did not warm when heated: a dead element or its sensor off the stone");
		return true;
	case HEAT_VERDICT_STUCK:
		(void)snprintf(code, sizeof(code), "heater-stuck:%s", zone);
		faults_raise_reading(c, code, reading,
				     "The %s pad keeps warming (%.1f °C) with its relay off: "
				     "the relay may be welded shut. The master heater relay is off.",
				     zone, reading);
		heater_lock_out(h, code, "its relay is welded shut: it warms with its relay off");
		return true;
	case HEAT_VERDICT_SENSOR:
		(void)snprintf(code, sizeof(code), "sensor:%s", zone);
		faults_raise_reading(c, code, reading,
				     "The %s pad's reading jumped to %.1f °C, %+.1f °C from what the "
				     "stone can do in a quarter second: its sensor may be off the stone. Its heat "
				     "is off.",
				     zone, reading, reading - h->protect.reading_before);
		heater_lock_out(h, code, "its sensor came off the stone: the reading jumped as no stone can");
		/* what the estimate and the rules knew belongs to the stone, not to this reading */
		heat_control_reset(&h->control);
		heat_protect_set_model(&h->protect, &h->tuning.model);
		return true;
	case HEAT_VERDICT_FROZEN:
		(void)snprintf(code, sizeof(code), "sensor:%s", zone);
		faults_raise_reading(c, code, reading,
				     "The %s pad's reading has stayed at %.1f °C for %.0f s while the pad "
				     "heated: its sensor or the temperature module has stopped measuring. Its heat is "
				     "off.",
				     zone, reading, HEAT_SENSOR_FROZEN_S);
		heater_lock_out(h, code, "its sensor stopped measuring: the reading froze while the pad heated");
		return true;
	}
	return false;
}

int heater_fault_persists(struct context *c, const char *code)
{
	int16_t raw[TEMP_CHANNELS];
	const char *zone = fault_code_zone(code);
	double v;

	if (strcmp(code, "temp-module-offline") == 0) {
		if (c->driver->ops->temperatures_read(c->driver, raw) < 0)
			return true;
		c->heating.temps_last_ok_usec = context_now(c); /* its silence is timed afresh */
		return false;
	}
	if (!zone)
		return -ENOENT;
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];

		if (strcmp(zone, zone_to_string(h->zone)) != 0)
			continue;
		if (h->channel >= TEMP_CHANNELS || c->driver->ops->temperatures_read(c->driver, raw) < 0 ||
		    heat_reading_from_raw(raw[h->channel], &v) < 0)
			return true; /* no trustworthy reading: no heat fault can be ruled out */
		h->reading_c = v;
		if (strncmp(code, "overtemp:", 9) == 0)
			return v > h->max_target_c + HEAT_OVERTEMP_MARGIN_C - HEAT_OVERTEMP_CLEAR_C;
		/* sensor: it reads again. runaway and heater-stuck show only while heating: if the
		 * cause is still there the next heat brings the fault straight back. */
		heat_protect_init(&h->protect, h->max_target_c, &h->tuning.model);
		heat_control_reset(&h->control);
		return false;
	}
	return -ENOENT;
}
