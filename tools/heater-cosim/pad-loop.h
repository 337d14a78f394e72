/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "heat-autotune.h"
#include "heat-control.h"
#include "heat-model-check.h"
#include "heat-protect.h"
#include "relay-pwm.h"
#include "sim-chair.h"

/* One pad of the simulated chair under the daemon's heat composition, as heater_tick()
 * in daemon/heat/heater.c runs it on each 0.25 s reading: autotune or the controller
 * chooses the duty, heat_protect_check() judges the reading with the duty asked since
 * the previous one, the model check may refute a tuned model, and relay_pwm drives the
 * pad's relay with the daemon's default timing. Any verdict other than OK opens the
 * master heat relay, which cuts the pad's element for good, welded relay or not. */

#define PAD_LOOP_SAMPLE_S 0.25
#define PAD_LOOP_SAMPLE_USEC 250000ULL

enum pad_loop_verdict {
	PAD_LOOP_OK,
	PAD_LOOP_OVERTEMP,
	PAD_LOOP_RUNAWAY,
	PAD_LOOP_STUCK,
	PAD_LOOP_SENSOR, /* a reading the daemon refuses (sentinel or out of 0..90 °C) */
	PAD_LOOP_OTHER,  /* a verdict newer than this driver */
};

struct pad_loop {
	struct sim_chair chair;
	struct sim_pad *pad;
	uint64_t now; /* chair time, µs, a whole number of samples */
	double max_target_c;
	double target_c; /* 0 while autotune chooses */
	struct heat_model model;
	bool tuned;
	struct heat_control control;
	struct heat_protect protect;
	struct heat_model_check model_check;
	struct relay_pwm pwm;
	struct heat_autotune *autotune;
	double duty; /* asked since the latest reading */
	bool master_on;
	double refuted_t;  /* when the model check refuted the tuned model, or -1 */
	double stone_peak; /* the true stone, highest since pad_loop_track_from() */
	double stone_peak_t;
	double reading; /* the latest valid reading */
};

/* The simulator's pad physics as it has them (the plant script's public set). */
void pad_loop_default_params(struct sim_pad_params *ret);

/* A seated person, every pad at the plant's ambient; `params` the pad's physics (the
 * simulator's public set with overrides). -EINVAL for a model the daemon refuses. */
int pad_loop_init(struct pad_loop *l, const struct sim_pad_params *params, uint64_t seed, const struct heat_model *m,
		  bool tuned, double max_target_c, double target_c);
void pad_loop_free(struct pad_loop *l);

/* One reading at the current time, then the duty held for one sample; the time moves
 * on by PAD_LOOP_SAMPLE_S. Returns the verdict; after one other than OK the master
 * relay is open and only pad_loop_coast() follows. */
enum pad_loop_verdict pad_loop_tick(struct pad_loop *l);

/* No power (the master open): let the plant run to `until_s`, tracking the stone. */
void pad_loop_coast(struct pad_loop *l, double until_s);

/* The stone's peak is tracked from now on (forgetting the earlier one). */
void pad_loop_track_from(struct pad_loop *l);

static inline double pad_loop_t(const struct pad_loop *l)
{
	return (double)l->now / 1e6;
}

const char *pad_loop_verdict_code(enum pad_loop_verdict v);
