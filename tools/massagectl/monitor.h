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

struct monitor {
	const struct ctl *ctl;
	sd_event *event;
	sd_event_source *redraw_source; /* deferred, so a burst of changes draws once */
	sd_event_source *tick_source;
	sd_bus_slot *matches[_MATCH_MAX];
	sd_bus_slot *owner_call, *status_call, *programs_call, *simulator_call, *heaters_call;
	bool tty;

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
	struct monitor_keys keys; /* --keys */
};

/* The view needs drawing again (once, however many changes come before it). */
void monitor_mark_dirty(struct monitor *m);
/* A line under the view, stamped with the session's elapsed time. */
void monitor_add_event(struct monitor *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* monitor-bus.c: forget all massaged told us (it left the bus, or the monitor ends). */
void monitor_forget_daemon(struct monitor *m);
/* Ask the simulator for its view again (the tick does, while one is present). */
int monitor_fetch_simulator(struct monitor *m);
/* Subscribe to massaged's owner, properties and signals, then ask who owns its name. */
int monitor_subscribe(struct monitor *m);
