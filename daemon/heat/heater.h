/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "chair-types.h"
#include "heat-autotune.h"
#include "heat-control.h"
#include "heat-model-check.h"
#include "heat-protect.h"
#include "relay-pwm.h"

struct context;

/* A lockout's code: a pad fault code (KIND:ZONE) or HEATER_LOCKOUT_FILE_DAMAGED. */
#define HEATER_LOCKOUT_CODE_MAX 40
#define HEATER_LOCKOUT_WHAT_MAX 160
#define HEATER_LOCKOUT_FILE_DAMAGED "lockout-file-damaged"

/* What Heater1 shows, computed in one place so that its getters and PropertiesChanged
 * can never disagree (bus/bus-heater.c's table walks it). */
#define HEATER_AUTOTUNE_ERROR_MAX 256

struct heater_view {
	double temperature, target, power, progress, max_target;
	const char *zone, *state;
	bool tuned;
	char lockout[HEATER_LOCKOUT_CODE_MAX];          /* "" when the pad may heat */
	uint64_t lockout_since_usec;                    /* CLOCK_REALTIME, 0 when none */
	char autotune_error[HEATER_AUTOTUNE_ERROR_MAX]; /* a copy: published compares it */
	/* the maintenance counters and the dose as last announced (maintenance.h), the budget */
	uint64_t heating_seconds, relay_switches;
	double dose, dose_limit;
};

/* One heating pad at run time: its controller, protection, relay and autotune. */
struct heater {
	struct context *context;
	enum zone zone;
	unsigned channel;        /* temperature module channel */
	enum chair_output relay; /* its heater output, OUTPUT_INVALID if none */
	double max_target_c;

	double set_target_c;     /* SetTarget's, -1 = follow the session */
	double target_c;         /* driven to now (0 = off), after the dose budget */
	struct heat_dose dose;   /* over the last DoseWindow, across sessions and restarts */
	double dose_unsaved_min; /* added since heater-dose.state was last written */
	bool dose_spent;         /* said once until the window forgets enough of it */

	bool tuned;
	struct heat_tuning tuning;
	struct heat_control control;
	struct heat_protect protect;
	struct heat_model_check model_check; /* a loaded model against the pad */
	struct relay_pwm pwm;
	struct heat_autotune *autotune;
	char autotune_error[HEATER_AUTOTUNE_ERROR_MAX]; /* the last one's failure; "" since one started or succeeded */

	double reading_c; /* latest valid reading, NaN before one */
	double duty;
	bool relay_on;
	bool relay_unopened; /* its relay failed to open: the master stays open */

	/* heater-lockout.c: a broken part keeps the pad off until ResetLockout */
	char lockout[HEATER_LOCKOUT_CODE_MAX]; /* "" when none */
	char lockout_what[HEATER_LOCKOUT_WHAT_MAX];
	uint64_t lockout_since_usec; /* CLOCK_REALTIME */
};

/* The pads of the chair and what heating them as a whole needs (heater*.c own it). */
struct heating {
	unsigned n_heaters;
	struct heater heaters[MAX_PADS];
	struct sd_event_source *tick_source;
	bool master_on;
	uint64_t temps_last_ok_usec;
	uint64_t seat_empty_since_usec;
	/* a pad heats since then with no moment of every pad off (SessionLimit caps it) */
	bool since_valid;
	uint64_t since_usec;
	/* heater-dose.state: the last write (chair time), and whether writes fail */
	uint64_t dose_saved_usec;
	bool dose_write_failing;
};

#define HEAT_TICK_CHAIR_USEC 250000ULL
#define HEAT_SEAT_EMPTY_USEC (30 * 1000000ULL)

/* Set up the configured pads, each with its saved autotune result if it has a valid
 * one (a damaged or implausible file is reported and ignored; a loaded one is on
 * trial against the pad in its first minutes of heating), and start the heat tick, which
 * supervises every pad's reading from then on, heating or not. */
int heaters_init(struct context *c);
void heaters_free(struct context *c);

/* The safe state drove every heat output off: what is known of them now. */
void heaters_outputs_forced_off(struct context *c);

/* Recompute every pad's target from the session, Heat, SetTarget and the dose, and
 * drive the relays. Call after anything that changes them. */
void heaters_update(struct context *c);
/* Every pad off, SetTarget forgotten, autotune abandoned (session end, Stop, fault,
 * empty seat, heat that ran for SessionLimit). `reason` (a ProgramFinished reason, "fault", "seat-empty" or
 * "heat-turned-off") is the journal's MASSAGED_REASON, `why` the words of the message
 * (NULL: the reason). */
void heaters_off(struct context *c, const char *reason, const char *why);
/* Does any pad heat or autotune now? */
bool heaters_heating(const struct context *c);
/* After a reload: every pad's MaxTarget (its trip point with it) and relay timing from
 * the configuration. A lowered MaxTarget caps SetTarget's target at once, and abandons
 * an autotune, which may heat up to the old one. */
void heaters_reconfigure(struct context *c);

/* Gentle mode turned on: an autotune is abandoned (it heats past the gentle cap) and a
 * SetTarget above the cap is lowered to it, so that turning gentle off again does not
 * bring the heat back by itself; every pad's target drops at once. */
void heaters_gentle_on(struct context *c);

/* SetTarget, checked already (commands.c): 0 = off, else a target within MaxTarget;
 * an autotune gives way to it. */
void heater_set_target(struct heater *h, double celsius);
/* What autotune heats the pad to: the default target, capped by MaxTarget. */
double heater_autotune_target(const struct heater *h);
/* Autotune, checked already (commands.c). 0 or a negative errno (logged). */
int heater_start_autotune(struct heater *h);

/* The simulator moved a pad's stone to `celsius` at once (SetPadTemperature): a move no
 * stone makes (more than a sensor jump) starts its estimate and protection again from
 * the next reading. */
void heater_stone_moved(struct context *c, enum zone zone, double celsius);

void heater_compute_view(const struct heater *h, struct heater_view *ret);

/* Is the cause of this heat fault still there? Reads the temperature module afresh.
 * -ENOENT for a code that is not a heat fault. */
int heater_fault_persists(struct context *c, const char *code);

/* heater-dose.c: each pad's dose window in heater-dose.state, so a restart does not
 * forget it. Load at start (a damaged file is reported and ignored); save every minute
 * of chair time while dose accrues, and on exit (flush). */
void heaters_dose_load(struct context *c);
void heaters_dose_tick(struct context *c, uint64_t now);
void heaters_dose_flush(struct context *c);

/* heater-lockout.c: a fault that means a broken part (runaway, heater-stuck, overtemp,
 * a sensor off the stone) locks its pad out until it is serviced: ClearFault clears the
 * fault, but the pad's relay stays open and SetTarget/Autotune answer LockedOut until
 * root calls ResetLockout. heater-stuck (a welded relay: only the master relay cuts that
 * pad's heat) locks out all heat. Kept in heater-lockout.state, written at once; a
 * damaged file locks out every pad. */
/* Lock the pad out: `code` the fault that says its part is broken (KIND:ZONE), `what_broke`
 * words for messages ("its relay is welded shut"). The first lockout stays, except that a
 * heater-stuck replaces a milder one. A sensor: fault from an open or shorted reading is
 * not a broken part in this sense and must not be passed here. */
void heater_lock_out(struct heater *h, const char *code, const char *what_broke);
/* The lockout that keeps this pad off: its own, or another pad's heater-stuck (which
 * keeps the master relay open), or NULL. */
const struct heater *heater_lockout_holder(const struct heater *h);
bool heaters_all_locked_out(const struct context *c);
/* Does this pad's own lockout (a welded relay) keep the master heat relay open? */
bool heater_lockout_stops_all_heat(const struct heater *h);
/* ResetLockout of the pad's own lockout, checked already (commands.c): written to the
 * file first. 0 or a negative errno (logged; the lockout stays). */
int heater_lockout_reset(struct heater *h);
/* At start: heater-lockout.state (missing: no lockout; damaged: every pad locked out). */
void heaters_lockout_load(struct context *c);
