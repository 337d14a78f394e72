/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>

#include "config-sim.h"
#include "config.h"
#include "pad-loop.h"

#define PAD_ZONE ZONE_SHOULDERS
/* the daemon's defaults: [Heat] RelayCycle, RelayMinOn, RelayMinOff */
#define RELAY_CYCLE_S 2.0
#define RELAY_MIN_ON_S 0.1
#define RELAY_MIN_OFF_S 0.1

static void pad_loop_apply_model(struct pad_loop *l)
{
	(void)heat_control_init(&l->control, &l->model, PAD_LOOP_SAMPLE_S);
	(void)heat_model_check_init(&l->model_check, &l->model, PAD_LOOP_SAMPLE_S, l->tuned);
	heat_protect_init(&l->protect, l->max_target_c, &l->model);
	relay_pwm_init(&l->pwm, RELAY_CYCLE_S, RELAY_MIN_ON_S, RELAY_MIN_OFF_S);
}

static void chair_init(struct sim_chair *chair, uint64_t seed)
{
	struct massaged_config cfg;
	struct sim_config sim;

	config_init_defaults(&cfg);
	cfg.sim_load_noise_n = 0.0;
	config_to_sim(&cfg, &sim);
	sim_chair_init(chair, &sim, 0, seed);
}

void pad_loop_default_params(struct sim_pad_params *ret)
{
	struct sim_chair chair;
	struct sim_pad *pad;

	chair_init(&chair, 1);
	pad = sim_chair_find_pad(&chair, PAD_ZONE);
	*ret = pad ? pad->p : chair.pads[0].p;
}

int pad_loop_init(struct pad_loop *l, const struct sim_pad_params *params, uint64_t seed, const struct heat_model *m,
		  bool tuned, double max_target_c, double target_c)
{
	struct heat_control probe;
	int r;

	r = heat_control_init(&probe, m, PAD_LOOP_SAMPLE_S);
	if (r < 0)
		return r;
	*l = (struct pad_loop) {
		.max_target_c = max_target_c,
		.target_c = target_c,
		.model = *m,
		.tuned = tuned,
		.refuted_t = -1.0,
	};
	chair_init(&l->chair, seed);
	l->pad = sim_chair_find_pad(&l->chair, PAD_ZONE);
	if (!l->pad)
		return -ENOENT;
	l->pad->p = *params;
	(void)sim_chair_set_pad_temperature(&l->chair, 0, PAD_ZONE, params->t_amb);
	l->stone_peak = l->pad->t_stone;
	pad_loop_apply_model(l);
	l->master_on = true; /* the pad heats from the start */
	sim_chair_set_output(&l->chair, 0, OUTPUT_HEAT_POWER, true);
	return 0;
}

void pad_loop_free(struct pad_loop *l)
{
	l->autotune = heat_autotune_free(l->autotune);
}

static void pad_loop_track(struct pad_loop *l)
{
	if (l->pad->t_stone > l->stone_peak) {
		l->stone_peak = l->pad->t_stone;
		l->stone_peak_t = pad_loop_t(l);
	}
}

void pad_loop_track_from(struct pad_loop *l)
{
	l->stone_peak = l->pad->t_stone;
	l->stone_peak_t = pad_loop_t(l);
}

/* A tuned model the pad refutes: the cautious defaults from this reading on, the
 * element assumed hot (heater_model_refuted()). */
static void pad_loop_refuted(struct pad_loop *l, double t, double reading)
{
	heat_model_default(&l->model);
	l->tuned = false;
	l->refuted_t = t;
	(void)heat_control_init(&l->control, &l->model, PAD_LOOP_SAMPLE_S);
	heat_control_restart(&l->control, t, reading, reading + l->model.gain_c);
	heat_protect_set_model(&l->protect, &l->model);
}

static void pad_loop_fault(struct pad_loop *l)
{
	l->master_on = false;
	l->duty = 0.0;
	sim_chair_set_output(&l->chair, l->now, OUTPUT_HEAT_POWER, false);
	sim_chair_set_output(&l->chair, l->now, l->pad->relay, false);
}

static enum pad_loop_verdict judge(struct pad_loop *l, double t, double reading, double applied)
{
#ifdef HEAT_SENSOR_JUMP_C
	/* what heater_tick() tells the protection since issue 14 (the seat stays taken) */
	heat_protect_autotuning(&l->protect, l->autotune != NULL);
	heat_protect_model_tuned(&l->protect, l->tuned);
#endif
	switch (heat_protect_check(&l->protect, t, reading, applied, &l->control)) {
	case HEAT_VERDICT_OK:
		return PAD_LOOP_OK;
	case HEAT_VERDICT_OVERTEMP:
		return PAD_LOOP_OVERTEMP;
	case HEAT_VERDICT_RUNAWAY:
		return PAD_LOOP_RUNAWAY;
	case HEAT_VERDICT_STUCK:
		return PAD_LOOP_STUCK;
#ifdef HEAT_SENSOR_JUMP_C
	case HEAT_VERDICT_SENSOR:
	case HEAT_VERDICT_FROZEN:
		return PAD_LOOP_SENSOR;
#endif
	default: /* one this driver does not know yet: a fault all the same */
		return PAD_LOOP_OTHER;
	}
}

enum pad_loop_verdict pad_loop_tick(struct pad_loop *l)
{
	int16_t raw[TEMP_CHANNELS];
	double t = pad_loop_t(l), reading, duty, applied = l->duty;
	enum pad_loop_verdict v;
	bool relay_on;

	if (sim_chair_temperatures_read(&l->chair, l->now, raw) < 0 ||
	    heat_reading_from_raw(raw[l->pad->channel], &reading) < 0) {
		pad_loop_fault(l);
		return PAD_LOOP_SENSOR;
	}
	l->reading = reading;

	if (l->autotune) {
		duty = heat_autotune_update(l->autotune, t, reading);
		heat_control_observe(&l->control, t, reading);
		heat_control_applied(&l->control, duty);
	} else if (l->target_c > 0.0)
		duty = heat_control_update(&l->control, t, reading, l->target_c);
	else {
		heat_control_observe(&l->control, t, reading);
		heat_control_applied(&l->control, duty = 0.0);
	}

	v = judge(l, t, reading, applied);
	if (v != PAD_LOOP_OK) {
		pad_loop_fault(l);
		return v;
	}

	if (heat_model_check_update(&l->model_check, t, reading, !l->autotune && l->target_c > 0.0, &l->control)) {
		pad_loop_refuted(l, t, reading);
		duty = 0.0;
	}
	if (l->autotune && heat_autotune_done(l->autotune))
		duty = 0.0;
	l->duty = duty;
	relay_on = relay_pwm_update(&l->pwm, t, duty);
	sim_chair_set_output(&l->chair, l->now, l->pad->relay, relay_on);
	/* what the pad gets until the next reading: the relay, not the duty asked for */
	heat_model_check_applied(&l->model_check, relay_on && l->master_on ? 1.0 : 0.0);
	if (l->autotune)
		heat_autotune_applied(l->autotune, relay_on && l->master_on ? 1.0 : 0.0);

	l->now += PAD_LOOP_SAMPLE_USEC;
	sim_chair_advance(&l->chair, l->now);
	pad_loop_track(l);
	return PAD_LOOP_OK;
}

void pad_loop_coast(struct pad_loop *l, double until_s)
{
	uint64_t until = (uint64_t)llround(until_s * 1e6);

	while (l->now < until) {
		l->now = l->now + 1000000ULL < until ? l->now + 1000000ULL : until;
		sim_chair_advance(&l->chair, l->now);
		pad_loop_track(l);
	}
}

const char *pad_loop_verdict_code(enum pad_loop_verdict v)
{
	switch (v) {
	case PAD_LOOP_OK:
		return NULL;
	case PAD_LOOP_OVERTEMP:
		return "overtemp";
	case PAD_LOOP_RUNAWAY:
		return "runaway";
	case PAD_LOOP_STUCK:
		return "heater-stuck";
	case PAD_LOOP_SENSOR:
		return "sensor";
	case PAD_LOOP_OTHER:
		return "other";
	}
	return "?";
}
