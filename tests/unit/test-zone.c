/* SPDX-License-Identifier: MIT */
#include <check.h>

#include "check-tap.h"
#include "macro.h"
#include "zone.h"

#define S_MIN 450
#define S_MAX 720

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

static unsigned mid(struct zone_range r)
{
	return (r.lo_mm + r.hi_mm) / 2;
}

static void assert_zones_in_track(const struct limits_config *l, unsigned s_from, unsigned s_to)
{
	for (unsigned s = s_from; s <= s_to; s++)
		for (enum zone z = 0; z < _ZONE_MAX; z++) {
			struct zone_range r = zone_to_range(z, s, l);

			ck_assert_msg(r.lo_mm >= l->track_min_mm && r.hi_mm <= l->track_max_mm,
				      "zone %d S %u: [%u, %u] outside the track", (int)z, s, r.lo_mm, r.hi_mm);
			ck_assert_msg(r.lo_mm + 40 <= r.hi_mm, "zone %d S %u: [%u, %u] too short", (int)z, s, r.lo_mm,
				      r.hi_mm);
		}
}

START_TEST(test_zones_within_track)
{
	struct limits_config l = default_limits();

	assert_zones_in_track(&l, S_MIN, S_MAX);
}
END_TEST

/* Shoulder heights beyond the usual range, a short track: still usable zones. */
START_TEST(test_zones_within_short_track)
{
	struct limits_config l = default_limits();

	l.track_min_mm = 80;
	l.track_max_mm = 650;
	assert_zones_in_track(&l, 0, 900);
	l.track_min_mm = 300;
	l.track_max_mm = 320;
	for (enum zone z = 0; z < _ZONE_MAX; z++) {
		struct zone_range r = zone_to_range(z, 600, &l);

		ck_assert_uint_eq(r.lo_mm, 300);
		ck_assert_uint_eq(r.hi_mm, 320);
	}
}
END_TEST

START_TEST(test_neck_at_top_of_track)
{
	struct limits_config l = default_limits();
	struct zone_range r = zone_to_range(ZONE_NECK, 720, &l);

	ck_assert_uint_eq(r.hi_mm, 780);
	ck_assert_uint_le(r.lo_mm, 740);
	ck_assert_uint_gt(r.lo_mm, zone_to_range(ZONE_SHOULDERS, 720, &l).lo_mm);
}
END_TEST

START_TEST(test_zones_stack_up)
{
	struct limits_config l = default_limits();

	for (unsigned s = S_MIN; s <= S_MAX; s++) {
		struct zone_range neck = zone_to_range(ZONE_NECK, s, &l);
		struct zone_range shoulders = zone_to_range(ZONE_SHOULDERS, s, &l);
		struct zone_range upper = zone_to_range(ZONE_UPPER_BACK, s, &l);
		struct zone_range lower = zone_to_range(ZONE_LOWER_BACK, s, &l);

		ck_assert_uint_gt(mid(neck), mid(shoulders));
		ck_assert_uint_gt(mid(shoulders), mid(upper));
		ck_assert_uint_gt(mid(upper), mid(lower));
		/* the shoulder line itself is in the shoulders, the neck above it */
		ck_assert_uint_le(shoulders.lo_mm, s);
		ck_assert_uint_ge(shoulders.hi_mm, s);
		ck_assert_uint_gt(neck.lo_mm, s);
		/* the lower back stays clear of the seat */
		ck_assert_uint_ge(lower.lo_mm, 60);
	}
}
END_TEST

START_TEST(test_back_covers_upper_and_lower)
{
	struct limits_config l = default_limits();

	for (unsigned s = S_MIN; s <= S_MAX; s++) {
		struct zone_range back = zone_to_range(ZONE_BACK, s, &l);
		struct zone_range upper = zone_to_range(ZONE_UPPER_BACK, s, &l);
		struct zone_range lower = zone_to_range(ZONE_LOWER_BACK, s, &l);
		struct zone_range shoulders = zone_to_range(ZONE_SHOULDERS, s, &l);

		ck_assert_uint_le(back.lo_mm, lower.lo_mm);
		ck_assert_uint_ge(back.hi_mm, upper.hi_mm);
		ck_assert_uint_eq(back.hi_mm, shoulders.hi_mm);
		/* upper and lower back meet: no gap the back programs would miss */
		ck_assert_uint_ge(lower.hi_mm, upper.lo_mm);
	}
}
END_TEST

START_TEST(test_zones_move_with_shoulders)
{
	struct limits_config l = default_limits();

	for (unsigned s = S_MIN; s + 50 <= S_MAX; s += 10)
		for (enum zone z = 0; z < _ZONE_MAX; z++) {
			struct zone_range a = zone_to_range(z, s, &l);
			struct zone_range b = zone_to_range(z, s + 50, &l);

			ck_assert_msg(mid(b) > mid(a), "zone %d: S %u mid %u, S %u mid %u", (int)z, s, mid(a), s + 50,
				      mid(b));
			ck_assert_uint_ge(b.lo_mm, a.lo_mm);
			ck_assert_uint_ge(b.hi_mm, a.hi_mm);
		}
}
END_TEST

/* zone_at_mm(): the boundaries relative to the shoulder line S. Neck from S+15 (the
 * middle of the neck/shoulders overlap), shoulders from S-80, upper back from 0.55·S,
 * lower back below it. */
START_TEST(test_zone_at_boundaries)
{
	for (unsigned s = S_MIN; s <= S_MAX; s++) {
		unsigned mid_back = s * 550 / 1000;

		ck_assert_int_eq(zone_at_mm(s + 100, s), ZONE_NECK);
		ck_assert_int_eq(zone_at_mm(s + 15, s), ZONE_NECK);
		ck_assert_int_eq(zone_at_mm(s + 14, s), ZONE_SHOULDERS);
		ck_assert_int_eq(zone_at_mm(s, s), ZONE_SHOULDERS);
		ck_assert_int_eq(zone_at_mm(s - 80, s), ZONE_SHOULDERS);
		ck_assert_int_eq(zone_at_mm(s - 81, s), ZONE_UPPER_BACK);
		ck_assert_int_eq(zone_at_mm(mid_back, s), ZONE_UPPER_BACK);
		ck_assert_int_eq(zone_at_mm(mid_back - 1, s), ZONE_LOWER_BACK);
		ck_assert_int_eq(zone_at_mm(0, s), ZONE_LOWER_BACK);
		ck_assert_int_eq(zone_at_mm(ROLLER_TRAVEL_MAX_MM, s), ZONE_NECK);
	}
	/* the average back of zone.c: S 600, the back divided at 330 mm */
	ck_assert_int_eq(zone_at_mm(329, 600), ZONE_LOWER_BACK);
	ck_assert_int_eq(zone_at_mm(330, 600), ZONE_UPPER_BACK);
	ck_assert_int_eq(zone_at_mm(519, 600), ZONE_UPPER_BACK);
	ck_assert_int_eq(zone_at_mm(520, 600), ZONE_SHOULDERS);
	ck_assert_int_eq(zone_at_mm(614, 600), ZONE_SHOULDERS);
	ck_assert_int_eq(zone_at_mm(615, 600), ZONE_NECK);
}
END_TEST

/* Going up the track the zones come in body order, never back (two zones), whatever
 * the shoulder height, absurd ones included. */
START_TEST(test_zone_at_in_body_order)
{
	static const int rank[_ZONE_MAX] = {
		[ZONE_LOWER_BACK] = 0, [ZONE_UPPER_BACK] = 1, [ZONE_SHOULDERS] = 2, [ZONE_NECK] = 3, [ZONE_BACK] = -1,
	};

	for (unsigned s = 0; s <= 2000; s += 5) {
		int last = 0;

		for (unsigned t = 0; t <= ROLLER_TRAVEL_MAX_MM; t++) {
			enum zone z = zone_at_mm(t, s);

			ck_assert_msg(z >= 0 && z < _ZONE_MAX && z != ZONE_BACK, "S %u at %u mm: zone %d", s, t,
				      (int)z);
			ck_assert_msg(rank[z] >= last, "S %u at %u mm: %s below the zone under it", s, t,
				      zone_to_string(z));
			last = rank[z];
		}
	}
}
END_TEST

/* The middle of each zone's span (zone_to_range) is in that zone. */
START_TEST(test_zone_at_agrees_with_ranges)
{
	struct limits_config l = default_limits();

	for (unsigned s = S_MIN; s <= S_MAX; s++)
		for (enum zone z = 0; z < _ZONE_MAX; z++) {
			if (z == ZONE_BACK)
				continue;
			ck_assert_msg(zone_at_mm(mid(zone_to_range(z, s, &l)), s) == z,
				      "S %u: the middle of %s is not in it", s, zone_to_string(z));
		}
}
END_TEST

static Suite *zone_suite(void)
{
	Suite *s = suite_create("zone");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_zones_within_track);
	tcase_add_test(tc, test_zones_within_short_track);
	tcase_add_test(tc, test_neck_at_top_of_track);
	tcase_add_test(tc, test_zones_stack_up);
	tcase_add_test(tc, test_back_covers_upper_and_lower);
	tcase_add_test(tc, test_zones_move_with_shoulders);
	tcase_add_test(tc, test_zone_at_boundaries);
	tcase_add_test(tc, test_zone_at_in_body_order);
	tcase_add_test(tc, test_zone_at_agrees_with_ranges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(zone_suite());
}
