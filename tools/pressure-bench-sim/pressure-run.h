/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "program.h"
#include "sim-body.h"

/* One run of the pressure benchmark (docs/pressure-bench.md): a program on a simulated
 * body at an intensity, the daemon's composition of a tick (motion/roller-step.c) and
 * its safety gate (the limits' clamp, the over-force rule) at the 20 ms control tick,
 * in chair time. */

enum pressure_scenario {
	SCENARIO_NONE,
	SCENARIO_STIFFEN, /* Tension rises to x3 over 5 s mid-program */
	SCENARIO_TENSE,   /* Tension x2 at once mid-program */
	_SCENARIO_MAX,
};

struct pressure_run_config {
	const struct program *program;
	struct sim_body body;
	unsigned intensity;
	bool open_loop;
	enum pressure_scenario scenario;
	uint64_t seed;
};

/* What is measured (docs/pressure-bench.md, "What it measures"). Times in ms; -1 where
 * a thing did not happen (no tensing, never recovered). */
struct pressure_result {
	double rms_pct;            /* RMS of (force - goal) / goal over every steady sample; the goal is
				    * the target, or what DepthMax reaches there when that is less */
	double depth_limited_pct;  /* of the steady time, where DepthMax reaches less than the target */
	double worst_step_rms_pct; /* the same for the step where it is largest */
	unsigned worst_step;       /* 1-based */
	double steady_s;           /* how much of the run was steady */
	double over_target_n;      /* the most the force passed target + margin by */
	double over_target_ms;     /* the longest it stayed above target + margin */
	double over_max_n;         /* the most the force passed ForceMax by (0: never) */
	double over_max_ms;        /* the longest it stayed above ForceMax */
	double peak_load_n;        /* the highest contact force of the run (Simulator1's PeakLoad) */
	double capped_ms;          /* how long the gate held the depth at 0 (over-force cap) */
	double fault_s;            /* when the gate raised over-force and ended the run, -1: never */
	double force_max_n;
	double tense_onset_s;
	double backoff_ms; /* from the tensing until the depth commanded was below the onset's */
	double recover_ms; /* from the tensing until the force stays within 20 % of its target for 1 s */
};

const char *pressure_scenario_name(enum pressure_scenario s);
int pressure_scenario_from_name(const char *name); /* -ENOENT */

void pressure_run(const struct pressure_run_config *cfg, struct pressure_result *ret);
