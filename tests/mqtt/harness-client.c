/* SPDX-License-Identifier: MIT */
/* The mqtt suite's test client: libmosquitto driven synchronously (mosquitto_loop with
 * timeouts, between the chairs' bus dispatches), every message recorded. */
#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness-mqtt.h"

#define CONNECT_MS 5000
#define RETAINED_SETTLE_MS 300
#define SHOW_LAST 40

static void record(struct mqtt_msg **msgs, size_t *n, size_t *cap, const struct mosquitto_message *m)
{
	struct mqtt_msg *x;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*msgs = realloc(*msgs, *cap * sizeof(**msgs));
		if (!*msgs)
			abort();
	}
	x = &(*msgs)[(*n)++];
	x->topic = strdup(m->topic);
	x->len = (size_t)m->payloadlen;
	x->payload = malloc(x->len + 1);
	if (!x->topic || !x->payload)
		abort();
	if (x->len)
		memcpy(x->payload, m->payload, x->len);
	x->payload[x->len] = '\0';
	x->retained = m->retain;
}

void mqtt_msgs_free(struct mqtt_msg *msgs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(msgs[i].topic);
		free(msgs[i].payload);
	}
	free(msgs);
}

static void on_message(struct mosquitto *mosq, void *userdata, const struct mosquitto_message *m)
{
	struct mqtt_client *c = userdata;

	record(&c->msgs, &c->n_msgs, &c->cap_msgs, m);
}

static void on_connect(struct mosquitto *mosq, void *userdata, int rc)
{
	struct mqtt_client *c = userdata;

	c->connected = rc == 0;
}

static void on_disconnect(struct mosquitto *mosq, void *userdata, int rc)
{
	struct mqtt_client *c = userdata;

	c->connected = false;
	c->subscribed = false;
}

static void on_subscribe(struct mosquitto *mosq, void *userdata, int mid, int qos_count, const int *granted)
{
	struct mqtt_client *c = userdata;

	c->subscribed = true;
}

static void on_publish(struct mosquitto *mosq, void *userdata, int mid)
{
	struct mqtt_client *c = userdata;

	c->acked_mid = mid;
}

static void check_bridges(struct mqtt_world *w)
{
	for (size_t i = 0; i < w->n_chairs; i++) {
		struct harness *h = &w->chairs[i]->h;

		/* dispatch the bus and notice a daemon's death, without waiting */
		if (h->bus)
			harness_pump(h, 0);
	}
}

/* One round: the client's network for at most ms, then every chair's bus. */
static void loop_once(struct mqtt_world *w, struct mqtt_client *c, unsigned ms)
{
	int r;

	if (!c->mosq) { /* no client (a test without a broker): the buses alone */
		harness_pump(&w->chairs[0]->h, ms);
		return;
	}
	r = mosquitto_loop(c->mosq, (int)ms, 1);

	if (r == MOSQ_ERR_NO_CONN || r == MOSQ_ERR_CONN_LOST) {
		/* the broker went away (a test stops it): try again, quietly */
		if (w->broker.pid > 0)
			(void)mosquitto_reconnect(c->mosq);
		harness_pump(&w->chairs[0]->h, ms < 50 ? ms : 50);
	}
	check_bridges(w);
}

static void wait_until(struct mqtt_world *w, struct mqtt_client *c, const bool *flag, unsigned ms, const char *what)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)ms * 1000;

	while (!*flag) {
		if (harness_now_usec() > deadline)
			M_FAIL(w, "test client %s: no %s within %u ms", c->id, what, ms);
		loop_once(w, c, 20);
	}
}

static void client_connect(struct mqtt_world *w, struct mqtt_client *c, const char *id)
{
	int r;

	(void)snprintf(c->id, sizeof(c->id), "%s", id);
	c->mosq = mosquitto_new(id, true, c);
	if (!c->mosq)
		M_FAIL(w, "mosquitto_new: %s", strerror(errno));
	mosquitto_connect_callback_set(c->mosq, on_connect);
	mosquitto_disconnect_callback_set(c->mosq, on_disconnect);
	mosquitto_message_callback_set(c->mosq, on_message);
	mosquitto_subscribe_callback_set(c->mosq, on_subscribe);
	mosquitto_publish_callback_set(c->mosq, on_publish);
	if (w->broker.tls)
		r = mosquitto_tls_set(c->mosq, w->broker.ca, NULL, w->broker.client_cert, w->broker.client_key, NULL);
	else
		r = mosquitto_username_pw_set(c->mosq, MQTT_USER, MQTT_PASSWORD);
	if (r == MOSQ_ERR_SUCCESS)
		r = mosquitto_connect(c->mosq, "127.0.0.1", (int)w->broker.port, 60);
	if (r != MOSQ_ERR_SUCCESS)
		M_FAIL(w, "test client %s cannot connect: %s", id, mosquitto_strerror(r));
	wait_until(w, c, &c->connected, CONNECT_MS, "CONNACK");
}

void mqtt_client_open(struct mqtt_world *w, struct mqtt_client *c, const char *id, const char *pattern)
{
	client_connect(w, c, id);
	if (pattern) {
		int r = mosquitto_subscribe(c->mosq, NULL, pattern, 1);

		if (r != MOSQ_ERR_SUCCESS)
			M_FAIL(w, "subscribe %s: %s", pattern, mosquitto_strerror(r));
		wait_until(w, c, &c->subscribed, CONNECT_MS, "SUBACK");
	}
}

void mqtt_client_close(struct mqtt_client *c)
{
	if (c->mosq) {
		(void)mosquitto_disconnect(c->mosq);
		mosquitto_destroy(c->mosq);
		c->mosq = NULL;
	}
	mqtt_msgs_free(c->msgs, c->n_msgs);
	c->msgs = NULL;
	c->n_msgs = c->cap_msgs = 0;
}

void mqtt_pump(struct mqtt_world *w, unsigned ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)ms * 1000;

	do {
		struct mqtt_client *c = &w->client;

		loop_once(w, c, 20);
		/* the world's client resubscribes after a reconnection */
		if (c->connected && !c->subscribed) {
			c->subscribed = true; /* the SUBACK confirms; no second request meanwhile */
			(void)mosquitto_subscribe(c->mosq, NULL, "#", 1);
		}
	} while (harness_now_usec() < deadline);
}

size_t mqtt_mark(struct mqtt_world *w)
{
	return w->client.n_msgs;
}

const char *mqtt_last(struct mqtt_world *w, const char *topic)
{
	for (size_t i = w->client.n_msgs; i-- > 0;)
		if (strcmp(w->client.msgs[i].topic, topic) == 0)
			return w->client.msgs[i].payload;
	return NULL;
}

bool mqtt_seen_since(struct mqtt_world *w, size_t since, const char *topic)
{
	for (size_t i = since; i < w->client.n_msgs; i++)
		if (strcmp(w->client.msgs[i].topic, topic) == 0)
			return true;
	return false;
}

/* The topic's values since `since` (ring buffer string), for failure messages. */
static const char *history(struct mqtt_world *w, size_t since, const char *topic)
{
	char *b = mqtt_ring(w);
	size_t len = 0, size = sizeof(w->ring[0]);

	for (size_t i = since; i < w->client.n_msgs && len < size - 1; i++)
		if (strcmp(w->client.msgs[i].topic, topic) == 0)
			len += (size_t)snprintf(b + len, size - len, "%s\"%.200s\"", len ? ", " : "",
						w->client.msgs[i].payload);
	return len ? b : "(nothing)";
}

const struct mqtt_msg *mqtt_wait_msg_at(struct mqtt_world *w, const char *file, int line, size_t since,
					const char *topic, const char *payload, unsigned timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;
	size_t i = since;

	for (;;) {
		for (; i < w->client.n_msgs; i++) {
			const struct mqtt_msg *m = &w->client.msgs[i];

			if (strcmp(m->topic, topic) == 0 && (!payload || strcmp(m->payload, payload) == 0))
				return m;
		}
		if (harness_now_usec() > deadline)
			mqtt_fail(w, file, line, "no message%s%s%s on %s within %u ms; seen there since: %s",
				  payload ? " \"" : "", payload ? payload : "", payload ? "\"" : "", topic, timeout_ms,
				  history(w, since, topic));
		mqtt_pump(w, 20);
	}
}

void mqtt_wait_value_at(struct mqtt_world *w, const char *file, int line, const char *topic, const char *payload,
			unsigned timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;
	const char *last;

	for (;;) {
		last = mqtt_last(w, topic);
		if (last && strcmp(last, payload) == 0)
			return;
		if (harness_now_usec() > deadline)
			mqtt_fail(w, file, line, "%s is \"%s\" after %u ms, expected \"%s\"; its values: %s", topic,
				  last ? last : "(never published)", timeout_ms, payload, history(w, 0, topic));
		mqtt_pump(w, 20);
	}
}

static bool number_is(const char *s, double value)
{
	char *end;
	double v;

	if (!s || !s[0])
		return false;
	v = strtod(s, &end);
	return *end == '\0' && v > value - 0.05 && v < value + 0.05;
}

void mqtt_wait_number_at(struct mqtt_world *w, const char *file, int line, const char *topic, double value,
			 unsigned timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;
	const char *last;

	for (;;) {
		last = mqtt_last(w, topic);
		if (number_is(last, value))
			return;
		if (harness_now_usec() > deadline)
			mqtt_fail(w, file, line, "%s is \"%s\" after %u ms, expected %g; its values: %s", topic,
				  last ? last : "(never published)", timeout_ms, value, history(w, 0, topic));
		mqtt_pump(w, 20);
	}
}

void mqtt_publish_at(struct mqtt_world *w, const char *file, int line, const char *topic, const void *payload,
		     size_t len, bool retain)
{
	struct mqtt_client *c = &w->client;
	uint64_t deadline = harness_now_usec() + CONNECT_MS * 1000ULL;
	int mid = 0, r;

	r = mosquitto_publish(c->mosq, &mid, topic, (int)len, payload, 1, retain);
	if (r != MOSQ_ERR_SUCCESS)
		mqtt_fail(w, file, line, "publish on %s: %s", topic, mosquitto_strerror(r));
	while (c->acked_mid != mid) {
		if (harness_now_usec() > deadline)
			mqtt_fail(w, file, line, "no PUBACK for %s within %d ms", topic, CONNECT_MS);
		mqtt_pump(w, 10);
	}
}

/* A fresh client subscribed to pattern: what the broker holds retained there. */
static void read_retained(struct mqtt_world *w, const char *pattern, struct mqtt_client *c)
{
	uint64_t settle;
	size_t n = 0;

	mqtt_client_open(w, c, "massaged-test-retained", pattern);
	/* retained messages follow the SUBACK at once; stop once they have stopped */
	settle = harness_now_usec() + RETAINED_SETTLE_MS * 1000ULL;
	while (harness_now_usec() < settle) {
		loop_once(w, c, 20);
		if (c->n_msgs != n) {
			n = c->n_msgs;
			settle = harness_now_usec() + 100 * 1000ULL;
		}
	}
}

const char *mqtt_retained(struct mqtt_world *w, const char *topic)
{
	struct mqtt_client c = { 0 };
	const char *ret = NULL;

	read_retained(w, topic, &c);
	for (size_t i = 0; i < c.n_msgs; i++)
		if (c.msgs[i].retained && strcmp(c.msgs[i].topic, topic) == 0) {
			char *b = mqtt_ring(w);

			(void)snprintf(b, sizeof(w->ring[0]), "%s", c.msgs[i].payload);
			ret = b;
		}
	mqtt_client_close(&c);
	return ret;
}

struct mqtt_msg *mqtt_retained_all(struct mqtt_world *w, const char *pattern, size_t *n)
{
	struct mqtt_client c = { 0 };
	struct mqtt_msg *msgs;

	read_retained(w, pattern, &c);
	(void)mosquitto_disconnect(c.mosq);
	mosquitto_destroy(c.mosq);
	msgs = c.msgs;
	*n = c.n_msgs;
	return msgs;
}

void mqtt_print_last(struct mqtt_world *w)
{
	size_t from = w->client.n_msgs > SHOW_LAST ? w->client.n_msgs - SHOW_LAST : 0;

	(void)fprintf(stderr, "---- the last %zu MQTT messages ----\n", w->client.n_msgs - from);
	for (size_t i = from; i < w->client.n_msgs; i++)
		(void)fprintf(stderr, "%s%s %.300s\n", w->client.msgs[i].topic,
			      w->client.msgs[i].retained ? " (r)" : "", w->client.msgs[i].payload);
	(void)fprintf(stderr, "---- end of MQTT messages ----\n");
}
