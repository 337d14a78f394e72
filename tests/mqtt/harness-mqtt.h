/* SPDX-License-Identifier: MIT */
#pragma once

/* The mqtt suite's harness: a real mosquitto on 127.0.0.1 at a free port (password file,
 * or TLS with a CA, server and client certificates the test makes), one or two chairs
 * (massaged --simulate on a private bus through tests/integration/harness.h, and a
 * massaged-mqtt bridge for each), and a libmosquitto test client that subscribes to '#'
 * and records every message.
 *
 * A failure anywhere (these helpers or the integration harness's) kills every process
 * the test started, by PID, after printing the bridges' and the broker's logs and the
 * last messages seen. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "integration/harness.h"

#define MQTT_USER "chair"
#define MQTT_PASSWORD "s3cret-test-password"
#define MQTT_MAX_CHAIRS 2
#define MQTT_ZONES 3

/* The pads of the simulated chair: zone, object path, discovery object id part. */
extern const char *const mqtt_zones[MQTT_ZONES];
extern const char *const mqtt_pad_paths[MQTT_ZONES];

struct mqtt_msg {
	char *topic;
	char *payload; /* NUL-terminated copy (payload may hold NULs: see len) */
	size_t len;
	bool retained;
};

struct mqtt_client {
	struct mosquitto *mosq;
	char id[64];
	bool connected;
	bool subscribed;
	int acked_mid; /* the last PUBACK */
	struct mqtt_msg *msgs;
	size_t n_msgs, cap_msgs;
};

struct mqtt_broker {
	unsigned port;
	pid_t pid;
	bool tls;
	char conf[300], log[300], passwd[300];
	char ca[300], cert[300], key[300];      /* the test CA and the server's */
	char client_cert[300], client_key[300]; /* signed by the test CA */
	char other_ca[300];                     /* a CA that signed nothing here */
};

struct mqtt_world;

struct mqtt_chair {
	struct harness h; /* massaged --simulate on its private bus */
	struct mqtt_world *world;
	char id[33];
	char base[128]; /* massaged/<id> */
	char bridge_conf[300], bridge_log[300];
	pid_t bridge_pid;
	const char *username; /* the bridge's, written by mqtt_bridge_write_config; NULL: MQTT_USER */
	const char *password; /* NULL: MQTT_PASSWORD */
};

struct mqtt_world {
	char dir[256]; /* broker and bridge files (the chairs' harnesses have their own) */
	struct mqtt_broker broker;
	struct mqtt_chair *chairs[MQTT_MAX_CHAIRS];
	size_t n_chairs;
	struct mqtt_client client; /* subscribed to '#' */
	char ring[8][4096];
	unsigned ring_next;
};

/* ---- life cycle (harness-mqtt.c) ---- */

/* The world's directory and a chair's harness (private bus, no daemon yet). */
void mqtt_world_init(struct mqtt_world *w);
/* A chair in the world: harness_init with daemon config `config_extra`, id as its
 * [Chair] Id. The chair is allocated and owned by the world. */
struct mqtt_chair *mqtt_chair_add(struct mqtt_world *w, const char *id, const char *config_extra);
/* Everything the usual test needs: world, broker (password), chair "test-chair" with
 * massaged at `scale`, its bridge online, the client subscribed. */
struct mqtt_chair *mqtt_start(struct mqtt_world *w, double scale);
/* Stop every bridge (SIGTERM, exit 0), every daemon, the broker; remove the files. */
void mqtt_stop(struct mqtt_world *w);

/* The bridge's config text: [Broker] for this world's broker (password or TLS),
 * [Chair] Id, then `extra` (more sections; may be NULL). */
void mqtt_bridge_write_config(struct mqtt_chair *c, const char *broker_extra, const char *extra);
/* massaged-mqtt --config <its file> on the chair's bus, in the background. */
void mqtt_bridge_spawn(struct mqtt_chair *c);
/* Spawn and wait until B/bridge and B/daemon are "online" and the state is published
 * (state, intensity, gentle, the last pad's mode). */
void mqtt_bridge_start(struct mqtt_chair *c);
/* SIGTERM: exits 0 within the deadline. */
void mqtt_bridge_stop_at(struct mqtt_chair *c, const char *file, int line);
#define mqtt_bridge_stop(c) mqtt_bridge_stop_at((c), __FILE__, __LINE__)
void mqtt_bridge_kill(struct mqtt_chair *c);
/* Fails when the bridge is not running (it exited or died). */
void mqtt_bridge_assert_alive_at(struct mqtt_chair *c, const char *file, int line);
#define M_BRIDGE_ALIVE(c) mqtt_bridge_assert_alive_at((c), __FILE__, __LINE__)
/* Wait for the bridge to exit by itself; returns its wait status. */
int mqtt_bridge_wait_exit(struct mqtt_chair *c, unsigned timeout_ms);
bool mqtt_bridge_log_contains(struct mqtt_chair *c, const char *needle);
/* How many lines of a log (path) contain needle (any case). */
unsigned mqtt_log_count(const char *path, const char *needle);
/* Wait until the bridge's log contains needle (any case; alternatives separated by '|'). */
bool mqtt_bridge_wait_log(struct mqtt_chair *c, const char *needle, unsigned timeout_ms);
/* B/<suffix> (ring buffer string). */
const char *mqtt_topic(struct mqtt_chair *c, const char *suffix);

void mqtt_fail(struct mqtt_world *w, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
#define M_FAIL(w, ...) mqtt_fail((w), __FILE__, __LINE__, __VA_ARGS__)
/* expr goes in as an argument, not into the format: it may hold a '%' */
void mqtt_assert_failed(struct mqtt_world *w, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6), noreturn));
#define M_ASSERT(w, expr, ...) \
	do { \
		if (!(expr)) \
			mqtt_assert_failed((w), __FILE__, __LINE__, #expr, __VA_ARGS__); \
	} while (0)
char *mqtt_ring(struct mqtt_world *w);

/* ---- the broker (harness-broker.c) ---- */

/* mosquitto.conf, password file (MQTT_USER / MQTT_PASSWORD) and, with tls, the
 * certificates; then start it at a free port (the same port again after a stop). */
void mqtt_broker_start(struct mqtt_world *w, bool tls);
/* SIGTERM and reap (retained messages are lost: no persistence). */
void mqtt_broker_stop(struct mqtt_world *w);
/* Add a user to the password file and make the broker read it again (SIGHUP). */
void mqtt_broker_add_user(struct mqtt_world *w, const char *user, const char *password);

/* ---- the test client (harness-client.c) ---- */

/* Connect client c to the world's broker as MQTT_USER (or with the client certificate
 * under TLS) and, when pattern is not NULL, subscribe to it; waits for the SUBACK. */
void mqtt_client_open(struct mqtt_world *w, struct mqtt_client *c, const char *id, const char *pattern);
void mqtt_client_close(struct mqtt_client *c);
/* Run the client's network loop and the chairs' buses for at most ms. Reconnects a
 * client that lost the broker. */
void mqtt_pump(struct mqtt_world *w, unsigned ms);
/* How many messages the world client has recorded (a mark for the waits). */
size_t mqtt_mark(struct mqtt_world *w);
/* The first message since `since` on topic (payload too when not NULL); waits at most
 * timeout_ms, then fails showing the topic's last values. */
const struct mqtt_msg *mqtt_wait_msg_at(struct mqtt_world *w, const char *file, int line, size_t since,
					const char *topic, const char *payload, unsigned timeout_ms);
#define M_WAIT_MSG(w, since, topic, payload, ms) \
	mqtt_wait_msg_at((w), __FILE__, __LINE__, (since), (topic), (payload), (ms))
/* The last value the client saw on topic is payload, or becomes it within timeout_ms. */
void mqtt_wait_value_at(struct mqtt_world *w, const char *file, int line, const char *topic, const char *payload,
			unsigned timeout_ms);
#define M_WAIT_VALUE(w, topic, payload, ms) mqtt_wait_value_at((w), __FILE__, __LINE__, (topic), (payload), (ms))
/* As mqtt_wait_value_at, comparing numbers (within 0.05): "38" and "38.0" alike. */
void mqtt_wait_number_at(struct mqtt_world *w, const char *file, int line, const char *topic, double value,
			 unsigned timeout_ms);
#define M_WAIT_NUMBER(w, topic, value, ms) mqtt_wait_number_at((w), __FILE__, __LINE__, (topic), (value), (ms))
/* The last payload seen on topic, or NULL. */
const char *mqtt_last(struct mqtt_world *w, const char *topic);
/* true when a message on topic came since the mark. */
bool mqtt_seen_since(struct mqtt_world *w, size_t since, const char *topic);
/* Publish (QoS 1) and wait for the broker's PUBACK. */
void mqtt_publish_at(struct mqtt_world *w, const char *file, int line, const char *topic, const void *payload,
		     size_t len, bool retain);
#define M_PUB(w, topic, payload) mqtt_publish_at((w), __FILE__, __LINE__, (topic), (payload), strlen(payload), false)
/* The retained value of topic now, read by a fresh client (ring buffer string), or
 * NULL when the broker holds none. */
const char *mqtt_retained(struct mqtt_world *w, const char *topic);
/* Every retained message under pattern, read by a fresh client: a malloc'd array the
 * caller frees with mqtt_msgs_free(). */
struct mqtt_msg *mqtt_retained_all(struct mqtt_world *w, const char *pattern, size_t *n);
void mqtt_msgs_free(struct mqtt_msg *msgs, size_t n);
/* The last messages the world client saw, to stderr (a failure's report). */
void mqtt_print_last(struct mqtt_world *w);

/* ---- commands and the error topic (harness-commands.c) ---- */

/* Publish payload on B/<suffix> and wait for B/error naming that topic; checks the JSON
 * (topic, payload, error, message) and that error is `error_name` (or one of several,
 * separated by '|'). Returns the error object's message (ring buffer string). */
const char *mqtt_expect_error_at(struct mqtt_chair *c, const char *file, int line, const char *suffix,
				 const void *payload, size_t len, const char *error_name);
#define M_EXPECT_ERROR(c, suffix, payload, error) \
	mqtt_expect_error_at((c), __FILE__, __LINE__, (suffix), (payload), strlen(payload), (error))
/* Publish payload on B/<suffix> and wait until B/<state> reads want. */
void mqtt_command_at(struct mqtt_chair *c, const char *file, int line, const char *suffix, const char *payload,
		     const char *state, const char *want);
#define M_COMMAND(c, suffix, payload, state, want) \
	mqtt_command_at((c), __FILE__, __LINE__, (suffix), (payload), (state), (want))
/* The bridge still answers: intensity set to a new level shows on B/intensity and on
 * D-Bus; then set back. */
void mqtt_assert_responsive_at(struct mqtt_chair *c, const char *file, int line);
#define M_RESPONSIVE(c) mqtt_assert_responsive_at((c), __FILE__, __LINE__)

/* A wait long enough for a round trip through the bridge (and coalescing). */
#define MQTT_TIMEOUT_MS 5000
