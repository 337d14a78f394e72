/* SPDX-License-Identifier: MIT */
/* Every command topic of docs/mqtt.md drives the chair: the state topic shows the
 * change, and so does massaged's D-Bus property. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "harness-mqtt.h"

#define SCALE SCAN_SCALE
#define NECK_PAD CHAIR_PATH "/heater/neck"

static double pad_number(struct mqtt_chair *c, const char *name)
{
	return strtod(harness_pad_prop(&c->h, __FILE__, __LINE__, NECK_PAD, name), NULL);
}

/* Wait until the neck pad's D-Bus property is value (within 0.05). */
static void wait_pad_number(struct mqtt_chair *c, const char *name, double value)
{
	uint64_t deadline = harness_now_usec() + MQTT_TIMEOUT_MS * 1000ULL;
	double v;

	while ((v = pad_number(c, name)) < value - 0.05 || v > value + 0.05) {
		M_ASSERT(c->world, harness_now_usec() < deadline, "neck pad %s is %g, expected %g", name, v, value);
		mqtt_pump(c->world, 20);
	}
}

/* Digits after the point of a plain decimal number; -1 when s is not one. */
static int decimals(const char *s)
{
	const char *dot;
	char *end;

	if (!s || !s[0] || (strtod(s, &end), *end != '\0') || strspn(s, "-0123456789.") != strlen(s))
		return -1;
	dot = strchr(s, '.');
	return dot ? (int)strlen(dot + 1) : 0;
}

/* A state topic's last payload has this many decimals (docs/mqtt.md's formats). */
static void assert_decimals(struct mqtt_chair *c, const char *suffix, int want)
{
	const char *v = mqtt_last(c->world, mqtt_topic(c, suffix));

	M_ASSERT(c->world, decimals(v) == want, "%s is \"%s\": expected a number with %d decimals", suffix,
		 v ? v : "(none)", want);
}

/* No topic got the same payload twice in a row (docs/mqtt.md; the broker did not go
 * away, so nothing was published again). */
static void assert_no_repeats(struct mqtt_world *w)
{
	for (size_t i = 0; i < w->client.n_msgs; i++) {
		const struct mqtt_msg *m = &w->client.msgs[i];

		if (strstr(m->topic, "/error") || strstr(m->topic, "/set") || strstr(m->topic, "/press"))
			continue;
		for (size_t k = i + 1; k < w->client.n_msgs; k++)
			if (strcmp(w->client.msgs[k].topic, m->topic) == 0) {
				M_ASSERT(w, strcmp(w->client.msgs[k].payload, m->payload) != 0,
					 "%s got \"%.100s\" twice in a row", m->topic, m->payload);
				break;
			}
	}
}

/* The settings: intensity, speed, width, timer. */
START_TEST(test_settings)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);

	M_COMMAND(c, "intensity/set", "4", "intensity", "4");
	H_WAIT_PROP(&c->h, "Intensity", "4", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "intensity/set", "1", "intensity", "1");
	H_WAIT_PROP(&c->h, "Intensity", "1", MQTT_TIMEOUT_MS);
	/* as Home Assistant's number entity sends it, and with blanks around */
	M_COMMAND(c, "intensity/set", "3.0", "intensity", "3");
	H_WAIT_PROP(&c->h, "Intensity", "3", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "intensity/set", " 2\n", "intensity", "2");
	H_WAIT_PROP(&c->h, "Intensity", "2", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "speed/set", "6", "speed", "6");
	H_WAIT_PROP(&c->h, "Speed", "6", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "width/set", "narrow", "width", "narrow");
	H_WAIT_PROP(&c->h, "Width", "narrow", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "width/set", "wide", "width", "wide");
	H_WAIT_PROP(&c->h, "Width", "wide", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "timer/set", "10", "timer", "10");
	H_WAIT_PROP(&c->h, "SessionLimit", "600", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "timer/set", "25", "timer", "25");
	H_WAIT_PROP(&c->h, "SessionLimit", "1500", MQTT_TIMEOUT_MS);
	mqtt_stop(&w);
}
END_TEST

/* A session: scan, start by id and by title, pause, resume, stop. */
START_TEST(test_session)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);

	M_WAIT_VALUE(&w, mqtt_topic(c, "program"), "None", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "scan/press", "PRESS", "state", "scanning");
	H_WAIT_PROP(&c->h, "State", "scanning", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "idle", SCAN_TIMEOUT_MS(&c->h));
	M_ASSERT(&w, H_PROP_U(&c->h, "ShoulderHeight") > 0, "the scan found no shoulder line");

	M_COMMAND(c, "program/set", TEST_LONG_ID, "state", "running");
	H_WAIT_PROP(&c->h, "Program", TEST_LONG_ID, MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "program"), TEST_LONG_ID, MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "program/title"), "Test long", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "step"), "1/2", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "technique"), "glide", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "zone"), "back", MQTT_TIMEOUT_MS);
	{
		/* the session's clock runs: remaining falls */
		size_t mark = mqtt_mark(&w);
		const struct mqtt_msg *m = M_WAIT_MSG(&w, mark, mqtt_topic(c, "remaining"), NULL, MQTT_TIMEOUT_MS);
		long first = strtol(m->payload, NULL, 10);

		mark = mqtt_mark(&w);
		m = M_WAIT_MSG(&w, mark, mqtt_topic(c, "remaining"), NULL, MQTT_TIMEOUT_MS);
		M_ASSERT(&w, strtol(m->payload, NULL, 10) < first && first <= 1800, "remaining %ld then %s", first,
			 m->payload);
	}

	/* Remaining ticks 20 times a second of wall time here: the bridge coalesces to at
	 * most 4 a second per topic (docs/mqtt.md) */
	{
		size_t mark = mqtt_mark(&w), n = 0;
		const char *topic = mqtt_topic(c, "remaining");

		mqtt_pump(&w, 2000);
		for (size_t i = mark; i < w.client.n_msgs; i++)
			n += strcmp(w.client.msgs[i].topic, topic) == 0;
		M_ASSERT(&w, n >= 4 && n <= 10, "%zu messages on %s in 2 s, expected 4 a second at most (and some)", n,
			 topic);
	}

	/* the formats docs/mqtt.md gives */
	assert_decimals(c, "force", 1);
	assert_decimals(c, "remaining", 0);
	assert_decimals(c, "roller-hours", 2);
	assert_decimals(c, "timer", 0);
	assert_decimals(c, "pad/neck/temperature", 1);
	assert_decimals(c, "pad/neck/target", 1);
	assert_decimals(c, "pad/neck/power", 0);
	assert_decimals(c, "pad/neck/dose", 1);
	assert_decimals(c, "pad/neck/heating-hours", 2);
	assert_decimals(c, "pad/neck/relay-switches", 0);

	M_COMMAND(c, "pause/press", "PRESS", "state", "paused");
	H_WAIT_PROP(&c->h, "State", "paused", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "pause/press", "PRESS", "state", "running");
	H_WAIT_PROP(&c->h, "State", "running", MQTT_TIMEOUT_MS);

	M_COMMAND(c, "stop/press", "PRESS", "state", "idle");
	H_WAIT_PROP(&c->h, "State", "idle", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "program"), "None", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "step"), "None", MQTT_TIMEOUT_MS);

	/* by title, as Home Assistant's select sends it */
	M_COMMAND(c, "program/set", "Test short", "program", TEST_SHORT_ID);
	H_WAIT_PROP(&c->h, "Program", TEST_SHORT_ID, MQTT_TIMEOUT_MS);
	M_COMMAND(c, "stop/press", "PRESS", "state", "idle");
	assert_no_repeats(&w);
	mqtt_stop(&w);
}
END_TEST

/* Profiles (one made over D-Bus; none picked as "None" or as the select's "(none)"),
 * gentle mode on, and off refused by default. */
START_TEST(test_profile_gentle)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *m;

	size_t mark = mqtt_mark(&w);

	H_CALL(&c->h, "SaveProfile", "s", "alice");
	M_WAIT_VALUE(&w, mqtt_topic(c, "profile"), "alice", MQTT_TIMEOUT_MS);
	/* Home Assistant's profile select offers the new one */
	for (;;) {
		const struct mqtt_msg *config =
			M_WAIT_MSG(&w, mark, "homeassistant/select/test-chair/profile/config", NULL, MQTT_TIMEOUT_MS);

		if (strstr(config->payload, "\"alice\"")) {
			M_ASSERT(&w, strstr(config->payload, "\"options\":[\"(none)\",\"alice\"]"),
				 "the profile select does not offer \"(none)\" first: %s", config->payload);
			break;
		}
		mark = (size_t)(config - w.client.msgs) + 1;
	}
	{
		json_object *o = json_tokener_parse(mqtt_last(&w, mqtt_topic(c, "profiles")));

		M_ASSERT(&w,
			 o && json_object_is_type(o, json_type_array) && json_object_array_length(o) == 1 &&
				 strcmp(json_object_get_string(json_object_array_get_idx(o, 0)), "alice") == 0,
			 "profiles: %s, expected [\"alice\"]", mqtt_last(&w, mqtt_topic(c, "profiles")));
		json_object_put(o);
	}
	M_COMMAND(c, "profile/set", "None", "profile", "None");
	H_WAIT_PROP(&c->h, "Profile", "", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "profile/set", "alice", "profile", "alice");
	H_WAIT_PROP(&c->h, "Profile", "alice", MQTT_TIMEOUT_MS);
	/* the select's "(none)" option, as Home Assistant sends it */
	M_COMMAND(c, "profile/set", "(none)", "profile", "None");
	H_WAIT_PROP(&c->h, "Profile", "", MQTT_TIMEOUT_MS);

	M_WAIT_VALUE(&w, mqtt_topic(c, "gentle"), "OFF", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "gentle/set", "on", "gentle", "ON"); /* any case */
	H_WAIT_PROP(&c->h, "Gentle", "true", MQTT_TIMEOUT_MS);
	m = M_EXPECT_ERROR(c, "gentle/set", "OFF", "org.massaged.Mqtt.Error.NotAllowed");
	M_ASSERT(&w, strstr(m, "AllowGentleOff"), "the refusal should say how to allow it: %s", m);
	mqtt_pump(&w, 200);
	M_ASSERT(&w, H_PROP_B(&c->h, "Gentle"), "gentle mode went off over MQTT");
	M_ASSERT(&w, strcmp(mqtt_last(&w, mqtt_topic(c, "gentle")), "ON") == 0, "gentle shows %s",
		 mqtt_last(&w, mqtt_topic(c, "gentle")));
	mqtt_stop(&w);
}
END_TEST

/* [Control] AllowGentleOff=yes lets it go off. */
START_TEST(test_gentle_off_allowed)
{
	struct mqtt_world w;
	struct mqtt_chair *c;

	mqtt_world_init(&w);
	c = mqtt_chair_add(&w, "test-chair", NULL);
	mqtt_broker_start(&w, false);
	harness_start_daemon(&c->h, SCALE);
	mqtt_client_open(&w, &w.client, "massaged-test-client", "#");
	mqtt_bridge_write_config(c, NULL, "[Control]\nAllowGentleOff=yes\n");
	mqtt_bridge_start(c);
	H_CALL(&c->h, "SetGentle", "b", 1);
	M_WAIT_VALUE(&w, mqtt_topic(c, "gentle"), "ON", MQTT_TIMEOUT_MS);
	M_COMMAND(c, "gentle/set", "OFF", "gentle", "OFF");
	H_WAIT_PROP(&c->h, "Gentle", "false", MQTT_TIMEOUT_MS);
	mqtt_stop(&w);
}
END_TEST

/* A pad: a target remembered while off, mode heat, a new target, mode off. */
START_TEST(test_pad)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);

	M_WAIT_VALUE(&w, mqtt_topic(c, "pad/neck/mode"), "off", MQTT_TIMEOUT_MS);
	M_PUB(&w, mqtt_topic(c, "pad/neck/target/set"), "38");
	M_WAIT_NUMBER(&w, mqtt_topic(c, "pad/neck/target"), 38, MQTT_TIMEOUT_MS);
	M_ASSERT(&w, pad_number(c, "Target") == 0, "a target while off heats: Target %g", pad_number(c, "Target"));
	M_COMMAND(c, "pad/neck/mode/set", "heat", "pad/neck/mode", "heat");
	wait_pad_number(c, "Target", 38);
	M_WAIT_VALUE(&w, mqtt_topic(c, "pad/neck/action"), "heating", MQTT_TIMEOUT_MS);
	M_PUB(&w, mqtt_topic(c, "pad/neck/target/set"), "40.5");
	wait_pad_number(c, "Target", 40.5);
	M_WAIT_NUMBER(&w, mqtt_topic(c, "pad/neck/target"), 40.5, MQTT_TIMEOUT_MS);
	M_COMMAND(c, "pad/neck/mode/set", "off", "pad/neck/mode", "off");
	wait_pad_number(c, "Target", 0);
	M_WAIT_VALUE(&w, mqtt_topic(c, "pad/neck/action"), "off", MQTT_TIMEOUT_MS);
	/* the other pads were never asked */
	M_ASSERT(&w, strcmp(mqtt_last(&w, mqtt_topic(c, "pad/shoulders/mode")), "off") == 0, "shoulders %s",
		 mqtt_last(&w, mqtt_topic(c, "pad/shoulders/mode")));
	/* a pad never given a target heats to 40 (docs/mqtt.md) */
	M_WAIT_NUMBER(&w, mqtt_topic(c, "pad/shoulders/target"), 40, MQTT_TIMEOUT_MS);
	M_COMMAND(c, "pad/shoulders/mode/set", "heat", "pad/shoulders/mode", "heat");
	M_ASSERT(&w,
		 strtod(harness_pad_prop(&c->h, __FILE__, __LINE__, CHAIR_PATH "/heater/shoulders", "Target"), NULL) ==
			 40,
		 "shoulders Target %s",
		 harness_pad_prop(&c->h, __FILE__, __LINE__, CHAIR_PATH "/heater/shoulders", "Target"));
	M_COMMAND(c, "pad/shoulders/mode/set", "off", "pad/shoulders/mode", "off");
	mqtt_stop(&w);
}
END_TEST

/* A fault injected through Simulator1 shows; clear-fault clears it once its cause is gone. */
START_TEST(test_clear_fault)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *faults;

	M_WAIT_VALUE(&w, mqtt_topic(c, "fault"), "OFF", MQTT_TIMEOUT_MS);
	H_START_RUNNING(&c->h, TEST_LONG_ID);
	H_SIM(&c->h, "InjectFault", "sb", "roller-pinch", 1);
	M_WAIT_VALUE(&w, mqtt_topic(c, "fault"), "ON", MQTT_TIMEOUT_MS);
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "fault", MQTT_TIMEOUT_MS);
	faults = mqtt_last(&w, mqtt_topic(c, "faults"));
	M_ASSERT(&w, faults && strstr(faults, "\"codes\"") && strstr(faults, "\"roller-fault\""),
		 "faults: %s, expected {\"codes\": [\"roller-fault\"]}", faults ? faults : "(none)");
	H_SIM(&c->h, "InjectFault", "sb", "roller-pinch", 0);
	harness_pump(&c->h, harness_wall_ms(&c->h, 2)); /* the board answers without the fault bit again */
	M_COMMAND(c, "clear-fault/press", "PRESS", "fault", "OFF");
	M_WAIT_VALUE(&w, mqtt_topic(c, "state"), "idle", MQTT_TIMEOUT_MS);
	H_WAIT_PROP(&c->h, "Faults", "", MQTT_TIMEOUT_MS);
	{
		json_object *o = json_tokener_parse(mqtt_last(&w, mqtt_topic(c, "faults")));
		json_object *codes;

		M_ASSERT(&w, o && json_object_object_get_ex(o, "codes", &codes) && json_object_array_length(codes) == 0,
			 "faults after clearing: %s", mqtt_last(&w, mqtt_topic(c, "faults")));
		json_object_put(o);
	}
	mqtt_stop(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt-commands");

	CHECK_ADD_TEST(s, test_settings, 60);
	CHECK_ADD_TEST(s, test_session, 60);
	CHECK_ADD_TEST(s, test_profile_gentle, 60);
	CHECK_ADD_TEST(s, test_gentle_off_allowed, 60);
	CHECK_ADD_TEST(s, test_pad, 60);
	CHECK_ADD_TEST(s, test_clear_fault, 60);
	return check_run_tap(s);
}
