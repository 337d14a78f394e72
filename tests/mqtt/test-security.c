/* SPDX-License-Identifier: MIT */
/* Security: control on an anonymous, non-loopback broker refused at start with a
 * sentence; TLS with the test's CA and a client certificate works (and a server the CA
 * did not sign is not trusted); no topic reaches ResetLockout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness-mqtt.h"

#define SCALE 50
#define NECK_PAD CHAIR_PATH "/heater/neck"
#define START_EXIT_MS 5000

/* massaged-mqtt with this config text: it exits non-zero at once, saying why. */
static void expect_refused_start(struct mqtt_chair *c, const char *text, const char *why)
{
	int status;

	harness_write_file(&c->h, c->bridge_conf, text);
	mqtt_bridge_spawn(c);
	status = mqtt_bridge_wait_exit(c, START_EXIT_MS);
	M_ASSERT(c->world, WIFEXITED(status) && WEXITSTATUS(status) != 0, "massaged-mqtt started with %s (status 0x%x)",
		 text, (unsigned)status);
	M_ASSERT(c->world, mqtt_bridge_log_contains(c, why), "massaged-mqtt did not say \"%s\" for %s", why, text);
}

/* It starts (and keeps trying to reach its broker): killed after a moment. */
static void expect_started(struct mqtt_chair *c, const char *text)
{
	harness_write_file(&c->h, c->bridge_conf, text);
	mqtt_bridge_spawn(c);
	mqtt_pump(c->world, 700);
	M_BRIDGE_ALIVE(c);
	mqtt_bridge_kill(c);
}

/* massaged-mqtt --check-config: exit status and what it prints (stdout and stderr). */
static int check_config(struct mqtt_chair *c, const char *text, const char **said)
{
	char out[400];
	int status;

	harness_write_file(&c->h, c->bridge_conf, text);
	(void)snprintf(out, sizeof(out), "%s/check.out", c->world->dir);
	status = harness_run(&c->h,
			     (char *[]) { getenv("MASSAGED_MQTT"), "--config", c->bridge_conf, "--check-config", NULL },
			     out, out, START_EXIT_MS);
	*said = harness_read_file(&c->h, out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_anonymous_remote_refused)
{
	struct mqtt_world w;
	struct mqtt_chair *c;

	mqtt_world_init(&w);
	c = mqtt_chair_add(&w, "test-chair", NULL);
	harness_start_daemon(&c->h, SCALE);
	/* 192.0.2.1: TEST-NET-1, never a real host */
	expect_refused_start(c, "[Broker]\nHost=192.0.2.1\n[Chair]\nId=test-chair\n", "AllowAnonymous");
	/* said so explicitly, or no control, or a password: it runs */
	expect_started(c, "[Broker]\nHost=192.0.2.1\nAllowAnonymous=yes\n[Chair]\nId=test-chair\n");
	expect_started(c, "[Broker]\nHost=192.0.2.1\n[Chair]\nId=test-chair\n[Control]\nEnabled=no\n");
	{
		char text[600], pw[400];

		(void)snprintf(pw, sizeof(pw), "%s/pw", w.dir);
		harness_write_file(&c->h, pw, "x\n");
		(void)snprintf(text, sizeof(text),
			       "[Broker]\nHost=192.0.2.1\nUsername=u\nPasswordFile=%s\n[Chair]\nId=test-chair\n", pw);
		expect_started(c, text);
	}
	/* loopback is not refused */
	expect_started(c, "[Broker]\nHost=127.0.0.1\nPort=1\n[Chair]\nId=test-chair\n");
	/* --check-config says the same without starting */
	{
		const char *said;
		int r = check_config(c, "[Broker]\nHost=192.0.2.1\n[Chair]\nId=test-chair\n", &said);

		M_ASSERT(&w, r != 0 && strstr(said, "AllowAnonymous"), "--check-config: exit %d, said %s", r, said);
		r = check_config(c, "[Broker]\nHost=192.0.2.1\nAllowAnonymous=yes\n[Chair]\nId=test-chair\n", &said);
		M_ASSERT(&w, r == 0 && strstr(said, "OK"), "--check-config of a valid file: exit %d, said %s", r, said);
	}
	/* a config error names file and line */
	{
		char want[400];

		expect_refused_start(c, "[Broker]\nHost=127.0.0.1\nPort=banana\n[Chair]\nId=test-chair\n", "banana");
		(void)snprintf(want, sizeof(want), "%s:3", c->bridge_conf);
		M_ASSERT(&w, mqtt_bridge_log_contains(c, want), "the error does not name %s", want);
	}
	mqtt_stop(&w);
}
END_TEST

/* TLS: the broker asks for a client certificate signed by the test CA. */
START_TEST(test_tls)
{
	struct mqtt_world w;
	struct mqtt_chair *c;

	mqtt_world_init(&w);
	c = mqtt_chair_add(&w, "tls-chair", NULL);
	mqtt_broker_start(&w, true);
	harness_start_daemon(&c->h, SCALE);
	mqtt_client_open(&w, &w.client, "massaged-test-client", "#");
	mqtt_bridge_write_config(c, NULL, NULL);
	mqtt_bridge_start(c);
	M_RESPONSIVE(c);
	mqtt_bridge_stop(c);
	M_WAIT_VALUE(&w, mqtt_topic(c, "bridge"), "offline", MQTT_TIMEOUT_MS);

	/* a CA that did not sign the broker's certificate: never online, still running */
	{
		char text[2048];
		size_t mark = mqtt_mark(&w);

		(void)snprintf(
			text, sizeof(text),
			"[Broker]\nHost=127.0.0.1\nPort=%u\nCAFile=%s\nCertFile=%s\nKeyFile=%s\n[Chair]\nId=tls-chair\n",
			w.broker.port, w.broker.other_ca, w.broker.client_cert, w.broker.client_key);
		harness_write_file(&c->h, c->bridge_conf, text);
		mqtt_bridge_spawn(c);
		mqtt_pump(&w, 2500);
		M_BRIDGE_ALIVE(c);
		M_ASSERT(&w, !mqtt_seen_since(&w, mark, mqtt_topic(c, "bridge")),
			 "the bridge connected to a broker its CA did not sign");
		mqtt_bridge_kill(c);
	}
	mqtt_stop(&w);
}
END_TEST

/* ResetLockout is root's alone: no topic maps to it, whatever is tried. */
START_TEST(test_no_reset_lockout)
{
	/* command-shaped topics: refused as unknown */
	static const char *const tries[] = {
		"pad/neck/lockout/set", "pad/neck/reset/set", "reset-lockout/press", "lockout/set", "reset-lockout/set",
	};
	/* others: not even subscribed to */
	static const char *const ignored[] = {
		"pad/neck/lockout/reset",
		"pad/neck/reset-lockout/press",
		"pad/neck/lockout/press",
	};
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);

	/* a welded neck relay shows while another pad heats (the master relay closed) */
	sd_bus_message_unref(harness_call_ok(&c->h, __FILE__, __LINE__, CHAIR_PATH "/heater/shoulders", HEATER_IFACE,
					     "SetTarget", "d", 40.0));
	H_SIM(&c->h, "InjectFault", "sb", "heater-stuck:neck", 1);
	harness_wait_pad(&c->h, __FILE__, __LINE__, NECK_PAD, "Lockout", "heater-stuck:neck",
			 harness_wall_ms(&c->h, 200) + 3000);
	H_SIM(&c->h, "InjectFault", "sb", "heater-stuck:neck", 0);
	M_WAIT_VALUE(&w, mqtt_topic(c, "pad/neck/lockout"), "ON", MQTT_TIMEOUT_MS);
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++)
		(void)mqtt_expect_error_at(c, __FILE__, __LINE__, tries[i], "OFF", 3,
					   "org.massaged.Mqtt.Error.UnknownTopic");
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		M_PUB(&w, mqtt_topic(c, ignored[i]), "OFF");
	/* heat on the locked pad goes to massaged and is refused there */
	(void)mqtt_expect_error_at(c, __FILE__, __LINE__, "pad/neck/mode/set", "heat", 4,
				   CHAIR_ERROR("LockedOut") "|" CHAIR_ERROR("Faulted"));
	mqtt_pump(&w, 300);
	H_ASSERT_STR_EQ(&c->h, harness_pad_prop(&c->h, __FILE__, __LINE__, NECK_PAD, "Lockout"), "heater-stuck:neck");
	{
		const char *v = mqtt_retained(&w, mqtt_topic(c, "pad/neck/lockout"));

		M_ASSERT(&w, v && strcmp(v, "ON") == 0, "the lockout shows %s", v ? v : "(none)");
	}
	mqtt_stop(&w);
}
END_TEST

/* [Control] Enabled=no: the state is published, commands do nothing, and Home Assistant
 * is offered no control that would do nothing (no command topic in any config). */
START_TEST(test_control_off)
{
	struct mqtt_world w;
	struct mqtt_chair *c;
	struct mqtt_msg *configs;
	size_t n;
	char *before;

	mqtt_world_init(&w);
	c = mqtt_chair_add(&w, "test-chair", NULL);
	mqtt_broker_start(&w, false);
	harness_start_daemon(&c->h, SCALE);
	mqtt_client_open(&w, &w.client, "massaged-test-client", "#");
	mqtt_bridge_write_config(c, NULL, "[Control]\nEnabled=no\n");
	mqtt_bridge_start(c);
	before = harness_snapshot(&c->h);
	M_PUB(&w, mqtt_topic(c, "intensity/set"), "5");
	M_PUB(&w, mqtt_topic(c, "program/set"), TEST_SHORT_ID);
	M_PUB(&w, mqtt_topic(c, "pad/neck/mode/set"), "heat");
	mqtt_pump(&w, 500);
	H_ASSERT_UNCHANGED(&c->h, before);
	free(before);
	H_ASSERT_STR_EQ(&c->h, harness_pad_prop(&c->h, __FILE__, __LINE__, NECK_PAD, "Target"), "0.00");
	configs = mqtt_retained_all(&w, "homeassistant/#", &n);
	M_ASSERT(&w, n > 0, "no discovery with control off");
	for (size_t i = 0; i < n; i++)
		M_ASSERT(&w, !strstr(configs[i].payload, "command_topic") && !strstr(configs[i].payload, "cmd_t"),
			 "control is off, yet %s offers a command: %.300s", configs[i].topic, configs[i].payload);
	mqtt_msgs_free(configs, n);
	mqtt_stop(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt-security");

	CHECK_ADD_TEST(s, test_anonymous_remote_refused, 60);
	CHECK_ADD_TEST(s, test_tls, 60);
	CHECK_ADD_TEST(s, test_no_reset_lockout, 60);
	CHECK_ADD_TEST(s, test_control_off, 60);
	return check_run_tap(s);
}
