/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "macro.h"

#define CHAIR_SERVICE "org.massaged.Chair1"
#define CHAIR_PATH "/org/massaged/Chair1"
#define CHAIR_INTERFACE "org.massaged.Chair1"
#define SIMULATOR_PATH "/org/massaged/Simulator1"
#define SIMULATOR_INTERFACE "org.massaged.Simulator1"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

/* Exit status of a usage error, as getopt-style tools use. */
#define EXIT_USAGE 2

/* What every command gets: the connection and how to talk to the person. */
struct ctl {
	sd_bus *bus;
	bool user_bus; /* --user: the session bus */
	bool colour;   /* stdout is a terminal that takes ANSI colours */
};

/* Commands return an exit status: EXIT_SUCCESS, EXIT_FAILURE or EXIT_USAGE. */
int verb_status(struct ctl *ctl, char **args);
int verb_faults(struct ctl *ctl, char **args);
int verb_list(struct ctl *ctl, char **args);
int verb_monitor(struct ctl *ctl, char **args);

/* Prints "massagectl: " and the D-Bus error's message (or r's), or the plain
 * "massaged is not running" line; returns EXIT_FAILURE. */
int ctl_report_bus_error(const struct ctl *ctl, const sd_bus_error *error, int r);
/* The name the person sees for the bus we talk to. */
const char *ctl_bus_name(const struct ctl *ctl);
/* True when the error means nobody owns org.massaged.Chair1. */
bool bus_error_is_not_running(const sd_bus_error *error);

void strv_free(char **l);
static inline void strv_freep(char ***l)
{
	strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Terminal columns a UTF-8 string takes, near enough: one per character. */
size_t text_columns(const char *s, size_t len);

/* "m:ss", or "h:mm:ss" from an hour on. */
#define DURATION_MAX sizeof("1193046:28:15")
char *format_duration(char buf[static DURATION_MAX], uint32_t seconds);

/* status.c: the Chair1 properties and how `status` shows them. */
struct chair_status {
	char *state, *program, *technique, *zone, *width;
	uint32_t step, step_count;
	uint32_t intensity, speed;
	uint32_t elapsed, remaining, session_limit;
	uint32_t shoulder_height;
	int heat, seated; /* sd-bus reads 'b' as int */
	char **faults;
};

void chair_status_done(struct chair_status *s);
/* Reads an a{sv} (GetAll's reply, PropertiesChanged's changes) into s; unknown
 * names and unexpected types are skipped, so a newer daemon still reads. */
int chair_status_update(struct chair_status *s, sd_bus_message *m);
void status_render(FILE *f, const struct chair_status *s, const char *program_title, bool colour);

/* programs.c: ListPrograms. */
struct program {
	char *id, *title, *description;
	uint32_t duration; /* seconds */
};

struct program_list {
	struct program *items;
	size_t n;
};

void program_list_done(struct program_list *l);
int program_list_read(sd_bus_message *m, struct program_list *ret);
int program_list_fetch(sd_bus *bus, sd_bus_error *error, struct program_list *ret);
const struct program *program_list_find(const struct program_list *l, const char *id);

/* monitor-view.c: what the monitor shows below the status block. */
enum simulator_presence {
	SIMULATOR_UNKNOWN,
	SIMULATOR_PRESENT, /* Simulator1 answered: massaged runs with --simulate */
	SIMULATOR_ABSENT,
};

struct simulator_view {
	enum simulator_presence presence;
	uint32_t roller_position; /* mm above the seat */
	char **active_outputs;
};

void simulator_view_done(struct simulator_view *v);
/* Reads Simulator1's GetAll reply: RollerPosition and the active Outputs. */
int simulator_view_read(struct simulator_view *v, sd_bus_message *reply);
void simulator_view_render(FILE *f, const struct simulator_view *v);

/* One signal of the chair, stamped with the wall clock and with where the session
 * was in chair time (massaged publishes no other chair clock). */
struct chair_event {
	char *text;
	char wall_time[sizeof("HH:MM:SS")];
	uint32_t session_elapsed;
	bool in_session;
};

#define EVENT_HISTORY 5

/* The last EVENT_HISTORY events, oldest first. */
struct event_history {
	struct chair_event events[EVENT_HISTORY];
	size_t n;
};

void event_history_done(struct event_history *h);
/* Takes text (malloc'ed). */
void event_history_add(struct event_history *h, char *text, uint32_t session_elapsed, bool in_session);
/* Cuts long lines to width columns (0: no limit). */
void event_history_render(FILE *f, const struct event_history *h, size_t width);
