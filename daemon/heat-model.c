/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "heat-model.h"

void heat_model_default(struct heat_model *m)
{
	*m = (struct heat_model) {
		.gain_c = 36.0,
		.element_s = 45.0,
		.couple_s = 110.0,
		.loss_s = 200.0,
		.sink_c = 28.0,
		.sensor_s = 6.0,
	};
}

static int in_range(double v, double lo, double hi)
{
	return isfinite(v) && v >= lo && v <= hi;
}

int heat_model_validate(const struct heat_model *m)
{
	if (!in_range(m->gain_c, 1.0, 500.0) ||
	    !in_range(m->element_s, 0.5, 3600.0) ||
	    !in_range(m->couple_s, 1.0, 36000.0) ||
	    !in_range(m->loss_s, 1.0, 36000.0) ||
	    !in_range(m->sink_c, -20.0, 60.0) ||
	    !in_range(m->sensor_s, 0.05, 600.0))
		return -EINVAL;
	return 0;
}

/* The extended state [x, 1, u] makes the affine model with a held input one matrix,
 * whose exponential gives a, b and c at once. */
#define EXT (HEAT_X_N + 2)
#define EXT_ONE HEAT_X_N
#define EXT_U (HEAT_X_N + 1)

static void mat_mul(double r[EXT][EXT], double x[EXT][EXT], double y[EXT][EXT])
{
	double t[EXT][EXT];

	for (int i = 0; i < EXT; i++)
		for (int j = 0; j < EXT; j++) {
			double s = 0.0;
			for (int k = 0; k < EXT; k++)
				s += x[i][k] * y[k][j];
			t[i][j] = s;
		}
	memcpy(r, t, sizeof(t));
}

/* exp(M) by scaling and squaring with a Taylor series: M here is small, stable and
 * real, where this is accurate to rounding. */
static void mat_exp(double m[EXT][EXT], double ret[EXT][EXT])
{
	double norm = 0.0;
	int squarings = 0;

	for (int i = 0; i < EXT; i++) {
		double row = 0.0;
		for (int j = 0; j < EXT; j++)
			row += fabs(m[i][j]);
		norm = fmax(norm, row);
	}
	while (norm > 0.25 && squarings < 60) {
		norm /= 2.0;
		squarings++;
	}
	double scale = ldexp(1.0, -squarings);
	double s[EXT][EXT], term[EXT][EXT], sum[EXT][EXT];
	for (int i = 0; i < EXT; i++)
		for (int j = 0; j < EXT; j++) {
			s[i][j] = m[i][j] * scale;
			term[i][j] = sum[i][j] = i == j;
		}
	for (int n = 1; n <= 14; n++) {
		mat_mul(term, term, s);
		for (int i = 0; i < EXT; i++)
			for (int j = 0; j < EXT; j++) {
				term[i][j] /= n;
				sum[i][j] += term[i][j];
			}
	}
	while (squarings-- > 0)
		mat_mul(sum, sum, sum);
	memcpy(ret, sum, sizeof(sum));
}

int heat_model_discretize(const struct heat_model *m, double h, struct heat_discrete *ret)
{
	double k[EXT][EXT] = { { 0 } }, e[EXT][EXT];
	int r;

	r = heat_model_validate(m);
	if (r < 0)
		return r;
	if (!(h > 0.0 && h <= 60.0))
		return -EINVAL;

	k[HEAT_X_ELEMENT][HEAT_X_ELEMENT] = -1.0 / m->element_s;
	k[HEAT_X_ELEMENT][HEAT_X_STONE] = 1.0 / m->element_s;
	k[HEAT_X_ELEMENT][EXT_U] = m->gain_c / m->element_s;
	k[HEAT_X_STONE][HEAT_X_ELEMENT] = 1.0 / m->couple_s;
	k[HEAT_X_STONE][HEAT_X_STONE] = -1.0 / m->couple_s - 1.0 / m->loss_s;
	k[HEAT_X_STONE][HEAT_X_DISTURB] = 1.0;
	k[HEAT_X_STONE][EXT_ONE] = m->sink_c / m->loss_s;
	k[HEAT_X_SENSOR][HEAT_X_STONE] = 1.0 / m->sensor_s;
	k[HEAT_X_SENSOR][HEAT_X_SENSOR] = -1.0 / m->sensor_s;
	for (int i = 0; i < EXT; i++)
		for (int j = 0; j < EXT; j++)
			k[i][j] *= h;
	mat_exp(k, e);

	ret->h = h;
	for (int i = 0; i < HEAT_X_N; i++) {
		for (int j = 0; j < HEAT_X_N; j++)
			ret->a[i][j] = e[i][j];
		ret->b[i] = e[i][EXT_U];
		ret->c[i] = e[i][EXT_ONE];
	}
	return 0;
}

void heat_discrete_step(const struct heat_discrete *d, double x[HEAT_X_N], double u)
{
	double n[HEAT_X_N];

	for (int i = 0; i < HEAT_X_N; i++) {
		double s = d->b[i] * u + d->c[i];
		for (int j = 0; j < HEAT_X_N; j++)
			s += d->a[i][j] * x[j];
		n[i] = s;
	}
	memcpy(x, n, sizeof(n));
}

void heat_state_rest(double x[HEAT_X_N], double celsius)
{
	x[HEAT_X_ELEMENT] = x[HEAT_X_STONE] = x[HEAT_X_SENSOR] = celsius;
	x[HEAT_X_DISTURB] = 0.0;
}

double heat_model_hold_duty(const struct heat_model *m, double target, double disturb)
{
	/* stone' = 0 at target gives the element; element' = 0 gives the duty */
	double element = target + m->couple_s * ((target - m->sink_c) / m->loss_s - disturb);
	return (element - target) / m->gain_c;
}

double heat_model_full_rate(const struct heat_model *m)
{
	return m->gain_c / m->couple_s;
}
