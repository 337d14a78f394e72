/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "heat-control.h"
#include "heat-relay-check.h"

/* The temperature rules of docs/safety-rules.md for one pad, as pure functions of its readings,
 * its duty and its observer: no I/O, no clock, so each rule is tested on its own.
 * The daemon raises the faults; this only judges. */

#define HEAT_READING_MIN_C 0.0
#define HEAT_READING_MAX_C 90.0
#define HEAT_OVERTEMP_MARGIN_C 3.0 /* trip at MaxTarget + 3 °C */
/* an overtemperature clears only this far below the trip point: one noisy reading
 * under it would otherwise clear a trip that the next one raises again */
#define HEAT_OVERTEMP_CLEAR_C 1.0
#define HEAT_SILENCE_S 2.0            /* no valid reading (or no module) this long */
#define HEAT_DOSE_LIMIT_TARGET_C 43.0 /* where a pad whose dose is spent may stay */

enum heat_verdict {
	HEAT_VERDICT_OK,
	HEAT_VERDICT_OVERTEMP,
	HEAT_VERDICT_RUNAWAY,
	HEAT_VERDICT_STUCK,
	HEAT_VERDICT_SENSOR, /* a step in the reading no stone can make: off the stone */
	HEAT_VERDICT_FROZEN, /* a reading that no longer moves while the pad heats */
};

/* A reading this far from the one before, within about a sample, is not the stone:
 * a stone and its lagging sensor change by a few hundredths of a degree in a quarter
 * second (0.05 °C at most on the bench plants, the reading's 0.1 °C steps and noise
 * add 0.2), while a sensor falling off a 44 °C stone drops 0.8 °C in its first sample
 * even with a 6 s lag of its own. */
#define HEAT_SENSOR_JUMP_C 0.6
#define HEAT_SENSOR_JUMP_WITHIN_S 0.5
/* A reading that does not change by a single step for this long while the pad is
 * heated is a frozen sensor (or module): the controller's integral action would
 * otherwise answer its silence with more and more power. A sensor's noise and the
 * relay's cycle move a held stone's reading by a step every few seconds. */
#define HEAT_SENSOR_FROZEN_S 45.0
/* Full power without a rise: 20 s of full power, from off, raise a healthy pad's reading
 * by half a degree or more on every bench plant. Two measures of the rise, both from
 * when the heat began: above the reading's trend before (at least 0.2 °C), and above
 * where the pad's model says it would have gone without heat (at least a third of what
 * the model expects the heat to add; the untuned defaults expect up to twice what a
 * bench pad gives). A pad that fails both is a dead element or a sensor off the stone:
 * runaway after 20 s rather than after the slow rule's minute. */
#define HEAT_RUNAWAY_FULL_S 20.0
#define HEAT_RUNAWAY_FULL_DUTY 0.95
#define HEAT_RUNAWAY_FULL_RISE_C 0.2
#define HEAT_RUNAWAY_FULL_SHARE 0.33
#define HEAT_RUNAWAY_FULL_MIN_C 0.3 /* the model's share judged from this much */
#define HEAT_RUNAWAY_TREND_S 10
#define HEAT_RUNAWAY_ELEMENT_WARM_C 5.0 /* the element no warmer than the stone plus this */
#define HEAT_RUNAWAY_FROM_OFF_S 1.0     /* off this long before: a heat start, not a flicker */
#define HEAT_HISTORY_N 32
#define HEAT_SENSOR_FROZEN_DUTY 0.05

struct heat_protect {
	double max_target_c;
	double full_rate; /* the model's heat at full power, °C/s at the stone */
	double t_last;
	double reading_last;
	double reading_before;  /* the one before reading_last */
	double reading_since;   /* the reading has been reading_last since */
	double full_since;      /* full power since (or -1) */
	double full_start_c;    /* the readings' mean in its first second */
	double full_trend;      /* the reading's trend before it, °C/s */
	double full_base_c;     /* the rise the model expects without heat */
	double full_expected_c; /* ...and what the heat adds */
	unsigned full_start_n;
	bool started;
	double duty_mean;     /* applied duty, averaged over about 30 s */
	double off_since;     /* duty 0 since (or -1) */
	double runaway_since; /* the runaway condition holds since (or -1) */
	double stuck_since;
	double history[HEAT_HISTORY_N]; /* the reading once a second */
	double history_t;
	unsigned history_n;
	struct heat_relay_check relay; /* heat the relay did not command */
	bool seated;
	bool autotuning; /* autotune's own steps: the relay check waits */
};

/* The heat dose one pad gave over a rolling window, in CEM43 minutes: slices of a
 * 24th of the window, the oldest forgotten once it lies a whole window back. It spans
 * sessions, Stop and SetTarget, and is saved across restarts (heater-dose.c). */
#define HEAT_DOSE_SLICES 24

struct heat_dose {
	double slice_s;                         /* the window / HEAT_DOSE_SLICES */
	double slice_start;                     /* t the newest slice began */
	double t_last;                          /* the last reading's t */
	bool started;                           /* slice_start and t_last are set */
	unsigned newest;                        /* index of the newest slice */
	double slice_min[HEAT_DOSE_SLICES + 1]; /* CEM43 minutes given in each slice */
};

/* A raw temperature module value (0.1 °C, with sentinels) as °C; -ERANGE for a
 * sentinel or a value outside 0–90 °C. */
int heat_reading_from_raw(int16_t raw, double *ret);

void heat_protect_init(struct heat_protect *p, double max_target_c, const struct heat_model *m);

/* A new model for a pad in use (a loaded one refuted by the pad): its heat scale for
 * the rules, which start afresh; the dose given so far is kept. */
void heat_protect_set_model(struct heat_protect *p, const struct heat_model *m);

/* The seat sensor at t: a person getting up leaves heat in the stone that looks, for
 * a minute, like heat the relay did not command. */
void heat_protect_seated(struct heat_protect *p, double t, bool seated);

/* Whether the model is the pad's own (autotuned, not refuted) or the defaults. */
void heat_protect_model_tuned(struct heat_protect *p, bool tuned);

/* Autotune drives the pad (its steps, on a model it has not fitted yet) or ends. */
void heat_protect_autotuning(struct heat_protect *p, bool on);

/* Judge one valid reading at t (seconds) given the duty applied since the previous
 * one and the pad's observer after this reading. */
enum heat_verdict heat_protect_check(struct heat_protect *p, double t, double reading, double duty,
				     const struct heat_control *observer);

/* CEM43: minutes at 43 °C that do the same harm (R = 0.5 per °C above, 0.25 below). */
double heat_dose_rate(double celsius);

/* An empty window of window_s seconds; the clock starts at the first reading. */
void heat_dose_init(struct heat_dose *d, double window_s);
/* Another window length: the slices keep their doses, each a 24th of the new window. */
void heat_dose_set_window(struct heat_dose *d, double window_s);
/* A valid reading at t (seconds): the time since the previous one at this temperature
 * is added (nothing for the first, so time while massaged was not running is never
 * counted, neither as dose nor as time that lets dose be forgotten). */
void heat_dose_add(struct heat_dose *d, double t, double celsius);
/* CEM43 minutes given over the last window at t: at least a whole window back, at
 * most a 24th more. */
double heat_dose_total(struct heat_dose *d, double t);
/* The slices oldest first (HEAT_DOSE_SLICES + 1 values, the last one the newest), to
 * save and restore them; restored, the newest slice begins at the next reading. */
void heat_dose_get(const struct heat_dose *d, double ret[HEAT_DOSE_SLICES + 1]);
void heat_dose_put(struct heat_dose *d, const double slices[HEAT_DOSE_SLICES + 1]);
