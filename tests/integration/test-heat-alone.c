/* SPDX-License-Identifier: MIT */
/* Heat that no session owns (Heater1.SetTarget, Autotune) has the limits a session
 * has: SessionLimit ends it, Stop ends it, the dose budget holds across sessions and
 * restarts, and every way to turn a pad off abandons its autotune at once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness.h"

#define NECK "/org/massaged/Chair1/heater/neck"
#define SCALE 50

#define PAD(h, path, name) harness_pad_prop((h), __FILE__, __LINE__, (path), (name))
#define PAD_D(h, path, name) strtod(PAD((h), (path), (name)), NULL)
#define PAD_CALL(h, path, member, ...) \
	sd_bus_message_unref(harness_call_ok((h), __FILE__, __LINE__, (path), HEATER_IFACE, (member), __VA_ARGS__))

#define WAIT_PAD(h, path, name, want, ms) harness_wait_pad((h), __FILE__, __LINE__, (path), (name), (want), (ms))

/* The neck pad off as D-Bus shows it and as the simulated relays are. */
static void assert_neck_off(struct harness *h, const char *file, int line)
{
	static const char *const outputs[] = { "HEAT_POWER", "HEAT_NECK", "HEAT_SHOULDERS", "HEAT_LOWER_BACK" };
	const char *state = harness_pad_prop(h, file, line, NECK, "State");

	if (strcmp(state, "off") != 0)
		harness_fail(h, file, line, "the neck pad's State is %s, expected off", state);
	if (strtod(harness_pad_prop(h, file, line, NECK, "Target"), NULL) != 0.0 ||
	    strtod(harness_pad_prop(h, file, line, NECK, "Power"), NULL) != 0.0)
		harness_fail(h, file, line, "the neck pad's Target %s, Power %s: expected 0",
			     harness_pad_prop(h, file, line, NECK, "Target"),
			     harness_pad_prop(h, file, line, NECK, "Power"));
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		if (harness_output(h, file, line, outputs[i]))
			harness_fail(h, file, line, "%s still active", outputs[i]);
}
#define ASSERT_NECK_OFF(h) assert_neck_off((h), __FILE__, __LINE__)

/* Off now and still off `chair_s` later, every relay open all along. */
static void assert_neck_stays_off(struct harness *h, const char *file, int line, double chair_s)
{
	uint64_t end = harness_now_usec() + harness_wall_ms(h, chair_s) * 1000ULL;

	do {
		assert_neck_off(h, file, line);
		harness_pump(h, 50);
	} while (harness_now_usec() < end);
	assert_neck_off(h, file, line);
}
#define ASSERT_NECK_STAYS_OFF(h, s) assert_neck_stays_off((h), __FILE__, __LINE__, (s))

/* A journal event (where the test can capture the journal) or else its log text. */
static void expect_event(struct harness *h, const char *file, int line, const char *match, const char *text)
{
	if (h->journal_capture)
		(void)harness_journal_wait(h, file, line, match, 2000);
	else if (!harness_wait_log(h, text, 2000))
		harness_fail(h, file, line, "no log line \"%s\"", text);
}
#define EXPECT_EVENT(h, match, text) expect_event((h), __FILE__, __LINE__, (match), (text))

static void start(struct harness *h, double scale, const char *config)
{
	harness_init(h, config);
	h->journal_capture = !harness_state_tmpfs_unavailable()[0];
	harness_start_daemon(h, scale);
}

#define LOGGED_CHAIR_S(h, needle) harness_logged_chair_s((h), __FILE__, __LINE__, (needle))

/* SetTarget with no session ends SessionLimit after the pad started heating, every
 * pad off, Heat false, a heat-stopped entry with reason timeout. Another SetTarget
 * while it heats does not start the limit again. */
START_TEST(test_set_target_capped)
{
	struct harness h;
	double on_s, off_s;

	harness_start(&h, SCALE, NULL); /* the log file: chair times */
	H_CALL(&h, "SetTimer", "u", 5);
	PAD_CALL(&h, NECK, "SetTarget", "d", 45.0);
	WAIT_PAD(&h, NECK, "State", "heating", 2000);
	harness_pump(&h, harness_wall_ms(&h, 150));
	PAD_CALL(&h, NECK, "SetTarget", "d", 44.0); /* not a new 5 minutes */
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") > 0.0);
	WAIT_PAD(&h, NECK, "State", "off", harness_wall_ms(&h, 150 + 30) + 3000);
	ASSERT_NECK_OFF(&h);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"));
	on_s = LOGGED_CHAIR_S(&h, "pad's target set to 45.0");
	off_s = LOGGED_CHAIR_S(&h, "the session limit");
	printf("# SetTarget heat with no session (limit 300 s) ended %.3f s of chair time after it began\n",
	       off_s - on_s);
	H_ASSERT(&h, off_s - on_s >= 300.0 && off_s - on_s <= 305.0, "heat ended %.3f s after SetTarget", off_s - on_s);
	H_ASSERT(&h, harness_log_contains(&h, "Heat off at chair time"));
	ASSERT_NECK_STAYS_OFF(&h, 5);
	/* a new deliberate SetTarget heats again, for a new limit */
	PAD_CALL(&h, NECK, "SetTarget", "d", 40.0);
	WAIT_PAD(&h, NECK, "State", "heating", 2000);
	harness_stop(&h);
}
END_TEST

/* Stop with no session running turns SetTarget's heat off; a second Stop changes
 * nothing. */
START_TEST(test_stop_ends_heat_alone)
{
	struct harness h;
	char *before;

	start(&h, SCALE, NULL);
	PAD_CALL(&h, NECK, "SetTarget", "d", 42.0);
	WAIT_PAD(&h, NECK, "State", "heating", 2000);
	H_ASSERT(&h, H_OUTPUT(&h, "HEAT_POWER"));
	H_CALL(&h, "Stop", "");
	ASSERT_NECK_OFF(&h);
	EXPECT_EVENT(&h, "MASSAGED_EVENT=heat-stopped MASSAGED_REASON=stopped", "Heat off at chair time");
	ASSERT_NECK_STAYS_OFF(&h, 5);
	before = harness_snapshot(&h);
	H_CALL(&h, "Stop", "");
	H_ASSERT_UNCHANGED(&h, before);
	free(before);
	harness_stop(&h);
}
END_TEST

/* The dose budget is per pad over DoseWindow: neither a manual session started and
 * stopped, nor Stop, nor a restart gives it back. */
START_TEST(test_dose_across_sessions)
{
	struct harness h;

	harness_start(&h, SCALE, "[Heat]\nDoseBudget=2\n");
	PAD_CALL(&h, NECK, "SetTarget", "d", 45.0);
	for (uint64_t end = harness_now_usec() + harness_wall_ms(&h, 400) * 1000ULL + 3000000;
	     PAD_D(&h, NECK, "Target") != 43.0;) {
		H_ASSERT(&h, harness_now_usec() < end, "the dose was never spent: Target %s", PAD(&h, NECK, "Target"));
		harness_pump(&h, 20);
	}
	H_ASSERT(&h, harness_wait_log(&h, "has given its heat dose", 2000));

	H_CALL(&h, "StartManual", "ss", "knead", "neck");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 60) + 3000);
	PAD_CALL(&h, NECK, "SetTarget", "d", 45.0);
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 43.0, "a new session gave the dose back: Target %s",
		 PAD(&h, NECK, "Target"));

	/* nor does a restart: the window is saved on SIGTERM and read at start */
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	H_ASSERT(&h, strstr(harness_read_file(&h, harness_state_path(&h, "heater-dose.state")), "neck="),
		 "heater-dose.state: %s", harness_read_file(&h, harness_state_path(&h, "heater-dose.state")));
	harness_start_daemon(&h, SCALE);
	PAD_CALL(&h, NECK, "SetTarget", "d", 45.0);
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 43.0, "a restart gave the dose back: Target %s",
		 PAD(&h, NECK, "Target"));
	H_ASSERT(&h, harness_log_contains(&h, "The neck pad's heat dose over the last 24 h restored"));
	harness_stop(&h);
}
END_TEST

/* A damaged dose file is reported with file and line and ignored. */
START_TEST(test_dose_file_damaged)
{
	struct harness h;

	harness_init(&h, NULL);
	harness_write_file(&h, harness_state_path(&h, "heater-dose.state"), "[Dose]\nVersion=1\nneck=1 2 x\n");
	harness_start_daemon(&h, SCALE);
	H_ASSERT(&h, harness_log_contains(&h, "Ignoring the saved heat doses: "));
	H_ASSERT(&h, harness_log_contains(&h, "heater-dose.state:3:"));
	PAD_CALL(&h, NECK, "SetTarget", "d", 45.0);
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 45.0);
	harness_stop(&h);
}
END_TEST

/* massagectl heat ZONE off, as a person types it. */
static void massagectl_heat_neck_off(struct harness *h)
{
	char *argv[] = { getenv("MASSAGECTL"), "heat", "neck", "off", NULL };

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	H_ASSERT(h, harness_run(h, argv, NULL, NULL, 10000) == 0, "massagectl heat neck off failed");
}

/* Every way to turn the pad off abandons its autotune with the heat off at once. */
static const struct {
	const char *name;
	const char *reason;
} autotune_stops[] = {
	{ "Stop", "stopped" },
	{ "SetTarget 0", "heat-turned-off" },
	{ "massagectl heat neck off", "heat-turned-off" },
	{ "SetHeat false", "heat-turned-off" },
	{ "the remote's heat button", "heat-turned-off" },
};

START_TEST(test_autotune_abandoned)
{
	struct harness h;
	char match[160];

	start(&h, SCALE, NULL);
	PAD_CALL(&h, NECK, "Autotune", "");
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "State"), "autotune");
	/* it heats: the relay closes within its first seconds */
	for (uint64_t end = harness_now_usec() + harness_wall_ms(&h, 10) * 1000ULL + 2000000;
	     !H_OUTPUT(&h, "HEAT_NECK");) {
		H_ASSERT(&h, harness_now_usec() < end, "autotune never closed the neck relay");
		harness_pump(&h, 10);
	}
	switch (_i) {
	case 0:
		H_CALL(&h, "Stop", "");
		break;
	case 1:
		PAD_CALL(&h, NECK, "SetTarget", "d", 0.0);
		break;
	case 2:
		massagectl_heat_neck_off(&h);
		break;
	case 3:
		H_CALL(&h, "SetHeat", "b", 0);
		break;
	default:
		H_SIM(&h, "PressButton", "s", "heat"); /* read on the next control tick */
		WAIT_PAD(&h, NECK, "State", "off", 1000);
		break;
	}
	ASSERT_NECK_OFF(&h);
	(void)snprintf(match, sizeof(match), "MASSAGED_EVENT=autotune-abandoned MASSAGED_ZONE=neck MASSAGED_REASON=%s",
		       autotune_stops[_i].reason);
	EXPECT_EVENT(&h, match, "Autotune of the neck pad abandoned");
	ASSERT_NECK_STAYS_OFF(&h, 5);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "Heat on after %s", autotune_stops[_i].name);
	H_ASSERT(&h, PAD_D(&h, NECK, "AutotuneProgress") == 0.0);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Tuned"), "false");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("heat-alone");
	TCase *stops = tcase_create("test_autotune_abandoned");

	CHECK_ADD_TEST(s, test_set_target_capped, 60);
	CHECK_ADD_TEST(s, test_stop_ends_heat_alone, 60);
	CHECK_ADD_TEST(s, test_dose_across_sessions, 60);
	CHECK_ADD_TEST(s, test_dose_file_damaged, 60);
	tcase_set_timeout(stops, 60);
	tcase_set_tags(stops, "test_autotune_abandoned");
	tcase_add_loop_test(stops, test_autotune_abandoned, 0, sizeof(autotune_stops) / sizeof(autotune_stops[0]));
	suite_add_tcase(s, stops);
	return check_run_tap(s);
}
