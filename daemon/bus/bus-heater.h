/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* org.massaged.Heater1 on HEATER_PATH_PREFIX/ZONE for each configured pad. Register
 * after Chair1 (bus_chair_register), which makes what they keep. */
int bus_heaters_register(struct context *c);
/* PropertiesChanged for what changed on each pad; Temperature, Power and
 * AutotuneProgress at most every half second of wall time. */
void bus_heaters_publish(struct context *c);
