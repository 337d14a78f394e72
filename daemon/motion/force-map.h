/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* What the back needs along the track: the force loop's feed-forward. The rollers sweep
 * the same track again and again (strokes, knead points), so where they have been, the
 * loop knows what depth gave the target there, and how stiff the back was: a shoulder
 * blade, a vertebra, the girdle's firmer muscle. Pure, per person: forgotten when the
 * person may have changed (a new session, a scan, an empty seat).
 *
 * Bins of FORCE_MAP_BIN_MM over the whole track; each holds the depth that gave (or
 * would have given, by the local stiffness) a target, that target and that stiffness.
 * A prediction interpolates between two learned bins and moves the depth for another
 * target by the bin's stiffness; anywhere a bin is not learned it predicts nothing. */

#define FORCE_MAP_BIN_MM 2.0
#define FORCE_MAP_TRACK_MM 780.0 /* drivers/roller.h ROLLER_TRAVEL_MAX_MM */
#define FORCE_MAP_BINS 392       /* FORCE_MAP_TRACK_MM / FORCE_MAP_BIN_MM + 2 */

/* What the rollers learn in passing is held until they have moved on: the depth the
 * map predicts where they are is then from earlier passes, so how far the back is off
 * it now (the breath) can be told from it. */
#define FORCE_MAP_HOLD_MM 4.0
#define FORCE_MAP_PENDING 64

struct force_map_sample {
	float travel_mm, depth_mm, target_n, stiffness_n_mm;
};

struct force_map {
	float depth_mm[FORCE_MAP_BINS];       /* the depth that gives target_n here */
	float target_n[FORCE_MAP_BINS];       /* the force it was learned for */
	float stiffness_n_mm[FORCE_MAP_BINS]; /* the back's stiffness there at that force */
	bool known[FORCE_MAP_BINS];
	struct force_map_sample pending[FORCE_MAP_PENDING]; /* a ring, oldest at first */
	unsigned first, n_pending;
};

void force_map_forget(struct force_map *m);

/* At travel_mm the rollers needed depth_mm for target_n, the back there stiffness_n_mm
 * stiff: blended into the two bins around travel_mm by how near they are, once the
 * rollers are FORCE_MAP_HOLD_MM on (or FORCE_MAP_PENDING samples later). */
void force_map_learn(struct force_map *m, double travel_mm, double depth_mm, double target_n, double stiffness_n_mm);

/* The depth that gives target_n at travel_mm; false where the map does not know. */
bool force_map_predict(const struct force_map *m, double travel_mm, double target_n, double *ret_depth_mm);
