/* SPDX-License-Identifier: MIT */
#pragma once

/* Home Assistant's MQTT discovery schema, as far as its documentation states it
 * (https://www.home-assistant.io/integrations/mqtt/ and each component's page): the
 * abbreviations expanded, '~' substituted, and each component's required keys. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* A new object with every abbreviated key written out in full (device and origin
 * included) and '~' replaced in every *_topic / topic value. NULL when config is not a
 * JSON object. */
json_object *ha_normalize(json_object *config);

/* NULL when the (normalized) config has what its component requires, else a sentence
 * saying what is missing or wrong (static buffer). */
const char *ha_component_problem(const char *component, json_object *config);

/* The component's topic keys: calls fn for every key ending in "topic" (the ones in
 * availability included) with its value and whether it is a command topic. Returns
 * false when a topic value is not a string. */
typedef void (*ha_topic_fn)(void *userdata, const char *key, const char *topic, bool command);
bool ha_for_each_topic(json_object *config, ha_topic_fn fn, void *userdata);

/* A value as a string (json-c's for the others), NULL when missing. */
const char *ha_get_string(json_object *o, const char *key);
/* A number (integer or double) into *v; false when missing or not a number. */
bool ha_get_number(json_object *o, const char *key, double *v);
