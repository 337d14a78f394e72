/* SPDX-License-Identifier: MIT */
/* The pressure benchmark's driver: one program on one simulated body at one intensity,
 * closed or open loop, in-process and deterministic; one JSON line on stdout.
 * docs/pressure-bench.md describes what is measured; tools/pressure-bench runs the
 * cases.
 *
 *   pressure-sim --program FILE [--bodies DIR] [--body NAME] [--set Name=VALUE]...
 *                [--intensity N] [--open-loop] [--scenario none|stiffen|tense] [--seed N]
 *   pressure-sim [--bodies DIR] --list-bodies
 *
 * Bodies are the preset files of DIR (default: the source tree's config/bodies). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "sim-body-file.h"
#include "macro.h"
#include "pressure-run.h"

static void json_number(const char *key, double v, int digits, const char *sep)
{
	if (isfinite(v))
		printf("\"%s\": %.*f%s", key, digits, v, sep);
	else
		printf("\"%s\": null%s", key, sep);
}

static void print_result(const struct pressure_run_config *cfg, const char *body, const struct pressure_result *r)
{
	printf("{\"program\": \"%s\", \"body\": \"%s\", \"intensity\": %u, \"loop\": \"%s\", \"scenario\": \"%s\", ",
	       cfg->program->id, body, cfg->intensity, cfg->open_loop ? "open" : "closed",
	       pressure_scenario_name(cfg->scenario));
	json_number("rms_pct", r->rms_pct, 2, ", ");
	json_number("worst_step_rms_pct", r->worst_step_rms_pct, 2, ", ");
	printf("\"worst_step\": %u, ", r->worst_step);
	json_number("steady_s", r->steady_s, 1, ", ");
	json_number("depth_limited_pct", r->depth_limited_pct, 1, ", ");
	json_number("over_target_n", r->over_target_n, 2, ", ");
	json_number("over_target_ms", r->over_target_ms, 0, ", ");
	json_number("over_max_n", r->over_max_n, 2, ", ");
	json_number("over_max_ms", r->over_max_ms, 0, ", ");
	json_number("peak_load_n", r->peak_load_n, 2, ", ");
	json_number("capped_ms", r->capped_ms, 0, ", ");
	json_number("fault_s", r->fault_s, 2, ", ");
	json_number("force_max_n", r->force_max_n, 0, ", ");
	json_number("tense_onset_s", r->tense_onset_s, 2, ", ");
	json_number("backoff_ms", r->backoff_ms, 0, ", ");
	json_number("recover_ms", r->recover_ms, 0, "}\n");
}

static int set_param(struct sim_body *b, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	char name[64], *end;
	double v;

	if (!eq || (size_t)(eq - assignment) >= sizeof(name))
		return -EINVAL;
	memcpy(name, assignment, (size_t)(eq - assignment));
	name[eq - assignment] = '\0';
	errno = 0;
	v = strtod(eq + 1, &end);
	if (errno != 0 || end == eq + 1 || *end != '\0')
		return -EINVAL;
	return sim_body_set(b, name, v);
}

static int usage_error(const char *what, const char *arg)
{
	(void)fprintf(stderr, "pressure-sim: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	return 2;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "program", required_argument, NULL, 'p' }, { "body", required_argument, NULL, 'b' },
		{ "set", required_argument, NULL, 's' },     { "intensity", required_argument, NULL, 'i' },
		{ "open-loop", no_argument, NULL, 'o' },     { "scenario", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 'S' },    { "list-bodies", no_argument, NULL, 'l' },
		{ "bodies", required_argument, NULL, 'B' },  {},
	};
	static struct program program;
	struct pressure_run_config cfg = { .program = &program, .intensity = 3, .seed = 1 };
	struct pressure_result res;
	const char *program_path = NULL, *body_name = "average", *bodies = SOURCE_BODY_DIR;
	char err[MAX(PROGRAM_ERROR_MAX, SIM_BODY_ERROR_MAX)], list[1024], *end;
	const char *sets[32];
	size_t n_sets = 0;
	bool list_bodies = false;
	int c, r;
	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
		switch (c) {
		case 'p':
			program_path = optarg;
			break;
		case 'b':
			body_name = optarg;
			break;
		case 'B':
			bodies = optarg;
			break;
		case 's':
			if (n_sets == ELEMENTSOF(sets))
				return usage_error("too many --set", NULL);
			sets[n_sets++] = optarg;
			break;
		case 'i':
			cfg.intensity = (unsigned)strtoul(optarg, &end, 10);
			if (*end || cfg.intensity < 1 || cfg.intensity > 5)
				return usage_error("--intensity: expected 1..5", optarg);
			break;
		case 'o':
			cfg.open_loop = true;
			break;
		case 'c':
			r = pressure_scenario_from_name(optarg);
			if (r < 0)
				return usage_error("--scenario: expected none, stiffen or tense", optarg);
			cfg.scenario = (enum pressure_scenario)r;
			break;
		case 'S':
			cfg.seed = strtoull(optarg, &end, 10);
			if (*end)
				return usage_error("--seed: expected a number", optarg);
			break;
		case 'l':
			list_bodies = true;
			break;
		default:
			return 2;
		}
	if (list_bodies) {
		r = sim_body_preset_list(bodies, list, sizeof(list));
		if (r < 0)
			return usage_error("cannot list the bodies", bodies);
		for (char *name = strtok(list, ", "); name; name = strtok(NULL, ", "))
			printf("%s\n", name);
		return 0;
	}
	if (!program_path)
		return usage_error("--program FILE is required", NULL);
	if (sim_body_preset_load(bodies, body_name, &cfg.body, NULL, err) < 0)
		return usage_error(err, NULL);
	for (size_t i = 0; i < n_sets; i++)
		if (set_param(&cfg.body, sets[i]) < 0)
			return usage_error("expected a body parameter Name=VALUE in its range", sets[i]);
	r = program_parse_file(program_path, &program, err);
	if (r < 0)
		return usage_error(err, NULL);
	pressure_run(&cfg, &res);
	print_result(&cfg, body_name, &res);
	return 0;
}
