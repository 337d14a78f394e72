/* SPDX-License-Identifier: MIT */
/* docs/safety-rules.md: over-force. The decision the gate and the control tick share:
 * reads every 20 ms of chair time, as the tick takes them. */
#include "check-tap.h"
#include "over-force.h"

#define TICK_USEC (20 * USEC_PER_MSEC)
#define FORCE_MAX_N 40 /* 400 dn; the cap releases below 360 dn */

struct run {
	struct over_force of;
	uint64_t now;
};

/* One read at the next tick. */
static enum over_force_verdict tick(struct run *r, unsigned load_dn)
{
	enum over_force_verdict v = over_force_update(&r->of, (uint16_t)load_dn, FORCE_MAX_N, r->now);

	r->now += TICK_USEC;
	return v;
}

START_TEST(test_below_never_caps)
{
	struct run r = { .now = 5 * USEC_PER_SEC };

	for (int i = 0; i < 500; i++)
		ck_assert_int_eq(tick(&r, 399), OVER_FORCE_NONE);
}
END_TEST

/* 40.0 N is ForceMax itself, not above it; 40.1 N is above. Units are 0.1 N. */
START_TEST(test_exactly_at_force_max_is_not_over)
{
	struct run r = { 0 };

	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(tick(&r, 400), OVER_FORCE_NONE);
	ck_assert_int_eq(tick(&r, 401), OVER_FORCE_CAP);
}
END_TEST

/* Above for 80 ms (five reads: 0, 20, .. 80 ms), then down: capped, never a fault. */
START_TEST(test_above_80_ms_then_below_no_fault)
{
	struct run r = { .now = USEC_PER_SEC };

	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(tick(&r, 700), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 300), OVER_FORCE_NONE);
	/* and a new episode starts its own 100 ms */
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(tick(&r, 700), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 100), OVER_FORCE_NONE);
}
END_TEST

/* Still above 100 ms after the first read above: the fault, at that read. */
START_TEST(test_above_100_ms_faults)
{
	struct run r = { .now = USEC_PER_SEC };

	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(tick(&r, 3000), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 401), OVER_FORCE_FAULT); /* 100 ms after the first */
}
END_TEST

/* Faults at 100 ms whatever the tick: reads 30 ms apart fault at the 120 ms read. */
START_TEST(test_fault_time_is_chair_time_not_reads)
{
	struct over_force of = { 0 };
	uint64_t t0 = 2 * USEC_PER_SEC;

	ck_assert_int_eq(over_force_update(&of, 500, FORCE_MAX_N, t0), OVER_FORCE_CAP);
	ck_assert_int_eq(over_force_update(&of, 500, FORCE_MAX_N, t0 + 90 * USEC_PER_MSEC), OVER_FORCE_CAP);
	ck_assert_int_eq(over_force_update(&of, 500, FORCE_MAX_N, t0 + 99 * USEC_PER_MSEC), OVER_FORCE_CAP);
	ck_assert_int_eq(over_force_update(&of, 500, FORCE_MAX_N, t0 + 100 * USEC_PER_MSEC), OVER_FORCE_FAULT);
}
END_TEST

/* A read at or below ForceMax ends the run of reads above: the 100 ms start again. */
START_TEST(test_a_read_not_above_restarts_the_time)
{
	struct run r = { 0 };

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(tick(&r, 450), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 400), OVER_FORCE_CAP); /* at ForceMax: still capped */
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(tick(&r, 450), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 450), OVER_FORCE_FAULT);
}
END_TEST

/* The cap holds until the load is below 90 % of ForceMax (36.0 N), not merely below it. */
START_TEST(test_cap_holds_until_below_hysteresis)
{
	struct run r = { 0 };

	ck_assert_uint_eq(over_force_release_dn(FORCE_MAX_N), 360);
	ck_assert_int_eq(tick(&r, 420), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 399), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 370), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 360), OVER_FORCE_CAP); /* at the release point: not below it */
	for (int i = 0; i < 20; i++)                     /* long under ForceMax: never a fault */
		ck_assert_int_eq(tick(&r, 380), OVER_FORCE_CAP);
	ck_assert_int_eq(tick(&r, 359), OVER_FORCE_NONE);
	ck_assert_int_eq(tick(&r, 390), OVER_FORCE_NONE); /* under ForceMax again: no cap */
}
END_TEST

/* ForceMax is in N, the load in 0.1 N: 150 N is 1500 dn, not 150. */
START_TEST(test_units)
{
	struct over_force of = { 0 };

	ck_assert_int_eq(over_force_update(&of, 1500, 150, 0), OVER_FORCE_NONE);
	ck_assert_int_eq(over_force_update(&of, 1000, 150, 20 * USEC_PER_MSEC), OVER_FORCE_NONE);
	ck_assert_int_eq(over_force_update(&of, 1501, 150, 40 * USEC_PER_MSEC), OVER_FORCE_CAP);
	ck_assert_uint_eq(over_force_release_dn(150), 1350);
	ck_assert_uint_eq(over_force_release_dn(500), 4500);
}
END_TEST

/* Reads a second apart are not consecutive (the tick stopped with a session and a new
 * one started): the new one starts its own 100 ms. */
START_TEST(test_stale_reads_start_afresh)
{
	struct over_force of = { 0 };

	ck_assert_int_eq(over_force_update(&of, 900, FORCE_MAX_N, 0), OVER_FORCE_CAP);
	ck_assert_int_eq(over_force_update(&of, 900, FORCE_MAX_N, 5 * USEC_PER_SEC), OVER_FORCE_CAP);
	ck_assert_int_eq(over_force_update(&of, 900, FORCE_MAX_N, 5 * USEC_PER_SEC + 100 * USEC_PER_MSEC),
			 OVER_FORCE_FAULT);
	/* after a gap, a load below ForceMax but not below the release: no cap left over */
	ck_assert_int_eq(over_force_update(&of, 380, FORCE_MAX_N, 9 * USEC_PER_SEC), OVER_FORCE_NONE);
}
END_TEST

/* One episode for the journal, however many times the rollers retract in it: it ends
 * once the cap has been off for 2 s, with the count and the peak. */
START_TEST(test_one_episode_for_many_retractions)
{
	struct run r = { 0 };
	unsigned began = 0;

	for (int cycle = 0; cycle < 10; cycle++) {
		tick(&r, cycle == 3 ? 520 : 420);
		began += r.of.episode == OVER_FORCE_EPISODE_BEGAN;
		ck_assert_int_ne(r.of.episode, OVER_FORCE_EPISODE_ENDED);
		for (int i = 0; i < 20; i++) { /* 400 ms below the release point */
			ck_assert_int_eq(tick(&r, 300), OVER_FORCE_NONE);
			ck_assert_int_eq(r.of.episode, OVER_FORCE_EPISODE_NONE);
		}
	}
	ck_assert_uint_eq(began, 1);
	for (int i = 0; i < 100 && r.of.episode != OVER_FORCE_EPISODE_ENDED; i++)
		ck_assert_int_eq(tick(&r, 300), OVER_FORCE_NONE);
	ck_assert_int_eq(r.of.episode, OVER_FORCE_EPISODE_ENDED);
	ck_assert_uint_eq(r.of.retractions, 10);
	ck_assert_uint_eq(r.of.peak_dn, 520);
	/* 2 s after the last release, not before */
	ck_assert_uint_eq(r.now - TICK_USEC - r.of.released_usec, OVER_FORCE_EPISODE_QUIET_USEC);
	tick(&r, 401);
	ck_assert_int_eq(r.of.episode, OVER_FORCE_EPISODE_BEGAN);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("over-force");
	TCase *tc = tcase_create("over-force");

	tcase_add_test(tc, test_below_never_caps);
	tcase_add_test(tc, test_exactly_at_force_max_is_not_over);
	tcase_add_test(tc, test_above_80_ms_then_below_no_fault);
	tcase_add_test(tc, test_above_100_ms_faults);
	tcase_add_test(tc, test_fault_time_is_chair_time_not_reads);
	tcase_add_test(tc, test_a_read_not_above_restarts_the_time);
	tcase_add_test(tc, test_cap_holds_until_below_hysteresis);
	tcase_add_test(tc, test_units);
	tcase_add_test(tc, test_stale_reads_start_afresh);
	tcase_add_test(tc, test_one_episode_for_many_retractions);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
