/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
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
	if (!in_range(m->gain_c, 1.0, 500.0) || !in_range(m->element_s, 0.5, 3600.0) ||
	    !in_range(m->couple_s, 1.0, 36000.0) || !in_range(m->loss_s, 1.0, 36000.0) ||
	    !in_range(m->sink_c, -20.0, 60.0) || !in_range(m->sensor_s, 0.05, 600.0))
		return -EINVAL;
	return 0;
}

/* What a pad can be. The pads we know are the simulator's and the heater bench's
 * plants (bench/plants/): a 40–48 W element of about 60 J/K on a 220–440 J/K stone,
 * coupled at 1.6 W/K, losing 0.35 W/K to a 15–24 °C room and 0.8 W/K to the person
 * (twice that leaning back), a sensor lag of 6–15 s. In the model's terms
 * (element_s = c_h/k_hs, couple_s = c_s/k_hs, gain = P/k_hs, loss_s = c_s/(k_sa+k_body))
 * that is gain 23–30 °C, element 34–38 s, couple 140–280 s, loss 110–630 s, and
 *  - the stone's fastest warming at full power, gain/couple_s = P/c_s: 0.09–0.22 °C/s;
 *  - the element's own warming at full power, gain/element_s = P/c_h: 0.7–0.8 °C/s;
 *  - the stone's rise over its sink at full power, gain·loss_s/couple_s: 30–40 °C;
 *  - element_s/couple_s = c_h/c_s: 0.14–0.27 (the element is the lighter body).
 * The bounds leave a factor of about 4–5 around the bench on each side, for pads we have
 * not measured, and stop where physics does: a stone warming faster than 1 °C/s would
 * need ~100 W on a ~100 J/K (120 g) stone, more than a body-contact pad is given; an
 * element warming faster than 5 °C/s would hold under 10 J/K, a bare wire and not an
 * element in a pad; an element more than 100 °C above the stone would char the cover;
 * a pad that cannot lift the stone 8 °C over its sink cannot heat at all, and one that
 * would lift it 200 °C is a different appliance (the bench's, empty, about 90–125 °C); an element that holds more heat than
 * the stone, a sensor slower than half the stone's cooling, or a stone settling (sink)
 * outside 5–40 °C (between a cold room and the body) is not a pad on a person.
 * Outside these a model is wrong, whatever its fit says: Gain=500 with ElementSeconds=0.5
 * asks for a 1000 °C/s element and a stone warming at 3 °C/s, so the controller believes
 * the pad stores no heat and overshoots. */
struct plausible_bound {
	const char *what;
	const char *unit;
	double (*value)(const struct heat_model *m);
	double lo, hi;
	bool linear; /* the margin is a share of hi − lo, not of the value */
};

static double v_gain(const struct heat_model *m)
{
	return m->gain_c;
}
static double v_element(const struct heat_model *m)
{
	return m->element_s;
}
static double v_couple(const struct heat_model *m)
{
	return m->couple_s;
}
static double v_loss(const struct heat_model *m)
{
	return m->loss_s;
}
static double v_sink(const struct heat_model *m)
{
	return m->sink_c;
}
static double v_sensor(const struct heat_model *m)
{
	return m->sensor_s;
}
static double v_stone_rate(const struct heat_model *m)
{
	return m->gain_c / m->couple_s;
}
static double v_element_rate(const struct heat_model *m)
{
	return m->gain_c / m->element_s;
}
static double v_rise(const struct heat_model *m)
{
	return m->gain_c * m->loss_s / m->couple_s;
}
static double v_element_share(const struct heat_model *m)
{
	return m->element_s / m->couple_s;
}
static double v_sensor_share(const struct heat_model *m)
{
	return m->sensor_s / m->loss_s;
}

static const struct plausible_bound plausible_bounds[] = {
	{ "the element's rise over the stone at full power (Gain)", "°C", v_gain, 3.0, 100.0, false },
	{ "the element's time constant (ElementSeconds)", "s", v_element, 3.0, 600.0, false },
	{ "the coupling time constant (CoupleSeconds)", "s", v_couple, 20.0, 3600.0, false },
	{ "the stone's loss time constant (LossSeconds)", "s", v_loss, 20.0, 3600.0, false },
	{ "where the idle stone settles (Sink)", "°C", v_sink, 5.0, 40.0, true },
	{ "the sensor's lag (SensorSeconds)", "s", v_sensor, 0.2, 60.0, false },
	{ "the stone's warming rate at full power (Gain/CoupleSeconds)", "°C/s", v_stone_rate, 0.03, 1.0, false },
	{ "the element's warming rate at full power (Gain/ElementSeconds)", "°C/s", v_element_rate, 0.05, 5.0, false },
	{ "the stone's rise over Sink at full power (Gain·LossSeconds/CoupleSeconds)", "°C", v_rise, 8.0, 200.0,
	  false },
	{ "the element's heat capacity over the stone's (ElementSeconds/CoupleSeconds)", "", v_element_share, 0.02, 1.0,
	  false },
	{ "the sensor's lag over the stone's cooling (SensorSeconds/LossSeconds)", "", v_sensor_share, 0.0, 0.5,
	  false },
};

int heat_model_plausible(const struct heat_model *m, double margin, char *why, size_t size)
{
	if (heat_model_validate(m) < 0) {
		(void)snprintf(why, size, "a number is not finite or outside its range");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(plausible_bounds) / sizeof(plausible_bounds[0]); i++) {
		const struct plausible_bound *b = &plausible_bounds[i];
		double v = b->value(m), lo, hi;

		if (b->linear) {
			lo = b->lo + margin * (b->hi - b->lo);
			hi = b->hi - margin * (b->hi - b->lo);
		} else {
			lo = b->lo * (1.0 + margin);
			hi = b->hi / (1.0 + margin);
		}
		if (isfinite(v) && v >= lo && v <= hi)
			continue;
		(void)snprintf(why, size, "%s is %.3g%s%s, %s what a pad can be (%.3g..%.3g%s%s)%s", b->what, v,
			       b->unit[0] ? " " : "", b->unit, margin > 0.0 ? "at or beyond the edge of" : "outside",
			       b->lo, b->hi, b->unit[0] ? " " : "", b->unit,
			       margin > 0.0 ? ": the fit ran to a bound" : "");
		return -EINVAL;
	}
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
