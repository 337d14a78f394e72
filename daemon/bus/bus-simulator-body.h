/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/* Simulator1's person (docs/dbus-api.md): SetBody, SetBodyPreset, ResetPeakLoad and the
 * properties Load, PeakLoad, Body and BodyPreset, for bus-simulator.c's vtable. The
 * userdata is the struct context. */
int bus_simulator_set_body(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_simulator_set_body_preset(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_simulator_reset_peak_load(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_simulator_property_load(sd_bus *bus, const char *path, const char *interface, const char *property,
				sd_bus_message *rep, void *userdata, sd_bus_error *error);
int bus_simulator_property_peak_load(sd_bus *bus, const char *path, const char *interface, const char *property,
				     sd_bus_message *rep, void *userdata, sd_bus_error *error);
int bus_simulator_property_body(sd_bus *bus, const char *path, const char *interface, const char *property,
				sd_bus_message *rep, void *userdata, sd_bus_error *error);
int bus_simulator_property_body_preset(sd_bus *bus, const char *path, const char *interface, const char *property,
				       sd_bus_message *rep, void *userdata, sd_bus_error *error);
