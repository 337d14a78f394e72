/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

#include "refusal.h"

/* Every name massaged has on D-Bus, in one place (docs/dbus-api.md). */

#define BUS_SERVICE_NAME "org.massaged.Chair1"
#define CHAIR_PATH "/org/massaged/Chair1"
#define CHAIR_INTERFACE "org.massaged.Chair1"
#define HEATER_PATH_PREFIX "/org/massaged/Chair1/heater"
#define HEATER_INTERFACE "org.massaged.Heater1"
#define SIM_PATH "/org/massaged/Simulator1"
#define SIM_INTERFACE "org.massaged.Simulator1"

/* The D-Bus error name of a refusal: org.massaged.Chair1.Error.* or a standard one. */
const char *bus_refusal_error_name(enum refusal_kind kind);
/* Reply to a refused call: sets *error from the refusal, returns its negative errno. */
int bus_refusal_reply(sd_bus_error *error, const struct refusal *r);
/* Reply to a call that ran a command (commands.h) returning r: the method return, the
 * refusal in *why, or (no refusal given) the bare errno for sd-bus to reply with. */
int bus_reply_command(sd_bus_message *m, int r, const struct refusal *why, sd_bus_error *error);
