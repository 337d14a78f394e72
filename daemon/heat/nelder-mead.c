/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "nelder-mead.h"

#define REFLECT 1.0
#define EXPAND 2.0
#define CONTRACT 0.5
#define SHRINK 0.5

void nm_init(struct nelder_mead *nm, int n, const double *start, const double *step, int max_evaluations,
	     double tolerance)
{
	*nm = (struct nelder_mead) {
		.n = n,
		.phase = NM_INITIAL,
		.max_evaluations = max_evaluations,
		.tolerance = tolerance,
	};
	for (int i = 0; i <= n; i++) {
		memcpy(nm->x[i], start, n * sizeof(double));
		if (i > 0)
			nm->x[i][i - 1] += step[i - 1];
	}
	memcpy(nm->pending, nm->x[0], n * sizeof(double));
}

static int best(const struct nelder_mead *nm)
{
	int b = 0;
	for (int i = 1; i <= nm->n; i++)
		if (nm->f[i] < nm->f[b])
			b = i;
	return b;
}

static int worst(const struct nelder_mead *nm)
{
	int w = 0;
	for (int i = 1; i <= nm->n; i++)
		if (nm->f[i] > nm->f[w])
			w = i;
	return w;
}

static int second_worst(const struct nelder_mead *nm, int w)
{
	int s = w == 0 ? 1 : 0;
	for (int i = 0; i <= nm->n; i++)
		if (i != w && nm->f[i] > nm->f[s])
			s = i;
	return s;
}

/* pending = centroid + k·(from − centroid) */
static void toward(struct nelder_mead *nm, const double *from, double k)
{
	for (int j = 0; j < nm->n; j++)
		nm->pending[j] = nm->centroid[j] + k * (from[j] - nm->centroid[j]);
}

static void replace_worst(struct nelder_mead *nm, const double *x, double f)
{
	int w = worst(nm);
	memcpy(nm->x[w], x, nm->n * sizeof(double));
	nm->f[w] = f;
}

/* Begin an iteration: stop, or ask for the reflection of the worst vertex. */
static void iterate(struct nelder_mead *nm)
{
	int w = worst(nm), b = best(nm);

	if (nm->evaluations >= nm->max_evaluations || nm->f[w] - nm->f[b] <= nm->tolerance) {
		nm->phase = NM_DONE;
		return;
	}
	memset(nm->centroid, 0, sizeof(nm->centroid));
	for (int i = 0; i <= nm->n; i++)
		if (i != w)
			for (int j = 0; j < nm->n; j++)
				nm->centroid[j] += nm->x[i][j] / nm->n;
	toward(nm, nm->x[w], -REFLECT);
	nm->phase = NM_REFLECT;
}

static void shrink_next(struct nelder_mead *nm)
{
	int b = nm->shrink_center;

	for (nm->index++; nm->index <= nm->n && nm->index == b; nm->index++)
		;
	if (nm->index > nm->n) {
		iterate(nm);
		return;
	}
	for (int j = 0; j < nm->n; j++)
		nm->pending[j] = nm->x[b][j] + SHRINK * (nm->x[nm->index][j] - nm->x[b][j]);
}

static void start_shrink(struct nelder_mead *nm)
{
	nm->phase = NM_SHRINK;
	nm->shrink_center = best(nm);
	nm->index = -1;
	shrink_next(nm);
}

const double *nm_ask(struct nelder_mead *nm)
{
	return nm->phase == NM_DONE ? NULL : nm->pending;
}

void nm_tell(struct nelder_mead *nm, double f)
{
	if (isnan(f))
		f = INFINITY;
	nm->evaluations++;

	switch (nm->phase) {
	case NM_INITIAL:
		nm->f[nm->index] = f;
		if (++nm->index <= nm->n)
			memcpy(nm->pending, nm->x[nm->index], nm->n * sizeof(double));
		else
			iterate(nm);
		return;
	case NM_REFLECT: {
		int w = worst(nm), b = best(nm), s = second_worst(nm, w);

		memcpy(nm->reflected, nm->pending, sizeof(nm->reflected));
		nm->reflected_f = f;
		if (f < nm->f[b]) {
			toward(nm, nm->reflected, EXPAND);
			nm->phase = NM_EXPAND;
		} else if (f < nm->f[s]) {
			replace_worst(nm, nm->reflected, f);
			iterate(nm);
		} else if (f < nm->f[w]) {
			toward(nm, nm->reflected, CONTRACT);
			nm->phase = NM_CONTRACT_OUTSIDE;
		} else {
			toward(nm, nm->x[w], CONTRACT);
			nm->phase = NM_CONTRACT_INSIDE;
		}
		return;
	}
	case NM_EXPAND:
		if (f < nm->reflected_f)
			replace_worst(nm, nm->pending, f);
		else
			replace_worst(nm, nm->reflected, nm->reflected_f);
		iterate(nm);
		return;
	case NM_CONTRACT_OUTSIDE:
		if (f <= nm->reflected_f) {
			replace_worst(nm, nm->pending, f);
			iterate(nm);
		} else
			start_shrink(nm);
		return;
	case NM_CONTRACT_INSIDE:
		if (f < nm->f[worst(nm)]) {
			replace_worst(nm, nm->pending, f);
			iterate(nm);
		} else
			start_shrink(nm);
		return;
	case NM_SHRINK:
		memcpy(nm->x[nm->index], nm->pending, nm->n * sizeof(double));
		nm->f[nm->index] = f;
		shrink_next(nm);
		return;
	case NM_DONE:
		return;
	}
}

bool nm_done(const struct nelder_mead *nm)
{
	return nm->phase == NM_DONE;
}

const double *nm_best(const struct nelder_mead *nm, double *ret_cost)
{
	int b = best(nm);

	if (nm->phase == NM_INITIAL) {
		/* only the vertices evaluated so far count */
		b = 0;
		for (int i = 1; i < nm->index; i++)
			if (nm->f[i] < nm->f[b])
				b = i;
	}
	if (ret_cost)
		*ret_cost = nm->f[b];
	return nm->x[b];
}
