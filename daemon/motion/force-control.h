/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The contact-force loop: pure code, a reading in and a depth out, once per control
 * tick. Intensity is a force level (force_level_n()); each technique shapes it over
 * time (a share of the level, force_target_n()); the loop moves the rollers' depth so
 * the load the roller board reports follows that target whatever the body under them.
 *
 * When the load passes the target by a margin (a tensing back, a bony spot) the loop
 * backs off at once and comes back gently. It never commands deeper than depth_max_mm,
 * and keeps its target below force_max_n by a margin ([Limits] ForceMax; the safety
 * gate enforces ForceMax itself, whatever the loop does). */

#define FORCE_LEVELS 5

struct force_loop_config {
	double depth_max_mm; /* [Limits] DepthMax: the deepest it commands */
	double force_max_n;  /* [Limits] ForceMax */
	double tick_s;       /* the control period, chair time */
};

struct force_loop {
	struct force_loop_config cfg;
	double depth_mm;       /* the depth it commands, continuous */
	double stiffness_n_mm; /* its estimate of how the load grows with depth here */
	double last_load_n, last_depth_mm;
	double residue_mm; /* sigma-delta rounding carried to the next register value */
	bool backing_off;
	bool primed; /* has seen a reading since init */
};

/* The force of an intensity level 1..5, N (docs/dbus-api.md, "Force levels"). */
double force_level_n(unsigned level);

/* The target of a technique's share (permille of the level, as technique.c shapes it)
 * at a level, N: never below the light contact every body can be held at. */
double force_target_n(unsigned level, unsigned share_permille);

/* Starts (or restarts, after transit or a pause) from the depth the rollers are at. */
void force_loop_init(struct force_loop *l, const struct force_loop_config *cfg, double depth_now_mm);

/* One tick: the target, the load read and the depth read; returns the depth to
 * command, mm (fractional, within 0..depth_max_mm). */
double force_loop_step(struct force_loop *l, double target_n, double load_n, double depth_mm);

/* The DEPTH_TARGET register value for a fractional depth: rounded with the remainder
 * carried to the next tick, so the 1 mm register averages to the fractional depth. */
uint16_t force_loop_depth_register(struct force_loop *l, double depth_mm);
