/* SPDX-License-Identifier: MIT */
/* A fleet: two simulated chairs (two daemons on two private buses, two bridges) on one
 * broker. A spa's single subscription to massaged/+/state sees both, each under its
 * own id; a command to one chair moves that chair only; their discovery does not
 * collide. */
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness-mqtt.h"

#define SCALE SCAN_SCALE

static const char *last_on(struct mqtt_client *c, const char *topic)
{
	for (size_t i = c->n_msgs; i-- > 0;)
		if (strcmp(c->msgs[i].topic, topic) == 0)
			return c->msgs[i].payload;
	return NULL;
}

START_TEST(test_two_chairs)
{
	struct mqtt_world w;
	struct mqtt_chair *a, *b;
	struct mqtt_client spa = { 0 };
	uint64_t deadline;
	const char *va, *vb;

	mqtt_world_init(&w);
	a = mqtt_chair_add(&w, "chair-a", NULL);
	b = mqtt_chair_add(&w, "chair-b", NULL);
	mqtt_broker_start(&w, false);
	harness_start_daemon(&a->h, SCALE);
	harness_start_daemon(&b->h, SCALE);
	mqtt_client_open(&w, &w.client, "massaged-test-client", "#");
	mqtt_bridge_write_config(a, NULL, NULL);
	mqtt_bridge_write_config(b, NULL, NULL);
	mqtt_bridge_start(a);
	mqtt_bridge_start(b);

	/* the spa's view: one wildcard subscription (mosquitto_sub -t 'massaged/+/state') */
	mqtt_client_open(&w, &spa, "spa-dashboard", "massaged/+/state");
	H_START_RUNNING(&a->h, TEST_LONG_ID);
	deadline = harness_now_usec() + MQTT_TIMEOUT_MS * 1000ULL;
	for (;;) {
		va = last_on(&spa, "massaged/chair-a/state");
		vb = last_on(&spa, "massaged/chair-b/state");
		if (va && vb && strcmp(va, "running") == 0 && strcmp(vb, "idle") == 0)
			break;
		M_ASSERT(&w, harness_now_usec() < deadline,
			 "the spa sees chair-a %s, chair-b %s; expected running, idle", va ? va : "(nothing)",
			 vb ? vb : "(nothing)");
		(void)mosquitto_loop(spa.mosq, 20, 1);
		mqtt_pump(&w, 10);
	}
	for (size_t i = 0; i < spa.n_msgs; i++)
		M_ASSERT(&w,
			 strcmp(spa.msgs[i].topic, "massaged/chair-a/state") == 0 ||
				 strcmp(spa.msgs[i].topic, "massaged/chair-b/state") == 0,
			 "the spa got %s", spa.msgs[i].topic);
	mqtt_client_close(&spa);
	{
		/* the very command docs/mqtt.md gives a spa: both chairs, each under its id */
		char port[16], out[400];
		const char *text;
		int status;

		(void)snprintf(port, sizeof(port), "%u", w.broker.port);
		(void)snprintf(out, sizeof(out), "%s/sub.out", w.dir);
		status = harness_run(&a->h,
				     (char *[]) { getenv("MOSQUITTO_SUB"), "-h", "127.0.0.1", "-p", port, "-u",
						  MQTT_USER, "-P", MQTT_PASSWORD, "-v", "-t", "massaged/+/state", "-C",
						  "2", "-W", "5", NULL },
				     out, NULL, 8000);
		text = harness_read_file(&a->h, out);
		M_ASSERT(&w, WIFEXITED(status) && WEXITSTATUS(status) == 0, "mosquitto_sub: status 0x%x, printed %s",
			 (unsigned)status, text);
		M_ASSERT(&w,
			 strstr(text, "massaged/chair-a/state running\n") &&
				 strstr(text, "massaged/chair-b/state idle\n"),
			 "mosquitto_sub -t 'massaged/+/state' printed:\n%s", text);
	}

	/* a command to chair-b moves chair-b only */
	H_CALL(&a->h, "SetIntensity", "u", 2);
	H_CALL(&b->h, "SetIntensity", "u", 2);
	M_WAIT_VALUE(&w, mqtt_topic(a, "intensity"), "2", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(b, "intensity"), "2", MQTT_TIMEOUT_MS);
	M_COMMAND(b, "intensity/set", "5", "intensity", "5");
	H_WAIT_PROP(&b->h, "Intensity", "5", MQTT_TIMEOUT_MS);
	mqtt_pump(&w, 300);
	H_ASSERT_STR_EQ(&a->h, H_PROP(&a->h, "Intensity"), "2");
	M_ASSERT(&w, strcmp(mqtt_last(&w, mqtt_topic(a, "intensity")), "2") == 0, "chair-a's intensity moved");

	/* each its own discovery: distinct unique ids and devices */
	{
		const char *ca = mqtt_retained(&w, "homeassistant/number/chair-a/intensity/config");
		char copy[4096];
		const char *cb;

		M_ASSERT(&w, ca, "no discovery for chair-a");
		(void)snprintf(copy, sizeof(copy), "%s", ca);
		cb = mqtt_retained(&w, "homeassistant/number/chair-b/intensity/config");
		M_ASSERT(&w, cb, "no discovery for chair-b");
		M_ASSERT(&w, strstr(copy, "massaged_chair-a_intensity") && strstr(cb, "massaged_chair-b_intensity"),
			 "unique ids: %s / %s", copy, cb);
		M_ASSERT(&w, strstr(cb, "massaged/chair-b/intensity/set") && !strstr(cb, "chair-a"),
			 "chair-b's config names chair-a's topics: %s", cb);
	}

	/* one chair's daemon gone: only its availability changes */
	harness_kill_daemon(&a->h);
	M_WAIT_VALUE(&w, mqtt_topic(a, "daemon"), "offline", MQTT_TIMEOUT_MS);
	mqtt_pump(&w, 300);
	M_ASSERT(&w, strcmp(mqtt_last(&w, mqtt_topic(b, "daemon")), "online") == 0,
		 "chair-b went offline with chair-a");
	harness_start_daemon(&a->h, SCALE);
	M_WAIT_VALUE(&w, mqtt_topic(a, "daemon"), "online", MQTT_TIMEOUT_MS);
	mqtt_stop(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt-fleet");

	CHECK_ADD_TEST(s, test_two_chairs, 60);
	return check_run_tap(s);
}
