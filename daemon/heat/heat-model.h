/* SPDX-License-Identifier: MIT */
#pragma once

/* A hot-stone pad as the heater controller sees it: the element, the stone and the
 * sensor, each a lumped temperature, plus an unknown heat flow at the stone (the
 * person leaning back, a draught) that the observer estimates.
 *
 *   element' = (stone + gain·u − element) / element_s
 *   stone'   = (element − stone) / couple_s + (sink − stone) / loss_s + disturb
 *   sensor'  = (stone − sensor) / sensor_s
 *   disturb' = 0
 *
 * u is the duty 0..1. At full power the element settles `gain` above the stone; the
 * stone alone settles at `sink` (room and body together). Autotune identifies the
 * numbers of each pad; nothing here knows a particular pad. */

enum heat_state_index {
	HEAT_X_ELEMENT,
	HEAT_X_STONE,
	HEAT_X_SENSOR,
	HEAT_X_DISTURB, /* °C/s at the stone */
	HEAT_X_N,
};

struct heat_model {
	double gain_c;
	double element_s;
	double couple_s;
	double loss_s;
	double sink_c;
	double sensor_s;
};

/* One sample of the model, exact for a duty held over the sample (zero-order hold):
 * x ← a·x + b·u + c. */
struct heat_discrete {
	double h;
	double a[HEAT_X_N][HEAT_X_N];
	double b[HEAT_X_N];
	double c[HEAT_X_N];
};

/* Conservative numbers for a pad that was never tuned: a strong element and a light
 * stone, so the controller expects more heat stored than there is and coasts early. */
void heat_model_default(struct heat_model *m);

/* Every number finite and within the range the arithmetic handles; -EINVAL otherwise.
 * The fit explores this whole range; a model the daemon heats with must also pass
 * heat_model_plausible(). */
int heat_model_validate(const struct heat_model *m);

/* Whether the model is one a heated-stone pad can physically be: each number, what
 * they say together (the stone's warming rate and rise at full power, the element's
 * own rate, the element lighter than the stone, a sensor faster than the stone
 * cools), each within bounds derived in heat-model.c. `margin` (0 for a loaded file)
 * narrows every bound by that share, so a fit near a bound counts as failed too.
 * Returns 0, or -EINVAL with `why` (a sentence naming the check and the numbers). */
#define HEAT_PLAUSIBLE_WHY_MAX 200
int heat_model_plausible(const struct heat_model *m, double margin, char *why, size_t size);

int heat_model_discretize(const struct heat_model *m, double h, struct heat_discrete *ret);
void heat_discrete_step(const struct heat_discrete *d, double x[HEAT_X_N], double u);

/* Every temperature at `celsius`, no disturbance: a pad at rest. */
void heat_state_rest(double x[HEAT_X_N], double celsius);

/* The duty that holds the stone at `target` against the disturbance (may be outside
 * 0..1 when the pad cannot hold it). */
double heat_model_hold_duty(const struct heat_model *m, double target, double disturb);

/* The stone's rise per second at full power with the element settled above it:
 * the scale of "heat the pad can deliver", °C/s. */
double heat_model_full_rate(const struct heat_model *m);
