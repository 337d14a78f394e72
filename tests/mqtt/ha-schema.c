/* SPDX-License-Identifier: MIT */
/* Home Assistant's MQTT discovery schema for the components the bridge announces, from
 * its documentation: abbreviations, the base topic '~', required keys, device and
 * state classes with their units. */
#include <stdio.h>
#include <string.h>

#include "ha-schema.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The abbreviations of the keys the components here use (mqtt/abbreviations.py). */
static const char *const abbreviations[][2] = {
	{ "act_t", "action_topic" },
	{ "avty", "availability" },
	{ "avty_mode", "availability_mode" },
	{ "avty_t", "availability_topic" },
	{ "cmd_t", "command_topic" },
	{ "cmd_tpl", "command_template" },
	{ "curr_temp_t", "current_temperature_topic" },
	{ "dev", "device" },
	{ "dev_cla", "device_class" },
	{ "ent_cat", "entity_category" },
	{ "ic", "icon" },
	{ "json_attr_t", "json_attributes_topic" },
	{ "max_temp", "max_temp" },
	{ "min_temp", "min_temp" },
	{ "mode_cmd_t", "mode_command_topic" },
	{ "mode_stat_t", "mode_state_topic" },
	{ "modes", "modes" },
	{ "o", "origin" },
	{ "obj_id", "object_id" },
	{ "ops", "options" },
	{ "pl_avail", "payload_available" },
	{ "pl_not_avail", "payload_not_available" },
	{ "pl_off", "payload_off" },
	{ "pl_on", "payload_on" },
	{ "pl_prs", "payload_press" },
	{ "precision", "precision" },
	{ "stat_cla", "state_class" },
	{ "stat_off", "state_off" },
	{ "stat_on", "state_on" },
	{ "stat_t", "state_topic" },
	{ "temp_cmd_t", "temperature_command_topic" },
	{ "temp_stat_t", "temperature_state_topic" },
	{ "temp_step", "temp_step" },
	{ "temp_unit", "temperature_unit" },
	{ "uniq_id", "unique_id" },
	{ "unit_of_meas", "unit_of_measurement" },
	{ "val_tpl", "value_template" },
};
static const char *const device_abbreviations[][2] = {
	{ "cu", "configuration_url" }, { "ids", "identifiers" }, { "mf", "manufacturer" },   { "mdl", "model" },
	{ "sw", "sw_version" },        { "hw", "hw_version" },   { "sa", "suggested_area" }, { "cns", "connections" },
};
static const char *const origin_abbreviations[][2] = {
	{ "sw", "sw_version" },
	{ "url", "support_url" },
};

static const char *expand(const char *key, const char *const table[][2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, table[i][0]) == 0)
			return table[i][1];
	return key;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* '~' at the start or end of a topic is the base topic. */
static json_object *with_base(json_object *v, const char *base)
{
	const char *s;
	char buf[1024];

	if (!base || !json_object_is_type(v, json_type_string))
		return json_object_get(v);
	s = json_object_get_string(v);
	if (s[0] == '~')
		(void)snprintf(buf, sizeof(buf), "%s%s", base, s + 1);
	else if (s[0] && s[strlen(s) - 1] == '~')
		(void)snprintf(buf, sizeof(buf), "%.*s%s", (int)strlen(s) - 1, s, base);
	else
		return json_object_get(v);
	return json_object_new_string(buf);
}

static json_object *copy_table(json_object *o, const char *const table[][2], size_t n)
{
	json_object *out = json_object_new_object();

	json_object_object_foreach(o, key, value)
		json_object_object_add(out, expand(key, table, n), json_object_get(value));
	return out;
}

json_object *ha_normalize(json_object *config)
{
	const char *base = NULL;
	json_object *out, *v;

	if (!config || !json_object_is_type(config, json_type_object))
		return NULL;
	if (json_object_object_get_ex(config, "~", &v) && json_object_is_type(v, json_type_string))
		base = json_object_get_string(v);
	out = json_object_new_object();
	json_object_object_foreach(config, key, value)
	{
		const char *full = expand(key, abbreviations, N(abbreviations));

		if (strcmp(key, "~") == 0)
			continue;
		if (strcmp(full, "device") == 0 && json_object_is_type(value, json_type_object))
			json_object_object_add(out, full,
					       copy_table(value, device_abbreviations, N(device_abbreviations)));
		else if (strcmp(full, "origin") == 0 && json_object_is_type(value, json_type_object))
			json_object_object_add(out, full,
					       copy_table(value, origin_abbreviations, N(origin_abbreviations)));
		else if (strcmp(full, "availability") == 0 && json_object_is_type(value, json_type_array)) {
			json_object *list = json_object_new_array();

			for (size_t i = 0; i < json_object_array_length(value); i++) {
				json_object *e = json_object_array_get_idx(value, i), *x = json_object_new_object();

				if (!json_object_is_type(e, json_type_object)) {
					json_object_put(x);
					json_object_array_add(list, json_object_get(e));
					continue;
				}
				json_object_object_foreach(e, k, ev)
				{
					const char *fk = strcmp(k, "t") == 0
								 ? "topic"
								 : expand(k, abbreviations, N(abbreviations));

					json_object_object_add(x, fk,
							       strcmp(fk, "topic") == 0 ? with_base(ev, base)
											: json_object_get(ev));
				}
				json_object_array_add(list, x);
			}
			json_object_object_add(out, full, list);
		} else if (ends_with(full, "_topic"))
			json_object_object_add(out, full, with_base(value, base));
		else
			json_object_object_add(out, full, json_object_get(value));
	}
	return out;
}

const char *ha_get_string(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

bool ha_get_number(json_object *o, const char *key, double *v)
{
	json_object *x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !(json_object_is_type(x, json_type_int) || json_object_is_type(x, json_type_double)))
		return false;
	*v = json_object_get_double(x);
	return true;
}

static char problem[512];

#define PROBLEM(...) (snprintf(problem, sizeof(problem), __VA_ARGS__), problem)

static const char *require_strings(json_object *o, const char *const keys[], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_object *v;

		if (!json_object_object_get_ex(o, keys[i], &v) || !json_object_is_type(v, json_type_string) ||
		    !json_object_get_string(v)[0])
			return PROBLEM("no %s (a string, required)", keys[i]);
	}
	return NULL;
}

static bool in_list(const char *s, const char *const list[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Device classes of the sensor component that take a unit, with the units HA accepts. */
static const char *const sensor_class_units[][6] = {
	{ "duration", "d", "h", "min", "s", "ms" },
	{ "power", "W", "kW", NULL },
	{ "temperature", "°C", "°F", "K", NULL },
	{ "energy", "Wh", "kWh", "MWh", NULL },
};
static const char *const sensor_classes_other[] = { "enum", "timestamp", "date" };
static const char *const binary_sensor_classes[] = {
	"battery",
	"battery_charging",
	"carbon_monoxide",
	"cold",
	"connectivity",
	"door",
	"garage_door",
	"gas",
	"heat",
	"light",
	"lock",
	"moisture",
	"motion",
	"moving",
	"occupancy",
	"opening",
	"plug",
	"power",
	"presence",
	"problem",
	"running",
	"safety",
	"smoke",
	"sound",
	"tamper",
	"update",
	"vibration",
	"window",
};
static const char *const state_classes[] = { "measurement", "total", "total_increasing" };

static const char *sensor_problem(json_object *o)
{
	const char *cls = ha_get_string(o, "device_class"), *unit = ha_get_string(o, "unit_of_measurement");
	const char *state_class = ha_get_string(o, "state_class");

	if (state_class && !in_list(state_class, state_classes, N(state_classes)))
		return PROBLEM("state_class \"%s\" is none of HA's", state_class);
	if (!cls)
		return NULL;
	for (size_t i = 0; i < N(sensor_class_units); i++) {
		if (strcmp(cls, sensor_class_units[i][0]) != 0)
			continue;
		for (size_t k = 1; k < 6 && sensor_class_units[i][k]; k++)
			if (unit && strcmp(unit, sensor_class_units[i][k]) == 0)
				return NULL;
		return PROBLEM("device_class %s needs a unit HA knows for it, not \"%s\"", cls, unit ? unit : "(none)");
	}
	if (in_list(cls, sensor_classes_other, N(sensor_classes_other))) {
		if (strcmp(cls, "enum") == 0 && (unit || state_class))
			return PROBLEM("device_class enum takes neither unit nor state_class");
		return NULL;
	}
	return PROBLEM("sensor device_class \"%s\" unexpected here", cls);
}

static const char *number_problem(json_object *o)
{
	double min, max, step;

	if (!ha_get_number(o, "min", &min) || !ha_get_number(o, "max", &max))
		return PROBLEM("a number needs min and max (numbers)");
	if (min >= max)
		return PROBLEM("min %g is not below max %g", min, max);
	if (ha_get_number(o, "step", &step) && step <= 0)
		return PROBLEM("step %g is not positive", step);
	return NULL;
}

static const char *select_problem(json_object *o)
{
	json_object *ops;

	if (!json_object_object_get_ex(o, "options", &ops) || !json_object_is_type(ops, json_type_array))
		return PROBLEM("a select needs options (a list)");
	for (size_t i = 0; i < json_object_array_length(ops); i++)
		if (!json_object_is_type(json_object_array_get_idx(ops, i), json_type_string))
			return PROBLEM("option %zu is not a string", i);
	return NULL;
}

static const char *climate_problem(json_object *o)
{
	static const char *const keys[] = {
		"mode_command_topic",      "mode_state_topic",          "temperature_command_topic",
		"temperature_state_topic", "current_temperature_topic", "action_topic",
	};
	const char *p = require_strings(o, keys, N(keys)), *unit = ha_get_string(o, "temperature_unit");
	json_object *modes;
	double min, max;

	if (p)
		return p;
	if (!json_object_object_get_ex(o, "modes", &modes) || !json_object_is_type(modes, json_type_array))
		return PROBLEM("a climate needs modes (a list)");
	for (size_t i = 0; i < json_object_array_length(modes); i++) {
		static const char *const valid[] = { "auto", "off", "cool", "heat", "dry", "fan_only" };
		const char *m = json_object_get_string(json_object_array_get_idx(modes, i));

		if (!m || !in_list(m, valid, N(valid)))
			return PROBLEM("mode \"%s\" is none of HA's", m ? m : "(null)");
	}
	if (!ha_get_number(o, "min_temp", &min) || !ha_get_number(o, "max_temp", &max) || min >= max)
		return PROBLEM("a pad's climate needs min_temp below max_temp");
	if (unit && strcmp(unit, "C") != 0)
		return PROBLEM("temperature_unit \"%s\": the pads are in C", unit);
	return NULL;
}

const char *ha_component_problem(const char *component, json_object *o)
{
	static const char *const command[] = { "command_topic" };
	static const char *const state[] = { "state_topic" };
	static const char *const both[] = { "command_topic", "state_topic" };

	if (strcmp(component, "select") == 0)
		return require_strings(o, command, 1) ?: select_problem(o);
	if (strcmp(component, "button") == 0)
		return require_strings(o, command, 1);
	if (strcmp(component, "number") == 0)
		return require_strings(o, command, 1) ?: number_problem(o);
	if (strcmp(component, "switch") == 0)
		return require_strings(o, both, 2);
	if (strcmp(component, "climate") == 0)
		return climate_problem(o);
	if (strcmp(component, "sensor") == 0)
		return require_strings(o, state, 1) ?: sensor_problem(o);
	if (strcmp(component, "binary_sensor") == 0) {
		const char *cls = ha_get_string(o, "device_class");

		if (cls && !in_list(cls, binary_sensor_classes, N(binary_sensor_classes)))
			return PROBLEM("binary_sensor device_class \"%s\" is none of HA's", cls);
		return require_strings(o, state, 1);
	}
	return PROBLEM("component %s is not one the bridge should announce", component);
}

bool ha_for_each_topic(json_object *config, ha_topic_fn fn, void *userdata)
{
	json_object *avty;

	json_object_object_foreach(config, key, value)
	{
		if (!ends_with(key, "topic"))
			continue;
		if (!json_object_is_type(value, json_type_string))
			return false;
		fn(userdata, key, json_object_get_string(value), ends_with(key, "command_topic"));
	}
	if (json_object_object_get_ex(config, "availability", &avty) && json_object_is_type(avty, json_type_array))
		for (size_t i = 0; i < json_object_array_length(avty); i++) {
			json_object *t;

			if (!json_object_object_get_ex(json_object_array_get_idx(avty, i), "topic", &t) ||
			    !json_object_is_type(t, json_type_string))
				return false;
			fn(userdata, "availability.topic", json_object_get_string(t), false);
		}
	return true;
}
