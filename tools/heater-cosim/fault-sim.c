/* SPDX-License-Identifier: MIT */
/* The fault benchmark's driver: one fault scenario on one simulated pad under the
 * daemon's heat composition (pad-loop.c), in-process; one JSON line on stdout.
 * docs/heater-bench.md describes the scenarios and what is measured.
 *
 * This file and pad-loop.[ch] are also built against older trees by
 * tools/heater-fault-bench (the "release" columns), so they use only the heat and
 * simulator API those trees have. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat-tuning.h"
#include "pad-loop.h"

#define TARGET_C 44.0
#define MAX_TARGET_C 45.0
#define AUTOTUNE_CEILING_C (MAX_TARGET_C + 1.0) /* the daemon's: MaxTarget + 1 °C */
#define AUTOTUNE_LIMIT_S 7200.0
#define HOLD_ONSET_S 600.0 /* the pad holds its target by then */
#define LEAN_BACK_S 900.0  /* the control bench's disturbance: k_body doubles */
#define NONE_END_S 1500.0  /* the control bench's length */
/* A fault nobody sees runs at least UNDETECTED_MIN_S past its onset, and on while the
 * stone's peak still rose by PEAK_SETTLED_C over the last PEAK_WINDOW_S, up to
 * UNDETECTED_MAX_S: a controller fooled by a frozen reading creeps up for long. */
#define UNDETECTED_MIN_S 1500.0
#define UNDETECTED_MAX_S 7200.0
#define PEAK_WINDOW_S 300.0
#define PEAK_SETTLED_C 0.01
#define COAST_MIN_S 300.0      /* after the master opens, at least this long */
#define COAST_PEAK_AGE_S 120.0 /* and until the stone's peak is this old */
#define COAST_MAX_S 1800.0

struct scenario {
	const char *name;
	unsigned fault; /* enum sim_pad_fault; 0 for none */
	double onset_s;
	bool supported; /* false: this tree's simulator lacks the fault */
};

#ifdef SIM_PAD_SENSOR_FROZEN
#define FROZEN_FAULT SIM_PAD_SENSOR_FROZEN
#define FROZEN_SUPPORTED true
#else
#define FROZEN_FAULT 0
#define FROZEN_SUPPORTED false
#endif

static const struct scenario scenarios[] = {
	{ "none", 0, LEAN_BACK_S, true },
	{ "welded-cold", SIM_PAD_HEATER_STUCK, 0.0, true },
	{ "welded-hold", SIM_PAD_HEATER_STUCK, HOLD_ONSET_S, true },
	{ "detached-cold", SIM_PAD_SENSOR_DETACHED, 0.0, true },
	{ "detached-hold", SIM_PAD_SENSOR_DETACHED, HOLD_ONSET_S, true },
	{ "dead-cold", SIM_PAD_HEATER_DEAD, 0.0, true },
	{ "dead-hold", SIM_PAD_HEATER_DEAD, HOLD_ONSET_S, true },
	{ "frozen-cold", FROZEN_FAULT, 0.0, FROZEN_SUPPORTED },
	{ "frozen-hold", FROZEN_FAULT, HOLD_ONSET_S, FROZEN_SUPPORTED },
};

static const struct {
	const char *name;
	size_t offset;
} param_names[] = {
/* clang-format off */
#define PARAM(n) { .name = #n, .offset = offsetof(struct sim_pad_params, n) }
	/* clang-format on */
	PARAM(power_w), PARAM(c_heater), PARAM(c_stone), PARAM(k_hs),       PARAM(k_ha),         PARAM(k_sa),
	PARAM(k_body),  PARAM(t_amb),    PARAM(t_body),  PARAM(sensor_tau), PARAM(sensor_noise), PARAM(sensor_lsb),
#undef PARAM
};

static int param_set(struct sim_pad_params *p, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	char *end;
	double v;

	if (!eq)
		return -EINVAL;
	errno = 0;
	v = strtod(eq + 1, &end);
	if (errno != 0 || end == eq + 1 || *end != '\0' || !isfinite(v))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(param_names) / sizeof(param_names[0]); i++)
		if (strlen(param_names[i].name) == (size_t)(eq - assignment) &&
		    strncmp(param_names[i].name, assignment, (size_t)(eq - assignment)) == 0) {
			*(double *)((char *)p + param_names[i].offset) = v;
			return 0;
		}
	return -ENOENT;
}

static void json_number(const char *key, double v, int digits, const char *sep)
{
	if (isfinite(v))
		printf("\"%s\": %.*f%s", key, digits, v, sep);
	else
		printf("\"%s\": null%s", key, sep);
}

static void json_string(const char *key, const char *v, const char *sep)
{
	if (v)
		printf("\"%s\": \"%s\"%s", key, v, sep);
	else
		printf("\"%s\": null%s", key, sep);
}

static const struct scenario *scenario_find(const char *name)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}

/* The fault at its onset: the person leans back for "none". */
static void scenario_start(const struct scenario *sc, struct pad_loop *l)
{
	if (sc->fault == 0)
		l->pad->p.k_body *= 2.0;
	else
		(void)sim_chair_set_pad_fault(&l->chair, l->now, l->pad->zone, sc->fault, true);
	if (sc->fault != 0)
		pad_loop_track_from(l); /* the fault's peak, not the approach before it */
}

static int run_scenario(const struct scenario *sc, const struct sim_pad_params *params, uint64_t seed,
			const struct heat_model *m, bool tuned)
{
	struct pad_loop l;
	enum pad_loop_verdict v = PAD_LOOP_OK;
	/* undetected: the peak is first compared a window before the minimum's end */
	double end = sc->fault == 0 ? NONE_END_S : sc->onset_s + UNDETECTED_MIN_S - PEAK_WINDOW_S;
	double verdict_t = NAN, window_peak = -INFINITY;
	bool started = false, settled = true;
	int r;

	if (!sc->supported) {
		printf("{\"scenario\": \"%s\", \"supported\": false}\n", sc->name);
		return 0;
	}
	r = pad_loop_init(&l, params, seed, m, tuned, MAX_TARGET_C, TARGET_C);
	if (r < 0)
		return r;
	for (;;) {
		if (pad_loop_t(&l) >= end - 1e-9) {
			if (sc->fault == 0 || l.stone_peak - window_peak < PEAK_SETTLED_C)
				break;
			if (pad_loop_t(&l) >= sc->onset_s + UNDETECTED_MAX_S - 1e-9) {
				settled = false;
				break;
			}
			window_peak = l.stone_peak;
			end += PEAK_WINDOW_S;
		}
		if (!started && pad_loop_t(&l) >= sc->onset_s - 1e-9) {
			scenario_start(sc, &l);
			started = true;
		}
		v = pad_loop_tick(&l);
		if (v != PAD_LOOP_OK) {
			verdict_t = pad_loop_t(&l);
			break;
		}
	}
	if (v != PAD_LOOP_OK) {
		double cut = verdict_t;

		pad_loop_coast(&l, cut + COAST_MIN_S);
		/* unpowered, a stone under the person's warmth only creeps toward it: harmless */
		while (pad_loop_t(&l) - l.stone_peak_t < COAST_PEAK_AGE_S && l.stone_peak > params->t_body &&
		       pad_loop_t(&l) < cut + COAST_MAX_S)
			pad_loop_coast(&l, pad_loop_t(&l) + 10.0);
		settled = pad_loop_t(&l) - l.stone_peak_t >= COAST_PEAK_AGE_S || l.stone_peak <= params->t_body;
	}

	printf("{");
	json_string("scenario", sc->name, ", ");
	printf("\"supported\": true, \"tuned\": %s, ", tuned ? "true" : "false");
	printf("\"detected\": %s, ", v != PAD_LOOP_OK ? "true" : "false");
	/* a verdict before the fault, or any in "none", is a false trip */
	printf("\"false_trip\": %s, ",
	       v != PAD_LOOP_OK && (sc->fault == 0 || !started || verdict_t < sc->onset_s) ? "true" : "false");
	json_string("code", pad_loop_verdict_code(v), ", ");
	json_number("onset_s", sc->onset_s, 2, ", ");
	json_number("verdict_t_s", verdict_t, 2, ", ");
	json_number("detect_s", verdict_t - sc->onset_s, 2, ", ");
	json_number("stone_peak_c", l.stone_peak, 3, ", ");
	json_number("stone_peak_t_s", l.stone_peak_t, 1, ", ");
	json_number("peak_over_max_c", l.stone_peak - MAX_TARGET_C, 3, ", ");
	/* false: still rising when the run ended, the true peak is higher */
	printf("\"peak_settled\": %s, ", settled ? "true" : "false");
	json_number("model_refuted_t_s", l.refuted_t >= 0.0 ? l.refuted_t : NAN, 2, ", ");
	json_number("end_s", pad_loop_t(&l), 1, "");
	printf("}\n");
	pad_loop_free(&l);
	return 0;
}

/* The daemon's autotune on this plant from cold, judged by the protection with the
 * untuned defaults as the daemon does; a verdict during it is a false trip. */
static int run_autotune(const struct sim_pad_params *params, uint64_t seed, const char *save_path)
{
	struct pad_loop l;
	struct heat_model m;
	struct heat_tuning result;
	enum pad_loop_verdict v = PAD_LOOP_OK;
	const char *error = NULL;
	int r;

	heat_model_default(&m);
	r = pad_loop_init(&l, params, seed, &m, false, MAX_TARGET_C, 0.0);
	if (r < 0)
		return r;
	r = heat_autotune_new(&l.autotune, TARGET_C, AUTOTUNE_CEILING_C, PAD_LOOP_SAMPLE_S);
	if (r < 0)
		return r;
	while (!heat_autotune_done(l.autotune) && pad_loop_t(&l) < AUTOTUNE_LIMIT_S) {
		v = pad_loop_tick(&l);
		if (v != PAD_LOOP_OK)
			break;
	}
	if (v != PAD_LOOP_OK)
		error = "a protection verdict during autotune";
	else if (!heat_autotune_done(l.autotune))
		error = "autotune did not finish";
	else if (heat_autotune_result(l.autotune, &result) < 0)
		error = heat_autotune_error(l.autotune);
	else if (heat_tuning_save(save_path, &result) < 0)
		error = "could not save the tuning";

	printf("{\"scenario\": \"autotune\", \"ok\": %s, ", error ? "false" : "true");
	json_string("code", pad_loop_verdict_code(v), ", ");
	json_number("autotune_s", pad_loop_t(&l), 2, ", ");
	json_number("stone_peak_c", l.stone_peak, 3, ", ");
	json_number("fit_rms_c", error ? NAN : result.fit_rms_c, 4, ", ");
	if (error)
		printf("\"error\": \"%s\"}\n", error); /* our own sentences or autotune's: no quotes */
	else
		printf("\"error\": null}\n");
	pad_loop_free(&l);
	return error ? -EIO : 0;
}

static void usage(FILE *f)
{
	(void)fprintf(f,
		      "Usage: heater-fault-sim SCENARIO [--param KEY=VALUE...] [--load TUNING] [--seed N]\n"
		      "       heater-fault-sim --autotune --save TUNING [--param KEY=VALUE...] [--seed N]\n"
		      "Runs one fault scenario on a simulated pad under the daemon's heat control\n"
		      "(target %.0f °C, MaxTarget %.0f °C) and prints one JSON line.\n"
		      "Scenarios:",
		      TARGET_C, MAX_TARGET_C);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		(void)fprintf(f, " %s", scenarios[i].name);
	(void)fprintf(f, "\nKEYs: the simulator's pad parameters (struct sim_pad_params):");
	for (size_t i = 0; i < sizeof(param_names) / sizeof(param_names[0]); i++)
		(void)fprintf(f, " %s", param_names[i].name);
	(void)fprintf(f, "\n");
}

int main(int argc, char *argv[])
{
	static const struct option options[] = { { "param", required_argument, NULL, 'p' },
						 { "load", required_argument, NULL, 'l' },
						 { "seed", required_argument, NULL, 'S' },
						 { "autotune", no_argument, NULL, 'a' },
						 { "save", required_argument, NULL, 's' },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	struct sim_pad_params params;
	const char *load_path = NULL, *save_path = NULL;
	const struct scenario *sc = NULL;
	struct heat_tuning tuning;
	char err[HEAT_TUNING_ERROR_MAX], *end;
	unsigned long long seed = 1;
	bool autotune = false;
	int c, r;

	pad_loop_default_params(&params);
	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
		switch (c) {
		case 'p':
			r = param_set(&params, optarg);
			if (r < 0) {
				(void)fprintf(stderr, "heater-fault-sim: %s: %s\n", optarg,
					      r == -ENOENT ? "no such pad parameter" : "expected KEY=NUMBER");
				return 2;
			}
			break;
		case 'l':
			load_path = optarg;
			break;
		case 's':
			save_path = optarg;
			break;
		case 'a':
			autotune = true;
			break;
		case 'S':
			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg) {
				(void)fprintf(stderr, "heater-fault-sim: --seed takes a number, not %s\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	if (autotune ? optind != argc || !save_path || load_path : optind + 1 != argc || save_path) {
		usage(stderr);
		return 2;
	}
	if (autotune)
		return run_autotune(&params, seed, save_path) < 0 ? 1 : 0;

	sc = scenario_find(argv[optind]);
	if (!sc) {
		(void)fprintf(stderr, "heater-fault-sim: no scenario %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	heat_model_default(&tuning.model);
	if (load_path) {
		r = heat_tuning_load(load_path, &tuning, err);
		if (r < 0) {
			(void)fprintf(stderr, "heater-fault-sim: %s\n", err);
			return 1;
		}
	}
	r = run_scenario(sc, &params, seed, &tuning.model, load_path != NULL);
	if (r < 0) {
		(void)fprintf(stderr, "heater-fault-sim: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
