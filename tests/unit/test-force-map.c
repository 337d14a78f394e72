/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "check-tap.h"
#include "force-control.h"
#include "force-map.h"
#include "macro.h"

/* The force loop's map along the track (motion/force-map.c) alone, and the loop using
 * it on a plain back with one bony bump: firm tissue (10 N/mm) whose surface rises by
 * 4 mm over a few mm of travel at BUMP_MM, swept at 60 mm/s, faster than the board's
 * 25 mm/s of depth can follow by reacting. */

#define TICK_S 0.02
#define BOARD_MM_S 25.0
#define TARGET_N 60.0
#define FROM_MM 300.0
#define TO_MM 500.0
#define BUMP_MM 400.0
#define SWEEP_MM_S 60.0

static double move_toward(double from, double to, double step)
{
	return to > from ? MIN(to, from + step) : MAX(to, from - step);
}

/* How far the back's surface comes toward the rollers at travel_mm. */
static double bump_mm(double travel_mm)
{
	double u = (travel_mm - BUMP_MM) / 2.5;

	return 4.0 * exp(-0.5 * u * u);
}

static double force_n(double travel_mm, double depth_mm)
{
	return MAX(0.0, 10.0 * (depth_mm - 5.0 + bump_mm(travel_mm)));
}

struct rig {
	struct force_loop loop;
	double travel_mm, depth_mm;
	uint16_t reg;
	bool blind; /* no travel given the loop: the reactive loop alone */
};

static void rig_init(struct rig *r, bool blind)
{
	struct force_loop_config cfg = { .depth_max_mm = 40, .force_max_n = 150, .tick_s = TICK_S };

	*r = (struct rig) { .travel_mm = FROM_MM, .blind = blind };
	force_loop_init(&r->loop, &cfg, 0);
}

/* One tick: read at the rollers' place, step, the board moves a tick; returns the
 * depth commanded. */
static double rig_tick(struct rig *r, double to_mm, double mm_s, double load_extra_n)
{
	struct force_loop_travel travel = { .mm = round(r->travel_mm), .to_mm = to_mm, .speed_mm_s = mm_s };
	double load = round(10 * (force_n(r->travel_mm, r->depth_mm) + load_extra_n)) / 10;
	double cmd = force_loop_step(&r->loop, TARGET_N, load, round(r->depth_mm), r->blind ? NULL : &travel);

	r->reg = force_loop_depth_register(&r->loop, cmd);
	r->depth_mm = move_toward(r->depth_mm, r->reg, BOARD_MM_S * TICK_S);
	return cmd;
}

/* Held at FROM_MM until settled at the target. */
static void rig_settle(struct rig *r)
{
	for (int i = 0; i < 150; i++)
		rig_tick(r, FROM_MM, 0, 0);
}

/* One stroke to to_mm: the peak force on the way, and the depth commanded where the
 * back is still flat, 8 mm before the bump (*ret_before_mm, when given). */
static double rig_stroke(struct rig *r, double to_mm, double *ret_before_mm)
{
	double peak = 0, before = BUMP_MM + (to_mm > r->travel_mm ? -8 : 8);

	while (fabs(r->travel_mm - to_mm) > 1e-9) {
		double was = r->travel_mm, cmd;

		r->travel_mm = move_toward(r->travel_mm, to_mm, SWEEP_MM_S * TICK_S);
		cmd = rig_tick(r, to_mm, SWEEP_MM_S, 0);
		if (ret_before_mm && (was - before) * (r->travel_mm - before) <= 0)
			*ret_before_mm = cmd;
		peak = MAX(peak, force_n(r->travel_mm, r->depth_mm));
	}
	return peak;
}

/* Samples are held until the rollers have moved on, then blended into the bins around
 * them; a prediction interpolates, moves by the bin's stiffness for another target,
 * and is refused where a bin is not learned or off the track. */
START_TEST(test_map_learns_and_predicts)
{
	struct force_map m;
	double d;

	force_map_forget(&m);
	force_map_learn(&m, 100.0, 10.0, 60.0, 5.0);
	ck_assert(!force_map_predict(&m, 100.0, 60.0, &d)); /* still under the rollers */
	for (double x = 100.0; x <= 110.0; x += 1.0)
		force_map_learn(&m, x, 10.0 + (x - 100.0) / 10.0, 60.0, 5.0);
	ck_assert(force_map_predict(&m, 101.0, 60.0, &d));
	ck_assert_double_eq_tol(d, 10.1, 0.05);
	ck_assert(force_map_predict(&m, 101.0, 70.0, &d));
	ck_assert_double_eq_tol(d, 12.1, 0.05);             /* 10 N more at 5 N/mm */
	ck_assert(!force_map_predict(&m, 108.0, 60.0, &d)); /* within the hold */
	ck_assert(!force_map_predict(&m, 300.0, 60.0, &d));
	ck_assert(!force_map_predict(&m, -1.0, 60.0, &d));
	ck_assert(!force_map_predict(&m, FORCE_MAP_TRACK_MM + 1, 60.0, &d));
	ck_assert(!force_map_predict(&m, NAN, 60.0, &d));

	/* a later pass moves a bin part of the way */
	for (double x = 100.0; x <= 110.0; x += 1.0)
		force_map_learn(&m, x, 12.0, 60.0, 5.0);
	ck_assert(force_map_predict(&m, 100.0, 60.0, &d));
	ck_assert_double_gt(d, 10.2);
	ck_assert_double_lt(d, 11.9);

	force_map_forget(&m);
	ck_assert(!force_map_predict(&m, 100.0, 60.0, &d));
}
END_TEST

/* Where the map knows nothing (a first pass one way), the loop is the reactive one,
 * to the last digit: the map never presses where it has not been. */
START_TEST(test_unknown_map_is_reactive)
{
	struct rig seeing, blind;

	rig_init(&seeing, false);
	rig_init(&blind, true);
	rig_settle(&seeing);
	rig_settle(&blind);
	while (seeing.travel_mm < TO_MM) {
		seeing.travel_mm = blind.travel_mm = move_toward(seeing.travel_mm, TO_MM, SWEEP_MM_S * TICK_S);
		ck_assert_double_eq(rig_tick(&seeing, TO_MM, SWEEP_MM_S, 0), rig_tick(&blind, TO_MM, SWEEP_MM_S, 0));
	}
}
END_TEST

/* Reacting, the loop meets the bump a tick late and the board is too slow to leave
 * it: far over the over-force margin (60 N + 12 N). Once it has swept there, it
 * leaves the bump before reaching it (shallower while the back is still flat) and
 * stays within the margin, either way; without the travel it learns nothing. */
START_TEST(test_map_anticipates_bump)
{
	struct rig r, blind;
	double first_up, first_down, before_first = 0, before_later = 0, peak_blind = 0;

	rig_init(&r, false);
	rig_settle(&r);
	first_up = rig_stroke(&r, TO_MM, &before_first);
	first_down = rig_stroke(&r, FROM_MM, NULL);
	printf("# bump at 60 mm/s: first pass up %.1f N, down %.1f N\n", first_up, first_down);
	ck_assert_double_gt(first_up, TARGET_N + 12.0);
	for (int pass = 0; pass < 4; pass++) {
		double up = rig_stroke(&r, TO_MM, &before_later), down = rig_stroke(&r, FROM_MM, NULL);

		printf("#   pass %d: up %.1f N, down %.1f N; 8 mm before the bump %.2f mm (first %.2f mm)\n", pass + 2,
		       up, down, before_later, before_first);
		if (pass >= 2) {
			ck_assert_double_le(up, TARGET_N + 12.0);
			ck_assert_double_le(down, TARGET_N + 12.0);
		}
	}
	ck_assert_double_lt(before_later, before_first - 1.0);

	rig_init(&blind, true);
	rig_settle(&blind);
	for (int pass = 0; pass < 5; pass++) {
		double up = rig_stroke(&blind, TO_MM, NULL), down = rig_stroke(&blind, FROM_MM, NULL);

		peak_blind = MAX(peak_blind, MAX(up, down));
	}
	ck_assert_double_gt(peak_blind, TARGET_N + 12.0);
}
END_TEST

/* A restart (after transit, a pause) keeps the map; init (a new person) forgets it. */
START_TEST(test_restart_keeps_init_forgets)
{
	struct rig r;
	double d;

	rig_init(&r, false);
	rig_settle(&r);
	rig_stroke(&r, TO_MM, NULL);
	ck_assert(force_map_predict(&r.loop.map, BUMP_MM, TARGET_N, &d));
	force_loop_restart(&r.loop, r.depth_mm);
	ck_assert(force_map_predict(&r.loop.map, BUMP_MM, TARGET_N, &d));
	ck_assert_double_eq(r.loop.cfg.depth_max_mm, 40);
	force_loop_init(&r.loop, &r.loop.cfg, r.depth_mm);
	ck_assert(!force_map_predict(&r.loop.map, BUMP_MM, TARGET_N, &d));
}
END_TEST

/* With a learnt map, a back that tenses at once (the load 40 N over at a flat spot)
 * is backed off at that very tick, as without one. */
START_TEST(test_backoff_immediate_with_map)
{
	struct rig r;
	double before, cmd;

	rig_init(&r, false);
	rig_settle(&r);
	for (int pass = 0; pass < 3; pass++) {
		rig_stroke(&r, TO_MM, NULL);
		rig_stroke(&r, FROM_MM, NULL);
	}
	r.travel_mm = move_toward(r.travel_mm, TO_MM, SWEEP_MM_S * TICK_S);
	rig_tick(&r, TO_MM, SWEEP_MM_S, 0);
	before = r.loop.rollers_mm;
	r.travel_mm = move_toward(r.travel_mm, TO_MM, SWEEP_MM_S * TICK_S);
	cmd = rig_tick(&r, TO_MM, SWEEP_MM_S, 40.0);
	ck_assert(r.loop.backing_off);
	/* 40 N over at ~10 N/mm: the depth back by about 4 mm at once */
	ck_assert_double_le(cmd, before - 2.0);
}
END_TEST

static Suite *force_map_suite(void)
{
	Suite *s = suite_create("force-map");

	CHECK_ADD_TEST(s, test_map_learns_and_predicts, 30);
	CHECK_ADD_TEST(s, test_unknown_map_is_reactive, 30);
	CHECK_ADD_TEST(s, test_map_anticipates_bump, 30);
	CHECK_ADD_TEST(s, test_restart_keeps_init_forgets, 30);
	CHECK_ADD_TEST(s, test_backoff_immediate_with_map, 30);
	return s;
}

int main(void)
{
	return check_run_tap(force_map_suite());
}
