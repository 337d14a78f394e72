/* SPDX-License-Identifier: MIT */
#pragma once

#include "config-sim.h"

/* The heat tests' plant: one pad of the simulated chair (the thermal model of
 * bench/thermal_plant.py), read and driven once per 0.25 s sample as the
 * daemon's heat tick does. Needs SAMPLE_USEC defined and <check.h>, <math.h>,
 * "sim-chair.h" and "heat-protect.h" included first. */

/* ---- the plant: one pad of a simulated chair ---- */

struct bench {
	struct sim_chair chair;
	struct sim_pad *pad;
	uint64_t now;     /* chair time, µs: always a whole number of samples */
	double stone_max; /* the true stone temperature, highest and lowest so far */
	double stone_min;
};

static void bench_init(struct bench *b, uint64_t seed)
{
	struct massaged_config cfg;
	struct sim_config sim;

	config_init_defaults(&cfg);
	cfg.sim_load_noise_n = 0.0;
	config_to_sim(&cfg, &sim);
	sim_chair_init(&b->chair, &sim, 0, seed);
	b->pad = sim_chair_find_pad(&b->chair, ZONE_SHOULDERS);
	ck_assert_ptr_nonnull(b->pad);
	ck_assert(b->chair.seated);
	sim_chair_set_output(&b->chair, 0, OUTPUT_HEAT_POWER, true);
	b->now = 0;
	b->stone_max = b->stone_min = b->pad->t_stone;
}

static double bench_t(const struct bench *b)
{
	return (double)b->now / 1e6;
}

static void bench_track(struct bench *b)
{
	b->stone_max = fmax(b->stone_max, b->pad->t_stone);
	b->stone_min = fmin(b->stone_min, b->pad->t_stone);
}

/* The reading now, as the temperature module reports it, in °C. */
static double bench_read(struct bench *b)
{
	int16_t raw[TEMP_CHANNELS];
	double c = NAN;

	ck_assert_int_eq(sim_chair_temperatures_read(&b->chair, b->now, raw), 0);
	ck_assert_int_eq(heat_reading_from_raw(raw[b->pad->channel], &c), 0);
	return c;
}

/* Hold a duty for one sample, time-proportioned within it: the pad's relay closed for
 * the first duty × 0.25 s (the master relay is on throughout). */
static void bench_hold(struct bench *b, double duty)
{
	uint64_t on;

	ck_assert_msg(duty >= 0.0 && duty <= 1.0, "duty %g at t=%.2f s", duty, bench_t(b));
	on = (uint64_t)llround(duty * (double)SAMPLE_USEC);
	if (on > 0) {
		sim_chair_set_output(&b->chair, b->now, b->pad->relay, true);
		sim_chair_advance(&b->chair, b->now + on);
		bench_track(b);
	}
	sim_chair_set_output(&b->chair, b->now + on, b->pad->relay, false);
	b->now += SAMPLE_USEC;
	sim_chair_advance(&b->chair, b->now);
	bench_track(b);
}
