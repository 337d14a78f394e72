/* SPDX-License-Identifier: MIT */
/* The heating pads of the simulated chair: element, stone and sensor of each pad, the
 * thermal model of bench/thermal_plant.py in the same Euler steps, and what its sensor
 * reads. */
#include <errno.h>
#include <math.h>

#include "macro.h"
#include "sim-pad.h"

#define STEP_S ((double)SIM_STEP_USEC / (double)USEC_PER_SEC)

static const struct sim_pad_params public_pad_params = {
	.power_w = 48.0,
	.c_heater = 60.0,
	.c_stone = 220.0,
	.k_hs = 1.6,
	.k_ha = 0.15,
	.k_sa = 0.35,
	.k_body = 0.8,
	.t_amb = 24.0,
	.t_body = 34.0,
	.sensor_tau = 6.0,
	.sensor_noise = 0.03,
	.sensor_lsb = 0.1,
};

bool sim_chair_pad_powered(const struct sim_chair *s, const struct sim_pad *pad)
{
	bool relay = pad->relay != OUTPUT_INVALID && s->outputs[pad->relay];

	if (pad->faults & SIM_PAD_HEATER_DEAD)
		return false;
	return s->outputs[OUTPUT_HEAT_POWER] && (relay || (pad->faults & SIM_PAD_HEATER_STUCK));
}

static double pad_k_body(const struct sim_chair *s, const struct sim_pad *pad)
{
	return s->seated ? pad->p.k_body : 0.0;
}

void sim_pad_step(const struct sim_chair *s, struct sim_pad *pad, double dt)
{
	const struct sim_pad_params *p = &pad->p;
	double u = sim_chair_pad_powered(s, pad) ? 1.0 : 0.0;
	double q_hs = p->k_hs * (pad->t_heater - pad->t_stone);
	double dth = (p->power_w * u - q_hs - p->k_ha * (pad->t_heater - p->t_amb)) / p->c_heater;
	double dts = (q_hs - p->k_sa * (pad->t_stone - p->t_amb) - pad_k_body(s, pad) * (pad->t_stone - p->t_body)) /
		     p->c_stone;

	pad->t_heater += dth * dt;
	pad->t_stone += dts * dt;
	pad->t_sensor += (pad->t_stone - pad->t_sensor) / p->sensor_tau * dt;
}

/* One sim_pad_step() as an affine map of (heater, stone, sensor, 1). */
struct mat4 {
	double m[4][4];
};

static void mat4_mul(struct mat4 *r, const struct mat4 *a, const struct mat4 *b)
{
	struct mat4 t;

	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++) {
			t.m[i][j] = 0.0;
			for (int k = 0; k < 4; k++)
				t.m[i][j] += a->m[i][k] * b->m[k][j];
		}
	*r = t;
}

static void pad_step_matrix(const struct sim_chair *s, const struct sim_pad *pad, double dt, struct mat4 *ret)
{
	const struct sim_pad_params *p = &pad->p;
	double u = sim_chair_pad_powered(s, pad) ? 1.0 : 0.0;
	double kb = pad_k_body(s, pad);
	double ah = dt / p->c_heater, as = dt / p->c_stone, am = dt / p->sensor_tau;

	*ret = (struct mat4) { .m = {
				       { 1.0 - ah * (p->k_hs + p->k_ha), ah * p->k_hs, 0.0,
					 ah * (p->power_w * u + p->k_ha * p->t_amb) },
				       { as * p->k_hs, 1.0 - as * (p->k_hs + p->k_sa + kb), 0.0,
					 as * (p->k_sa * p->t_amb + kb * p->t_body) },
				       { 0.0, 0.0, 1.0 - am, 0.0 },
				       { 0.0, 0.0, 0.0, 1.0 },
			       } };
	/* the sensor follows the stone's new value, as in the plant script */
	for (int j = 0; j < 4; j++)
		ret->m[2][j] += am * ret->m[1][j];
}

/* n steps at once: inputs are constant over the span, so the steps compose. */
void sim_pad_fast_forward(const struct sim_chair *s, struct sim_pad *pad, uint64_t n)
{
	struct mat4 step, acc = { .m = { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } } };
	double x[4] = { pad->t_heater, pad->t_stone, pad->t_sensor, 1.0 }, y[3];

	pad_step_matrix(s, pad, STEP_S, &step);
	for (; n > 0; n >>= 1) {
		if (n & 1)
			mat4_mul(&acc, &acc, &step);
		mat4_mul(&step, &step, &step);
	}
	for (int i = 0; i < 3; i++)
		y[i] = acc.m[i][0] * x[0] + acc.m[i][1] * x[1] + acc.m[i][2] * x[2] + acc.m[i][3] * x[3];
	pad->t_heater = y[0];
	pad->t_stone = y[1];
	pad->t_sensor = y[2];
}

static int16_t pad_reading(struct sim_chair *s, const struct sim_pad *pad)
{
	const struct sim_pad_params *p = &pad->p;
	double t, q;

	if (pad->faults & SIM_PAD_SENSOR_OPEN)
		return TEMP_SENTINEL_OPEN;
	if (pad->faults & SIM_PAD_SENSOR_SHORT)
		return TEMP_SENTINEL_SHORT;
	if (pad->faults & SIM_PAD_SENSOR_FROZEN)
		return pad->frozen_raw;
	t = pad->faults & SIM_PAD_SENSOR_DETACHED ? p->t_amb : pad->t_sensor;
	t += p->sensor_noise * sim_chair_gauss(s);
	q = round(t / p->sensor_lsb) * p->sensor_lsb;
	/* never a sentinel by accident */
	return (int16_t)CLAMP(lround(q * 10.0), (long)INT16_MIN + 1, (long)INT16_MAX - 1);
}

int sim_chair_temperatures_read(struct sim_chair *s, uint64_t now_usec, int16_t ret_raw[TEMP_CHANNELS])
{
	sim_chair_advance(s, now_usec);
	if (s->temp_offline)
		return -ETIMEDOUT;
	for (unsigned i = 0; i < TEMP_CHANNELS; i++)
		ret_raw[i] = TEMP_SENTINEL_OPEN;
	for (unsigned i = 0; i < s->n_pads; i++)
		if (s->pads[i].channel < TEMP_CHANNELS)
			ret_raw[s->pads[i].channel] = pad_reading(s, &s->pads[i]);
	return 0;
}

int sim_chair_set_pad_temperature(struct sim_chair *s, uint64_t now_usec, enum zone z, double celsius)
{
	struct sim_pad *pad;

	sim_chair_advance(s, now_usec);
	pad = sim_chair_find_pad(s, z);
	if (!pad)
		return -ENOENT;
	pad->t_heater = pad->t_stone = pad->t_sensor = celsius;
	return 0;
}

struct sim_pad *sim_chair_find_pad(struct sim_chair *s, enum zone z)
{
	for (unsigned i = 0; i < s->n_pads; i++)
		if (s->pads[i].zone == z)
			return &s->pads[i];
	return NULL;
}

int sim_chair_set_pad_fault(struct sim_chair *s, uint64_t now_usec, enum zone z, unsigned fault, bool on)
{
	struct sim_pad *pad = sim_chair_find_pad(s, z);

	if (!pad)
		return -ENOENT;
	sim_chair_advance(s, now_usec);
	/* a sensor freezes at what it would read now; freezing it again changes nothing */
	if (on && (fault & SIM_PAD_SENSOR_FROZEN) && !(pad->faults & SIM_PAD_SENSOR_FROZEN)) {
		pad->frozen_raw = pad_reading(s, pad);
	}
	if (on)
		pad->faults |= fault;
	else
		pad->faults &= ~fault;
	return 0;
}

void sim_pad_init(struct sim_pad *pad, enum zone z, unsigned channel)
{
	*pad = (struct sim_pad) {
		.zone = z,
		.channel = channel,
		.relay = chair_pad_relay(z),
		.p = public_pad_params,
	};
	pad->t_heater = pad->t_stone = pad->t_sensor = pad->p.t_amb;
}
