/* SPDX-License-Identifier: MIT */
/* The pressure benchmark's driver: one program on one simulated body at one intensity,
 * closed or open loop, in-process and deterministic; one JSON line on stdout.
 * docs/pressure-bench.md describes what is measured; tools/pressure-bench runs the
 * cases.
 *
 *   pressure-sim --program FILE [--body NAME] [--set Name=VALUE]... [--intensity N]
 *                [--open-loop] [--scenario none|stiffen|tense] [--seed N]
 *   pressure-sim --list-bodies */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body-presets.h"
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
	json_number("over_target_n", r->over_target_n, 2, ", ");
	json_number("over_target_ms", r->over_target_ms, 0, ", ");
	json_number("over_max_n", r->over_max_n, 2, ", ");
	json_number("over_max_ms", r->over_max_ms, 0, ", ");
	json_number("peak_load_n", r->peak_load_n, 2, ", ");
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
		{},
	};
	static struct program program;
	struct pressure_run_config cfg = { .program = &program, .intensity = 3, .seed = 1 };
	struct pressure_result res;
	const char *program_path = NULL, *body_name = "average";
	char err[PROGRAM_ERROR_MAX], *end;
	int c, r;

	r = body_preset(body_name, &cfg.body);
	if (r < 0)
		return usage_error("no default body", NULL);
	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
		switch (c) {
		case 'p':
			program_path = optarg;
			break;
		case 'b':
			body_name = optarg;
			if (body_preset(optarg, &cfg.body) < 0)
				return usage_error("no such body", optarg);
			break;
		case 's':
			if (set_param(&cfg.body, optarg) < 0)
				return usage_error("expected a body parameter Name=VALUE in its range", optarg);
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
			for (unsigned i = 0; body_preset_name(i); i++)
				printf("%s\n", body_preset_name(i));
			return 0;
		default:
			return 2;
		}
	if (!program_path)
		return usage_error("--program FILE is required", NULL);
	r = program_parse_file(program_path, &program, err);
	if (r < 0)
		return usage_error(err, NULL);
	pressure_run(&cfg, &res);
	print_result(&cfg, body_name, &res);
	return 0;
}
