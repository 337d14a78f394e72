/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "chair-sim.h"

/* The person on the rollers, on the control protocol (control.c's table): the same as
 * massaged's Simulator1 SetBody, SetBodyPreset, Load, PeakLoad and ResetPeakLoad. Each
 * returns NULL on success, else why nothing changed; args end with NULL. */
const char *control_body(struct chair_sim *cs, char **args, char *why, size_t size);
const char *control_body_preset(struct chair_sim *cs, char **args, char *why, size_t size);
const char *control_load(struct chair_sim *cs, char **args, char *why, size_t size);
const char *control_peak(struct chair_sim *cs, char **args, char *why, size_t size);
const char *control_peak_reset(struct chair_sim *cs, char **args, char *why, size_t size);
