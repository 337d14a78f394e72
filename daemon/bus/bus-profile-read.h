/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/* Chair1.GetProfile(s name) → a{sv}: a row of bus-chair.c's vtable. */
int bus_profile_get(sd_bus_message *m, void *userdata, sd_bus_error *error);
