/* SPDX-License-Identifier: MIT */
#pragma once

#include "config.h"
#include "sim-chair.h"

/* The simulated chair's configuration from massaged's: the [Simulator] person and the
 * configured pads on their temperature channels. */
void config_to_sim(const struct massaged_config *cfg, struct sim_config *ret);
