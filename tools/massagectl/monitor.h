/* SPDX-License-Identifier: MIT */
#pragma once

/* massagectl monitor's state, shared by the loop and the view (monitor.c) and what the
 * bus tells it (monitor-bus.c). */
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "massagectl.h"
#include "monitor-keys.h"

enum monitor_match {
	MATCH_NAME_OWNER,
	MATCH_PROPERTIES,
	MATCH_HEATER_PROPERTIES,
	MATCH_INTERFACES_ADDED,
	MATCH_INTERFACES_REMOVED,
	MATCH_PROGRAM_FINISHED,
	MATCH_FAULT_RAISED,
	MATCH_FAULT_CLEARED,
	MATCH_DISCONNECTED,
	_MATCH_MAX,
};

/* What the event lines last told of the chair, to tell only what changed. */
struct monitor_seen {
	bool known;
	char *state, *program, *technique, *zone, *width, *profile;
	uint32_t step, intensity, speed;
	int heat, seated;
};

struct monitor {
	const struct ctl *ctl;
	sd_event *event;
	sd_event_source *redraw_source; /* deferred, so a burst of changes draws once */
	sd_event_source *tick_source;
	sd_bus_slot *matches[_MATCH_MAX];
	sd_bus_slot *owner_call, *status_call, *programs_call, *simulator_call, *heaters_call;
	bool tty;               /* a view redrawn in place; else a line per event or change */
	unsigned columns, rows; /* the terminal's, 0 when unknown; read again on SIGWINCH */
	bool clear_screen;      /* the size changed: the old view may have wrapped */

	bool owner_known;    /* GetNameOwner or NameOwnerChanged has told us */
	bool daemon_present; /* org.massaged.Chair1 has an owner */
	bool status_known;   /* GetAll has answered since it appeared */
	bool heaters_known;  /* so has GetManagedObjects */
	char *status_error;
	struct chair_status status;
	struct heater_list heaters;
	struct program_list programs;
	struct simulator_view simulator;

	struct event_history events;
	char *last_frame;
	struct monitor_seen seen;
	bool waiting_said;        /* a line said massaged is not on the bus (not a tty) */
	struct monitor_keys keys; /* --keys */
};

/* The view needs drawing again (once, however many changes come before it). */
void monitor_mark_dirty(struct monitor *m);
/* A line under the view, stamped with the session's elapsed time; not on a tty, a line
 * "HH:MM:SS text" at once. */
void monitor_add_event(struct monitor *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* monitor-bus.c: forget all massaged told us (it left the bus, or the monitor ends). */
void monitor_forget_daemon(struct monitor *m);
/* Ask the simulator for its view again (the tick does, while one is present). */
int monitor_fetch_simulator(struct monitor *m);
/* Subscribe to massaged's owner, properties and signals, then ask who owns its name. */
int monitor_subscribe(struct monitor *m);

/* monitor-changes.c: what changed in the chair's properties since the last call, as
 * events (a step, pause and resume, a session's start, the levels); not on a tty, the
 * first call says where the chair is. */
void monitor_note_changes(struct monitor *m);
void monitor_seen_done(struct monitor_seen *seen);
/* "running back step 3/12 knead on shoulders, 8:00 left of 12:18", "idle", ... */
char *monitor_describe_state(const struct monitor *m);

/* monitor-fit.c: a frame for a terminal of columns x rows (0: no limit): each line cut
 * with "…" to the width, and the header kept on the screen when the view is taller. */
void monitor_write_fitted(FILE *f, const char *frame, unsigned columns, unsigned rows);
