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
#include "heat-control.h"
#include "heat-model.h"
#include "heat-protect.h"
#include "heat-tuning.h"
#include "macro.h"
#include "sim-chair.h"

/* The temperature rules of docs/safety-rules.md (heat-protect.h): readings, overtemperature,
 * runaway, a stuck relay and the heat dose; the closed-loop checks run the controller
 * and autotune on the simulator's pad, one reading every 0.25 s of chair time, with
 * the protection judging each reading as the daemon's heat tick does. */

#define SAMPLE_S 0.25
#define SAMPLE_USEC 250000ULL
#define MAX_TARGET_C 45.0

#include "pad-bench.h"

/* ---- the daemon's heat tick, for one pad ---- */

struct pad_loop {
	struct heat_control control;
	struct heat_protect protect;
	struct heat_autotune *autotune; /* when tuning */
	double duty;                    /* applied since the previous reading */
	enum heat_verdict verdict;      /* the first that was not OK */
	double verdict_t;
	unsigned verdicts[6]; /* how often each verdict was given */
	bool tuned;           /* the model is the pad's own */
	bool seat_untold;     /* the seat sensor is not passed to the protection */
	double full_rise;     /* the fast runaway rule's rise after 20 s, or NAN */
	double step_max;      /* the largest change from one reading to the next */
};

static void loop_init(struct pad_loop *l, const struct heat_model *m)
{
	*l = (struct pad_loop) { .verdict = HEAT_VERDICT_OK, .verdict_t = NAN, .full_rise = NAN };
	ck_assert_int_eq(heat_control_init(&l->control, m, SAMPLE_S), 0);
	heat_protect_init(&l->protect, MAX_TARGET_C, m);
}

/* One reading: choose the duty (the controller or autotune), judge, apply. */
static enum heat_verdict loop_judge(struct bench *b, struct pad_loop *l, double target, double reading)
{
	double t = bench_t(b), duty;
	enum heat_verdict v;

	if (l->autotune) {
		duty = heat_autotune_update(l->autotune, t, reading);
		heat_control_observe(&l->control, t, reading);
		heat_control_applied(&l->control, duty);
	} else if (target > 0.0)
		duty = heat_control_update(&l->control, t, reading, target);
	else {
		heat_control_observe(&l->control, t, reading);
		heat_control_applied(&l->control, duty = 0.0);
	}
	if (!l->seat_untold)
		heat_protect_seated(&l->protect, t, b->chair.seated);
	if (l->protect.started)
		l->step_max = fmax(l->step_max, fabs(reading - l->protect.reading_last));
	heat_protect_autotuning(&l->protect, l->autotune != NULL);
	heat_protect_model_tuned(&l->protect, l->tuned);
	v = heat_protect_check(&l->protect, t, reading, l->duty, &l->control);
	if (isnan(l->full_rise) && l->protect.full_since >= 0.0 && t - l->protect.full_since >= HEAT_RUNAWAY_FULL_S)
		l->full_rise = reading - l->protect.full_start_c - l->protect.full_base_c;
	ck_assert_int_ge(v, HEAT_VERDICT_OK);
	ck_assert_int_le(v, HEAT_VERDICT_FROZEN);
	l->verdicts[v]++;
	if (v != HEAT_VERDICT_OK && l->verdict == HEAT_VERDICT_OK) {
		l->verdict = v;
		l->verdict_t = t;
	}
	l->duty = duty;
	bench_hold(b, duty);
	return v;
}

static enum heat_verdict loop_tick(struct bench *b, struct pad_loop *l, double target)
{
	return loop_judge(b, l, target, bench_read(b));
}

/* Run until `until` or the first verdict other than OK; returns that verdict. */
static enum heat_verdict loop_until(struct bench *b, struct pad_loop *l, double target, double until)
{
	while (bench_t(b) < until - 1e-9) {
		enum heat_verdict v = loop_tick(b, l, target);
		if (v != HEAT_VERDICT_OK)
			return v;
	}
	return HEAT_VERDICT_OK;
}

static const char *verdict_name(enum heat_verdict v)
{
	static const char *const names[] = { "ok", "overtemp", "runaway", "stuck", "sensor", "frozen" };
	return v >= 0 && v < (int)ELEMENTSOF(names) ? names[v] : "?";
}

/* Autotune at 45 °C (ceiling MaxTarget + 1) from cold, judged by the protection with
 * the model the pad has before tuning (the defaults). */
static void tune_judged(struct bench *b, struct heat_model *ret)
{
	struct pad_loop l;
	struct heat_model m;
	struct heat_tuning result;

	heat_model_default(&m);
	loop_init(&l, &m);
	ck_assert_int_eq(heat_autotune_new(&l.autotune, 45.0, MAX_TARGET_C + 1.0, SAMPLE_S), 0);
	while (!heat_autotune_done(l.autotune) && bench_t(b) < 7200.0)
		ck_assert_msg(loop_tick(b, &l, 0.0) == HEAT_VERDICT_OK, "autotune judged %s at %.2f s",
			      verdict_name(l.verdict), l.verdict_t);
	ck_assert_msg(heat_autotune_result(l.autotune, &result) == 0, "autotune: %s", heat_autotune_error(l.autotune));
	l.autotune = heat_autotune_free(l.autotune);
	*ret = result.model;
}

static struct heat_model tuned;
static bool tuned_ok;

static void tune_once(void)
{
	struct bench b;

	/* the pad tuned here is the one the closed-loop tests control (same parameters) */
	bench_init(&b, 21);
	tune_judged(&b, &tuned);
	tuned_ok = true;
}

static void pad_model(bool use_tuned, struct heat_model *ret)
{
	if (use_tuned) {
		ck_assert_msg(tuned_ok, "autotune failed");
		*ret = tuned;
	} else
		heat_model_default(ret);
}

/* ---- readings ---- */

START_TEST(test_reading_from_raw)
{
	double c = -1.0;

	ck_assert_int_eq(heat_reading_from_raw(425, &c), 0);
	ck_assert_double_eq(c, 42.5);
	ck_assert_int_eq(heat_reading_from_raw(0, &c), 0);
	ck_assert_double_eq(c, 0.0);
	ck_assert_int_eq(heat_reading_from_raw(900, &c), 0);
	ck_assert_double_eq(c, 90.0);
	ck_assert_int_eq(heat_reading_from_raw(241, &c), 0);
	ck_assert_double_eq_tol(c, 24.1, 1e-12);

	c = 12.5;
	ck_assert_int_eq(heat_reading_from_raw(INT16_MIN, &c), -ERANGE); /* 0x8000: open */
	ck_assert_int_eq(heat_reading_from_raw(INT16_MAX, &c), -ERANGE); /* 0x7FFF: short */
	ck_assert_int_eq(heat_reading_from_raw((int16_t)0x8000, &c), -ERANGE);
	ck_assert_int_eq(heat_reading_from_raw(0x7FFF, &c), -ERANGE);
	ck_assert_int_eq(heat_reading_from_raw(-5, &c), -ERANGE);
	ck_assert_int_eq(heat_reading_from_raw(-1, &c), -ERANGE);
	ck_assert_int_eq(heat_reading_from_raw(901, &c), -ERANGE);
	ck_assert_int_eq(heat_reading_from_raw(INT16_MIN + 1, &c), -ERANGE);
	ck_assert_double_eq(c, 12.5); /* untouched on error */
}
END_TEST

/* ---- overtemperature ---- */

static enum heat_verdict judge_once(double max_target, int16_t raw)
{
	struct heat_control c;
	struct heat_protect p;
	struct heat_model m;
	double reading;

	heat_model_default(&m);
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	heat_protect_init(&p, max_target, &m);
	ck_assert_int_eq(heat_reading_from_raw(raw, &reading), 0);
	heat_control_observe(&c, 0.0, reading);
	return heat_protect_check(&p, 0.0, reading, 0.0, &c);
}

START_TEST(test_overtemp)
{
	ck_assert_int_eq(judge_once(45.0, 480), HEAT_VERDICT_OVERTEMP);
	ck_assert_int_eq(judge_once(45.0, 479), HEAT_VERDICT_OK);
	ck_assert_int_eq(judge_once(45.0, 900), HEAT_VERDICT_OVERTEMP);
	ck_assert_int_eq(judge_once(48.0, 510), HEAT_VERDICT_OVERTEMP);
	ck_assert_int_eq(judge_once(48.0, 509), HEAT_VERDICT_OK);
	ck_assert_int_eq(judge_once(42.5, 455), HEAT_VERDICT_OVERTEMP);
	ck_assert_int_eq(judge_once(42.5, 454), HEAT_VERDICT_OK);

	/* on a pad: a reading crossing 48.0 trips on that very reading, duty or not */
	struct heat_control c;
	struct heat_protect p;
	struct heat_model m;
	double t = 0.0;

	heat_model_default(&m);
	ck_assert_int_eq(heat_control_init(&c, &m, SAMPLE_S), 0);
	heat_protect_init(&p, 45.0, &m);
	for (int raw = 440; raw < 480; raw++, t += SAMPLE_S) {
		heat_control_observe(&c, t, raw / 10.0);
		ck_assert_int_ne(heat_protect_check(&p, t, raw / 10.0, 0.0, &c), HEAT_VERDICT_OVERTEMP);
	}
	heat_control_observe(&c, t, 48.0);
	ck_assert_int_eq(heat_protect_check(&p, t, 48.0, 0.0, &c), HEAT_VERDICT_OVERTEMP);
}
END_TEST

/* ---- closed loop: nothing trips in normal use ---- */

/* A cold start to 45 °C, the person leaning back at 900 s, until 1500 s: only OK. */
START_TEST(test_normal_use_ok)
{
	bool use_tuned = _i;
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	enum heat_verdict v;

	pad_model(use_tuned, &m);
	loop_init(&l, &m);
	l.tuned = use_tuned;
	bench_init(&b, 22);
	v = loop_until(&b, &l, 45.0, 900.0);
	ck_assert_msg(v == HEAT_VERDICT_OK, "%s: %s at %.2f s during the cold start", use_tuned ? "tuned" : "defaults",
		      verdict_name(v), l.verdict_t);
	ck_assert_double_eq_tol(b.pad->t_stone, 45.0, 0.5);
	b.pad->p.k_body *= 2.0;
	v = loop_until(&b, &l, 45.0, 1500.0);
	ck_assert_msg(v == HEAT_VERDICT_OK, "%s: %s at %.2f s after leaning back", use_tuned ? "tuned" : "defaults",
		      verdict_name(v), l.verdict_t);
	ck_assert_double_eq_tol(b.pad->t_stone, 45.0, 0.5);
	/* then off: the pad coasts down, still OK */
	v = loop_until(&b, &l, 0.0, 2100.0);
	ck_assert_msg(v == HEAT_VERDICT_OK, "%s: %s at %.2f s switched off", use_tuned ? "tuned" : "defaults",
		      verdict_name(v), l.verdict_t);
	ck_assert_uint_eq(l.verdicts[HEAT_VERDICT_OK], 2100 * 4);
}
END_TEST

/* Autotune on the heavier and the slower pads of the bench: only OK, too (the public
 * pad's autotune is judged in tune_once()). */
START_TEST(test_autotune_ok)
{
	struct heat_model m;
	struct bench b;

	ck_assert_msg(tuned_ok, "autotune of the public pad failed");
	bench_init(&b, 23);
	b.pad->p.c_stone *= 2.0;
	tune_judged(&b, &m);
	bench_init(&b, 24);
	b.pad->p.sensor_tau = 15.0;
	tune_judged(&b, &m);
	bench_init(&b, 25);
	b.pad->p.power_w = 40.0;
	tune_judged(&b, &m);
}
END_TEST

/* ---- closed loop: faults while holding 45 °C ---- */

struct fault_case {
	unsigned fault;
	enum heat_verdict expect;
	const char *name;
};

static const struct fault_case fault_cases[] = {
	{ SIM_PAD_HEATER_DEAD, HEAT_VERDICT_RUNAWAY, "element dead" },
	{ SIM_PAD_SENSOR_DETACHED, HEAT_VERDICT_SENSOR, "sensor detached" },
	{ SIM_PAD_HEATER_STUCK, HEAT_VERDICT_STUCK, "relay stuck" },
};

static void fault_while_holding(const struct fault_case *fc, bool use_tuned, uint64_t seed, struct pad_loop *l,
				double *ret_t0)
{
	struct heat_model m;
	struct bench b;
	enum heat_verdict v;
	double t0;

	pad_model(use_tuned, &m);
	loop_init(l, &m);
	l->tuned = use_tuned;
	bench_init(&b, seed);
	ck_assert_int_eq(loop_until(&b, l, 45.0, 900.0), HEAT_VERDICT_OK);
	t0 = bench_t(&b);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, b.now, ZONE_SHOULDERS, fc->fault, true), 0);
	b.stone_max = b.pad->t_stone;
	v = loop_until(&b, l, 45.0, t0 + 600.0);
	fprintf(stderr, "# %s, %s: %s after %.2f s, stone max %.2f °C\n", fc->name, use_tuned ? "tuned" : "defaults",
		verdict_name(v), l->verdict_t - t0, b.stone_max);
	ck_assert_uint_eq(l->verdicts[HEAT_VERDICT_RUNAWAY] + l->verdicts[HEAT_VERDICT_STUCK] +
				  l->verdicts[HEAT_VERDICT_OVERTEMP] + l->verdicts[HEAT_VERDICT_SENSOR],
			  1);
	*ret_t0 = t0;
}

/* _i: fault case × (tuned, defaults) */
START_TEST(test_fault_while_holding)
{
	const struct fault_case *fc = &fault_cases[_i / 2];
	bool use_tuned = _i % 2 == 0;
	struct pad_loop l;
	double t0;

	fault_while_holding(fc, use_tuned, 30 + _i, &l, &t0);
	if (fc->fault == SIM_PAD_HEATER_STUCK && !use_tuned) {
		/* untuned, the stuck relay is caught as overtemperature: the master relay goes
		 * off either way, but see test_stuck_defaults_diagnosed */
		ck_assert_msg(l.verdict == HEAT_VERDICT_STUCK || l.verdict == HEAT_VERDICT_OVERTEMP,
			      "%s (defaults): %s", fc->name, verdict_name(l.verdict));
	} else
		ck_assert_msg(l.verdict == fc->expect, "%s (%s): %s at %.2f s, expected %s", fc->name,
			      use_tuned ? "tuned" : "defaults", verdict_name(l.verdict), l.verdict_t - t0,
			      verdict_name(fc->expect));
	if (fc->fault == SIM_PAD_SENSOR_DETACHED) /* on the very first reading of the room */
		ck_assert_double_eq(l.verdict_t, t0);
	ck_assert_double_le(l.verdict_t - t0, 120.0);
}
END_TEST

/* Autotune with a dead element or the sensor off the stone: the protection stops the
 * heat, before autotune gives up on its own (300 s of full power without a rise) and,
 * with the sensor reading the air, before the stone gets past MaxTarget. */
START_TEST(test_fault_during_autotune)
{
	const struct fault_case *fc = &fault_cases[_i];
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	enum heat_verdict v = HEAT_VERDICT_OK;

	heat_model_default(&m);
	loop_init(&l, &m);
	bench_init(&b, 40 + _i);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, 0, ZONE_SHOULDERS, fc->fault, true), 0);
	ck_assert_int_eq(heat_autotune_new(&l.autotune, 45.0, MAX_TARGET_C + 1.0, SAMPLE_S), 0);
	while (!heat_autotune_done(l.autotune) && bench_t(&b) < 3600.0 && v == HEAT_VERDICT_OK)
		v = loop_tick(&b, &l, 0.0);
	fprintf(stderr, "# autotune, %s: %s after %.2f s, stone max %.2f °C, autotune %s\n", fc->name, verdict_name(v),
		l.verdict_t, b.stone_max, heat_autotune_error(l.autotune) ?: "running");
	ck_assert_msg(v == HEAT_VERDICT_RUNAWAY, "autotune, %s: %s", fc->name, verdict_name(v));
	ck_assert(!heat_autotune_done(l.autotune));
	ck_assert_double_le(b.stone_max, MAX_TARGET_C);
	l.autotune = heat_autotune_free(l.autotune);
}
END_TEST

/* ---- the bench plants (the JSON files in bench/plants) ---- */

enum plant {
	PLANT_PUBLIC,
	PLANT_HEAVY_STONE,
	PLANT_SLOW_SENSOR,
	PLANT_WEAK_ELEMENT,
	PLANT_COLD_ROOM,
	_PLANT_MAX,
};

static const char *const plant_names[_PLANT_MAX] = {
	"public", "heavy stone", "slow sensor", "weak element", "cold room",
};

static void bench_plant(struct bench *b, uint64_t seed, enum plant plant)
{
	bench_init(b, seed);
	switch (plant) {
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
		ck_assert_int_eq(sim_chair_set_pad_temperature(&b->chair, 0, ZONE_SHOULDERS, 15.0), 0);
		b->stone_max = b->stone_min = b->pad->t_stone;
		break;
	default:
		break;
	}
}

/* ---- the reading: a sensor off the stone, a frozen one ---- */

/* A sensor that falls off a 44 °C stone and reads the room through a 6 s lag of its
 * own: the reading decays towards 24 °C, 0.8 °C in its first quarter second (it fell
 * off just after the last reading on the stone, the smallest first step). The fault is
 * judged on that first reading. */
START_TEST(test_sensor_falls_off_lagging)
{
	bool use_tuned = _i;
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	double t_fall, first = NAN, last_on;
	enum heat_verdict v = HEAT_VERDICT_OK;

	pad_model(use_tuned, &m);
	loop_init(&l, &m);
	l.tuned = use_tuned;
	bench_init(&b, 50 + _i);
	ck_assert_int_eq(loop_until(&b, &l, 44.0, 900.0), HEAT_VERDICT_OK);
	last_on = l.protect.reading_last;
	t_fall = bench_t(&b) - SAMPLE_S;
	while (v == HEAT_VERDICT_OK && bench_t(&b) < t_fall + 60.0) {
		double r = round((24.0 + 20.0 * exp(-(bench_t(&b) - t_fall) / 6.0)) * 10.0) / 10.0;

		if (isnan(first))
			first = r;
		v = loop_judge(&b, &l, 44.0, r);
	}
	fprintf(stderr, "# sensor off a 44 °C stone, 6 s lag, %s: %.1f -> %.1f °C, %s %.2f s after it fell off\n",
		use_tuned ? "tuned" : "defaults", last_on, first, verdict_name(v), l.verdict_t - t_fall);
	ck_assert_msg(v == HEAT_VERDICT_SENSOR, "%s at %.2f s", verdict_name(v), l.verdict_t - t_fall);
	ck_assert_double_le(l.verdict_t - t_fall, SAMPLE_S + 1e-9);
}
END_TEST

/* Normal use (a cold start to 45 °C, the person leaning back at 900 s, off at 1500 s,
 * to 2100 s) on every bench plant, tuned and with the defaults: the sensor noise, the
 * 0.1 °C steps and a 15 s sensor lag never look like a sensor off the stone or frozen.
 * Every verdict is counted, the run goes on after one. _i: plant × (tuned, defaults) */
START_TEST(test_normal_readings)
{
	enum plant plant = _i / 2;
	bool use_tuned = _i % 2 == 0;
	struct heat_model m;
	struct pad_loop l;
	struct bench b;

	if (use_tuned) {
		bench_plant(&b, 60 + _i, plant);
		tune_judged(&b, &m);
	} else
		heat_model_default(&m);
	loop_init(&l, &m);
	l.tuned = use_tuned;
	bench_plant(&b, 70 + _i, plant);
	while (bench_t(&b) < 900.0)
		loop_tick(&b, &l, 45.0);
	b.pad->p.k_body *= 2.0;
	while (bench_t(&b) < 1500.0)
		loop_tick(&b, &l, 45.0);
	while (bench_t(&b) < 2100.0)
		loop_tick(&b, &l, 0.0);
	fprintf(stderr,
		"# normal use, %s, %s: largest step %.2f °C; sensor %u, frozen %u, stuck %u, runaway %u, "
		"overtemp %u\n",
		plant_names[plant], use_tuned ? "tuned" : "defaults", l.step_max, l.verdicts[HEAT_VERDICT_SENSOR],
		l.verdicts[HEAT_VERDICT_FROZEN], l.verdicts[HEAT_VERDICT_STUCK], l.verdicts[HEAT_VERDICT_RUNAWAY],
		l.verdicts[HEAT_VERDICT_OVERTEMP]);
	ck_assert_uint_eq(l.verdicts[HEAT_VERDICT_SENSOR], 0);
	ck_assert_uint_eq(l.verdicts[HEAT_VERDICT_FROZEN], 0);
	ck_assert_double_le(l.step_max, HEAT_SENSOR_JUMP_C / 2.0);
}
END_TEST

/* The reading sticks while the pad holds 45 °C: FROZEN 45 s after it last changed. */
START_TEST(test_frozen_while_holding)
{
	bool use_tuned = _i;
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	enum heat_verdict v;
	double t0;

	pad_model(use_tuned, &m);
	loop_init(&l, &m);
	l.tuned = use_tuned;
	bench_init(&b, 80 + _i);
	ck_assert_int_eq(loop_until(&b, &l, 45.0, 900.0), HEAT_VERDICT_OK);
	t0 = bench_t(&b);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, b.now, ZONE_SHOULDERS, SIM_PAD_SENSOR_FROZEN, true), 0);
	b.stone_max = b.pad->t_stone;
	v = loop_until(&b, &l, 45.0, t0 + 120.0);
	fprintf(stderr, "# frozen while holding, %s: %s after %.2f s, stone max %.2f °C\n",
		use_tuned ? "tuned" : "defaults", verdict_name(v), l.verdict_t - t0, b.stone_max);
	ck_assert_msg(v == HEAT_VERDICT_FROZEN, "%s", verdict_name(v));
	ck_assert_double_eq_tol(l.verdict_t - t0, HEAT_SENSOR_FROZEN_S, 1.0);
}
END_TEST

/* A pad that is off reads the same for ten minutes: not a frozen sensor, whether it
 * is at rest or has been heated before. */
START_TEST(test_frozen_while_off)
{
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	double t0;

	heat_model_default(&m);
	loop_init(&l, &m);
	bench_init(&b, 90);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, 0, ZONE_SHOULDERS, SIM_PAD_SENSOR_FROZEN, true), 0);
	ck_assert_int_eq(loop_until(&b, &l, 0.0, 600.0), HEAT_VERDICT_OK);
	ck_assert_double_eq(l.step_max, 0.0);

	loop_init(&l, &m);
	bench_init(&b, 91);
	ck_assert_int_eq(loop_until(&b, &l, 45.0, 900.0), HEAT_VERDICT_OK);
	ck_assert_int_eq(loop_until(&b, &l, 0.0, 1020.0), HEAT_VERDICT_OK);
	t0 = bench_t(&b);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, b.now, ZONE_SHOULDERS, SIM_PAD_SENSOR_FROZEN, true), 0);
	ck_assert_int_eq(loop_tick(&b, &l, 0.0), HEAT_VERDICT_OK);
	l.step_max = 0.0;
	ck_assert_int_eq(loop_until(&b, &l, 0.0, t0 + 600.0), HEAT_VERDICT_OK);
	ck_assert_double_eq(l.step_max, 0.0);
	fprintf(stderr, "# frozen while off: 600 s at rest and 600 s after heat, no verdict\n");
}
END_TEST

/* ---- a welded relay ---- */

/* The relay welded shut from cold (the approach at full power) on the public pad:
 * STUCK within 30 s of the controller first letting go, and with the master relay off
 * from the verdict (300 s more of the plant) the stone's true peak stays within
 * MaxTarget + 1.0 °C on the defaults, + 0.5 °C tuned. */
static void welded_from_cold(bool use_tuned, double target, uint64_t seed)
{
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	double t_below = NAN, peak_at_verdict, limit = MAX_TARGET_C + (use_tuned ? 0.5 : 1.0);
	enum heat_verdict v = HEAT_VERDICT_OK;

	pad_model(use_tuned, &m);
	loop_init(&l, &m);
	l.tuned = use_tuned;
	bench_init(&b, seed);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, 0, ZONE_SHOULDERS, SIM_PAD_HEATER_STUCK, true), 0);
	while (v == HEAT_VERDICT_OK && bench_t(&b) < 1200.0) {
		double t = bench_t(&b);

		v = loop_tick(&b, &l, target);
		if (isnan(t_below) && l.duty < 1.0)
			t_below = t;
	}
	peak_at_verdict = b.stone_max;
	sim_chair_set_output(&b.chair, b.now, OUTPUT_HEAT_POWER, false);
	for (unsigned i = 0; i < 300 / SAMPLE_S; i++)
		bench_hold(&b, 0.0);
	fprintf(stderr,
		"# welded from cold, target %.0f °C, %s: %s at %.2f s, %.2f s after the first step down "
		"(at %.2f s); stone %.2f °C at the verdict, peak %.2f °C (limit %.1f)\n",
		target, use_tuned ? "tuned" : "defaults", verdict_name(v), l.verdict_t, l.verdict_t - t_below, t_below,
		peak_at_verdict, b.stone_max, limit);
	ck_assert_msg(v == HEAT_VERDICT_STUCK, "%s at %.2f s", verdict_name(v), l.verdict_t);
	if (!isnan(t_below))
		ck_assert_double_le(l.verdict_t - t_below, 30.0);
	ck_assert_double_le(b.stone_max, limit);
}

/* target 44 °C, as the fault bench sets it; _i: tuned, defaults */
START_TEST(test_welded_from_cold)
{
	welded_from_cold(_i == 0, MAX_TARGET_C - 1.0, 100 + _i);
}
END_TEST

/* target MaxTarget, which a user may set */
START_TEST(test_welded_from_cold_at_max_target)
{
	welded_from_cold(_i == 0, MAX_TARGET_C, 102 + _i);
}
END_TEST

/* The person gets up while the pad holds 45 °C; after 30 s of an empty seat the daemon
 * turns the heat off (heater.c). Returns the first verdict within 300 s. */
static enum heat_verdict get_up(bool use_tuned, bool tell, uint64_t seed, struct pad_loop *l, double *ret_t0)
{
	struct heat_model m;
	struct bench b;
	enum heat_verdict v;
	double t0;

	pad_model(use_tuned, &m);
	loop_init(l, &m);
	l->tuned = use_tuned;
	l->seat_untold = !tell;
	bench_init(&b, seed);
	ck_assert_int_eq(loop_until(&b, l, 45.0, 900.0), HEAT_VERDICT_OK);
	t0 = bench_t(&b);
	sim_chair_set_seated(&b.chair, b.now, false);
	v = loop_until(&b, l, 45.0, t0 + 30.0);
	if (v == HEAT_VERDICT_OK)
		v = loop_until(&b, l, 0.0, t0 + 300.0);
	*ret_t0 = t0;
	return v;
}

/* Told of the seat, as heater.c does it: no verdict, tuned (the window fit's largest
 * misfit in normal use) or not. Untold, printed only: why the seat hold exists. */
START_TEST(test_get_up_while_holding)
{
	bool use_tuned = _i == 0;
	struct pad_loop l;
	enum heat_verdict v;
	double t0;

	v = get_up(use_tuned, true, 110 + _i, &l, &t0);
	fprintf(stderr, "# getting up while holding, %s, seat told: %s", use_tuned ? "tuned" : "defaults",
		verdict_name(v));
	if (v != HEAT_VERDICT_OK)
		fprintf(stderr, " %.2f s after", l.verdict_t - t0);
	fprintf(stderr, " (window fit gain %.4f °C² at the end)\n", l.protect.relay.gain);
	ck_assert_msg(v == HEAT_VERDICT_OK, "%s %.2f s after getting up", verdict_name(v), l.verdict_t - t0);

	v = get_up(use_tuned, false, 110 + _i, &l, &t0);
	fprintf(stderr, "# getting up while holding, %s, seat NOT told: %s", use_tuned ? "tuned" : "defaults",
		verdict_name(v));
	if (v != HEAT_VERDICT_OK)
		fprintf(stderr, " %.2f s after", l.verdict_t - t0);
	fprintf(stderr, "\n");
}
END_TEST

/* ---- runaway from off: full power without a rise ---- */

/* A pad at rest for 60 s, then full power with a dead element: RUNAWAY within 21 s. */
START_TEST(test_runaway_dead_from_rest)
{
	bool use_tuned = _i;
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	enum heat_verdict v;
	double t_on;

	pad_model(use_tuned, &m);
	loop_init(&l, &m);
	l.tuned = use_tuned;
	bench_init(&b, 120 + _i);
	ck_assert_int_eq(loop_until(&b, &l, 0.0, 60.0), HEAT_VERDICT_OK);
	t_on = bench_t(&b);
	ck_assert_int_eq(sim_chair_set_pad_fault(&b.chair, b.now, ZONE_SHOULDERS, SIM_PAD_HEATER_DEAD, true), 0);
	v = loop_until(&b, &l, MAX_TARGET_C, t_on + 300.0);
	fprintf(stderr, "# dead element from rest, %s: %s %.2f s after full power, rise %.2f °C\n",
		use_tuned ? "tuned" : "defaults", verdict_name(v), l.verdict_t - t_on, l.full_rise);
	ck_assert_msg(v == HEAT_VERDICT_RUNAWAY, "%s", verdict_name(v));
	ck_assert_double_le(l.verdict_t - t_on, HEAT_RUNAWAY_FULL_S + 1.0);
}
END_TEST

/* A healthy pad still coasting from earlier heat, heated again at full power: no
 * verdict (the first 20 s of full power are judged against the rise the model expects).
 * Heated to a 40 °C reading either at full power from cold or after holding 40 °C for
 * ten minutes, then off for a while. _i: (from cold, held) × the time off */
static const double cooling_off_s[] = { 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 60.0, 120.0 };

START_TEST(test_full_power_while_cooling)
{
	bool held = (unsigned)_i >= ELEMENTSOF(cooling_off_s);
	double off_s = cooling_off_s[_i % ELEMENTSOF(cooling_off_s)], t_on;
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	enum heat_verdict v;

	heat_model_default(&m);
	loop_init(&l, &m);
	bench_init(&b, 130 + _i);
	if (held)
		ck_assert_int_eq(loop_until(&b, &l, 40.0, 600.0), HEAT_VERDICT_OK);
	while (l.protect.reading_last < 40.0 && bench_t(&b) < 900.0)
		ck_assert_int_eq(loop_tick(&b, &l, MAX_TARGET_C), HEAT_VERDICT_OK);
	ck_assert_double_ge(l.protect.reading_last, 40.0);
	ck_assert_int_eq(loop_until(&b, &l, 0.0, bench_t(&b) + off_s), HEAT_VERDICT_OK);
	t_on = bench_t(&b);
	v = loop_until(&b, &l, MAX_TARGET_C, t_on + 600.0);
	fprintf(stderr, "# full power after %.0f s off from a 40 °C reading (%s): %s", off_s,
		held ? "held" : "from cold", verdict_name(v));
	if (v != HEAT_VERDICT_OK)
		fprintf(stderr, " %.2f s after full power", l.verdict_t - t_on);
	if (isnan(l.full_rise))
		fprintf(stderr, ", not judged\n");
	else
		fprintf(stderr, ", the heat's rise after 20 s %.2f °C of the %.2f °C the model expected\n", l.full_rise,
			l.protect.full_expected_c);
	ck_assert_msg(v == HEAT_VERDICT_OK, "%s %.2f s after full power", verdict_name(v), l.verdict_t - t_on);
}
END_TEST

/* A healthy pad at rest for 60 s, then heated to 45 °C on every bench plant: no
 * verdict (the fast rule judges the first 20 s against a 0.2 °C rise). */
START_TEST(test_full_power_from_rest)
{
	enum plant plant = _i / 2;
	bool use_tuned = _i % 2 == 0 && plant == PLANT_PUBLIC;
	struct heat_model m;
	struct pad_loop l;
	struct bench b;
	enum heat_verdict v;

	if (_i % 2 == 0 && plant != PLANT_PUBLIC)
		return; /* tuned only for the public pad; the fast rule needs no model */
	pad_model(use_tuned, &m);
	loop_init(&l, &m);
	l.tuned = use_tuned;
	bench_plant(&b, 140 + _i, plant);
	ck_assert_int_eq(loop_until(&b, &l, 0.0, 60.0), HEAT_VERDICT_OK);
	v = loop_until(&b, &l, MAX_TARGET_C, 900.0);
	fprintf(stderr, "# healthy from rest, %s, %s: %s, the heat's rise after 20 s %.2f °C of %.2f expected\n",
		plant_names[plant], use_tuned ? "tuned" : "defaults", verdict_name(v), l.full_rise,
		l.protect.full_expected_c);
	ck_assert_msg(v == HEAT_VERDICT_OK, "%s at %.2f s", verdict_name(v), l.verdict_t);
	ck_assert(!isnan(l.full_rise)); /* the rule did judge it */
}
END_TEST

/* ---- bugs these tests found (fixed unless registered under known-bugs below) ---- */

/* With the untuned defaults (a strong element: full_rate 0.33 °C/s where the public pad
 * has about 0.2), the stuck check needs a heat flow the welded relay does not show in
 * time: the reading reaches MaxTarget + 3 first, and the fault says "overtemp". */
START_TEST(test_stuck_defaults_diagnosed)
{
	struct pad_loop l;
	double t0;

	fault_while_holding(&fault_cases[2], false, 35, &l, &t0);
	ck_assert_msg(l.verdict == HEAT_VERDICT_STUCK, "%s after %.2f s", verdict_name(l.verdict), l.verdict_t - t0);
}
END_TEST

/* ---- heat dose ---- */

START_TEST(test_dose_rate)
{
	ck_assert_double_eq_tol(heat_dose_rate(43.0), 1.0, 1e-12);
	ck_assert_double_eq_tol(heat_dose_rate(44.0), 2.0, 1e-12);
	ck_assert_double_eq_tol(heat_dose_rate(45.0), 4.0, 1e-12);
	ck_assert_double_eq_tol(heat_dose_rate(42.0), 0.25, 1e-12);
	ck_assert_double_eq_tol(heat_dose_rate(41.0), 0.0625, 1e-12);
	ck_assert_double_eq_tol(heat_dose_rate(46.0), 8.0, 1e-12);
	/* continuous and increasing across 43 °C */
	ck_assert_double_eq_tol(heat_dose_rate(43.0 - 1e-9), 1.0, 1e-6);
	for (double c = 30.0; c < 50.0; c += 0.1)
		ck_assert_double_lt(heat_dose_rate(c), heat_dose_rate(c + 0.1));
}
END_TEST

/* Ten minutes of readings at 45 °C are 40 minutes at 43 °C. */
START_TEST(test_dose_accumulates)
{
	struct heat_dose d;
	double t;

	heat_dose_init(&d, 24 * 3600.0);
	ck_assert_double_eq(heat_dose_total(&d, 0.0), 0.0);
	for (t = 0.0; t <= 600.0 + 1e-9; t += SAMPLE_S)
		heat_dose_add(&d, t, 45.0);
	ck_assert_double_eq_tol(heat_dose_total(&d, t), 40.0, 0.5);

	/* ten more at 43 °C add 10; body heat adds next to nothing */
	for (; t <= 1200.0 + 1e-9; t += SAMPLE_S)
		heat_dose_add(&d, t, 43.0);
	ck_assert_double_eq_tol(heat_dose_total(&d, t), 50.0, 0.5);
	for (; t <= 1800.0 + 1e-9; t += SAMPLE_S)
		heat_dose_add(&d, t, 37.0);
	ck_assert_double_eq_tol(heat_dose_total(&d, t), 50.0, 0.5);
	ck_assert_double_gt(heat_dose_total(&d, t), 50.0 - 0.5);
}
END_TEST

/* The window: a dose is kept at least DoseWindow, forgotten within a 24th more; a
 * pause in readings (massaged not running) counts for nothing, and a saved window put
 * back holds the same total. */
START_TEST(test_dose_window)
{
	const double window = 3600.0, slice = window / HEAT_DOSE_SLICES;
	double saved[HEAT_DOSE_SLICES + 1], t;
	struct heat_dose d, back;

	heat_dose_init(&d, window);
	for (t = 0.0; t <= 600.0 + 1e-9; t += SAMPLE_S)
		heat_dose_add(&d, t, 45.0);
	ck_assert_double_eq_tol(heat_dose_total(&d, t), 40.0, 0.5);
	/* still all there a whole window after the first of it */
	ck_assert_double_eq_tol(heat_dose_total(&d, window), 40.0, 0.5);
	/* gone once the window and a slice have passed since the first of it */
	ck_assert_double_lt(heat_dose_total(&d, 600.0 + window + slice + 1.0), 1e-9);

	heat_dose_init(&d, window);
	for (t = 0.0; t <= 600.0 + 1e-9; t += SAMPLE_S)
		heat_dose_add(&d, t, 45.0);
	heat_dose_get(&d, saved);
	heat_dose_init(&back, window);
	heat_dose_put(&back, saved);
	/* restored in a process whose clock starts anywhere: nothing is lost at once */
	heat_dose_add(&back, 5.0, 37.0);
	ck_assert_double_eq_tol(heat_dose_total(&back, 5.0), 40.0, 0.5);
	ck_assert_double_eq_tol(heat_dose_total(&back, 5.0 + window - 600.0 - slice), 40.0, 0.5);
	ck_assert_double_lt(heat_dose_total(&back, 5.0 + window + slice + 1.0), 1e-9);

	/* a long gap between two readings is not dose */
	heat_dose_init(&d, window);
	heat_dose_add(&d, 0.0, 45.0);
	heat_dose_put(&d, (double[HEAT_DOSE_SLICES + 1]) { 0 });
	heat_dose_add(&d, 1e5, 45.0);
	ck_assert_double_lt(heat_dose_total(&d, 1e5), 1e-9);
}
END_TEST

static Suite *heat_protect_suite(void)
{
	Suite *s = suite_create("heat-protect");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, tune_once, NULL);
	tcase_add_test(tc, test_reading_from_raw);
	tcase_add_test(tc, test_overtemp);
	tcase_add_loop_test(tc, test_normal_use_ok, 0, 2);
	tcase_add_test(tc, test_autotune_ok);
	tcase_add_loop_test(tc, test_fault_while_holding, 0, 2 * ELEMENTSOF(fault_cases));
	tcase_add_loop_test(tc, test_fault_during_autotune, 0, 2);
	tcase_add_loop_test(tc, test_sensor_falls_off_lagging, 0, 2);
	tcase_add_loop_test(tc, test_normal_readings, 0, 2 * _PLANT_MAX);
	tcase_add_loop_test(tc, test_frozen_while_holding, 0, 2);
	tcase_add_test(tc, test_frozen_while_off);
	tcase_add_loop_test(tc, test_welded_from_cold, 0, 2);
	tcase_add_loop_test(tc, test_get_up_while_holding, 0, 2);
	tcase_add_loop_test(tc, test_runaway_dead_from_rest, 0, 2);
	tcase_add_loop_test(tc, test_full_power_from_rest, 0, 2 * _PLANT_MAX);
	/* fixed: heated again 15-40 s after heat, a healthy pad got RUNAWAY when the fast
	 * rule extrapolated the reading's trend at the top of its coast */
	tcase_add_loop_test(tc, test_full_power_while_cooling, 0, 2 * ELEMENTSOF(cooling_off_s));
	tcase_add_test(tc, test_dose_rate);
	tcase_add_test(tc, test_dose_accumulates);
	tcase_add_test(tc, test_dose_window);
	/* fixed: with untuned defaults a welded relay tripped overtemp before stuck */
	tcase_add_test(tc, test_stuck_defaults_diagnosed);
	suite_add_tcase(s, tc);

	/* Kept to run on demand (MASSAGED_KNOWN_BUGS=1) until the daemon is fixed:
	 * - a welded relay with the target at MaxTarget: the stone peaks 1.3 °C (tuned) and
	 *   1.6 °C (defaults) over MaxTarget, over the 0.5 and 1.0 °C bars (the bars
	 *   hold with the target 1 °C under MaxTarget, as hot-stone's 44 under 45). */
	if (getenv("MASSAGED_KNOWN_BUGS")) {
		tc = tcase_create("known-bugs");
		tcase_set_timeout(tc, 60);
		tcase_add_unchecked_fixture(tc, tune_once, NULL);
		tcase_add_loop_test(tc, test_welded_from_cold_at_max_target, 0, 2);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	return check_run_tap(heat_protect_suite());
}
