/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>

#include "check-tap.h"
#include "macro.h"
#include "roller-step.h"
#include "sim-body.h"
#include "zone.h"

/* The daemon's composition of a tick (motion/roller-step.c) against a body of
 * drivers/sim/sim-body.c: the rollers held at one height (travel is the technique's
 * business, tested in technique), the depth moving toward its register at the
 * simulated board's 25 mm/s. */

#define TICK_USEC (20 * USEC_PER_MSEC)
#define TICK_S 0.02
#define DEPTH_SPEED_MM_S 25.0
#define SHOULDER_MM 600u

struct rig {
	struct roller_step_state st;
	struct sim_body body;
	struct limits_config limits;
	int zone_pressure[_ZONE_MAX];
	struct session_levels levels;
	struct roller_status status;
	double depth_mm;
	uint64_t now_usec;
	double max_load_n; /* over mean_load()'s last window */
};

static void rig_init(struct rig *r, bool open_loop, unsigned intensity, unsigned travel_mm)
{
	*r = (struct rig) {
		.limits = {
			.track_min_mm = 0, .track_max_mm = 780, .depth_max_mm = 40,
			.width_min_mm = 60, .width_max_mm = 180, .travel_speed_max = 120,
			.knead_speed_max = 60, .tap_rate_max = 720, .force_max_n = 150,
		},
		.levels = { .intensity = intensity, .speed = 3, .width = WIDTH_MEDIUM },
	};
	roller_step_init(&r->st, open_loop);
	sim_body_default(&r->body);
	r->body.noise_n = 0;
	r->status.travel_mm = (uint16_t)travel_mm;
}

static void rig_read(struct rig *r)
{
	double load = sim_body_force_n(&r->body, (double)r->status.travel_mm - SHOULDER_MM, r->depth_mm,
				       (double)r->now_usec / USEC_PER_SEC);

	r->status.depth_mm = (uint16_t)lround(r->depth_mm);
	r->status.load_dn = (uint16_t)lround(MIN(load, (double)ROLLER_LOAD_RANGE_N) * 10.0);
}

/* One tick of technique t on zone z: read, compose, the board moves for a tick. */
static void rig_tick(struct rig *r, enum technique t, enum zone z, const struct program_step *step,
		     struct roller_setpoints *sp, struct roller_step_result *res)
{
	struct roller_step_input in = {
		.technique = t,
		.zone = zone_to_range(z, SHOULDER_MM, &r->limits),
		.t_usec = r->now_usec,
		.step = step,
		.levels = r->levels,
		.zone_pressure = r->zone_pressure,
		.shoulder_mm = SHOULDER_MM,
		.limits = &r->limits,
		.status = &r->status,
		.tick_s = TICK_S,
	};
	double step_mm = DEPTH_SPEED_MM_S * TICK_S;

	rig_read(r);
	roller_step(&r->st, &in, sp, res);
	if (fabs(sp->depth_mm - r->depth_mm) <= step_mm)
		r->depth_mm = sp->depth_mm;
	else
		r->depth_mm += sp->depth_mm > r->depth_mm ? step_mm : -step_mm;
	r->now_usec += TICK_USEC;
}

/* Mean load over [settle_s, settle_s + 5 s) of deep work (a constant full share) on the
 * upper back. */
static double mean_load(struct rig *r, double settle_s, double *ret_target)
{
	struct roller_setpoints sp = { 0 };
	struct roller_step_result res;
	double sum = 0;
	unsigned n = 0;

	r->max_load_n = 0;
	while (r->now_usec < (uint64_t)((settle_s + 5) * USEC_PER_SEC)) {
		rig_tick(r, TECHNIQUE_DEEP, ZONE_UPPER_BACK, NULL, &sp, &res);
		if (r->now_usec >= (uint64_t)(settle_s * USEC_PER_SEC)) {
			sum += r->status.load_dn / 10.0;
			r->max_load_n = MAX(r->max_load_n, r->status.load_dn / 10.0);
			n++;
		}
	}
	*ret_target = res.force_target_n;
	return sum / n;
}

/* As firm as the slim, bony shipped body's upper back. */
static void stiff_body(struct sim_body *b)
{
	ck_assert_int_eq(sim_body_set(b, "StiffnessUpperBack", 4.0), 0);
	ck_assert_int_eq(sim_body_set(b, "StiffeningPerMm", 0.09), 0);
}

/* Closed loop: at every level the load follows the level's force on a soft and on a
 * stiff back alike. */
START_TEST(test_closed_loop_follows_level)
{
	for (unsigned level = INTENSITY_MIN; level <= INTENSITY_MAX; level++)
		for (int stiff = 0; stiff <= 1; stiff++) {
			struct rig r;
			double target, load;

			rig_init(&r, false, level, 450);
			if (stiff)
				stiff_body(&r.body);
			load = mean_load(&r, 5, &target);
			ck_assert_double_eq_tol(target, force_level_n(level), 1e-9);
			ck_assert_msg(fabs(load - target) <= 0.1 * target, "level %u %s body: load %.1f N for %.1f N",
				      level, stiff ? "stiff" : "average", load, target);
		}
}
END_TEST

/* Open loop (--force-control=off): the depth is the intensity's alone, so the load is the
 * body's business: the stiff back gets far more than the average one. */
START_TEST(test_open_loop_depth_from_intensity)
{
	struct rig soft, stiff;
	double target, a, b;

	rig_init(&soft, true, 3, 450);
	rig_init(&stiff, true, 3, 450);
	stiff_body(&stiff.body);
	a = mean_load(&soft, 5, &target);
	b = mean_load(&stiff, 5, &target);
	ck_assert_uint_eq(soft.status.depth_mm, stiff.status.depth_mm);
	ck_assert_msg(b > 1.3 * a, "open loop: %.1f N on the stiff back, %.1f N on the average one", b, a);
	ck_assert_double_eq_tol(target, force_level_n(3), 1e-9); /* reported all the same */
}
END_TEST

/* In transit: no force asked, the depth light; when the technique takes over the loop
 * starts from the depth the rollers are at, not from where it left off. */
START_TEST(test_transit_then_restart_from_measured_depth)
{
	struct rig r;
	struct roller_setpoints sp = { 0 };
	struct roller_step_result res;

	rig_init(&r, false, 5, 450);
	for (int i = 0; i < 300; i++)
		rig_tick(&r, TECHNIQUE_DEEP, ZONE_UPPER_BACK, NULL, &sp, &res);
	ck_assert(!res.transit);
	ck_assert(r.st.loop_running);
	ck_assert_uint_gt(sp.depth_mm, TRANSIT_DEPTH_MM + 2);

	r.status.travel_mm = 100; /* far below the neck: on the way there */
	rig_tick(&r, TECHNIQUE_DEEP, ZONE_NECK, NULL, &sp, &res);
	ck_assert(res.transit);
	ck_assert_double_eq(res.force_target_n, 0);
	ck_assert_uint_le(sp.depth_mm, TRANSIT_DEPTH_MM);
	ck_assert(!r.st.loop_running);
	for (int i = 0; i < 50; i++)
		rig_tick(&r, TECHNIQUE_DEEP, ZONE_NECK, NULL, &sp, &res);
	ck_assert_uint_le(r.status.depth_mm, TRANSIT_DEPTH_MM);

	r.status.travel_mm = SHOULDER_MM + 50; /* arrived */
	rig_tick(&r, TECHNIQUE_DEEP, ZONE_NECK, NULL, &sp, &res);
	ck_assert(!res.transit);
	ck_assert(r.st.loop_running);
	ck_assert_double_gt(res.force_target_n, 0);
	/* a first step from the measured depth, not a jump to the old one */
	ck_assert_uint_le(sp.depth_mm, TRANSIT_DEPTH_MM + 2);

	roller_step_restart(&r.st);
	ck_assert(!r.st.loop_running);
}
END_TEST

/* The level is the intensity + the step's offset + the offset of the zone the rollers
 * are in now, not the step's: a whole-back step feels lighter where the person asked. */
START_TEST(test_zone_offset_where_the_rollers_are)
{
	struct program_step step = { TECHNIQUE_DEEP, ZONE_BACK, 60, 3, WIDTH_MEDIUM, 1, false };
	struct roller_setpoints sp = { 0 };
	struct roller_step_result res;
	struct rig r;

	rig_init(&r, false, 3, 450);
	r.zone_pressure[ZONE_UPPER_BACK] = -2;
	r.zone_pressure[ZONE_LOWER_BACK] = 1;
	rig_tick(&r, step.technique, step.zone, &step, &sp, &res);
	ck_assert_uint_eq(res.level, 2); /* 3 + 1 - 2 */
	ck_assert_double_eq_tol(res.force_target_n, force_target_n(2, res.share_permille), 1e-9);
	r.status.travel_mm = 250; /* lower back */
	rig_tick(&r, step.technique, step.zone, &step, &sp, &res);
	ck_assert_uint_eq(res.level, 5);
	ck_assert_double_eq_tol(res.force_target_n, force_level_n(5), 1e-9);
}
END_TEST

/* ForceMax lowered under the level mid-session (a reload): the loop keeps the load under
 * the new one from then on, without waiting for a new session. */
START_TEST(test_force_max_lowered_mid_session)
{
	struct rig r;
	double target, load;

	rig_init(&r, false, 5, 450);
	load = mean_load(&r, 5, &target);
	ck_assert_double_gt(load, 90);
	r.limits.force_max_n = 60;
	load = mean_load(&r, 15, &target);
	ck_assert_double_eq_tol(target, force_level_n(5), 1e-9); /* asked for, not reached */
	ck_assert_msg(r.max_load_n <= 60, "up to %.1f N (mean %.1f N) with ForceMax 60 N", r.max_load_n, load);
}
END_TEST

/* What the loop learnt of the back along the track survives a restart (transit, a
 * pause: the same person) and is gone after roller_step_forget() (a new session, a
 * scan, an empty seat). */
START_TEST(test_map_kept_over_restart_forgotten_for_a_new_person)
{
	struct roller_setpoints sp = { 0 };
	struct roller_step_result res;
	struct rig r;
	double target, depth;

	rig_init(&r, false, 3, 450);
	mean_load(&r, 1, &target);
	ck_assert(force_map_predict(&r.st.loop.map, 450, target, &depth));
	ck_assert_double_gt(depth, 0);

	roller_step_restart(&r.st);
	rig_tick(&r, TECHNIQUE_DEEP, ZONE_UPPER_BACK, NULL, &sp, &res);
	ck_assert(r.st.loop_running);
	ck_assert(force_map_predict(&r.st.loop.map, 450, target, &depth));

	roller_step_forget(&r.st);
	ck_assert(!r.st.loop_running);
	rig_tick(&r, TECHNIQUE_DEEP, ZONE_UPPER_BACK, NULL, &sp, &res);
	ck_assert(r.st.loop_running);
	ck_assert(!force_map_predict(&r.st.loop.map, 450, target, &depth));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("roller-step");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_closed_loop_follows_level);
	tcase_add_test(tc, test_open_loop_depth_from_intensity);
	tcase_add_test(tc, test_transit_then_restart_from_measured_depth);
	tcase_add_test(tc, test_zone_offset_where_the_rollers_are);
	tcase_add_test(tc, test_force_max_lowered_mid_session);
	tcase_add_test(tc, test_map_kept_over_restart_forgotten_for_a_new_person);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
