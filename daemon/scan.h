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

struct body_scan {
	/* load summed per 1 mm bin of roller height, and how many samples each holds */
	double load_sum[ROLLER_TRAVEL_MAX_MM + 1];
	uint32_t count[ROLLER_TRAVEL_MAX_MM + 1];
};

void body_scan_init(struct body_scan *s);
void body_scan_add(struct body_scan *s, unsigned position_mm, double load_n);
/* The shoulder line in mm, or -ENODATA when the samples show no edge (empty seat,
 * no contact, too few samples). */
int body_scan_find_shoulder(const struct body_scan *s, unsigned *ret_mm);
