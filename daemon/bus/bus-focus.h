/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/* Chair1's SetFocus(as zones) and StartFocus(s zone, u minutes) (commands-focus.h);
 * userdata: the context. bus-chair.c lists them in the vtable. */
int bus_focus_method_set(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_focus_method_start(sd_bus_message *m, void *userdata, sd_bus_error *error);
