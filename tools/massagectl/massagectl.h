/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "chair-types.h"
#include "macro.h"

#define CHAIR_SERVICE "org.massaged.Chair1"
#define CHAIR_PATH "/org/massaged/Chair1"
#define CHAIR_INTERFACE "org.massaged.Chair1"
#define SIMULATOR_PATH "/org/massaged/Simulator1"
#define SIMULATOR_INTERFACE "org.massaged.Simulator1"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"
#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"
#define HEATER_INTERFACE "org.massaged.Heater1"
#define HEATER_PATH_PREFIX CHAIR_PATH "/heater"

/* Exit status of a usage error, as getopt-style tools use. */
#define EXIT_USAGE 2
/* `status` of a chair in fault, as `systemctl status` of a failed unit. */
#define EXIT_FAULT 3

enum json_mode {
	JSON_OFF,
	JSON_SHORT,  /* one line */
	JSON_PRETTY, /* indented */
};

/* What every command gets: the connection and how to talk to the person. */
struct ctl {
	sd_bus *bus;
	bool user_bus;    /* --user: the session bus */
	const char *host; /* --host: a remote chair's system bus over ssh, or NULL */
	char *bus_name;   /* "system bus", "session bus" or "system bus of HOST" */
	char *address;    /* the bus address we connect to, for messages; NULL for --host */
	bool colour;      /* stdout is a terminal that takes ANSI colours */
	enum json_mode json;
	bool no_legend;    /* --no-legend: tables without their header and hints */
	bool quiet;        /* -q */
	bool value_only;   /* show --value */
	char **properties; /* show -p NAME...: NULL for all */
};

/* Commands return an exit status: EXIT_SUCCESS, EXIT_FAILURE, EXIT_USAGE or EXIT_FAULT. */
int verb_status(struct ctl *ctl, char **args);
int verb_faults(struct ctl *ctl, char **args);
int verb_list(struct ctl *ctl, char **args);
int verb_monitor(struct ctl *ctl, char **args);
int verb_heat(struct ctl *ctl, char **args);
int verb_autotune(struct ctl *ctl, char **args);
int verb_service(struct ctl *ctl, char **args);
int verb_pressure(struct ctl *ctl, char **args);
int verb_focus(struct ctl *ctl, char **args);
int verb_gentle(struct ctl *ctl, char **args);
int verb_heat_target(struct ctl *ctl, char **args);
int verb_profile(struct ctl *ctl, char **args);
int verb_show(struct ctl *ctl, char **args);
int verb_is_running(struct ctl *ctl, char **args);

/* Form checks of a query's arguments, run before we connect: 0, or -EINVAL after
 * ctl_usage_error() has said why. */
int heat_check_arguments(char **args);
int autotune_check_arguments(char **args);
int service_check_arguments(char **args);
int pressure_check_arguments(char **args);
int focus_check_arguments(char **args);
int gentle_check_arguments(char **args);
int heat_target_check_arguments(char **args);
int profile_check_arguments(char **args);
int monitor_check_arguments(char **args);

/* command-line.c: what the command line says beside the options (which go into ctl). */
struct verb;
struct command_line {
	const char *verb_name;   /* NULL: none given (status) */
	const struct verb *verb; /* massagectl.c's, found by name */
	char **args;             /* the command's arguments, NULL-terminated; the strings are argv's */
	size_t n_args;
	bool help, version;
};

void command_line_done(struct command_line *c);
/* 0; -EINVAL after a usage message, -ENOMEM after saying so. */
int command_line_parse(int argc, char *argv[], struct ctl *ctl, struct command_line *c);

/* Prints "massagectl: ", the message and the general usage; returns -EINVAL. */
int ctl_main_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "massagectl VERB: ", the message and the verb's usage; returns -EINVAL. */
int ctl_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Every message of massagectl on stderr: "massagectl: " and a sentence that starts with a
 * capital letter (the caller's) and ends with a full stop (added when missing). Returns
 * EXIT_FAILURE. */
int ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same after another prefix ("massagectl VERB"). */
void ctl_message(const char *prefix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the D-Bus error's message (or r's) with ctl_error(), and massagectl's hint for
 * the errors that have one; or that massaged is not running, or that the bus cannot be
 * reached; returns EXIT_FAILURE. */
int ctl_report_bus_error(const struct ctl *ctl, const sd_bus_error *error, int r);
/* connection.c: connect to the bus the options name: EXIT_SUCCESS, or EXIT_FAILURE after
 * saying why. ctl_done() frees what it kept. */
int ctl_open_bus(struct ctl *ctl, sd_bus **ret);
void ctl_done(struct ctl *ctl);
/* The name the person sees for the bus we talk to: "system bus", ... */
const char *ctl_bus_name(const struct ctl *ctl);
/* True when the error means nobody owns org.massaged.Chair1. */
bool bus_error_is_not_running(const sd_bus_error *error);

void strv_free(char **l);
static inline void strv_freep(char ***l)
{
	strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Greedy word wrap of text into lines of at most width columns, each indented. */
void print_wrapped(FILE *f, const char *text, size_t indent, size_t width);
/* The width to wrap stdout's text to: the terminal's, between 40 and 80 columns. */
size_t output_width(void);

/* fault-text.c: what a fault code (Chair1's Faults) means and what to do, in a sentence
 * or two; written into buf. */
#define FAULT_TEXT_MAX 1024
const char *fault_text(char buf[static FAULT_TEXT_MAX], const char *code);

/* Terminal columns a UTF-8 string takes, near enough: one per character. */
size_t text_columns(const char *s, size_t len);
/* Writes s and pads it with blanks to columns terminal columns. */
void fputs_padded(FILE *f, const char *s, size_t columns);

/* "m:ss", or "h:mm:ss" from an hour on. */
#define DURATION_MAX sizeof("1193046:28:15")
char *format_duration(char buf[static DURATION_MAX], uint32_t seconds);

/* "8:00 left of 12:18" from Chair1's Elapsed and Remaining, "" with no session; the
 * share done (0-100) in *ret_percent (may be NULL). Status and monitor both use it. */
#define PROGRESS_MAX (2 * DURATION_MAX + sizeof(" left of "))
char *format_progress(char buf[static PROGRESS_MAX], uint32_t elapsed, uint32_t remaining, unsigned *ret_percent);

/* status.c: reading a{sv} property dictionaries into structs, by table. */
enum property_kind {
	PROPERTY_STRING, /* char * */
	PROPERTY_UINT32,
	PROPERTY_BOOL, /* int, as sd-bus reads 'b' */
	PROPERTY_DOUBLE,
	PROPERTY_STRV,
	PROPERTY_UINT64,
	PROPERTY_ZONE_LEVELS, /* int[_ZONE_MAX] from an a{si} by zone name */
	PROPERTY_INT32,
	PROPERTY_SEEN_BOOL, /* enum seen_bool: a 'b' that a daemon before it does not have */
	PROPERTY_SEEN_STRV, /* char **, never NULL once read (an empty array too); NULL: not there */
};

enum seen_bool {
	SEEN_BOOL_ABSENT, /* the daemon has no such property */
	SEEN_BOOL_FALSE,
	SEEN_BOOL_TRUE,
};

struct property_map {
	const char *name;
	enum property_kind kind;
	size_t offset; /* of the field in the target struct */
};

/* Reads an a{sv} (GetAll's reply, PropertiesChanged's changes) into target's fields;
 * unknown names and unexpected types are skipped, so a newer daemon still reads. */
int properties_read(sd_bus_message *m, const struct property_map *map, size_t n_map, void *target);

/* status.c: the Chair1 properties and how `status` shows them. */
struct chair_status {
	char *state, *program, *technique, *zone, *width;
	uint32_t step, step_count;
	uint32_t intensity, speed;
	uint32_t elapsed, remaining, session_limit;
	uint32_t shoulder_height;
	int heat, seated; /* sd-bus reads 'b' as int */
	char **faults;
	double force, force_target;   /* N; the target 0 when none */
	int zone_pressure[_ZONE_MAX]; /* SetZonePressure's offsets */
	/* who is in the chair and how (issue 17); a daemon without them leaves them out */
	char *profile;         /* NULL: no Profile property; "" none in use */
	enum seen_bool gentle; /* Gentle */
	char **focus;          /* Focus: NULL when there is no such property */
};

struct heater_list;

/* Reads ZonePressure's a{si} into levels (by zone; names massagectl does not know are
 * skipped). */
int zone_levels_read(sd_bus_message *m, int levels[static _ZONE_MAX]);
/* "neck +1, lower-back -2": the zones whose offset is not 0; "" when none. */
void format_zone_pressure(char *buf, size_t size, const int levels[static _ZONE_MAX]);

void chair_status_done(struct chair_status *s);
/* Reads an a{sv} of Chair1 properties into s, as properties_read(). */
int chair_status_update(struct chair_status *s, sd_bus_message *m);
/* heaters (may be NULL) adds a line of the pads after the levels. */
void status_render(FILE *f, const struct chair_status *s, const char *program_title, const struct heater_list *heaters,
		   bool colour);

/* heaters.c: the heating pads, one org.massaged.Heater1 object each. */
struct heater {
	char *path, *zone, *state;
	char *lockout;                                 /* "" or the fault code that locked it out until serviced */
	uint64_t lockout_since;                        /* µs since the epoch, 0 when none */
	char *autotune_error;                          /* "" unless the last autotune failed */
	double temperature, target, power, max_target; /* °C; power 0-1 */
	double autotune_progress;                      /* 0-1 */
	int tuned;
};

struct heater_list {
	struct heater *items; /* in body order, neck first */
	size_t n;
};

void heater_list_done(struct heater_list *l);
/* Reads GetManagedObjects' reply: every object with a Heater1 interface. */
int heater_list_read(sd_bus_message *m, struct heater_list *ret);
int heater_list_fetch(sd_bus *bus, sd_bus_error *error, struct heater_list *ret);
struct heater *heater_list_find(const struct heater_list *l, const char *zone);
struct heater *heater_list_find_path(const struct heater_list *l, const char *path);
/* Fetches the pads and finds zone's; when that fails, says why (naming the pads
 * there are) and returns EXIT_FAILURE. */
int heater_fetch_zone(const struct ctl *ctl, const char *zone, struct heater_list *list, struct heater **ret);
/* Reads an a{sv} of Heater1 properties into h, as properties_read(). */
int heater_update(struct heater *h, sd_bus_message *m);

#define CELSIUS_MAX 64
/* "42 °C" or "42.5 °C": a setting. */
char *format_celsius(char buf[static CELSIUS_MAX], double celsius);
/* A setting, or "off" for 0. */
char *format_target(char buf[static CELSIUS_MAX], double celsius);
/* The pad's target: "autotune" while it tunes (its Target is 0 then, but it heats),
 * else format_target(). */
char *format_heater_target(char buf[static CELSIUS_MAX], const struct heater *h);
/* "41.8 °C": a reading, always with one decimal. */
char *format_temperature(char buf[static CELSIUS_MAX], double celsius);
/* The pad's State, "autotune 45 %" while it tunes, or "locked out (CODE)". */
char *format_heater_state(char buf[static CELSIUS_MAX], const struct heater *h);
/* "2026-12-06 22:55:43" in local time, from µs since the epoch. */
#define WALL_TIME_MAX 64
char *format_wall_time(char buf[static WALL_TIME_MAX], uint64_t usec);
/* 0-100, from a 0-1 fraction. */
unsigned fraction_percent(double fraction);

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
/* One line per pad: temperature, target, power and state. */
void heater_view_render(FILE *f, const struct heater_list *l, bool colour);
/* "Force  58 N / 60 N  [#########-]": the measured force against its target. */
void force_view_render(FILE *f, const struct chair_status *s);

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

/* json.c: --json output with json-c. json_print() prints o as ctl->json says and frees
 * it; NULL (a failed allocation) is reported. Returns an exit status. */
struct json_object;
int json_print(const struct ctl *ctl, struct json_object *o);
struct json_object *json_chair_status(const struct chair_status *s, const char *program_title,
				      const struct heater_list *heaters);
struct json_object *json_heaters(const struct heater_list *l);
struct json_object *json_programs(const struct program_list *l);
struct json_object *json_faults(char **codes);
struct json_object *json_profiles(char **names, const char *in_use);
