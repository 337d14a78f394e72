/* SPDX-License-Identifier: MIT */
/* The chair side of the bridge: massaged watched on D-Bus (chair-watch.c), its state
 * published retained (publisher.c), Home Assistant's discovery (discovery.c), the
 * command topics (commands.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chair-side.h"
#include "log.h"

void chair_side_changed(struct chair_side *c, unsigned changes)
{
	struct chair_model *m = &c->model;

	/* the climate's target while off: the pad's last own one */
	if (changes & (CHANGE_PAD | CHANGE_PADS))
		for (size_t i = 0; i < m->n_pads; i++)
			if (m->pads[i].target > 0)
				m->pads[i].remembered_target = m->pads[i].target;
	/* the configs list programs, profiles and pads: before the state they show */
	if (changes & (CHANGE_CHAIR | CHANGE_PADS | CHANGE_PAD | CHANGE_PROGRAMS))
		discovery_publish(c->discovery, c);
	publish_chair_state(c, changes);
}

int chair_side_new(struct chair_side **ret, sd_event *e, sd_bus *bus, struct broker *broker,
		   const struct mqtt_config *cfg)
{
	struct chair_side *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return log_errno(-ENOMEM, "Out of memory");
	c->event = e;
	c->bus = bus;
	c->broker = broker;
	c->cfg = cfg;
	r = publisher_new(&c->publisher, e, broker);
	if (r >= 0)
		r = discovery_new(&c->discovery);
	if (r >= 0)
		r = commands_new(&c->commands, c);
	if (r < 0) {
		chair_side_free(c);
		return log_errno(r, "Cannot set up the chair side: %s", strerror(-r));
	}
	/* the chair's own entities are there before massaged answers (unavailable till then) */
	discovery_publish(c->discovery, c);
	r = chair_watch_new(&c->watch, c);
	if (r < 0) {
		chair_side_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

struct chair_side *chair_side_free(struct chair_side *c)
{
	if (!c)
		return NULL;
	c->watch = chair_watch_free(c->watch);
	c->commands = commands_free(c->commands);
	c->discovery = discovery_free(c->discovery);
	c->publisher = publisher_free(c->publisher);
	chair_model_done(&c->model);
	free(c);
	return NULL;
}

void chair_side_on_connected(struct chair_side *c)
{
	commands_subscribe(c->commands);
	publisher_republish(c->publisher);
}

void chair_side_on_message(struct chair_side *c, const char *topic, const void *payload, size_t len, bool retained)
{
	commands_on_message(c->commands, topic, payload, len, retained);
}
