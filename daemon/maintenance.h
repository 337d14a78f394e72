/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "chair-types.h"
#include "macro.h"

struct context;

/* Maintenance counters: how long the roller mechanism ran, and for each pad how long
 * its element heated and how often its relay closed (relays wear out by switch count).
 * Counted in chair time, kept across restarts in maintenance.state
 * (store/maintenance-store.c). A pad's counters are at its index in c->heating.heaters. */

/* Announced at most this often of chair time (and at once when the rollers come to rest
 * or a pad's heat turns off): a running chair does not flood the bus with them. */
#define MAINTENANCE_ANNOUNCE_USEC (60 * USEC_PER_SEC)
/* Written at most this often of chair time while they grow, and at exit: a SIGKILL or a
 * power cut loses at most this much of counting. Also when the chair comes to rest (no
 * session, no pad heating), unless the last write is more recent than the second
 * figure: Pause/Resume or SetTarget floods cost no writes. */
#define MAINTENANCE_SAVE_USEC (5 * 60 * USEC_PER_SEC)
#define MAINTENANCE_SAVE_GAP_USEC (10 * USEC_PER_SEC)

/* What clients see: the counters as last announced. bus/ shows only these, so that a
 * property read never returns a value no PropertiesChanged announced. */
struct maintenance_pad_shown {
	uint64_t heating_s, relay_switches;
	double dose; /* CEM43 minutes in the pad's DoseWindow, to 0.01 */
};

struct maintenance_shown {
	uint64_t roller_run_s;
	struct maintenance_pad_shown pads[MAX_PADS];
};

/* The counters themselves (a pad's heating time without the stretch it heats now). */
struct maintenance_totals {
	uint64_t roller_usec;
	uint64_t heating_usec[MAX_PADS], relay_switches[MAX_PADS];
};

struct maintenance_pad {
	bool relay_on;               /* the pad's relay at the last sync */
	bool heating;                /* its relay and the master relay closed: the element heats */
	uint64_t heating_since_usec; /* chair time it began to */
	bool active;                 /* the pad had a target or an autotune at the last look */
};

struct maintenance {
	struct maintenance_totals counted;
	struct maintenance_pad pads[MAX_PADS];
	struct maintenance_shown shown;
	uint64_t announced_usec; /* chair time of the last announcement */
	bool rollers_driven;     /* at the last look */
	bool at_rest;            /* no session, no pad heating, at the last look */
	/* maintenance.state: what it holds (or the last write was given), when it was written */
	struct maintenance_totals saved;
	uint64_t saved_usec;
	bool write_failing;
};

/* The control tick drove the rollers for `usec` of chair time (session-tick.c). */
void maintenance_rollers_ran(struct context *c, uint64_t usec);
/* A pad's relay or the master heat relay may have changed (heat/heater.c): a closing
 * relay is counted, the element's heating time follows both. */
void maintenance_pads_sync(struct context *c);
/* From context_publish(): announce the counters when due (by filling c->maintenance.shown,
 * which bus/ then finds changed) and save them when due. */
void maintenance_changed(struct context *c);
/* The counters now, the stretch each pad heats now included. */
void maintenance_totals_now(struct context *c, struct maintenance_totals *ret);
/* Fill c->maintenance.shown from the counters now (at start and when due). */
void maintenance_announce(struct context *c);

/* store/maintenance-store.c: maintenance.state. Load at start, after the pads are set up
 * (missing: a first start; damaged: reported, the counters start from 0). Save: write
 * the counters if they changed since the last write (when due, and at exit). */
void maintenance_load(struct context *c);
void maintenance_save(struct context *c);
