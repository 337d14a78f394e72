/* SPDX-License-Identifier: MIT */
#pragma once

#include "config.h"
#include "driver.h"
#include "sim-chair.h"

/* The simulated chair's configuration from massaged's: the [Simulator] person and the
 * configured pads on their temperature channels. */
void config_to_sim(const struct massaged_config *cfg, struct sim_config *ret);

/* Where the body presets are: [Simulator] Bodies=, else config/bodies of the source tree
 * for a massaged run from its build tree, else the installed datadir/massaged/bodies. */
const char *config_sim_bodies_dir(const struct massaged_config *cfg);
/* A body: `which` a preset in that directory, or a file when it holds a '/' (NULL:
 * [Simulator] Body=); its Noise LoadNoise= unless the file gives one. The preset
 * SIM_BODY_BUILT_IN is sim_body_default() when its file is missing. On failure err
 * (SIM_BODY_ERROR_MAX bytes) says why. */
int config_sim_load_body(const struct massaged_config *cfg, const char *which, struct sim_body *ret, char *err);
/* The simulated driver's person becomes [Simulator] Body= from that directory, its
 * Noise LoadNoise= unless the preset gives one. Logs why not, once. */
int config_sim_start_body(const struct massaged_config *cfg, struct chair_driver *simulator);
