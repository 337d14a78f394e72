/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "clock.h"
#include "config.h"
#include "driver.h"
#include "engine.h"
#include "events.h"
#include "fault-codes.h"
#include "heater.h"
#include "loop-lateness.h"
#include "maintenance.h"
#include "over-force.h"
#include "profile-name.h"
#include "profile-store.h"
#include "program.h"
#include "remote-state.h"
#include "roller-step.h"
#include "roller.h"
#include "scan.h"
#include "session-types.h"
#include "settings-store.h"
#include "settings.h"

struct reload_worker;
struct bus_state;
/* D-Bus is bus/'s and main.c's: the context only holds the connection. */
typedef struct sd_bus sd_bus;

#define FAULT_CODE_MAX 40
#define FAULT_MESSAGE_MAX 256

struct fault {
	char code[FAULT_CODE_MAX];
	char message[FAULT_MESSAGE_MAX];
};

struct context {
	sd_event *event;
	sd_bus *bus;
	struct chair_event_handlers events; /* the way up to the clients (bus/ sets them) */
	sd_event_source *tick_source;
	struct chair_clock *clock; /* its own allocation: reading it from a const context updates it */

	struct massaged_config config;
	char config_path[256]; /* what SIGHUP reads again */
	bool config_required;  /* given with --config: must exist */
	char program_library_dir[256], program_override_dir[256];
	struct program_library programs;

	struct chair_driver *driver;
	/* The simulated chair behind Simulator1: the whole driver with --simulate, only
	 * the lines with --simulate-lines (then the rest of the chair is real). */
	struct chair_driver *simulator;
	bool simulator_lines_only;

	enum chair_state state;
	struct session session;
	char last_program[PROGRAM_ID_MAX];

	/* person-level settings that outlive a session (settings-store.c keeps them) */
	unsigned intensity, speed;
	enum width width;
	bool heat;
	/* the person's heat preference, SetHeat's last word: a profile keeps it, and a session
	 * started with that profile in use starts with Heat on (session.c) */
	bool heat_wanted;
	unsigned session_limit_s;
	int zone_pressure[_ZONE_MAX]; /* SetZonePressure: a level offset -2..+2 by zone (back unused) */
	unsigned shoulder_mm;         /* 0 = not known for this person */
	int shoulder_adjust_mm;       /* the person's AdjustShoulder total on top of the scanned line */
	/* the person in the chair (issue 17) */
	char profile[PROFILE_NAME_MAX]; /* the profile in use (store/profile-store.c), "" when none */
	unsigned focus;                 /* SetFocus: areas of concern, a bit per enum zone (1u << z) */
	bool gentle;                    /* SetGentle: gentle mode's caps hold (gentle.c) */
	double heat_target_c;           /* the person's session heat target, °C; 0 = the program's or the default */
	bool seated;
	struct remote_state remote; /* buttons.c: POWER held, the LED's blinks */

	struct chair_scan scan; /* session.c, session-tick.c */

	/* roller board */
	struct roller_setpoints setpoints;
	double force_target_n;                /* the force the loop follows now, N; 0 when none is asked */
	struct roller_step_state roller_step; /* the force loop and whether it is on (--force-control) */
	struct roller_status roller;
	struct over_force over_force; /* the gate caps depth while over_force.capping (safety.c) */
	uint64_t roller_last_ok_usec;
	bool modbus_slow;                /* the control tick's last roller read was slow */
	uint64_t modbus_slow_since_usec; /* chair time of the first of them */
	uint64_t last_tick_usec;
	bool ticking;

	unsigned n_faults;
	struct fault faults[FAULTS_MAX];
	/* The emergency stop was pressed and not yet cleared: held apart from the list too,
	 * so that nothing can make the chair forget it (safety.c). */
	bool estop_latched;

	/* what bus/ last published (bus/bus-state.h), NULL without Chair1 on the bus */
	struct bus_state *bus_state;
	char notified_status[32 + FAULTS_MAX * FAULT_CODE_MAX]; /* systemd's STATUS= */

	char state_dir[256];                  /* the StateDirectory: settings, tunings, dose, lockouts */
	struct settings_store settings_store; /* store/settings-store.c */
	struct profile_store profile_store;   /* store/profile-store.c */
	struct state_writer *state_writer;    /* state files are written off the loop */
	struct reload_worker *reload_worker;  /* and SIGHUP's files read off it (reload.c) */

	struct heating heating;         /* heat/heater*.c */
	struct maintenance maintenance; /* maintenance.c: roller run time, pads' heating and relay wear */

	/* how late the control and heat ticks fired (logged at exit) */
	struct loop_lateness control_lateness, heat_lateness;
};

const char *chair_state_to_string(enum chair_state s);

int context_new(struct context **ret);
struct context *context_free(struct context *c);
void context_freep(struct context **c);

/* The current chair time. */
uint64_t context_now(const struct context *c);
/* Something clients see may have changed: tell them (events_changed: bus/ compares and
 * emits PropertiesChanged) and systemd the status. Call after anything that may
 * change state. */
void context_publish(struct context *c);
/* At exit (SIGTERM, the bus lost): write what the state files do not hold yet. */
void context_save_state(struct context *c);
/* The levels that apply now: the person's, and whether they override the steps. */
struct session_levels context_levels(const struct context *c);
/* The shoulder line zones are placed from: the scanned one, else the configured default. */
unsigned context_shoulder_mm(const struct context *c);
/* Arm a one-shot timer `chair_usec` of chair time from now (never sooner than 2 ms of
 * wall time, however fast chair time runs), creating the source on first use. A
 * timer that is armed already is left as it is. Returns 0 or negative errno (logged). */
int context_arm_tick(struct context *c, sd_event_source **source, uint64_t chair_usec, sd_event_time_handler_t handler,
		     const char *description);
/* Turn a tick off (source may be NULL); the clock learns that it is no longer due. */
int context_disarm_tick(struct context *c, sd_event_source *source);
