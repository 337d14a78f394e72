/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Nelder–Mead minimisation in ask/tell form, so a caller in an event loop can spread
 * the work over many short turns: ask for a point, evaluate it, tell the cost. */

#define NM_DIM_MAX 8

enum nm_phase {
	NM_INITIAL,
	NM_REFLECT,
	NM_EXPAND,
	NM_CONTRACT_OUTSIDE,
	NM_CONTRACT_INSIDE,
	NM_SHRINK,
	NM_DONE,
};

struct nelder_mead {
	int n;
	double x[NM_DIM_MAX + 1][NM_DIM_MAX];
	double f[NM_DIM_MAX + 1];
	double centroid[NM_DIM_MAX];
	double reflected[NM_DIM_MAX], reflected_f;
	double pending[NM_DIM_MAX];
	enum nm_phase phase;
	int index;         /* vertex being evaluated (initial simplex, shrink) */
	int shrink_center; /* the best vertex when the shrink began */
	int evaluations, max_evaluations;
	double tolerance; /* stop when the costs of the simplex differ less */
};

/* Start at `start` with a simplex of `step` along each axis. */
void nm_init(struct nelder_mead *nm, int n, const double *start, const double *step, int max_evaluations,
	     double tolerance);
/* The point to evaluate next; NULL when done. */
const double *nm_ask(struct nelder_mead *nm);
/* The cost of the point nm_ask() returned (NaN/inf count as worse than anything). */
void nm_tell(struct nelder_mead *nm, double cost);
bool nm_done(const struct nelder_mead *nm);
/* The best point so far and its cost. */
const double *nm_best(const struct nelder_mead *nm, double *ret_cost);
