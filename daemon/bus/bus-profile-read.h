/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/* Chair1.GetProfile(s name) → a{sv}: a row of bus-chair.c's vtable. */
int bus_profile_get(sd_bus_message *m, void *userdata, sd_bus_error *error);

#define BUS_PROFILE_READ_METHODS(flags) \
	SD_BUS_METHOD_WITH_ARGS("GetProfile", SD_BUS_ARGS("s", name), SD_BUS_RESULT("a{sv}", fields), bus_profile_get, \
				flags),
