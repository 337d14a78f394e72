/* SPDX-License-Identifier: MIT */
/* body, body-preset, load, peak: the person on the rollers, as Simulator1 has them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config-sim.h"
#include "control-body.h"
#include "sim-body-file.h"

/* "body": one line "body NAME=VALUE... preset=NAME" (preset= empty when none). */
static void say_body(struct chair_sim *cs)
{
	const struct sim_body *b = sim_chair_body(&cs->chair);
	char line[1024];
	const char *name;
	size_t at = (size_t)snprintf(line, sizeof(line), "body");

	for (size_t i = 0; (name = sim_body_param_name(i, NULL, NULL, NULL)) && at < sizeof(line); i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, " %s=%g", name, sim_body_param_value(b, i));
	chair_sim_say(cs, "%s preset=%s", line, cs->body_preset);
}

/* "NAME=VALUE" onto b; NULL or why not. */
static const char *apply(struct sim_body *b, char *arg, char *why, size_t size)
{
	char *eq = strchr(arg, '='), *end;
	double value;

	if (!eq || eq == arg)
		return (void)snprintf(why, size, "'%.64s' is not NAME=VALUE", arg), why;
	*eq = '\0';
	errno = 0;
	value = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end)
		return (void)snprintf(why, size, "%s=%.64s: not a number", arg, eq + 1), why;
	return sim_body_set_explained(b, arg, value, why, size) < 0 ? why : NULL;
}

const char *control_body(struct chair_sim *cs, char **args, char *why, size_t size)
{
	struct sim_body b = *sim_chair_body(&cs->chair);
	uint64_t now = chair_sim_now(cs);

	if (!args[0]) {
		say_body(cs);
		return NULL;
	}
	/* all or nothing, like SetBody */
	for (char **a = args; *a; a++)
		if (apply(&b, *a, why, size))
			return why;
	if (memcmp(&b, sim_chair_body(&cs->chair), sizeof(b)) != 0) {
		sim_chair_set_body(&cs->chair, now, &b);
		cs->body_preset[0] = '\0';
	} else {
		sim_chair_reset_peak(&cs->chair, now);
	}
	return NULL;
}

const char *control_body_preset(struct chair_sim *cs, char **args, char *why, size_t size)
{
	char err[SIM_BODY_ERROR_MAX], names[256];
	const char *dir = config_sim_bodies_dir(&cs->cfg);
	struct sim_body b;
	bool sets_noise;
	int r;

	r = sim_body_preset_load(dir, args[0], &b, &sets_noise, err);
	if (r == -ENOENT || (r == -EINVAL && !sim_body_preset_name_is_valid(args[0]))) {
		if (sim_body_preset_list(dir, names, sizeof(names)) <= 0)
			(void)snprintf(names, sizeof(names), "none");
		return (void)snprintf(why, size, "no body preset '%.64s': use %s", args[0], names), why;
	}
	if (r < 0)
		return (void)snprintf(why, size, "%s", err), why;
	if (!sets_noise)
		b.noise_n = sim_chair_body(&cs->chair)->noise_n; /* the load cell's */
	sim_chair_set_body(&cs->chair, chair_sim_now(cs), &b);
	(void)snprintf(cs->body_preset, sizeof(cs->body_preset), "%s", args[0]);
	return NULL;
}

const char *control_load(struct chair_sim *cs, char **args, char *why, size_t size)
{
	chair_sim_say(cs, "load %.3f", sim_chair_true_load_n(&cs->chair, chair_sim_now(cs)));
	return NULL;
}

const char *control_peak(struct chair_sim *cs, char **args, char *why, size_t size)
{
	chair_sim_say(cs, "peak %.3f", sim_chair_peak_load_n(&cs->chair, chair_sim_now(cs)));
	return NULL;
}

const char *control_peak_reset(struct chair_sim *cs, char **args, char *why, size_t size)
{
	if (strcmp(args[0], "reset") != 0)
		return (void)snprintf(why, size, "'peak %.64s': expected peak or peak reset", args[0]), why;
	sim_chair_reset_peak(&cs->chair, chair_sim_now(cs));
	return NULL;
}
