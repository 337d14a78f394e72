/* SPDX-License-Identifier: MIT */
/* mqtt-config.c's helpers beyond bridge.h, for its unit test. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The longest line of mqtt.conf, its newline not counted (inih's own line buffer). */
#define MQTT_CONFIG_LINE_MAX 198

/* yes/no/true/false/1/0, any case; -EINVAL otherwise. */
int mqtt_config_parse_bool(const char *s, bool *ret);
/* [a-z0-9_-]{1,32} */
bool mqtt_config_chair_id_valid(const char *s);
/* MQTT topic levels: 1..64 characters, no '+' or '#', not starting with '$' or '/', no empty level. */
bool mqtt_config_prefix_valid(const char *s);
/* This machine's host name made into a chair id. */
int mqtt_config_default_chair_id(char *buf, size_t size);
/* localhost, 127.0.0.0/8, ::1 (and ::ffff:127.x.y.z), literally: nothing is resolved. */
bool mqtt_config_host_is_loopback(const char *host);
