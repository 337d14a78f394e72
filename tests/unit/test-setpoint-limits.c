/* SPDX-License-Identifier: MIT */
#include "check-tap.h"
#include "config.h"
#include "setpoint-limits.h"

static struct limits_config tight(void)
{
	return (struct limits_config) { .track_min_mm = 100,
					.track_max_mm = 600,
					.depth_max_mm = 20,
					.width_min_mm = 90,
					.width_max_mm = 150,
					.travel_speed_max = 50,
					.knead_speed_max = 30,
					.tap_rate_max = 300 };
}

START_TEST(test_clamps_every_setpoint)
{
	struct limits_config l = tight();
	struct roller_setpoints sp = { .control = 5,
				       .travel_target_mm = 780,
				       .travel_speed = 120,
				       .knead_rpm = 60,
				       .knead_reverse = 7,
				       .tap_rate = 720,
				       .depth_mm = 50,
				       .width_mm = 180,
				       .watchdog_ms = 9000 };

	setpoint_limits_clamp(&l, &sp);
	ck_assert_uint_eq(sp.control, 5); /* control bits are not a limit */
	ck_assert_uint_eq(sp.travel_target_mm, 600);
	ck_assert_uint_eq(sp.travel_speed, 50);
	ck_assert_uint_eq(sp.knead_rpm, 30);
	ck_assert_uint_eq(sp.knead_reverse, 1);
	ck_assert_uint_eq(sp.tap_rate, 300);
	ck_assert_uint_eq(sp.depth_mm, 20);
	ck_assert_uint_eq(sp.width_mm, 150);
	ck_assert_uint_eq(sp.watchdog_ms, 5000);

	sp.travel_target_mm = 0;
	sp.width_mm = 60;
	setpoint_limits_clamp(&l, &sp);
	ck_assert_uint_eq(sp.travel_target_mm, 100);
	ck_assert_uint_eq(sp.width_mm, 90);
}
END_TEST

START_TEST(test_within_limits_untouched)
{
	struct limits_config l = tight();
	struct roller_setpoints sp = { .travel_target_mm = 300,
				       .travel_speed = 40,
				       .knead_rpm = 20,
				       .tap_rate = 200,
				       .depth_mm = 10,
				       .width_mm = 120,
				       .watchdog_ms = 1000 };
	struct roller_setpoints before = sp;

	setpoint_limits_clamp(&l, &sp);
	ck_assert_mem_eq(&sp, &before, sizeof(sp));
}
END_TEST

START_TEST(test_board_ranges_even_with_loose_config)
{
	/* a configuration can only narrow the board's own ranges (docs/hardware.md) */
	struct limits_config l = { .track_max_mm = 9999,
				   .depth_max_mm = 999,
				   .width_max_mm = 999,
				   .travel_speed_max = 999,
				   .knead_speed_max = 999,
				   .tap_rate_max = 9999 };
	struct roller_setpoints sp = { .travel_target_mm = 2000,
				       .travel_speed = 500,
				       .knead_rpm = 500,
				       .tap_rate = 5000,
				       .depth_mm = 200,
				       .width_mm = 20 };

	setpoint_limits_clamp(&l, &sp);
	ck_assert_uint_eq(sp.travel_target_mm, 780);
	ck_assert_uint_eq(sp.travel_speed, 120);
	ck_assert_uint_eq(sp.knead_rpm, 60);
	ck_assert_uint_eq(sp.tap_rate, 720);
	ck_assert_uint_eq(sp.depth_mm, 50);
	ck_assert_uint_eq(sp.width_mm, 60);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("gate");

	tcase_add_test(tc, test_clamps_every_setpoint);
	tcase_add_test(tc, test_within_limits_untouched);
	tcase_add_test(tc, test_board_ranges_even_with_loose_config);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
