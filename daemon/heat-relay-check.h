/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "heat-control.h"

/* Heat that the relay did not command: a welded pad relay, seen from the model while
 * the pad heats, not only once it is off. Over a sliding window the observer's
 * estimate at the window's start predicts the readings open loop twice: with the duty
 * the controller applied, and with full power throughout. The readings' excess over
 * the first prediction is fitted as a share of what full power would add; a welded
 * relay makes that fit explain the readings far better than the first prediction
 * alone. Pure: readings, duties and the observer in, a verdict out.
 *
 * Figures from the simulator's pad (tests/unit/test-heat-protect.c, tools/heater-bench):
 * a welded relay at hold is found about 25 s after it welds (the stone about 0.9 °C
 * above the target); the largest excess in normal use is a person getting up, about
 * 0.04 °C² at its peak, so the window is not judged for a while after the seat
 * changes (the pad's heat ends 30 s after the seat empties anyway). */

#define HEAT_RELAY_CHECK_WINDOW 32          /* readings: 8 s at 0.25 s */
#define HEAT_RELAY_CHECK_GAIN_C2 0.03       /* mean squared residual the fit removes */
#define HEAT_RELAY_CHECK_EFFECT_C 0.01      /* full power must differ this much (RMS) */
#define HEAT_RELAY_CHECK_SEAT_HOLD_S 60.0

/* The fit above needs a model that describes the pad: the cautious defaults misjudge
 * a heavy stone or a slow sensor by as much as a welded relay shows (measured on the
 * bench plants). Without a tuned model a second rule holds, which needs no model: with
 * the relay open the element only cools, so the heat reaching the stone only falls
 * and the reading's rise slows down. A reading that keeps rising at an undiminished
 * rate for COAST_S, after the relay has been open a sensor lag and a window long, is
 * heat the relay did not command. A quadratic fit over the window gives the rate and
 * its change: a healthy pad coasting slows by about a tenth of its rate every 3 s
 * (the element's time constant, 35 s on every bench plant). */
#define HEAT_RELAY_COAST_N 48                /* readings: 12 s */
#define HEAT_RELAY_COAST_RISE_C_S 0.02       /* rising at least this fast */
#define HEAT_RELAY_COAST_SLOWING 0.01        /* ...and slowing by less than this share per s */
/* Only the first stretch after the pad heated is judged: a pad left idle (or long
 * after its heat) warms towards the person's body, slowly and steadily, by a rate no
 * element has anything to do with. */
#define HEAT_RELAY_COAST_MAX_S 120.0
/* The window starts this many sensor lags after the relay opened: until then the
 * reading still catches up with a stone whose warming was speeding up (a long relay
 * cycle's on-time heats the element fast). */
#define HEAT_RELAY_COAST_LAGS 3.0

struct heat_relay_check {
	double x0[HEAT_RELAY_CHECK_WINDOW][HEAT_X_N]; /* the estimate after each reading */
	double reading[HEAT_RELAY_CHECK_WINDOW];
	double duty[HEAT_RELAY_CHECK_WINDOW];          /* applied from that reading on */
	unsigned n;                                    /* readings pushed since the reset */
	double t_last;                                 /* the latest reading's t */
	double hold_until;                             /* no verdict before this t */
	double gain;                                   /* the latest window's, for the log */
	bool model_tuned;
	double coast[HEAT_RELAY_COAST_N];              /* readings since the relay opened */
	unsigned coast_n;
	double open_s;                                 /* the relay open since (s of readings) */
	bool heated;                                   /* the open stretch follows heat */
	double sensor_s;                               /* the model's sensor lag */
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
