/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>

#include "check-tap.h"
#include "macro.h"
#include "nelder-mead.h"

/* Nelder–Mead in ask/tell form (nelder-mead.h), as autotune drives it. */

typedef double (*cost_fn)(const double *x, int n);

struct nm_result {
	int evaluations; /* costs told */
	double best[NM_DIM_MAX], best_cost;
	double told_min; /* the lowest finite cost told */
};

/* Ask and tell until done (or `cap` evaluations, a runaway guard). */
static void minimise(struct nelder_mead *nm, cost_fn f, int n, int cap, struct nm_result *r)
{
	const double *x;
	double cost;

	*r = (struct nm_result) { .told_min = INFINITY };
	while ((x = nm_ask(nm))) {
		ck_assert_int_lt(r->evaluations, cap);
		ck_assert(!nm_done(nm));
		cost = f(x, n);
		if (isfinite(cost))
			r->told_min = fmin(r->told_min, cost);
		nm_tell(nm, cost);
		r->evaluations++;
	}
	ck_assert(nm_done(nm));
	ck_assert_ptr_null(nm_ask(nm));
	x = nm_best(nm, &r->best_cost);
	for (int i = 0; i < n; i++)
		r->best[i] = x[i];
	/* the best is the best it was told */
	ck_assert_double_eq(r->best_cost, r->told_min);
}

static double rosenbrock(const double *x, int n)
{
	(void)n;
	return 100.0 * pow(x[1] - x[0] * x[0], 2) + pow(1.0 - x[0], 2);
}

START_TEST(test_rosenbrock)
{
	const double start[2] = { -1.2, 1.0 }, step[2] = { 0.5, 0.5 };
	struct nelder_mead nm;
	struct nm_result r;

	nm_init(&nm, 2, start, step, 2000, 1e-14);
	minimise(&nm, rosenbrock, 2, 100000, &r);
	fprintf(stderr, "# rosenbrock: %d evaluations, (%.6f, %.6f), cost %.3g\n", r.evaluations, r.best[0], r.best[1],
		r.best_cost);
	ck_assert_int_lt(r.evaluations, 2000);
	ck_assert_double_eq_tol(r.best[0], 1.0, 1e-3);
	ck_assert_double_eq_tol(r.best[1], 1.0, 1e-3);
	ck_assert_double_lt(r.best_cost, 1e-6);
}
END_TEST

/* Axes scaled from 0.01 to 100 (a 10⁸ spread of curvatures), minimum off the origin. */
static const double quad_scale[6] = { 0.01, 0.1, 1.0, 3.0, 10.0, 100.0 };
static const double quad_min[6] = { 3.0, -2.0, 0.5, 0.25, -0.1, 0.01 };

static double quadratic6(const double *x, int n)
{
	double s = 0.0;

	for (int i = 0; i < n; i++)
		s += pow(quad_scale[i] * (x[i] - quad_min[i]), 2);
	return s + 1.0;
}

START_TEST(test_quadratic_6d)
{
	const double start[6] = { 0 }, step[6] = { 1, 1, 1, 1, 1, 1 };
	double x[NM_DIM_MAX], cost = INFINITY, prev = INFINITY;
	struct nelder_mead nm;
	struct nm_result r;
	int total = 0;

	/* restarted from the best, as autotune does, until a restart stops improving */
	for (int i = 0; i < NM_DIM_MAX; i++)
		x[i] = i < 6 ? start[i] : 0.0;
	for (int restart = 0; restart < 10; restart++) {
		nm_init(&nm, 6, x, step, 5000, 1e-16);
		minimise(&nm, quadratic6, 6, 100000, &r);
		total += r.evaluations;
		for (int i = 0; i < 6; i++)
			x[i] = r.best[i];
		cost = r.best_cost;
		if (!(cost < prev * (1.0 - 1e-12)))
			break;
		prev = cost;
	}
	fprintf(stderr, "# quadratic: %d evaluations, cost − 1 = %.3g\n", total, cost - 1.0);
	ck_assert_double_lt(cost - 1.0, 1e-8);
	for (int i = 0; i < 6; i++)
		ck_assert_msg(fabs(x[i] - quad_min[i]) * quad_scale[i] < 1e-4, "x[%d] = %g, expected %g", i, x[i],
			      quad_min[i]);
	ck_assert_int_lt(total, 20000);
}
END_TEST

/* The first run alone, from one simplex: it gets the cost down by orders of magnitude. */
START_TEST(test_quadratic_6d_one_run)
{
	const double start[6] = { 0 }, step[6] = { 1, 1, 1, 1, 1, 1 };
	struct nelder_mead nm;
	struct nm_result r;
	double at_start = quadratic6(start, 6);

	nm_init(&nm, 6, start, step, 5000, 1e-16);
	minimise(&nm, quadratic6, 6, 100000, &r);
	fprintf(stderr, "# quadratic, one run: %d evaluations, cost − 1 from %.3g to %.3g\n", r.evaluations,
		at_start - 1.0, r.best_cost - 1.0);
	ck_assert_double_lt(r.best_cost - 1.0, 1e-3 * (at_start - 1.0));
	ck_assert_int_le(r.evaluations, 5000 + 6 + 1);
}
END_TEST

/* NaN where the cost cannot be computed (here: past a line just beyond the minimum,
 * below the valley's start, and at one point in ten, scattered): taken as worse than
 * anything. */
static int nan_told;

static double rosenbrock_holes(const double *x, int n)
{
	double scatter = x[0] * 7919.0 + x[1] * 104729.0;

	if (x[0] + x[1] > 2.05 || x[1] < 0.5 * x[0] - 1.0 || x[0] < -1.6 || scatter - floor(scatter) < 0.1) {
		nan_told++;
		return NAN;
	}
	return rosenbrock(x, n);
}

START_TEST(test_nan_costs)
{
	const double start[2] = { -1.2, 1.0 }, step[2] = { 0.5, 0.5 };
	struct nelder_mead nm;
	struct nm_result r;

	nan_told = 0;
	nm_init(&nm, 2, start, step, 4000, 1e-14);
	minimise(&nm, rosenbrock_holes, 2, 100000, &r);
	fprintf(stderr, "# rosenbrock with NaN: %d evaluations (%d NaN), (%.6f, %.6f)\n", r.evaluations, nan_told,
		r.best[0], r.best[1]);
	ck_assert_int_gt(nan_told, 0);
	ck_assert(isfinite(r.best_cost));
	ck_assert_double_eq_tol(r.best[0], 1.0, 1e-3);
	ck_assert_double_eq_tol(r.best[1], 1.0, 1e-3);
}
END_TEST

/* A NaN at the very start (the first vertex) and at some of the initial simplex. */
static double nan_near_start(const double *x, int n)
{
	(void)n;
	if (x[0] < 0.05 && x[1] < 0.05)
		return NAN;
	return pow(x[0] - 2.0, 2) + pow(x[1] - 1.0, 2);
}

START_TEST(test_nan_at_start)
{
	const double start[2] = { 0.0, 0.0 }, step[2] = { 0.5, 0.5 };
	struct nelder_mead nm;
	struct nm_result r;

	nm_init(&nm, 2, start, step, 2000, 1e-14);
	minimise(&nm, nan_near_start, 2, 100000, &r);
	ck_assert(isfinite(r.best_cost));
	ck_assert_double_eq_tol(r.best[0], 2.0, 1e-3);
	ck_assert_double_eq_tol(r.best[1], 1.0, 1e-3);
}
END_TEST

static double always_nan(const double *x, int n)
{
	(void)x;
	(void)n;
	return NAN;
}

/* Nothing computable at all: it stops at its budget and says so. */
START_TEST(test_all_nan)
{
	const double start[3] = { 1, 2, 3 }, step[3] = { 1, 1, 1 };
	struct nelder_mead nm;
	const double *x;
	double cost;
	int n = 0;

	nm_init(&nm, 3, start, step, 300, 1e-9);
	while ((x = nm_ask(&nm))) {
		ck_assert_int_lt(n, 1000);
		nm_tell(&nm, always_nan(x, 3));
		n++;
	}
	ck_assert_int_le(n, 300 + 3 + 1); /* a shrink under way finishes */
	(void)nm_best(&nm, &cost);
	ck_assert(!(cost < INFINITY)); /* no finite cost was ever told */
}
END_TEST

/* Done is done: ask returns NULL, and telling more changes nothing. */
START_TEST(test_done)
{
	const double start[2] = { 0.3, 0.3 }, step[2] = { 0.1, 0.1 };
	struct nelder_mead nm, copy;
	struct nm_result r;
	double cost;

	nm_init(&nm, 2, start, step, 50, 1e-30);
	minimise(&nm, rosenbrock, 2, 1000, &r);
	ck_assert_int_le(r.evaluations, 50 + 2 + 1); /* the budget stops it (a shrink finishes) */
	ck_assert_ptr_null(nm_ask(&nm));
	ck_assert(nm_done(&nm));
	copy = nm;
	nm_tell(&nm, -1.0);
	ck_assert_ptr_null(nm_ask(&nm));
	(void)nm_best(&nm, &cost);
	ck_assert_double_eq(cost, r.best_cost);
	ck_assert_double_eq(nm.f[0], copy.f[0]);

	/* a flat cost is done as soon as the simplex is evaluated */
	nm_init(&nm, 2, start, step, 1000, 1e-9);
	for (int i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(nm_ask(&nm));
		nm_tell(&nm, 5.0);
	}
	ck_assert_ptr_null(nm_ask(&nm));
	ck_assert(nm_done(&nm));
}
END_TEST

/* The points asked are the start and the start plus each step, first. */
START_TEST(test_initial_simplex)
{
	const double start[3] = { 1.0, -2.0, 3.0 }, step[3] = { 0.5, 0.25, -1.0 };
	struct nelder_mead nm;
	const double *x;
	double cost;

	nm_init(&nm, 3, start, step, 100, 1e-9);
	for (int v = 0; v <= 3; v++) {
		x = nm_ask(&nm);
		ck_assert_ptr_nonnull(x);
		for (int i = 0; i < 3; i++)
			ck_assert_double_eq(x[i], start[i] + (v > 0 && i == v - 1 ? step[i] : 0.0));
		nm_tell(&nm, 10.0 - v);
	}
	/* the best so far: the last vertex */
	x = nm_best(&nm, &cost);
	ck_assert_double_eq(cost, 7.0);
	ck_assert_double_eq(x[2], 2.0);
}
END_TEST

static Suite *nelder_mead_suite(void)
{
	Suite *s = suite_create("nelder-mead");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rosenbrock);
	tcase_add_test(tc, test_quadratic_6d);
	tcase_add_test(tc, test_quadratic_6d_one_run);
	tcase_add_test(tc, test_nan_costs);
	tcase_add_test(tc, test_nan_at_start);
	tcase_add_test(tc, test_all_nan);
	tcase_add_test(tc, test_done);
	tcase_add_test(tc, test_initial_simplex);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(nelder_mead_suite());
}
