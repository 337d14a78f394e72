/* SPDX-License-Identifier: MIT */
/* Between discovery.c (which entities Home Assistant is told of) and discovery-config.c
 * (one entity's config: its JSON and its retained topic). */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "chair-side.h"

/* What every entity has: name, unique_id, availability (B/bridge and B/daemon), origin,
 * device. NULL when out of memory (the config_add_* and config_publish take NULL). */
struct json_object *config_new(struct chair_side *c, const char *object_id, const char *name);
void config_add_string(struct json_object *o, const char *key, const char *value); /* value NULL: none */
void config_add_double(struct json_object *o, const char *key, double value);
void config_add_int(struct json_object *o, const char *key, int value);
void config_add_strings(struct json_object *o, const char *key, const char *const *values, size_t n);
/* B/<suffix> */
void config_add_topic(struct chair_side *c, struct json_object *o, const char *key, const char *suffix);
/* o at <discovery prefix>/<component>/<chair id>/<object id>/config, retained; o dropped. */
void config_publish(struct chair_side *c, const char *component, const char *object_id, struct json_object *o);
/* An empty retained config there: Home Assistant removes the entity. */
void config_remove(struct chair_side *c, const char *component, const char *object_id);
