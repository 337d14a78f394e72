/* SPDX-License-Identifier: MIT */
/* The bridge's topic names: every chair's topics are under <[Topics] Prefix>/<[Chair] Id>. */
#pragma once

#include <stddef.h>

#include "bridge.h"

/* "<prefix>/<id>/<suffix>" into buf; -ENAMETOOLONG when it does not fit. */
int topic_build(char *buf, size_t size, const struct mqtt_config *cfg, const char *suffix);
/* The suffix of topic under this chair's base ("intensity/set"), or NULL when topic is
 * not under it. */
const char *topic_suffix(const char *topic, const struct mqtt_config *cfg);
