/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "heat-model-check.h"

int heat_model_check_init(struct heat_model_check *k, const struct heat_model *m, double sample_s, bool on_trial)
{
	struct heat_model_check n = { .on_trial = on_trial, .sink_c = m->sink_c, .loss_s = m->loss_s };
	int r;

	r = heat_model_discretize(m, sample_s, &n.sample);
	if (r < 0)
		return r;
	*k = n;
	return 0;
}

static void window_open(struct heat_model_check *k, double t, const struct heat_control *observer)
{
	memcpy(k->x, observer->x, sizeof(k->x));
	k->residual = 0.0;
	k->predicted_from = k->x[HEAT_X_SENSOR];
	k->window_start = t;
	k->window_s = k->heated_s > 0.0 ? HEAT_MODEL_CHECK_WINDOW_S : HEAT_MODEL_CHECK_FIRST_WINDOW_S;
	k->window_open = true;
}

/* Judge the reading against the prediction, `in` seconds into the window. The
 * tolerance grows with the change the model predicted and, as the person may lean
 * back at any moment, with the heat flow that could add since the window began.
 * True when the model is refuted. */
static bool judge(struct heat_model_check *k, double in, double reading)
{
	double predicted = k->x[HEAT_X_SENSOR];
	double lean_c_s = fabs(reading - k->sink_c) / k->loss_s;

	k->residual = reading - predicted;
	k->tolerance = HEAT_MODEL_CHECK_TOLERANCE_C +
		       HEAT_MODEL_CHECK_TOLERANCE_SHARE * fabs(predicted - k->predicted_from) +
		       HEAT_MODEL_CHECK_LEAN_SHARE * lean_c_s * in;
	k->worst_share = fmax(k->worst_share, fabs(k->residual) / k->tolerance);
	return fabs(k->residual) > k->tolerance;
}

static void refute(struct heat_model_check *k)
{
	k->on_trial = false;
	k->refuted = true;
}

bool heat_model_check_update(struct heat_model_check *k, double t, double reading, bool heating,
			     const struct heat_control *observer)
{
	if (!k->on_trial)
		return false;
	if (!heating) {
		if (k->window_open)
			k->heated_s += k->t_last - k->window_start;
		k->window_open = false;
		return false;
	}
	if (k->window_open) {
		long n = lround((t - k->t_last) / k->sample.h);
		double in = t - k->window_start;

		for (long i = 0; i < n; i++)
			heat_discrete_step(&k->sample, k->x, k->duty);
		if (judge(k, in, reading)) {
			k->heated_s += in;
			refute(k);
			return true;
		}
		if (in >= k->window_s - k->sample.h / 2.0) {
			k->heated_s += in;
			k->window_open = false;
			if (k->heated_s >= HEAT_MODEL_CHECK_TRIAL_S) {
				k->on_trial = false;
				return false;
			}
		}
	}
	if (!k->window_open)
		window_open(k, t, observer);
	k->t_last = t;
	return false;
}
