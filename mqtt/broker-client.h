/* SPDX-License-Identifier: MIT */
/* Between broker.c (the link, driven by sd-event) and broker-client.c (the client it drives). */
#pragma once

#include <mosquitto.h>

#include "bridge.h"

/* A libmosquitto client for cfg, with will_topic's retained "offline" as its last will
 * and userdata for its callbacks; errors logged (a password file that cannot be read,
 * TLS files libmosquitto refuses) and returned as a negative errno. */
int broker_client_new(struct mosquitto **ret, const struct mqtt_config *cfg, const char *will_topic, void *userdata);
