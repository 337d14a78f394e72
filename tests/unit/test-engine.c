/* SPDX-License-Identifier: MIT */
#include <stdint.h>

#include "check-tap.h"
#include "engine.h"
#include "macro.h"

/* 60 s glide, 120 s knead (depth -1, heat), 30 s tap (speed 5, narrow) */
static void three_steps(struct program *p)
{
	*p = (struct program) { .id = "t", .n_steps = 3 };
	p->steps[0] = (struct program_step) { TECHNIQUE_GLIDE, ZONE_BACK, 60, 2, WIDTH_WIDE, 0, false };
	p->steps[1] = (struct program_step) { TECHNIQUE_KNEAD, ZONE_SHOULDERS, 120, 3, WIDTH_MEDIUM, -1, true };
	p->steps[2] = (struct program_step) { TECHNIQUE_TAP, ZONE_UPPER_BACK, 30, 5, WIDTH_NARROW, 2, false };
}

START_TEST(test_locate_steps)
{
	struct program p;
	struct program_position pos;

	three_steps(&p);
	ck_assert(engine_locate(&p, 0, &pos));
	ck_assert_uint_eq(pos.step, 0);
	ck_assert_uint_eq(pos.remaining_usec, 210 * USEC_PER_SEC);

	ck_assert(engine_locate(&p, 59 * USEC_PER_SEC, &pos));
	ck_assert_uint_eq(pos.step, 0);
	ck_assert(engine_locate(&p, 60 * USEC_PER_SEC, &pos));
	ck_assert_uint_eq(pos.step, 1);
	ck_assert_uint_eq(pos.t_in_step_usec, 0);

	ck_assert(engine_locate(&p, 200 * USEC_PER_SEC, &pos));
	ck_assert_uint_eq(pos.step, 2);
	ck_assert_uint_eq(pos.t_in_step_usec, 20 * USEC_PER_SEC);
	ck_assert_uint_eq(pos.remaining_usec, 10 * USEC_PER_SEC);
}
END_TEST

START_TEST(test_locate_end)
{
	struct program p;
	struct program_position pos = { .step = 99 };

	three_steps(&p);
	ck_assert(engine_locate(&p, 210 * USEC_PER_SEC - 1, &pos));
	ck_assert(!engine_locate(&p, 210 * USEC_PER_SEC, &pos));
	p.n_steps = 0;
	ck_assert(!engine_locate(&p, 0, &pos));
}
END_TEST

START_TEST(test_levels_follow_step_until_chosen)
{
	struct program p;
	struct session_levels s = { .intensity = 3, .speed = 4, .width = WIDTH_MEDIUM };
	struct motion_levels lv;

	three_steps(&p);
	lv = engine_levels(&p.steps[0], &s);
	ck_assert_uint_eq(lv.speed, 2);
	ck_assert_int_eq(lv.width, WIDTH_WIDE);
	ck_assert_uint_eq(lv.intensity, 3);

	s.speed_chosen = s.width_chosen = true;
	lv = engine_levels(&p.steps[0], &s);
	ck_assert_uint_eq(lv.speed, 4);
	ck_assert_int_eq(lv.width, WIDTH_MEDIUM);
}
END_TEST

START_TEST(test_levels_depth_offset_clamped)
{
	struct program p;
	struct session_levels s = { .intensity = 1, .speed = 3, .width = WIDTH_MEDIUM };

	three_steps(&p);
	/* "finish lighter" never goes below 1, a firmer step never above 5 */
	ck_assert_uint_eq(engine_levels(&p.steps[1], &s).intensity, 1);
	s.intensity = 4;
	ck_assert_uint_eq(engine_levels(&p.steps[1], &s).intensity, 3);
	ck_assert_uint_eq(engine_levels(&p.steps[2], &s).intensity, 5);
	/* manual: the person's levels as they are */
	ck_assert_uint_eq(engine_levels(NULL, &s).intensity, 4);
	ck_assert_uint_eq(engine_levels(NULL, &s).speed, 3);
}
END_TEST

START_TEST(test_session_times)
{
	unsigned e, r;

	/* program shorter than the limit: Remaining is the program's */
	engine_session_times(30 * USEC_PER_SEC, 1200 * USEC_PER_SEC, 600 * USEC_PER_SEC, &e, &r);
	ck_assert_uint_eq(e, 30);
	ck_assert_uint_eq(r, 600);
	/* the limit comes first */
	engine_session_times(1000 * USEC_PER_SEC, 1200 * USEC_PER_SEC, 600 * USEC_PER_SEC, &e, &r);
	ck_assert_uint_eq(r, 200);
	/* manual: the limit only; past it nothing is left */
	engine_session_times(1300 * USEC_PER_SEC, 1200 * USEC_PER_SEC, UINT64_MAX, &e, &r);
	ck_assert_uint_eq(e, 1300);
	ck_assert_uint_eq(r, 0);
	/* a part second left reads as 1 s, not 0 */
	engine_session_times(0, 1200 * USEC_PER_SEC, 500000, &e, &r);
	ck_assert_uint_eq(r, 1);
}
END_TEST

/* A session 738.4 s long (a scan or a pause of a part second before the program) reads
 * the same length, 12:19, all through each second: the total never jitters, Elapsed never
 * goes back, and Remaining is 0 only at the end. */
START_TEST(test_session_times_total_steady)
{
	const uint64_t length_usec = 738400000;
	unsigned e, r, e_before = 0;

	for (uint64_t at = 0; at < length_usec; at += 100000) {
		engine_session_times(at, 1800 * USEC_PER_SEC, length_usec - at, &e, &r);
		ck_assert_msg(e + r == 739, "at %.1f s: %u + %u", at / 1e6, e, r);
		ck_assert_msg(e >= e_before && r > 0, "at %.1f s: %u + %u", at / 1e6, e, r);
		ck_assert_msg(e * USEC_PER_SEC + USEC_PER_SEC > at && e * USEC_PER_SEC <= at + USEC_PER_SEC,
			      "at %.1f s: Elapsed %u", at / 1e6, e);
		e_before = e;
	}
	engine_session_times(length_usec, 1800 * USEC_PER_SEC, 0, &e, &r);
	ck_assert_uint_eq(r, 0);
	/* a pause lengthens it: a second more every second */
	engine_session_times(100 * USEC_PER_SEC, 1800 * USEC_PER_SEC, length_usec - 90 * USEC_PER_SEC, &e, &r);
	ck_assert_uint_eq(e + r, 749);
	/* past the limit, before the tick that ends the session: Elapsed stops at it */
	engine_session_times(600 * USEC_PER_SEC + 10000, 600 * USEC_PER_SEC, length_usec, &e, &r);
	ck_assert_uint_eq(r, 0);
	ck_assert_uint_eq(e, 600);
}
END_TEST

START_TEST(test_transit_between_zones)
{
	struct limits_config lim = { .track_min_mm = 0,
				     .track_max_mm = 780,
				     .depth_max_mm = 40,
				     .width_min_mm = 60,
				     .width_max_mm = 180,
				     .travel_speed_max = 120,
				     .knead_speed_max = 60,
				     .tap_rate_max = 720 };
	struct zone_range lower_back = { 120, 330 };
	struct roller_setpoints sp = {
		.travel_target_mm = 200, .travel_speed = 12, .tap_rate = 400, .knead_rpm = 20, .depth_mm = 30
	};
	struct roller_setpoints inside = sp;

	/* from the neck down to the lower back: brisk, light, no tapping on the way */
	ck_assert(engine_transit(lower_back, 650, 0, &lim, &sp));
	ck_assert_uint_eq(sp.travel_target_mm, 330);
	ck_assert_uint_eq(sp.travel_speed, TRANSIT_SPEED_MM_S);
	ck_assert_uint_eq(sp.tap_rate, 0);
	ck_assert_uint_eq(sp.knead_rpm, 0);
	ck_assert_uint_le(sp.depth_mm, TRANSIT_DEPTH_MM);
	/* from below, the near end is the zone's bottom */
	sp = inside;
	ck_assert(engine_transit(lower_back, 20, 0, &lim, &sp));
	ck_assert_uint_eq(sp.travel_target_mm, 120);
	/* in the zone, or just past its ends, the technique keeps its setpoints */
	for (unsigned pos = 120 - TRANSIT_MARGIN_MM; pos <= 330 + TRANSIT_MARGIN_MM; pos++) {
		sp = inside;
		ck_assert(!engine_transit(lower_back, pos, 0, &lim, &sp));
		ck_assert_uint_eq(sp.tap_rate, 400);
		ck_assert_uint_eq(sp.travel_speed, 12);
	}
	/* a slower configured track wins over the transit speed */
	lim.travel_speed_max = 40;
	sp = inside;
	ck_assert(engine_transit(lower_back, 650, 0, &lim, &sp));
	ck_assert_uint_eq(sp.travel_speed, 40);
}
END_TEST

/* Pressed in, the rollers lift before they travel: they hold their height while deeper
 * than the transit's depth (and a mm), and set off once they are up. */
START_TEST(test_transit_lifts_before_travelling)
{
	struct limits_config lim = { .track_max_mm = 780, .depth_max_mm = 40, .travel_speed_max = 120 };
	struct zone_range neck = { 610, 700 };
	struct roller_setpoints sp = { .travel_target_mm = 650, .travel_speed = 30, .depth_mm = 25 };
	struct roller_setpoints deep = sp;

	ck_assert(engine_transit(neck, 300, 25, &lim, &sp));
	ck_assert_uint_eq(sp.travel_target_mm, 300);
	ck_assert_uint_eq(sp.travel_speed, 0);
	ck_assert_uint_le(sp.depth_mm, TRANSIT_DEPTH_MM);
	sp = deep;
	ck_assert(engine_transit(neck, 300, TRANSIT_DEPTH_MM + TRANSIT_LIFT_SLACK_MM + 1, &lim, &sp));
	ck_assert_uint_eq(sp.travel_speed, 0);
	sp = deep;
	ck_assert(engine_transit(neck, 300, TRANSIT_DEPTH_MM + TRANSIT_LIFT_SLACK_MM, &lim, &sp));
	ck_assert_uint_eq(sp.travel_target_mm, 610);
	ck_assert_uint_eq(sp.travel_speed, TRANSIT_SPEED_MM_S);
}
END_TEST

/* The force level adds the zone's offset to the intensity and the step's offset and
 * clamps once: an offset that pushes past 5 is taken back by a lighter zone. */
START_TEST(test_force_level_adds_zone_offset)
{
	struct program p;
	struct session_levels s = { .intensity = 3, .speed = 4, .width = WIDTH_MEDIUM };

	three_steps(&p);
	ck_assert_uint_eq(engine_force_level(&p.steps[0], &s, 0), 3);
	ck_assert_uint_eq(engine_force_level(&p.steps[0], &s, 2), 5);
	ck_assert_uint_eq(engine_force_level(&p.steps[1], &s, -2), 1); /* 3 - 1 - 2 */
	ck_assert_uint_eq(engine_force_level(&p.steps[1], &s, -1), 1);
	ck_assert_uint_eq(engine_force_level(NULL, &s, 1), 4);
	s.intensity = 5;
	ck_assert_uint_eq(engine_force_level(&p.steps[2], &s, -1), 5); /* 5 + 2 - 1, not 5 - 1 */
	ck_assert_uint_eq(engine_force_level(&p.steps[2], &s, -2), 5);
	s.intensity = 1;
	ck_assert_uint_eq(engine_force_level(&p.steps[1], &s, -2), 1);
	ck_assert_uint_eq(engine_force_level(&p.steps[1], &s, 2), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("timeline");

	tcase_add_test(tc, test_locate_steps);
	tcase_add_test(tc, test_locate_end);
	tcase_add_test(tc, test_levels_follow_step_until_chosen);
	tcase_add_test(tc, test_levels_depth_offset_clamped);
	tcase_add_test(tc, test_session_times);
	tcase_add_test(tc, test_session_times_total_steady);
	tcase_add_test(tc, test_transit_between_zones);
	tcase_add_test(tc, test_transit_lifts_before_travelling);
	tcase_add_test(tc, test_force_level_adds_zone_offset);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
