/* SPDX-License-Identifier: MIT */
/* The retained topics: each keeps the value it should have and the one the broker has.
 * A new value goes out at once when the topic's last publish is 250 ms old, else when
 * its timer ends (at most 4 a second per topic, the last value always); a value the
 * broker has already is not sent again. After a reconnection every topic is sent.
 * Below, the state topics of docs/mqtt.md from the model. */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chair-side.h"
#include "log.h"
#include "macro.h"
#include "topics.h"

#define PUBLISH_INTERVAL_USEC (250 * USEC_PER_MSEC)

struct retained_topic {
	char *topic;
	char *value; /* what it should read */
	char *sent;  /* what the broker was last given; NULL: nothing yet, or lost */
	uint64_t sent_usec;
	sd_event_source *timer;
	struct publisher *owner;
};

struct publisher {
	sd_event *event;
	struct broker *broker;
	struct retained_topic **topics; /* in the order first set */
	size_t n;
};

static uint64_t now_usec(struct publisher *p)
{
	uint64_t t = 0;

	(void)sd_event_now(p->event, CLOCK_MONOTONIC, &t);
	return t;
}

static void topic_send(struct retained_topic *t)
{
	struct publisher *p = t->owner;
	char *copy;
	int r;

	t->timer = sd_event_source_disable_unref(t->timer);
	if (t->sent && strcmp(t->sent, t->value) == 0)
		return;
	r = broker_publish(p->broker, t->topic, t->value, true);
	if (r < 0) {
		/* not connected: the reconnection sends everything */
		free(t->sent);
		t->sent = NULL;
		return;
	}
	copy = strdup(t->value);
	free(t->sent);
	t->sent = copy;
	t->sent_usec = now_usec(p);
}

static int on_topic_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	topic_send(userdata);
	return 0;
}

static struct retained_topic *topic_find_or_add(struct publisher *p, const char *topic)
{
	struct retained_topic **topics, *t;

	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->topics[i]->topic, topic) == 0)
			return p->topics[i];
	/* each topic apart: its timer holds a pointer to it */
	topics = realloc(p->topics, (p->n + 1) * sizeof(*topics));
	if (!topics)
		return NULL;
	p->topics = topics;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	*t = (struct retained_topic) { .topic = strdup(topic), .owner = p };
	if (!t->topic) {
		free(t);
		return NULL;
	}
	p->topics[p->n++] = t;
	return t;
}

int publisher_set(struct publisher *p, const char *topic, const char *payload)
{
	struct retained_topic *t = topic_find_or_add(p, topic);
	uint64_t now = now_usec(p), due;
	char *copy;
	int r;

	if (!t)
		return log_errno(-ENOMEM, "Cannot keep topic %s", topic);
	if (t->value && strcmp(t->value, payload) == 0)
		return 0;
	copy = strdup(payload);
	if (!copy)
		return log_errno(-ENOMEM, "Cannot keep topic %s", topic);
	free(t->value);
	t->value = copy;
	if (t->timer)
		return 0; /* it sends the newest value when it ends */
	due = t->sent_usec + PUBLISH_INTERVAL_USEC;
	if (!t->sent || now >= due) {
		topic_send(t);
		return 0;
	}
	/* accuracy 1 ms: with 0, sd-event's default of 250 ms let it fire up to 250 ms late */
	r = sd_event_add_time(p->event, &t->timer, CLOCK_MONOTONIC, due, USEC_PER_MSEC, on_topic_timer, t);
	if (r < 0) {
		topic_send(t); /* rather too soon than never */
		return 0;
	}
	(void)sd_event_source_set_description(t->timer, "publish");
	return 0;
}

void publisher_clear_prefix(struct publisher *p, const char *prefix)
{
	size_t len = strlen(prefix);

	for (size_t i = 0; i < p->n; i++)
		if (strncmp(p->topics[i]->topic, prefix, len) == 0)
			(void)publisher_set(p, p->topics[i]->topic, "");
}

void publisher_republish(struct publisher *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct retained_topic *t = p->topics[i];

		free(t->sent);
		t->sent = NULL;
		if (t->value)
			topic_send(t);
	}
}

int publisher_new(struct publisher **ret, sd_event *e, struct broker *b)
{
	struct publisher *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->event = e;
	p->broker = b;
	*ret = p;
	return 0;
}

struct publisher *publisher_free(struct publisher *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		sd_event_source_disable_unref(p->topics[i]->timer);
		free(p->topics[i]->topic);
		free(p->topics[i]->value);
		free(p->topics[i]->sent);
		free(p->topics[i]);
	}
	free(p->topics);
	free(p);
	return NULL;
}

/* ---- the state topics ---- */

static void set_topic(struct chair_side *c, const char *suffix, const char *payload)
{
	char topic[TOPIC_MAX];

	if (topic_build(topic, sizeof(topic), c->cfg, suffix) < 0) {
		log_warning("Topic for %s too long", suffix);
		return;
	}
	(void)publisher_set(c->publisher, topic, payload);
}

static void set_topicf(struct chair_side *c, const char *suffix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_topicf(struct chair_side *c, const char *suffix, const char *fmt, ...)
{
	char payload[64];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(payload, sizeof(payload), fmt, ap);
	va_end(ap);
	set_topic(c, suffix, payload);
}

/* "None" for Home Assistant's unknown */
static const char *or_none(const char *s)
{
	return s && *s ? s : "None";
}

static const char *on_off(bool on)
{
	return on ? "ON" : "OFF";
}

static void publish_faults(struct chair_side *c, char **faults)
{
	struct json_object *o = json_object_new_object(), *codes = json_object_new_array();

	for (size_t i = 0; faults && faults[i] && codes; i++)
		(void)json_object_array_add(codes, json_object_new_string(faults[i]));
	if (o && codes && json_object_object_add(o, "codes", codes) == 0)
		set_topic(c, "faults",
			  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		json_object_put(codes);
	json_object_put(o);
}

static void publish_profiles(struct chair_side *c, char **profiles)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; profiles && profiles[i] && a; i++)
		(void)json_object_array_add(a, json_object_new_string(profiles[i]));
	if (a)
		set_topic(c, "profiles",
			  json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
}

static void publish_chair(struct chair_side *c)
{
	const struct chair_model *m = &c->model;
	const struct program *program = m->program && *m->program ? chair_model_find_program(m, m->program) : NULL;

	set_topic(c, "state", or_none(m->state));
	set_topic(c, "program", or_none(m->program));
	/* a program not in the library (manual, focus-neck) by its id */
	set_topic(c, "program/title", program ? program->title : or_none(m->program));
	if (m->step_count > 0)
		set_topicf(c, "step", "%u/%u", m->step, m->step_count);
	else
		set_topic(c, "step", "None");
	set_topic(c, "technique", or_none(m->technique));
	set_topic(c, "zone", or_none(m->zone));
	set_topicf(c, "remaining", "%u", m->remaining);
	set_topicf(c, "force", "%.1f", m->force);
	set_topicf(c, "intensity", "%u", m->intensity);
	set_topicf(c, "speed", "%u", m->speed);
	set_topic(c, "width", or_none(m->width));
	set_topicf(c, "timer", "%u", m->session_limit / 60);
	set_topic(c, "seated", on_off(m->seated));
	set_topic(c, "fault", on_off(m->faults && m->faults[0]));
	publish_faults(c, m->faults);
	set_topic(c, "profile", or_none(m->profile));
	publish_profiles(c, m->profiles);
	set_topic(c, "gentle", on_off(m->gentle));
	if (m->roller_run_seconds != UINT64_MAX)
		set_topicf(c, "roller-hours", "%.2f", (double)m->roller_run_seconds / 3600.0);
}

static const char *pad_action(const char *state)
{
	if (strcmp(state, "heating") == 0 || strcmp(state, "autotune") == 0)
		return "heating";
	if (strcmp(state, "holding") == 0)
		return "idle";
	return "off";
}

static void publish_pad(struct chair_side *c, const struct pad *p)
{
	char suffix[TOPIC_MAX];
	double watts = c->cfg->pad_watts;

#define PAD_TOPIC(name) ((void)snprintf(suffix, sizeof(suffix), "pad/%s/" name, p->zone), suffix)
	set_topicf(c, PAD_TOPIC("temperature"), "%.1f", p->temperature);
	set_topicf(c, PAD_TOPIC("target"), "%.1f", pad_climate_target(p));
	set_topic(c, PAD_TOPIC("mode"), p->target > 0 ? "heat" : "off");
	set_topic(c, PAD_TOPIC("action"), pad_action(p->state));
	set_topicf(c, PAD_TOPIC("power"), "%.0f", watts > 0 ? p->power * watts : p->power * 100.0);
	set_topic(c, PAD_TOPIC("lockout"), on_off(p->lockout[0] != '\0'));
	if (!isnan(p->dose))
		set_topicf(c, PAD_TOPIC("dose"), "%.1f", p->dose);
	if (p->heating_seconds != UINT64_MAX)
		set_topicf(c, PAD_TOPIC("heating-hours"), "%.2f", (double)p->heating_seconds / 3600.0);
	if (p->relay_switches != UINT64_MAX)
		set_topicf(c, PAD_TOPIC("relay-switches"), "%llu", (unsigned long long)p->relay_switches);
#undef PAD_TOPIC
}

void publish_chair_state(struct chair_side *c, unsigned changes)
{
	const struct chair_model *m = &c->model;

	if ((changes & CHANGE_DAEMON) && m->daemon_online >= 0)
		set_topic(c, "daemon", m->daemon_online ? "online" : "offline");
	if ((changes & (CHANGE_CHAIR | CHANGE_PROGRAMS)) && m->chair_known)
		publish_chair(c);
	if (changes & (CHANGE_PAD | CHANGE_PADS))
		for (size_t i = 0; i < m->n_pads; i++)
			publish_pad(c, &m->pads[i]);
}
