/* SPDX-License-Identifier: MIT */
#include <errno.h>
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

int config_sim_load_body(const struct massaged_config *cfg, const char *which, struct sim_body *ret, char *err)
{
	struct sim_body body;
	bool sets_noise;
	int r;

	if (!which)
		which = cfg->sim_body;
	if (strchr(which, '/'))
		r = sim_body_file_load(which, &body, &sets_noise, err);
	else
		r = sim_body_preset_load(config_sim_bodies_dir(cfg), which, &body, &sets_noise, err);
	if (r == -ENOENT && strcmp(which, SIM_BODY_BUILT_IN) == 0) {
		/* its file is sim_body_default() written out (test sim-body): a copy of the
		 * binaries without the data files still has a person to simulate */
		sim_body_default(&body);
		sets_noise = false;
		r = 0;
	}
	if (r < 0)
		return r;
	if (!sets_noise)
		body.noise_n = cfg->sim_load_noise_n;
	*ret = body;
	return 0;
}

int config_sim_start_body(const struct massaged_config *cfg, struct chair_driver *simulator)
{
	char err[SIM_BODY_ERROR_MAX];
	struct sim_body body;
	int r;

	r = config_sim_load_body(cfg, NULL, &body, err);
	if (r < 0)
		return log_errno(r, "Simulator: cannot load the body [Simulator] Body=%s: %s", cfg->sim_body, err);
	sim_driver_set_body_preset(simulator, cfg->sim_body, &body);
	log_info("Simulator: the person is %s (%s)", cfg->sim_body, config_sim_bodies_dir(cfg));
	return 0;
}
