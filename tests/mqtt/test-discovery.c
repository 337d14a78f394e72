/* SPDX-License-Identifier: MIT */
/* Home Assistant discovery: every config the bridge announces is JSON that satisfies its
 * component's documented schema, names only topics that exist (published retained, or
 * a command topic of docs/mqtt.md), ties availability to the bridge and to massaged,
 * and every entity issue 19 lists is there. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "ha-schema.h"
#include "harness-mqtt.h"

#define SCALE 20
#define MAX_COMMANDS 64

/* object id → component with [Control] Enabled=yes, and with Enabled=no (NULL: not
 * announced) (issue 19 and docs/mqtt.md); the pads' below. */
static const char *const entities[][3] = {
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
	{ "state", "sensor", "sensor" },
	{ "step", "sensor", "sensor" },
	{ "technique", "sensor", "sensor" },
	{ "zone", "sensor", "sensor" },
	{ "remaining", "sensor", "sensor" },
	{ "force", "sensor", "sensor" },
	{ "seated", "binary_sensor", "binary_sensor" },
	{ "fault", "binary_sensor", "binary_sensor" },
	{ "roller_hours", "sensor", "sensor" },
};
static const char *const pad_entities[][3] = {
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
#define N_ENTITIES (sizeof(entities) / sizeof(entities[0]))
#define N_PAD_ENTITIES (sizeof(pad_entities) / sizeof(pad_entities[0]))
/* object id → the unit its sensor or number shows (NULL: any; "" none) */
static const char *const units[][2] = {
	{ "remaining", "s" }, { "force", "N" },  { "roller_hours", "h" }, { "timer", "min" },
	{ "state", "" },      { "step", "" },    { "technique", "" },     { "zone", "" },
	{ "program", "" },    { "profile", "" }, { "width", "" },
};

struct discovery {
	struct mqtt_chair *chair;
	bool control_off;                 /* [Control] Enabled=no: the read-only entities */
	char commands[MAX_COMMANDS][256]; /* docs/mqtt.md's command topics for this chair */
	size_t n_commands;
	struct mqtt_msg *state; /* every retained message under B/ */
	size_t n_state;
	const char *object; /* the entity being checked */
};

/* docs/mqtt.md's command topics: the backquoted B/... names in the first column of
 * the table under "## Command topics", Z expanded to each zone. */
static void read_command_topics(struct discovery *d)
{
	struct mqtt_world *w = d->chair->world;
	char path[512], *line = NULL;
	bool in_section = false;
	size_t n = 0;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/docs/mqtt.md", getenv("SOURCE_ROOT"));
	f = fopen(path, "re");
	M_ASSERT(w, f, "cannot read %s", path);
	while (getline(&line, &n, f) >= 0) {
		char *cell;

		if (strncmp(line, "## ", 3) == 0)
			in_section = strncmp(line, "## Command topics", 17) == 0;
		if (!in_section || line[0] != '|')
			continue;
		cell = strtok(line + 1, "|");
		for (char *at = cell ? strstr(cell, "`B/") : NULL; at; at = strstr(at, "`B/")) {
			size_t len = strcspn(at + 3, "`");
			char suffix[96];
			const char *z = NULL;

			(void)snprintf(suffix, sizeof(suffix), "%.*s", (int)len, at + 3);
			at += 3 + len;
			if (strncmp(suffix, "pad/Z/", 6) == 0)
				z = suffix + 6;
			for (size_t i = 0; i < (z ? MQTT_ZONES : 1) && d->n_commands < MAX_COMMANDS; i++) {
				if (z)
					(void)snprintf(d->commands[d->n_commands++], sizeof(d->commands[0]),
						       "%s/pad/%s/%s", d->chair->base, mqtt_zones[i], z);
				else
					(void)snprintf(d->commands[d->n_commands++], sizeof(d->commands[0]), "%s/%s",
						       d->chair->base, suffix);
			}
		}
	}
	free(line);
	(void)fclose(f);
	M_ASSERT(w, d->n_commands == 11 + 2 * MQTT_ZONES, "only %zu command topics read from %s", d->n_commands, path);
}

static bool is_command(const struct discovery *d, const char *topic)
{
	for (size_t i = 0; i < d->n_commands; i++)
		if (strcmp(d->commands[i], topic) == 0)
			return true;
	return false;
}

static bool is_published(const struct discovery *d, const char *topic)
{
	for (size_t i = 0; i < d->n_state; i++)
		if (strcmp(d->state[i].topic, topic) == 0 && d->state[i].len > 0)
			return true;
	return false;
}

static void check_topic(void *userdata, const char *key, const char *topic, bool command)
{
	struct discovery *d = userdata;
	struct mqtt_world *w = d->chair->world;

	if (command)
		M_ASSERT(w, is_command(d, topic), "%s's %s %s is no command topic of docs/mqtt.md", d->object, key,
			 topic);
	else
		M_ASSERT(w, is_published(d, topic), "%s's %s %s: nothing published there (retained)", d->object, key,
			 topic);
}

/* The component object should be announced as; NULL: none. */
static const char *component_of(const struct discovery *d, const char *object)
{
	size_t column = d->control_off ? 2 : 1;

	for (size_t i = 0; i < N_ENTITIES; i++)
		if (strcmp(object, entities[i][0]) == 0)
			return entities[i][column];
	for (size_t z = 0; z < MQTT_ZONES; z++)
		for (size_t i = 0; i < N_PAD_ENTITIES; i++) {
			char zone[32], pad_object[64];

			(void)snprintf(zone, sizeof(zone), "%s", mqtt_zones[z]);
			for (char *p = zone; *p; p++)
				if (*p == '-')
					*p = '_';
			(void)snprintf(pad_object, sizeof(pad_object), "pad_%s%s", zone, pad_entities[i][0]);
			if (strcmp(object, pad_object) == 0)
				return pad_entities[i][column];
		}
	return NULL;
}

static void check_common(struct discovery *d, json_object *o, const char *object)
{
	struct mqtt_world *w = d->chair->world;
	const char *base = d->chair->base;
	char want[128];
	json_object *dev, *origin, *avty, *ids;
	bool bridge = false, daemon = false;

	(void)snprintf(want, sizeof(want), "massaged_%s_%s", d->chair->id, object);
	M_ASSERT(w, ha_get_string(o, "unique_id") && strcmp(ha_get_string(o, "unique_id"), want) == 0,
		 "%s: unique_id \"%s\", expected %s", object, ha_get_string(o, "unique_id") ?: "(none)", want);
	M_ASSERT(w, json_object_object_get_ex(o, "device", &dev) && json_object_is_type(dev, json_type_object),
		 "%s: no device", object);
	(void)snprintf(want, sizeof(want), "massaged_%s", d->chair->id);
	M_ASSERT(w, json_object_object_get_ex(dev, "identifiers", &ids), "%s: device without identifiers", object);
	M_ASSERT(w,
		 (json_object_is_type(ids, json_type_array) && json_object_array_length(ids) > 0 &&
		  strcmp(json_object_get_string(json_object_array_get_idx(ids, 0)), want) == 0) ||
			 (json_object_is_type(ids, json_type_string) && strcmp(json_object_get_string(ids), want) == 0),
		 "%s: device identifiers %s, expected [\"%s\"]", object, json_object_get_string(ids), want);
	M_ASSERT(w, ha_get_string(dev, "name") && ha_get_string(dev, "model") && ha_get_string(dev, "sw_version"),
		 "%s: the device needs name, model and sw_version: %s", object, json_object_get_string(dev));
	M_ASSERT(w,
		 json_object_object_get_ex(o, "origin", &origin) && ha_get_string(origin, "name") &&
			 strcmp(ha_get_string(origin, "name"), "massaged-mqtt") == 0 &&
			 ha_get_string(origin, "sw_version"),
		 "%s: origin needs name massaged-mqtt and sw_version: %s", object, json_object_get_string(origin));
	M_ASSERT(w, json_object_object_get_ex(o, "availability", &avty) && json_object_is_type(avty, json_type_array),
		 "%s: no availability list", object);
	for (size_t i = 0; i < json_object_array_length(avty); i++) {
		json_object *e = json_object_array_get_idx(avty, i);
		const char *t = ha_get_string(e, "topic"), *on = ha_get_string(e, "payload_available"),
			   *off = ha_get_string(e, "payload_not_available");
		char b[160], dm[160];

		(void)snprintf(b, sizeof(b), "%s/bridge", base);
		(void)snprintf(dm, sizeof(dm), "%s/daemon", base);
		bridge |= t && strcmp(t, b) == 0;
		daemon |= t && strcmp(t, dm) == 0;
		M_ASSERT(w, (!on || strcmp(on, "online") == 0) && (!off || strcmp(off, "offline") == 0),
			 "%s: availability payloads %s/%s, the bridge publishes online/offline", object, on, off);
	}
	M_ASSERT(w, bridge && daemon, "%s: availability must list %s/bridge and %s/daemon: %s", object, base, base,
		 json_object_get_string(avty));
	M_ASSERT(w, ha_get_string(o, "availability_mode") && strcmp(ha_get_string(o, "availability_mode"), "all") == 0,
		 "%s: availability_mode must be all", object);
}

static void check_units(struct discovery *d, json_object *o, const char *object, const char *component)
{
	struct mqtt_world *w = d->chair->world;
	const char *unit = ha_get_string(o, "unit_of_measurement");

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(object, units[i][0]) == 0) {
			if (units[i][1][0])
				M_ASSERT(w, unit && strcmp(unit, units[i][1]) == 0, "%s: unit \"%s\", expected %s",
					 object, unit ?: "(none)", units[i][1]);
			else /* a text: HA refuses a non-numeric state with a unit or state class */
				M_ASSERT(w, !unit && !ha_get_string(o, "state_class"),
					 "%s shows text: no unit or state_class (has %s, %s)", object, unit,
					 ha_get_string(o, "state_class"));
		}
	if (strstr(object, "_power"))
		M_ASSERT(w, unit && (strcmp(unit, "%") == 0 || strcmp(unit, "W") == 0),
			 "%s: unit \"%s\", expected %% or W", object, unit ?: "(none)");
	if (strstr(object, "_dose"))
		M_ASSERT(w, unit && strcmp(unit, "min") == 0, "%s: unit \"%s\", expected min (CEM43 minutes)", object,
			 unit ?: "(none)");
	if (strstr(object, "_temperature") || strstr(object, "_target"))
		M_ASSERT(w, unit && strcmp(unit, "°C") == 0, "%s: unit \"%s\", expected °C", object, unit ?: "(none)");
	if (strstr(object, "_heating_hours"))
		M_ASSERT(w, unit && strcmp(unit, "h") == 0, "%s: unit \"%s\", expected h", object, unit ?: "(none)");
	if (strcmp(object, "remaining") == 0)
		M_ASSERT(w,
			 ha_get_string(o, "device_class") && strcmp(ha_get_string(o, "device_class"), "duration") == 0,
			 "remaining time is a duration (device_class)");
	(void)component;
}

/* The values the chair side knows: ranges, options, the pads' MaxTarget. */
static void check_values(struct discovery *d, json_object *o, const char *object)
{
	struct mqtt_world *w = d->chair->world;
	struct harness *h = &d->chair->h;
	double min = 0, max = 0;

	const char *component = component_of(d, object);

	if (strcmp(component, "number") == 0) {
		double want_min = object[0] == 't' ? 5 : 1, want_max = object[0] == 'i' ? 5 : object[0] == 's' ? 6 : 30;

		(void)ha_get_number(o, "min", &min), (void)ha_get_number(o, "max", &max);
		M_ASSERT(w, min == want_min && max == want_max, "%s: min %g max %g, expected %g..%g", object, min, max,
			 want_min, want_max);
	}
	if (strcmp(object, "width") == 0)
		M_ASSERT(w,
			 strcmp(json_object_get_string(json_object_object_get(o, "options")),
				"[ \"narrow\", \"medium\", \"wide\" ]") == 0,
			 "width options %s", json_object_get_string(json_object_object_get(o, "options")));
	if (strcmp(object, "profile") == 0 && strcmp(component, "select") == 0) {
		/* "(none)" first, massaged's "None" shown as it (docs/mqtt.md) */
		json_object *ops = json_object_object_get(o, "options");
		const char *first = json_object_get_string(json_object_array_get_idx(ops, 0));
		const char *template = ha_get_string(o, "value_template");

		M_ASSERT(w, first && strcmp(first, "(none)") == 0,
			 "the profile select's first option is %s, not (none)", first ?: "(null)");
		M_ASSERT(w, template && strstr(template, "'None'") && strstr(template, "'(none)'"),
			 "the profile select does not show None as (none): value_template %s", template ?: "(none)");
	}
	if (strcmp(object, "program") == 0 && strcmp(component, "select") == 0) {
		/* every program of ListPrograms can be chosen, by id or by title */
		const char *ops = json_object_get_string(json_object_object_get(o, "options"));
		sd_bus_message *reply = H_CALL_REPLY(h, "ListPrograms", "");
		const char *id, *title, *description;
		uint32_t length;
		int r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(sssu)");

		while (r >= 0 && (r = sd_bus_message_read(reply, "(sssu)", &id, &title, &description, &length)) > 0) {
			char by_id[128], by_title[256];

			(void)snprintf(by_id, sizeof(by_id), "\"%s\"", id);
			(void)snprintf(by_title, sizeof(by_title), "\"%s\"", title);
			M_ASSERT(w, strstr(ops, by_id) || strstr(ops, by_title), "program options lack %s (%s): %s", id,
				 title, ops);
		}
		sd_bus_message_unref(reply);
		M_ASSERT(w, r >= 0, "cannot read ListPrograms");
	}
	if (strcmp(component, "climate") == 0) {
		size_t z = strcmp(object, "pad_neck") == 0 ? 0 : strcmp(object, "pad_shoulders") == 0 ? 1 : 2;
		double max_target =
			strtod(harness_pad_prop(h, __FILE__, __LINE__, mqtt_pad_paths[z], "MaxTarget"), NULL);

		(void)ha_get_number(o, "min_temp", &min), (void)ha_get_number(o, "max_temp", &max);
		M_ASSERT(w, min == 30 && max == max_target, "%s: min_temp %g max_temp %g, expected 30 and MaxTarget %g",
			 object, min, max, max_target);
	}
	if (strcmp(object, "fault") == 0) {
		const char *attrs = ha_get_string(o, "json_attributes_topic");
		char want[160];

		(void)snprintf(want, sizeof(want), "%s/faults", d->chair->base);
		M_ASSERT(w, attrs && strcmp(attrs, want) == 0,
			 "the fault's codes are its attributes: json_attributes_topic %s", attrs ?: "(none)");
	}
}

/* Every retained config under homeassistant/: its component's schema, topics that
 * exist, and exactly the entities d->control_off asks for, each once. */
static void check_configs(struct discovery *d)
{
	struct mqtt_chair *c = d->chair;
	struct mqtt_world *w = c->world;
	struct mqtt_msg *configs;
	size_t n_configs, n_ours = 0, n_want = 0;
	size_t column = d->control_off ? 2 : 1;
	char seen[128][64];

	mqtt_pump(w, 500); /* the first state is coalesced: let it settle */
	d->state = mqtt_retained_all(w, "massaged/test-chair/#", &d->n_state);
	configs = mqtt_retained_all(w, "homeassistant/#", &n_configs);
	for (size_t i = 0; i < n_configs; i++) {
		const char *topic = configs[i].topic;
		char component[32], id[64], object[64];
		json_object *raw, *o;
		const char *problem, *want;

		int fields = sscanf(topic, "homeassistant/%31[^/]/%63[^/]/%63[^/]/config", component, id, object);

		M_ASSERT(w, fields == 3, "%s is not <prefix>/<component>/<chair id>/<object id>/config", topic);
		M_ASSERT(w, strcmp(id, c->id) == 0, "%s: chair id %s, expected %s", topic, id, c->id);
		M_ASSERT(w, configs[i].retained, "%s is not retained", topic);
		raw = json_tokener_parse(configs[i].payload);
		M_ASSERT(w, raw && json_object_is_type(raw, json_type_object), "%s is not a JSON object: %.300s", topic,
			 configs[i].payload);
		o = ha_normalize(raw);
		json_object_put(raw);
		want = component_of(d, object);
		M_ASSERT(w, want, "%s: object id %s is none of docs/mqtt.md's%s", topic, object,
			 d->control_off ? " with [Control] Enabled=no" : "");
		M_ASSERT(w, strcmp(want, component) == 0, "%s: %s is a %s, expected a %s", topic, object, component,
			 want);
		problem = ha_component_problem(component, o);
		M_ASSERT(w, !problem, "%s: %s\n%s", topic, problem, json_object_get_string(o));
		d->object = object;
		check_common(d, o, object);
		M_ASSERT(w, ha_for_each_topic(o, check_topic, d), "%s: a topic that is not a string", topic);
		check_units(d, o, object, component);
		check_values(d, o, object);
		for (size_t k = 0; k < n_ours; k++)
			M_ASSERT(w, strcmp(seen[k], object) != 0, "%s announced twice (unique_id not unique)", object);
		M_ASSERT(w, n_ours < 128, "too many configs");
		(void)snprintf(seen[n_ours++], sizeof(seen[0]), "%s", object);
		json_object_put(o);
	}
	/* every entity of the issue */
	for (size_t i = 0; i < N_ENTITIES; i++) {
		bool found = false;

		if (!entities[i][column])
			continue;
		n_want++;
		for (size_t k = 0; k < n_ours; k++)
			found |= strcmp(seen[k], entities[i][0]) == 0;
		M_ASSERT(w, found, "no %s %s announced", entities[i][column], entities[i][0]);
	}
	for (size_t i = 0; i < N_PAD_ENTITIES; i++)
		n_want += pad_entities[i][column] ? MQTT_ZONES : 0;
	M_ASSERT(w, n_ours == n_want, "%zu entities announced, expected %zu (every pad's too)", n_ours, n_want);
	mqtt_msgs_free(configs, n_configs);
	mqtt_msgs_free(d->state, d->n_state);
	d->state = NULL;
	d->n_state = 0;
}

START_TEST(test_discovery_schema)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	struct discovery d = { .chair = c };

	read_command_topics(&d);
	check_configs(&d);
	mqtt_stop(&w);
}
END_TEST

/* [Control] Enabled=no: only read-only entities (the settings as sensors, each pad's
 * temperatures as sensors instead of a climate, no button), each to its schema; the
 * controls a bridge with control on announced before are removed, and come back (the
 * read-only ones removed) when control is on again. */
START_TEST(test_discovery_control_off)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	struct discovery d = { .chair = c };

	read_command_topics(&d);
	mqtt_pump(&w, 300);
	mqtt_bridge_stop(c);
	mqtt_bridge_write_config(c, NULL, "[Control]\nEnabled=no\n");
	mqtt_bridge_start(c);
	d.control_off = true;
	check_configs(&d);

	mqtt_bridge_stop(c);
	mqtt_bridge_write_config(c, NULL, NULL);
	mqtt_bridge_start(c);
	d.control_off = false;
	check_configs(&d);
	mqtt_stop(&w);
}
END_TEST

/* Discovery=no: no config at all, the state still published. */
START_TEST(test_discovery_off)
{
	struct mqtt_world w;
	struct mqtt_chair *c;
	struct mqtt_msg *configs;
	size_t n;

	mqtt_world_init(&w);
	c = mqtt_chair_add(&w, "quiet-chair", NULL);
	mqtt_broker_start(&w, false);
	harness_start_daemon(&c->h, SCALE);
	mqtt_client_open(&w, &w.client, "massaged-test-client", "#");
	mqtt_bridge_write_config(c, NULL, "[HomeAssistant]\nDiscovery=no\n");
	mqtt_bridge_start(c);
	mqtt_pump(&w, 300);
	configs = mqtt_retained_all(&w, "homeassistant/#", &n);
	M_ASSERT(&w, n == 0, "Discovery=no, yet %zu configs, the first %s", n, configs[0].topic);
	mqtt_msgs_free(configs, n);
	M_ASSERT(&w, mqtt_retained(&w, "massaged/quiet-chair/state"), "no state without discovery");
	mqtt_stop(&w);
}
END_TEST

/* A program added and massaged reloaded (systemctl reload massaged): Home Assistant's
 * program select offers it (docs/mqtt.md: the configs are published again when the
 * programs change), and its title starts it. */
START_TEST(test_program_added)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *topic = "homeassistant/select/test-chair/program/config";
	size_t mark = mqtt_mark(&w);
	uint64_t deadline;

	harness_write_program(
		&c->h, "test-added",
		"[Program]\nTitle=Test added\nDescription=Added while running\n\n[Step]\nTechnique=knead\n"
		"Zone=neck\nDuration=60\nSpeed=3\nWidth=wide\n");
	(void)kill(c->h.daemon_pid, SIGHUP);
	M_ASSERT(&w, harness_wait_log(&c->h, "Reloaded the configuration and 12 programs", 5000),
		 "massaged did not reload");
	M_ASSERT(&w, strstr(H_PROGRAM_IDS(&c->h), "test-added"), "the new program is not in ListPrograms");
	deadline = harness_now_usec() + MQTT_TIMEOUT_MS * 1000ULL;
	for (;;) {
		const char *v = mqtt_last(&w, topic);

		if (mqtt_seen_since(&w, mark, topic) && v && strstr(v, "\"Test added\""))
			break;
		M_ASSERT(&w, harness_now_usec() < deadline, "the program select does not offer the new program: %.400s",
			 v ? v : "(none)");
		mqtt_pump(&w, 50);
	}
	M_COMMAND(c, "program/set", "Test added", "program", "test-added");
	mqtt_stop(&w);
}
END_TEST

/* The pads' ceiling lowered by a reload: the climates' max_temp follows. A pad removed
 * (massaged restarted without it): its entities and topics are cleared (empty retained
 * messages), so Home Assistant drops them. */
START_TEST(test_pads_change)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *neck = "homeassistant/climate/test-chair/pad_neck/config";
	const char *v;
	uint64_t deadline;

	harness_write_config(&c->h, "[Heat]\nMaxTarget=42\n");
	(void)kill(c->h.daemon_pid, SIGHUP);
	M_ASSERT(&w, harness_wait_log(&c->h, "Reloaded the configuration", 5000), "massaged did not reload");
	deadline = harness_now_usec() + MQTT_TIMEOUT_MS * 1000ULL;
	for (;;) {
		json_object *o = json_tokener_parse(mqtt_last(&w, neck) ?: "");
		double max = 0;
		bool ok = o && ha_get_number(o, "max_temp", &max) && max == 42;

		json_object_put(o);
		if (ok)
			break;
		M_ASSERT(&w, harness_now_usec() < deadline, "max_temp not 42 after the reload: %.300s",
			 mqtt_last(&w, neck) ?: "(none)");
		mqtt_pump(&w, 50);
	}

	harness_stop_daemon_at(&c->h, __FILE__, __LINE__);
	harness_write_config(&c->h, "[Heat]\nPads=neck shoulders\n");
	harness_start_daemon(&c->h, SCALE);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "online", MQTT_TIMEOUT_MS);
	mqtt_pump(&w, 800);
	v = mqtt_retained(&w, "homeassistant/climate/test-chair/pad_lower_back/config");
	M_ASSERT(&w, !v, "the removed pad's climate is still announced: %.200s", v);
	v = mqtt_retained(&w, "homeassistant/sensor/test-chair/pad_lower_back_dose/config");
	M_ASSERT(&w, !v, "the removed pad's dose sensor is still announced: %.200s", v);
	v = mqtt_retained(&w, mqtt_topic(c, "pad/lower-back/mode"));
	M_ASSERT(&w, !v, "the removed pad's mode is still retained: %s", v);
	v = mqtt_retained(&w, neck);
	M_ASSERT(&w, v && v[0] == '{', "the neck pad lost its climate");
	mqtt_stop(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt-discovery");

	CHECK_ADD_TEST(s, test_discovery_schema, 60);
	CHECK_ADD_TEST(s, test_discovery_control_off, 60);
	CHECK_ADD_TEST(s, test_discovery_off, 60);
	CHECK_ADD_TEST(s, test_program_added, 60);
	CHECK_ADD_TEST(s, test_pads_change, 60);
	return check_run_tap(s);
}
