/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "heat-control.h"

/* Whether a pad's loaded model describes the pad, judged in its first minutes of
 * heating: from the observer's estimate at the start of a window the model predicts
 * the reading open loop, with the duty the relay actually applied, and at the end of
 * the window the reading must stay within a tolerance of the prediction. A model that
 * is wrong for the pad (another pad's file, a hand-edited one) fails within a window
 * or two of heating; once a few minutes of heating agree, the model is trusted and
 * no longer judged. Pure: time and readings in, a verdict out. */

/* The first window spans the warm-up, where a model's heat scale shows most (a model
 * wrong by a factor of two misses by half the rise); the later ones are shorter. */
#define HEAT_MODEL_CHECK_FIRST_WINDOW_S 90.0
#define HEAT_MODEL_CHECK_WINDOW_S 30.0
/* Every reading in a window is judged; the tolerance has three parts.
 *  - 0.4 °C: what a right model misses by at once: the reading's noise (0.03 °C) and
 *    steps (0.1 °C) and the observer's error at the window's start (about 0.1 °C).
 *  - a quarter of the change the model predicted since the window began: a model a
 *    quarter off in its heat scale is one the controller's approach margin and observer
 *    absorb (autotune's fits are within a few per cent). Further off, a model has the
 *    controller coast on heat that is not there, or overshoot on heat it did not
 *    predict, and has the protection blame the relay for that heat (heater-stuck):
 *    half the heat scale trips heater-stuck about 50 s into a cold start, and this
 *    check refuses it about 25 s in.
 *  - the heat the person could add or take by leaning back since the window began:
 *    doubling the body's share of the stone's exchange, at most the whole of it,
 *    |reading − Sink| / LossSeconds per second. On the simulator's pad that allows
 *    0.09 °C/s at 45 °C, where leaning back takes 0.04 °C/s (0.8 W/K × 11 K on 220 J/K),
 *    and 0.035 °C/s on a 24 °C stone, which a person leaning back warms by as much. */
#define HEAT_MODEL_CHECK_TOLERANCE_C 0.6
#define HEAT_MODEL_CHECK_TOLERANCE_SHARE 0.25
#define HEAT_MODEL_CHECK_LEAN_SHARE 1.0
#define HEAT_MODEL_CHECK_TRIAL_S 600.0 /* heating time after which the model is trusted */

struct heat_model_check {
	struct heat_discrete sample;
	double sink_c, loss_s; /* the model's, for the person's share */
	bool on_trial;         /* a loaded model not yet confirmed or refuted */
	bool refuted;
	bool window_open;
	double x[HEAT_X_N]; /* the open-loop prediction */
	double window_start, window_s, t_last;
	double predicted_from; /* the predicted reading at the window's start */
	double duty;           /* applied since t_last */
	double heated_s;       /* heating judged so far */
	double residual;       /* the last window's reading minus prediction */
	double tolerance;      /* and what it was allowed */
	double worst_share;    /* the largest |residual|/tolerance so far */
};

/* on_trial: false for the built-in defaults (nothing to judge). -EINVAL for a bad model. */
int heat_model_check_init(struct heat_model_check *k, const struct heat_model *m, double sample_s, bool on_trial);

/* A reading at t; `heating` whether the pad is heating under its controller (not
 * autotune, target above 0) and `observer` its estimate after this reading. Returns
 * true once, when the model is refuted (the check then stops). */
bool heat_model_check_update(struct heat_model_check *k, double t, double reading, bool heating,
			     const struct heat_control *observer);

/* The duty the relay applies from the latest reading on. */
static inline void heat_model_check_applied(struct heat_model_check *k, double duty)
{
	k->duty = duty;
}
