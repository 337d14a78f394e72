/* SPDX-License-Identifier: MIT */
#pragma once

/* Between heat-autotune.c (the experiment on the pad, and its record) and
 * heat-autotune-fit.c (the fit of the pad's model to that record). */

#include <stdbool.h>
#include <stddef.h>

#include "heat-model.h"
#include "nelder-mead.h"

#define FIT_STARTS 4
#define FIT_EDGE_MARGIN 0.1 /* a fit this close to a plausibility bound failed */

/* The fitted numbers, in logs where they must stay positive. */
enum fit_param {
	P_GAIN,
	P_ELEMENT,
	P_COUPLE,
	P_LOSS,
	P_SINK,
	P_SENSOR,
	P_ELEMENT0,
	P_STONE0, /* element and stone at the first reading, °C over it */
	P_N,
};

/* What the experiment saw: the reading at each sample (NaN if none) and the duty held
 * after it. */
struct heat_record {
	float *y, *u;
	size_t n, cap;
};

struct heat_fit {
	struct nelder_mead nm;
	size_t n;      /* samples the running fit replays */
	double h;      /* seconds between them */
	double rest_c; /* the reading the pad rested at before the experiment */
	int restarts;
	double restart_cost;
	struct heat_model starts[FIT_STARTS]; /* the fit begins from each in turn */
	double start_offset[2];               /* and from this P_ELEMENT0, P_STONE0 (the last fit's) */
	int n_starts, start;
	double best_cost, edge_cost; /* the best start inside the bounds, and at one */
	double best[P_N], edge[P_N];
	struct heat_model model; /* the result */
	double rms;              /* how well it replays the readings, °C */
};

/* Start fitting the first n samples of the record, h seconds apart, from `from` and
 * guesses around it. */
void heat_fit_begin(struct heat_fit *f, const struct heat_model *from, size_t n, double h, double rest_c);
/* Some work on the fit. Returns true when it has converged (f->model and f->rms set). */
bool heat_fit_work(struct heat_fit *f, const struct heat_record *r);
/* Where the fitted model says the pad was at the record's latest reading (the hold
 * that went on while the fit ran included). 0, or -EINVAL without a fit. */
int heat_fit_state(const struct heat_fit *f, const struct heat_record *r, double x[HEAT_X_N]);
