/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "context.h"
#include "heater.h"
#include "log.h"
#include "reload.h"
#include "settings-store.h"

static const char *default_program_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		if (strncmp(exe, BUILD_ROOT "/", strlen(BUILD_ROOT) + 1) == 0)
			return SOURCE_PROGRAM_DIR;
	}
	return PROGRAM_LIBRARY_DIR;
}

void program_dirs_from_config(const struct massaged_config *cfg, char *library, size_t library_size,
			      char *override, size_t override_size)
{
	(void)snprintf(library, library_size, "%s", cfg->program_library[0] ? cfg->program_library : default_program_dir());
	(void)snprintf(override, override_size, "%s", cfg->program_override[0] ? cfg->program_override : PROGRAM_OVERRIDE_DIR);
}

static bool same_pads(const struct massaged_config *a, const struct massaged_config *b)
{
	if (a->n_pads != b->n_pads)
		return false;
	for (unsigned i = 0; i < a->n_pads; i++)
		if (a->pads[i].zone != b->pads[i].zone)
			return false;
	return true;
}

/* What of the wiring differs, as "[GPIO]/[Modbus]/[Binding], ..." (empty when none).
 * Both configurations were built the same way from zeroed memory (config_load), so
 * the wiring compares bytewise. */
static void wiring_changes(const struct massaged_config *running, const struct massaged_config *cfg, char *buf,
			   size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	if (memcmp(&running->hw, &cfg->hw, sizeof(cfg->hw)) != 0)
		len += (size_t)snprintf(buf + len, size - len, "[GPIO]/[Modbus]/[Binding]");
	if (!same_pads(running, cfg) && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%s[Heat] Pads", len ? ", " : "");
	if ((running->sim_shoulder_mm != cfg->sim_shoulder_mm || running->sim_load_noise_n != cfg->sim_load_noise_n) &&
	    len < size)
		(void)snprintf(buf + len, size - len, "%s[Simulator]", len ? ", " : "");
}

/* The running wiring in the new configuration; each pad keeps its ceiling from it. */
static void keep_wiring(struct massaged_config *cfg, const struct massaged_config *running)
{
	struct pad_config pads[MAX_PADS];

	for (unsigned i = 0; i < running->n_pads; i++) {
		const struct pad_config *p = config_find_pad(cfg, running->pads[i].zone);

		pads[i] = (struct pad_config){ running->pads[i].zone, p ? p->max_target_c : cfg->max_target_c };
	}
	memcpy(cfg->pads, pads, sizeof(pads));
	cfg->n_pads = running->n_pads;
	cfg->hw = running->hw;
	cfg->sim_shoulder_mm = running->sim_shoulder_mm;
	cfg->sim_load_noise_n = running->sim_load_noise_n;
}

static int reload_refused(struct context *c, int r, const char *why, char *status, size_t size)
{
	log_event(LOG_ERR, LOG_EVENT_CONFIG_RELOAD_FAILED, NULL,
		  "Reload refused, the running configuration and %u programs stay: %s", c->programs.n_programs, why);
	(void)snprintf(status, size, "Reload refused: %s", why);
	return r;
}

int context_reload(struct context *c, char *status, size_t size)
{
	char err[CONFIG_ERROR_MAX > PROGRAM_ERROR_MAX ? CONFIG_ERROR_MAX : PROGRAM_ERROR_MAX];
	char library[sizeof(c->program_library_dir)], override[sizeof(c->program_override_dir)], wiring[128];
	struct chair_settings defaults_before = settings_from_config(&c->config);
	struct program_library lib = {};
	struct massaged_config cfg;
	int r;

	r = config_load(c->config_path[0] ? c->config_path : NULL, c->config_required, &cfg, err);
	if (r < 0)
		return reload_refused(c, r, err, status, size);
	program_dirs_from_config(&cfg, library, sizeof(library), override, sizeof(override));
	r = context_load_program_set(library, override, cfg.default_program, &lib, err);
	if (r < 0)
		return reload_refused(c, r, err, status, size);

	wiring_changes(&c->config, &cfg, wiring, sizeof(wiring));
	if (wiring[0]) {
		log_warning("The wiring changed in the configuration (%s): it takes effect when massaged "
			    "restarts; the running wiring stays until then", wiring);
		keep_wiring(&cfg, &c->config);
	}
	c->config = cfg;
	(void)snprintf(c->program_library_dir, sizeof(c->program_library_dir), "%s", library);
	(void)snprintf(c->program_override_dir, sizeof(c->program_override_dir), "%s", override);
	program_library_clear(&c->programs);
	c->programs = lib;

	/* [Limits], the seat grace, DefaultProgram and DefaultShoulderHeight are read where
	 * they are used: they hold from the next tick on */
	settings_store_reconfigured(c, &defaults_before);
	heaters_reconfigure(c);
	context_publish(c);
	log_event(LOG_INFO, LOG_EVENT_CONFIG_RELOADED, NULL, "Reloaded the configuration and %u programs%s",
		  lib.n_programs, wiring[0] ? " (the wiring waits for a restart)" : "");
	(void)snprintf(status, size, "Reloaded: %u programs%s", lib.n_programs,
		       wiring[0] ? "; the wiring changes wait for a restart" : "");
	return 0;
}
