/* SPDX-License-Identifier: MIT */
#include "bus-gentle.h"
#include "bus-names.h"
#include "gentle-mode.h"

int bus_method_set_gentle(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	int on, r;

	r = sd_bus_message_read(m, "b", &on);
	if (r < 0)
		return r;
	r = chair_set_gentle(userdata, on, &why);
	return bus_reply_command(m, r, &why, error);
}

int bus_method_set_heat_target(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	double celsius;
	int r;

	r = sd_bus_message_read(m, "d", &celsius);
	if (r < 0)
		return r;
	r = chair_set_heat_target(userdata, celsius, &why);
	return bus_reply_command(m, r, &why, error);
}
