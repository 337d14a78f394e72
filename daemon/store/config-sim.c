/* SPDX-License-Identifier: MIT */
#include "config-sim.h"
#include "macro.h"

void config_to_sim(const struct massaged_config *cfg, struct sim_config *ret)
{
	*ret = (struct sim_config) {
		.shoulder_mm = cfg->sim_shoulder_mm,
		.load_noise_n = cfg->sim_load_noise_n,
		.n_pads = MIN(cfg->n_pads, (unsigned)MAX_PADS),
	};
	for (unsigned i = 0; i < ret->n_pads; i++)
		ret->pads[i] = (struct sim_pad_config) {
			.zone = cfg->pads[i].zone,
			.sensor_channel = hardware_sensor_channel(&cfg->hw, cfg->pads[i].zone, i),
		};
}
