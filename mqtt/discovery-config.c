/* SPDX-License-Identifier: MIT */
/* One Home Assistant entity's discovery config: the JSON every entity has (all of a
 * chair's entities are one device, available while both the bridge and massaged are),
 * its own keys, and its retained topic <discovery prefix>/<component>/<chair id>/<object
 * id>/config, sent through the publisher (only when it differs from the last one). */
#include <errno.h>
#include <stdio.h>

#include "build-config.h"
#include "discovery-config.h"
#include "log.h"
#include "topics.h"

#define ORIGIN_URL "https://github.com/massaged/massaged"

void config_add_string(struct json_object *o, const char *key, const char *value)
{
	if (o && value)
		(void)json_object_object_add(o, key, json_object_new_string(value));
}

void config_add_double(struct json_object *o, const char *key, double value)
{
	char text[32];

	if (!o)
		return;
	/* 0.1, not json-c's 0.10000000000000001 */
	(void)snprintf(text, sizeof(text), "%g", value);
	(void)json_object_object_add(o, key, json_object_new_double_s(value, text));
}

void config_add_int(struct json_object *o, const char *key, int value)
{
	if (o)
		(void)json_object_object_add(o, key, json_object_new_int(value));
}

void config_add_topic(struct chair_side *c, struct json_object *o, const char *key, const char *suffix)
{
	char topic[TOPIC_MAX];

	if (topic_build(topic, sizeof(topic), c->cfg, suffix) >= 0)
		config_add_string(o, key, topic);
}

void config_add_strings(struct json_object *o, const char *key, const char *const *values, size_t n)
{
	struct json_object *a;

	if (!o)
		return;
	a = json_object_new_array();
	for (size_t i = 0; a && i < n; i++)
		(void)json_object_array_add(a, json_object_new_string(values[i]));
	(void)json_object_object_add(o, key, a);
}

static struct json_object *device_new(struct chair_side *c)
{
	struct json_object *d = json_object_new_object();
	char id[TOPIC_MAX];

	(void)snprintf(id, sizeof(id), "massaged_%s", c->cfg->chair_id);
	config_add_strings(d, "identifiers", (const char *const[]) { id }, 1);
	config_add_string(d, "name", c->cfg->chair_name);
	config_add_string(d, "model", "Heated massage chair");
	config_add_string(d, "manufacturer", "massaged");
	config_add_string(d, "sw_version", PACKAGE_VERSION);
	if (c->cfg->configuration_url && *c->cfg->configuration_url)
		config_add_string(d, "configuration_url", c->cfg->configuration_url);
	return d;
}

struct json_object *config_new(struct chair_side *c, const char *object_id, const char *name)
{
	struct json_object *o = json_object_new_object(), *availability = json_object_new_array(), *origin;
	char unique_id[TOPIC_MAX];

	if (!o) {
		json_object_put(availability);
		return NULL;
	}
	config_add_string(o, "name", name);
	(void)snprintf(unique_id, sizeof(unique_id), "massaged_%s_%s", c->cfg->chair_id, object_id);
	config_add_string(o, "unique_id", unique_id);
	for (size_t i = 0; i < 2 && availability; i++) {
		struct json_object *a = json_object_new_object();

		config_add_topic(c, a, "topic", i == 0 ? "bridge" : "daemon");
		(void)json_object_array_add(availability, a);
	}
	(void)json_object_object_add(o, "availability", availability);
	config_add_string(o, "availability_mode", "all");
	origin = json_object_new_object();
	config_add_string(origin, "name", "massaged-mqtt");
	config_add_string(origin, "sw", PACKAGE_VERSION);
	config_add_string(origin, "url", ORIGIN_URL);
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

static void config_set(struct chair_side *c, const char *component, const char *object_id, const char *payload)
{
	char topic[TOPIC_MAX];

	if (config_topic(c, topic, component, object_id) < 0)
		log_warning("The discovery topic of %s is too long", object_id);
	else
		(void)publisher_set(c->publisher, topic, payload);
}

void config_publish(struct chair_side *c, const char *component, const char *object_id, struct json_object *o)
{
	const char *text =
		o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;

	if (text)
		config_set(c, component, object_id, text);
	else
		log_warning("Cannot make the discovery config of %s: out of memory", object_id);
	json_object_put(o);
}

void config_remove(struct chair_side *c, const char *component, const char *object_id)
{
	config_set(c, component, object_id, "");
}
