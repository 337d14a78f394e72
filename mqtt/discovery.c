/* SPDX-License-Identifier: MIT */
/* Home Assistant's MQTT discovery: which entities a chair has (discovery-config.c makes
 * each one's config). With [Control] Enabled=no only read-only ones: the settings as
 * sensors, each pad's temperatures as sensors instead of a climate, no button; the
 * configs of the other kind are emptied, so a bridge switched from one to the other
 * leaves no stale entity in Home Assistant. The configs are made again when what they
 * list changes (programs, profiles, pads, a pad's MaxTarget); the publisher sends only
 * those that differ. A pad gone gets empty configs, which remove its entities. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chair-side.h"
#include "discovery-config.h"
#include "log.h"
#include "macro.h"
#include "topics.h"

#define PAD_MAX_TARGET_FALLBACK 48.0 /* the ceiling of any pad (docs/dbus-api.md) */
/* the profile select's state: "None" (no profile) shown as its "(none)" option */
#define PROFILE_VALUE_TEMPLATE "{{ '" PROFILE_NONE_OPTION "' if value == 'None' else value }}"

struct discovery {
	char *fingerprint; /* what the configs were last made from */
	char **zones;      /* the pads they were made for */
};

/* The entities whose component depends on [Control] Enabled: with control on, with it
 * off (NULL: none). */
struct entity_kind {
	const char *object_id; /* a pad's: the suffix after "pad_<zone>" */
	const char *control_on, *control_off;
};

static const struct entity_kind chair_controls[] = {
	{ "program", "select", "sensor" },
	{ "stop", "button", NULL },
	{ "pause", "button", NULL },
	{ "scan", "button", NULL },
	{ "clear_fault", "button", NULL },
	{ "intensity", "number", "sensor" },
	{ "speed", "number", "sensor" },
	{ "timer", "number", "sensor" },
	{ "width", "select", "sensor" },
	{ "profile", "select", "sensor" },
	{ "gentle", "switch", "binary_sensor" },
};

static const struct entity_kind pad_entities[] = {
	{ "", "climate", NULL },
	{ "_temperature", NULL, "sensor" },
	{ "_target", NULL, "sensor" },
	{ "_action", NULL, "sensor" },
	{ "_power", "sensor", "sensor" },
	{ "_dose", "sensor", "sensor" },
	{ "_lockout", "binary_sensor", "binary_sensor" },
	{ "_heating_hours", "sensor", "sensor" },
	{ "_relay_switches", "sensor", "sensor" },
};

static const char *const chair_states[] = { "idle", "scanning", "running", "paused", "stopping", "fault" };
static const char *const widths[] = { "narrow", "medium", "wide" };
static const char *const pad_actions[] = { "off", "heating", "idle" };

/* The config of the kind not announced now emptied: a controllable entity of the
 * other setting of [Control] Enabled is removed from Home Assistant. */
static void remove_other_kind(struct chair_side *c, const struct entity_kind *k, const char *object_id)
{
	const char *now = c->cfg->control ? k->control_on : k->control_off;
	const char *other = c->cfg->control ? k->control_off : k->control_on;

	if (other && (!now || strcmp(other, now) != 0))
		config_remove(c, other, object_id);
}

static void publish_button(struct chair_side *c, const char *object_id, const char *name, const char *command)
{
	struct json_object *o = config_new(c, object_id, name);

	config_add_topic(c, o, "command_topic", command);
	config_publish(c, "button", object_id, o);
}

/* intensity, speed, timer: B/<object id> and B/<object id>/set (neither has a '_') */
static void publish_number(struct chair_side *c, const char *object_id, const char *name, int min, int max, int step,
			   const char *unit)
{
	struct json_object *o = config_new(c, object_id, name);
	char command[64];

	(void)snprintf(command, sizeof(command), "%s/set", object_id);
	config_add_topic(c, o, "state_topic", object_id);
	config_add_topic(c, o, "command_topic", command);
	config_add_int(o, "min", min);
	config_add_int(o, "max", max);
	config_add_int(o, "step", step);
	if (unit) {
		config_add_string(o, "unit_of_measurement", unit);
		config_add_string(o, "device_class", "duration");
	}
	config_publish(c, "number", object_id, o);
}

static void publish_select(struct chair_side *c, const char *object_id, const char *name, const char *state,
			   const char *const *options, size_t n, const char *value_template)
{
	struct json_object *o = config_new(c, object_id, name);
	char command[64];

	(void)snprintf(command, sizeof(command), "%s/set", object_id);
	config_add_topic(c, o, "state_topic", state);
	config_add_topic(c, o, "command_topic", command);
	config_add_strings(o, "options", options, n);
	config_add_string(o, "value_template", value_template);
	config_publish(c, "select", object_id, o);
}

static void publish_sensor(struct chair_side *c, const char *object_id, const char *name, const char *state,
			   const char *unit, const char *device_class, const char *state_class)
{
	struct json_object *o = config_new(c, object_id, name);

	config_add_topic(c, o, "state_topic", state);
	config_add_string(o, "unit_of_measurement", unit);
	config_add_string(o, "device_class", device_class);
	config_add_string(o, "state_class", state_class);
	config_publish(c, "sensor", object_id, o);
}

/* A sensor whose state is one of options (device_class enum). */
static void publish_enum_sensor(struct chair_side *c, const char *object_id, const char *name, const char *state,
				const char *const *options, size_t n)
{
	struct json_object *o = config_new(c, object_id, name);

	config_add_topic(c, o, "state_topic", state);
	config_add_string(o, "device_class", "enum");
	config_add_strings(o, "options", options, n);
	config_publish(c, "sensor", object_id, o);
}

static void publish_binary_sensor(struct chair_side *c, const char *object_id, const char *name, const char *state,
				  const char *device_class, const char *attributes)
{
	struct json_object *o = config_new(c, object_id, name);

	config_add_topic(c, o, "state_topic", state);
	config_add_string(o, "payload_on", "ON");
	config_add_string(o, "payload_off", "OFF");
	config_add_string(o, "device_class", device_class);
	if (attributes)
		config_add_topic(c, o, "json_attributes_topic", attributes);
	config_publish(c, "binary_sensor", object_id, o);
}

/* [Control] Enabled=yes: the chair's settings as controls. */
static void publish_chair_controls(struct chair_side *c)
{
	const struct chair_model *m = &c->model;
	const char **titles = calloc(m->n_programs + 1, sizeof(char *));
	size_t n_profiles = 0;
	const char **profiles;
	struct json_object *o;

	for (size_t i = 0; titles && i < m->n_programs; i++)
		titles[i] = m->programs[i].title;
	/* once massaged listed them: Home Assistant wants options */
	if (titles && m->n_programs > 0)
		publish_select(c, "program", "Program", "program/title", titles, m->n_programs, NULL);
	free(titles);
	publish_button(c, "stop", "Stop", "stop/press");
	publish_button(c, "pause", "Pause/resume", "pause/press");
	publish_button(c, "scan", "Body scan", "scan/press");
	publish_button(c, "clear_fault", "Clear fault", "clear-fault/press");
	publish_number(c, "intensity", "Intensity", 1, 5, 1, NULL);
	publish_number(c, "speed", "Speed", 1, 6, 1, NULL);
	publish_number(c, "timer", "Timer", 5, 30, 5, "min");
	publish_select(c, "width", "Width", "width", widths, ELEMENTSOF(widths), NULL);
	while (m->profiles && m->profiles[n_profiles])
		n_profiles++;
	/* "(none)" first: no profile can be picked too */
	profiles = calloc(n_profiles + 1, sizeof(char *));
	if (profiles) {
		profiles[0] = PROFILE_NONE_OPTION;
		for (size_t i = 0; i < n_profiles; i++)
			profiles[i + 1] = m->profiles[i];
		publish_select(c, "profile", "Profile", "profile", profiles, n_profiles + 1, PROFILE_VALUE_TEMPLATE);
		free(profiles);
	}

	o = config_new(c, "gentle", "Gentle mode");
	config_add_topic(c, o, "state_topic", "gentle");
	config_add_topic(c, o, "command_topic", "gentle/set");
	config_add_string(o, "payload_on", "ON");
	config_add_string(o, "payload_off", "OFF");
	config_add_string(o, "state_on", "ON");
	config_add_string(o, "state_off", "OFF");
	config_publish(c, "switch", "gentle", o);
}

/* [Control] Enabled=no: the same settings, shown only. */
static void publish_chair_readings(struct chair_side *c)
{
	publish_sensor(c, "program", "Program", "program/title", NULL, NULL, NULL);
	publish_sensor(c, "intensity", "Intensity", "intensity", NULL, NULL, NULL);
	publish_sensor(c, "speed", "Speed", "speed", NULL, NULL, NULL);
	publish_sensor(c, "timer", "Timer", "timer", "min", "duration", NULL);
	publish_enum_sensor(c, "width", "Width", "width", widths, ELEMENTSOF(widths));
	publish_sensor(c, "profile", "Profile", "profile", NULL, NULL, NULL);
	publish_binary_sensor(c, "gentle", "Gentle mode", "gentle", NULL, NULL);
}

static void publish_chair_entities(struct chair_side *c)
{
	if (c->cfg->control)
		publish_chair_controls(c);
	else
		publish_chair_readings(c);
	for (size_t i = 0; i < ELEMENTSOF(chair_controls); i++)
		remove_other_kind(c, &chair_controls[i], chair_controls[i].object_id);

	publish_enum_sensor(c, "state", "State", "state", chair_states, ELEMENTSOF(chair_states));
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
	if (c->cfg->control) {
		o = config_new(c, PAD_ID(""), name);
		config_add_strings(o, "modes", (const char *const[]) { "off", "heat" }, 2);
		config_add_topic(c, o, "mode_state_topic", PAD_TOPIC("mode"));
		config_add_topic(c, o, "mode_command_topic", PAD_TOPIC("mode/set"));
		config_add_topic(c, o, "temperature_state_topic", PAD_TOPIC("target"));
		config_add_topic(c, o, "temperature_command_topic", PAD_TOPIC("target/set"));
		config_add_topic(c, o, "current_temperature_topic", PAD_TOPIC("temperature"));
		config_add_topic(c, o, "action_topic", PAD_TOPIC("action"));
		config_add_double(o, "min_temp", PAD_MIN_TARGET);
		config_add_double(o, "max_temp", p->max_target > 0 ? p->max_target : PAD_MAX_TARGET_FALLBACK);
		config_add_double(o, "temp_step", 0.5);
		config_add_double(o, "precision", 0.1);
		config_add_string(o, "temperature_unit", "C");
		config_publish(c, "climate", id, o);
	} else {
		publish_sensor(c, PAD_ID("_temperature"), PAD_NAME("temperature"), PAD_TOPIC("temperature"), "°C",
			       "temperature", "measurement");
		publish_sensor(c, PAD_ID("_target"), PAD_NAME("target"), PAD_TOPIC("target"), "°C", "temperature",
			       NULL);
		publish_enum_sensor(c, PAD_ID("_action"), PAD_NAME("heating"), PAD_TOPIC("action"), pad_actions,
				    ELEMENTSOF(pad_actions));
	}
	for (size_t i = 0; i < ELEMENTSOF(pad_entities); i++)
		remove_other_kind(c, &pad_entities[i], PAD_ID(pad_entities[i].object_id));

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

/* A pad gone: its entities removed (of either kind), its retained state cleared. */
static void remove_pad(struct chair_side *c, const char *zone)
{
	char id[TOPIC_MAX], suffix[TOPIC_MAX], prefix[TOPIC_MAX];

	for (size_t i = 0; i < ELEMENTSOF(pad_entities); i++) {
		const struct entity_kind *k = &pad_entities[i];

		pad_object_id(id, zone, k->object_id);
		if (k->control_on)
			config_remove(c, k->control_on, id);
		if (k->control_off && (!k->control_on || strcmp(k->control_off, k->control_on) != 0))
			config_remove(c, k->control_off, id);
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
