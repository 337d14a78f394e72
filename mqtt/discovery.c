/* SPDX-License-Identifier: MIT */
/* Home Assistant's MQTT discovery: one retained config per entity at
 * <discovery prefix>/<component>/<chair id>/<object id>/config, all on one device, each
 * available while both the bridge and massaged are (B/bridge, B/daemon). They are made
 * again when what they list changes (programs, profiles, pads, a pad's MaxTarget); the
 * publisher sends only those that differ. A pad gone gets empty configs, which remove
 * its entities. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "chair-side.h"
#include "log.h"
#include "macro.h"
#include "topics.h"

#define ORIGIN_URL "https://github.com/massaged/massaged"
#define PAD_MAX_TARGET_FALLBACK 48.0 /* the ceiling of any pad (docs/dbus-api.md) */

struct discovery {
	char *fingerprint; /* what the configs were last made from */
	char **zones;      /* the pads they were made for */
};

/* The pads' entities: component and object id suffix (after "pad_<zone>"). */
static const struct {
	const char *component, *suffix;
} pad_entities[] = {
	{ "climate", "" },
	{ "sensor", "_power" },
	{ "sensor", "_dose" },
	{ "binary_sensor", "_lockout" },
	{ "sensor", "_heating_hours" },
	{ "sensor", "_relay_switches" },
};

static const char *const chair_states[] = { "idle", "scanning", "running", "paused", "stopping", "fault" };
static const char *const widths[] = { "narrow", "medium", "wide" };

static void add_string(struct json_object *o, const char *key, const char *value)
{
	if (value)
		(void)json_object_object_add(o, key, json_object_new_string(value));
}

static void add_double(struct json_object *o, const char *key, double value)
{
	char text[32];

	/* 0.1, not json-c's 0.10000000000000001 */
	(void)snprintf(text, sizeof(text), "%g", value);
	(void)json_object_object_add(o, key, json_object_new_double_s(value, text));
}

static void add_int(struct json_object *o, const char *key, int value)
{
	(void)json_object_object_add(o, key, json_object_new_int(value));
}

static void add_topic(struct chair_side *c, struct json_object *o, const char *key, const char *suffix)
{
	char topic[TOPIC_MAX];

	if (topic_build(topic, sizeof(topic), c->cfg, suffix) >= 0)
		add_string(o, key, topic);
}

static void add_strings(struct json_object *o, const char *key, const char *const *values, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		(void)json_object_array_add(a, json_object_new_string(values[i]));
	(void)json_object_object_add(o, key, a);
}

static struct json_object *device_new(struct chair_side *c)
{
	struct json_object *d = json_object_new_object();
	char id[TOPIC_MAX];

	(void)snprintf(id, sizeof(id), "massaged_%s", c->cfg->chair_id);
	add_strings(d, "identifiers", (const char *const[]) { id }, 1);
	add_string(d, "name", c->cfg->chair_name);
	add_string(d, "model", "Heated massage chair");
	add_string(d, "manufacturer", "massaged");
	add_string(d, "sw_version", PACKAGE_VERSION);
	if (c->cfg->configuration_url && *c->cfg->configuration_url)
		add_string(d, "configuration_url", c->cfg->configuration_url);
	return d;
}

/* What every entity has: name, ids, availability, origin, device. */
static struct json_object *entity_new(struct chair_side *c, const char *object_id, const char *name)
{
	struct json_object *o = json_object_new_object(), *availability = json_object_new_array(), *origin;
	char unique_id[TOPIC_MAX];

	if (!o)
		return NULL;
	add_string(o, "name", name);
	(void)snprintf(unique_id, sizeof(unique_id), "massaged_%s_%s", c->cfg->chair_id, object_id);
	add_string(o, "unique_id", unique_id);
	for (size_t i = 0; i < 2 && availability; i++) {
		struct json_object *a = json_object_new_object();

		add_topic(c, a, "topic", i == 0 ? "bridge" : "daemon");
		(void)json_object_array_add(availability, a);
	}
	(void)json_object_object_add(o, "availability", availability);
	add_string(o, "availability_mode", "all");
	origin = json_object_new_object();
	add_string(origin, "name", "massaged-mqtt");
	add_string(origin, "sw", PACKAGE_VERSION);
	add_string(origin, "url", ORIGIN_URL);
	(void)json_object_object_add(o, "origin", origin);
	(void)json_object_object_add(o, "device", device_new(c));
	return o;
}

static int config_topic(struct chair_side *c, char topic[static TOPIC_MAX], const char *component,
			const char *object_id)
{
	int n = snprintf(topic, TOPIC_MAX, "%s/%s/%s/%s/config", c->cfg->discovery_prefix, component, c->cfg->chair_id,
			 object_id);

	return n < 0 || n >= TOPIC_MAX ? -ENAMETOOLONG : 0;
}

/* Publishes o (NULL: an empty config, removing the entity) and drops it. */
static void config_publish(struct chair_side *c, const char *component, const char *object_id, struct json_object *o)
{
	char topic[TOPIC_MAX];

	if (config_topic(c, topic, component, object_id) < 0)
		log_warning("The discovery topic of %s is too long", object_id);
	else
		(void)publisher_set(
			c->publisher, topic,
			o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
			  : "");
	json_object_put(o);
}

static void publish_button(struct chair_side *c, const char *object_id, const char *name, const char *command)
{
	struct json_object *o = entity_new(c, object_id, name);

	add_topic(c, o, "command_topic", command);
	config_publish(c, "button", object_id, o);
}

static void publish_number(struct chair_side *c, const char *object_id, const char *name, int min, int max, int step,
			   const char *unit)
{
	struct json_object *o = entity_new(c, object_id, name);
	char state[64], command[64];

	/* the object id's '_' is the topic's '-': intensity, speed, timer have neither */
	(void)snprintf(state, sizeof(state), "%s", object_id);
	(void)snprintf(command, sizeof(command), "%s/set", object_id);
	add_topic(c, o, "state_topic", state);
	add_topic(c, o, "command_topic", command);
	add_int(o, "min", min);
	add_int(o, "max", max);
	add_int(o, "step", step);
	if (unit) {
		add_string(o, "unit_of_measurement", unit);
		add_string(o, "device_class", "duration");
	}
	config_publish(c, "number", object_id, o);
}

static void publish_select(struct chair_side *c, const char *object_id, const char *name, const char *state,
			   const char *const *options, size_t n)
{
	struct json_object *o = entity_new(c, object_id, name);
	char command[64];

	(void)snprintf(command, sizeof(command), "%s/set", object_id);
	add_topic(c, o, "state_topic", state);
	add_topic(c, o, "command_topic", command);
	add_strings(o, "options", options, n);
	config_publish(c, "select", object_id, o);
}

static void publish_sensor(struct chair_side *c, const char *object_id, const char *name, const char *state,
			   const char *unit, const char *device_class, const char *state_class)
{
	struct json_object *o = entity_new(c, object_id, name);

	add_topic(c, o, "state_topic", state);
	add_string(o, "unit_of_measurement", unit);
	add_string(o, "device_class", device_class);
	add_string(o, "state_class", state_class);
	if (strcmp(object_id, "state") == 0)
		add_strings(o, "options", chair_states, ELEMENTSOF(chair_states));
	config_publish(c, "sensor", object_id, o);
}

static void publish_binary_sensor(struct chair_side *c, const char *object_id, const char *name, const char *state,
				  const char *device_class, const char *attributes)
{
	struct json_object *o = entity_new(c, object_id, name);

	add_topic(c, o, "state_topic", state);
	add_string(o, "payload_on", "ON");
	add_string(o, "payload_off", "OFF");
	add_string(o, "device_class", device_class);
	if (attributes)
		add_topic(c, o, "json_attributes_topic", attributes);
	config_publish(c, "binary_sensor", object_id, o);
}

static void publish_chair_entities(struct chair_side *c)
{
	const struct chair_model *m = &c->model;
	const char **titles = calloc(m->n_programs + 1, sizeof(char *));
	size_t n_profiles = 0;
	struct json_object *o;

	for (size_t i = 0; titles && i < m->n_programs; i++)
		titles[i] = m->programs[i].title;
	/* once massaged listed them: Home Assistant wants options */
	if (titles && m->n_programs > 0)
		publish_select(c, "program", "Program", "program/title", titles, m->n_programs);
	free(titles);
	publish_button(c, "stop", "Stop", "stop/press");
	publish_button(c, "pause", "Pause/resume", "pause/press");
	publish_button(c, "scan", "Body scan", "scan/press");
	publish_button(c, "clear_fault", "Clear fault", "clear-fault/press");
	publish_number(c, "intensity", "Intensity", 1, 5, 1, NULL);
	publish_number(c, "speed", "Speed", 1, 6, 1, NULL);
	publish_number(c, "timer", "Timer", 5, 30, 5, "min");
	publish_select(c, "width", "Width", "width", widths, ELEMENTSOF(widths));
	while (m->profiles && m->profiles[n_profiles])
		n_profiles++;
	publish_select(c, "profile", "Profile", "profile", (const char *const *)m->profiles, n_profiles);

	o = entity_new(c, "gentle", "Gentle mode");
	add_topic(c, o, "state_topic", "gentle");
	add_topic(c, o, "command_topic", "gentle/set");
	add_string(o, "payload_on", "ON");
	add_string(o, "payload_off", "OFF");
	add_string(o, "state_on", "ON");
	add_string(o, "state_off", "OFF");
	config_publish(c, "switch", "gentle", o);

	publish_sensor(c, "state", "State", "state", NULL, "enum", NULL);
	publish_sensor(c, "step", "Step", "step", NULL, NULL, NULL);
	publish_sensor(c, "technique", "Technique", "technique", NULL, NULL, NULL);
	publish_sensor(c, "zone", "Zone", "zone", NULL, NULL, NULL);
	publish_sensor(c, "remaining", "Remaining", "remaining", "s", "duration", NULL);
	publish_sensor(c, "force", "Force", "force", "N", NULL, "measurement");
	publish_sensor(c, "roller_hours", "Roller run hours", "roller-hours", "h", "duration", "total_increasing");
	publish_binary_sensor(c, "seated", "Seated", "seated", "occupancy", NULL);
	publish_binary_sensor(c, "fault", "Fault", "fault", "problem", "faults");
}

static void pad_object_id(char buf[static TOPIC_MAX], const char *zone, const char *suffix)
{
	(void)snprintf(buf, TOPIC_MAX, "pad_%s%s", zone, suffix);
	for (char *s = buf; *s; s++)
		if (*s == '-')
			*s = '_';
}

static void publish_pad_entities(struct chair_side *c, const struct pad *p)
{
	char id[TOPIC_MAX], name[128], what[TOPIC_MAX], topic[TOPIC_MAX];
	bool watts = c->cfg->pad_watts > 0;
	struct json_object *o;

	/* "Lower back pad" */
	(void)snprintf(name, sizeof(name), "%.100s pad", p->zone);
	name[0] = (char)(name[0] >= 'a' && name[0] <= 'z' ? name[0] - 'a' + 'A' : name[0]);
	for (char *s = name; *s; s++)
		if (*s == '-')
			*s = ' ';
#define PAD_TOPIC(leaf) ((void)snprintf(topic, sizeof(topic), "pad/%s/" leaf, p->zone), topic)
#define PAD_NAME(text) ((void)snprintf(what, sizeof(what), "%s " text, name), what)
#define PAD_ID(suffix) (pad_object_id(id, p->zone, suffix), id)
	o = entity_new(c, PAD_ID(""), name);
	add_strings(o, "modes", (const char *const[]) { "off", "heat" }, 2);
	add_topic(c, o, "mode_state_topic", PAD_TOPIC("mode"));
	add_topic(c, o, "mode_command_topic", PAD_TOPIC("mode/set"));
	add_topic(c, o, "temperature_state_topic", PAD_TOPIC("target"));
	add_topic(c, o, "temperature_command_topic", PAD_TOPIC("target/set"));
	add_topic(c, o, "current_temperature_topic", PAD_TOPIC("temperature"));
	add_topic(c, o, "action_topic", PAD_TOPIC("action"));
	add_double(o, "min_temp", PAD_MIN_TARGET);
	add_double(o, "max_temp", p->max_target > 0 ? p->max_target : PAD_MAX_TARGET_FALLBACK);
	add_double(o, "temp_step", 0.5);
	add_double(o, "precision", 0.1);
	add_string(o, "temperature_unit", "C");
	config_publish(c, "climate", id, o);

	publish_sensor(c, PAD_ID("_power"), PAD_NAME("power"), PAD_TOPIC("power"), watts ? "W" : "%",
		       watts ? "power" : NULL, "measurement");
	publish_sensor(c, PAD_ID("_dose"), PAD_NAME("heat dose"), PAD_TOPIC("dose"), "min", NULL, "measurement");
	publish_binary_sensor(c, PAD_ID("_lockout"), PAD_NAME("lockout"), PAD_TOPIC("lockout"), "problem", NULL);
	publish_sensor(c, PAD_ID("_heating_hours"), PAD_NAME("heating hours"), PAD_TOPIC("heating-hours"), "h",
		       "duration", "total_increasing");
	publish_sensor(c, PAD_ID("_relay_switches"), PAD_NAME("relay switches"), PAD_TOPIC("relay-switches"), NULL,
		       NULL, "total_increasing");
#undef PAD_TOPIC
#undef PAD_NAME
#undef PAD_ID
}

/* A pad gone: its entities removed, its retained state cleared. */
static void remove_pad(struct chair_side *c, const char *zone)
{
	char id[TOPIC_MAX], suffix[TOPIC_MAX], prefix[TOPIC_MAX];

	for (size_t i = 0; i < ELEMENTSOF(pad_entities); i++) {
		pad_object_id(id, zone, pad_entities[i].suffix);
		config_publish(c, pad_entities[i].component, id, NULL);
	}
	(void)snprintf(suffix, sizeof(suffix), "pad/%s/", zone);
	if (topic_build(prefix, sizeof(prefix), c->cfg, suffix) >= 0)
		publisher_clear_prefix(c->publisher, prefix);
	log_info("Heating pad %s is gone: its entities are removed", zone);
}

static char *fingerprint_new(const struct chair_model *m)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	for (size_t i = 0; i < m->n_programs; i++)
		(void)fprintf(f, "p%s\t%s\n", m->programs[i].id, m->programs[i].title);
	for (size_t i = 0; m->profiles && m->profiles[i]; i++)
		(void)fprintf(f, "u%s\n", m->profiles[i]);
	for (size_t i = 0; i < m->n_pads; i++)
		(void)fprintf(f, "z%s\t%.3f\n", m->pads[i].zone, m->pads[i].max_target);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char **zones_copy(const struct chair_model *m)
{
	char **zones = calloc(m->n_pads + 1, sizeof(char *));

	for (size_t i = 0; zones && i < m->n_pads; i++) {
		zones[i] = strdup(m->pads[i].zone);
		if (!zones[i]) {
			strv_free(zones);
			return NULL;
		}
	}
	return zones;
}

void discovery_publish(struct discovery *d, struct chair_side *c)
{
	const struct chair_model *m = &c->model;
	char *fingerprint, **zones;

	if (!c->cfg->discovery)
		return;
	fingerprint = fingerprint_new(m);
	if (fingerprint && d->fingerprint && strcmp(fingerprint, d->fingerprint) == 0) {
		free(fingerprint);
		return;
	}
	free(d->fingerprint);
	d->fingerprint = fingerprint;

	publish_chair_entities(c);
	for (size_t i = 0; i < m->n_pads; i++)
		publish_pad_entities(c, &m->pads[i]);
	/* pads only go once massaged listed them: not while it is away */
	if (!m->pads_known)
		return;
	for (size_t i = 0; d->zones && d->zones[i]; i++)
		if (!chair_model_find_pad(m, d->zones[i]))
			remove_pad(c, d->zones[i]);
	zones = zones_copy(m);
	if (zones) {
		strv_free(d->zones);
		d->zones = zones;
	}
}

int discovery_new(struct discovery **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

struct discovery *discovery_free(struct discovery *d)
{
	if (!d)
		return NULL;
	free(d->fingerprint);
	strv_free(d->zones);
	free(d);
	return NULL;
}
