/* SPDX-License-Identifier: MIT */
/* Hostile MQTT input: wrong values and JSON, numbers out of range or that wrap, huge
 * payloads, non-UTF-8, unknown programs and profiles, commands on the wrong topic,
 * retained commands. Each is refused on the error topic (valid JSON, whatever came in),
 * nothing changes on the chair, and the bridge still answers a valid command. */
#include <mosquitto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "harness-mqtt.h"

#define SCALE SCAN_SCALE
#define E_PAYLOAD "org.massaged.Mqtt.Error.InvalidPayload"
#define E_TOO_LARGE "org.massaged.Mqtt.Error.PayloadTooLarge"
#define E_TOPIC "org.massaged.Mqtt.Error.UnknownTopic"
#define E_RETAINED "org.massaged.Mqtt.Error.Retained"
/* a number out of range may be caught by the bridge or by massaged: either refuses */
#define E_RANGE E_PAYLOAD "|" ERROR_INVALID_ARGS
#define ERROR_SIZE_MAX 4096

struct hostile {
	const char *suffix;
	const char *payload;
	size_t len;         /* 0: strlen(payload) */
	const char *errors; /* NULL: ignored */
};

static const struct hostile cases[] = {
	/* not a number, not a whole one, not one of the values */
	{ "intensity/set", "abc", 0, E_PAYLOAD },
	{ "intensity/set", "3.5", 0, E_PAYLOAD },
	{ "intensity/set", "3abc", 0, E_PAYLOAD },
	{ "intensity/set", "{\"intensity\": 3}", 0, E_PAYLOAD },
	{ "speed/set", "[4]", 0, E_PAYLOAD },
	{ "timer/set", "ten", 0, E_PAYLOAD },
	{ "width/set", "huge", 0, E_PAYLOAD },
	{ "width/set", "{\"width\":\"wide\"}", 0, E_PAYLOAD },
	{ "gentle/set", "maybe", 0, E_PAYLOAD },
	{ "pad/neck/mode/set", "cool", 0, E_PAYLOAD },
	{ "pad/neck/target/set", "warm", 0, E_PAYLOAD },
	/* out of range, or numbers that wrap to a valid level when narrowed */
	{ "intensity/set", "-1", 0, E_RANGE },
	{ "intensity/set", "4294967299", 0, E_RANGE },
	{ "intensity/set", "99999999999999999999999", 0, E_RANGE },
	{ "speed/set", "-4294967291", 0, E_RANGE },
	{ "timer/set", "1e400", 0, E_RANGE },
	{ "timer/set", "0", 0, E_RANGE },
	{ "pad/neck/target/set", "nan", 0, E_RANGE },
	{ "pad/neck/target/set", "inf", 0, E_RANGE },
	{ "pad/neck/target/set", "-40", 0, E_RANGE },
	{ "pad/neck/target/set", "1e308", 0, E_RANGE },
	/* unknown programs and profiles */
	{ "program/set", "no-such-program", 0, CHAIR_ERROR("NoSuchProgram") "|" E_PAYLOAD },
	{ "program/set", "../../../etc/passwd", 0, CHAIR_ERROR("NoSuchProgram") "|" E_PAYLOAD },
	{ "profile/set", "nobody", 0, CHAIR_ERROR("NoSuchProfile") "|" E_PAYLOAD },
	{ "profile/set", "../alice", 0, CHAIR_ERROR("NoSuchProfile") "|" E_PAYLOAD "|" ERROR_INVALID_ARGS },
	/* not UTF-8, a NUL inside */
	{ "width/set", "\xff\xfe", 0, E_PAYLOAD },
	{ "program/set", "\xc3\x28", 0, E_PAYLOAD },
	{ "profile/set", "\xed\xa0\x80", 0, E_PAYLOAD }, /* a UTF-16 surrogate */
	{ "profile/set", "al\0ice", 6, E_PAYLOAD },
	{ "intensity/set", "3\0", 2, E_PAYLOAD },
	/* the wrong topic */
	{ "intensity/press", "3", 0, E_TOPIC },
	{ "foo/set", "1", 0, E_TOPIC },
	{ "stop/set", "PRESS", 0, E_TOPIC },
	{ "pad/attic/target/set", "35", 0, E_TOPIC },
	{ "pad/neck/lockout/set", "OFF", 0, E_TOPIC },
	{ "reset-lockout/press", "PRESS", 0, E_TOPIC },
	/* outside the command patterns (B/+/set, B/+/press, B/pad/+/+/set): no answer,
	 * nothing done */
	{ "program/set/now", TEST_SHORT_ID, 0, NULL },
	{ "pad/neck/reset-lockout/press", "PRESS", 0, NULL },
	{ "program", TEST_SHORT_ID, 0, NULL },
	{ "pad/neck/mode", "heat", 0, NULL },
};

START_TEST(test_hostile_payloads)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	char *before;

	H_CALL(&c->h, "SaveProfile", "s", "alice");
	M_WAIT_VALUE(&w, mqtt_topic(c, "profile"), "alice", MQTT_TIMEOUT_MS);
	before = harness_snapshot(&c->h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hostile *x = &cases[i];

		if (!x->errors) {
			mqtt_publish_at(&w, __FILE__, __LINE__, mqtt_topic(c, x->suffix), x->payload,
					strlen(x->payload), false);
			continue;
		}
		(void)mqtt_expect_error_at(c, __FILE__, __LINE__, x->suffix, x->payload,
					   x->len ? x->len : strlen(x->payload), x->errors);
	}
	mqtt_pump(&w, 300);
	H_ASSERT_UNCHANGED(&c->h, before);
	free(before);
	for (size_t z = 0; z < MQTT_ZONES; z++)
		H_ASSERT_STR_EQ(&c->h, harness_pad_prop(&c->h, __FILE__, __LINE__, mqtt_pad_paths[z], "Target"),
				"0.00");
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* 257 bytes, 1 MB: refused unread, the error small. */
START_TEST(test_huge_payloads)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	size_t big = 1024 * 1024;
	char *payload = malloc(big), *before;
	const char *error_topic = mqtt_topic(c, "error");

	M_ASSERT(&w, payload, "out of memory");
	memset(payload, '1', big);
	before = harness_snapshot(&c->h);
	(void)mqtt_expect_error_at(c, __FILE__, __LINE__, "intensity/set", payload, 257, E_TOO_LARGE);
	memcpy(payload, TEST_SHORT_ID, strlen(TEST_SHORT_ID)); /* a valid id, then a megabyte */
	(void)mqtt_expect_error_at(c, __FILE__, __LINE__, "program/set", payload, big, E_TOO_LARGE);
	(void)mqtt_expect_error_at(c, __FILE__, __LINE__, "no-such-thing/set", payload, big, E_TOO_LARGE "|" E_TOPIC);
	for (size_t i = 0; i < w.client.n_msgs; i++)
		if (strcmp(w.client.msgs[i].topic, error_topic) == 0)
			M_ASSERT(&w, w.client.msgs[i].len <= ERROR_SIZE_MAX,
				 "an error of %zu bytes: the error topic must not echo a huge payload",
				 w.client.msgs[i].len);
	free(payload);
	H_ASSERT_UNCHANGED(&c->h, before);
	free(before);
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* A retained command waiting on the broker is refused when the bridge (re)connects: it
 * would run again at every reconnection. */
START_TEST(test_retained_command)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *topic = mqtt_topic(c, "intensity/set");
	size_t mark;
	bool refused = false;

	mqtt_bridge_stop(c);
	M_WAIT_VALUE(&w, mqtt_topic(c, "bridge"), "offline", MQTT_TIMEOUT_MS);
	H_CALL(&c->h, "SetIntensity", "u", 4);
	mqtt_publish_at(&w, __FILE__, __LINE__, topic, "2", 1, true);
	mqtt_publish_at(&w, __FILE__, __LINE__, mqtt_topic(c, "stop/press"), "PRESS", 5, true);
	M_ASSERT(&w, mqtt_retained(&w, topic), "the broker did not keep the retained command");
	mark = mqtt_mark(&w);
	mqtt_bridge_start(c);
	for (size_t n = 0; n < 2; n++) {
		const struct mqtt_msg *m = M_WAIT_MSG(&w, mark, mqtt_topic(c, "error"), NULL, MQTT_TIMEOUT_MS);
		json_object *o = json_tokener_parse(m->payload);
		const char *name = o ? json_object_get_string(json_object_object_get(o, "error")) : NULL;

		M_ASSERT(&w, name && strcmp(name, E_RETAINED) == 0, "a retained command: %s, expected %s", m->payload,
			 E_RETAINED);
		refused |= strstr(m->payload, "intensity/set") != NULL;
		json_object_put(o);
		mark = (size_t)(m - w.client.msgs) + 1;
	}
	M_ASSERT(&w, refused, "the retained intensity/set was not refused");
	mqtt_pump(&w, 500);
	H_WAIT_PROP(&c->h, "Intensity", "4", 100);
	M_WAIT_VALUE(&w, mqtt_topic(c, "intensity"), "4", MQTT_TIMEOUT_MS);
	/* clear them (an empty retained message) */
	mqtt_publish_at(&w, __FILE__, __LINE__, topic, "", 0, true);
	mqtt_publish_at(&w, __FILE__, __LINE__, mqtt_topic(c, "stop/press"), "", 0, true);
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* A state topic written by someone else changes nothing on the chair. */
START_TEST(test_state_topic_written)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	char *before = harness_snapshot(&c->h);

	M_PUB(&w, mqtt_topic(c, "intensity"), "5");
	M_PUB(&w, mqtt_topic(c, "state"), "running");
	M_PUB(&w, mqtt_topic(c, "pad/neck/target"), "48");
	mqtt_pump(&w, 500);
	H_ASSERT_UNCHANGED(&c->h, before);
	free(before);
	M_BRIDGE_ALIVE(c);
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* A flood of commands (an automation in a loop) while massaged is slow to answer: none
 * is refused, the last one wins, the state topic stays coalesced. */
START_TEST(test_command_flood)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *topic = mqtt_topic(c, "intensity/set"), *state = mqtt_topic(c, "intensity");
	uint64_t start = harness_now_usec();
	size_t mark = mqtt_mark(&w), n = 0;
	double seconds;

	int mid = 0;

	/* massaged busy for a moment (stopped), the commands all at once, as fast as the
	 * broker takes them: more than the bus lets one connection wait for (128 replies) */
	(void)kill(c->h.daemon_pid, SIGSTOP);
	for (int i = 0; i < 400; i++)
		M_ASSERT(&w,
			 mosquitto_publish(w.client.mosq, &mid, topic, 1, i % 2 ? "2" : "3", 1, false) ==
				 MOSQ_ERR_SUCCESS,
			 "publish %d", i);
	M_ASSERT(&w, mosquitto_publish(w.client.mosq, &mid, topic, 1, "4", 1, false) == MOSQ_ERR_SUCCESS, "publish");
	while (w.client.acked_mid != mid) {
		M_ASSERT(&w, harness_now_usec() - start < 10 * 1000000ULL, "the broker did not take the flood in 10 s");
		mqtt_pump(&w, 10);
	}
	mqtt_pump(&w, 200);
	(void)kill(c->h.daemon_pid, SIGCONT);
	M_WAIT_VALUE(&w, state, "4", MQTT_TIMEOUT_MS);
	H_WAIT_PROP(&c->h, "Intensity", "4", MQTT_TIMEOUT_MS);
	mqtt_pump(&w, 500);
	seconds = (double)(harness_now_usec() - start) / 1e6;
	for (size_t i = mark; i < w.client.n_msgs; i++)
		n += strcmp(w.client.msgs[i].topic, state) == 0;
	M_ASSERT(&w, n <= 4 * seconds + 4, "%zu messages on %s in %.1f s: not coalesced", n, state, seconds);
	M_ASSERT(&w, !mqtt_seen_since(&w, mark, mqtt_topic(c, "error")), "a valid command was refused in the flood");
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* A burst while massaged is slow to answer: past the calls the bridge lets wait for a
 * reply, the commands queue one per topic and leave in the order of the newest ones, so
 * a stop pressed last is the last word even with an older stop queued before the
 * program (docs/mqtt.md). */
START_TEST(test_burst_order)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	size_t mark;

	(void)kill(c->h.daemon_pid, SIGSTOP);
	for (int i = 0; i < 20; i++)
		M_PUB(&w, mqtt_topic(c, "speed/set"), i % 2 ? "2" : "3");
	M_PUB(&w, mqtt_topic(c, "stop/press"), "PRESS");
	M_PUB(&w, mqtt_topic(c, "program/set"), TEST_LONG_ID);
	M_PUB(&w, mqtt_topic(c, "stop/press"), "PRESS");
	mqtt_pump(&w, 200);
	mark = mqtt_mark(&w);
	(void)kill(c->h.daemon_pid, SIGCONT);
	H_WAIT_PROP(&c->h, "Speed", "2", MQTT_TIMEOUT_MS);
	mqtt_pump(&w, 1000);
	H_WAIT_PROP(&c->h, "State", "idle", MQTT_TIMEOUT_MS);
	H_WAIT_PROP(&c->h, "Program", "", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "idle", MQTT_TIMEOUT_MS);
	M_ASSERT(&w, !mqtt_seen_since(&w, mark, mqtt_topic(c, "error")), "a valid command was refused in the burst");
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* Commands queued for a massaged that then leaves the bus are refused ChairUnavailable,
 * not lost silently nor sent to the next one. */
START_TEST(test_queued_daemon_gone)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	char error_topic[160], intensity[160], want[8];
	size_t mark;

	/* copies: mqtt_topic's ring is reused below */
	(void)snprintf(error_topic, sizeof(error_topic), "%s", mqtt_topic(c, "error"));
	(void)snprintf(intensity, sizeof(intensity), "%s", mqtt_topic(c, "intensity/set"));
	(void)snprintf(want, sizeof(want), "%s", H_PROP(&c->h, "Intensity"));
	M_ASSERT(&w, strcmp(want, "5") != 0, "Intensity is 5 already");
	(void)kill(c->h.daemon_pid, SIGSTOP);
	for (int i = 0; i < 20; i++)
		M_PUB(&w, mqtt_topic(c, "speed/set"), i % 2 ? "2" : "3");
	M_PUB(&w, intensity, "5");
	mqtt_pump(&w, 200);
	mark = mqtt_mark(&w);
	harness_kill_daemon(&c->h);
	for (;;) {
		const struct mqtt_msg *m = M_WAIT_MSG(&w, mark, error_topic, NULL, MQTT_TIMEOUT_MS);
		json_object *o = json_tokener_parse(m->payload);
		const char *topic = o ? json_object_get_string(json_object_object_get(o, "topic")) : NULL;
		const char *name = o ? json_object_get_string(json_object_object_get(o, "error")) : NULL;
		bool ours = topic && strcmp(topic, intensity) == 0;

		if (ours)
			M_ASSERT(&w, name && strcmp(name, "org.massaged.Mqtt.Error.ChairUnavailable") == 0,
				 "the queued command: %s, expected ChairUnavailable", m->payload);
		json_object_put(o);
		if (ours)
			break;
		mark = (size_t)(m - w.client.msgs) + 1;
	}
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "offline", MQTT_TIMEOUT_MS);
	harness_start_daemon(&c->h, SCALE);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "online", MQTT_TIMEOUT_MS);
	mqtt_pump(&w, 500);
	H_ASSERT_STR_EQ(&c->h, H_PROP(&c->h, "Intensity"), want);
	M_BRIDGE_ALIVE(c);
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt-hostile");

	CHECK_ADD_TEST(s, test_hostile_payloads, 60);
	CHECK_ADD_TEST(s, test_huge_payloads, 60);
	CHECK_ADD_TEST(s, test_retained_command, 60);
	CHECK_ADD_TEST(s, test_state_topic_written, 60);
	CHECK_ADD_TEST(s, test_command_flood, 60);
	CHECK_ADD_TEST(s, test_burst_order, 60);
	CHECK_ADD_TEST(s, test_queued_daemon_gone, 60);
	return check_run_tap(s);
}
