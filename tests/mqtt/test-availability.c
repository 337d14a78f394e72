/* SPDX-License-Identifier: MIT */
/* Availability and robustness: the bridge's will, massaged going and coming back, the
 * broker going and coming back, credentials refused. The bridge never crashes or
 * wedges; it reconnects and publishes discovery and state again. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness-mqtt.h"

#define SCALE SCAN_SCALE
/* the first reconnection comes after 1 s (with jitter), the next after 2 s */
#define RECONNECT_MS 8000

static const char *config_topic(struct mqtt_chair *c, const char *component, const char *object)
{
	char *b = mqtt_ring(c->world);

	(void)snprintf(b, sizeof(c->world->ring[0]), "homeassistant/%s/%s/%s/config", component, c->id, object);
	return b;
}

/* B/bridge and B/daemon: retained online; massaged killed → daemon offline, restarted →
 * online and its state published again. */
START_TEST(test_daemon_restart)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *v;
	size_t mark;

	v = mqtt_retained(&w, mqtt_topic(c, "bridge"));
	M_ASSERT(&w, v && strcmp(v, "online") == 0, "B/bridge retained: %s", v ? v : "(none)");
	v = mqtt_retained(&w, mqtt_topic(c, "daemon"));
	M_ASSERT(&w, v && strcmp(v, "online") == 0, "B/daemon retained: %s", v ? v : "(none)");

	H_START_RUNNING(&c->h, TEST_LONG_ID);
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "running", MQTT_TIMEOUT_MS);
	harness_kill_daemon(&c->h);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "offline", MQTT_TIMEOUT_MS);
	v = mqtt_retained(&w, mqtt_topic(c, "daemon"));
	M_ASSERT(&w, v && strcmp(v, "offline") == 0, "B/daemon retained: %s", v ? v : "(none)");
	M_BRIDGE_ALIVE(c);
	v = mqtt_retained(&w, mqtt_topic(c, "bridge"));
	M_ASSERT(&w, v && strcmp(v, "online") == 0, "B/bridge went %s with massaged", v ? v : "(none)");

	mark = mqtt_mark(&w);
	harness_start_daemon(&c->h, SCALE);
	M_WAIT_MSG(&w, mark, mqtt_topic(c, "daemon"), "online", MQTT_TIMEOUT_MS);
	/* the new daemon's state, not the last one's */
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "idle", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "program"), "None", MQTT_TIMEOUT_MS);
	v = mqtt_retained(&w, mqtt_topic(c, "state"));
	M_ASSERT(&w, v && strcmp(v, "idle") == 0, "B/state retained: %s", v ? v : "(none)");
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* massaged flapping (killed and started again at once, four times, a session each
 * time): the bridge follows, its reads of the old daemon never mix with the new one's. */
START_TEST(test_daemon_flapping)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);

	for (int i = 0; i < 4; i++) {
		H_CALL(&c->h, "SetIntensity", "u", (uint32_t)(i % 2 ? 2 : 4));
		H_CALL(&c->h, "Start", "s", TEST_LONG_ID);
		M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "scanning", MQTT_TIMEOUT_MS);
		harness_kill_daemon(&c->h);
		harness_start_daemon(&c->h, SCALE);
	}
	H_CALL(&c->h, "SetIntensity", "u", 3);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "online", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "idle", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "intensity"), "3", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "program"), "None", MQTT_TIMEOUT_MS);
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* SIGKILL: the broker publishes the will, B/bridge offline (retained); SIGTERM: the
 * bridge says offline itself. Another start: online again. */
START_TEST(test_bridge_will)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *v;

	mqtt_bridge_kill(c);
	M_WAIT_VALUE(&w, mqtt_topic(c, "bridge"), "offline", MQTT_TIMEOUT_MS);
	v = mqtt_retained(&w, mqtt_topic(c, "bridge"));
	M_ASSERT(&w, v && strcmp(v, "offline") == 0, "B/bridge retained after SIGKILL: %s", v ? v : "(none)");
	/* the chair does not depend on the bridge */
	H_START_RUNNING(&c->h, TEST_SHORT_ID);
	mqtt_bridge_start(c);
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "running", MQTT_TIMEOUT_MS);
	mqtt_bridge_stop(c);
	v = mqtt_retained(&w, mqtt_topic(c, "bridge"));
	M_ASSERT(&w, v && strcmp(v, "offline") == 0, "B/bridge retained after SIGTERM: %s", v ? v : "(none)");
	mqtt_bridge_start(c);
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* The broker stops (its retained messages lost) and starts again at the same port:
 * the bridge reconnects and publishes discovery, availability and state again. */
START_TEST(test_broker_restart)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *v;

	H_CALL(&c->h, "SetIntensity", "u", 4);
	M_WAIT_VALUE(&w, mqtt_topic(c, "intensity"), "4", MQTT_TIMEOUT_MS);
	mqtt_broker_stop(&w);
	harness_pump(&c->h, 300);
	M_BRIDGE_ALIVE(c);
	/* massaged keeps going without MQTT */
	H_CALL(&c->h, "SetIntensity", "u", 2);
	mqtt_broker_start(&w, false);
	{
		/* the client reconnects within the wait */
		uint64_t deadline = harness_now_usec() + RECONNECT_MS * 1000ULL;

		while (!(v = mqtt_retained(&w, mqtt_topic(c, "bridge"))) || strcmp(v, "online") != 0) {
			M_ASSERT(&w, harness_now_usec() < deadline, "the bridge did not reconnect within %d ms",
				 RECONNECT_MS);
			mqtt_pump(&w, 200);
		}
	}
	mqtt_pump(&w, 500);
	v = mqtt_retained(&w, mqtt_topic(c, "daemon"));
	M_ASSERT(&w, v && strcmp(v, "online") == 0, "B/daemon after the broker's restart: %s", v ? v : "(none)");
	v = mqtt_retained(&w, mqtt_topic(c, "intensity"));
	M_ASSERT(&w, v && strcmp(v, "2") == 0, "B/intensity after the broker's restart: %s, expected 2",
		 v ? v : "(none)");
	v = mqtt_retained(&w, mqtt_topic(c, "state"));
	M_ASSERT(&w, v && strcmp(v, "idle") == 0, "B/state after the broker's restart: %s", v ? v : "(none)");
	v = mqtt_retained(&w, config_topic(c, "select", "program"));
	M_ASSERT(&w, v && v[0] == '{', "no discovery after the broker's restart");
	v = mqtt_retained(&w, config_topic(c, "climate", "pad_lower_back"));
	M_ASSERT(&w, v && v[0] == '{', "no pad discovery after the broker's restart");
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* A wrong password: the bridge logs the refusal, keeps running and trying (never
 * online), and connects once the broker accepts its password. */
START_TEST(test_wrong_password)
{
	struct mqtt_world w;
	struct mqtt_chair *c;
	uint64_t deadline;

	mqtt_world_init(&w);
	c = mqtt_chair_add(&w, "test-chair", NULL);
	mqtt_broker_start(&w, false);
	harness_start_daemon(&c->h, SCALE);
	mqtt_client_open(&w, &w.client, "massaged-test-client", "#");
	c->username = "bridge";
	c->password = "bridge-password";
	mqtt_bridge_write_config(c, NULL, NULL);
	mqtt_bridge_spawn(c);
	M_ASSERT(&w, mqtt_bridge_wait_log(c, "not authori|refused|denied|bad user", RECONNECT_MS),
		 "the bridge did not log the broker's refusal");
	mqtt_pump(&w, 3500);
	M_BRIDGE_ALIVE(c);
	M_ASSERT(&w, !mqtt_last(&w, mqtt_topic(c, "bridge")), "online with a wrong password?");
	{
		/* it tries again, with backoff (1 s, 2 s, ...: 3 or 4 tries by now, not a hot
		 * loop), and says so once (massaged-mqtt(8)) */
		unsigned tries = mqtt_log_count(w.broker.log, "not authorised");

		M_ASSERT(&w, tries >= 2 && tries <= 5, "%u connection attempts refused in about 4 s", tries);
		M_ASSERT(&w, mqtt_log_count(c->bridge_log, "not authori") == 1,
			 "the refusal logged %u times, expected once", mqtt_log_count(c->bridge_log, "not authori"));
	}
	/* the broker learns the bridge's user: it gets in at its next try */
	mqtt_broker_add_user(&w, "bridge", "bridge-password");
	deadline = harness_now_usec() + 70 * 1000 * 1000ULL;
	while (!mqtt_last(&w, mqtt_topic(c, "bridge"))) {
		M_ASSERT(&w, harness_now_usec() < deadline,
			 "the bridge did not connect within 70 s (backoff at most 60 s)");
		mqtt_pump(&w, 100);
	}
	M_WAIT_VALUE(&w, mqtt_topic(c, "bridge"), "online", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "online", MQTT_TIMEOUT_MS);
	mqtt_stop(&w);
}
END_TEST

/* The bridge first, before its broker and before massaged (a boot where they come up
 * late): it waits for both, says the daemon is offline meanwhile, and once massaged is
 * there publishes its state and the program select with the library's titles. */
START_TEST(test_bridge_first)
{
	struct mqtt_world w;
	struct mqtt_chair *c;
	const char *v;

	mqtt_world_init(&w);
	c = mqtt_chair_add(&w, "test-chair", NULL);
	mqtt_broker_start(&w, false); /* its port, its files */
	mqtt_broker_stop(&w);
	mqtt_bridge_write_config(c, NULL, NULL);
	mqtt_bridge_spawn(c);
	harness_pump(&c->h, 1500);
	M_BRIDGE_ALIVE(c);
	mqtt_broker_start(&w, false);
	mqtt_client_open(&w, &w.client, "massaged-test-client", "#");
	M_WAIT_VALUE(&w, mqtt_topic(c, "bridge"), "online", RECONNECT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "offline", MQTT_TIMEOUT_MS);
	(void)M_EXPECT_ERROR(c, "intensity/set", "2", "org.massaged.Mqtt.Error.ChairUnavailable");
	harness_start_daemon(&c->h, SCALE);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "online", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "idle", MQTT_TIMEOUT_MS);
	mqtt_pump(&w, 500);
	v = mqtt_retained(&w, config_topic(c, "select", "program"));
	M_ASSERT(&w, v && strstr(v, "\"Test short\""), "the program select lacks the library's titles: %s",
		 v ? v : "(none)");
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt-availability");

	CHECK_ADD_TEST(s, test_daemon_restart, 60);
	CHECK_ADD_TEST(s, test_daemon_flapping, 60);
	CHECK_ADD_TEST(s, test_bridge_will, 60);
	CHECK_ADD_TEST(s, test_broker_restart, 60);
	CHECK_ADD_TEST(s, test_wrong_password, 90);
	CHECK_ADD_TEST(s, test_bridge_first, 60);
	return check_run_tap(s);
}
