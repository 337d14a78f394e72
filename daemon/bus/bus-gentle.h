/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/* Chair1's SetGentle(b on) and SetHeatTarget(d celsius) (gentle-mode.h; userdata: the
 * context); their vtable rows are in bus-chair.c. */
int bus_method_set_gentle(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_method_set_heat_target(sd_bus_message *m, void *userdata, sd_bus_error *error);
