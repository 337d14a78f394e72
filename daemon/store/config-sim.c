/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "config-sim.h"
#include "log.h"
#include "macro.h"
#include "sim-body-file.h"
#include "sim-driver.h"

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

/* As the program library's: a binary in the build tree reads the source tree's files. */
static bool running_from_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	return strncmp(exe, BUILD_ROOT "/", strlen(BUILD_ROOT) + 1) == 0;
}

const char *config_sim_bodies_dir(const struct massaged_config *cfg)
{
	if (cfg->sim_bodies[0])
		return cfg->sim_bodies;
	return running_from_build_tree() ? SOURCE_BODY_DIR : BODY_LIBRARY_DIR;
}

int config_sim_start_body(const struct massaged_config *cfg, struct chair_driver *simulator)
{
	char err[SIM_BODY_ERROR_MAX];
	struct sim_body body;
	bool sets_noise;
	int r;

	r = sim_body_preset_load(config_sim_bodies_dir(cfg), cfg->sim_body, &body, &sets_noise, err);
	if (r < 0)
		return log_errno(r, "Simulator: cannot load the body [Simulator] Body=%s: %s", cfg->sim_body, err);
	if (!sets_noise)
		body.noise_n = cfg->sim_load_noise_n;
	sim_driver_set_body_preset(simulator, cfg->sim_body, &body);
	log_info("Simulator: the person is %s (%s)", cfg->sim_body, config_sim_bodies_dir(cfg));
	return 0;
}
