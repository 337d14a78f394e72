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
	double force, force_target; /* N, to 0.1 N */
	int zone_pressure[_ZONE_MAX];
	char focus[64]; /* the focus zones, space-joined (motion/focus.h) */
	char profile[PROFILE_NAME_MAX];
	char profiles[PROFILES_MAX * PROFILE_NAME_MAX]; /* the names, sorted, '\n'-joined */
	bool gentle;
	double heat_target;          /* °C, 0 = the program's or the default */
	uint64_t roller_run_seconds; /* as last announced (maintenance.h) */
};

/* Force and ForceTarget follow the load at every control tick: announced at most
 * this often in chair time (docs/dbus-api.md: at most 4 changes a second), and at
 * once with a change of State, so their last value is never left unannounced. */
#define CHAIR_PACED_PERIOD_USEC (250 * USEC_PER_MSEC)

/* Every org.massaged.Chair1 property, in the order of the introspection data:
 * X(name, kind (enum bus_value_kind without BUS_KIND_), field of struct chair_view,
 * paced step (struct bus_property; 0: announced at once)). Each one emits
 * PropertiesChanged. */
#define CHAIR1_PROPERTIES(X) \
	X("State", STRING, state, 0.0) \
	X("Program", STRING_BUF, program, 0.0) \
	X("Technique", STRING, technique, 0.0) \
	X("Zone", STRING, zone, 0.0) \
	X("Step", U32, step, 0.0) \
	X("StepCount", U32, step_count, 0.0) \
	X("Intensity", U32, intensity, 0.0) \
	X("Speed", U32, speed, 0.0) \
	X("Width", STRING, width, 0.0) \
	X("Heat", BOOL, heat, 0.0) \
	X("Elapsed", U32, elapsed, 0.0) \
	X("Remaining", U32, remaining, 0.0) \
	X("ShoulderHeight", U32, shoulder_height, 0.0) \
	X("Seated", BOOL, seated, 0.0) \
	X("Faults", WORDS, faults, 0.0) \
	X("SessionLimit", U32, session_limit, 0.0) \
	X("Force", DOUBLE, force, 0.05) \
	X("ForceTarget", DOUBLE, force_target, 0.05) \
	X("ZonePressure", ZONE_LEVELS, zone_pressure, 0.0) \
	X("Focus", WORDS, focus, 0.0) \
	X("Profile", STRING_BUF, profile, 0.0) \
	X("Profiles", LINES, profiles, 0.0) \
	X("Gentle", BOOL, gentle, 0.0) \
	X("HeatTarget", DOUBLE, heat_target, 0.0) \
	X("RollerRunSeconds", U64, roller_run_seconds, 0.0)

void chair_compute_view(const struct context *c, struct chair_view *ret);

/* The sd-bus getter of every Chair1 property (userdata: the context). */
int bus_chair_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
			   sd_bus_message *reply, void *userdata, sd_bus_error *error);

/* events_changed()'s handler (userdata: the context): PropertiesChanged for what changed
 * on Chair1 and on each Heater1. */
void bus_chair_changed(void *userdata);
