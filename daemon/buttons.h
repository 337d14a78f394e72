/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* The chair remote (docs/hardware.md): POWER starts the last program or stops a running
 * one; NECK, SHOULDER, BACK start those programs; PAUSE toggles; UP/DOWN change
 * intensity; HEAT toggles heat. A press the chair cannot follow is logged, not acted on. */
void buttons_press(struct context *c, enum chair_input button);
