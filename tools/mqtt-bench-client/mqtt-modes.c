/* SPDX-License-Identifier: MIT */
/* The modes that talk to the broker: the bridge's command-to-state latency, the
 * broker's own round trip, and counting what the bridge publishes. A blocking
 * mosquitto_loop() is fine here: the client does one thing at a time. */
#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-client.h"

#define TIMEOUT_USEC (5 * 1000000u)
#define TOPIC_MAX 256
#define COUNTED_TOPICS_MAX 256

struct counted_topic {
	char topic[TOPIC_MAX];
	unsigned long n;
};

struct link {
	struct mosquitto *mosq;
	bool connected, subscribed;
	int connect_rc;
	/* the topic waited for and the payload that ends the wait ("" any) */
	char watch_topic[TOPIC_MAX];
	char want[64];
	bool seen;
	char last[64]; /* the last payload on watch_topic */
	/* count mode */
	bool counting;
	const char *base;
	unsigned long state, discovery;
	struct counted_topic topics[COUNTED_TOPICS_MAX];
	size_t n_topics;
};

static void count_topic(struct link *l, const char *topic)
{
	size_t i;

	for (i = 0; i < l->n_topics; i++)
		if (strcmp(l->topics[i].topic, topic) == 0) {
			l->topics[i].n++;
			return;
		}
	if (l->n_topics == COUNTED_TOPICS_MAX)
		return;
	(void)snprintf(l->topics[l->n_topics].topic, TOPIC_MAX, "%s", topic);
	l->topics[l->n_topics++].n = 1;
}

static void on_connect(struct mosquitto *mosq, void *userdata, int rc)
{
	struct link *l = userdata;

	(void)mosq;
	l->connect_rc = rc;
	l->connected = rc == 0;
}

static void on_subscribe(struct mosquitto *mosq, void *userdata, int mid, int n, const int *granted)
{
	struct link *l = userdata;

	(void)mosq, (void)mid, (void)n, (void)granted;
	l->subscribed = true;
}

static void on_message(struct mosquitto *mosq, void *userdata, const struct mosquitto_message *m)
{
	struct link *l = userdata;

	(void)mosq;
	if (l->counting) {
		/* retained messages are the broker's memory, delivered on subscribing */
		if (m->retain)
			return;
		if (strncmp(m->topic, l->base, strlen(l->base)) == 0)
			l->state++;
		else
			l->discovery++;
		count_topic(l, m->topic);
		return;
	}
	if (strcmp(m->topic, l->watch_topic) != 0)
		return;
	(void)snprintf(l->last, sizeof(l->last), "%.*s", m->payloadlen, (const char *)m->payload);
	if (l->want[0] == '\0' || strcmp(l->last, l->want) == 0)
		l->seen = true;
}

/* Runs the loop until *flag or the deadline; -ETIMEDOUT then. */
static int loop_until(struct link *l, const bool *flag, uint64_t deadline)
{
	int rc;

	while (!*flag) {
		if (now_usec() >= deadline)
			return -ETIMEDOUT;
		rc = mosquitto_loop(l->mosq, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "mqtt-bench-client: %s\n", mosquitto_strerror(rc));
			return -EIO;
		}
	}
	return 0;
}

static int read_password(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	(void)fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int link_open(struct link *l, const struct bench_options *o, const char *role)
{
	char id[64], password[256];
	int r;

	(void)snprintf(id, sizeof(id), "mqtt-bench-%s-%d", role, (int)getpid());
	l->mosq = mosquitto_new(id, true, l);
	if (!l->mosq)
		return -ENOMEM;
	/* without it, a publish right after a PUBACK waits for the broker's delayed ACK (40 ms) */
	(void)mosquitto_int_option(l->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_callback_set(l->mosq, on_connect);
	mosquitto_subscribe_callback_set(l->mosq, on_subscribe);
	mosquitto_message_callback_set(l->mosq, on_message);
	if (o->username) {
		password[0] = '\0';
		if (o->password_file && (r = read_password(o->password_file, password, sizeof(password))) < 0) {
			fprintf(stderr, "mqtt-bench-client: %s: %s\n", o->password_file, strerror(-r));
			return r;
		}
		mosquitto_username_pw_set(l->mosq, o->username, password[0] ? password : NULL);
	}
	r = mosquitto_connect(l->mosq, o->host, (int)o->port, 30);
	if (r != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqtt-bench-client: connect to %s:%u: %s\n", o->host, o->port, mosquitto_strerror(r));
		return -ECONNREFUSED;
	}
	r = loop_until(l, &l->connected, now_usec() + TIMEOUT_USEC);
	if (r < 0 || l->connect_rc != 0) {
		fprintf(stderr, "mqtt-bench-client: no CONNACK from %s:%u (%s)\n", o->host, o->port,
			mosquitto_connack_string(l->connect_rc));
		return r < 0 ? r : -EACCES;
	}
	return 0;
}

static int link_subscribe(struct link *l, const char *pattern)
{
	l->subscribed = false;
	if (mosquitto_subscribe(l->mosq, NULL, pattern, 1) != MOSQ_ERR_SUCCESS)
		return -EIO;
	return loop_until(l, &l->subscribed, now_usec() + TIMEOUT_USEC);
}

static void link_close(struct link *l)
{
	if (!l->mosq)
		return;
	(void)mosquitto_disconnect(l->mosq);
	mosquitto_destroy(l->mosq);
	l->mosq = NULL;
}

/* Publishes payload on topic and waits for payload on watch_topic: the round trip in us. */
static int round_trip(struct link *l, const char *topic, const char *payload, unsigned qos, double *us)
{
	uint64_t t0;
	int r;

	(void)snprintf(l->want, sizeof(l->want), "%s", payload);
	l->seen = false;
	t0 = now_usec();
	if (mosquitto_publish(l->mosq, NULL, topic, (int)strlen(payload), payload, (int)qos, false) != MOSQ_ERR_SUCCESS)
		return -EIO;
	r = loop_until(l, &l->seen, t0 + TIMEOUT_USEC);
	*us = (double)(now_usec() - t0);
	return r;
}

static int run_round_trips(const struct bench_options *o, const char *name, const char *topic, const char *watch_topic,
			   unsigned first)
{
	struct link l = { 0 };
	struct samples s = { 0 };
	char payload[16];
	double us;
	unsigned i, level = first;
	int r;

	(void)snprintf(l.watch_topic, sizeof(l.watch_topic), "%s", watch_topic);
	r = link_open(&l, o, name);
	if (r < 0)
		goto out;
	r = link_subscribe(&l, watch_topic);
	if (r < 0)
		goto out;
	/* the retained value, if any, so that the first sample changes something */
	l.want[0] = '\0';
	l.seen = false;
	(void)loop_until(&l, &l.seen, now_usec() + 500000u);
	if (l.seen && (unsigned)atoi(l.last) == level)
		level = level == o->low ? o->high : o->low;
	for (i = 0; i < o->samples; i++) {
		(void)snprintf(payload, sizeof(payload), "%u", level);
		r = round_trip(&l, topic, payload, o->qos, &us);
		if (r < 0) {
			fprintf(stderr,
				"mqtt-bench-client: %s: no '%s' on %s within %u s after sample %u (last '%s')\n", name,
				payload, watch_topic, TIMEOUT_USEC / 1000000u, i, l.last);
			goto out;
		}
		r = samples_add(&s, us);
		if (r < 0)
			goto out;
		level = level == o->low ? o->high : o->low;
		if (o->gap_ms)
			sleep_msec(o->gap_ms);
	}
	samples_print(name, &s);
out:
	samples_free(&s);
	link_close(&l);
	return r;
}

int run_bridge_latency(const struct bench_options *o)
{
	char set[TOPIC_MAX], state[TOPIC_MAX];

	(void)snprintf(set, sizeof(set), "%s/intensity/set", o->base);
	(void)snprintf(state, sizeof(state), "%s/intensity", o->base);
	return run_round_trips(o, "bridge", set, state, o->low);
}

int run_broker_rtt(const struct bench_options *o)
{
	char topic[TOPIC_MAX];

	/* outside B/: the bridge would answer a message under it on its error topic */
	(void)snprintf(topic, sizeof(topic), "mqtt-bench/%d/echo", (int)getpid());
	return run_round_trips(o, "broker", topic, topic, o->low);
}

static int compare_counted(const void *a, const void *b)
{
	const struct counted_topic *x = a, *y = b;

	return (y->n > x->n) - (y->n < x->n);
}

int run_count(const struct bench_options *o)
{
	struct link l = { .base = o->base };
	char pattern[TOPIC_MAX];
	uint64_t t0, end;
	size_t i;
	int r;

	r = link_open(&l, o, "count");
	if (r < 0)
		goto out;
	l.counting = true;
	(void)snprintf(pattern, sizeof(pattern), "%s/#", o->base);
	r = link_subscribe(&l, pattern);
	if (r < 0)
		goto out;
	(void)snprintf(pattern, sizeof(pattern), "%s/+/%s/+/config", o->discovery_prefix, o->chair_id);
	r = link_subscribe(&l, pattern);
	if (r < 0)
		goto out;
	printf("ready\n");
	(void)fflush(stdout);
	t0 = now_usec();
	end = t0 + (uint64_t)(o->seconds * 1e6);
	while (now_usec() < end) {
		r = mosquitto_loop(l.mosq, 100, 1);
		if (r != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "mqtt-bench-client: count: %s\n", mosquitto_strerror(r));
			r = -EIO;
			goto out;
		}
	}
	r = 0;
	printf("count seconds=%.1f state=%lu discovery=%lu\n", (double)(now_usec() - t0) / 1e6, l.state, l.discovery);
	qsort(l.topics, l.n_topics, sizeof(l.topics[0]), compare_counted);
	for (i = 0; i < l.n_topics; i++)
		printf("topic %lu %s\n", l.topics[i].n, l.topics[i].topic);
out:
	link_close(&l);
	return r;
}
