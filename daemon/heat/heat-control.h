/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "heat-model.h"

/* One pad's temperature controller: time and reading in, duty out; no I/O, no clock.
 * The daemon, the tests and tools/heater-cosim run these same functions.
 *
 * An observer (a steady-state Kalman filter on the pad's model) estimates the
 * element, the stone and an unknown heat flow at the stone from the lagging
 * reading. From that estimate the controller looks ahead with the model:
 *  - full power while, even if it switched off after this sample, the heat stored
 *    in the element would carry the stone no higher than just under the target
 *    (the fastest approach the element allows);
 *  - otherwise the highest constant duty whose predicted stone stays at or under
 *    the target at every moment of the horizon. Far ahead that is the duty that
 *    holds the target against the estimated heat loss, so holding needs no
 *    integrator: the estimated disturbance is the integral action, and it cannot
 *    wind up because the observer is fed the duty actually applied. */

#define HEAT_CONTROL_HORIZON_S 1200.0
#define HEAT_CONTROL_PREDICT_S 2.0

struct heat_control {
	struct heat_model model;
	struct heat_discrete sample;  /* one control sample */
	struct heat_discrete predict; /* HEAT_CONTROL_PREDICT_S, for looking ahead */
	double observer_gain[HEAT_X_N];
	double x[HEAT_X_N]; /* estimate after the latest reading */
	bool started;
	double t_last;
	double duty;       /* applied since t_last */
	double innovation; /* latest reading minus its prediction */
};

/* -EINVAL for an implausible model or sample period. */
int heat_control_init(struct heat_control *c, const struct heat_model *m, double sample_s);

/* A reading taken at t seconds (any origin, increasing) and the target (°C, 0 = off).
 * Returns the duty 0..1 to apply until the next reading. Calls closer together than
 * half a sample return the duty already chosen. */
double heat_control_update(struct heat_control *c, double t, double reading, double target);

/* Only update the estimate with a reading, when someone else chose the duty (autotune,
 * or a pad forced off). Say which duty was then applied with heat_control_applied(). */
void heat_control_observe(struct heat_control *c, double t, double reading);
/* The duty actually applied from the latest reading on, if not the one chosen. */
static inline void heat_control_applied(struct heat_control *c, double duty)
{
	c->duty = duty;
}

/* Forget the estimate (a new sensor, a fault cleared): the next reading restarts it
 * from a pad at rest. */
void heat_control_reset(struct heat_control *c);

/* Restart the estimate at a reading with the element at `element_c`: after a change of
 * model, whose old estimate means nothing to the new one. An element assumed hot
 * makes the controller coast until the readings show otherwise. */
void heat_control_restart(struct heat_control *c, double t, double reading, double element_c);

/* Estimates, °C and °C/s. */
static inline double heat_control_stone(const struct heat_control *c)
{
	return c->x[HEAT_X_STONE];
}

static inline double heat_control_disturb(const struct heat_control *c)
{
	return c->x[HEAT_X_DISTURB];
}
