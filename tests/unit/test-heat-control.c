/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check-tap.h"
#include "config.h"
#include "driver.h"
#include "heat-autotune.h"
#include "heat-control.h"
#include "heat-model.h"
#include "heat-protect.h"
#include "macro.h"
#include "relay-pwm.h"
#include "sim-chair.h"

/* The pad's closed loop as in docs/heater-bench.md: the controller's
 * production code against the simulator's pad (the same plant as the bench script),
 * one reading and one duty every 0.25 s of chair time. */

#define SAMPLE_S 0.25
#define SAMPLE_USEC 250000ULL
#define BAND_C 0.5

#include "pad-bench.h"

/* Hold a duty for one sample through the daemon's relay drive (relay-pwm.h: a 2 s
 * cycle, 0.1 s minimum on and off, as configured by default), updated every 10 ms. */
static void bench_hold_relay(struct bench *b, struct relay_pwm *pwm, double duty)
{
	ck_assert_msg(duty >= 0.0 && duty <= 1.0, "duty %g at t=%.2f s", duty, bench_t(b));
	for (uint64_t end = b->now + SAMPLE_USEC; b->now < end;) {
		sim_chair_set_output(&b->chair, b->now, b->pad->relay, relay_pwm_update(pwm, bench_t(b), duty));
		b->now += SIM_STEP_USEC;
		sim_chair_advance(&b->chair, b->now);
		bench_track(b);
	}
}

/* ---- autotune on a plant like the one controlled, once for the whole suite ---- */

/* The bench's other plants (bench/plants/): the controller must do as well on each
 * with its own autotune. */
enum plant {
	PLANT_PUBLIC,
	PLANT_HEAVY_STONE,
	PLANT_SLOW_SENSOR,
	PLANT_WEAK_ELEMENT,
	PLANT_COLD_ROOM,
	_PLANT_MAX
};

static const char *const plant_names[_PLANT_MAX] = {
	"public", "heavy-stone", "slow-sensor", "weak-element", "cold-room",
};

static void bench_plant(struct bench *b, enum plant p)
{
	switch (p) {
	case PLANT_PUBLIC:
		break;
	case PLANT_HEAVY_STONE:
		b->pad->p.c_stone = 440.0;
		break;
	case PLANT_SLOW_SENSOR:
		b->pad->p.sensor_tau = 15.0;
		break;
	case PLANT_WEAK_ELEMENT:
		b->pad->p.power_w = 40.0;
		break;
	case PLANT_COLD_ROOM:
		b->pad->p.t_amb = 15.0;
		b->pad->t_heater = b->pad->t_stone = b->pad->t_sensor = 15.0;
		b->stone_max = b->stone_min = 15.0;
		break;
	case _PLANT_MAX:
		break;
	}
}

struct tuned {
	int r; /* -EAGAIN until tuned */
	struct heat_model model;
	double stone_max; /* during the autotune */
	char error[256];
};
static struct tuned tuned[_PLANT_MAX];

/* Autotune at 45 °C (ceiling 46 °C) on a cold plant, as the daemon would. */
static void tune(enum plant p, struct tuned *ret)
{
	struct bench b;
	struct heat_autotune *a = NULL;
	struct heat_tuning result;

	bench_init(&b, 7 + p);
	bench_plant(&b, p);
	ret->r = heat_autotune_new(&a, 45.0, 46.0, SAMPLE_S);
	if (ret->r < 0)
		return;
	while (!heat_autotune_done(a) && bench_t(&b) < 7200.0) {
		double reading = bench_read(&b);
		bench_hold(&b, heat_autotune_update(a, bench_t(&b), reading));
	}
	ret->stone_max = b.stone_max;
	ret->r = heat_autotune_result(a, &result);
	if (ret->r == 0)
		ret->model = result.model;
	else
		(void)snprintf(ret->error, sizeof(ret->error), "%s", heat_autotune_error(a) ?: "not done");
	a = heat_autotune_free(a);
}

static void tune_all(void)
{
	for (enum plant p = 0; p < _PLANT_MAX; p++)
		tune(p, &tuned[p]);
}

static void plant_model(enum plant p, struct heat_model *ret)
{
	ck_assert_msg(tuned[p].r == 0, "autotune at 45 °C on the %s plant failed (%d): %s", plant_names[p], tuned[p].r,
		      tuned[p].error);
	*ret = tuned[p].model;
}

static void tuned_model(struct heat_model *ret)
{
	plant_model(PLANT_PUBLIC, ret);
}

/* ---- runs ---- */

/* What a stretch of control looked like: since when the reading is in ±BAND_C of the
 * target, its RMS error over a window, the range of duties. */
struct run {
	double settle; /* since when the reading is in band; NAN when out */
	double sq_sum; /* (reading − target)² over [rms_from, rms_to) */
	unsigned sq_n;
	double rms_from, rms_to;
	double duty_min, duty_max;
};

static void run_reset(struct run *r)
{
	*r = (struct run) {
		.settle = NAN, .rms_from = INFINITY, .rms_to = INFINITY, .duty_min = INFINITY, .duty_max = -INFINITY
	};
}

static void run_note(struct run *r, double t, double reading, double target, double duty)
{
	if (fabs(reading - target) > BAND_C)
		r->settle = NAN;
	else if (isnan(r->settle))
		r->settle = t;
	if (t >= r->rms_from && t < r->rms_to) {
		r->sq_sum += (reading - target) * (reading - target);
		r->sq_n++;
	}
	r->duty_min = fmin(r->duty_min, duty);
	r->duty_max = fmax(r->duty_max, duty);
}

static double run_rms(const struct run *r)
{
	ck_assert_uint_gt(r->sq_n, 0);
	return sqrt(r->sq_sum / r->sq_n);
}

/* Hold `target` until chair time `until` (through the relay drive if pwm is given). */
static void control_until_pwm(struct bench *b, struct heat_control *c, struct run *r, double target, double until,
			      struct relay_pwm *pwm)
{
	while (bench_t(b) < until - 1e-9) {
		double t = bench_t(b), reading, duty;

		reading = bench_read(b);
		duty = heat_control_update(c, t, reading, target);
		if (r)
			run_note(r, t, reading, target, duty);
		if (pwm)
			bench_hold_relay(b, pwm, duty);
		else
			bench_hold(b, duty);
	}
}

static void control_until(struct bench *b, struct heat_control *c, struct run *r, double target, double until)
{
	control_until_pwm(b, c, r, target, until, NULL);
}

/* Full power from cold until the noise-free reading first reaches target − band:
 * the bench's lower_bound_s. */
static double full_power_bound(enum plant p, double target)
{
	struct bench b;

	bench_init(&b, 1);
	bench_plant(&b, p);
	b.pad->p.sensor_noise = 0.0;
	while (bench_t(&b) < 3600.0) {
		if (bench_read(&b) >= target - BAND_C)
			return bench_t(&b);
		bench_hold(&b, 1.0);
	}
	ck_abort_msg("full power never reaches %.1f °C", target - BAND_C);
	return NAN;
}

/* ---- tests ---- */

/* The bench scenario with the pad's own autotune: fast, no overshoot at the stone, a
 * steady hold, and back in band soon after the person leans back (docs/heater-bench.md's
 * goals). The duty held over each sample, or through the daemon's relay drive. */
static void bench_scenario(enum plant p, bool relay)
{
	struct heat_model m;
	struct heat_control c;
	struct relay_pwm pwm;
	struct bench b;
	struct run r;
	double bound, settle;
	const char *how = relay ? "relay" : "duty";

	plant_model(p, &m);
	ck_assert_double_le(tuned[p].stone_max, 45.0 + 1.0); /* autotune stayed within 1 °C */
	bound = full_power_bound(p, 45.0);
	ck_assert_double_gt(bound, 100.0); /* the plant is slow: the bound means something */

	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	relay_pwm_init(&pwm, 2.0, 0.1, 0.1);
	bench_init(&b, 1);
	bench_plant(&b, p);
	run_reset(&r);
	r.rms_from = 600.0;
	r.rms_to = 900.0;
	control_until_pwm(&b, &c, &r, 45.0, 900.0, relay ? &pwm : NULL);
	settle = r.settle;
	fprintf(stderr, "# %s (%s): bound %.2f s, settle %.2f s (%.3f×), stone max %.3f °C, hold rms %.3f °C\n",
		plant_names[p], how, bound, settle, settle / bound, b.stone_max, run_rms(&r));
	ck_assert_msg(!isnan(settle), "the reading is not in band at 900 s");
	ck_assert_double_le(settle, 1.15 * bound);
	ck_assert_double_le(b.stone_max, 45.3);
	ck_assert_double_le(run_rms(&r), 0.10);

	/* the person leans back harder: back in band for good within 90 s */
	b.pad->p.k_body *= 2.0;
	run_reset(&r);
	control_until_pwm(&b, &c, &r, 45.0, 1500.0, relay ? &pwm : NULL);
	fprintf(stderr, "# %s (%s): lean-back recovery %.2f s, stone max %.3f °C\n", plant_names[p], how,
		r.settle - 900.0, b.stone_max);
	ck_assert_msg(!isnan(r.settle), "not back in band at 1500 s after leaning back");
	ck_assert_double_le(r.settle - 900.0, 90.0);
	ck_assert_double_le(b.stone_max, 45.3);
}

START_TEST(test_tuned_cold_start)
{
	bench_scenario(_i, false);
}
END_TEST

START_TEST(test_tuned_cold_start_relay)
{
	bench_scenario(_i, true);
}
END_TEST

/* Untuned defaults are careful: on the public plant the stone overshoots by under 1 °C
 * and the pad still gets there. */
START_TEST(test_defaults_cold_start)
{
	struct heat_model m;
	struct heat_control c;
	struct bench b;
	struct run r;

	heat_model_default(&m);
	ck_assert_int_eq(heat_model_validate(&m), 0);
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	bench_init(&b, 3);
	run_reset(&r);
	control_until(&b, &c, &r, 45.0, 1200.0);
	fprintf(stderr, "# defaults: settle %.2f s, stone max %.3f °C\n", r.settle, b.stone_max);
	ck_assert_double_le(b.stone_max, 46.0);
	ck_assert_msg(!isnan(r.settle), "untuned, the reading is not within ±%.1f °C of 45 °C at 1200 s", BAND_C);
}
END_TEST

/* A new target while holding: up without a bump over it, down by coasting without
 * falling under it. */
START_TEST(test_target_change)
{
	struct heat_model m;
	struct heat_control c;
	struct bench b;
	struct run r;
	double reading;

	tuned_model(&m);
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	bench_init(&b, 5);
	run_reset(&r);
	control_until(&b, &c, &r, 40.0, 900.0);
	ck_assert_msg(!isnan(r.settle), "not holding 40 °C at 900 s");

	/* up to 44 */
	b.stone_max = b.stone_min = b.pad->t_stone;
	run_reset(&r);
	control_until(&b, &c, &r, 44.0, 1800.0);
	fprintf(stderr, "# 40→44: stone max %.3f °C, in band from %.2f s\n", b.stone_max, r.settle - 900.0);
	ck_assert_double_le(b.stone_max, 44.3);
	ck_assert_msg(!isnan(r.settle), "not holding 44 °C 900 s after the change");
	ck_assert_double_le(r.settle, 1800.0 - 300.0);
	ck_assert_double_eq_tol(b.pad->t_stone, 44.0, BAND_C);

	/* down to 40: off until the reading is near 40, then hold without dipping under */
	b.stone_max = b.stone_min = b.pad->t_stone;
	run_reset(&r);
	bool coasting = true;
	double first_heat = NAN;
	while (bench_t(&b) < 2700.0 - 1e-9) {
		double t = bench_t(&b), duty;

		reading = bench_read(&b);
		duty = heat_control_update(&c, t, reading, 40.0);
		run_note(&r, t, reading, 40.0, duty);
		if (coasting && duty > 0.0) {
			coasting = false;
			first_heat = reading;
		}
		if (coasting)
			ck_assert_double_eq(duty, 0.0);
		bench_hold(&b, duty);
	}
	fprintf(stderr, "# 44→40: first heat at reading %.2f °C, stone min %.3f °C, in band from %.2f s\n", first_heat,
		b.stone_min, r.settle - 1800.0);
	ck_assert_msg(!coasting, "never heated again after lowering the target");
	ck_assert_double_le(first_heat, 40.0 + BAND_C);
	ck_assert_double_ge(b.stone_min, 39.5);
	ck_assert_msg(!isnan(r.settle), "not holding 40 °C 900 s after the change");
	ck_assert_double_eq_tol(b.pad->t_stone, 40.0, BAND_C);
}
END_TEST

/* The element dies for 10 minutes while holding: the controller asks for all it has,
 * and when the element comes back it does not pay back a wound-up integral. */
START_TEST(test_no_windup)
{
	struct heat_model m;
	struct heat_control c;
	struct bench b;
	struct run r;

	tuned_model(&m);
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	bench_init(&b, 9);
	control_until(&b, &c, NULL, 45.0, 900.0);
	ck_assert_double_eq_tol(b.pad->t_stone, 45.0, BAND_C);

	/* dead for 600 s: once the controller sees the pad cooling, full power throughout */
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, b.now, ZONE_SHOULDERS, SIM_PAD_HEATER_DEAD, true), 0);
	double full_since = NAN;
	while (bench_t(&b) < 1500.0 - 1e-9) {
		double t = bench_t(&b), duty = heat_control_update(&c, t, bench_read(&b), 45.0);

		if (duty < 1.0)
			full_since = NAN;
		else if (isnan(full_since))
			full_since = t;
		bench_hold(&b, duty);
	}
	fprintf(stderr, "# dead element: full power from %.2f s after it died, stone at restore %.2f °C\n",
		full_since - 900.0, b.pad->t_stone);
	ck_assert_msg(!isnan(full_since), "not at full power when the element came back");
	ck_assert_double_le(full_since - 900.0, 30.0);
	ck_assert_double_lt(b.pad->t_stone, 40.0); /* it really went cold */

	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, b.now, ZONE_SHOULDERS, SIM_PAD_HEATER_DEAD, false), 0);
	b.stone_max = b.pad->t_stone;
	run_reset(&r);
	control_until(&b, &c, &r, 45.0, 2700.0);
	fprintf(stderr, "# element back: stone max %.3f °C, in band from %.2f s after\n", b.stone_max,
		r.settle - 1500.0);
	ck_assert_double_le(b.stone_max, 45.5);
	ck_assert_msg(!isnan(r.settle), "not back at 45 °C 1200 s after the element came back");
}
END_TEST

/* Off means exactly off, far below means exactly full. */
START_TEST(test_duty_extremes)
{
	struct heat_model models[2];
	struct heat_control c;

	heat_model_default(&models[0]);
	tuned_model(&models[1]);
	for (size_t i = 0; i < ELEMENTSOF(models); i++) {
		ck_assert_int_eq(heat_control_init(&c, &models[i], SAMPLE_S), 0);
		ck_assert_double_eq(heat_control_update(&c, 0.0, 24.0, 0.0), 0.0);
		ck_assert_double_eq(heat_control_update(&c, 0.25, 24.0, 45.0), 1.0);
		for (double t = 0.5; t < 60.0; t += SAMPLE_S)
			ck_assert_double_eq(heat_control_update(&c, t, 24.0 + t / 60.0, 45.0), 1.0);
		/* a hot pad switched off, and a negative or NaN target, are off too */
		for (double t = 60.0; t < 120.0; t += SAMPLE_S)
			ck_assert_double_eq(heat_control_update(&c, t, 44.0, 0.0), 0.0);
		ck_assert_double_eq(heat_control_update(&c, 120.0, 44.0, -1.0), 0.0);
		ck_assert_double_eq(heat_control_update(&c, 120.25, 44.0, NAN), 0.0);
		/* far above the target: off */
		for (double t = 120.5; t < 180.0; t += SAMPLE_S)
			ck_assert_double_eq(heat_control_update(&c, t, 44.0, 35.0), 0.0);
	}
}
END_TEST

/* Readings far apart (a stalled loop, a suspended machine), or out of order, never give
 * NaN or a duty outside 0..1. */
START_TEST(test_reading_gaps)
{
	static const double gaps[] = { 0.25, 1.0, 10.0, 29.9, 30.1, 60.0, 3600.0, -5.0, 0.1 };
	struct heat_model m;
	struct heat_control c;
	double t = 0.0;

	heat_model_default(&m);
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	for (int i = 0; i < 400; i++, t += SAMPLE_S)
		(void)heat_control_update(&c, t, 24.0 + i * 0.03, 45.0);
	for (size_t g = 0; g < ELEMENTSOF(gaps); g++)
		for (int k = 0; k < 3; k++) {
			double reading = k == 1 ? 60.0 : 30.0 + (double)g;

			t += gaps[g];
			double duty = heat_control_update(&c, t, reading, 45.0);
			ck_assert_msg(isfinite(duty) && duty >= 0.0 && duty <= 1.0, "duty %g after a gap of %g s", duty,
				      gaps[g]);
			for (int j = 0; j < HEAT_X_N; j++)
				ck_assert_msg(isfinite(c.x[j]), "estimate %d is %g after a gap of %g s", j, c.x[j],
					      gaps[g]);
		}

	/* on a plant: holding 45 °C, the loop stalls for a minute with the last duty held;
	 * afterwards the pad goes on holding, without a bump at the stone */
	struct bench b;
	struct run r;
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	bench_init(&b, 11);
	control_until(&b, &c, NULL, 45.0, 900.0);
	double duty = c.duty;
	for (int i = 0; i < 240; i++)
		bench_hold(&b, duty);
	b.stone_max = b.stone_min = b.pad->t_stone;
	run_reset(&r);
	control_until(&b, &c, &r, 45.0, 1500.0);
	fprintf(stderr, "# 60 s gap while holding: stone %.3f..%.3f °C, duty %.3f..%.3f\n", b.stone_min, b.stone_max,
		r.duty_min, r.duty_max);
	ck_assert_msg(!isnan(r.settle), "not holding 45 °C at 1500 s after a gap");
	ck_assert_double_le(b.stone_max, 45.5);
}
END_TEST

/* Invalid models and sample periods are refused. */
START_TEST(test_init_refuses)
{
	struct heat_model m;
	struct heat_control c;

	heat_model_default(&m);
	ck_assert_int_eq(heat_control_init(&c, &m, 0.0), -EINVAL);
	ck_assert_int_eq(heat_control_init(&c, &m, -1.0), -EINVAL);
	ck_assert_int_eq(heat_control_init(&c, &m, NAN), -EINVAL);
	m.gain_c = 0.0;
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), -EINVAL);
	heat_model_default(&m);
	m.couple_s = NAN;
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), -EINVAL);
}
END_TEST

static Suite *heat_control_suite(void)
{
	Suite *s = suite_create("heat-control");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, tune_all, NULL);
	tcase_add_loop_test(tc, test_tuned_cold_start, 0, _PLANT_MAX);
	tcase_add_loop_test(tc, test_tuned_cold_start_relay, 0, _PLANT_MAX);
	tcase_add_test(tc, test_defaults_cold_start);
	tcase_add_test(tc, test_target_change);
	tcase_add_test(tc, test_no_windup);
	tcase_add_test(tc, test_duty_extremes);
	tcase_add_test(tc, test_reading_gaps);
	tcase_add_test(tc, test_init_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(heat_control_suite());
}
