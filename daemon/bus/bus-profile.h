/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/* Chair1's profile methods (store/profile-store.h): rows of bus-chair.c's vtable. */
int bus_profile_save(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_profile_use(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_profile_delete(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_profile_use_none(sd_bus_message *m, void *userdata, sd_bus_error *error);

#define BUS_PROFILE_METHODS(flags) \
	SD_BUS_METHOD_WITH_ARGS("SaveProfile", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, bus_profile_save, flags), \
		SD_BUS_METHOD_WITH_ARGS("UseProfile", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, bus_profile_use, \
					flags), \
		SD_BUS_METHOD_WITH_ARGS("DeleteProfile", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, bus_profile_delete, \
					flags), \
		SD_BUS_METHOD("UseNoProfile", NULL, NULL, bus_profile_use_none, flags),
