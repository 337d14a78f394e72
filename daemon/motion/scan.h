/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "roller.h"

/* Body scan: the rollers climb at light depth while the roller load is read; the
 * shoulder line is where the back's contact falls away. The session drives the
 * rollers from SCAN_FROM_MM to the top of the track at SCAN_SPEED_MM_S, depth
 * SCAN_DEPTH_MM, motors otherwise still, and feeds every status reading in. */
#define SCAN_FROM_MM 300
#define SCAN_SPEED_MM_S 30
#define SCAN_DEPTH_MM 8
#define SCAN_MIN_SHOULDER_MM 400 /* an edge below this is not a shoulder line */
/* The shoulder line with the person's adjustments: never below this (Chair1's
 * ShoulderHeight range), and a new scan carries at most this much of their adjustment
 * (more is a correction of an earlier scan's error, not of this one's). */
#define SHOULDER_MIN_MM 300
#define SHOULDER_ADJUST_CARRIED_MAX_MM 100

/* How body_scan_find_shoulder() reads the bins (see scan.c). */
#define SCAN_SMOOTH_HALF_MM 8      /* local straight-line fit over ±8 mm of bins */
#define SCAN_LEVEL_GUARD_MM 25     /* back and neck levels taken this far from the edge */
#define SCAN_MIN_BINS 40           /* fewer filled 1 mm bins: too few samples */
#define SCAN_MIN_LEVEL_BINS 5      /* filled bins needed on each side of the edge */
#define SCAN_MIN_CONTACT_N 5.0     /* a back level below this is no contact at all */
#define SCAN_MIN_DROP_FRACTION 0.4 /* the neck level must be this much below the back's */
/* What a mm of depth the scan's force ceiling held back counts as (motion/scan-depth.h):
 * a soft back's stiffness. Where the ceiling flattens the load on a firm back, the depth
 * it took away keeps that back well above the neck, which the rollers reach at full depth. */
#define SCAN_HELD_BACK_N_PER_MM 5.0

struct body_scan {
	/* load summed per 1 mm bin of roller height, and how many samples each holds */
	double load_sum[ROLLER_TRAVEL_MAX_MM + 1];
	uint32_t count[ROLLER_TRAVEL_MAX_MM + 1];
};

void body_scan_init(struct body_scan *s);
void body_scan_add(struct body_scan *s, unsigned position_mm, double load_n);
/* A reading with the rollers held_back_mm short of the scan's depth by its force
 * ceiling: recorded as load_n + SCAN_HELD_BACK_N_PER_MM per mm held back. */
void body_scan_add_held(struct body_scan *s, unsigned position_mm, double load_n, unsigned held_back_mm);
/* The shoulder line in mm, or -ENODATA when the samples show no edge (empty seat,
 * no contact, too few samples). */
int body_scan_find_shoulder(const struct body_scan *s, unsigned *ret_mm);
