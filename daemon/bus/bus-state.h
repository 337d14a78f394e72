/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bus-chair-properties.h"
#include "context.h"
#include "heater.h"

/* What bus/ keeps of its own (c->bus_state): what each object last published, so that
 * PropertiesChanged names only what changed. Made when Chair1 is registered, freed
 * with the bus. */

struct bus_heater_object {
	struct heater *heater;
	char *path; /* HEATER_PATH_PREFIX/ZONE */
	struct heater_view published;
	uint64_t published_wall_usec; /* when a paced property was last announced */
	bool published_valid;
};

struct bus_state {
	struct chair_view published; /* from Chair1's registration on */
	uint64_t paced_usec;         /* chair time Force or ForceTarget was last announced */
	unsigned n_heaters;
	struct bus_heater_object heaters[MAX_PADS];
};
