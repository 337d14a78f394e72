/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "heat-relay-check.h"

#define W HEAT_RELAY_CHECK_WINDOW

void heat_relay_check_reset(struct heat_relay_check *k)
{
	double hold = k->hold_until;

	memset(k, 0, sizeof(*k));
	k->hold_until = hold;
}

void heat_relay_check_seat_changed(struct heat_relay_check *k, double t)
{
	heat_relay_check_reset(k);
	k->hold_until = t + HEAT_RELAY_CHECK_SEAT_HOLD_S;
}

/* Fit readings − prediction(applied) ≈ s · (prediction(full) − prediction(applied))
 * over the window; returns the mean squared residual the fit removes, 0 when s ≤ 0 or
 * when full power would hardly differ from what was applied (the pad heated flat out). */
static double window_gain(const struct heat_relay_check *k, double reading, const struct heat_control *observer)
{
	unsigned oldest = k->n % W;
	double applied[HEAT_X_N], full[HEAT_X_N], re = 0.0, ee = 0.0;

	memcpy(applied, k->x0[oldest], sizeof(applied));
	memcpy(full, k->x0[oldest], sizeof(full));
	for (unsigned i = 1; i <= W; i++) {
		unsigned from = (oldest + i - 1) % W;
		double r, e;

		heat_discrete_step(&observer->sample, applied, k->duty[from]);
		heat_discrete_step(&observer->sample, full, 1.0);
		r = (i == W ? reading : k->reading[(oldest + i) % W]) - applied[HEAT_X_SENSOR];
		e = full[HEAT_X_SENSOR] - applied[HEAT_X_SENSOR];
		re += r * e;
		ee += e * e;
	}
	if (re <= 0.0 || ee < W * HEAT_RELAY_CHECK_EFFECT_C * HEAT_RELAY_CHECK_EFFECT_C)
		return 0.0;
	return re * re / ee / W;
}

bool heat_relay_check_update(struct heat_relay_check *k, double t, double reading, double duty,
			     const struct heat_control *observer)
{
	bool stuck = false;

	if (k->n > 0 && (t < k->t_last || t - k->t_last > 2.0 * observer->sample.h))
		heat_relay_check_reset(k); /* a gap: the estimate may have restarted */
	k->t_last = t;
	if (k->n > 0)
		k->duty[(k->n - 1) % W] = duty;
	k->gain = 0.0;
	if (k->n >= W) {
		k->gain = window_gain(k, reading, observer);
		stuck = t >= k->hold_until && k->gain > HEAT_RELAY_CHECK_GAIN_C2;
	}
	memcpy(k->x0[k->n % W], observer->x, sizeof(k->x0[0]));
	k->reading[k->n % W] = reading;
	k->duty[k->n % W] = 0.0;
	k->n = k->n % W + W * (k->n >= W); /* keep the count small, the slot the same */
	k->n++;
	return stuck;
}
