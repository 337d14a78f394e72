/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>

#include "check-tap.h"
#include "macro.h"
#include "relay-pwm.h"

/* Time-proportioned relay drive (relay-pwm.h), sampled every 10 ms as a tick would:
 * the average power is the duty, the relay never switches faster than it may, and
 * off is off at once. */

#define CYCLE_S 2.0
#define MIN_ON_S 0.1
#define MIN_OFF_S 0.1
#define STEP_S 0.01

struct pwm_run {
	unsigned samples, on;
	unsigned switches;
	unsigned min_on, min_off; /* shortest complete on- and off-period, in samples */
	double first_off_t;       /* first time the relay was open (NAN if never) */
};

/* Drive at a constant duty from t0 for n samples; periods cut by the window's ends do
 * not count as periods. */
static void pwm_run(struct relay_pwm *p, double t0, unsigned n, double duty, struct pwm_run *r)
{
	bool prev = false, have_prev = false, seen_switch = false;
	unsigned run = 0;

	*r = (struct pwm_run) { .min_on = UINT32_MAX, .min_off = UINT32_MAX, .first_off_t = NAN };
	for (unsigned i = 0; i < n; i++) {
		double t = t0 + i * STEP_S;
		bool on = relay_pwm_update(p, t, duty);

		r->samples++;
		r->on += on;
		if (!on && isnan(r->first_off_t))
			r->first_off_t = t;
		if (have_prev && on != prev) {
			if (seen_switch) {
				if (prev)
					r->min_on = MIN(r->min_on, run);
				else
					r->min_off = MIN(r->min_off, run);
			}
			seen_switch = true;
			r->switches++;
			run = 0;
		}
		run++;
		prev = on;
		have_prev = true;
	}
}

static double on_fraction(const struct pwm_run *r)
{
	return (double)r->on / r->samples;
}

/* Over many cycles the relay is closed for the duty's share of the time, within 1 %
 * of the duty, and no period is shorter than the relay's minimum. */
START_TEST(test_average_and_minimum_periods)
{
	static const double duties[] = { 0.03, 0.2, 0.5, 0.97 };
	const unsigned n = (unsigned)(500 * CYCLE_S / STEP_S); /* 500 cycles */

	for (size_t i = 0; i < ELEMENTSOF(duties); i++) {
		struct relay_pwm p;
		struct pwm_run r;

		relay_pwm_init(&p, CYCLE_S, MIN_ON_S, MIN_OFF_S);
		pwm_run(&p, 100.0, n, duties[i], &r);
		fprintf(stderr, "# duty %.2f: on %.5f, %u switches, shortest on %u, off %u samples\n", duties[i],
			on_fraction(&r), r.switches, r.min_on, r.min_off);
		ck_assert_double_eq_tol(on_fraction(&r), duties[i], 0.01 * duties[i]);
		ck_assert_uint_gt(r.switches, 100); /* it does switch: the periods were seen */
		ck_assert_double_ge(r.min_on * STEP_S + 1e-9, MIN_ON_S);
		ck_assert_double_ge(r.min_off * STEP_S + 1e-9, MIN_OFF_S);
	}
}
END_TEST

/* Every duty from 1 % to 99 %, and relays with longer minimum times: the same. */
START_TEST(test_duty_sweep)
{
	static const double mins[][2] = { { 0.1, 0.1 }, { 0.3, 0.1 }, { 0.1, 0.5 }, { 0.5, 0.5 } };
	const unsigned n = (unsigned)(200 * CYCLE_S / STEP_S);

	for (size_t m = 0; m < ELEMENTSOF(mins); m++)
		for (int pct = 1; pct <= 99; pct++) {
			double duty = pct / 100.0;
			struct relay_pwm p;
			struct pwm_run r;

			relay_pwm_init(&p, CYCLE_S, mins[m][0], mins[m][1]);
			pwm_run(&p, 0.0, n, duty, &r);
			ck_assert_msg(fabs(on_fraction(&r) - duty) <= 0.01,
				      "duty %.2f (min on %.1f, off %.1f): on %.4f", duty, mins[m][0], mins[m][1],
				      on_fraction(&r));
			if (r.min_on != UINT32_MAX)
				ck_assert_msg(r.min_on * STEP_S + 1e-9 >= mins[m][0], "duty %.2f: on for %u samples",
					      duty, r.min_on);
			if (r.min_off != UINT32_MAX)
				ck_assert_msg(r.min_off * STEP_S + 1e-9 >= mins[m][1], "duty %.2f: off for %u samples",
					      duty, r.min_off);
		}
}
END_TEST

/* Duty 0 opens the relay at the very tick it is asked, mid-cycle. */
START_TEST(test_zero_opens_at_once)
{
	struct relay_pwm p;

	relay_pwm_init(&p, CYCLE_S, MIN_ON_S, MIN_OFF_S);
	ck_assert(relay_pwm_update(&p, 10.0, 0.5));
	ck_assert(relay_pwm_update(&p, 10.3, 0.5));
	ck_assert(!relay_pwm_update(&p, 10.31, 0.0));
	ck_assert(!relay_pwm_update(&p, 10.32, 0.0));
	/* with an on-time owed from a previous cycle too */
	relay_pwm_init(&p, CYCLE_S, MIN_ON_S, MIN_OFF_S);
	for (double t = 0.0; t < 21.0; t += STEP_S)
		(void)relay_pwm_update(&p, t, 0.03);
	ck_assert(!relay_pwm_update(&p, 21.0, 0.0));
	/* a negative or NaN duty is off too */
	relay_pwm_init(&p, CYCLE_S, MIN_ON_S, MIN_OFF_S);
	ck_assert(relay_pwm_update(&p, 0.0, 1.0));
	ck_assert(!relay_pwm_update(&p, 0.5, -0.2));
	ck_assert(relay_pwm_update(&p, 0.6, 1.0));
	ck_assert(!relay_pwm_update(&p, 0.7, NAN));

	/* and stays open for as long as it is 0 */
	struct pwm_run r;
	pwm_run(&p, 1.0, 1000, 0.0, &r);
	ck_assert_uint_eq(r.on, 0);
	ck_assert_uint_eq(r.switches, 0);
}
END_TEST

/* Duty 1 closes the relay and never opens it, across many cycles. */
START_TEST(test_full_never_opens)
{
	struct relay_pwm p;
	struct pwm_run r;

	relay_pwm_init(&p, CYCLE_S, MIN_ON_S, MIN_OFF_S);
	pwm_run(&p, 5.0, (unsigned)(100 * CYCLE_S / STEP_S), 1.0, &r);
	ck_assert_uint_eq(r.on, r.samples);
	ck_assert_uint_eq(r.switches, 0);
	ck_assert(isnan(r.first_off_t));

	/* and from full power back to half: half, without a debt from the full cycles */
	pwm_run(&p, 5.0 + r.samples * STEP_S, (unsigned)(100 * CYCLE_S / STEP_S), 0.5, &r);
	ck_assert_double_eq_tol(on_fraction(&r), 0.5, 0.005);
}
END_TEST

/* Duties just under the minimum on-time still deliver their share over a few cycles,
 * and never by a period shorter than the minimum. */
START_TEST(test_small_duty_carried)
{
	struct relay_pwm p;
	struct pwm_run r;

	relay_pwm_init(&p, CYCLE_S, 0.5, 0.5);
	pwm_run(&p, 0.0, (unsigned)(400 * CYCLE_S / STEP_S), 0.1, &r); /* 0.2 s per cycle wanted */
	ck_assert_double_eq_tol(on_fraction(&r), 0.1, 0.001);
	ck_assert_uint_ge(r.min_on, 50);
	relay_pwm_init(&p, CYCLE_S, 0.5, 0.5);
	pwm_run(&p, 0.0, (unsigned)(400 * CYCLE_S / STEP_S), 0.9, &r);
	ck_assert_double_eq_tol(on_fraction(&r), 0.9, 0.001);
	ck_assert_uint_ge(r.min_off, 50);
}
END_TEST

static Suite *relay_pwm_suite(void)
{
	Suite *s = suite_create("relay-pwm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_average_and_minimum_periods);
	tcase_add_test(tc, test_duty_sweep);
	tcase_add_test(tc, test_zero_opens_at_once);
	tcase_add_test(tc, test_full_never_opens);
	tcase_add_test(tc, test_small_duty_carried);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(relay_pwm_suite());
}
