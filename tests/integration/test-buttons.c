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

int main(void)
{
	Suite *s = suite_create("buttons");

	CHECK_ADD_TEST(s, test_program_buttons, 60);
	CHECK_ADD_TEST(s, test_power_configured_default, 60);
	CHECK_ADD_TEST(s, test_pause_button, 60);
	CHECK_ADD_TEST(s, test_intensity_buttons, 60);
	CHECK_ADD_TEST(s, test_heat_button, 60);
	CHECK_ADD_TEST(s, test_buttons_while_faulted, 60);
	return check_run_tap(s);
}
