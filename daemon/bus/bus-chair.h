/* SPDX-License-Identifier: MIT */
#pragma once

#include "bus-heater.h"
#include "bus-names.h"
#include "context.h"

/* Register org.massaged.Chair1 and the ObjectManager on /org/massaged/Chair1, and
 * events_changed()'s handler (c->events.changed): PropertiesChanged. */
int bus_chair_register(struct context *c);

void bus_chair_emit_program_finished(struct context *c, const char *program, const char *reason);
void bus_chair_emit_fault_raised(struct context *c, const char *code, const char *message);
void bus_chair_emit_fault_cleared(struct context *c, const char *code);
