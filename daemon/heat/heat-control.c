/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "heat-control.h"
#include "macro.h"

/* Reading noise: about 0.03 °C of noise and 0.1 °C steps on the pads we know. */
#define READING_VAR (0.04 * 0.04 + 0.1 * 0.1 / 12.0)
/* How far the model's states may drift per second, as variances: the element and
 * stone a little, the heat flow at the stone enough to follow a person leaning back
 * within a few tens of seconds. */
#define DRIFT_ELEMENT_VAR_S 1e-4
#define DRIFT_STONE_VAR_S 1e-5
#define DRIFT_DISTURB_VAR_S 1e-7
/* Where the full-power phase aims the coasting stone: just under the target, so a
 * model a little off lands in the band instead of over it. */
#define APPROACH_MARGIN_C 0.15
/* A longer gap between readings than this restarts the estimate. */
#define MAX_GAP_S 30.0

static void observer_gain(const struct heat_discrete *d, double ret[HEAT_X_N])
{
	const double q[HEAT_X_N] = {
		[HEAT_X_ELEMENT] = DRIFT_ELEMENT_VAR_S * d->h,
		[HEAT_X_STONE] = DRIFT_STONE_VAR_S * d->h,
		[HEAT_X_SENSOR] = 0.0,
		[HEAT_X_DISTURB] = DRIFT_DISTURB_VAR_S * d->h,
	};
	double p[HEAT_X_N][HEAT_X_N] = { { 0 } };
	const int y = HEAT_X_SENSOR;

	for (int i = 0; i < HEAT_X_N; i++)
		p[i][i] = q[i] + 1.0;

	/* iterate the Riccati equation to its fixed point */
	for (int iter = 0; iter < 20000; iter++) {
		double ap[HEAT_X_N][HEAT_X_N], pp[HEAT_X_N][HEAT_X_N], k[HEAT_X_N];

		for (int i = 0; i < HEAT_X_N; i++)
			for (int j = 0; j < HEAT_X_N; j++) {
				double s = 0.0;
				for (int l = 0; l < HEAT_X_N; l++)
					s += d->a[i][l] * p[l][j];
				ap[i][j] = s;
			}
		for (int i = 0; i < HEAT_X_N; i++)
			for (int j = 0; j < HEAT_X_N; j++) {
				double s = 0.0;
				for (int l = 0; l < HEAT_X_N; l++)
					s += ap[i][l] * d->a[j][l];
				pp[i][j] = s + (i == j ? q[i] : 0.0);
			}
		double innov = pp[y][y] + READING_VAR;
		double change = 0.0;
		for (int i = 0; i < HEAT_X_N; i++) {
			k[i] = pp[i][y] / innov;
			change = fmax(change, fabs(k[i] - ret[i]));
			ret[i] = k[i];
		}
		for (int i = 0; i < HEAT_X_N; i++)
			for (int j = 0; j < HEAT_X_N; j++)
				p[i][j] = pp[i][j] - k[i] * pp[y][j];
		if (iter > 10 && change < 1e-13)
			break;
	}
}

int heat_control_init(struct heat_control *c, const struct heat_model *m, double sample_s)
{
	struct heat_control n = { .model = *m };
	int r;

	r = heat_model_discretize(m, sample_s, &n.sample);
	if (r < 0)
		return r;
	r = heat_model_discretize(m, HEAT_CONTROL_PREDICT_S, &n.predict);
	if (r < 0)
		return r;
	observer_gain(&n.sample, n.observer_gain);
	*c = n;
	return 0;
}

void heat_control_reset(struct heat_control *c)
{
	c->started = false;
	c->duty = 0.0;
}

void heat_control_restart(struct heat_control *c, double t, double reading, double element_c)
{
	heat_state_rest(c->x, reading);
	c->x[HEAT_X_ELEMENT] = element_c;
	c->started = true;
	c->t_last = t;
	c->innovation = 0.0;
}

/* A reading less than half a sample after the last one belongs to the same sample. */
static bool same_sample(const struct heat_control *c, double t)
{
	return c->started && t >= c->t_last && t - c->t_last < c->sample.h / 2.0;
}

void heat_control_observe(struct heat_control *c, double t, double reading)
{
	if (same_sample(c, t))
		return;
	if (!c->started || t - c->t_last > MAX_GAP_S || t < c->t_last) {
		heat_state_rest(c->x, reading);
		c->started = true;
		c->t_last = t;
		c->innovation = 0.0;
		return;
	}
	/* predict up to this reading with the duty that was applied, then correct */
	long n = lround((t - c->t_last) / c->sample.h);
	for (long i = 0; i < n; i++)
		heat_discrete_step(&c->sample, c->x, c->duty);
	c->t_last += n * c->sample.h;

	c->innovation = reading - c->x[HEAT_X_SENSOR];
	for (int i = 0; i < HEAT_X_N; i++)
		c->x[i] += c->observer_gain[i] * c->innovation;
}

/* The highest stone temperature on the way if the pad coasts (duty 0) from x. */
static double coast_peak(const struct heat_control *c, const double from[HEAT_X_N])
{
	double x[HEAT_X_N], peak = from[HEAT_X_STONE];

	memcpy(x, from, sizeof(x));
	for (double t = 0; t < HEAT_CONTROL_HORIZON_S; t += c->predict.h) {
		heat_discrete_step(&c->predict, x, 0.0);
		if (x[HEAT_X_STONE] < peak)
			break; /* past the peak: coasting only cools from here */
		peak = x[HEAT_X_STONE];
	}
	return peak;
}

/* The highest constant duty that keeps the predicted stone at or under the target
 * over the horizon. The stone is affine in a constant duty, so two predictions (duty
 * 0 and 1) give it for every duty. */
static double constant_duty_limit(const struct heat_control *c, double target)
{
	double off[HEAT_X_N], on[HEAT_X_N], limit = 1.0;

	memcpy(off, c->x, sizeof(off));
	memcpy(on, c->x, sizeof(on));
	for (double t = 0; t < HEAT_CONTROL_HORIZON_S; t += c->predict.h) {
		heat_discrete_step(&c->predict, off, 0.0);
		heat_discrete_step(&c->predict, on, 1.0);
		double effect = on[HEAT_X_STONE] - off[HEAT_X_STONE];
		if (effect > 1e-6)
			limit = fmin(limit, (target - off[HEAT_X_STONE]) / effect);
	}
	return CLAMP(limit, 0.0, 1.0);
}

static double choose_duty(const struct heat_control *c, double target)
{
	double boosted[HEAT_X_N];

	if (!(target > 0.0))
		return 0.0;

	memcpy(boosted, c->x, sizeof(boosted));
	heat_discrete_step(&c->sample, boosted, 1.0);
	if (coast_peak(c, boosted) < target - APPROACH_MARGIN_C)
		return 1.0;

	return constant_duty_limit(c, target);
}

double heat_control_update(struct heat_control *c, double t, double reading, double target)
{
	if (same_sample(c, t))
		return c->duty;

	heat_control_observe(c, t, reading);
	c->duty = choose_duty(c, target);
	return c->duty;
}
