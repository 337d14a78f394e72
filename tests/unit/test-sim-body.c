/* SPDX-License-Identifier: MIT */
/* The simulated person (drivers/sim/sim-body.c), the shipped bodies as files
 * (sim-body-file.c), and the chair's true load and peak over them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-tap.h"
#include "config-sim.h"
#include "config.h"
#include "macro.h"
#include "sim-body-file.h"
#include "sim-chair.h"

#define BODY_DIR SOURCE_ROOT "/config/bodies"
#define MS(x) (1000ULL * (uint64_t)(x))
#define SEC(x) ((uint64_t)(1e6 * (x)))

/* Between the spinous processes (every 24 mm from the shoulder line down) and away from
 * the shoulder blades: one place in each zone where only the zone's tissue answers. */
#define REL_NECK 60.0
#define REL_SHOULDERS (-36.0)
#define REL_UPPER_BACK (-180.0)
#define REL_LOWER_BACK (-396.0)
#define REL_VERTEBRA (-168.0) /* a spinous process */

static struct sim_body body_default(void)
{
	struct sim_body b;

	sim_body_default(&b);
	return b;
}

/* No curve and no breath: the compression is the rollers' depth. */
static struct sim_body body_flat(void)
{
	struct sim_body b = body_default();

	ck_assert_int_eq(sim_body_set(&b, "Contour", 0), 0);
	ck_assert_int_eq(sim_body_set(&b, "Breathing", 0), 0);
	return b;
}

static double force(const struct sim_body *b, double rel, double depth)
{
	return sim_body_force_n(b, rel, depth, 0.0);
}

START_TEST(test_force_grows_and_firms_with_depth)
{
	static const double places[] = { REL_SHOULDERS, REL_UPPER_BACK, REL_LOWER_BACK, REL_NECK };
	struct sim_body b = body_default();

	for (size_t i = 0; i < ELEMENTSOF(places); i++) {
		double prev = force(&b, places[i], 0);

		for (double d = 1; d <= 50; d += 1) {
			double f = force(&b, places[i], d);

			ck_assert_double_gt(f, prev);
			prev = f;
		}
		/* firmer deeper: N per mm at 30 mm is well above that at 5 mm */
		ck_assert_double_gt(force(&b, places[i], 31) - force(&b, places[i], 30),
				    1.5 * (force(&b, places[i], 6) - force(&b, places[i], 5)));
	}
	/* the average back at the intensities' forces: 30..100 N within the register's 0..50 mm */
	ck_assert_double_lt(force(&b, REL_UPPER_BACK, 0), 30.0);
	ck_assert_double_gt(force(&b, REL_UPPER_BACK, 50), 100.0);
	ck_assert_double_gt(force(&b, REL_LOWER_BACK, 50), 100.0);
}
END_TEST

/* Each zone's stiffness acts in its zone and not in the others. */
START_TEST(test_zones_differ)
{
	static const struct {
		const char *name;
		double rel;
	} zones[] = {
		{ "StiffnessNeck", REL_NECK },
		{ "StiffnessShoulders", REL_SHOULDERS },
		{ "StiffnessUpperBack", REL_UPPER_BACK },
		{ "StiffnessLowerBack", REL_LOWER_BACK },
	};
	struct sim_body base = body_default();

	for (size_t i = 0; i < ELEMENTSOF(zones); i++) {
		struct sim_body b = base;

		ck_assert_int_eq(sim_body_set(&b, zones[i].name, 8.0), 0);
		for (size_t j = 0; j < ELEMENTSOF(zones); j++) {
			double before = force(&base, zones[j].rel, 15), after = force(&b, zones[j].rel, 15);

			if (i == j)
				ck_assert_msg(after > 1.8 * before, "%s: %.1f N -> %.1f N at %+.0f mm", zones[i].name,
					      before, after, zones[j].rel);
			else
				ck_assert_msg(fabs(after - before) < 0.02 * before, "%s moved %+.0f mm: %.1f -> %.1f N",
					      zones[i].name, zones[j].rel, before, after);
		}
	}
	/* the defaults: the lower back softer than the upper back, the neck barely resting */
	ck_assert_double_lt(force(&base, REL_LOWER_BACK, 20), force(&base, REL_UPPER_BACK, 20));
	ck_assert_double_lt(force(&base, REL_NECK, 8), 0.35 * force(&base, REL_SHOULDERS, 8));
}
END_TEST

/* A spinous process: stiffer by about BonyStiffness's share, over a few mm only. */
START_TEST(test_bony_spots)
{
	struct sim_body b = body_flat(), plain = body_flat();
	double between = force(&b, REL_UPPER_BACK, 10), on = force(&b, REL_VERTEBRA, 10);

	ck_assert_double_gt(on, 1.25 * between);
	/* 5 mm off it: back within a few percent of the tissue between */
	ck_assert_double_lt(force(&b, REL_VERTEBRA - 5, 10), 1.05 * between);
	ck_assert_double_lt(force(&b, REL_VERTEBRA + 5, 10), 1.05 * between);
	/* a bonier person has stiffer spots; none without */
	ck_assert_int_eq(sim_body_set(&b, "BonyStiffness", 6), 0);
	ck_assert_double_gt(force(&b, REL_VERTEBRA, 10), on * 1.3);
	ck_assert_int_eq(sim_body_set(&plain, "BonyStiffness", 1), 0);
	ck_assert_double_eq_tol(force(&plain, REL_VERTEBRA, 10), force(&plain, REL_UPPER_BACK, 10), 0.01);
	/* the shoulder blades: a band a few cm below the shoulder line */
	ck_assert_double_gt(force(&b, -60, 10), 1.5 * force(&b, REL_SHOULDERS, 10));
}
END_TEST

START_TEST(test_breathing)
{
	struct sim_body b = body_default();
	double p = b.breathing_period_s, a = b.breathing_mm, lo = 1e9, hi = 0;

	/* periodic, and the back's surface moves by ±Breathing over the rib cage */
	for (double t = 0; t < 3 * p; t += 0.05) {
		double f = sim_body_force_n(&b, REL_UPPER_BACK, 12, t);

		ck_assert_double_eq_tol(f, sim_body_force_n(&b, REL_UPPER_BACK, 12, t + p), 1e-9);
		ck_assert_double_le(f, sim_body_force_max_n(&b, REL_UPPER_BACK, 12) + 1e-9);
		lo = MIN(lo, f);
		hi = MAX(hi, f);
	}
	ck_assert_double_eq_tol(sim_body_force_n(&b, REL_UPPER_BACK, 12, p / 4), force(&b, REL_UPPER_BACK, 12 + a),
				1e-6);
	ck_assert_double_eq_tol(sim_body_force_n(&b, REL_UPPER_BACK, 12, 3 * p / 4), force(&b, REL_UPPER_BACK, 12 - a),
				1e-6);
	ck_assert_double_eq_tol(hi, sim_body_force_max_n(&b, REL_UPPER_BACK, 12), 0.05);
	ck_assert_double_gt(hi - lo, 10.0);
	/* the shoulder girdle hardly moves with it */
	ck_assert_double_lt(sim_body_force_max_n(&b, -5, 8) - force(&b, -5, 8), 0.5);
	/* no breath, no change */
	ck_assert_int_eq(sim_body_set(&b, "Breathing", 0), 0);
	ck_assert_double_eq(sim_body_force_n(&b, REL_UPPER_BACK, 12, p / 4), force(&b, REL_UPPER_BACK, 12));
	ck_assert_int_eq(sim_body_set(&b, "Breathing", 2), 0);
	ck_assert_int_eq(sim_body_set(&b, "BreathingPeriod", 3), 0);
	ck_assert_double_eq_tol(sim_body_force_n(&b, REL_UPPER_BACK, 12, 0.75), force(&b, REL_UPPER_BACK, 14), 1e-6);
}
END_TEST

/* The spine's curve: the thoracic back toward the rollers, the lumbar back and the neck away. */
START_TEST(test_contour)
{
	struct sim_body flat = body_flat(), curved = body_flat();

	ck_assert_int_eq(sim_body_set(&curved, "Contour", 12), 0);
	ck_assert_double_gt(force(&curved, REL_UPPER_BACK, 10), 1.2 * force(&flat, REL_UPPER_BACK, 10));
	ck_assert_double_lt(force(&curved, -420, 10), 0.8 * force(&flat, -420, 10));
	ck_assert_double_lt(force(&curved, REL_NECK, 10), force(&flat, REL_NECK, 10));
	/* where the back lies away from the rollers, depth 0 barely touches it */
	ck_assert_double_lt(force(&curved, -420, 0), 0.5 * curved.weight_n);
	ck_assert_double_gt(force(&curved, -420, 0), 0.0);
}
END_TEST

/* At zero compression the rollers carry the person's weight; the neck only a little. */
START_TEST(test_weight)
{
	struct sim_body b = body_flat();

	ck_assert_double_eq_tol(force(&b, REL_UPPER_BACK, 0), b.weight_n, 1e-9);
	ck_assert_double_eq_tol(force(&b, REL_LOWER_BACK, 0), b.weight_n, 1e-9);
	ck_assert_double_lt(force(&b, 100, 0), 0.15 * b.weight_n);
	ck_assert_double_gt(force(&b, 100, 0), 0.05 * b.weight_n);
	ck_assert_int_eq(sim_body_set(&b, "Weight", 30), 0);
	ck_assert_double_eq_tol(force(&b, REL_UPPER_BACK, 0), 30.0, 1e-9);
}
END_TEST

/* Tension: every stiffness times it, the weight not. */
START_TEST(test_tension)
{
	struct sim_body b = body_flat(), tense = body_flat();
	static const double places[] = { REL_SHOULDERS, REL_UPPER_BACK, REL_VERTEBRA, REL_LOWER_BACK };

	ck_assert_int_eq(sim_body_set(&tense, "Tension", 2.5), 0);
	for (size_t i = 0; i < ELEMENTSOF(places); i++)
		for (double d = 2; d <= 40; d += 9)
			ck_assert_double_eq_tol((force(&tense, places[i], d) - b.weight_n),
						(2.5 * (force(&b, places[i], d) - b.weight_n)), 0.01);
}
END_TEST

START_TEST(test_set_validation)
{
	struct sim_body b = body_default(), before;
	const char *name, *unit;
	double min, max;
	size_t n = 0;

	for (size_t i = 0; (name = sim_body_param_name(i, &min, &max, &unit)); i++, n++) {
		ck_assert_ptr_nonnull(unit);
		ck_assert_double_lt(min, max);
		before = b;
		ck_assert_int_eq(sim_body_set(&b, name, max + 1e-6 * (1 + max)), -ERANGE);
		ck_assert_int_eq(sim_body_set(&b, name, min - 1e-6 * (1 + fabs(min))), -ERANGE);
		ck_assert_int_eq(sim_body_set(&b, name, NAN), -ERANGE);
		ck_assert_int_eq(sim_body_set(&b, name, INFINITY), -ERANGE);
		ck_assert_mem_eq(&b, &before, sizeof(b));
		ck_assert_int_eq(sim_body_set(&b, name, min), 0);
		ck_assert_int_eq(sim_body_set(&b, name, max), 0);
		ck_assert_mem_ne(&b, &before, sizeof(b));
		b = before;
	}
	ck_assert_uint_eq(n, 12);
	ck_assert_ptr_null(sim_body_param_name(n, NULL, NULL, NULL));
	ck_assert_int_eq(sim_body_set(&b, "Stiffness", 2), -ENOENT);
	ck_assert_int_eq(sim_body_set(&b, "weight", 12), -ENOENT); /* names are case-sensitive */
	/* a negative stiffness, no breath period, no weight: refused */
	ck_assert_int_eq(sim_body_set(&b, "StiffnessNeck", -1), -ERANGE);
	ck_assert_int_eq(sim_body_set(&b, "BreathingPeriod", 0), -ERANGE);
	ck_assert_int_eq(sim_body_set(&b, "Weight", 0), -ERANGE);
}
END_TEST

/* ---- the shipped files ---- */

struct shipped {
	const char *name;
	double values[10]; /* StiffnessNeck .. BreathingPeriod, in sim_body_param_name() order */
};

/* i16: the bodies as the issue gives them */
static const struct shipped shipped[] = {
	{ "average", { 1.2, 2.2, 2.5, 1.8, 0.06, 6, 3, 12, 2, 4.5 } },
	{ "slim-bony", { 2.0, 3.5, 4.0, 3.0, 0.09, 4, 5, 8, 2.5, 4 } },
	{ "large-soft", { 0.8, 1.3, 1.4, 1.1, 0.045, 10, 1.8, 20, 3, 5 } },
	{ "elderly", { 1.0, 1.6, 1.8, 1.4, 0.12, 9, 6, 9, 1.5, 3.5 } },
};

START_TEST(test_shipped_files)
{
	struct sim_body def = body_default(), b;
	char err[SIM_BODY_ERROR_MAX], list[256];
	bool sets_noise = true;

	/* average's file is sim_body_default(): the two cannot drift apart */
	ck_assert_msg(sim_body_preset_load(BODY_DIR, "average", &b, &sets_noise, err) == 0, "%s", err);
	ck_assert_mem_eq(&b, &def, sizeof(b));
	ck_assert(!sets_noise);

	for (size_t i = 0; i < ELEMENTSOF(shipped); i++) {
		struct sim_body want = body_default();

		for (size_t k = 0; k < 10; k++)
			ck_assert_int_eq(
				sim_body_set(&want, sim_body_param_name(k, NULL, NULL, NULL), shipped[i].values[k]), 0);
		ck_assert_msg(sim_body_preset_load(BODY_DIR, shipped[i].name, &b, NULL, err) == 0, "%s", err);
		ck_assert_msg(memcmp(&b, &want, sizeof(b)) == 0, "%s differs from the issue's values", shipped[i].name);
	}
	/* every file in the directory loads */
	ck_assert_int_eq(sim_body_preset_list(BODY_DIR, list, sizeof(list)), 4);
	ck_assert_str_eq(list, "average, elderly, large-soft, slim-bony");
	ck_assert_int_eq(sim_body_preset_list(BODY_DIR "/nowhere", list, sizeof(list)), -ENOENT);
}
END_TEST

/* The force levels the daemon holds (i16: 25 N light contact up to 100 N at intensity 5)
 * are within the roller's reach on every shipped body, everywhere on the back: under
 * 25 N at zero depth (a breath's middle), over 100 N at the register's 50 mm. */
START_TEST(test_shipped_reach)
{
	char err[SIM_BODY_ERROR_MAX];
	struct sim_body b;

	for (size_t i = 0; i < ELEMENTSOF(shipped); i++) {
		double floor_n = 0, top_n = 1e9;

		ck_assert_msg(sim_body_preset_load(BODY_DIR, shipped[i].name, &b, NULL, err) == 0, "%s", err);
		for (double rel = -480; rel <= -5; rel += 0.5) {
			floor_n = MAX(floor_n, force(&b, rel, 0));
			top_n = MIN(top_n, force(&b, rel, 50));
		}
		(void)fprintf(stderr, "# %s: at most %.1f N at 0 mm, at least %.0f N at 50 mm\n", shipped[i].name,
			      floor_n, top_n);
		ck_assert_double_lt(floor_n, 25.0);
		ck_assert_double_gt(top_n, 100.0);
	}
}
END_TEST

/* A body file with `text`; err holds the loader's complaint. Returns its result. */
static int load_text(const char *text, struct sim_body *b, char *path, char *err)
{
	FILE *f;
	int fd;

	(void)snprintf(path, 64, "/tmp/test-sim-body-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	fd = sim_body_file_load(path, b, NULL, err);
	(void)unlink(path);
	return fd;
}

START_TEST(test_file_refusals)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *says;
	} bad[] = {
		{ "[Body]\nWeight = 20\nHeight = 180\n", 3,
		  "unknown key 'Height' in [Body], expected one of StiffnessNeck" },
		{ "# a comment\n[Body]\nWeight = heavy\n", 3, "Weight=heavy: expected a number 0.5..400 (N)" },
		{ "[Body]\nWeight = 20 N\n", 2, "Weight=20 N: expected a number" },
		{ "[Body]\n\nContour = 31\n", 3, "Contour=31: expected a number 0..30 (mm)" },
		{ "[Body]\nBreathingPeriod = 0\n", 2, "BreathingPeriod=0: expected a number 1..20 (s)" },
		{ "[Body]\nTension = nan\n", 2, "Tension=nan: expected a number" },
		{ "[Person]\nWeight = 20\n", 2, "unknown section [Person], expected [Body]" },
		{ "Weight = 20\n", 1, "Weight= before [Body]" },
		{ "[Body]\nWeight = 20\nthis is no key\n", 3, "syntax error" },
	};
	struct sim_body b, untouched;
	char err[SIM_BODY_ERROR_MAX], path[64], want[128];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		memset(&b, 0x5a, sizeof(b));
		untouched = b;
		ck_assert_int_eq(load_text(bad[i].text, &b, path, err), -EINVAL);
		(void)snprintf(want, sizeof(want), "%s:%u: %s", path, bad[i].line, bad[i].says);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s', expected '%s...'", err, want);
		ck_assert_mem_eq(&b, &untouched, sizeof(b));
	}
	/* a good one: the rest stays the default, Noise is noted */
	ck_assert_int_eq(load_text("; light\n[Body]\nWeight = 20\nNoise = 0\n", &b, path, err), 0);
	ck_assert_double_eq(b.weight_n, 20.0);
	ck_assert_double_eq(b.noise_n, 0.0);
	ck_assert_double_eq(b.stiffness_n_mm[SIM_BODY_NECK], body_default().stiffness_n_mm[SIM_BODY_NECK]);

	ck_assert_int_eq(sim_body_file_load("/nonexistent/x.body", &b, NULL, err), -ENOENT);
	ck_assert_int_eq(sim_body_file_load("/tmp", &b, NULL, err), -EINVAL);
	ck_assert_int_eq(sim_body_preset_load(BODY_DIR, "../average", &b, NULL, err), -EINVAL);
	ck_assert_int_eq(sim_body_preset_load(BODY_DIR, "Average", &b, NULL, err), -EINVAL);
	ck_assert_int_eq(sim_body_preset_load(BODY_DIR, "", &b, NULL, err), -EINVAL);
	ck_assert_int_eq(sim_body_preset_load(BODY_DIR, "giant", &b, NULL, err), -ENOENT);
}
END_TEST

/* ---- the chair over a body: the true load and its peak ---- */

static void chair_new(struct sim_chair *s, double noise_n)
{
	struct massaged_config cfg;
	struct sim_config sim;

	config_init_defaults(&cfg);
	cfg.sim_load_noise_n = noise_n;
	config_to_sim(&cfg, &sim);
	sim_chair_init(s, &sim, 0, 42);
	sim_chair_set_output(s, 0, OUTPUT_MOTOR_POWER, true);
}

static void drive(struct sim_chair *s, uint64_t t, uint16_t travel, uint16_t depth, uint16_t watchdog_ms)
{
	struct roller_setpoints sp = {
		.control = ROLLER_CONTROL_ENABLE,
		.travel_target_mm = travel,
		.travel_speed = ROLLER_TRAVEL_SPEED_MAX,
		.depth_mm = depth,
		.width_mm = 120,
		.watchdog_ms = watchdog_ms,
	};

	ck_assert_int_eq(sim_chair_roller_write(s, t, &sp), 0);
}

START_TEST(test_chair_body_and_peak)
{
	struct sim_chair s;
	struct sim_body b;
	double highest = 0;

	chair_new(&s, 3.5);
	/* the person starts as the average body, its noise [Simulator] LoadNoise */
	b = body_default();
	b.noise_n = 3.5;
	ck_assert_mem_eq(sim_chair_body(&s), &b, sizeof(b));

	/* at 440 mm the rollers dig in to 30 mm and come back to 5 mm, watched every 10 ms */
	drive(&s, 0, 440, 0, 0);
	sim_chair_reset_peak(&s, SEC(5));
	ck_assert_double_lt(sim_chair_peak_load_n(&s, SEC(5)), 30.0);
	drive(&s, SEC(5), 440, 30, 0);
	for (uint64_t t = SEC(5) + MS(10); t <= SEC(10); t += MS(10)) {
		if (t == SEC(8))
			drive(&s, t, 440, 5, 0);
		highest = MAX(highest, sim_chair_true_load_n(&s, t));
	}
	ck_assert_double_gt(highest, 100.0);
	ck_assert_double_ge(sim_chair_peak_load_n(&s, SEC(10)), highest);
	ck_assert_double_lt(sim_chair_peak_load_n(&s, SEC(10)), highest + 1.0);
	ck_assert_double_lt(sim_chair_true_load_n(&s, SEC(10)), 0.5 * highest);

	/* a reset starts from the force now */
	sim_chair_reset_peak(&s, SEC(10));
	ck_assert_double_eq(sim_chair_peak_load_n(&s, SEC(10)), sim_chair_true_load_n(&s, SEC(10)));
	ck_assert_double_lt(sim_chair_peak_load_n(&s, SEC(11)), 0.5 * highest);

	/* so does a new body, which the load follows at once */
	b = body_default();
	ck_assert_int_eq(sim_body_set(&b, "Tension", 3), 0);
	drive(&s, SEC(11), 440, 30, 0);
	ck_assert_double_gt(sim_chair_peak_load_n(&s, SEC(14)), highest);
	sim_chair_set_body(&s, SEC(14), &b);
	ck_assert_double_eq(sim_chair_peak_load_n(&s, SEC(14)), sim_chair_true_load_n(&s, SEC(14)));
	ck_assert_double_gt(sim_chair_true_load_n(&s, SEC(14)), 2.0 * highest);
	ck_assert_double_eq(sim_chair_body(&s)->tension, 3.0);
}
END_TEST

/* Rollers standing still for minutes: the model jumps, and the peak is the breath's
 * fullest there, never below a force the chair had on the way. */
START_TEST(test_peak_over_fast_forward)
{
	struct sim_chair s, stepped;
	double seen = 0;

	chair_new(&s, 0.0);
	drive(&s, 0, 420, 20, 0);
	sim_chair_advance(&s, SEC(10)); /* there, standing */
	sim_chair_reset_peak(&s, SEC(10));
	stepped = s;
	sim_chair_advance(&s, SEC(600));                       /* one jump */
	for (uint64_t t = SEC(10); t <= SEC(600); t += MS(10)) /* the same, watched */
		seen = MAX(seen, sim_chair_true_load_n(&stepped, t));
	ck_assert_double_ge(sim_chair_peak_load_n(&s, SEC(600)), seen);
	ck_assert_double_eq_tol(sim_chair_peak_load_n(&s, SEC(600)),
				sim_body_force_max_n(sim_chair_body(&s), 420.0 - s.shoulder_mm, 20), 1e-9);
	ck_assert_double_lt(seen, sim_body_force_max_n(sim_chair_body(&s), 420.0 - s.shoulder_mm, 20) + 1e-9);
	ck_assert_double_gt(seen, 0.95 * sim_chair_peak_load_n(&s, SEC(600)));
}
END_TEST

static Suite *sim_body_suite(void)
{
	Suite *s = suite_create("sim-body");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_force_grows_and_firms_with_depth);
	tcase_add_test(tc, test_zones_differ);
	tcase_add_test(tc, test_bony_spots);
	tcase_add_test(tc, test_breathing);
	tcase_add_test(tc, test_contour);
	tcase_add_test(tc, test_weight);
	tcase_add_test(tc, test_tension);
	tcase_add_test(tc, test_set_validation);
	tcase_add_test(tc, test_shipped_files);
	tcase_add_test(tc, test_shipped_reach);
	tcase_add_test(tc, test_file_refusals);
	tcase_add_test(tc, test_chair_body_and_peak);
	tcase_add_test(tc, test_peak_over_fast_forward);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suite = sim_body_suite();

	return check_run_tap(suite);
}
