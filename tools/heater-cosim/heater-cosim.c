/* SPDX-License-Identifier: MIT */
/* The heater benchmark's controller (docs/heater-bench.md): the daemon's
 * own heater control and autotune, behind the plant's line protocol. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat-autotune.h"
#include "heat-control.h"
#include "heat-tuning.h"
#include "line-protocol.h"
#include "textbook-pid.h"

#define SAMPLE_S 0.25

static int run_control(const struct heat_model *m)
{
	struct heat_control c;
	double t, reading, target;
	int r;

	r = heat_control_init(&c, m, SAMPLE_S);
	if (r < 0)
		return r;
	while ((r = cosim_read(stdin, &t, &reading, &target)) > 0) {
		r = cosim_write(stdout, heat_control_update(&c, t, reading, target));
		if (r < 0)
			return r;
	}
	return r;
}

static int run_autotune(const char *save_path)
{
	struct heat_autotune *a = NULL;
	struct heat_tuning result;
	double t, reading, target;
	int r;

	while ((r = cosim_read(stdin, &t, &reading, &target)) > 0) {
		if (!a) {
			r = heat_autotune_new(&a, target, target + 1.0, SAMPLE_S);
			if (r < 0)
				return r;
		}
		double duty = heat_autotune_update(a, t, reading);
		if (heat_autotune_done(a))
			break;
		r = cosim_write(stdout, duty);
		if (r < 0)
			break;
	}
	if (r < 0 || !a || !heat_autotune_done(a)) {
		heat_autotune_free(a);
		return r < 0 ? r : -EPIPE;
	}
	r = heat_autotune_result(a, &result);
	if (r < 0)
		(void)fprintf(stderr, "heater-cosim: autotune failed: %s\n", heat_autotune_error(a));
	heat_autotune_free(a);
	if (r < 0)
		return r;
	(void)fprintf(stderr,
		      "heater-cosim: tuned in %.0f s: gain %.2f °C, element %.1f s, couple %.1f s, "
		      "loss %.1f s, sink %.2f °C, sensor %.2f s, fit rms %.3f °C\n",
		      result.duration_s, result.model.gain_c, result.model.element_s, result.model.couple_s,
		      result.model.loss_s, result.model.sink_c, result.model.sensor_s, result.fit_rms_c);
	return heat_tuning_save(save_path, &result);
}

static void usage(FILE *f)
{
	(void)fprintf(f, "Usage: heater-cosim [--pid] [--autotune --save FILE | --load FILE]\n"
			 "Speaks docs/heater-bench.md's line protocol on stdin/stdout.\n"
			 "  --autotune --save FILE  autotune at the target the plant sends, save, exit\n"
			 "  --load FILE             control with that tuning (else the untuned defaults)\n"
			 "  --pid                   a textbook PID tuned by the relay method instead\n");
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "autotune", no_argument, NULL, 'a' },   { "save", required_argument, NULL, 's' },
		{ "load", required_argument, NULL, 'l' }, { "pid", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },       {}
	};
	const char *save_path = NULL, *load_path = NULL;
	bool autotune = false, pid = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
		switch (c) {
		case 'a':
			autotune = true;
			break;
		case 's':
			save_path = optarg;
			break;
		case 'l':
			load_path = optarg;
			break;
		case 'p':
			pid = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	if (optind < argc || autotune != !!save_path || (autotune && load_path)) {
		usage(stderr);
		return 2;
	}

	if (pid)
		r = textbook_pid_cosim(stdin, stdout, autotune, save_path, load_path);
	else if (autotune)
		r = run_autotune(save_path);
	else {
		struct heat_tuning tuning;
		char err[HEAT_TUNING_ERROR_MAX];

		heat_model_default(&tuning.model);
		if (load_path) {
			r = heat_tuning_load(load_path, &tuning, err);
			if (r < 0) {
				(void)fprintf(stderr, "heater-cosim: %s\n", err);
				return 1;
			}
		}
		r = run_control(&tuning.model);
	}
	if (r < 0) {
		(void)fprintf(stderr, "heater-cosim: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
