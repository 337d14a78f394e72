/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

#define CHAIR_PATH "/org/massaged/Chair1"
#define CHAIR_INTERFACE "org.massaged.Chair1"
#define CHAIR_ERROR(x) "org.massaged.Chair1.Error." x

/* Register org.massaged.Chair1 and the ObjectManager on /org/massaged/Chair1, and the
 * handlers of c->events that become its signals (ProgramFinished, FaultRaised,
 * FaultCleared). */
int bus_chair_register(struct context *c);

/* Shared by D-Bus methods and the remote's buttons: validate, then act. Each returns
 * 0 or a negative errno with *error set; a refusal changes nothing. */
int chair_start_program(struct context *c, const char *id, sd_bus_error *error);
int chair_pause(struct context *c, sd_bus_error *error);
int chair_resume(struct context *c, sd_bus_error *error);
int chair_set_intensity(struct context *c, unsigned level, sd_bus_error *error);
int chair_set_heat(struct context *c, bool on, sd_bus_error *error);
