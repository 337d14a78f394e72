/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "config.h"
#include "driver.h"
#include "heat-autotune.h"
#include "heat-autotune-summary.h"
#include "heat-model.h"
#include "heat-protect.h"
#include "heat-tuning.h"
#include "macro.h"
#include "relay-pwm.h"
#include "sim-chair.h"

/* Autotune (heat-autotune.h) on the simulator's pad, the same plant as
 * bench/thermal_plant.py: one reading and one duty every 0.25 s of chair time. */

#define SAMPLE_S 0.25
#define SAMPLE_USEC 250000ULL

#include "pad-bench.h"

/* ---- an autotune run ---- */

struct tune_run {
	int r; /* heat_autotune_result() */
	struct heat_tuning result;
	char error[256];
	double end_s; /* chair time when it was done (or gave up) */
	double progress_first, progress_last;
	double progress_drop;      /* the largest step backwards */
	double progress_drop_at;   /* where it was */
	unsigned guard_violations; /* duty > 0 with the reading at or over ceiling − 0.5 */
	double reading_max;
};

/* Autotune from the bench's present state until done or `limit_s` of chair time. */
static void tune_run(struct bench *b, double target, double ceiling, double limit_s, struct tune_run *ret)
{
	struct heat_autotune *a = NULL;
	double prev;

	*ret = (struct tune_run) { .progress_drop_at = NAN, .reading_max = -INFINITY };
	ck_assert_int_eq(heat_autotune_new(&a, target, ceiling, SAMPLE_S), 0);
	ck_assert_int_eq(heat_autotune_result(a, &ret->result), -EAGAIN);
	ck_assert_ptr_null(heat_autotune_error(a));
	ret->progress_first = prev = heat_autotune_progress(a);
	while (!heat_autotune_done(a) && bench_t(b) < limit_s) {
		double reading = bench_read(b);
		double duty = heat_autotune_update(a, bench_t(b), reading);
		double progress = heat_autotune_progress(a);

		ck_assert_msg(progress >= 0.0 && progress <= 1.0, "progress %g", progress);
		if (heat_autotune_done(a))
			ck_assert_double_eq(duty, 0.0); /* the reading that ends it gets no heat either */
		else
			ck_assert_int_eq(heat_autotune_result(a, &ret->result), -EAGAIN);
		if (prev - progress > ret->progress_drop) {
			ret->progress_drop = prev - progress;
			ret->progress_drop_at = bench_t(b);
		}
		prev = progress;
		ret->reading_max = fmax(ret->reading_max, reading);
		if (duty > 0.0 && reading >= ceiling - 0.5)
			ret->guard_violations++;
		bench_hold(b, duty);
	}
	ret->end_s = bench_t(b);
	ret->progress_last = heat_autotune_progress(a);
	ret->r = heat_autotune_result(a, &ret->result);
	if (heat_autotune_done(a)) {
		if (ret->r < 0) {
			ck_assert_ptr_nonnull(heat_autotune_error(a));
			(void)snprintf(ret->error, sizeof(ret->error), "%s", heat_autotune_error(a));
		} else
			ck_assert_ptr_null(heat_autotune_error(a));
		/* done is done: no heat whatever the readings say */
		for (int i = 0; i < 400; i++) {
			double t = bench_t(b);
			ck_assert_double_eq(heat_autotune_update(a, t, i % 2 ? 20.0 : bench_read(b)), 0.0);
			bench_hold(b, 0.0);
		}
		ck_assert(heat_autotune_done(a));
	}
	a = heat_autotune_free(a);
}

/* The duty that holds the simulated pad's stone at a temperature, from its heat
 * balance with the person seated. */
static double plant_hold_duty(const struct sim_pad_params *p, double stone)
{
	double q = p->k_sa * (stone - p->t_amb) + p->k_body * (stone - p->t_body);
	double element = stone + q / p->k_hs;

	return (q + p->k_ha * (element - p->t_amb)) / p->power_w;
}

/* Progress may step back by this much: see test_progress_never_backwards. */
#define PROGRESS_JITTER 0.01

/* ---- tests ---- */

/* The public pad tunes in under an hour without getting near the ceiling; the model it
 * finds replays the experiment closely and holds with the plant's own duty. */
START_TEST(test_public_pad)
{
	struct bench b;
	struct tune_run t;
	const struct heat_model *m;
	double hold;

	bench_init(&b, 1);
	tune_run(&b, 42.0, 46.0, 3600.0, &t);
	m = &t.result.model;
	fprintf(stderr,
		"# public at 42: r=%d %s, %.1f s, stone max %.3f, rms %.4f, gain %.2f element %.1f "
		"couple %.1f loss %.1f sink %.2f sensor %.2f\n",
		t.r, t.error, t.end_s, b.stone_max, t.result.fit_rms_c, m->gain_c, m->element_s, m->couple_s, m->loss_s,
		m->sink_c, m->sensor_s);
	ck_assert_msg(t.r == 0, "autotune failed (%d): %s", t.r, t.error);
	ck_assert_double_le(t.end_s, 3600.0);
	ck_assert_double_le(b.stone_max, 43.0);
	ck_assert_int_eq(heat_model_validate(m), 0);
	ck_assert_double_lt(t.result.fit_rms_c, 0.1);
	ck_assert_double_ge(t.result.fit_rms_c, 0.0);
	ck_assert_double_eq(t.result.target_c, 42.0);
	ck_assert_double_eq_tol(t.result.duration_s, t.end_s, 1.0);

	/* what the controller relies on: the holding duty, the sensor lag, the loss */
	hold = heat_model_hold_duty(m, 42.0, 0.0);
	fprintf(stderr, "# hold duty at 42: model %.4f, plant %.4f\n", hold, plant_hold_duty(&b.pad->p, 42.0));
	ck_assert_double_eq_tol(hold, plant_hold_duty(&b.pad->p, 42.0), 0.03);
	ck_assert_double_eq_tol(m->sensor_s, b.pad->p.sensor_tau, 2.0);

	ck_assert_double_eq(t.progress_first, 0.0);
	ck_assert_double_eq(t.progress_last, 1.0);
	ck_assert_msg(t.progress_drop <= PROGRESS_JITTER, "progress went back by %.4f at %.2f s", t.progress_drop,
		      t.progress_drop_at);
	ck_assert_uint_eq(t.guard_violations, 0);
}
END_TEST

/* A stone twice as heavy also tunes, and the model sees the heavier stone: slower to
 * couple, half the rise per second at full power, twice the loss time constant. */
START_TEST(test_heavy_stone)
{
	struct bench b;
	struct tune_run pub, heavy;
	const struct heat_model *mp = &pub.result.model, *mh = &heavy.result.model;

	bench_init(&b, 1);
	tune_run(&b, 42.0, 46.0, 3600.0, &pub);
	ck_assert_msg(pub.r == 0, "public pad: %s", pub.error);

	bench_init(&b, 1);
	b.pad->p.c_stone *= 2.0;
	tune_run(&b, 42.0, 46.0, 3600.0, &heavy);
	fprintf(stderr,
		"# heavy stone: r=%d %s, %.1f s, stone max %.3f, rms %.4f, couple %.1f (public %.1f), "
		"full rate %.4f (%.4f) °C/s, loss %.1f (%.1f) s\n",
		heavy.r, heavy.error, heavy.end_s, b.stone_max, heavy.result.fit_rms_c, mh->couple_s, mp->couple_s,
		heat_model_full_rate(mh), heat_model_full_rate(mp), mh->loss_s, mp->loss_s);
	ck_assert_msg(heavy.r == 0, "heavy stone: %s", heavy.error);
	ck_assert_int_eq(heat_model_validate(mh), 0);
	ck_assert_double_lt(heavy.result.fit_rms_c, 0.1);
	ck_assert_double_le(b.stone_max, 43.0);
	ck_assert_double_gt(mh->couple_s, mp->couple_s);
	ck_assert_double_eq_tol(heat_model_full_rate(mh) / heat_model_full_rate(mp), 0.5, 0.15);
	ck_assert_double_eq_tol(mh->loss_s / mp->loss_s, 2.0, 0.3);
	ck_assert_double_eq_tol(heat_model_hold_duty(mh, 42.0, 0.0), plant_hold_duty(&b.pad->p, 42.0), 0.03);
	ck_assert_msg(heavy.progress_drop <= PROGRESS_JITTER, "progress went back by %.4f at %.2f s",
		      heavy.progress_drop, heavy.progress_drop_at);
}
END_TEST

/* A dead element: autotune gives up, says what to check, and heats no more. The pad
 * is at its rest with the person on it (the body no longer warms it). */
START_TEST(test_dead_element)
{
	struct bench b;
	struct tune_run t;

	bench_init(&b, 3);
	sim_chair_advance(&b.chair, 3600 * USEC_PER_SEC); /* the person warms the cold pad */
	b.now = b.chair.now_usec;
	ck_assert_double_gt(b.pad->t_stone, 29.5);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, b.now, ZONE_SHOULDERS, SIM_PAD_HEATER_DEAD, true), 0);
	tune_run(&b, 42.0, 46.0, b.now / 1e6 + 3600.0, &t);
	fprintf(stderr, "# dead element: r=%d after %.1f s: %s\n", t.r, t.end_s - 3600.0, t.error);
	ck_assert_int_lt(t.r, 0);
	ck_assert_int_ne(t.r, -EAGAIN);
	ck_assert_msg(strstr(t.error, "element") || strstr(t.error, "sensor"), "error: %s", t.error);
	ck_assert_double_le(t.end_s - 3600.0, 400.0);
	ck_assert_double_eq(t.progress_last, 1.0);
}
END_TEST

/* A sensor fallen off the stone reads the air: the same, though the pad does heat. */
START_TEST(test_detached_sensor)
{
	struct bench b;
	struct tune_run t;

	bench_init(&b, 4);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, 0, ZONE_SHOULDERS, SIM_PAD_SENSOR_DETACHED, true), 0);
	tune_run(&b, 42.0, 46.0, 3600.0, &t);
	/* the stone gets far too hot meanwhile: heat-protect's runaway check must stop this
	 * first in the daemon (test-heat-protect) */
	fprintf(stderr, "# detached sensor: r=%d after %.1f s, stone max %.2f: %s\n", t.r, t.end_s, b.stone_max,
		t.error);
	ck_assert_int_lt(t.r, 0);
	ck_assert_int_ne(t.r, -EAGAIN);
	ck_assert_msg(strstr(t.error, "element") || strstr(t.error, "sensor"), "error: %s", t.error);
	ck_assert_double_le(t.end_s, 400.0);
}
END_TEST

/* A pad that is already warm cannot show how it warms: refused, without heating it. */
START_TEST(test_warm_pad)
{
	struct bench b;
	struct tune_run t;

	bench_init(&b, 4);
	b.pad->t_heater = b.pad->t_stone = b.pad->t_sensor = 40.0;
	b.stone_max = 40.0;
	tune_run(&b, 42.0, 46.0, 3600.0, &t);
	fprintf(stderr, "# warm pad: r=%d after %.1f s: %s\n", t.r, t.end_s, t.error);
	ck_assert_int_lt(t.r, 0);
	ck_assert_int_ne(t.r, -EAGAIN);
	ck_assert_msg(strstr(t.error, "already at 40.") || strstr(t.error, "already at 39."), "error: %s", t.error);
	ck_assert_msg(strstr(t.error, "cool"), "error: %s", t.error);
	ck_assert_double_le(t.end_s, 60.0);
	ck_assert_double_le(b.stone_max, 40.0); /* never heated */
	ck_assert_double_eq(t.progress_last, 1.0);
}
END_TEST

/* The ceiling holds whatever autotune's own plan: with the ceiling just over the
 * target, the hold (0.3 °C under the target) runs into the guard 0.5 °C under the
 * ceiling, and the guard wins every time. */
START_TEST(test_ceiling_guard)
{
	struct bench b;
	struct tune_run t;

	bench_init(&b, 5);
	tune_run(&b, 38.0, 38.1, 3600.0, &t);
	fprintf(stderr, "# ceiling 38.1: r=%d %s after %.1f s, reading max %.1f, stone max %.3f\n", t.r, t.error,
		t.end_s, t.reading_max, b.stone_max);
	ck_assert_double_lt(t.end_s, 3600.0);           /* done, one way or the other */
	ck_assert_double_ge(t.reading_max, 38.1 - 0.5); /* the guard was needed */
	ck_assert_uint_eq(t.guard_violations, 0);
	ck_assert_double_lt(b.stone_max, 38.1);
}
END_TEST

/* Synthetic readings: whatever the phase, a reading at or over ceiling − 0.5 °C gets
 * duty 0, and autotune heats again below it. */
START_TEST(test_ceiling_guard_synthetic)
{
	struct heat_autotune *a = NULL;
	double t = 0.0, reading = 24.0;
	unsigned heated = 0, spikes = 0;

	ck_assert_int_eq(heat_autotune_new(&a, 40.0, 41.0, SAMPLE_S), 0);
	/* a pad warming 0.01 °C per sample at full power, cooling 0.002; every 40th
	 * reading a spike to the guard */
	for (int i = 0; i < 20000 && !heat_autotune_done(a); i++, t += SAMPLE_S) {
		bool spike = i % 40 == 39;
		double duty = heat_autotune_update(a, t, spike ? 40.5 : reading);

		if (spike) {
			spikes++;
			ck_assert_msg(duty == 0.0, "duty %g with the reading at the guard, t=%.2f", duty, t);
		} else if (duty > 0.0)
			heated++;
		reading += duty > 0.0 ? 0.01 * duty : -0.002;
	}
	ck_assert_uint_gt(spikes, 10);
	ck_assert_uint_gt(heated, 10); /* it did heat between the spikes */
	a = heat_autotune_free(a);
}
END_TEST

START_TEST(test_new_refuses)
{
	struct heat_autotune *a = NULL;

	ck_assert_int_eq(heat_autotune_new(&a, 19.0, 46.0, SAMPLE_S), -EINVAL);
	ck_assert_int_eq(heat_autotune_new(&a, 46.0, 46.0, SAMPLE_S), -EINVAL);
	ck_assert_int_eq(heat_autotune_new(&a, 47.0, 46.0, SAMPLE_S), -EINVAL);
	ck_assert_int_eq(heat_autotune_new(&a, 42.0, 101.0, SAMPLE_S), -EINVAL);
	ck_assert_int_eq(heat_autotune_new(&a, NAN, 46.0, SAMPLE_S), -EINVAL);
	ck_assert_int_eq(heat_autotune_new(&a, 42.0, 46.0, 0.0), -EINVAL);
	ck_assert_int_eq(heat_autotune_new(&a, 42.0, 46.0, 6.0), -EINVAL);
	ck_assert_ptr_null(a);
	ck_assert_ptr_null(heat_autotune_free(NULL));
}
END_TEST

/* ---- bugs these tests found (fixed unless registered under known-bugs below) ---- */

/* heat_autotune_progress() follows the latest (noisy) reading during the pulse, so it
 * steps back by a reading step now and then. */
START_TEST(test_progress_never_backwards)
{
	struct bench b;
	struct tune_run t;

	bench_init(&b, 1);
	tune_run(&b, 42.0, 46.0, 3600.0, &t);
	ck_assert_msg(t.progress_drop == 0.0, "progress went back by %.4f at %.2f s", t.progress_drop,
		      t.progress_drop_at);
}
END_TEST

/* A person sitting down on a cold pad warms it by half a degree in five minutes, so
 * the pulse's "no rise" check does not see a dead element: autotune heats on for the
 * whole pulse and coast, then fails with a message about the fit. */
START_TEST(test_dead_element_cold_pad)
{
	struct bench b;
	struct tune_run t;

	bench_init(&b, 3);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, 0, ZONE_SHOULDERS, SIM_PAD_HEATER_DEAD, true), 0);
	tune_run(&b, 42.0, 46.0, 3600.0, &t);
	fprintf(stderr, "# dead element, cold pad: r=%d after %.1f s: %s\n", t.r, t.end_s, t.error);
	ck_assert_int_lt(t.r, 0);
	ck_assert_msg(strstr(t.error, "element") || strstr(t.error, "sensor"), "error: %s", t.error);
	ck_assert_double_le(t.end_s, 400.0);
}
END_TEST

/* In a cold room (15 °C) about one seed in ten fits the pulse to a wrong model: the
 * hold then crawls and autotune fails ("did not settle"), or the fit sees a pad that
 * cannot reach the target. */
START_TEST(test_cold_room_seeds)
{
	unsigned failed = 0;

	/* 20 seeds: test_sweep covers the cold room from three starting temperatures too */
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct bench b;
		struct tune_run t;

		bench_init(&b, seed);
		b.pad->p.t_amb = 15.0;
		b.pad->t_heater = b.pad->t_stone = b.pad->t_sensor = 15.0;
		tune_run(&b, 45.0, 46.0, 7200.0, &t);
		if (t.r < 0) {
			fprintf(stderr, "# cold room, seed %u: %s\n", (unsigned)seed, t.error);
			failed++;
		}
	}
	ck_assert_uint_eq(failed, 0);
}
END_TEST

/* ---- the daemon's autotune: the relay switched once per heat tick ---- */

/* Autotune as heater_tick() drives it: the relay set at each reading from the 2 s relay
 * cycle (relay-pwm.h, the default RelayCycle) and held until the next one, and the
 * relay's state, not the duty asked for, told to autotune. */
static int tune_relay_driven(struct bench *b, bool tell_applied, struct heat_tuning *ret, char *error, size_t size)
{
	struct massaged_config cfg;
	struct heat_autotune *a = NULL;
	struct relay_pwm pwm;
	int r;

	config_init_defaults(&cfg);
	relay_pwm_init(&pwm, cfg.relay_cycle_s, cfg.relay_min_on_s, cfg.relay_min_off_s);
	ck_assert_int_eq(heat_autotune_new(&a, 42.0, 46.0, SAMPLE_S), 0);
	while (!heat_autotune_done(a) && bench_t(b) < 3600.0) {
		double t = bench_t(b), duty = heat_autotune_update(a, t, bench_read(b));
		bool on = relay_pwm_update(&pwm, t, duty);

		if (tell_applied)
			heat_autotune_applied(a, on ? 1.0 : 0.0);
		sim_chair_set_output(&b->chair, b->now, b->pad->relay, on);
		b->now += SAMPLE_USEC;
		sim_chair_advance(&b->chair, b->now);
		bench_track(b);
	}
	r = heat_autotune_result(a, ret);
	(void)snprintf(error, size, "%s", r < 0 && heat_autotune_error(a) ? heat_autotune_error(a) : "");
	a = heat_autotune_free(a);
	return r;
}

/* The simulator's real autotune landed at Gain=499.95, at the limit: the fit replayed
 * the duty asked for, not what the relay gave, and the model's sixth number is not in
 * the readings at all. Now, on every pad of the simulated chair and several noise
 * seeds, the fit is a plausible pad well inside every bound, and it is the simulated
 * pad: the same holding duty, sensor lag and heat at full power. */
START_TEST(test_daemon_fit_plausible)
{
	static const enum zone zones[] = { ZONE_SHOULDERS, ZONE_LOWER_BACK, ZONE_NECK };
	char why[HEAT_PLAUSIBLE_WHY_MAX], error[256];

	for (size_t z = 0; z < ELEMENTSOF(zones); z++)
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct heat_tuning t;
			const struct heat_model *m = &t.model;
			struct bench b;
			int r;

			bench_init(&b, seed);
			b.pad = sim_chair_find_pad(&b.chair, zones[z]);
			ck_assert_ptr_nonnull(b.pad);
			r = tune_relay_driven(&b, true, &t, error, sizeof(error));
			fprintf(stderr,
				"# %s seed %u: r=%d %s gain %.2f element %.1f couple %.1f loss %.1f sink %.2f "
				"sensor %.2f rms %.3f\n",
				zone_to_string(zones[z]), (unsigned)seed, r, error, m->gain_c, m->element_s,
				m->couple_s, m->loss_s, m->sink_c, m->sensor_s, t.fit_rms_c);
			ck_assert_msg(r == 0, "%s seed %u: %s", zone_to_string(zones[z]), (unsigned)seed, error);
			ck_assert_msg(heat_model_plausible(m, 0.2, why, sizeof(why)) == 0, "%s", why);
			ck_assert_double_lt(m->gain_c, 100.0);
			ck_assert_double_lt(t.fit_rms_c, 0.06);
			ck_assert_double_eq_tol(heat_model_hold_duty(m, 42.0, 0.0), plant_hold_duty(&b.pad->p, 42.0),
						0.03);
			ck_assert_double_eq_tol(m->sensor_s, b.pad->p.sensor_tau, 1.0);
			/* the stone's rate at full power, P/c_s = 0.22 °C/s, less what the element
			 * loses to the room on the way */
			ck_assert_double_eq_tol(heat_model_full_rate(m), b.pad->p.power_w / b.pad->p.c_stone, 0.05);
			ck_assert_double_le(b.stone_max, 43.0);
		}
}
END_TEST

/* A record no pad can make: readings that rise 1.5 °C/s at full power toward 400 °C
 * (a stone warming that fast would need a bare heater wire). The fit runs to a
 * plausibility bound, and a fit at a bound is a failed autotune, not a model. Before
 * issue 14 the relay-driven record without heat_autotune_applied() showed this; the
 * fit of the pad's starting state now explains that record with a plausible pad. */
START_TEST(test_edge_fit_fails)
{
	struct heat_autotune *a = NULL;
	struct heat_tuning t;
	double reading = 24.0, duty = 0.0;
	const char *error;

	ck_assert_int_eq(heat_autotune_new(&a, 42.0, 46.0, SAMPLE_S), 0);
	for (int i = 0; i < 40000 && !heat_autotune_done(a); i++) {
		duty = heat_autotune_update(a, i * SAMPLE_S, round(reading * 10.0) / 10.0);
		reading += (24.0 + 400.0 * duty - reading) / 260.0 * SAMPLE_S;
	}
	ck_assert(heat_autotune_done(a));
	ck_assert_int_eq(heat_autotune_result(a, &t), -EIO);
	error = heat_autotune_error(a);
	fprintf(stderr, "# impossible pad: %s\n", error);
	ck_assert_msg(strstr(error, "no plausible pad") && strstr(error, "ran to a bound"), "%s", error);
	ck_assert_double_lt(reading, 46.0);
	a = heat_autotune_free(a);
}
END_TEST

/* The in-sample drive of test_public_pad, on the pad and seed where the fit ran to
 * Gain=476 and CoupleSeconds≈2970 (the readings cannot tell it from the real pad):
 * the prior now picks the physical member of that family. */
START_TEST(test_degenerate_fit)
{
	struct bench b;
	struct tune_run t;
	const struct heat_model *m = &t.result.model;
	char why[HEAT_PLAUSIBLE_WHY_MAX];

	bench_init(&b, 1);
	b.pad = sim_chair_find_pad(&b.chair, ZONE_LOWER_BACK);
	ck_assert_ptr_nonnull(b.pad);
	tune_run(&b, 42.0, 46.0, 3600.0, &t);
	fprintf(stderr, "# lower-back, in-sample drive: r=%d %s gain %.2f element %.1f couple %.1f loss %.1f\n", t.r,
		t.error, m->gain_c, m->element_s, m->couple_s, m->loss_s);
	ck_assert_msg(t.r == 0, "%s", t.error);
	ck_assert_msg(heat_model_plausible(m, 0.2, why, sizeof(why)) == 0, "%s", why);
	ck_assert_double_eq_tol(m->gain_c, 30.0, 15.0);
	ck_assert_double_eq_tol(heat_model_full_rate(m), b.pad->p.power_w / b.pad->p.c_stone, 0.05);
}
END_TEST

/* ---- many seeds, starting temperatures and plants ---- */

/* The bench's plants (bench/plants/, one JSON file each): the public pad and one change each. */
struct plant {
	const char *name;
	double c_stone, sensor_tau, power_w, t_amb; /* 0: the public value */
};

static const struct plant plants[] = {
	{ "public", 0, 0, 0, 0 },          { "heavy-stone", 440.0, 0, 0, 0 }, { "slow-sensor", 0, 15.0, 0, 0 },
	{ "weak-element", 0, 0, 40.0, 0 }, { "cold-room", 0, 0, 0, 15.0 },
};

static void plant_apply(struct sim_pad_params *p, const struct plant *pl)
{
	if (pl->c_stone > 0)
		p->c_stone = pl->c_stone;
	if (pl->sensor_tau > 0)
		p->sensor_tau = pl->sensor_tau;
	if (pl->power_w > 0)
		p->power_w = pl->power_w;
	if (pl->t_amb > 0)
		p->t_amb = pl->t_amb;
}

/* What the model's numbers are on a plant, person seated. The plant's element also
 * loses k_ha to the room, which the model's has not; the model that replays the plant
 * exactly with the element's own time constant, c_h/(k_hs + k_ha), has
 *   gain = P/k_hs,  couple_s = c_s·(k_hs + k_ha)/k_hs²,  loss_s = c_s/(k_sa + k_body + g·k_ha),
 * g = k_hs/(k_hs + k_ha) the share of the element's heat that reaches the stone
 * (bench/plants/README.md). On the public pad: 30 °C, 34.3/150/171 s. */
struct plant_truth {
	double gain_c, element_s, couple_s, loss_s;
	double full_rate; /* the stone's rise per second at full power: g·P/c_s */
	double full_rise; /* the stone's steady rise over its sink at full power */
};

static void plant_truth(const struct sim_pad_params *p, struct plant_truth *ret)
{
	double g = p->k_hs / (p->k_hs + p->k_ha);

	ret->gain_c = p->power_w / p->k_hs;
	ret->element_s = p->c_heater / (p->k_hs + p->k_ha);
	ret->couple_s = p->c_stone * (p->k_hs + p->k_ha) / (p->k_hs * p->k_hs);
	ret->loss_s = p->c_stone / (p->k_sa + p->k_body + g * p->k_ha);
	ret->full_rate = ret->gain_c / ret->couple_s;
	ret->full_rise = ret->gain_c * ret->loss_s / ret->couple_s;
}

struct spread {
	double lo, hi;
};

static void spread_add(struct spread *s, double v)
{
	s->lo = fmin(s->lo, v);
	s->hi = fmax(s->hi, v);
}

/* How far a fit may be from the plant's truth. */
#define SWEEP_RISE_TOL 0.10 /* the full-power rise and the loss: what the readings fix */
#define SWEEP_RATE_TOL 0.10 /* the full-power rate: what the stone's mass sets */
#define SWEEP_GAIN_TOL 0.25 /* the gain: what the prior on the element picks */

/* Autotune on every bench plant from a cold, a room-warm and a warm pad, several
 * noise seeds each: every fit is a plausible pad well inside every bound and near the
 * plant's own numbers. MASSAGED_TUNE_SEEDS sets the seeds per case (default 1, each
 * plant and start its own; 20 for the full sweep, about 3 minutes). */
static void sweep_plant(const struct plant *pl, unsigned index)
{
	static const double starts[] = { 15.0, 24.0, 35.0 };
	const char *env = getenv("MASSAGED_TUNE_SEEDS");
	unsigned seeds = env ? (unsigned)atoi(env) : 1, failed = 0, refused = 0, runs = 0;
	struct spread gain = { INFINITY, -INFINITY }, element = gain, couple = gain, loss = gain, rise = gain,
		      rate = gain;
	struct plant_truth truth = { 0 };

	for (size_t s = 0; s < ELEMENTSOF(starts); s++)
		for (uint64_t seed = 1; seed <= seeds; seed++) {
			char why[HEAT_PLAUSIBLE_WHY_MAX];
			struct tune_run t;
			const struct heat_model *m = &t.result.model;
			struct bench b;
			bool ok;

			bench_init(&b, 100000 * (index + 1) + 1000 * s + seed);
			plant_apply(&b.pad->p, pl);
			b.pad->t_heater = b.pad->t_stone = b.pad->t_sensor = starts[s];
			b.stone_max = b.stone_min = starts[s];
			plant_truth(&b.pad->p, &truth);
			tune_run(&b, 42.0, 46.0, 7200.0, &t);
			runs++;
			double r_rise = m->gain_c * m->loss_s / m->couple_s / truth.full_rise;
			double r_rate = heat_model_full_rate(m) / truth.full_rate;
			double r_gain = m->gain_c / truth.gain_c;
			double r_loss = m->loss_s / truth.loss_s;
			ok = t.r == 0 && heat_model_plausible(m, 0.2, why, sizeof(why)) == 0 &&
			     fabs(r_rise - 1.0) <= SWEEP_RISE_TOL && fabs(r_rate - 1.0) <= SWEEP_RATE_TOL &&
			     fabs(r_gain - 1.0) <= SWEEP_GAIN_TOL && fabs(r_loss - 1.0) <= SWEEP_RISE_TOL &&
			     b.stone_max <= 43.0;
			if (t.r == 0) {
				spread_add(&gain, m->gain_c);
				spread_add(&element, m->element_s);
				spread_add(&couple, m->couple_s);
				spread_add(&loss, m->loss_s);
				spread_add(&rise, r_rise);
				spread_add(&rate, r_rate);
			}
			/* a fit the autotune itself refuses at a bound is no model: the pad keeps its
			 * old one (heater.c autotune_finish()); rare, but not a wrong model */
			if (t.r == -EIO && strstr(t.error, "ran to a bound"))
				refused++;
			else if (!ok)
				failed++;
			if (!ok) {
				fprintf(stderr,
					"# %s from %.0f °C, seed %u: r=%d %s gain %.1f element %.1f couple %.1f "
					"loss %.1f sink %.2f sensor %.2f rms %.3f; rise %.2f rate %.2f gain %.2f of the "
					"plant's; stone max %.2f\n",
					pl->name, starts[s], (unsigned)seed, t.r, t.r < 0 ? t.error : "", m->gain_c,
					m->element_s, m->couple_s, m->loss_s, m->sink_c, m->sensor_s,
					t.result.fit_rms_c, r_rise, r_rate, r_gain, b.stone_max);
			}
		}
	fprintf(stderr,
		"# sweep %s (truth gain %.1f, %.1f/%.0f/%.0f s, rate %.3f, rise %.1f): %u of %u runs off, %u refused; "
		"gain %.1f..%.1f, element %.1f..%.1f couple %.0f..%.0f loss %.0f..%.0f s, rise %.2f..%.2f "
		"rate %.2f..%.2f of the plant's\n",
		pl->name, truth.gain_c, truth.element_s, truth.couple_s, truth.loss_s, truth.full_rate, truth.full_rise,
		failed, runs, refused, gain.lo, gain.hi, element.lo, element.hi, couple.lo, couple.hi, loss.lo, loss.hi,
		rise.lo, rise.hi, rate.lo, rate.hi);
	ck_assert_msg(failed == 0, "%s: %u of %u autotunes failed or fitted far from the plant", pl->name, failed,
		      runs);
	ck_assert_msg(refused * 20 <= runs, "%s: %u of %u fits ran to a bound", pl->name, refused, runs);
}

/* ---- the journal's summary of a result ---- */

/* The figures the summary leads with, read back from its text. */
static void summary_figures(const char *text, double *ret_reach, double *ret_rise, double *ret_rest)
{
	ck_assert_msg(sscanf(text, "at full power the stone would settle at %lf °C, %lf °C over its unheated %lf °C",
			     ret_reach, ret_rise, ret_rest) == 3,
		      "%s", text);
}

/* Issue 18: the journal said "element +499.8 °C at full power", the one number of the
 * model the readings do not fix. On every pad of the simulated chair, as the daemon
 * tunes it, the summary now leads with what the readings do fix, the stone's steady
 * rise at full power, and that is the simulated pad's own within 10 %; a person can
 * check it against the stone (full power would settle it near 64 °C). */
START_TEST(test_summary_rise)
{
	static const enum zone zones[] = { ZONE_NECK, ZONE_SHOULDERS, ZONE_LOWER_BACK };
	char error[256], text[HEAT_AUTOTUNE_SUMMARY_MAX];

	for (size_t z = 0; z < ELEMENTSOF(zones); z++) {
		struct plant_truth truth;
		struct heat_tuning t;
		struct bench b;
		double reach, rise, rest;

		bench_init(&b, 18);
		b.pad = sim_chair_find_pad(&b.chair, zones[z]);
		ck_assert_ptr_nonnull(b.pad);
		plant_truth(&b.pad->p, &truth);
		ck_assert_msg(tune_relay_driven(&b, true, &t, error, sizeof(error)) == 0, "%s: %s",
			      zone_to_string(zones[z]), error);
		ck_assert_int_eq(heat_autotune_summary(&t, text, sizeof(text)), 0);
		fprintf(stderr, "# %s: %s (true rise %.1f °C, gain %.1f; fitted gain %.1f)\n", zone_to_string(zones[z]),
			text, truth.full_rise, truth.gain_c, t.model.gain_c);
		summary_figures(text, &reach, &rise, &rest);
		ck_assert_ptr_null(strstr(text, "IMPLAUSIBLE"));
		ck_assert_double_eq_tol(rise, truth.full_rise, SWEEP_RISE_TOL * truth.full_rise);
		ck_assert_double_eq_tol(reach, rest + rise, 0.11);
		ck_assert_msg(strstr(text, "fit within 0.0"), "%s", text);
	}
}
END_TEST

/* A model no pad can be is flagged, with the bound it breaks, never printed as if it
 * were one: issue 14's degenerate fit (the readings replayed as well as by the real
 * pad, its rise right at 34 °C, its element 500 °C over the stone). */
START_TEST(test_summary_flags_implausible)
{
	struct heat_tuning degenerate = {
		.model = { .gain_c = 499.8,
			   .element_s = 29.0,
			   .couple_s = 3098.0,
			   .loss_s = 211.0,
			   .sink_c = 30.2,
			   .sensor_s = 6.0 },
		.fit_rms_c = 0.04,
	};
	struct heat_tuning public = {
		.model = { .gain_c = 30.0,
			   .element_s = 34.3,
			   .couple_s = 150.4,
			   .loss_s = 170.5,
			   .sink_c = 30.2,
			   .sensor_s = 6.0 },
		.fit_rms_c = 0.04,
	};
	char text[HEAT_AUTOTUNE_SUMMARY_MAX];
	double reach, rise, rest;

	ck_assert_int_eq(heat_autotune_summary(&degenerate, text, sizeof(text)), -EINVAL);
	fprintf(stderr, "# degenerate: %s\n", text);
	summary_figures(text, &reach, &rise, &rest);
	ck_assert_double_eq_tol(rise, 34.0, 0.1);
	ck_assert_msg(
		strstr(text, "IMPLAUSIBLE, not a pad: the element's rise over the stone at full power (Gain) is 500"),
		"%s", text);

	ck_assert_int_eq(heat_autotune_summary(&public, text, sizeof(text)), 0);
	fprintf(stderr, "# public: %s\n", text);
	summary_figures(text, &reach, &rise, &rest);
	ck_assert_double_eq_tol(reach, 64.2, 0.1);
	ck_assert_double_eq_tol(rise, 34.0, 0.1);
	ck_assert_double_eq_tol(rest, 30.2, 0.05);
	ck_assert_msg(strstr(text, "element 34 s, stone 150 s from the element and 170 s cooling, sensor lag 6.0 s"),
		      "%s", text);
	ck_assert_ptr_null(strstr(text, "IMPLAUSIBLE"));
	/* a buffer too short cuts the text, never overruns it */
	ck_assert_int_eq(heat_autotune_summary(&degenerate, text, 20), -EINVAL);
	ck_assert_uint_eq(strlen(text), 19);
}
END_TEST

START_TEST(test_sweep)
{
	sweep_plant(&plants[_i], (unsigned)_i);
}
END_TEST

static Suite *heat_autotune_suite(void)
{
	Suite *s = suite_create("heat-autotune");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_public_pad);
	tcase_add_test(tc, test_heavy_stone);
	tcase_add_test(tc, test_dead_element);
	tcase_add_test(tc, test_detached_sensor);
	tcase_add_test(tc, test_warm_pad);
	tcase_add_test(tc, test_ceiling_guard);
	tcase_add_test(tc, test_ceiling_guard_synthetic);
	tcase_add_test(tc, test_new_refuses);
	/* fixed: progress followed the noisy reading; the fit fell into a wrong valley */
	tcase_add_test(tc, test_progress_never_backwards);
	tcase_add_test(tc, test_cold_room_seeds);
	/* issue 13, item 8: the fit ran to Gain=500 */
	tcase_add_test(tc, test_daemon_fit_plausible);
	tcase_add_test(tc, test_degenerate_fit);
	tcase_add_test(tc, test_edge_fit_fails);
	/* issue 18, item 8: the journal led with the figure the readings do not fix */
	tcase_add_test(tc, test_summary_rise);
	tcase_add_test(tc, test_summary_flags_implausible);
	suite_add_tcase(s, tc);

	/* issue 14: the fit slid to Gain=500 along the family the readings cannot tell apart */
	tc = tcase_create("sweep");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_sweep, 0, ELEMENTSOF(plants));
	suite_add_tcase(s, tc);

	/* A dead element on a cold pad warmed by the person: autotune itself notices only
	 * after its pulse and coast (about 1400 s); the daemon's runaway check stops the
	 * heat long before (about 260 s). Kept to run on demand until autotune notices. */
	if (getenv("MASSAGED_KNOWN_BUGS")) {
		tc = tcase_create("known-bugs");
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, test_dead_element_cold_pad);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	return check_run_tap(heat_autotune_suite());
}
