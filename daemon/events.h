/* SPDX-License-Identifier: MIT */
#pragma once

/* The one way up: what the chair tells its clients. The daemon's rooms call these;
 * bus/ registers the handlers (D-Bus signals and PropertiesChanged). Without a
 * handler an event goes nowhere, so the rooms below bus/ never include a bus header
 * and the unit tests need no bus. */

struct chair_event_handlers {
	void (*fault_raised)(void *userdata, const char *code, const char *message);
	void (*fault_cleared)(void *userdata, const char *code);
	void (*program_finished)(void *userdata, const char *program, const char *reason);
	/* the program library was loaded again (a reload): ListPrograms may answer otherwise */
	void (*programs_changed)(void *userdata);
	/* something a property shows may have changed: compare and announce */
	void (*changed)(void *userdata);
	void *userdata;
};

void events_fault_raised(const struct chair_event_handlers *h, const char *code, const char *message);
void events_fault_cleared(const struct chair_event_handlers *h, const char *code);
void events_program_finished(const struct chair_event_handlers *h, const char *program, const char *reason);
void events_programs_changed(const struct chair_event_handlers *h);
void events_changed(const struct chair_event_handlers *h);
