/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "macro.h"
#include "technique.h"

#define STEP_USEC (100 * USEC_PER_MSEC)
#define SIM_DT_USEC (10 * USEC_PER_MSEC)
#define MINUTE_USEC (60 * USEC_PER_SEC)
#define SENTINEL_CONTROL 0xabcd
#define SENTINEL_WATCHDOG 0x1234

/* Names for messages only; chair-types.c has the real table. */
static const char *technique_name(enum technique t)
{
	static const char *const names[_TECHNIQUE_MAX] = {
		[TECHNIQUE_KNEAD] = "knead",     [TECHNIQUE_TAP] = "tap",           [TECHNIQUE_GLIDE] = "glide",
		[TECHNIQUE_SHIATSU] = "shiatsu", [TECHNIQUE_FRICTION] = "friction", [TECHNIQUE_PRESS] = "press",
		[TECHNIQUE_DEEP] = "deep",
	};

	return t >= 0 && t < _TECHNIQUE_MAX ? names[t] : "?";
}

/* The defaults of docs/hardware.md and config_init_defaults(). */
static struct limits_config default_limits(void)
{
	return (struct limits_config) {
		.track_min_mm = 0,
		.track_max_mm = 780,
		.depth_max_mm = 40,
		.width_min_mm = 60,
		.width_max_mm = 180,
		.travel_speed_max = 120,
		.knead_speed_max = 60,
		.tap_rate_max = 720,
	};
}

/* A configuration that bites into every pattern. */
static struct limits_config tight_limits(void)
{
	return (struct limits_config) {
		.track_min_mm = 100,
		.track_max_mm = 700,
		.depth_max_mm = 20,
		.width_min_mm = 100,
		.width_max_mm = 140,
		.travel_speed_max = 25,
		.knead_speed_max = 20,
		.tap_rate_max = 300,
	};
}

/* neck, whole back, the very top of the track, the bottom (partly outside the tight
 * limits' track; the top one wholly outside it) */
static const struct zone_range test_zones[] = {
	{ 610, 700 },
	{ 120, 620 },
	{ 740, 780 },
	{ 40, 160 },
};

static struct roller_setpoints setpoints_at(enum technique t, struct zone_range z, unsigned intensity, unsigned speed,
					    enum width w, const struct limits_config *l, uint64_t t_usec)
{
	struct motion_levels levels = { .intensity = intensity, .speed = speed, .width = w };
	struct roller_setpoints sp = { .control = SENTINEL_CONTROL, .watchdog_ms = SENTINEL_WATCHDOG };

	technique_setpoints(t, z, &levels, l, t_usec, &sp, NULL);
	return sp;
}

/* Why setpoints break the limits or leave the zone, or NULL. */
/* The part of a zone the rollers may use: inside the track, a single point at its
 * end when the zone lies beyond it. */
static void zone_in_track(struct zone_range z, const struct limits_config *l, unsigned *ret_lo, unsigned *ret_hi)
{
	*ret_lo = CLAMP(z.lo_mm, l->track_min_mm, l->track_max_mm);
	*ret_hi = CLAMP(z.hi_mm, l->track_min_mm, l->track_max_mm);
}

static const char *setpoints_violation(const struct roller_setpoints *sp, struct zone_range z,
				       const struct limits_config *l)
{
	unsigned lo, hi;

	zone_in_track(z, l, &lo, &hi);

	if (sp->control != SENTINEL_CONTROL || sp->watchdog_ms != SENTINEL_WATCHDOG)
		return "control or watchdog touched";
	if (sp->travel_target_mm < lo || sp->travel_target_mm > hi)
		return "travel target outside the zone or track";
	if (sp->travel_speed > l->travel_speed_max)
		return "travel speed above limit";
	if (sp->knead_rpm > l->knead_speed_max)
		return "knead above limit";
	if (sp->knead_reverse > 1)
		return "knead direction not 0/1";
	if (sp->tap_rate > l->tap_rate_max)
		return "tap rate above limit";
	if (sp->depth_mm > l->depth_max_mm)
		return "depth above limit";
	if (sp->width_mm < l->width_min_mm || sp->width_mm > l->width_max_mm)
		return "width outside limits";
	return NULL;
}

/* Every technique × level × width × zone, 10 minutes at 100 ms steps. Failures are
 * collected rather than asserted per sample: millions of samples. */
static void assert_all_within(const struct limits_config *l)
{
	for (enum technique t = 0; t < _TECHNIQUE_MAX; t++)
		for (size_t zi = 0; zi < ELEMENTSOF(test_zones); zi++)
			for (unsigned in = INTENSITY_MIN; in <= INTENSITY_MAX; in++)
				for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++)
					for (enum width w = 0; w < _WIDTH_MAX; w++)
						for (uint64_t u = 0; u <= 10 * MINUTE_USEC; u += STEP_USEC) {
							struct roller_setpoints s =
								setpoints_at(t, test_zones[zi], in, sp, w, l, u);
							const char *why = setpoints_violation(&s, test_zones[zi], l);

							if (why)
								ck_abort_msg(
									"%s: %s (zone %zu, intensity %u, speed %u, width %d, t %llu us)",
									technique_name(t), why, zi, in, sp, (int)w,
									(unsigned long long)u);
						}
}

/* Loop tests run once with each configuration. */
static struct limits_config limits_case(int i)
{
	return i == 0 ? default_limits() : tight_limits();
}

START_TEST(test_within_limits)
{
	struct limits_config l = limits_case(_i);

	assert_all_within(&l);
}
END_TEST

static double mean_depth_over_minute(enum technique t, unsigned intensity, unsigned speed)
{
	struct limits_config l = default_limits();
	double sum = 0;
	unsigned n = 0;

	for (uint64_t u = 0; u < MINUTE_USEC; u += STEP_USEC, n++)
		sum += setpoints_at(t, test_zones[1], intensity, speed, WIDTH_MEDIUM, &l, u).depth_mm;
	return sum / n;
}

START_TEST(test_intensity_deepens)
{
	enum technique t = (enum technique)_i;

	for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++)
		for (unsigned in = INTENSITY_MIN; in < INTENSITY_MAX; in++) {
			double a = mean_depth_over_minute(t, in, sp), b = mean_depth_over_minute(t, in + 1, sp);

			ck_assert_msg(b > a, "%s speed %u: intensity %u mean depth %.2f, %u only %.2f",
				      technique_name(t), sp, in, a, in + 1, b);
		}
}
END_TEST

START_TEST(test_speed_quickens)
{
	struct limits_config l = default_limits();
	struct zone_range z = test_zones[1];

	for (unsigned sp = SPEED_MIN; sp < SPEED_MAX; sp++) {
		struct roller_setpoints g0 = setpoints_at(TECHNIQUE_GLIDE, z, 3, sp, WIDTH_MEDIUM, &l, 0);
		struct roller_setpoints g1 = setpoints_at(TECHNIQUE_GLIDE, z, 3, sp + 1, WIDTH_MEDIUM, &l, 0);
		struct roller_setpoints k0 = setpoints_at(TECHNIQUE_KNEAD, z, 3, sp, WIDTH_MEDIUM, &l, 0);
		struct roller_setpoints k1 = setpoints_at(TECHNIQUE_KNEAD, z, 3, sp + 1, WIDTH_MEDIUM, &l, 0);
		struct roller_setpoints t0 = setpoints_at(TECHNIQUE_TAP, z, 3, sp, WIDTH_MEDIUM, &l, 0);
		struct roller_setpoints t1 = setpoints_at(TECHNIQUE_TAP, z, 3, sp + 1, WIDTH_MEDIUM, &l, 0);

		ck_assert_uint_gt(g1.travel_speed, g0.travel_speed);
		ck_assert_uint_gt(k1.knead_rpm, k0.knead_rpm);
		ck_assert_uint_gt(t1.tap_rate, t0.tap_rate);
	}
	ck_assert_uint_ge(setpoints_at(TECHNIQUE_TAP, z, 3, SPEED_MIN, WIDTH_MEDIUM, &l, 0).tap_rate, 120);
	ck_assert_uint_le(setpoints_at(TECHNIQUE_TAP, z, 3, SPEED_MAX, WIDTH_MEDIUM, &l, 0).tap_rate, 720);
}
END_TEST

START_TEST(test_deep_is_slower_and_deeper_than_glide)
{
	struct limits_config l = default_limits();

	for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++) {
		unsigned glide = setpoints_at(TECHNIQUE_GLIDE, test_zones[1], 3, sp, WIDTH_MEDIUM, &l, 0).travel_speed;
		unsigned deep = setpoints_at(TECHNIQUE_DEEP, test_zones[1], 3, sp, WIDTH_MEDIUM, &l, 0).travel_speed;

		ck_assert_uint_le(deep * 2, glide + 1);
		ck_assert_uint_ge(deep * 2 + 1, glide);
		ck_assert(mean_depth_over_minute(TECHNIQUE_DEEP, 3, sp) >
			  mean_depth_over_minute(TECHNIQUE_GLIDE, 3, sp));
	}
}
END_TEST

START_TEST(test_width_in_order)
{
	struct limits_config l = default_limits();
	struct limits_config tight = tight_limits();

	ck_assert_uint_lt(width_to_mm(WIDTH_NARROW, &l), width_to_mm(WIDTH_MEDIUM, &l));
	ck_assert_uint_lt(width_to_mm(WIDTH_MEDIUM, &l), width_to_mm(WIDTH_WIDE, &l));
	for (enum width w = 0; w < _WIDTH_MAX; w++) {
		ck_assert_uint_ge(width_to_mm(w, &tight), tight.width_min_mm);
		ck_assert_uint_le(width_to_mm(w, &tight), tight.width_max_mm);
	}
	ck_assert_uint_le(width_to_mm(WIDTH_NARROW, &tight), width_to_mm(WIDTH_MEDIUM, &tight));
	ck_assert_uint_le(width_to_mm(WIDTH_MEDIUM, &tight), width_to_mm(WIDTH_WIDE, &tight));
	for (enum technique t = 0; t < _TECHNIQUE_MAX; t++) {
		unsigned n = setpoints_at(t, test_zones[1], 3, 3, WIDTH_NARROW, &l, 0).width_mm;
		unsigned m = setpoints_at(t, test_zones[1], 3, 3, WIDTH_MEDIUM, &l, 0).width_mm;
		unsigned w = setpoints_at(t, test_zones[1], 3, 3, WIDTH_WIDE, &l, 0).width_mm;

		ck_assert_msg(n < m && m < w, "%s: widths %u %u %u", technique_name(t), n, m, w);
	}
}
END_TEST

/* The roller board in miniature: travel moves toward the target at the speed. */
static double board_step(double pos, const struct roller_setpoints *sp, uint64_t dt_usec)
{
	double step = (double)sp->travel_speed * (double)dt_usec / USEC_PER_SEC;

	if (pos < sp->travel_target_mm)
		return MIN(pos + step, (double)sp->travel_target_mm);
	return MAX(pos - step, (double)sp->travel_target_mm);
}

START_TEST(test_glide_reaches_both_ends)
{
	struct limits_config l = default_limits();

	for (size_t zi = 0; zi < ELEMENTSOF(test_zones); zi++)
		for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++) {
			struct zone_range z = test_zones[zi];
			double starts[] = { l.track_min_mm, (z.lo_mm + z.hi_mm) / 2.0 };

			for (size_t si = 0; si < ELEMENTSOF(starts); si++) {
				double pos = starts[si];
				bool near_lo = false, near_hi = false;

				for (uint64_t u = 0; u < MINUTE_USEC; u += SIM_DT_USEC) {
					struct roller_setpoints s =
						setpoints_at(TECHNIQUE_GLIDE, z, 3, sp, WIDTH_MEDIUM, &l, u);

					pos = board_step(pos, &s, SIM_DT_USEC);
					near_lo |= pos <= z.lo_mm + 5.0;
					near_hi |= pos >= z.hi_mm - 5.0;
				}
				ck_assert_msg(near_lo && near_hi, "zone %zu speed %u start %.0f: lo %d hi %d", zi, sp,
					      starts[si], near_lo, near_hi);
			}
		}
}
END_TEST

/* Whatever the pattern, the rollers get where they were sent before being sent
 * elsewhere: every schedule leaves time for the travel at the commanded speed. */
static void assert_targets_reached(const struct limits_config *l)
{
	for (enum technique t = 0; t < _TECHNIQUE_MAX; t++)
		for (size_t zi = 0; zi < ELEMENTSOF(test_zones); zi++)
			for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++) {
				struct roller_setpoints s = setpoints_at(t, test_zones[zi], 3, sp, WIDTH_MEDIUM, l, 0);
				double pos = s.travel_target_mm;
				unsigned target = s.travel_target_mm, legs = 0, lo, hi;

				for (uint64_t u = 0; u < 10 * MINUTE_USEC; u += SIM_DT_USEC) {
					s = setpoints_at(t, test_zones[zi], 3, sp, WIDTH_MEDIUM, l, u);
					if (s.travel_target_mm != target) {
						if (pos < target - 0.5 || pos > target + 0.5)
							ck_abort_msg(
								"%s zone %zu speed %u: turned at %.1f mm before reaching %u (t %llu us)",
								technique_name(t), zi, sp, pos, target,
								(unsigned long long)u);
						target = s.travel_target_mm;
						legs++;
					}
					pos = board_step(pos, &s, SIM_DT_USEC);
				}
				zone_in_track(test_zones[zi], l, &lo, &hi);
				if (hi - lo >= 40)
					ck_assert_msg(legs >= 2, "%s zone %zu speed %u: the rollers never move",
						      technique_name(t), zi, sp);
			}
}

START_TEST(test_targets_reached)
{
	struct limits_config l = limits_case(_i);

	assert_targets_reached(&l);
}
END_TEST

START_TEST(test_knead_alternates_direction)
{
	struct limits_config l = default_limits();

	for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++) {
		struct roller_setpoints prev = setpoints_at(TECHNIQUE_KNEAD, test_zones[1], 3, sp, WIDTH_MEDIUM, &l, 0);
		unsigned flips = 0;

		for (uint64_t u = STEP_USEC; u < 2 * MINUTE_USEC; u += STEP_USEC) {
			struct roller_setpoints s =
				setpoints_at(TECHNIQUE_KNEAD, test_zones[1], 3, sp, WIDTH_MEDIUM, &l, u);

			ck_assert_uint_gt(s.knead_rpm, 0);
			ck_assert_uint_eq(s.tap_rate, 0);
			/* a new dwell point comes with the other direction, and only then */
			ck_assert((s.knead_reverse != prev.knead_reverse) ==
				  (s.travel_target_mm != prev.travel_target_mm));
			flips += s.knead_reverse != prev.knead_reverse;
			prev = s;
		}
		ck_assert_uint_ge(flips, 8);
		ck_assert_uint_le(flips, 40); /* dwells of seconds, not a jitter */
	}
}
END_TEST

START_TEST(test_tap_taps_without_kneading)
{
	struct limits_config l = default_limits();

	for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++)
		for (uint64_t u = 0; u < 2 * MINUTE_USEC; u += STEP_USEC) {
			struct roller_setpoints s =
				setpoints_at(TECHNIQUE_TAP, test_zones[0], 3, sp, WIDTH_MEDIUM, &l, u);

			ck_assert_uint_gt(s.tap_rate, 0);
			ck_assert_uint_eq(s.knead_rpm, 0);
			ck_assert_uint_gt(s.depth_mm, 0);
		}
}
END_TEST

/* Only tap taps: the others knead, press or stroke. */
START_TEST(test_only_tap_taps)
{
	struct limits_config l = default_limits();

	for (enum technique t = 0; t < _TECHNIQUE_MAX; t++)
		if (t != TECHNIQUE_TAP)
			for (uint64_t u = 0; u < MINUTE_USEC; u += STEP_USEC)
				ck_assert_uint_eq(setpoints_at(t, test_zones[1], 5, 6, WIDTH_MEDIUM, &l, u).tap_rate,
						  0);
}
END_TEST

START_TEST(test_press_holds_full_depth)
{
	struct limits_config l = default_limits();

	for (unsigned in = INTENSITY_MIN; in <= INTENSITY_MAX; in++)
		for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++) {
			unsigned full =
				setpoints_at(TECHNIQUE_DEEP, test_zones[1], in, sp, WIDTH_MEDIUM, &l, 0).depth_mm;
			uint64_t run = 0, longest = 0;
			unsigned least = full;

			for (uint64_t u = 0; u < 3 * MINUTE_USEC; u += STEP_USEC) {
				struct roller_setpoints s =
					setpoints_at(TECHNIQUE_PRESS, test_zones[1], in, sp, WIDTH_MEDIUM, &l, u);

				ck_assert_uint_le(s.depth_mm, full);
				least = MIN(least, s.depth_mm);
				run = s.depth_mm == full ? run + STEP_USEC : 0;
				longest = MAX(longest, run);
			}
			ck_assert_msg(longest >= 15 * USEC_PER_SEC, "intensity %u speed %u: held %llu us", in, sp,
				      (unsigned long long)longest);
			ck_assert_uint_lt(least, full); /* and it lets go between points */
		}
}
END_TEST

START_TEST(test_shiatsu_presses_and_releases)
{
	struct limits_config l = default_limits();

	for (unsigned in = INTENSITY_MIN; in <= INTENSITY_MAX; in++)
		for (unsigned sp = SPEED_MIN; sp <= SPEED_MAX; sp++) {
			unsigned full =
				setpoints_at(TECHNIQUE_DEEP, test_zones[1], in, sp, WIDTH_MEDIUM, &l, 0).depth_mm;
			bool pressed = false;
			unsigned presses = 0;

			for (uint64_t u = 0; u < MINUTE_USEC; u += STEP_USEC) {
				unsigned d = setpoints_at(TECHNIQUE_SHIATSU, test_zones[1], in, sp, WIDTH_MEDIUM, &l, u)
						     .depth_mm;

				if (!pressed && d == full) {
					pressed = true;
					presses++;
				} else if (pressed && d * 5 <= full * 2)
					pressed = false;
			}
			ck_assert_msg(presses >= 6 && presses <= 30, "intensity %u speed %u: %u presses a minute", in,
				      sp, presses);
		}
}
END_TEST

START_TEST(test_friction_small_circles)
{
	struct limits_config l = default_limits();
	struct roller_setpoints prev = setpoints_at(TECHNIQUE_FRICTION, test_zones[1], 3, 3, WIDTH_MEDIUM, &l, 0);
	unsigned lowest = prev.travel_target_mm, highest = prev.travel_target_mm;

	for (uint64_t u = 0; u < 10 * MINUTE_USEC; u += STEP_USEC) {
		struct roller_setpoints s = setpoints_at(TECHNIQUE_FRICTION, test_zones[1], 3, 3, WIDTH_MEDIUM, &l, u);
		unsigned jump = s.travel_target_mm > prev.travel_target_mm ? s.travel_target_mm - prev.travel_target_mm
									   : prev.travel_target_mm - s.travel_target_mm;

		ck_assert_uint_ge(s.knead_rpm, 30);
		ck_assert_uint_le(jump, 2 * 15 + 40);
		lowest = MIN(lowest, s.travel_target_mm);
		highest = MAX(highest, s.travel_target_mm);
		prev = s;
	}
	/* the circles wander over the whole zone */
	ck_assert_uint_le(lowest, test_zones[1].lo_mm + 15);
	ck_assert_uint_ge(highest, test_zones[1].hi_mm - 15);
}
END_TEST

START_TEST(test_deterministic)
{
	struct limits_config l = default_limits();

	for (enum technique t = 0; t < _TECHNIQUE_MAX; t++) {
		struct roller_setpoints forward[600];

		for (size_t i = 0; i < ELEMENTSOF(forward); i++)
			forward[i] = setpoints_at(t, test_zones[0], 4, 2, WIDTH_WIDE, &l, i * STEP_USEC);
		/* backwards, so nothing can depend on the previous call */
		for (size_t i = ELEMENTSOF(forward); i-- > 0;) {
			struct roller_setpoints s = setpoints_at(t, test_zones[0], 4, 2, WIDTH_WIDE, &l, i * STEP_USEC);

			ck_assert_mem_eq(&s, &forward[i], sizeof(s));
		}
	}
}
END_TEST

START_TEST(test_techniques_distinct)
{
	struct limits_config l = default_limits();

	for (enum technique a = 0; a < _TECHNIQUE_MAX; a++)
		for (enum technique b = a + 1; b < _TECHNIQUE_MAX; b++) {
			bool differ = false;

			for (uint64_t u = 0; u < MINUTE_USEC && !differ; u += STEP_USEC) {
				struct roller_setpoints sa = setpoints_at(a, test_zones[1], 3, 3, WIDTH_MEDIUM, &l, u);
				struct roller_setpoints sb = setpoints_at(b, test_zones[1], 3, 3, WIDTH_MEDIUM, &l, u);

				differ = memcmp(&sa, &sb, sizeof(sa)) != 0;
			}
			ck_assert_msg(differ, "%s and %s are the same", technique_name(a), technique_name(b));
		}
}
END_TEST

/* Levels out of range (a bad program file, a stale value) are taken as the nearest
 * valid one; an unknown technique holds the rollers still and light in the zone. */
START_TEST(test_out_of_range_inputs)
{
	struct limits_config l = default_limits();
	struct zone_range z = test_zones[0];

	for (enum technique t = 0; t < _TECHNIQUE_MAX; t++)
		for (uint64_t u = 0; u < MINUTE_USEC; u += STEP_USEC) {
			struct roller_setpoints lo = setpoints_at(t, z, 0, 0, WIDTH_INVALID, &l, u);
			struct roller_setpoints hi = setpoints_at(t, z, 99, 99, _WIDTH_MAX, &l, u);
			struct roller_setpoints min = setpoints_at(t, z, INTENSITY_MIN, SPEED_MIN, WIDTH_MEDIUM, &l, u);
			struct roller_setpoints max = setpoints_at(t, z, INTENSITY_MAX, SPEED_MAX, WIDTH_MEDIUM, &l, u);

			ck_assert_ptr_null(setpoints_violation(&lo, z, &l));
			ck_assert_ptr_null(setpoints_violation(&hi, z, &l));
			ck_assert_mem_eq(&lo, &min, sizeof(lo));
			ck_assert_mem_eq(&hi, &max, sizeof(hi));
		}
	for (uint64_t u = 0; u < MINUTE_USEC; u += STEP_USEC) {
		struct roller_setpoints s = setpoints_at(TECHNIQUE_INVALID, z, 3, 3, WIDTH_MEDIUM, &l, u);

		ck_assert_ptr_null(setpoints_violation(&s, z, &l));
		ck_assert_uint_eq(s.travel_speed, 0);
		ck_assert_uint_eq(s.depth_mm, 0);
	}
}
END_TEST

/* The share a technique reports is the one its open-loop depth is made of, the same at
 * every intensity (the level scales it, the technique shapes it), and always between a
 * light touch and the full level: the force loop's target is shaped by it. */
START_TEST(test_share_shapes_depth_and_force)
{
	struct limits_config l = default_limits();
	enum technique t = (enum technique)_i;
	unsigned least = TECHNIQUE_SHARE_FULL_PERMILLE, most = 0;

	for (uint64_t u = 0; u < 2 * MINUTE_USEC; u += STEP_USEC) {
		unsigned share3 = 0;

		for (unsigned in = INTENSITY_MIN; in <= INTENSITY_MAX; in++) {
			struct motion_levels lv = { .intensity = in, .speed = 3, .width = WIDTH_MEDIUM };
			struct roller_setpoints sp = { 0 };
			unsigned share = 0, full;

			technique_setpoints(t, test_zones[1], &lv, &l, u, &sp, &share);
			full = setpoints_at(TECHNIQUE_DEEP, test_zones[1], in, 3, WIDTH_MEDIUM, &l, 0).depth_mm;
			ck_assert_uint_ge(share, TECHNIQUE_SHARE_MIN_PERMILLE);
			ck_assert_uint_le(share, TECHNIQUE_SHARE_FULL_PERMILLE);
			/* depth = share of the full depth, to the register's rounding */
			ck_assert_msg(abs((int)sp.depth_mm * 1000 - (int)(full * share)) <= 1000,
				      "%s intensity %u: depth %u mm, share %u of %u mm", technique_name(t), in,
				      sp.depth_mm, share, full);
			if (in == 3)
				share3 = share;
			else if (in > 3)
				ck_assert_uint_eq(share, share3);
			least = MIN(least, share);
			most = MAX(most, share);
		}
	}
	if (t == TECHNIQUE_DEEP)
		ck_assert_uint_eq(least, TECHNIQUE_SHARE_FULL_PERMILLE);
	if (t == TECHNIQUE_PRESS || t == TECHNIQUE_SHIATSU) {
		ck_assert_uint_eq(least, TECHNIQUE_SHARE_MIN_PERMILLE);
		ck_assert_uint_eq(most, TECHNIQUE_SHARE_FULL_PERMILLE);
	}
}
END_TEST

static Suite *technique_suite(void)
{
	Suite *s = suite_create("technique");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_within_limits, 0, 2);
	tcase_add_loop_test(tc, test_intensity_deepens, 0, _TECHNIQUE_MAX);
	tcase_add_test(tc, test_speed_quickens);
	tcase_add_test(tc, test_deep_is_slower_and_deeper_than_glide);
	tcase_add_test(tc, test_width_in_order);
	tcase_add_test(tc, test_glide_reaches_both_ends);
	tcase_add_loop_test(tc, test_targets_reached, 0, 2);
	tcase_add_test(tc, test_knead_alternates_direction);
	tcase_add_test(tc, test_tap_taps_without_kneading);
	tcase_add_test(tc, test_only_tap_taps);
	tcase_add_test(tc, test_press_holds_full_depth);
	tcase_add_test(tc, test_shiatsu_presses_and_releases);
	tcase_add_test(tc, test_friction_small_circles);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_techniques_distinct);
	tcase_add_test(tc, test_out_of_range_inputs);
	tcase_add_loop_test(tc, test_share_shapes_depth_and_force, 0, _TECHNIQUE_MAX);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(technique_suite());
}
