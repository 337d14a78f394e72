/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-event.h>

#include "driver.h"
#include "hardware-config.h"

/* The chair's GPIO lines through libgpiod v2: a struct chair_driver that does
 * set_output and get_input for the signals bound to gpio:LINE, and reports input
 * edges to its handler from the event loop. Every output is requested at its
 * inactive level; free() drives them inactive before release.
 *
 * A missing chip or line is -ENODEV, after a message naming it. */
int gpio_lines_new(const struct hardware_config *hw, sd_event *event, struct chair_driver **ret);
