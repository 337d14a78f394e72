/* SPDX-License-Identifier: MIT */
/* massaged's safety gate refuses a command sent over MQTT exactly as it refuses it on
 * D-Bus: the error topic carries the D-Bus error's name and message, and nothing
 * changes, on D-Bus or on the state topics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "harness-mqtt.h"

#define SCALE SCAN_SCALE
#define NECK_PAD CHAIR_PATH "/heater/neck"

/* The command over MQTT is refused with the very error name and message massaged gives
 * the same call on D-Bus; the chair's properties and the state topic stay. */
static void expect_same_refusal(struct mqtt_chair *c, const char *suffix, const char *payload, const char *error,
				const char *dbus_message, const char *state_suffix)
{
	struct mqtt_world *w = c->world;
	char *before = harness_snapshot(&c->h), state_before[256] = "", *after;
	const char *m, *state_topic = mqtt_topic(c, state_suffix), *last;

	last = mqtt_last(w, state_topic);
	M_ASSERT(w, last, "%s was never published", state_topic);
	(void)snprintf(state_before, sizeof(state_before), "%s", last);
	m = mqtt_expect_error_at(c, __FILE__, __LINE__, suffix, payload, strlen(payload), error);
	M_ASSERT(w, strcmp(m, dbus_message) == 0, "%s %s: the error topic says \"%s\", massaged says \"%s\"", suffix,
		 payload, m, dbus_message);
	M_ASSERT(w, mqtt_bridge_wait_log(c, dbus_message, 2000), "the bridge did not log the refusal \"%s\"",
		 dbus_message);
	mqtt_pump(w, 300); /* a change would have come by now */
	after = harness_snapshot(&c->h);
	M_ASSERT(w, strcmp(before, after) == 0, "a refused %s changed the chair:\nbefore:\n%s\nafter:\n%s", suffix,
		 before, after);
	free(before);
	free(after);
	last = mqtt_last(w, state_topic);
	M_ASSERT(w, last && strcmp(last, state_before) == 0, "%s went from %s to %s on a refusal", state_topic,
		 state_before, last ? last : "(none)");
	M_BRIDGE_ALIVE(c);
}

START_TEST(test_gate_refusals)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);
	const char *dbus;

	/* out of range: InvalidArgs, with massaged's own sentence */
	dbus = H_CALL_ERR(&c->h, ERROR_INVALID_ARGS, "SetIntensity", "u", 9);
	expect_same_refusal(c, "intensity/set", "9", ERROR_INVALID_ARGS, dbus, "intensity");
	dbus = H_CALL_ERR(&c->h, ERROR_INVALID_ARGS, "SetTimer", "u", 7);
	expect_same_refusal(c, "timer/set", "7", ERROR_INVALID_ARGS, dbus, "timer");
	dbus = H_CALL_ERR(&c->h, ERROR_INVALID_ARGS, "SetSpeed", "u", 0);
	expect_same_refusal(c, "speed/set", "0", ERROR_INVALID_ARGS, dbus, "speed");

	/* a pad above its MaxTarget, while heating */
	M_COMMAND(c, "pad/neck/mode/set", "heat", "pad/neck/mode", "heat");
	dbus = harness_call_error(&c->h, __FILE__, __LINE__, ERROR_INVALID_ARGS, NECK_PAD, HEATER_IFACE, "SetTarget",
				  "d", 60.0);
	expect_same_refusal(c, "pad/neck/target/set", "60", ERROR_INVALID_ARGS, dbus, "pad/neck/target");
	M_COMMAND(c, "pad/neck/mode/set", "off", "pad/neck/mode", "off");

	/* nobody seated: no start */
	H_SIM(&c->h, "SetSeated", "b", 0);
	M_WAIT_VALUE(&w, mqtt_topic(c, "seated"), "OFF", MQTT_TIMEOUT_MS);
	dbus = H_CALL_ERR(&c->h, CHAIR_ERROR("NotSeated"), "Start", "s", TEST_SHORT_ID);
	expect_same_refusal(c, "program/set", TEST_SHORT_ID, CHAIR_ERROR("NotSeated"), dbus, "state");
	H_SIM(&c->h, "SetSeated", "b", 1);
	M_WAIT_VALUE(&w, mqtt_topic(c, "seated"), "ON", MQTT_TIMEOUT_MS);

	/* nothing to pause (or resume: the bridge picks by State) */
	{
		char *before = harness_snapshot(&c->h);

		(void)M_EXPECT_ERROR(c, "pause/press", "PRESS", CHAIR_ERROR("NotRunning"));
		H_ASSERT_UNCHANGED(&c->h, before);
		free(before);
	}

	/* the stop still pressed: the fault stays */
	H_SIM(&c->h, "SetEmergencyStop", "b", 1);
	M_WAIT_VALUE(&w, mqtt_topic(c, "fault"), "ON", MQTT_TIMEOUT_MS);
	dbus = H_CALL_ERR(&c->h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	expect_same_refusal(c, "clear-fault/press", "PRESS", CHAIR_ERROR("FaultActive"), dbus, "fault");
	/* and no start while faulted */
	dbus = H_CALL_ERR(&c->h, CHAIR_ERROR("Faulted"), "Start", "s", TEST_SHORT_ID);
	expect_same_refusal(c, "program/set", TEST_SHORT_ID, CHAIR_ERROR("Faulted"), dbus, "state");
	H_SIM(&c->h, "SetEmergencyStop", "b", 0);
	M_COMMAND(c, "clear-fault/press", "PRESS", "fault", "OFF");

	/* gentle mode's caps: intensity above 3 */
	H_CALL(&c->h, "SetGentle", "b", 1);
	M_WAIT_VALUE(&w, mqtt_topic(c, "gentle"), "ON", MQTT_TIMEOUT_MS);
	dbus = H_CALL_ERR(&c->h, ERROR_INVALID_ARGS, "SetIntensity", "u", 5);
	expect_same_refusal(c, "intensity/set", "5", ERROR_INVALID_ARGS, dbus, "intensity");
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

/* massaged gone: every command refused at once with ChairUnavailable (no call hangs). */
START_TEST(test_chair_unavailable)
{
	struct mqtt_world w;
	struct mqtt_chair *c = mqtt_start(&w, SCALE);

	harness_kill_daemon(&c->h);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "offline", MQTT_TIMEOUT_MS);
	(void)M_EXPECT_ERROR(c, "intensity/set", "2", "org.massaged.Mqtt.Error.ChairUnavailable");
	(void)M_EXPECT_ERROR(c, "stop/press", "PRESS", "org.massaged.Mqtt.Error.ChairUnavailable");
	harness_start_daemon(&c->h, SCALE);
	M_WAIT_VALUE(&w, mqtt_topic(c, "daemon"), "online", MQTT_TIMEOUT_MS);
	M_RESPONSIVE(c);
	mqtt_stop(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt-refusals");

	CHECK_ADD_TEST(s, test_gate_refusals, 60);
	CHECK_ADD_TEST(s, test_chair_unavailable, 60);
	return check_run_tap(s);
}
