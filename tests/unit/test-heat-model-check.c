/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "config.h"
#include "driver.h"
#include "heat-autotune.h"
#include "heat-control.h"
#include "heat-model-check.h"
#include "heat-model.h"
#include "heat-protect.h"
#include "macro.h"
#include "relay-pwm.h"
#include "sim-chair.h"

/* A loaded model judged against the pad in its first minutes of heating
 * (heat-model-check.h), in closed loop on the simulator's pad as heater_tick() runs it:
 * the controller, the protection, the check, and on a refuted model the cautious
 * defaults with the element assumed hot. */

#define SAMPLE_S 0.25
#define SAMPLE_USEC 250000ULL
#define MAX_TARGET_C 45.0

#include "pad-bench.h"

/* What the daemon's autotune fits on the simulator's pad. */
static const struct heat_model fitted = { 29.2, 34.0, 146.0, 170.0, 30.2, 6.1 };

struct pad_run {
	struct heat_control control;
	struct heat_protect protect;
	struct heat_model_check check;
	struct relay_pwm pwm;
	double duty; /* asked for at the previous reading */
	bool refuted;
	double refuted_t;
	enum heat_verdict verdict;
	double verdict_t;
};

static void run_init(struct pad_run *r, const struct heat_model *m)
{
	struct massaged_config cfg;

	config_init_defaults(&cfg);
	*r = (struct pad_run) { .refuted_t = NAN, .verdict_t = NAN };
	ck_assert_int_eq(heat_control_init(&r->control, m, SAMPLE_S), 0);
	heat_protect_init(&r->protect, MAX_TARGET_C, m);
	ck_assert_int_eq(heat_model_check_init(&r->check, m, SAMPLE_S, true), 0);
	relay_pwm_init(&r->pwm, cfg.relay_cycle_s, cfg.relay_min_on_s, cfg.relay_min_off_s);
}

/* heater_model_refuted(): the defaults, the element assumed hot, the dose kept. */
static void fall_back(struct pad_run *r, double t, double reading)
{
	struct heat_model m;

	heat_model_default(&m);
	ck_assert_int_eq(heat_control_init(&r->control, &m, SAMPLE_S), 0);
	heat_control_restart(&r->control, t, reading, reading + m.gain_c);
	heat_protect_set_model(&r->protect, &m);
}

/* One heat tick of heater_tick() with target `target`. */
static void run_tick(struct bench *b, struct pad_run *r, double target)
{
	double t = bench_t(b), reading = bench_read(b), duty;
	enum heat_verdict v;
	bool on;

	duty = target > 0.0 ? heat_control_update(&r->control, t, reading, target) : 0.0;
	if (target <= 0.0) {
		heat_control_observe(&r->control, t, reading);
		heat_control_applied(&r->control, 0.0);
	}
	if (heat_model_check_update(&r->check, t, reading, target > 0.0, &r->control)) {
		fall_back(r, t, reading);
		duty = 0.0;
	}
	v = heat_protect_check(&r->protect, t, reading, r->duty, &r->control);
	if (!r->refuted && r->check.refuted) {
		r->refuted = true;
		r->refuted_t = t;
	}
	if (v != HEAT_VERDICT_OK && r->verdict == HEAT_VERDICT_OK) {
		r->verdict = v;
		r->verdict_t = t;
	}
	r->duty = duty;
	on = relay_pwm_update(&r->pwm, t, duty);
	heat_model_check_applied(&r->check, on ? 1.0 : 0.0);
	sim_chair_set_output(&b->chair, b->now, b->pad->relay, on);
	b->now += SAMPLE_USEC;
	sim_chair_advance(&b->chair, b->now);
	bench_track(b);
}

/* The pad idle before anyone asks for heat: observed, not heated, not judged. */
static void rest_until(struct bench *b, struct pad_run *r, double until)
{
	while (bench_t(b) < until - 1e-9) {
		heat_control_observe(&r->control, bench_t(b), bench_read(b));
		heat_control_applied(&r->control, 0.0);
		bench_hold(b, 0.0);
	}
}

static void run_until(struct bench *b, struct pad_run *r, double target, double until)
{
	while (bench_t(b) < until - 1e-9)
		run_tick(b, r, target);
}

/* The right model is never refuted: a cold start to 45 °C, the person leaning back
 * (twice the heat to the body) at different moments of the trial, several noise
 * seeds; and the trial ends (the model trusted) after its ten minutes of heating. */
START_TEST(test_right_model_kept)
{
	static const double lean_at[] = { 20.0, 60.0, 110.0, 200.0, 400.0, 1e9 };

	for (size_t i = 0; i < ELEMENTSOF(lean_at); i++)
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct pad_run r;
			struct bench b;

			bench_init(&b, seed);
			run_init(&r, &fitted);
			rest_until(&b, &r, 20.0);
			while (bench_t(&b) < 900.0) {
				if (bench_t(&b) >= lean_at[i] && b.pad->p.k_body < 1.0)
					b.pad->p.k_body *= 2.0;
				run_tick(&b, &r, 45.0);
			}
			fprintf(stderr,
				"# right model, lean back at %.0f s, seed %u: worst residual %.2f of its "
				"tolerance, stone max %.2f\n",
				lean_at[i], (unsigned)seed, r.check.worst_share, b.stone_max);
			ck_assert_msg(!r.refuted, "refuted at %.1f s (residual %.2f)", r.refuted_t, r.check.residual);
			ck_assert(!r.check.on_trial);
			ck_assert_int_eq(r.verdict, HEAT_VERDICT_OK);
			ck_assert_double_le(r.check.worst_share, 0.75);
		}
}
END_TEST

/* The bench's plants (bench/plants/): each tuned as the daemon tunes it, then a cold
 * start to 45 °C on its own model with the person leaning back 60 s in: never refuted. */
static void plant_apply(struct sim_pad *pad, int plant)
{
	switch (plant) {
	case 1:
		pad->p.c_stone = 440.0;
		break;
	case 2:
		pad->p.sensor_tau = 15.0;
		break;
	case 3:
		pad->p.power_w = 40.0;
		break;
	case 4:
		pad->p.t_amb = 15.0;
		pad->t_heater = pad->t_stone = pad->t_sensor = 15.0;
		break;
	default:
		break;
	}
}

static void tune_plant(int plant, struct heat_model *ret)
{
	struct massaged_config cfg;
	struct heat_autotune *a = NULL;
	struct heat_tuning result;
	struct relay_pwm pwm;
	struct bench b;

	config_init_defaults(&cfg);
	relay_pwm_init(&pwm, cfg.relay_cycle_s, cfg.relay_min_on_s, cfg.relay_min_off_s);
	bench_init(&b, 11);
	plant_apply(b.pad, plant);
	ck_assert_int_eq(heat_autotune_new(&a, 42.0, 46.0, SAMPLE_S), 0);
	while (!heat_autotune_done(a) && bench_t(&b) < 7200.0) {
		double t = bench_t(&b);
		bool on = relay_pwm_update(&pwm, t, heat_autotune_update(a, t, bench_read(&b)));

		heat_autotune_applied(a, on ? 1.0 : 0.0);
		sim_chair_set_output(&b.chair, b.now, b.pad->relay, on);
		b.now += SAMPLE_USEC;
		sim_chair_advance(&b.chair, b.now);
	}
	ck_assert_msg(heat_autotune_result(a, &result) == 0, "plant %d: %s", plant, heat_autotune_error(a));
	a = heat_autotune_free(a);
	*ret = result.model;
}

START_TEST(test_bench_plants_kept)
{
	struct heat_model m;
	struct pad_run r;
	struct bench b;

	tune_plant(_i, &m);
	bench_init(&b, 12);
	plant_apply(b.pad, _i);
	run_init(&r, &m);
	rest_until(&b, &r, 20.0);
	while (bench_t(&b) < 900.0) {
		if (bench_t(&b) >= 80.0 && b.pad->p.k_body < 1.0)
			b.pad->p.k_body *= 2.0;
		run_tick(&b, &r, 45.0);
	}
	fprintf(stderr, "# plant %d on its own model: worst residual %.2f of its tolerance, stone max %.2f\n", _i,
		r.check.worst_share, b.stone_max);
	ck_assert_msg(!r.refuted, "plant %d: refuted at %.1f s (residual %+.2f, tolerance %.2f)", _i, r.refuted_t,
		      r.check.residual, r.check.tolerance);
	ck_assert_int_eq(r.verdict, HEAT_VERDICT_OK);
	ck_assert_double_le(r.check.worst_share, 0.75);
}
END_TEST

/* The defaults are never on trial: nothing to judge. */
START_TEST(test_defaults_not_judged)
{
	struct heat_model m;
	struct heat_model_check k;
	struct heat_control c;

	heat_model_default(&m);
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	ck_assert_int_eq(heat_model_check_init(&k, &m, SAMPLE_S, false), 0);
	for (int i = 0; i < 4000; i++) {
		heat_control_observe(&c, i * SAMPLE_S, 30.0 + i * 0.01);
		ck_assert(!heat_model_check_update(&k, i * SAMPLE_S, 30.0 + i * 0.01, true, &c));
	}
}
END_TEST

/* Plausible models of other pads, on the simulator's pad: each refuted within its
 * first two windows of heating, the defaults take over, and the stone stays under
 * MaxTarget + 0.5 °C with no fault (no false heater-stuck or runaway). */
static const struct {
	const char *name;
	struct heat_model m;
} wrong_models[] = {
	{ "another pad's heavy stone", { 29.2, 34.0, 300.0, 350.0, 30.2, 6.1 } },
	{ "twice the heat", { 58.0, 34.0, 146.0, 170.0, 30.2, 6.1 } },
	{ "half the heat", { 15.0, 34.0, 146.0, 170.0, 30.2, 6.1 } },
	{ "little stored heat", { 29.2, 8.0, 146.0, 170.0, 30.2, 6.1 } },
};

START_TEST(test_wrong_model_refuted)
{
	char why[HEAT_PLAUSIBLE_WHY_MAX];

	ck_assert_msg(heat_model_plausible(&wrong_models[_i].m, 0.0, why, sizeof(why)) == 0, "%s", why);
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct pad_run r;
		struct bench b;

		bench_init(&b, seed);
		run_init(&r, &wrong_models[_i].m);
		rest_until(&b, &r, 20.0);
		run_until(&b, &r, 44.0, 1200.0);
		fprintf(stderr,
			"# %s, seed %u: refuted after %.1f s of heating (residual %+.2f °C, tolerance "
			"%.2f), stone max %.2f\n",
			wrong_models[_i].name, (unsigned)seed, r.refuted_t - 20.0, r.check.residual, r.check.tolerance,
			b.stone_max);
		ck_assert_msg(r.refuted, "%s not refuted (worst residual %.2f of the tolerance)", wrong_models[_i].name,
			      r.check.worst_share);
		ck_assert_double_le(r.refuted_t - 20.0, HEAT_MODEL_CHECK_FIRST_WINDOW_S);
		ck_assert_msg(r.verdict == HEAT_VERDICT_OK, "verdict %d at %.1f s", r.verdict, r.verdict_t);
		ck_assert_double_le(b.stone_max, MAX_TARGET_C + 0.5);
		ck_assert_double_eq_tol(b.pad->t_stone, 44.0, 0.5);
	}
}
END_TEST

/* A real fault while the right model is on trial is still found: a relay welded shut
 * or an element dying 40 s into the warm-up, against the same run with the model
 * trusted (not on trial). The dead element makes the pad disagree with its model
 * first, so the model is refuted and the runaway is found on the defaults, whose
 * observer starts afresh: later (about 30 s), within docs/safety-rules.md's 180 s. */
static const struct {
	const char *name;
	unsigned fault;
	enum heat_verdict expect;
} trial_faults[] = {
	{ "relay welded", SIM_PAD_HEATER_STUCK, HEAT_VERDICT_STUCK },
	{ "element dead", SIM_PAD_HEATER_DEAD, HEAT_VERDICT_RUNAWAY },
};

static double fault_found_after(unsigned fault, bool on_trial, enum heat_verdict *ret, bool *ret_refuted)
{
	struct pad_run r;
	struct bench b;

	bench_init(&b, 9);
	run_init(&r, &fitted);
	r.check.on_trial = on_trial;
	rest_until(&b, &r, 20.0);
	run_until(&b, &r, 44.0, 60.0);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, b.now, ZONE_SHOULDERS, fault, true), 0);
	while (bench_t(&b) < 660.0 && r.verdict == HEAT_VERDICT_OK)
		run_tick(&b, &r, 44.0);
	*ret = r.verdict;
	*ret_refuted = r.refuted;
	return r.verdict_t - 60.0;
}

START_TEST(test_fault_on_trial)
{
	enum heat_verdict trial_v, trusted_v;
	bool refuted, unused;
	double trial = fault_found_after(trial_faults[_i].fault, true, &trial_v, &refuted);
	double trusted = fault_found_after(trial_faults[_i].fault, false, &trusted_v, &unused);

	fprintf(stderr, "# %s 40 s into heating: found after %.1f s on trial%s, %.1f s trusted\n",
		trial_faults[_i].name, trial, refuted ? " (the model refuted first)" : "", trusted);
	ck_assert_int_eq(trusted_v, trial_faults[_i].expect);
	ck_assert_int_eq(trial_v, trial_faults[_i].expect);
	ck_assert_double_le(trial, trusted + 35.0);
	ck_assert_double_le(trial, 180.0);
}
END_TEST

static Suite *heat_model_check_suite(void)
{
	Suite *s = suite_create("heat-model-check");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_right_model_kept);
	tcase_add_test(tc, test_defaults_not_judged);
	tcase_add_loop_test(tc, test_bench_plants_kept, 0, 5);
	tcase_add_loop_test(tc, test_wrong_model_refuted, 0, ELEMENTSOF(wrong_models));
	tcase_add_loop_test(tc, test_fault_on_trial, 0, ELEMENTSOF(trial_faults));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(heat_model_check_suite());
}
