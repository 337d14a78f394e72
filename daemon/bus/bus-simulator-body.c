/* SPDX-License-Identifier: MIT */
/* The simulated person on Simulator1: whom the rollers press on, and what they feel. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bus-simulator-body.h"
#include "config-sim.h"
#include "context.h"
#include "log.h"
#include "quote.h"
#include "sim-body-file.h"
#include "sim-driver.h"

/* As bus-simulator.c's: with --simulate-lines chair-sim models the person. */
static int refuse_if_lines_only(const struct context *c, sd_bus_error *error)
{
	if (!c->simulator_lines_only)
		return 0;
	return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
				 "Only the GPIO lines are simulated (--simulate-lines): the person on the "
				 "rollers is tools/chair-sim's (its --body option and body command).");
}

int bus_simulator_set_body(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	struct sim_body before, b;
	const char *name;
	double value;
	int r;

	r = refuse_if_lines_only(c, error);
	if (r < 0)
		return r;
	sim_driver_body(c->simulator, &before);
	b = before;
	r = sd_bus_message_enter_container(m, 'a', "{sd}");
	if (r < 0)
		return r;
	/* every entry onto a copy first: one bad entry and the person stays as they were */
	while ((r = sd_bus_message_read(m, "{sd}", &name, &value)) > 0) {
		char why[512];

		if (sim_body_set_explained(&b, name, value, why, sizeof(why)) < 0)
			return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, why);
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(m);
	if (r < 0)
		return r;
	if (memcmp(&b, &before, sizeof(b)) != 0)
		sim_driver_set_body(c->simulator, &b);
	else
		sim_driver_reset_peak(c->simulator);
	log_notice("Simulator: body %s at chair time %.3f s", memcmp(&b, &before, sizeof(b)) ? "changed" : "unchanged",
		   context_now(c) / 1e6);
	return sd_bus_reply_method_return(m, NULL);
}

int bus_simulator_set_body_preset(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	const char *name, *dir = config_sim_bodies_dir(&c->config);
	char q[QUOTE_BUF_SIZE], err[SIM_BODY_ERROR_MAX], names[256];
	struct sim_body b;
	bool sets_noise;
	int r;

	r = refuse_if_lines_only(c, error);
	if (r < 0)
		return r;
	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	r = sim_body_preset_load(dir, name, &b, &sets_noise, err);
	if (r == -ENOENT || r == -EINVAL) {
		if (r == -EINVAL && sim_body_preset_name_is_valid(name)) /* the file is broken */
			return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "Body preset '%s' cannot be used: %s",
						 name, err);
		if (sim_body_preset_list(dir, names, sizeof(names)) <= 0)
			(void)snprintf(names, sizeof(names), "none (%s has no NAME.body)", dir);
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown body preset '%s': use %s.",
					 quote_value(name, q), names);
	}
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "Body preset '%s' cannot be read: %s", name, err);
	if (!sets_noise) {
		struct sim_body now;

		/* the noise is the load cell's, not the person's: it stays unless the preset says */
		sim_driver_body(c->simulator, &now);
		b.noise_n = now.noise_n;
	}
	sim_driver_set_body_preset(c->simulator, name, &b);
	log_notice("Simulator: body preset %s at chair time %.3f s", name, context_now(c) / 1e6);
	return sd_bus_reply_method_return(m, NULL);
}

int bus_simulator_reset_peak_load(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	int r = refuse_if_lines_only(c, error);

	if (r < 0)
		return r;
	sim_driver_reset_peak(c->simulator);
	return sd_bus_reply_method_return(m, NULL);
}

int bus_simulator_property_load(sd_bus *bus, const char *path, const char *interface, const char *property,
				sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;

	return sd_bus_message_append(rep, "d", sim_driver_load_n(c->simulator));
}

int bus_simulator_property_peak_load(sd_bus *bus, const char *path, const char *interface, const char *property,
				     sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;

	return sd_bus_message_append(rep, "d", sim_driver_peak_load_n(c->simulator));
}

int bus_simulator_property_body(sd_bus *bus, const char *path, const char *interface, const char *property,
				sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;
	struct sim_body b;
	const char *name;
	int r = sd_bus_message_open_container(rep, 'a', "{sd}");

	sim_driver_body(c->simulator, &b);
	for (size_t i = 0; r >= 0 && (name = sim_body_param_name(i, NULL, NULL, NULL)); i++)
		r = sd_bus_message_append(rep, "{sd}", name, sim_body_param_value(&b, i));
	return r < 0 ? r : sd_bus_message_close_container(rep);
}

int bus_simulator_property_body_preset(sd_bus *bus, const char *path, const char *interface, const char *property,
				       sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct context *c = userdata;

	return sd_bus_message_append(rep, "s", sim_driver_body_preset(c->simulator));
}
