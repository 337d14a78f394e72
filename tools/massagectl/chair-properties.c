/* SPDX-License-Identifier: MIT */
/* Reading Chair1's properties into struct chair_status (GetAll and PropertiesChanged):
 * the table of them and the readers of each D-Bus type. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chair-types.h"
#include "macro.h"
#include "massagectl.h"

static const struct property_map chair_properties[] = {
	{ "State", PROPERTY_STRING, offsetof(struct chair_status, state) },
	{ "Program", PROPERTY_STRING, offsetof(struct chair_status, program) },
	{ "Technique", PROPERTY_STRING, offsetof(struct chair_status, technique) },
	{ "Zone", PROPERTY_STRING, offsetof(struct chair_status, zone) },
	{ "Step", PROPERTY_UINT32, offsetof(struct chair_status, step) },
	{ "StepCount", PROPERTY_UINT32, offsetof(struct chair_status, step_count) },
	{ "Intensity", PROPERTY_UINT32, offsetof(struct chair_status, intensity) },
	{ "Speed", PROPERTY_UINT32, offsetof(struct chair_status, speed) },
	{ "Width", PROPERTY_STRING, offsetof(struct chair_status, width) },
	{ "Heat", PROPERTY_BOOL, offsetof(struct chair_status, heat) },
	{ "Elapsed", PROPERTY_UINT32, offsetof(struct chair_status, elapsed) },
	{ "Remaining", PROPERTY_UINT32, offsetof(struct chair_status, remaining) },
	{ "ShoulderHeight", PROPERTY_UINT32, offsetof(struct chair_status, shoulder_height) },
	{ "Seated", PROPERTY_BOOL, offsetof(struct chair_status, seated) },
	{ "Faults", PROPERTY_STRV, offsetof(struct chair_status, faults) },
	{ "SessionLimit", PROPERTY_UINT32, offsetof(struct chair_status, session_limit) },
	{ "Force", PROPERTY_DOUBLE, offsetof(struct chair_status, force) },
	{ "ForceTarget", PROPERTY_DOUBLE, offsetof(struct chair_status, force_target) },
	{ "ZonePressure", PROPERTY_ZONE_LEVELS, offsetof(struct chair_status, zone_pressure) },
	{ "Profile", PROPERTY_STRING, offsetof(struct chair_status, profile) },
	{ "Gentle", PROPERTY_SEEN_BOOL, offsetof(struct chair_status, gentle) },
	{ "Focus", PROPERTY_SEEN_STRV, offsetof(struct chair_status, focus) },
};

static const char *const property_signatures[] = {
	[PROPERTY_STRING] = "s",          [PROPERTY_UINT32] = "u", [PROPERTY_BOOL] = "b",
	[PROPERTY_DOUBLE] = "d",          [PROPERTY_STRV] = "as",  [PROPERTY_UINT64] = "t",
	[PROPERTY_ZONE_LEVELS] = "a{si}", [PROPERTY_INT32] = "i",  [PROPERTY_SEEN_BOOL] = "b",
	[PROPERTY_SEEN_STRV] = "as",
};

void chair_status_done(struct chair_status *s)
{
	free(s->state);
	free(s->program);
	free(s->technique);
	free(s->zone);
	free(s->width);
	strv_free(s->faults);
	free(s->profile);
	strv_free(s->focus);
	*s = (struct chair_status) {};
}

static const struct property_map *property_find(const struct property_map *map, size_t n_map, const char *name)
{
	for (size_t i = 0; i < n_map; i++)
		if (strcmp(map[i].name, name) == 0)
			return &map[i];
	return NULL;
}

static int read_string_into(sd_bus_message *m, char **field)
{
	const char *s;
	char *copy;
	int r;

	r = sd_bus_message_read_basic(m, 's', &s);
	if (r < 0)
		return r;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int read_strv_into(sd_bus_message *m, char ***field)
{
	char **l = NULL;
	int r;

	r = sd_bus_message_read_strv(m, &l);
	if (r < 0)
		return r;
	strv_free(*field);
	*field = l;
	return 0;
}

static int read_seen_strv_into(sd_bus_message *m, char ***field)
{
	int r = read_strv_into(m, field);

	if (r >= 0 && !*field) { /* sd-bus gives NULL for an empty array */
		*field = calloc(1, sizeof(char *));
		if (!*field)
			return -ENOMEM;
	}
	return r;
}

static int read_seen_bool_into(sd_bus_message *m, enum seen_bool *field)
{
	int b, r;

	r = sd_bus_message_read_basic(m, 'b', &b);
	if (r < 0)
		return r;
	*field = b ? SEEN_BOOL_TRUE : SEEN_BOOL_FALSE;
	return 0;
}

int zone_levels_read(sd_bus_message *m, int levels[static _ZONE_MAX])
{
	const char *name;
	int32_t level;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{si}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(m, "{si}", &name, &level)) > 0) {
		enum zone z = zone_from_string(name);

		if (z != ZONE_INVALID)
			levels[z] = level;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

void format_zone_pressure(char *buf, size_t size, const int levels[static _ZONE_MAX])
{
	size_t len = 0;

	buf[0] = '\0';
	for (enum zone z = 0; z < _ZONE_MAX && len < size; z++)
		if (levels[z] != 0)
			len += (size_t)snprintf(buf + len, size - len, "%s%s %+d", len ? ", " : "", zone_to_string(z),
						levels[z]);
}

static int read_property_value(sd_bus_message *m, const struct property_map *p, void *target)
{
	void *field = (char *)target + p->offset;

	switch (p->kind) {
	case PROPERTY_STRING:
		return read_string_into(m, field);
	case PROPERTY_UINT32:
		return sd_bus_message_read_basic(m, 'u', field);
	case PROPERTY_BOOL:
		return sd_bus_message_read_basic(m, 'b', field);
	case PROPERTY_DOUBLE:
		return sd_bus_message_read_basic(m, 'd', field);
	case PROPERTY_STRV:
		return read_strv_into(m, field);
	case PROPERTY_UINT64:
		return sd_bus_message_read_basic(m, 't', field);
	case PROPERTY_ZONE_LEVELS:
		return zone_levels_read(m, field);
	case PROPERTY_INT32:
		return sd_bus_message_read_basic(m, 'i', field);
	case PROPERTY_SEEN_BOOL:
		return read_seen_bool_into(m, field);
	case PROPERTY_SEEN_STRV:
		return read_seen_strv_into(m, field);
	}
	return -EINVAL;
}

/* Reads the variant of one dictionary entry, if it is ours and of the type we know. */
static int read_property_variant(sd_bus_message *m, const struct property_map *p, void *target)
{
	const char *contents;
	int r;

	if (!p)
		return sd_bus_message_skip(m, "v");
	r = sd_bus_message_peek_type(m, NULL, &contents);
	if (r < 0)
		return r;
	if (strcmp(contents, property_signatures[p->kind]) != 0)
		return sd_bus_message_skip(m, "v");

	r = sd_bus_message_enter_container(m, 'v', contents);
	if (r < 0)
		return r;
	r = read_property_value(m, p, target);
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

int properties_read(sd_bus_message *m, const struct property_map *map, size_t n_map, void *target)
{
	const char *name;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = sd_bus_message_read_basic(m, 's', &name);
		if (r < 0)
			return r;
		r = read_property_variant(m, property_find(map, n_map, name), target);
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

int chair_status_update(struct chair_status *s, sd_bus_message *m)
{
	return properties_read(m, chair_properties, ELEMENTSOF(chair_properties), s);
}
