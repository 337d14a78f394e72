/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* org.massaged.Simulator1 on /org/massaged/Simulator1 (only with --simulate). */
int bus_simulator_register(struct context *c);
