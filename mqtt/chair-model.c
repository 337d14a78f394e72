/* SPDX-License-Identifier: MIT */
/* The chair as last read from massaged: Chair1's and each pad's properties read from
 * GetAll, GetManagedObjects and PropertiesChanged, and the programs of ListPrograms. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chair-side.h"
#include "chair-types.h"
#include "log.h"
#include "macro.h"

enum property_type {
	PROP_STRING,
	PROP_UINT32,
	PROP_UINT64,
	PROP_DOUBLE,
	PROP_BOOL,
	PROP_STRV
};

struct property_map {
	const char *name;
	enum property_type type;
	size_t offset;
};

static const char *const property_signatures[] = {
	[PROP_STRING] = "s", [PROP_UINT32] = "u", [PROP_UINT64] = "t",
	[PROP_DOUBLE] = "d", [PROP_BOOL] = "b",   [PROP_STRV] = "as",
};

static const struct property_map chair_properties[] = {
	{ "State", PROP_STRING, offsetof(struct chair_model, state) },
	{ "Program", PROP_STRING, offsetof(struct chair_model, program) },
	{ "Technique", PROP_STRING, offsetof(struct chair_model, technique) },
	{ "Zone", PROP_STRING, offsetof(struct chair_model, zone) },
	{ "Width", PROP_STRING, offsetof(struct chair_model, width) },
	{ "Profile", PROP_STRING, offsetof(struct chair_model, profile) },
	{ "Step", PROP_UINT32, offsetof(struct chair_model, step) },
	{ "StepCount", PROP_UINT32, offsetof(struct chair_model, step_count) },
	{ "Remaining", PROP_UINT32, offsetof(struct chair_model, remaining) },
	{ "Intensity", PROP_UINT32, offsetof(struct chair_model, intensity) },
	{ "Speed", PROP_UINT32, offsetof(struct chair_model, speed) },
	{ "SessionLimit", PROP_UINT32, offsetof(struct chair_model, session_limit) },
	{ "Force", PROP_DOUBLE, offsetof(struct chair_model, force) },
	{ "Seated", PROP_BOOL, offsetof(struct chair_model, seated) },
	{ "Gentle", PROP_BOOL, offsetof(struct chair_model, gentle) },
	{ "Faults", PROP_STRV, offsetof(struct chair_model, faults) },
	{ "Profiles", PROP_STRV, offsetof(struct chair_model, profiles) },
	{ "RollerRunSeconds", PROP_UINT64, offsetof(struct chair_model, roller_run_seconds) },
};

static const struct property_map pad_properties[] = {
	{ "Zone", PROP_STRING, offsetof(struct pad, zone) },
	{ "State", PROP_STRING, offsetof(struct pad, state) },
	{ "Lockout", PROP_STRING, offsetof(struct pad, lockout) },
	{ "Temperature", PROP_DOUBLE, offsetof(struct pad, temperature) },
	{ "Target", PROP_DOUBLE, offsetof(struct pad, target) },
	{ "Power", PROP_DOUBLE, offsetof(struct pad, power) },
	{ "MaxTarget", PROP_DOUBLE, offsetof(struct pad, max_target) },
	{ "Dose", PROP_DOUBLE, offsetof(struct pad, dose) },
	{ "HeatingSeconds", PROP_UINT64, offsetof(struct pad, heating_seconds) },
	{ "RelaySwitches", PROP_UINT64, offsetof(struct pad, relay_switches) },
};

void strv_free(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

static int read_value(sd_bus_message *m, enum property_type type, void *field)
{
	const char *s;
	char **strv = NULL, *copy;
	int b, r;

	switch (type) {
	case PROP_STRING:
		r = sd_bus_message_read_basic(m, 's', &s);
		if (r < 0)
			return r;
		copy = strdup(s);
		if (!copy)
			return -ENOMEM;
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	case PROP_BOOL:
		r = sd_bus_message_read_basic(m, 'b', &b);
		if (r >= 0)
			*(bool *)field = b;
		return r;
	case PROP_STRV:
		r = sd_bus_message_read_strv(m, &strv);
		if (r < 0)
			return r;
		if (!strv) /* an empty array */
			strv = calloc(1, sizeof(char *));
		if (!strv)
			return -ENOMEM;
		strv_free(*(char ***)field);
		*(char ***)field = strv;
		return 0;
	case PROP_UINT32:
		return sd_bus_message_read_basic(m, 'u', field);
	case PROP_UINT64:
		return sd_bus_message_read_basic(m, 't', field);
	case PROP_DOUBLE:
		return sd_bus_message_read_basic(m, 'd', field);
	}
	return -EINVAL;
}

/* An a{sv} into the struct at base; names not in map, or of another type, skipped. */
static int read_properties_into(sd_bus_message *m, const struct property_map *map, size_t n_map, void *base)
{
	const char *name, *contents;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const struct property_map *p = NULL;

		r = sd_bus_message_read_basic(m, 's', &name);
		if (r < 0)
			return r;
		for (size_t i = 0; i < n_map && !p; i++)
			if (strcmp(map[i].name, name) == 0)
				p = &map[i];
		r = sd_bus_message_peek_type(m, NULL, &contents);
		if (r < 0)
			return r;
		if (p && strcmp(contents, property_signatures[p->type]) == 0) {
			r = sd_bus_message_enter_container(m, 'v', contents);
			if (r >= 0)
				r = read_value(m, p->type, (char *)base + p->offset);
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		} else
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

static void pad_done(struct pad *p)
{
	free(p->path);
	free(p->zone);
	free(p->object_id);
	free(p->state);
	free(p->lockout);
	*p = (struct pad) {};
}

void pads_free(struct pad *pads, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pad_done(&pads[i]);
	free(pads);
}

void programs_free(struct program *programs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(programs[i].id);
		free(programs[i].title);
	}
	free(programs);
}

void chair_model_done(struct chair_model *m)
{
	free(m->state);
	free(m->program);
	free(m->technique);
	free(m->zone);
	free(m->width);
	free(m->profile);
	strv_free(m->faults);
	strv_free(m->profiles);
	pads_free(m->pads, m->n_pads);
	programs_free(m->programs, m->n_programs);
	*m = (struct chair_model) {};
}

struct pad *chair_model_find_pad(const struct chair_model *m, const char *zone)
{
	for (size_t i = 0; i < m->n_pads; i++)
		if (strcmp(m->pads[i].zone, zone) == 0)
			return &m->pads[i];
	return NULL;
}

struct pad *chair_model_find_pad_path(const struct chair_model *m, const char *path)
{
	for (size_t i = 0; path && i < m->n_pads; i++)
		if (strcmp(m->pads[i].path, path) == 0)
			return &m->pads[i];
	return NULL;
}

const struct program *chair_model_find_program(const struct chair_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_programs; i++)
		if (strcmp(m->programs[i].id, name) == 0)
			return &m->programs[i];
	for (size_t i = 0; i < m->n_programs; i++)
		if (strcmp(m->programs[i].title, name) == 0)
			return &m->programs[i];
	return NULL;
}

double pad_climate_target(const struct pad *p)
{
	double t = p->target > 0 ? p->target : p->remembered_target > 0 ? p->remembered_target : PAD_DEFAULT_TARGET;

	return p->max_target > 0 ? MIN(t, p->max_target) : t;
}

/* A new pad from an object's Heater1 a{sv}; its zone from the path when it has none. */
static int pad_read(struct pad *p, const char *path, sd_bus_message *m)
{
	int r;

	*p = (struct pad) { .dose = NAN, .heating_seconds = UINT64_MAX, .relay_switches = UINT64_MAX };
	p->path = strdup(path);
	if (!p->path)
		return -ENOMEM;
	r = read_properties_into(m, pad_properties, ELEMENTSOF(pad_properties), p);
	if (r >= 0 && (!p->zone || !*p->zone)) {
		free(p->zone);
		p->zone = NULL;
		r = sd_bus_path_decode(path, HEATER_PATH_PREFIX, &p->zone);
		if (r == 0)
			r = -EINVAL;
	}
	if (r >= 0 && !p->state)
		p->state = strdup("off");
	if (r >= 0 && !p->lockout)
		p->lockout = strdup("");
	if (r >= 0 && asprintf(&p->object_id, "pad_%s", p->zone) < 0)
		p->object_id = NULL;
	if (r >= 0 && (!p->object_id || !p->state || !p->lockout))
		r = -ENOMEM;
	for (char *s = p->object_id; r >= 0 && *s; s++)
		if (*s == '-')
			*s = '_';
	return r;
}

static int pads_add(struct pad **pads, size_t *n, const char *path, sd_bus_message *m)
{
	struct pad *items = realloc(*pads, (*n + 1) * sizeof(**pads));
	int r;

	if (!items)
		return -ENOMEM;
	*pads = items;
	r = pad_read(&items[*n], path, m);
	if (r < 0) {
		pad_done(&items[*n]);
		return r;
	}
	(*n)++;
	return 0;
}

/* Body order from the neck down, as massagectl lists them; other zones after, by name. */
static int pad_compare(const void *a, const void *b)
{
	const struct pad *x = a, *y = b;
	int zx = zone_from_string(x->zone), zy = zone_from_string(y->zone);

	if (zx != zy && zx >= 0 && zy >= 0)
		return zx < zy ? -1 : 1;
	if (zx != zy)
		return zx >= 0 ? -1 : 1;
	return strcmp(x->zone, y->zone);
}

/* GetManagedObjects' a{oa{sa{sv}}}: every object with a Heater1 interface is a pad. */
int pads_read(sd_bus_message *m, struct pad **pads, size_t *n)
{
	const char *path, *interface;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}")) > 0) {
		r = sd_bus_message_read_basic(m, 'o', &path);
		if (r >= 0)
			r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
		while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
			r = sd_bus_message_read_basic(m, 's', &interface);
			if (r >= 0)
				r = strcmp(interface, HEATER_INTERFACE) == 0 ? pads_add(pads, n, path, m)
									     : sd_bus_message_skip(m, "a{sv}");
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0 && *n > 1)
		qsort(*pads, *n, sizeof(**pads), pad_compare);
	return r;
}

int programs_read(sd_bus_message *m, struct program **ret, size_t *ret_n)
{
	struct program *programs = NULL, *items;
	const char *id, *title, *description;
	size_t n = 0;
	uint32_t length;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "(sssu)");
	while (r >= 0 && (r = sd_bus_message_read(m, "(sssu)", &id, &title, &description, &length)) > 0) {
		items = realloc(programs, (n + 1) * sizeof(*programs));
		if (!items) {
			r = -ENOMEM;
			break;
		}
		programs = items;
		programs[n] = (struct program) { .id = strdup(id), .title = strdup(title) };
		n++;
		if (!programs[n - 1].id || !programs[n - 1].title)
			r = -ENOMEM;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0) {
		programs_free(programs, n);
		return r;
	}
	*ret = programs;
	*ret_n = n;
	return 0;
}

int chair_properties_read(sd_bus_message *m, struct chair_model *model)
{
	return read_properties_into(m, chair_properties, ELEMENTSOF(chair_properties), model);
}

int pad_properties_read(sd_bus_message *m, struct pad *p)
{
	return read_properties_into(m, pad_properties, ELEMENTSOF(pad_properties), p);
}
