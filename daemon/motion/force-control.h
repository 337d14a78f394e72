/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "force-map.h"

/* The contact-force loop: pure code, a reading in and a depth out, once per control
 * tick. Intensity is a force level (force_level_n()); each technique shapes it over
 * time (a share of the level, force_target_n()); the loop moves the rollers' depth so
 * the load the roller board reports follows that target whatever the body under them.
 *
 * Each tick: read the load and the depth, force_loop_step(), write
 * force_loop_depth_register() of what it returns as DEPTH_TARGET (the loop reckons
 * where the rollers are from the register values it handed out, moving at the board's
 * speed, checked against the whole mm the board reports).
 *
 * The body's local stiffness (how much the load grows per mm of depth) runs from ~1 to
 * ~40 N/mm and more (a soft lower back to a tensed shoulder blade), so the loop
 * estimates it online: a least-squares fit of the load's change on the rollers' change
 * over the last ten ticks or so (their half-mm steps are movement enough), bounded below
 * by what any tissue has at that load. Each tick it moves the depth by a share (< 1) of
 * error / stiffness, less how far the back itself came toward the rollers in the last
 * tick (the load's change its own move does not explain: the spine's curve under
 * travel, a shoulder blade, breathing), at most as far as the board moves in a tick
 * (25 mm/s). Under the target it stops a retreat still under way; over it, an advance.
 *
 * When the load passes the target by a margin (max(10 N, 20 %): a tensing back, a bony
 * spot), or is half way there and rising to pass it within two ticks, the loop backs
 * off at once: it commands the depth back by what brings the load under the target by
 * its stiffness estimate (scaled up by how much harder the spot presses) plus half a
 * mm, then comes back gently (the target it aims at climbs from where the load got to
 * at 40 N/s). Without contact (under 3 N: an empty seat, a back leaning away) it
 * approaches at 8 mm/s instead of diving. It never commands deeper than depth_max_mm,
 * and never aims above force_max_n less max(10 N, 20 %) ([Limits] ForceMax; the safety
 * gate enforces ForceMax itself, whatever the loop does).
 *
 * Feed-forward along the track (force-map.h): where the rollers have been before for
 * this person, the loop knows the depth the back needed there and how stiff it was.
 * It tracks where the rollers are along the track and where they will be (the travel
 * setpoint: where they go, how fast), and how far the back is off the map right here
 * (the breath, a tensing back). It moves the depth by the map's change to the next
 * reading, the reactive correction on top (instead of guessing the back's movement from
 * the last tick), and never deeper than lets the board, at its speed, still get back
 * in time to what the map predicts for the next ten ticks of travel: it leaves a
 * shoulder blade or a vertebra before the rollers reach it. Where the map knows nothing
 * (a first pass, a new person) the loop is exactly the reactive one above; the back-off
 * on over-force is the same either way.
 *
 * Limits (measured in tests/unit/test-force-control.c): the board's 25 mm/s cannot
 * follow a bony spot or a sudden tensing faster than it; the whole-mm register makes
 * the load ripple by about a quarter of the stiffness (N per mm) when the loop holds
 * a depth between two mm. */

#define FORCE_LEVELS 5
#define FORCE_LIGHT_CONTACT_N 25.0 /* no target below it: every body can be held there */

struct force_loop_config {
	double depth_max_mm;     /* [Limits] DepthMax: the deepest it commands */
	double force_max_n;      /* [Limits] ForceMax */
	double tick_s;           /* the control period, chair time */
	double depth_speed_mm_s; /* how fast the board moves the depth; 0: 25 mm/s */
};

struct force_loop {
	struct force_loop_config cfg;
	double depth_mm;                   /* the depth it commands, continuous */
	double stiffness_n_mm;             /* its estimate of how the load grows with depth here */
	double last_load_n, last_depth_mm; /* the previous reading, for the stiffness fit */
	double residue_mm;                 /* sigma-delta rounding carried to the next register value */
	bool backing_off;
	bool primed; /* has seen a reading since init */

	double rollers_mm;      /* where it reckons the rollers are */
	double register_mm;     /* the last register value handed out, < 0 for none */
	double prev_load_n;     /* the previous tick's reading: how fast the load rises */
	double contact_load_n;  /* the load, smoothed: is anything on the rollers */
	double return_n;        /* after a back-off: the target it climbs back along */
	double prev_rollers_mm; /* where the rollers were at the previous reading */
	double surface_mm;      /* how far the back comes toward them per tick, smoothed */
	double fit_moved_grew;  /* the fit's sums: depth change x load change, */
	double fit_moved_sq;    /* depth change squared, older ticks weighing less */

	double travel_mm;     /* where it reckons the rollers are along the track, < 0: unknown */
	double travel_to_mm;  /* the travel setpoint of the last tick: where they went */
	double travel_mm_s;   /* and how fast */
	double map_offset_mm; /* how far the depth needed now is off the map's, smoothed */
	struct force_map map; /* kept by force_loop_restart(), forgotten by force_loop_init() */
};

/* Where the rollers are along the track and where they go from this tick on. */
struct force_loop_travel {
	double mm;         /* as the board reports it (whole mm) */
	double to_mm;      /* the travel setpoint written this tick */
	double speed_mm_s; /* the travel speed written this tick */
};

/* The force of an intensity level 1..5 (clamped), N: 30, 45, 60, 80, 100
 * (docs/dbus-api.md, "Force levels"). */
double force_level_n(unsigned level);

/* The target of a technique's share (permille of the level, as technique.c shapes it:
 * 250 for light travel .. 1000 for a held press) at a level, N:
 *   FORCE_LIGHT_CONTACT_N + (force_level_n(level) - FORCE_LIGHT_CONTACT_N) * share / 1000
 * so the full share is the level's force, no share is light contact, and a technique's
 * shape (press in from light, glide firmer upward) survives at every level. */
double force_target_n(unsigned level, unsigned share_permille);

/* Starts from the depth the rollers are at, knowing nothing of the back (a new person). */
void force_loop_init(struct force_loop *l, const struct force_loop_config *cfg, double depth_now_mm);
/* Starts again from the depth the rollers are at, after transit or a pause: the same
 * person, the map along the track kept. */
void force_loop_restart(struct force_loop *l, double depth_now_mm);

/* One tick: the target, the load read, the depth read and the travel (NULL: not known,
 * no feed-forward); returns the depth to command, mm (fractional, within
 * 0..depth_max_mm). A load that is not finite or below 0 counts as none. */
double force_loop_step(struct force_loop *l, double target_n, double load_n, double depth_mm,
		       const struct force_loop_travel *along);

/* The DEPTH_TARGET register value for a fractional depth: rounded with the remainder
 * carried to the next tick, so the 1 mm register averages to the fractional depth.
 * Never above depth_max_mm. */
uint16_t force_loop_depth_register(struct force_loop *l, double depth_mm);
