/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

/* One property of an interface, read from a view struct (struct chair_view, struct
 * heater_view) computed fresh for each read. An interface lists its properties once,
 * as an X-macro (bus-chair-properties.h, bus-heater.c); the list makes both the sd-bus
 * vtable rows and a table of these, which the getter and the change detection walk. */

/* How a value is kept in the view, and its D-Bus signature (BUS_SIG_<kind>). */
enum bus_value_kind {
	BUS_KIND_STRING,      /* const char * */
	BUS_KIND_STRING_BUF,  /* char[]: a copy, so the published view keeps it */
	BUS_KIND_WORDS,       /* char[] of words joined by spaces, shown as a list */
	BUS_KIND_U32,         /* unsigned */
	BUS_KIND_U64,         /* uint64_t */
	BUS_KIND_BOOL,        /* bool */
	BUS_KIND_DOUBLE,      /* double */
	BUS_KIND_ZONE_LEVELS, /* int[_ZONE_MAX], shown as a{si} of the four zones (not back) */
	BUS_KIND_LINES,       /* char[] of strings joined by '\n' (they may hold spaces), shown as a list */
};

#define BUS_SIG_STRING "s"
#define BUS_SIG_STRING_BUF "s"
#define BUS_SIG_WORDS "as"
#define BUS_SIG_U32 "u"
#define BUS_SIG_U64 "t"
#define BUS_SIG_BOOL "b"
#define BUS_SIG_DOUBLE "d"
#define BUS_SIG_ZONE_LEVELS "a{si}"
#define BUS_SIG_LINES "as"

struct bus_property {
	const char *name;
	enum bus_value_kind kind;
	size_t offset; /* of the value in the view */
	bool constant; /* never changes: never announced */
	/* A double announced only when it moved by at least this much since it was last
	 * announced, and at most every publish period (0: every change, at once) */
	double paced_step;
	bool paced_zero; /* a paced value reaching or leaving 0 is a change whatever the step */
};

const struct bus_property *bus_property_find(const struct bus_property *table, size_t n, const char *name);
int bus_property_append(sd_bus_message *m, const struct bus_property *p, const void *view);
/* Would a client see a difference between the two views' values? */
bool bus_property_changed(const struct bus_property *p, const void *old_view, const void *new_view);
/* The getter for a table: the named property's value from `view`. */
int bus_property_get(const struct bus_property *table, size_t n, const char *name, const void *view,
		     sd_bus_message *reply, sd_bus_error *error);
