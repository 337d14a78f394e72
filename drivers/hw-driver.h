/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-event.h>

#include "driver.h"
#include "hardware-config.h"

/* The real chair: a struct chair_driver that sends each signal where [Binding] wires
 * it (a line of `lines`, a relay-board coil, or nowhere) and the roller board and the
 * temperature module over Modbus. `lines` is the GPIO backend, or the simulated chair
 * (--simulate-lines) whose lines then also show every output, coils included. Takes
 * ownership of `lines`, also on failure. */
int hw_driver_new(const struct hardware_config *hw, sd_event *event, struct chair_driver *lines, bool lines_simulated,
		  struct chair_driver **ret);
