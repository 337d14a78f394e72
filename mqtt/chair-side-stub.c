/* SPDX-License-Identifier: MIT */
/* TEMPORARY: a chair side that only subscribes to B/# and logs what arrives, so the
 * broker link and main.c can be built and tried before the real chair side (branch
 * i19-chair) is merged. Dropped at that merge. */
#include <errno.h>
#include <stdlib.h>

#include "bridge.h"
#include "log.h"
#include "topics.h"

struct chair_side {
	struct broker *broker;
	const struct mqtt_config *cfg;
};

int chair_side_new(struct chair_side **ret, sd_event *e, sd_bus *bus, struct broker *broker,
		   const struct mqtt_config *cfg)
{
	struct chair_side *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->broker = broker;
	c->cfg = cfg;
	*ret = c;
	return 0;
}

struct chair_side *chair_side_free(struct chair_side *c)
{
	free(c);
	return NULL;
}

void chair_side_on_connected(struct chair_side *c)
{
	char pattern[256];

	if (topic_build(pattern, sizeof(pattern), c->cfg, "#") == 0)
		(void)broker_subscribe(c->broker, pattern);
}

void chair_side_on_message(struct chair_side *c, const char *topic, const void *payload, size_t len, bool retained)
{
	log_info("stub: %s%s: %.*s", topic, retained ? " (retained)" : "", (int)len, (const char *)payload);
}
