/* SPDX-License-Identifier: MIT */
/* The heat tick, every HEAT_TICK_CHAIR_USEC of chair time, heating or not: read the
 * temperature module, add to each pad's dose, end heat at SessionLimit or on an empty
 * seat, and step each pad: its reading judged, its duty chosen, its relay driven. */
#include <stdio.h>

#include "context.h"
#include "gentle.h"
#include "heater-internal.h"
#include "macro.h"

/* One pad's reading: judge it, choose the duty, drive the relay. False after a fault. */
static bool heater_tick(struct heater *h, double t, int16_t raw)
{
	struct context *c = h->context;
	double reading, duty, relay_duty, applied = h->duty;

	if (heat_reading_from_raw(raw, &reading) < 0) {
		heater_raise_unreadable(h, raw);
		return false;
	}
	h->reading_c = reading;
	if (h->protect.max_target_c > h->max_target_c && reading < h->max_target_c + HEAT_OVERTEMP_MARGIN_C)
		h->protect.max_target_c = h->max_target_c; /* MaxTarget lowered by a reload */

	if (h->autotune) {
		duty = heat_autotune_update(h->autotune, t, reading);
		heat_control_observe(&h->control, t, reading);
		heat_control_applied(&h->control, duty);
	} else if (h->target_c > 0.0)
		duty = heat_control_update(&h->control, t, reading, h->target_c);
	else {
		heat_control_observe(&h->control, t, reading);
		heat_control_applied(&h->control, duty = 0.0);
	}

	heat_protect_seated(&h->protect, t, c->seated);
	heat_protect_autotuning(&h->protect, h->autotune != NULL);
	heat_protect_model_tuned(&h->protect, h->tuned);
	if (heater_raise_verdict(h, heat_protect_check(&h->protect, t, reading, applied, &h->control), reading))
		return false;

	if (heat_model_check_update(&h->model_check, t, reading, !h->autotune && h->target_c > 0.0, &h->control)) {
		heater_model_refuted(h, t, reading);
		duty = 0.0;
	}
	if (h->autotune && heat_autotune_done(h->autotune)) {
		heater_autotune_finish(h, t, reading);
		duty = 0.0;
	}
	h->duty = duty;
	heater_drive(h, relay_pwm_update(&h->pwm, t, duty));
	/* what the pad gets until the next reading: the relay, not the duty asked for */
	relay_duty = h->relay_on && c->heating.master_on ? 1.0 : 0.0;
	heat_model_check_applied(&h->model_check, relay_duty);
	if (h->autotune)
		heat_autotune_applied(h->autotune, relay_duty);
	return true;
}

/* Every pad's reading counts toward its dose, heating or not: a warm stone warms skin. */
static void heater_dose_add(struct heater *h, uint64_t now, const int16_t raw[TEMP_CHANNELS])
{
	double v;

	if (h->channel >= TEMP_CHANNELS || heat_reading_from_raw(raw[h->channel], &v) < 0)
		return;
	heat_dose_add(&h->dose, seconds(now), v);
	h->dose_unsaved_min += seconds(HEAT_TICK_CHAIR_USEC) / 60.0 * heat_dose_rate(v);
}

/* Heat ends SessionLimit after a pad started heating with every pad off before. In a
 * session that is never before the session's own end unless the heat began before the
 * session. True when it ended the heat. */
static bool heat_cap_check(struct context *c, uint64_t now)
{
	unsigned limit_s = gentle_session_limit_s(c->session_limit_s, c->gentle);
	uint64_t limit = (uint64_t)limit_s * USEC_PER_SEC;
	char why[128];

	if (!c->heating.since_valid || !heaters_heating(c) || now - MIN(now, c->heating.since_usec) < limit)
		return false;
	(void)snprintf(why, sizeof(why), "the pads heated for %u min, the session limit", limit_s / 60);
	heaters_off(c, "timeout", why);
	return true;
}

void heat_tick(struct context *c, uint64_t now)
{
	int16_t raw[TEMP_CHANNELS];
	int r;

	r = c->driver->ops->temperatures_read(c->driver, raw);
	if (r < 0) {
		heaters_temperatures_unanswered(c, now);
		return;
	}
	c->heating.temps_last_ok_usec = now;
	for (unsigned i = 0; i < c->heating.n_heaters; i++)
		heater_dose_add(&c->heating.heaters[i], now, raw);
	heaters_dose_tick(c, now);
	if (heat_cap_check(c, now))
		return;

	if (c->seated || !heaters_heating(c))
		c->heating.seat_empty_since_usec = 0;
	else if (c->heating.seat_empty_since_usec == 0)
		c->heating.seat_empty_since_usec = now;
	else if (now - c->heating.seat_empty_since_usec >= HEAT_SEAT_EMPTY_USEC) {
		heaters_off(c, "seat-empty", "the seat has been empty for 30 s");
		return;
	}

	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct heater *h = &c->heating.heaters[i];

		if (h->channel < TEMP_CHANNELS && !heater_tick(h, seconds(now), raw[h->channel]))
			return;
	}
	heaters_update(c);
}
