/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "heat-control.h"

/* Heat that the relay did not command: a welded pad relay, seen while the pad heats,
 * not only once it has been off for a while (heat-protect.c's older rule, which still
 * holds). Pure: readings, duties and the observer in, a verdict out. Two rules; the
 * figures are the fault bench's (tools/heater-fault-bench, docs/heater-bench.md).
 *
 * 1. The model's (only with the pad's own, autotuned model): over a sliding window the
 *    observer's estimate at the window's start predicts the readings open loop twice,
 *    with the duty applied and with full power throughout. The readings' excess over
 *    the first prediction is fitted as a share of what full power would add; a welded
 *    relay makes that fit remove far more of the readings' misfit than anything in
 *    normal use. The largest excess in normal use is a person getting up (0.04 °C² at
 *    its peak), so neither rule judges for a minute after the seat changes (the pad's
 *    heat ends 30 s after the seat empties anyway). The cautious defaults misjudge a
 *    heavy stone or a slow sensor by as much as a welded relay shows: without a tuned
 *    model only rule 2 holds, which needs no model.
 * 2. After the approach at full power (60 s or more: the element near its plateau, the
 *    stone warming steadily): the relay open, or at the low duty the controller steps
 *    down to, for two sensor lags, the element has been cooling since (its time
 *    constant is 35 s on every bench plant), so over the next 8 s the reading warms at
 *    most about three quarters as fast as in the last 12 s at full power; a welded relay
 *    keeps nine tenths or more. Judged for the first two minutes after letting go.
 * A rule for any other heat, that the reading's rise must slow once the relay opens,
 * was tried and dropped: at the rates a pad coasts with near its target (0.02-0.05
 * °C/s) the curvature of 12 s of 0.1 °C readings is as noisy as the slowing it looks
 * for, and it tripped healthy pads in the soak. */

#define HEAT_RELAY_CHECK_WINDOW 32     /* rule 1: readings, 8 s at 0.25 s */
#define HEAT_RELAY_CHECK_GAIN_C2 0.03  /* mean squared misfit the fit removes */
#define HEAT_RELAY_CHECK_EFFECT_C 0.01 /* full power must differ this much (RMS) */
#define HEAT_RELAY_CHECK_SEAT_HOLD_S 60.0

#define HEAT_RELAY_COAST_FULL_S 60.0 /* rule 2: full power this long before */
#define HEAT_RELAY_COAST_FULL_DUTY 0.99
#define HEAT_RELAY_COAST_LOW_DUTY 0.5 /* the controller's step down counts as letting go */
/* ...when it comes within this; a moment back at more power, up to this, does not end it */
#define HEAT_RELAY_COAST_STEP_S 2.0
#define HEAT_RELAY_COAST_LAGS 2.0      /* sensor lags after letting go */
#define HEAT_RELAY_COAST_N 48          /* the full-power readings: 12 s */
#define HEAT_RELAY_COAST_RATE_N 32     /* the readings after: 8 s */
#define HEAT_RELAY_COAST_KEPT 0.85     /* a welded relay keeps this share of the rate */
#define HEAT_RELAY_COAST_RISE_C_S 0.02 /* judged when it warmed at least this fast */
#define HEAT_RELAY_COAST_MAX_S 120.0   /* ...for this long after letting go */

struct heat_relay_check {
	double x0[HEAT_RELAY_CHECK_WINDOW][HEAT_X_N]; /* the estimate after each reading */
	double reading[HEAT_RELAY_CHECK_WINDOW];
	double duty[HEAT_RELAY_CHECK_WINDOW]; /* applied from that reading on */
	unsigned n;                           /* readings pushed since the reset */
	double t_last;                        /* the latest reading's t */
	double hold_until;                    /* no verdict before this t */
	double gain;                          /* the latest window's fit, for the tests */
	bool model_tuned;
	double coast[HEAT_RELAY_COAST_N]; /* readings since two lags after letting go */
	unsigned coast_n;
	double open_s;                   /* the relay open since (s of readings) */
	double full_s;                   /* full power for this long before it */
	double full[HEAT_RELAY_COAST_N]; /* the readings at full power */
	unsigned full_n;
	double full_rate;    /* their warming rate, °C/s */
	double last_full_s;  /* the latest full-power stretch */
	double since_full_s; /* since its end */
	bool after_full;     /* this open stretch follows it */
	double blip_s;       /* more power for a moment within it */
	double sensor_s;     /* the model's sensor lag */
};

/* Whether the model is the pad's own (autotuned and not refuted) or the defaults. */
void heat_relay_check_model(struct heat_relay_check *k, bool tuned, double sensor_s);

/* Forget the window (a new model, an estimate restarted): it fills again. */
void heat_relay_check_reset(struct heat_relay_check *k);

/* The seat changed at t: what the person's body took from the stone changed too. */
void heat_relay_check_seat_changed(struct heat_relay_check *k, double t);

/* After the observer took the reading at t, with `duty` applied since the previous
 * reading: true when heat the relay did not command keeps arriving. */
bool heat_relay_check_update(struct heat_relay_check *k, double t, double reading, double duty,
			     const struct heat_control *observer);
