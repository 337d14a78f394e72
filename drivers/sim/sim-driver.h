/* SPDX-License-Identifier: MIT */
#pragma once

#include "clock.h"
#include "config.h"
#include "driver.h"
#include "sim-chair.h"

/* The simulated backend: a struct chair_driver over a struct sim_chair, reading the
 * chair clock for every access. Inputs changed through the sim_driver_set_* calls
 * reach the daemon through its input handler at once, like a GPIO edge. */
int sim_driver_new(struct chair_clock *clock, const struct massaged_config *cfg,
		   struct chair_driver **ret);
struct sim_chair *sim_driver_chair(struct chair_driver *d);

void sim_driver_set_estop(struct chair_driver *d, bool pressed);
void sim_driver_set_seated(struct chair_driver *d, bool seated);
/* A press and release of a remote button (INPUT_BTN_*). */
void sim_driver_press_button(struct chair_driver *d, enum chair_input button);
/* "sensor-open:ZONE", "roller-offline", ... (docs/dbus-api.md InjectFault); -EINVAL if unknown. */
int sim_driver_inject_fault(struct chair_driver *d, const char *what, bool on);
