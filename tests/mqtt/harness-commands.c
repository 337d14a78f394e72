/* SPDX-License-Identifier: MIT */
/* The mqtt suite's commands: publish on a command topic, then wait for the state topic
 * or for the error topic's answer, checked against docs/mqtt.md. */
#include <stdio.h>
#include <string.h>

#include "harness-mqtt.h"

static const char *json_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static bool name_in(const char *name, const char *alternatives)
{
	size_t n = strlen(name);

	for (const char *at = alternatives; at && *at;) {
		size_t len = strcspn(at, "|");

		if (len == n && strncmp(at, name, n) == 0)
			return true;
		at += len + (at[len] == '|');
	}
	return false;
}

static bool printable_ascii(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

const char *mqtt_expect_error_at(struct mqtt_chair *c, const char *file, int line, const char *suffix,
				 const void *payload, size_t len, const char *error_name)
{
	struct mqtt_world *w = c->world;
	const char *topic = mqtt_topic(c, suffix), *error_topic = mqtt_topic(c, "error");
	uint64_t deadline;
	size_t mark = mqtt_mark(w), i;

	mqtt_publish_at(w, file, line, topic, payload, len, false);
	deadline = harness_now_usec() + MQTT_TIMEOUT_MS * 1000ULL;
	for (i = mark;; i++) {
		json_object *o;
		const char *t, *name, *message, *echoed;
		char *b;

		while (i >= w->client.n_msgs) {
			if (harness_now_usec() > deadline)
				mqtt_fail(w, file, line, "no error on %s for %s (%zu bytes) within %d ms", error_topic,
					  topic, len, MQTT_TIMEOUT_MS);
			mqtt_pump(w, 20);
		}
		if (strcmp(w->client.msgs[i].topic, error_topic) != 0)
			continue;
		o = json_tokener_parse(w->client.msgs[i].payload);
		if (!o || !json_object_is_type(o, json_type_object))
			mqtt_fail(w, file, line, "%s is not a JSON object: %.300s", error_topic,
				  w->client.msgs[i].payload);
		t = json_str(o, "topic");
		if (!t || strcmp(t, topic) != 0) {
			json_object_put(o);
			continue; /* another command's */
		}
		name = json_str(o, "error");
		message = json_str(o, "message");
		echoed = json_str(o, "payload");
		if (!name || !name_in(name, error_name) || !message || !message[0]) {
			b = mqtt_ring(w);
			(void)snprintf(b, sizeof(w->ring[0]), "%s", w->client.msgs[i].payload);
			json_object_put(o);
			mqtt_fail(w, file, line, "the error for %s is %.600s, expected error %s with a message", topic,
				  b, error_name);
		}
		/* a payload a person can read comes back as it was sent (docs/mqtt.md: blanks
		 * around it trimmed; the cases here have none) */
		if (len <= 256 && printable_ascii(payload, len) &&
		    (!echoed || strlen(echoed) != len || memcmp(echoed, payload, len) != 0)) {
			json_object_put(o);
			mqtt_fail(w, file, line, "the error for %s does not give the payload \"%.*s\" back: %.300s",
				  topic, (int)len, (const char *)payload, w->client.msgs[i].payload);
		}
		b = mqtt_ring(w);
		(void)snprintf(b, sizeof(w->ring[0]), "%s", message);
		json_object_put(o);
		mqtt_bridge_assert_alive_at(c, file, line);
		return b;
	}
}

/* The error object (JSON text) is about topic. */
static bool error_names(const char *json, const char *topic)
{
	json_object *o = json_tokener_parse(json);
	const char *t = o ? json_str(o, "topic") : NULL;
	bool same = !t || strcmp(t, topic) == 0; /* an error that names no topic counts */

	json_object_put(o);
	return same;
}

void mqtt_command_at(struct mqtt_chair *c, const char *file, int line, const char *suffix, const char *payload,
		     const char *state, const char *want)
{
	struct mqtt_world *w = c->world;
	size_t mark = mqtt_mark(w);
	const char *error_topic = mqtt_topic(c, "error"), *state_topic = mqtt_topic(c, state);
	const char *topic = mqtt_topic(c, suffix);
	uint64_t deadline;

	mqtt_publish_at(w, file, line, topic, payload, strlen(payload), false);
	deadline = harness_now_usec() + MQTT_TIMEOUT_MS * 1000ULL;
	for (;;) {
		const char *last = mqtt_last(w, state_topic);

		for (size_t i = mark; i < w->client.n_msgs; i++)
			if (strcmp(w->client.msgs[i].topic, error_topic) == 0 &&
			    error_names(w->client.msgs[i].payload, topic))
				mqtt_fail(w, file, line, "%s \"%s\" was refused: %.600s", suffix, payload,
					  w->client.msgs[i].payload);
		if (last && strcmp(last, want) == 0)
			return;
		if (harness_now_usec() > deadline)
			mqtt_fail(w, file, line, "after %s \"%s\", %s is \"%s\" after %d ms, expected \"%s\"", suffix,
				  payload, state_topic, last ? last : "(never published)", MQTT_TIMEOUT_MS, want);
		mqtt_pump(w, 20);
	}
}

void mqtt_assert_responsive_at(struct mqtt_chair *c, const char *file, int line)
{
	uint32_t level = harness_prop_u(&c->h, file, line, "Intensity");
	const char *want = level == 2 ? "3" : "2";

	mqtt_bridge_assert_alive_at(c, file, line);
	mqtt_command_at(c, file, line, "intensity/set", want, "intensity", want);
	harness_wait_property(&c->h, file, line, "Intensity", want, MQTT_TIMEOUT_MS);
}
