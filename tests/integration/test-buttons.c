/* SPDX-License-Identifier: MIT */
/* The chair remote (docs/hardware.md, Remote buttons) through Simulator1.PressButton. */
#include <stdio.h>
#include <stdlib.h>

#include "check-tap.h"
#include "harness.h"

#define PRESS(h, button) H_SIM((h), "PressButton", "s", (button))

static bool program_listed(struct harness *h, const char *wanted)
{
	sd_bus_message *reply = H_CALL_REPLY(h, "ListPrograms", "");
	const char *id, *title, *description;
	uint32_t duration;
	bool found = false;
	int r;

	r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(sssu)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(sssu)", &id, &title, &description, &duration)) > 0)
		found = found || strcmp(id, wanted) == 0;
	sd_bus_message_unref(reply);
	return found;
}

START_TEST(test_program_buttons)
{
	struct harness h;
	char first[64];

	harness_start(&h, SCAN_SCALE, NULL);
	/* POWER with no program run yet: the configured default program */
	PRESS(&h, "power");
	H_WAIT_RUNNING(&h);
	(void)snprintf(first, sizeof(first), "%s", H_PROP(&h, "Program"));
	H_ASSERT(&h, first[0] && strcmp(first, "manual") != 0, "POWER started Program \"%s\"", first);
	H_ASSERT(&h, program_listed(&h, first), "POWER started %s, which ListPrograms does not list", first);
	/* POWER stops a running program */
	PRESS(&h, "power");
	H_WAIT_SIGNAL(&h, "ProgramFinished", first, "stopped", 2000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	PRESS(&h, "neck");
	H_WAIT_PROP(&h, "Program", "neck", 2000);
	H_WAIT_RUNNING(&h);
	PRESS(&h, "shoulder");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "neck", "replaced", 2000);
	H_WAIT_PROP(&h, "Program", "shoulder", 2000);
	H_WAIT_RUNNING(&h);
	PRESS(&h, "back");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "shoulder", "replaced", 2000);
	H_WAIT_PROP(&h, "Program", "back", 2000);
	H_WAIT_RUNNING(&h);

	PRESS(&h, "power");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "back", "stopped", 2000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	/* POWER starts the last program */
	PRESS(&h, "power");
	H_WAIT_PROP(&h, "Program", "back", 2000);
	H_WAIT_RUNNING(&h);
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	harness_stop(&h);
}
END_TEST

START_TEST(test_power_configured_default)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, "[Chair]\nDefaultProgram=swedish\n");
	PRESS(&h, "power");
	H_WAIT_PROP(&h, "Program", "swedish", 2000);
	H_WAIT_RUNNING(&h);
	harness_stop(&h);
}
END_TEST

START_TEST(test_pause_button)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	PRESS(&h, "neck");
	H_WAIT_PROP(&h, "Program", "neck", 2000);
	H_WAIT_RUNNING(&h);
	PRESS(&h, "pause");
	H_WAIT_PROP(&h, "State", "paused", 2000);
	PRESS(&h, "pause");
	H_WAIT_PROP(&h, "State", "running", 2000);
	PRESS(&h, "pause");
	H_WAIT_PROP(&h, "State", "paused", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "neck");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	harness_stop(&h);
}
END_TEST

static void set_wanted(char *buf, size_t size, unsigned v)
{
	(void)snprintf(buf, size, "%u", v);
}

START_TEST(test_intensity_buttons)
{
	struct harness h;
	unsigned level;
	char want[16];

	harness_start(&h, SCAN_SCALE, NULL);
	PRESS(&h, "neck");
	H_WAIT_RUNNING(&h);
	level = H_PROP_U(&h, "Intensity");
	H_ASSERT(&h, level >= 1 && level <= 5, "Intensity %u", level);
	harness_clear_history(&h);
	while (level < 5) {
		PRESS(&h, "intensity-up");
		set_wanted(want, sizeof(want), ++level);
		H_WAIT_PROP(&h, "Intensity", want, 2000);
	}
	/* clamped at 5: the next DOWN then gives 4, so the UP in between did nothing */
	PRESS(&h, "intensity-up");
	PRESS(&h, "intensity-down");
	H_WAIT_PROP(&h, "Intensity", "4", 2000);
	while (level > 1) {
		if (level == 5)
			level = 4;
		PRESS(&h, "intensity-down");
		set_wanted(want, sizeof(want), --level);
		H_WAIT_PROP(&h, "Intensity", want, 2000);
	}
	PRESS(&h, "intensity-down");
	PRESS(&h, "intensity-up");
	H_WAIT_PROP(&h, "Intensity", "2", 2000);
	H_ASSERT(&h, !harness_seen(&h, "Intensity", "6") && !harness_seen(&h, "Intensity", "0"), "Intensity left 1..5");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	harness_stop(&h);
}
END_TEST

START_TEST(test_heat_button)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	PRESS(&h, "shoulder");
	H_WAIT_RUNNING(&h);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"));
	PRESS(&h, "heat");
	H_WAIT_PROP(&h, "Heat", "true", 2000);
	PRESS(&h, "heat");
	H_WAIT_PROP(&h, "Heat", "false", 2000);
	PRESS(&h, "heat");
	H_WAIT_PROP(&h, "Heat", "true", 2000);
	harness_stop(&h);
}
END_TEST

START_TEST(test_buttons_while_faulted)
{
	static const char *const buttons[] = { "power", "neck",         "shoulder",       "back",
					       "pause", "intensity-up", "intensity-down", "heat" };
	struct harness h;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	PRESS(&h, "neck");
	H_WAIT_RUNNING(&h);
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	H_WAIT_SIGNAL(&h, "ProgramFinished", "neck", "fault", 2000);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	before = harness_snapshot(&h);
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		PRESS(&h, buttons[i]);
	/* give the presses a few chair seconds to act, if they were going to */
	harness_pump(&h, harness_wall_ms(&h, 5));
	H_ASSERT_UNCHANGED(&h, before);
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"));
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);

	/* released but not cleared: still nothing */
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	harness_pump(&h, 50);
	free(before);
	before = harness_snapshot(&h);
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		PRESS(&h, buttons[i]);
	harness_pump(&h, harness_wall_ms(&h, 5));
	H_ASSERT_UNCHANGED(&h, before);
	free(before);
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"));
	harness_stop(&h);
}
END_TEST

/* ---- picking a profile: POWER held 2 s while idle ---- */

/* Slow enough to count the LED's 400 ms blinks by polling Simulator1.Outputs. */
#define BLINK_SCALE 4
#define HOLD(h, button, ms) H_SIM((h), "HoldButton", "su", (button), (uint32_t)(ms))

struct blinks {
	unsigned count;    /* times the LED lit */
	double longest_on; /* chair seconds of the longest light */
};

/* Follows the LED from now until it has stayed off for 1.5 s of chair time (or 20 s
 * passed): how often it lit and how long the longest light was. */
static struct blinks watch_led(struct harness *h)
{
	uint64_t t0 = harness_now_usec(), off_since = t0, on_since = 0;
	uint64_t quiet = harness_wall_ms(h, 1.5) * 1000ull, limit = harness_wall_ms(h, 20) * 1000ull;
	struct blinks b = {};
	bool was_on = false;

	for (;;) {
		uint64_t now = harness_now_usec();
		bool on = H_OUTPUT(h, "LED");

		if (on && !was_on) {
			b.count++;
			on_since = now;
		} else if (!on && was_on) {
			double lit = (double)(now - on_since) / 1e6 * BLINK_SCALE;

			if (lit > b.longest_on)
				b.longest_on = lit;
			off_since = now;
		}
		was_on = on;
		if ((!on && now - off_since >= quiet) || now - t0 >= limit)
			break;
		harness_pump(h, 5);
	}
	H_ASSERT(h, !was_on, "the LED still lit after 20 s of chair time");
	return b;
}

/* Holds POWER for 2.5 s while idle; the profile it steps to, the blinks counted. */
static struct blinks hold_power_step(struct harness *h, const char *want_profile)
{
	HOLD(h, "power", 2500);
	H_WAIT_PROP(h, "Profile", want_profile, harness_wall_ms(h, 4) + 2000);
	return watch_led(h);
}

START_TEST(test_power_held_picks_profile)
{
	struct harness h;
	struct blinks b;

	harness_start(&h, BLINK_SCALE, NULL);
	/* no profiles: one long light, nothing else */
	HOLD(&h, "power", 2500);
	harness_pump(&h, harness_wall_ms(&h, 2.2));
	b = watch_led(&h);
	H_ASSERT(&h, b.count == 1 && b.longest_on >= 1.5, "no profiles: the LED lit %u times, longest %.2f s", b.count,
		 b.longest_on);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");

	H_CALL(&h, "SetIntensity", "u", 2);
	H_CALL(&h, "SaveProfile", "s", "Anna");
	H_CALL(&h, "UseNoProfile", ""); /* else the change below is Anna's */
	H_CALL(&h, "SetIntensity", "u", 4);
	H_CALL(&h, "SaveProfile", "s", "Bo");
	H_CALL(&h, "UseNoProfile", "");
	H_WAIT_PROP(&h, "Profile", "", 2000);

	/* sorted: Anna (1 blink), Bo (2), none (one long light), Anna again */
	b = hold_power_step(&h, "Anna");
	H_ASSERT(&h, b.count == 1 && b.longest_on < 1.0, "Anna: the LED lit %u times, longest %.2f s", b.count,
		 b.longest_on);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 2);
	b = hold_power_step(&h, "Bo");
	H_ASSERT(&h, b.count == 2 && b.longest_on < 1.0, "Bo: the LED lit %u times, longest %.2f s", b.count,
		 b.longest_on);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 4);
	b = hold_power_step(&h, "");
	H_ASSERT(&h, b.count == 1 && b.longest_on >= 1.5, "none: the LED lit %u times, longest %.2f s", b.count,
		 b.longest_on);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 4); /* none keeps the settings */
	b = hold_power_step(&h, "Anna");
	H_ASSERT_UINT_EQ(&h, b.count, 1);

	/* the holds started nothing */
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	H_ASSERT(&h, !harness_seen(&h, "State", "scanning") && !harness_seen(&h, "State", "running"),
		 "a hold started a session: %s", harness_state_history(&h));
	harness_stop(&h);
}
END_TEST

/* A short press still starts (on its release), a hold while a session runs stops it and
 * picks nothing, and a press released before 2 s starts without changing the profile. */
START_TEST(test_power_short_and_running)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_CALL(&h, "SaveProfile", "s", "Anna");
	H_CALL(&h, "SaveProfile", "s", "Bo");
	H_WAIT_PROP(&h, "Profile", "Bo", 2000);

	PRESS(&h, "power");
	H_WAIT_RUNNING(&h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Bo");
	/* held while running: stops at the press, no profile step however long */
	HOLD(&h, "power", 3000);
	H_WAIT_PROP(&h, "State", "stopping", 2000);
	harness_pump(&h, harness_wall_ms(&h, 4));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Bo");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	/* released after 1 s: a start on the release, the profile as it was */
	HOLD(&h, "power", 1000);
	harness_pump(&h, harness_wall_ms(&h, 0.5));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	H_WAIT_RUNNING(&h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Bo");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	/* a program started over D-Bus while POWER is down is not replaced by its release */
	HOLD(&h, "power", 1000);
	H_CALL(&h, "Start", "s", "shoulder");
	H_WAIT_RUNNING(&h);
	harness_pump(&h, harness_wall_ms(&h, 1.5));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "shoulder");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, "replaced"), 0);
	harness_stop(&h);
}
END_TEST

/* POWER starts the last program of the person in the chair: picked on the remote, Anna
 * gets hers, not the one Bo ran last. */
START_TEST(test_power_starts_persons_program)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_CALL(&h, "SaveProfile", "s", "Anna");
	H_START_RUNNING(&h, "neck");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_CALL(&h, "SaveProfile", "s", "Bo");
	H_START_RUNNING(&h, "back");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	/* Bo, then none, then Anna */
	HOLD(&h, "power", 2500);
	H_WAIT_PROP(&h, "Profile", "", harness_wall_ms(&h, 4) + 2000);
	harness_pump(&h, harness_wall_ms(&h, 3));
	HOLD(&h, "power", 2500);
	H_WAIT_PROP(&h, "Profile", "Anna", harness_wall_ms(&h, 4) + 2000);
	harness_pump(&h, harness_wall_ms(&h, 1));
	PRESS(&h, "power");
	H_WAIT_PROP(&h, "Program", "neck", 2000);
	H_WAIT_RUNNING(&h);
	harness_stop(&h);
}
END_TEST

START_TEST(test_hold_button_refusals)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_SIM_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "HoldButton", "su", "eject", (uint32_t)1000);
	H_SIM_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "HoldButton", "su", "power", (uint32_t)0);
	H_SIM_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "HoldButton", "su", "power", (uint32_t)60001);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buttons");

	CHECK_ADD_TEST(s, test_program_buttons, 60);
	CHECK_ADD_TEST(s, test_power_configured_default, 60);
	CHECK_ADD_TEST(s, test_pause_button, 60);
	CHECK_ADD_TEST(s, test_intensity_buttons, 60);
	CHECK_ADD_TEST(s, test_heat_button, 60);
	CHECK_ADD_TEST(s, test_buttons_while_faulted, 60);
	CHECK_ADD_TEST(s, test_power_held_picks_profile, 90);
	CHECK_ADD_TEST(s, test_power_short_and_running, 60);
	CHECK_ADD_TEST(s, test_power_starts_persons_program, 60);
	CHECK_ADD_TEST(s, test_hold_button_refusals, 30);
	return check_run_tap(s);
}
