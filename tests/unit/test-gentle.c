/* SPDX-License-Identifier: MIT */
/* docs/safety-rules.md: gentle mode. The caps (daemon/gentle.c) and where the level is
 * computed (engine, roller-step), linked alone. */
#include <math.h>
#include <stdio.h>

#include "check-tap.h"
#include "engine.h"
#include "force-control.h"
#include "gentle.h"
#include "macro.h"
#include "program.h"
#include "roller-step.h"
#include "technique.h"
#include "zone.h"

#define SHIPPED_PROGRAMS SOURCE_ROOT "/config/programs"

static const struct limits_config limits = {
	.track_min_mm = 0,
	.track_max_mm = 780,
	.depth_max_mm = 40,
	.width_min_mm = 60,
	.width_max_mm = 180,
	.travel_speed_max = 120,
	.knead_speed_max = 60,
	.tap_rate_max = 720,
	.force_max_n = 150,
};

/* Intensity 5, a zone at +2 and a step at +2 ask level 9: gentle gives 3, else 5. */
START_TEST(test_level_capped_with_offsets)
{
	struct program_step step = { .technique = TECHNIQUE_DEEP, .zone = ZONE_NECK, .speed = 1, .depth_offset = 2 };
	struct session_levels s = { .intensity = 5, .speed = 3, .level_max = gentle_level_max(true) };
	struct session_levels firm = s;

	firm.level_max = gentle_level_max(false);
	ck_assert_uint_eq(engine_force_level(&step, &s, 2), 3);
	ck_assert_uint_eq(engine_force_level(NULL, &s, 0), 3);
	ck_assert_uint_eq(engine_levels(&step, &s).intensity, 3);
	ck_assert_uint_eq(engine_levels(NULL, &s).intensity, 3);
	ck_assert_uint_eq(engine_force_level(&step, &firm, 2), 5);
	/* lighter stays lighter */
	s.intensity = 2;
	ck_assert_uint_eq(engine_force_level(&step, &s, -2), 2);
	ck_assert_uint_eq(engine_force_level(NULL, &s, -2), 1);
}
END_TEST

/* A whole technique at level 5 with every offset up: the force target never passes
 * level 3's 60 N. */
START_TEST(test_force_target_capped)
{
	struct program_step step = {
		.technique = TECHNIQUE_PRESS, .zone = ZONE_SHOULDERS, .speed = 3, .depth_offset = 2
	};
	struct roller_step_state st;
	struct roller_status status = { .travel_mm = 560, .depth_mm = 5, .load_dn = 300 };
	int offsets[_ZONE_MAX] = { 2, 2, 2, 2, 2 };
	double max_target = 0.0;

	roller_step_init(&st, false);
	for (uint64_t t = 0; t < 30 * USEC_PER_SEC; t += 20 * USEC_PER_MSEC) {
		struct roller_step_input in = {
			.technique = TECHNIQUE_PRESS,
			.zone = zone_to_range(ZONE_SHOULDERS, 600, &limits),
			.t_usec = t,
			.step = &step,
			.levels = { .intensity = 5, .speed = 3, .width = WIDTH_MEDIUM, .level_max = GENTLE_LEVEL_MAX },
			.zone_pressure = offsets,
			.shoulder_mm = 600,
			.limits = &limits,
			.status = &status,
			.tick_s = 0.02,
		};
		struct roller_setpoints sp = {};
		struct roller_step_result res;

		roller_step(&st, &in, &sp, &res);
		ck_assert_uint_le(res.level, 3);
		max_target = MAX(max_target, res.force_target_n);
	}
	ck_assert_double_eq_tol(max_target, gentle_force_target_max_n(), 0.01);
	ck_assert_double_eq_tol(gentle_force_target_max_n(), 60.0, 1e-9);
}
END_TEST

/* The most gentle mode presses is the loop's own back-off point over 60 N (72 N); the
 * gate steps back from a quarter of the way there. */
START_TEST(test_load_ceiling)
{
	ck_assert_double_eq_tol(gentle_force_max_n(), 72.0, 1e-9);
	ck_assert_uint_eq(gentle_load_ceiling_dn(), 630);
}
END_TEST

static struct roller_setpoints gate(unsigned asked_mm, unsigned now_mm, unsigned load_dn, bool open_loop)
{
	struct roller_setpoints sp = { .depth_mm = (uint16_t)asked_mm, .travel_speed = 40 };
	struct roller_status now = { .depth_mm = (uint16_t)now_mm, .load_dn = (uint16_t)load_dn };

	gentle_gate(&sp, &now, open_loop, 40);
	return sp;
}

START_TEST(test_gate)
{
	/* at or under the ceiling: what was asked */
	ck_assert_uint_eq(gate(30, 12, 630, false).depth_mm, 30);
	ck_assert_uint_eq(gate(30, 12, 630, false).travel_speed, 40);
	/* above it: a mm back from where the rollers are, whatever was asked, and slow */
	ck_assert_uint_eq(gate(30, 12, 631, false).depth_mm, 11);
	ck_assert_uint_eq(gate(30, 12, 631, false).travel_speed, GENTLE_GATE_TRAVEL_MM_S);
	ck_assert_uint_eq(gate(5, 12, 900, false).depth_mm, 5);
	ck_assert_uint_eq(gate(30, 0, 900, false).depth_mm, 0);
	/* without the force loop never past level 3's depth: half of DepthMax */
	ck_assert_uint_eq(gate(36, 10, 100, true).depth_mm, 20);
	ck_assert_uint_eq(gate(15, 10, 100, true).depth_mm, 15);
	ck_assert_uint_eq(gate(36, 10, 800, true).depth_mm, 9);
}
END_TEST

/* GENTLE_DEPTH_PERCENT is level 3's depth in technique.c: every technique at level 3
 * stays within it, and level 4 goes past it (so the cap is level 3's, not lower). */
START_TEST(test_open_loop_depth_is_level_three)
{
	unsigned cap = gentle_depth_max_mm(limits.depth_max_mm), deepest3 = 0, deepest4 = 0;
	struct zone_range zone = zone_to_range(ZONE_UPPER_BACK, 600, &limits);

	ck_assert_uint_eq(cap, 20);
	for (int t = 0; t < _TECHNIQUE_MAX; t++)
		for (uint64_t us = 0; us < 60 * USEC_PER_SEC; us += 100 * USEC_PER_MSEC) {
			struct motion_levels l3 = { .intensity = 3, .speed = 3, .width = WIDTH_MEDIUM };
			struct motion_levels l4 = { .intensity = 4, .speed = 3, .width = WIDTH_MEDIUM };
			struct roller_setpoints sp;
			unsigned share;

			technique_setpoints(t, zone, &l3, &limits, us, &sp, &share);
			deepest3 = MAX(deepest3, sp.depth_mm);
			technique_setpoints(t, zone, &l4, &limits, us, &sp, &share);
			deepest4 = MAX(deepest4, sp.depth_mm);
		}
	ck_assert_uint_eq(deepest3, cap);
	ck_assert_uint_gt(deepest4, cap);
}
END_TEST

START_TEST(test_pad_ceiling)
{
	struct massaged_config cfg;

	config_init_defaults(&cfg);
	ck_assert_double_eq(cfg.gentle_max_target_c, 40.0);
	ck_assert_double_eq(gentle_pad_max_c(&cfg, 45.0, true), 40.0);
	ck_assert_double_eq(gentle_pad_max_c(&cfg, 45.0, false), 45.0);
	/* the pad's own MaxTarget wins when lower */
	ck_assert_double_eq(gentle_pad_max_c(&cfg, 38.0, true), 38.0);
	/* the pads are driven half a degree under the cap: the stone's ripple stays under it */
	ck_assert_double_eq(gentle_pad_target_max_c(&cfg, 45.0, true), 39.5);
	ck_assert_double_eq(gentle_pad_target_max_c(&cfg, 38.0, true), 38.0);
	ck_assert_double_eq(gentle_pad_target_max_c(&cfg, 45.0, false), 45.0);
	cfg.gentle_max_target_c = 47.0;
	ck_assert_double_eq(gentle_pad_max_c(&cfg, 45.0, true), 45.0);
	/* SetHeatTarget's range: the lowest pad */
	cfg.pads[1].max_target_c = 41.0;
	ck_assert_double_eq(gentle_pads_max_c(&cfg, false), 41.0);
	cfg.gentle_max_target_c = 40.0;
	ck_assert_double_eq(gentle_pads_max_c(&cfg, true), 40.0);
}
END_TEST

START_TEST(test_session_and_dose)
{
	ck_assert_uint_eq(gentle_session_limit_s(1200, true), 900);
	ck_assert_uint_eq(gentle_session_limit_s(600, true), 600);
	ck_assert_uint_eq(gentle_session_limit_s(1800, false), 1800);
	ck_assert_double_eq(gentle_dose_budget_min(40.0, true), 20.0);
	ck_assert_double_eq(gentle_dose_budget_min(40.0, false), 40.0);
}
END_TEST

/* Turning gentle on lowers what the person keeps, so turning it off is no jump. */
START_TEST(test_lowered_on_entry)
{
	ck_assert_uint_eq(gentle_lowered_intensity(5), 3);
	ck_assert_uint_eq(gentle_lowered_intensity(2), 2);
	ck_assert_int_eq(gentle_lowered_zone_offset(3, 2), 0);
	ck_assert_int_eq(gentle_lowered_zone_offset(2, 2), 1);
	ck_assert_int_eq(gentle_lowered_zone_offset(1, 2), 2);
	ck_assert_int_eq(gentle_lowered_zone_offset(3, -2), -2);
}
END_TEST

static void parse_shipped(const char *id, struct program *p)
{
	char path[512], err[PROGRAM_ERROR_MAX];

	(void)snprintf(path, sizeof(path), "%s/%s.program", SHIPPED_PROGRAMS, id);
	ck_assert_msg(program_parse_file(path, p, err) == 0, "%s", err);
}

/* deep-tissue and trigger-point say Gentle=no; the others run capped. */
START_TEST(test_shipped_programs)
{
	static const char *const refused[] = { "deep-tissue", "trigger-point" };
	static const char *const allowed[] = { "back", "full", "hot-stone", "neck", "shiatsu", "shoulder", "swedish" };
	struct program p;
	unsigned level;

	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		parse_shipped(refused[i], &p);
		ck_assert_msg(p.not_gentle, "%s", refused[i]);
	}
	for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
		parse_shipped(allowed[i], &p);
		ck_assert_msg(!p.not_gentle, "%s", allowed[i]);
	}
	/* hot-stone asks 44 °C: capped at 40 */
	parse_shipped("hot-stone", &p);
	ck_assert(gentle_program_capped(&p, 2, 40.0, &level));
	ck_assert(!gentle_program_capped(&p, 2, 45.0, &level));
}
END_TEST

START_TEST(test_program_capped_by_depth)
{
	struct program p = { .n_steps = 2 };
	unsigned level;

	p.steps[0].depth_offset = -1;
	p.steps[1].depth_offset = 1;
	ck_assert(!gentle_program_capped(&p, 2, 40.0, &level));
	ck_assert_uint_eq(level, 3);
	ck_assert(gentle_program_capped(&p, 3, 40.0, &level));
	ck_assert_uint_eq(level, 4);
}
END_TEST

START_TEST(test_techniques_refused)
{
	ck_assert(gentle_technique_refused(TECHNIQUE_DEEP));
	ck_assert(gentle_technique_refused(TECHNIQUE_PRESS));
	ck_assert(!gentle_technique_refused(TECHNIQUE_KNEAD));
	ck_assert(!gentle_technique_refused(TECHNIQUE_GLIDE));
	ck_assert(!gentle_technique_refused(TECHNIQUE_SHIATSU));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gentle");
	TCase *tc = tcase_create("gentle");

	tcase_add_test(tc, test_level_capped_with_offsets);
	tcase_add_test(tc, test_force_target_capped);
	tcase_add_test(tc, test_load_ceiling);
	tcase_add_test(tc, test_gate);
	tcase_add_test(tc, test_open_loop_depth_is_level_three);
	tcase_add_test(tc, test_pad_ceiling);
	tcase_add_test(tc, test_session_and_dose);
	tcase_add_test(tc, test_lowered_on_entry);
	tcase_add_test(tc, test_shipped_programs);
	tcase_add_test(tc, test_program_capped_by_depth);
	tcase_add_test(tc, test_techniques_refused);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
