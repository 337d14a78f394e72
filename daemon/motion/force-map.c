/* SPDX-License-Identifier: MIT */
#include "force-map.h"

#include <math.h>
#include <string.h>

#include "macro.h"

/* How much of a bin a new pass replaces: the load cell's noise and the board's whole-mm
 * steps are in every sample, and the cap ahead takes the least of ten predictions, so
 * a noisy map would keep the rollers shallow; a third learns a back in a few passes. */
#define LEARN_SHARE 0.3
/* A bin's stiffness below this would make a prediction for another target swing far. */
#define STIFFNESS_MIN_N_MM 0.5

void force_map_forget(struct force_map *m)
{
	memset(m, 0, sizeof(*m));
}

static bool bin_of(double travel_mm, int *ret_bin, double *ret_frac)
{
	double x;

	if (!isfinite(travel_mm) || travel_mm < 0 || travel_mm > FORCE_MAP_TRACK_MM)
		return false;
	x = travel_mm / FORCE_MAP_BIN_MM;
	*ret_bin = (int)floor(x);
	*ret_frac = x - *ret_bin;
	return *ret_bin + 1 < FORCE_MAP_BINS;
}

static void learn_bin(struct force_map *m, int i, double weight, double depth_mm, double target_n, double k)
{
	double share = LEARN_SHARE * weight;

	if (weight <= 0)
		return;
	if (!m->known[i]) {
		m->depth_mm[i] = (float)depth_mm;
		m->target_n[i] = (float)target_n;
		m->stiffness_n_mm[i] = (float)k;
		m->known[i] = true;
		return;
	}
	/* the bin's depth moved to the new target by its stiffness, then blended */
	m->depth_mm[i] += (float)((target_n - m->target_n[i]) / m->stiffness_n_mm[i]);
	m->target_n[i] = (float)target_n;
	m->depth_mm[i] += (float)(share * (depth_mm - m->depth_mm[i]));
	m->stiffness_n_mm[i] += (float)(share * (k - m->stiffness_n_mm[i]));
}

static void commit(struct force_map *m, const struct force_map_sample *s)
{
	double frac;
	int i;

	if (!bin_of(s->travel_mm, &i, &frac))
		return;
	/* the nearer bin learns fully, the farther by how near it is (none at its far edge) */
	learn_bin(m, i, frac <= 0.5 ? 1.0 : 2 * (1 - frac), s->depth_mm, s->target_n, s->stiffness_n_mm);
	learn_bin(m, i + 1, frac >= 0.5 ? 1.0 : 2 * frac, s->depth_mm, s->target_n, s->stiffness_n_mm);
}

void force_map_learn(struct force_map *m, double travel_mm, double depth_mm, double target_n, double stiffness_n_mm)
{
	int i;
	double frac;

	if (!isfinite(depth_mm) || !isfinite(target_n) || !isfinite(stiffness_n_mm) || !bin_of(travel_mm, &i, &frac))
		return;
	m->pending[(m->first + m->n_pending) % FORCE_MAP_PENDING] = (struct force_map_sample) {
		.travel_mm = (float)travel_mm,
		.depth_mm = (float)depth_mm,
		.target_n = (float)target_n,
		.stiffness_n_mm = (float)MAX(stiffness_n_mm, STIFFNESS_MIN_N_MM),
	};
	m->n_pending++;
	while (m->n_pending > 0 && (m->n_pending == FORCE_MAP_PENDING ||
				    fabs(m->pending[m->first].travel_mm - travel_mm) > FORCE_MAP_HOLD_MM)) {
		commit(m, &m->pending[m->first]);
		m->first = (m->first + 1) % FORCE_MAP_PENDING;
		m->n_pending--;
	}
}

static double bin_depth(const struct force_map *m, int i, double target_n)
{
	return m->depth_mm[i] + (target_n - m->target_n[i]) / m->stiffness_n_mm[i];
}

bool force_map_predict(const struct force_map *m, double travel_mm, double target_n, double *ret_depth_mm)
{
	double frac;
	int i;

	if (!isfinite(target_n) || !bin_of(travel_mm, &i, &frac) || !m->known[i] || !m->known[i + 1])
		return false;
	*ret_depth_mm = (1 - frac) * bin_depth(m, i, target_n) + frac * bin_depth(m, i + 1, target_n);
	return true;
}
