/* SPDX-License-Identifier: MIT */
#pragma once

#include "bus-heater.h"
#include "bus-names.h"
#include "context.h"

/* Register org.massaged.Chair1 and the ObjectManager on /org/massaged/Chair1, and the
 * handlers of c->events: ProgramFinished, FaultRaised, FaultCleared and, for
 * events_changed(), PropertiesChanged. */
int bus_chair_register(struct context *c);
