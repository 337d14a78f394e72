/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topics.h"

int topic_build(char *buf, size_t size, const struct mqtt_config *cfg, const char *suffix)
{
	int n = snprintf(buf, size, "%s/%s/%s", cfg->topic_prefix, cfg->chair_id, suffix);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

const char *topic_suffix(const char *topic, const struct mqtt_config *cfg)
{
	size_t lp = strlen(cfg->topic_prefix), li = strlen(cfg->chair_id);

	if (strncmp(topic, cfg->topic_prefix, lp) != 0 || topic[lp] != '/')
		return NULL;
	topic += lp + 1;
	if (strncmp(topic, cfg->chair_id, li) != 0 || topic[li] != '/')
		return NULL;
	return topic + li + 1;
}
