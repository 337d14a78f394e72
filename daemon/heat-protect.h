/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "heat-control.h"

/* The temperature rules of safety.md for one pad, as pure functions of its readings,
 * its duty and its observer: no I/O, no clock, so each rule is tested on its own.
 * The daemon raises the faults; this only judges. */

#define HEAT_READING_MIN_C 0.0
#define HEAT_READING_MAX_C 90.0
#define HEAT_OVERTEMP_MARGIN_C 3.0    /* trip at MaxTarget + 3 °C */
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
};

struct heat_protect {
	double max_target_c;
	double full_rate;         /* the model's heat at full power, °C/s at the stone */
	double t_last;
	bool started;
	double duty_mean;         /* applied duty, averaged over about 30 s */
	double off_since;         /* duty 0 since (or -1) */
	double runaway_since;     /* the runaway condition holds since (or -1) */
	double stuck_since;
	double history[16];       /* the reading once a second, for the rise */
	double history_t;
	unsigned history_n;
	double dose_min;          /* CEM43 minutes since heat_protect_dose_reset() */
};

/* A raw temperature module value (0.1 °C, with sentinels) as °C; -ERANGE for a
 * sentinel or a value outside 0–90 °C. */
int heat_reading_from_raw(int16_t raw, double *ret);

void heat_protect_init(struct heat_protect *p, double max_target_c, const struct heat_model *m);

/* A new model for a pad in use (a loaded one refuted by the pad): its heat scale for
 * the rules, which start afresh; the dose given so far is kept. */
void heat_protect_set_model(struct heat_protect *p, const struct heat_model *m);

/* Judge one valid reading at t (seconds) given the duty applied since the previous
 * one and the pad's observer after this reading. Also adds to the dose. */
enum heat_verdict heat_protect_check(struct heat_protect *p, double t, double reading, double duty,
				     const struct heat_control *observer);

/* CEM43: minutes at 43 °C that do the same harm (R = 0.5 per °C above, 0.25 below). */
double heat_dose_rate(double celsius);
void heat_protect_dose_reset(struct heat_protect *p);
