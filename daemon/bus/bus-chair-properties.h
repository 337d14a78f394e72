/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "bus-properties.h"
#include "context.h"

/* What the Chair1 properties show, computed from the context in one place so that the
 * getters and PropertiesChanged can never disagree. */
struct chair_view {
	const char *state;
	char program[PROGRAM_ID_MAX];
	const char *technique, *zone;
	unsigned step, step_count;
	unsigned intensity, speed;
	const char *width;
	bool heat;
	unsigned elapsed, remaining;
	unsigned shoulder_height;
	bool seated;
	char faults[FAULTS_MAX * FAULT_CODE_MAX]; /* the codes, space-joined */
	unsigned session_limit;
};

/* Every org.massaged.Chair1 property, in the order of the introspection data:
 * X(name, kind (enum bus_value_kind without BUS_KIND_), field of struct chair_view).
 * Each one emits PropertiesChanged. */
#define CHAIR1_PROPERTIES(X) \
	X("State", STRING, state) \
	X("Program", STRING_BUF, program) \
	X("Technique", STRING, technique) \
	X("Zone", STRING, zone) \
	X("Step", U32, step) \
	X("StepCount", U32, step_count) \
	X("Intensity", U32, intensity) \
	X("Speed", U32, speed) \
	X("Width", STRING, width) \
	X("Heat", BOOL, heat) \
	X("Elapsed", U32, elapsed) \
	X("Remaining", U32, remaining) \
	X("ShoulderHeight", U32, shoulder_height) \
	X("Seated", BOOL, seated) \
	X("Faults", WORDS, faults) \
	X("SessionLimit", U32, session_limit)

void chair_compute_view(const struct context *c, struct chair_view *ret);

/* The sd-bus getter of every Chair1 property (userdata: the context). */
int bus_chair_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
			   sd_bus_message *reply, void *userdata, sd_bus_error *error);

/* events_changed()'s handler (userdata: the context): PropertiesChanged for what changed
 * on Chair1 and on each Heater1. */
void bus_chair_changed(void *userdata);
