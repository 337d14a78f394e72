/* SPDX-License-Identifier: MIT */
#include "check-tap.h"
#include "clock.h"
#include "macro.h"

START_TEST(test_clock_scale_one)
{
	struct chair_clock c;

	chair_clock_init(&c, 5 * USEC_PER_SEC, 1.0);
	ck_assert_uint_eq(chair_clock_at(&c, 5 * USEC_PER_SEC), 0);
	ck_assert_uint_eq(chair_clock_at(&c, 7 * USEC_PER_SEC), 2 * USEC_PER_SEC);
	ck_assert_uint_eq(chair_clock_wall_at(&c, 2 * USEC_PER_SEC), 7 * USEC_PER_SEC);
	/* before the origin the chair clock reads 0, never wraps */
	ck_assert_uint_eq(chair_clock_at(&c, 1), 0);
}
END_TEST

START_TEST(test_clock_time_scale)
{
	struct chair_clock c;

	chair_clock_init(&c, 1000, 20.0);
	/* one wall second is twenty chair seconds */
	ck_assert_uint_eq(chair_clock_at(&c, 1000 + USEC_PER_SEC), 20 * USEC_PER_SEC);
	ck_assert_uint_eq(chair_clock_wall_span(&c, 20 * USEC_PER_SEC), USEC_PER_SEC);
	/* a 15 minute program takes 45 s of wall time at 20x */
	ck_assert_uint_eq(chair_clock_wall_span(&c, 900 * USEC_PER_SEC), 45 * USEC_PER_SEC);
}
END_TEST

START_TEST(test_clock_wall_at_never_early)
{
	struct chair_clock c;

	chair_clock_init(&c, 0, 3.0);
	/* a timer set for chair time T fires at a wall time that maps to >= T */
	for (uint64_t t = 0; t < 100000; t += 7)
		ck_assert_uint_ge(chair_clock_at(&c, chair_clock_wall_at(&c, t)), t);
}
END_TEST

START_TEST(test_clock_now_monotonic)
{
	struct chair_clock c;
	uint64_t a, b;

	chair_clock_init(&c, 0, 1.0);
	a = chair_clock_now(&c);
	b = chair_clock_now(&c);
	ck_assert_uint_ge(b, a);
	ck_assert_uint_gt(a, 0);
}
END_TEST

START_TEST(test_clock_bad_scale_is_real_time)
{
	struct chair_clock c;

	chair_clock_init(&c, 0, 0.0);
	ck_assert_uint_eq(chair_clock_at(&c, USEC_PER_SEC), USEC_PER_SEC);
}
END_TEST

/* A tick 50 ms late at 100x: 2 ms of it count, 48 ms are a host stall. */
START_TEST(test_clock_skips_stall)
{
	struct chair_clock c;
	uint64_t before;

	chair_clock_init(&c, 0, 100.0);
	ck_assert_uint_eq(chair_clock_skip_stall(&c, 10000, 60000, 2000), 48000);
	ck_assert_uint_eq(chair_clock_at(&c, 60000), 100 * 12000);
	ck_assert_uint_eq(chair_clock_wall_at(&c, 100 * 12000), 60000);
	/* on time or within the tolerance: nothing skipped */
	ck_assert_uint_eq(chair_clock_skip_stall(&c, 70000, 71500, 2000), 0);
	ck_assert_uint_eq(c.stalls, 1);

	/* a read during the lateness counts: chair time never goes back */
	chair_clock_init(&c, monotonic_usec(), 100.0);
	before = chair_clock_now(&c);
	ck_assert_uint_eq(chair_clock_skip_stall(&c, c.wall_origin_usec, c.last_read_usec, 0), 0);
	ck_assert_uint_ge(chair_clock_now(&c), before);
}
END_TEST

START_TEST(test_clock_real_time_skips_nothing)
{
	struct chair_clock c;

	chair_clock_init(&c, 0, 1.0);
	ck_assert_uint_eq(chair_clock_skip_stall(&c, 10000, 5000000, 2000), 0);
	ck_assert_uint_eq(chair_clock_at(&c, 5000000), 5000000);
}
END_TEST

/* Whoever reads the clock first after a due tick did not run takes the stall out:
 * a D-Bus call handled before the late tick must not see the stall as chair time. */
START_TEST(test_clock_read_skips_stall_after_due)
{
	struct chair_clock c;
	uint64_t origin = monotonic_usec() - 100000, now;

	chair_clock_init(&c, origin, 100.0);
	chair_clock_set_due(&c, origin + 10000); /* due 90 ms ago, never run */
	now = chair_clock_now(&c);
	/* 10 ms before the due time and the 2 ms tolerance count: about 1.2 s of chair time */
	ck_assert_uint_ge(now, 1200000);
	ck_assert_uint_lt(now, 2000000);
	ck_assert_uint_eq(c.stalls, 1);
	/* nothing due: nothing skipped, however long since the last read */
	chair_clock_set_due(&c, 0);
	c.last_read_usec -= 50000;
	ck_assert_uint_ge(chair_clock_now(&c), now);
	ck_assert_uint_eq(c.stalls, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("clock");

	tcase_add_test(tc, test_clock_scale_one);
	tcase_add_test(tc, test_clock_time_scale);
	tcase_add_test(tc, test_clock_wall_at_never_early);
	tcase_add_test(tc, test_clock_now_monotonic);
	tcase_add_test(tc, test_clock_bad_scale_is_real_time);
	tcase_add_test(tc, test_clock_skips_stall);
	tcase_add_test(tc, test_clock_real_time_skips_nothing);
	tcase_add_test(tc, test_clock_read_skips_stall_after_due);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
