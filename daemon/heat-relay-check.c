/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "heat-relay-check.h"

#define W HEAT_RELAY_CHECK_WINDOW

void heat_relay_check_reset(struct heat_relay_check *k)
{
	double hold = k->hold_until, sensor_s = k->sensor_s;
	bool tuned = k->model_tuned;

	memset(k, 0, sizeof(*k));
	k->hold_until = hold;
	k->model_tuned = tuned;
	k->sensor_s = sensor_s;
}

void heat_relay_check_model(struct heat_relay_check *k, bool tuned, double sensor_s)
{
	if (tuned != k->model_tuned || sensor_s != k->sensor_s) {
		k->model_tuned = tuned;
		k->sensor_s = sensor_s;
		heat_relay_check_reset(k);
	}
}

/* Least squares reading ≈ a + b·τ + c·τ² over the coast window (τ from its middle):
 * true when b shows a rise and 2c/b, the rate's relative change per second, is not the
 * slowing a coasting pad shows. */
static bool coast_not_slowing(const struct heat_relay_check *k, double h)
{
	const unsigned n = HEAT_RELAY_COAST_N;
	double s0 = n, s2 = 0.0, s4 = 0.0, y0 = 0.0, y1 = 0.0, y2 = 0.0, b, c;

	for (unsigned i = 0; i < n; i++) {
		double tau = ((double)i - (n - 1) / 2.0) * h, y = k->coast[(k->coast_n + i) % n];

		s2 += tau * tau;
		s4 += tau * tau * tau * tau;
		y0 += y;
		y1 += y * tau;
		y2 += y * tau * tau;
	}
	/* symmetric τ: odd sums vanish, b and c decouple */
	b = y1 / s2;
	c = (s0 * y2 - s2 * y0) / (s0 * s4 - s2 * s2);
	return b > HEAT_RELAY_COAST_RISE_C_S && 2.0 * c > -HEAT_RELAY_COAST_SLOWING * b;
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
	if (k->n >= W && k->model_tuned) {
		k->gain = window_gain(k, reading, observer);
		stuck = t >= k->hold_until && k->gain > HEAT_RELAY_CHECK_GAIN_C2;
	}
	/* the coast rule: readings from a sensor lag after the relay opened */
	if (k->n > 0 && duty <= 0.0) {
		k->open_s += observer->sample.h;
		if (k->heated && k->open_s > HEAT_RELAY_COAST_LAGS * k->sensor_s && k->open_s <= HEAT_RELAY_COAST_MAX_S) {
			k->coast[k->coast_n % HEAT_RELAY_COAST_N] = reading;
			if (++k->coast_n >= 2 * HEAT_RELAY_COAST_N)
				k->coast_n -= HEAT_RELAY_COAST_N;
			if (k->coast_n >= HEAT_RELAY_COAST_N && t >= k->hold_until &&
			    coast_not_slowing(k, observer->sample.h))
				stuck = true;
		}
	} else if (k->n > 0) {
		k->open_s = 0.0;
		k->coast_n = 0;
		k->heated = true;
	}
	memcpy(k->x0[k->n % W], observer->x, sizeof(k->x0[0]));
	k->reading[k->n % W] = reading;
	k->duty[k->n % W] = 0.0;
	k->n = k->n % W + W * (k->n >= W); /* keep the count small, the slot the same */
	k->n++;
	return stuck;
}
