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

void heat_relay_check_seat_changed(struct heat_relay_check *k, double t)
{
	heat_relay_check_reset(k);
	k->hold_until = t + HEAT_RELAY_CHECK_SEAT_HOLD_S;
}

/* The least-squares slope of n readings 0.25 s apart, oldest first from ring[start]. */
static double slope(const double *ring, unsigned size, unsigned start, unsigned n, double h)
{
	double st = 0.0, sy = 0.0, stt = 0.0, sty = 0.0;

	for (unsigned i = 0; i < n; i++) {
		double tau = i * h, y = ring[(start + i) % size];

		st += tau;
		sy += y;
		stt += tau * tau;
		sty += tau * y;
	}
	return (n * sty - st * sy) / (n * stt - st * st);
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

/* Rule 2, which needs no model, for the reading at t with `duty` applied since the
 * previous one: true when the heat goes on as if the relay had not opened. */
static bool coast_update(struct heat_relay_check *k, double t, double reading, double duty, double h)
{
	bool low = duty <= 0.0 || (k->open_s > 0.0 && k->after_full && duty <= HEAT_RELAY_COAST_LOW_DUTY);

	/* the controller may go back to more power for a moment after letting go (its
	 * approach flickers at the boundary): up to STEP_S in all does not end the stretch */
	if (!low && k->open_s > 0.0 && k->after_full && k->blip_s + h <= HEAT_RELAY_COAST_STEP_S) {
		k->blip_s += h;
		low = true;
	}

	if (!low && k->open_s == 0.0 && duty <= HEAT_RELAY_COAST_LOW_DUTY &&
	    k->last_full_s >= HEAT_RELAY_COAST_FULL_S && k->since_full_s <= HEAT_RELAY_COAST_STEP_S)
		low = true; /* the first low duty after the approach at full power */
	if (!low) {
		if (duty >= HEAT_RELAY_COAST_FULL_DUTY) {
			/* a step down for a moment does not end the approach at full power */
			k->full_s = (k->since_full_s <= HEAT_RELAY_COAST_STEP_S ? k->last_full_s : 0.0) + h;
			k->last_full_s = k->full_s;
			k->since_full_s = 0.0;
			k->full[k->full_n++ % HEAT_RELAY_COAST_N] = reading;
			if (k->full_n >= 2 * HEAT_RELAY_COAST_N)
				k->full_n -= HEAT_RELAY_COAST_N;
		} else {
			k->full_s = 0.0; /* last_full_s stays for a short step down */
			k->since_full_s += h;
		}
		k->open_s = 0.0;
		k->coast_n = 0;
		return false;
	}
	if (k->open_s == 0.0) {
		k->blip_s = 0.0;
		/* after the approach from cold a low duty counts as coasting too: the controller
		 * often steps down from full power to a little before it lets go entirely */
		k->after_full = k->last_full_s >= HEAT_RELAY_COAST_FULL_S && k->since_full_s <= HEAT_RELAY_COAST_STEP_S;
		if (k->after_full) /* the warming rate at full power, just before */
			k->full_rate = slope(k->full, HEAT_RELAY_COAST_N, k->full_n, HEAT_RELAY_COAST_N, h);
	}
	k->open_s += h;
	k->full_s = 0.0;
	k->since_full_s += h;
	if (!k->after_full || k->open_s <= HEAT_RELAY_COAST_LAGS * k->sensor_s || k->open_s > HEAT_RELAY_COAST_MAX_S)
		return false;
	k->coast[k->coast_n % HEAT_RELAY_COAST_N] = reading;
	if (++k->coast_n >= 2 * HEAT_RELAY_COAST_N)
		k->coast_n -= HEAT_RELAY_COAST_N;
	return t >= k->hold_until && k->coast_n >= HEAT_RELAY_COAST_RATE_N &&
	       k->full_rate > HEAT_RELAY_COAST_RISE_C_S &&
	       slope(k->coast, HEAT_RELAY_COAST_N, k->coast_n - HEAT_RELAY_COAST_RATE_N, HEAT_RELAY_COAST_RATE_N, h) >=
		       HEAT_RELAY_COAST_KEPT * k->full_rate;
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
	if (k->n > 0 && coast_update(k, t, reading, duty, observer->sample.h))
		stuck = true;
	memcpy(k->x0[k->n % W], observer->x, sizeof(k->x0[0]));
	k->reading[k->n % W] = reading;
	k->duty[k->n % W] = 0.0;
	k->n = k->n % W + W * (k->n >= W); /* keep the count small, the slot the same */
	k->n++;
	return stuck;
}
