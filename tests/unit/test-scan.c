/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check-tap.h"
#include "config-sim.h"
#include "config.h"
#include "macro.h"
#include "scan-depth.h"
#include "scan.h"
#include "sim-body-file.h"
#include "sim-chair.h"

#define MSEC(x) (1000ULL * (uint64_t)(x))
#define SCAN_TIMEOUT_USEC (120ULL * 1000000ULL)

struct scan_case {
	unsigned shoulder_mm;
	double noise_n;
	uint64_t seed;
	uint64_t delta_usec; /* chair time between status readings */
	bool seated;
};

static int drive_roller(struct sim_chair *chair, uint64_t t, const struct roller_setpoints *sp)
{
	return sim_chair_roller_write(chair, t, sp);
}

/* Move to SCAN_FROM_MM at full speed, depth 0, as the daemon does before a scan. */
static uint64_t go_to_start(struct sim_chair *chair, struct roller_setpoints *sp, uint64_t delta)
{
	struct roller_status st;
	uint64_t t = 0;

	*sp = (struct roller_setpoints) {
		.control = ROLLER_CONTROL_ENABLE,
		.travel_target_mm = SCAN_FROM_MM,
		.travel_speed = ROLLER_TRAVEL_SPEED_MAX,
		.width_mm = 120,
		.watchdog_ms = 1000,
	};
	ck_assert_int_eq(drive_roller(chair, t, sp), 0);
	do {
		t += delta;
		ck_assert_int_eq(sim_chair_roller_read(chair, t, &st), 0);
		ck_assert_int_eq(drive_roller(chair, t, sp), 0);
	} while ((st.status & ROLLER_STATUS_MOVING) && t < SCAN_TIMEOUT_USEC);
	ck_assert_uint_eq(st.travel_mm, SCAN_FROM_MM);
	return t;
}

/* The daemon's scan: climb to the top at SCAN_SPEED_MM_S and SCAN_DEPTH_MM, feeding
 * every status reading into the scan, and keeping the board's watchdog fed. */
static int run_scan(const struct scan_case *c, unsigned *ret_mm)
{
	struct massaged_config cfg;
	struct sim_config sim;
	struct sim_chair chair;
	struct roller_setpoints sp;
	struct roller_status st;
	struct body_scan *scan = malloc(sizeof(*scan));
	uint64_t t;
	int r;

	ck_assert_ptr_nonnull(scan);
	config_init_defaults(&cfg);
	cfg.sim_shoulder_mm = c->shoulder_mm;
	cfg.sim_load_noise_n = c->noise_n;
	config_to_sim(&cfg, &sim);
	sim_chair_init(&chair, &sim, 0, c->seed);
	sim_chair_set_seated(&chair, 0, c->seated);
	sim_chair_set_output(&chair, 0, OUTPUT_MOTOR_POWER, true);

	t = go_to_start(&chair, &sp, c->delta_usec);
	sp.travel_target_mm = ROLLER_TRAVEL_MAX_MM;
	sp.travel_speed = SCAN_SPEED_MM_S;
	sp.depth_mm = SCAN_DEPTH_MM;
	ck_assert_int_eq(drive_roller(&chair, t, &sp), 0);

	body_scan_init(scan);
	do {
		t += c->delta_usec;
		ck_assert_int_eq(sim_chair_roller_read(&chair, t, &st), 0);
		body_scan_add(scan, st.travel_mm, st.load_dn / 10.0);
		ck_assert_int_eq(drive_roller(&chair, t, &sp), 0);
	} while ((st.status & ROLLER_STATUS_MOVING) && t < SCAN_TIMEOUT_USEC);
	ck_assert_uint_eq(st.travel_mm, ROLLER_TRAVEL_MAX_MM);

	r = body_scan_find_shoulder(scan, ret_mm);
	free(scan);
	return r;
}

START_TEST(test_scan_sweep)
{
	static const double noises[] = { 2.0, 4.0 };
	static const unsigned deltas_ms[] = { 20, 40, 100, 200 };
	int worst = 0;
	unsigned worst_at = 0, runs = 0;

	for (unsigned h = 450; h <= 720; h += 10)
		for (unsigned n = 0; n < 2; n++)
			for (unsigned d = 0; d < 4; d++)
				for (uint64_t seed = 1; seed <= 3; seed++) {
					struct scan_case c = { h, noises[n], seed * 7919, MSEC(deltas_ms[d]), true };
					unsigned found = 0;
					int err;

					ck_assert_msg(run_scan(&c, &found) == 0,
						      "no edge: shoulder %u noise %.0f Δ %u ms seed %u", h, noises[n],
						      deltas_ms[d], (unsigned)seed);
					err = (int)found - (int)h;
					ck_assert_msg(abs(err) <= 10,
						      "shoulder %u found %u (noise %.0f N, Δ %u ms, seed %u)", h, found,
						      noises[n], deltas_ms[d], (unsigned)seed);
					if (abs(err) > abs(worst)) {
						worst = err;
						worst_at = h;
					}
					runs++;
				}
	fprintf(stderr, "# scan sweep: %u runs, worst error %+d mm (shoulder %u mm)\n", runs, worst, worst_at);
}
END_TEST

START_TEST(test_scan_noiseless_exact)
{
	for (unsigned h = 450; h <= 720; h += 30) {
		struct scan_case c = { h, 0.0, 1, MSEC(20), true };
		unsigned found = 0;

		ck_assert_int_eq(run_scan(&c, &found), 0);
		ck_assert_int_le(abs((int)found - (int)h), 2);
	}
}
END_TEST

START_TEST(test_scan_empty_seat)
{
	static const double noises[] = { 0.0, 2.0, 4.0 };

	for (unsigned n = 0; n < 3; n++) {
		struct scan_case c = { 600, noises[n], 5, MSEC(40), false };
		unsigned found = 12345;

		ck_assert_int_eq(run_scan(&c, &found), -ENODATA);
		ck_assert_uint_eq(found, 12345);
	}
}
END_TEST

/* A synthetic profile sampled at every mm from SCAN_FROM_MM to the top. */
typedef double (*profile_fn)(unsigned x, unsigned edge);

static int scan_synthetic(profile_fn f, unsigned edge, unsigned *ret_mm)
{
	struct body_scan *scan = malloc(sizeof(*scan));
	int r;

	ck_assert_ptr_nonnull(scan);
	body_scan_init(scan);
	for (unsigned x = SCAN_FROM_MM; x <= ROLLER_TRAVEL_MAX_MM; x++)
		body_scan_add(scan, x, f(x, edge));
	r = body_scan_find_shoulder(scan, ret_mm);
	free(scan);
	return r;
}

/* 50 N below the edge, 6 N above, the midpoint on the edge itself. */
static double step_profile(unsigned x, unsigned edge)
{
	return x < edge ? 50.0 : x > edge ? 6.0 : 28.0;
}

static double flat_profile(unsigned x, unsigned edge)
{
	(void)x;
	(void)edge;
	return 40.0;
}

static double rippled_flat_profile(unsigned x, unsigned edge)
{
	(void)edge;
	return 40.0 + 3.0 * sin(x / 7.0) + 2.0 * sin(x / 2.3);
}

START_TEST(test_scan_step_exact)
{
	static const unsigned edges[] = { 420, 517, 600, 700, 740 };

	for (unsigned i = 0; i < 5; i++) {
		unsigned found = 0;

		ck_assert_int_eq(scan_synthetic(step_profile, edges[i], &found), 0);
		ck_assert_uint_eq(found, edges[i]);
	}
}
END_TEST

START_TEST(test_scan_flat)
{
	unsigned found = 12345;

	ck_assert_int_eq(scan_synthetic(flat_profile, 0, &found), -ENODATA);
	ck_assert_int_eq(scan_synthetic(rippled_flat_profile, 0, &found), -ENODATA);
	ck_assert_uint_eq(found, 12345);
}
END_TEST

START_TEST(test_scan_edge_too_low)
{
	unsigned found = 12345;

	ck_assert_int_eq(scan_synthetic(step_profile, 360, &found), -ENODATA);
	ck_assert_uint_eq(found, 12345);
}
END_TEST

START_TEST(test_scan_too_few_samples)
{
	struct body_scan *scan = malloc(sizeof(*scan));
	unsigned found = 12345;

	ck_assert_ptr_nonnull(scan);
	body_scan_init(scan);
	ck_assert_int_eq(body_scan_find_shoulder(scan, &found), -ENODATA);
	/* an edge, but only a handful of bins */
	for (unsigned x = 560; x <= 640; x += 8)
		body_scan_add(scan, x, step_profile(x, 600));
	ck_assert_int_eq(body_scan_find_shoulder(scan, &found), -ENODATA);
	/* out-of-range positions and non-finite loads are dropped */
	body_scan_add(scan, ROLLER_TRAVEL_MAX_MM + 1, 50.0);
	body_scan_add(scan, 500, NAN);
	ck_assert_uint_eq(scan->count[500], 0);
	ck_assert_uint_eq(found, 12345);
	free(scan);
}
END_TEST

/* ---- the force ceiling (motion/scan-depth.c) ---- */

START_TEST(test_scan_ceiling)
{
	ck_assert_double_eq_tol(scan_force_ceiling_n(150), 50.0, 1e-9);
	ck_assert_double_eq_tol(scan_force_ceiling_n(500), 50.0, 1e-9);
	ck_assert_double_eq_tol(scan_force_ceiling_n(60), 30.0, 1e-9);
	ck_assert_double_eq_tol(scan_force_ceiling_n(40), 20.0, 1e-9);
}
END_TEST

START_TEST(test_scan_depth_steps)
{
	const double c = 30.0; /* steps back above 21 N, returns below 15 N */
	unsigned d = 0;

	/* below the return level: a mm deeper than the board, never past the scan's depth */
	ck_assert_uint_eq(scan_depth_next(0, 5.0, c, SCAN_DEPTH_MM), 1);
	ck_assert_uint_eq(scan_depth_next(7, 14.9, c, SCAN_DEPTH_MM), 8);
	ck_assert_uint_eq(scan_depth_next(8, 0.0, c, SCAN_DEPTH_MM), 8);
	ck_assert_uint_eq(scan_depth_next(8, 0.0, c, 5), 5); /* [Limits] DepthMax under 8 mm */
	/* between: where the board is */
	ck_assert_uint_eq(scan_depth_next(5, 15.0, c, SCAN_DEPTH_MM), 5);
	ck_assert_uint_eq(scan_depth_next(5, 21.0, c, SCAN_DEPTH_MM), 5);
	/* above the step-back level: a mm less than the board, down to 0 */
	ck_assert_uint_eq(scan_depth_next(8, 21.1, c, SCAN_DEPTH_MM), 7);
	ck_assert_uint_eq(scan_depth_next(3, 100.0, c, SCAN_DEPTH_MM), 2);
	ck_assert_uint_eq(scan_depth_next(0, 100.0, c, SCAN_DEPTH_MM), 0);
	ck_assert_uint_eq(scan_depth_next(12, 100.0, c, SCAN_DEPTH_MM), 8);
	/* a back that keeps pressing: the board (following) goes all the way back */
	for (d = 8; d > 0;)
		d = scan_depth_next(d, 40.0, c, SCAN_DEPTH_MM);
	ck_assert_uint_eq(d, 0);
}
END_TEST

START_TEST(test_scan_depth_settled)
{
	const double c = 50.0;

	ck_assert(!scan_depth_settled(0, 0.0, c, SCAN_DEPTH_MM));
	ck_assert(!scan_depth_settled(5, 24.9, c, SCAN_DEPTH_MM));
	ck_assert(scan_depth_settled(7, 0.0, c, SCAN_DEPTH_MM));
	ck_assert(scan_depth_settled(8, 0.0, c, SCAN_DEPTH_MM));
	/* the ceiling holds the depth back: the approach must not wait for 8 mm */
	ck_assert(scan_depth_settled(3, 25.0, c, SCAN_DEPTH_MM));
	ck_assert(scan_depth_settled(0, 60.0, c, SCAN_DEPTH_MM));
}
END_TEST

/* A mm held back counts SCAN_HELD_BACK_N_PER_MM in the profile. */
START_TEST(test_scan_add_held)
{
	struct body_scan *scan = malloc(sizeof(*scan));

	ck_assert_ptr_nonnull(scan);
	body_scan_init(scan);
	body_scan_add_held(scan, 500, 20.0, 0);
	body_scan_add_held(scan, 501, 20.0, 4);
	ck_assert_double_eq_tol(scan->load_sum[500], 20.0, 1e-9);
	ck_assert_double_eq_tol(scan->load_sum[501], 20.0 + 4 * SCAN_HELD_BACK_N_PER_MM, 1e-9);
	free(scan);
}
END_TEST

/* ---- the shipped bodies: the climb fed straight from the body model ---- */

#define BODY_DIR SOURCE_ROOT "/config/bodies"

static const char *const shipped_bodies[] = { "average", "slim-bony", "large-soft", "elderly" };

static uint64_t climb_rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

static double climb_gauss(uint64_t *x)
{
	double u1 = 1.0 - (double)(climb_rng_next(x) >> 11) * 0x1.0p-53;
	double u2 = (double)(climb_rng_next(x) >> 11) * 0x1.0p-53;

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* The rollers climbing from SCAN_FROM_MM at SCAN_SPEED_MM_S and SCAN_DEPTH_MM over the
 * body, read every delta_s from chair time t0_s (the breath's phase), with the load
 * cell's noise and its 0.1 N and 1 mm steps. */
static int climb_body(const struct sim_body *b, unsigned shoulder, double noise_n, double delta_s, double t0_s,
		      uint64_t seed, unsigned *ret_mm)
{
	struct body_scan *scan = malloc(sizeof(*scan));
	uint64_t rng = seed | 1;
	double t = t0_s;
	int r;

	ck_assert_ptr_nonnull(scan);
	body_scan_init(scan);
	for (double x = SCAN_FROM_MM; x <= ROLLER_TRAVEL_MAX_MM; x += SCAN_SPEED_MM_S * delta_s, t += delta_s) {
		double load = sim_body_force_n(b, x - shoulder, SCAN_DEPTH_MM, t) + noise_n * climb_gauss(&rng);

		body_scan_add(scan, (unsigned)lround(x), round(MAX(load, 0.0) * 10.0) / 10.0);
	}
	r = body_scan_find_shoulder(scan, ret_mm);
	free(scan);
	return r;
}

static void load_shipped(const char *name, struct sim_body *ret)
{
	char err[SIM_BODY_ERROR_MAX];

	ck_assert_msg(sim_body_preset_load(BODY_DIR, name, ret, NULL, err) == 0, "%s", err);
}

/* Every shipped body, every height, breath phase and sampling the daemon may meet: the
 * shoulder line within the tolerance of the chair's own sweep above (10 mm). Without
 * noise within 6 mm: a body's back is not flat, so the level the scan takes for the
 * back's (a median along it) is not quite the level at the shoulder line. */
START_TEST(test_scan_shipped_bodies)
{
	static const double deltas_s[] = { 0.02, 0.04, 0.1, 0.2 };
	static const double noises[] = { 0.0, 2.0, 4.0 };

	for (size_t i = 0; i < ELEMENTSOF(shipped_bodies); i++) {
		struct sim_body b;
		int worst = 0;
		unsigned runs = 0;

		load_shipped(shipped_bodies[i], &b);
		for (unsigned h = 450; h <= 720; h += 30)
			for (size_t n = 0; n < ELEMENTSOF(noises); n++)
				for (size_t d = 0; d < ELEMENTSOF(deltas_s); d++)
					for (unsigned phase = 0; phase < 8; phase++) {
						double t0 = b.breathing_period_s * phase / 8.0;
						unsigned found = 0;
						int err, tol = noises[n] > 0 ? 10 : 6;

						b.noise_n = noises[n];
						ck_assert_msg(climb_body(&b, h, noises[n], deltas_s[d], t0,
									 7919 * (phase + 1), &found) == 0,
							      "%s: no edge (shoulder %u, noise %.0f N, Δ %.0f ms)",
							      shipped_bodies[i], h, noises[n], deltas_s[d] * 1e3);
						err = (int)found - (int)h;
						ck_assert_msg(
							abs(err) <= tol,
							"%s: shoulder %u found %u (noise %.0f N, Δ %.0f ms, phase %u/8)",
							shipped_bodies[i], h, found, noises[n], deltas_s[d] * 1e3,
							phase);
						if (abs(err) > abs(worst))
							worst = err;
						runs++;
					}
		fprintf(stderr, "# scan on %s: %u climbs, worst error %+d mm\n", shipped_bodies[i], runs, worst);
	}
}
END_TEST

/* The board's depth moves at 25 mm/s (drivers/sim/sim-chair.c); the climb's load is
 * checked every CAPPED_SUBSTEP_S of it. */
#define BOARD_DEPTH_MM_S 25.0
#define CAPPED_READ_S 0.02
#define CAPPED_SUBSTEPS 4
/* How far the load may pass the scan's ceiling, N: a spinous process passes under the
 * rollers in ~100 ms, faster than they retract. Where the back presses more with the
 * rollers fully back (depth 0), that is the bound instead. */
#define CAPPED_MARGIN_N 12.0

struct capped_result {
	unsigned found_mm;
	int r;
	double peak_n;   /* the highest load the rollers felt */
	double excess_n; /* the most the load was over max(ceiling, the back at depth 0) */
};

/* The daemon's capped scan (session-tick.c scan_step()): from SCAN_FROM_MM with the
 * rollers back, the depth (the board's, following the asked depth at 25 mm/s) from
 * scan_depth_next() on every read (every 20 ms, the load cell's noise, its 0.1 N and
 * 1 mm steps); the climb at SCAN_SPEED_MM_S once scan_depth_settled(). */
static void climb_capped(const struct sim_body *b, unsigned shoulder, double noise_n, double t0_s, uint64_t seed,
			 unsigned force_max_n, struct capped_result *ret)
{
	struct body_scan *scan = malloc(sizeof(*scan));
	double ceiling = scan_force_ceiling_n(force_max_n), dt = CAPPED_READ_S / CAPPED_SUBSTEPS;
	double x = SCAN_FROM_MM, depth = 0.0, t = t0_s;
	uint64_t rng = seed | 1;
	unsigned asked = 0, reads = 0;
	bool climbing = false;

	ck_assert_ptr_nonnull(scan);
	body_scan_init(scan);
	ret->peak_n = 0.0;
	ret->excess_n = -INFINITY;
	for (;; reads++) {
		double load = sim_body_force_n(b, x - shoulder, depth, t) + noise_n * climb_gauss(&rng);
		unsigned board = (unsigned)lround(depth);

		ck_assert_uint_lt(reads, 10000);
		load = round(MAX(load, 0.0) * 10.0) / 10.0;
		asked = scan_depth_next(board, load, ceiling, SCAN_DEPTH_MM);
		if (!climbing)
			climbing = scan_depth_settled(board, load, ceiling, SCAN_DEPTH_MM);
		else {
			body_scan_add_held(scan, (unsigned)lround(x), load, SCAN_DEPTH_MM - MIN(SCAN_DEPTH_MM, board));
			if (x >= ROLLER_TRAVEL_MAX_MM)
				break;
		}
		for (unsigned k = 0; k < CAPPED_SUBSTEPS; k++) {
			double step = BOARD_DEPTH_MM_S * dt, f;

			if (climbing)
				x = MIN(x + SCAN_SPEED_MM_S * dt, (double)ROLLER_TRAVEL_MAX_MM);
			depth = fabs(asked - depth) <= step ? asked : depth + (asked > depth ? step : -step);
			t += dt;
			f = sim_body_force_n(b, x - shoulder, depth, t);
			ret->peak_n = MAX(ret->peak_n, f);
			ret->excess_n = MAX(ret->excess_n, f - MAX(ceiling, sim_body_force_n(b, x - shoulder, 0.0, t)));
		}
	}
	ret->r = body_scan_find_shoulder(scan, &ret->found_mm);
	free(scan);
}

/* The capped scan on every shipped body, height, breath phase and noise, at the default
 * ForceMax (ceiling 50 N) and at 60 N (30 N): the shoulder line within the tolerance of
 * the uncapped climb above, and the load never more than CAPPED_MARGIN_N over the
 * ceiling (or over what the back presses with the rollers fully back). */
START_TEST(test_scan_shipped_bodies_capped)
{
	static const unsigned force_maxes[] = { FORCE_MAX_DEFAULT_N, 60 };
	static const double noises[] = { 0.0, 2.0, 4.0 };

	for (size_t m = 0; m < ELEMENTSOF(force_maxes); m++)
		for (size_t i = 0; i < ELEMENTSOF(shipped_bodies); i++) {
			struct sim_body b;
			int worst = 0;
			double peak = 0.0, excess = -INFINITY;
			unsigned runs = 0;

			load_shipped(shipped_bodies[i], &b);
			for (unsigned h = 450; h <= 720; h += 30)
				for (size_t n = 0; n < ELEMENTSOF(noises); n++)
					for (unsigned phase = 0; phase < 8; phase++) {
						struct capped_result res;
						int err, tol = noises[n] > 0 ? 10 : 6;

						b.noise_n = noises[n];
						climb_capped(&b, h, noises[n], b.breathing_period_s * phase / 8.0,
							     7919 * (phase + 1), force_maxes[m], &res);
						ck_assert_msg(res.r == 0,
							      "%s, ForceMax %u: no edge (shoulder %u, noise %.0f N)",
							      shipped_bodies[i], force_maxes[m], h, noises[n]);
						err = (int)res.found_mm - (int)h;
						ck_assert_msg(
							abs(err) <= tol,
							"%s, ForceMax %u: shoulder %u found %u (noise %.0f N, phase %u/8)",
							shipped_bodies[i], force_maxes[m], h, res.found_mm, noises[n],
							phase);
						ck_assert_msg(
							res.excess_n <= CAPPED_MARGIN_N,
							"%s, ForceMax %u: the load %.1f N over the %.0f N ceiling (shoulder "
							"%u, noise %.0f N, phase %u/8)",
							shipped_bodies[i], force_maxes[m], res.excess_n,
							scan_force_ceiling_n(force_maxes[m]), h, noises[n], phase);
						if (abs(err) > abs(worst))
							worst = err;
						peak = MAX(peak, res.peak_n);
						excess = MAX(excess, res.excess_n);
						runs++;
					}
			fprintf(stderr,
				"# capped scan on %s, ForceMax %u N (ceiling %.0f N): %u climbs, worst error %+d mm, "
				"peak load %.1f N, at most %.1f N over the ceiling or the back at depth 0\n",
				shipped_bodies[i], force_maxes[m], scan_force_ceiling_n(force_maxes[m]), runs, worst,
				peak, excess);
		}
}
END_TEST

static Suite *scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_scan_sweep);
	tcase_add_test(tc, test_scan_noiseless_exact);
	tcase_add_test(tc, test_scan_empty_seat);
	tcase_add_test(tc, test_scan_step_exact);
	tcase_add_test(tc, test_scan_flat);
	tcase_add_test(tc, test_scan_edge_too_low);
	tcase_add_test(tc, test_scan_too_few_samples);
	tcase_add_test(tc, test_scan_shipped_bodies);
	tcase_add_test(tc, test_scan_shipped_bodies_capped);
	tcase_add_test(tc, test_scan_ceiling);
	tcase_add_test(tc, test_scan_depth_steps);
	tcase_add_test(tc, test_scan_depth_settled);
	tcase_add_test(tc, test_scan_add_held);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suite = scan_suite();

	return check_run_tap(suite);
}
