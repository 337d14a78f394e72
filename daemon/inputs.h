/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "context.h"

/* The GPIO inputs: the emergency stop, the seat switch and the remote's buttons. */

/* The driver's input handler (main.c registers it with the driver, userdata the
 * context): an input changed. */
void inputs_changed(void *userdata, enum chair_input input, bool active);

/* At start-up, the driver open and the roller board read: take the seat as it is, and a
 * stop pressed already raises its fault as a press would. */
void inputs_read_at_start(struct context *c);
