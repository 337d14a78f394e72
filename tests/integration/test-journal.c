/* SPDX-License-Identifier: MIT */
/* What massaged really sends to the journal: the daemon runs in a mount namespace of
 * its own whose /run/systemd/journal/socket is the harness's, with JOURNAL_STREAM
 * naming its stderr, as under systemd. Each session and fault event must carry
 * MESSAGE_ID, MASSAGED_EVENT and its fields (README, "Journal"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "harness.h"

#define ID_PROGRAM_STARTED "2bb914c63ba349f78e8e6a4d50d038fb"
#define ID_PROGRAM_FINISHED "34f7eb5b45ee40c3959bc25a16c421f1"
#define ID_FAULT_RAISED "2d4cb4dd9ccb49199fa49b2e7ef2fc45"
#define ID_FAULT_CLEARED "f007c76b7faa47b7b9665a304b6e6447"

static void start_captured(struct harness *h)
{
	harness_init(h, NULL);
	h->journal_capture = true;
	harness_start_daemon(h, SCAN_SCALE);
}

/* The entry lacks `key`. */
static void assert_no_field(struct harness *h, const struct harness_journal_entry *e, const char *key)
{
	const char *v = harness_journal_field(e, key);

	H_ASSERT(h, !v, "%s=%s where the event has none", key, v ? v : "");
}

START_TEST(test_program_events)
{
	const struct harness_journal_entry *e;
	struct harness h;

	start_captured(&h);
	/* plain messages carry PRIORITY and MESSAGE, no event */
	e = H_JOURNAL_WAIT(&h, "PRIORITY=6", 3000);
	assert_no_field(&h, e, "MASSAGED_EVENT");
	H_ASSERT(&h, harness_journal_field(e, "MESSAGE"));

	H_CALL(&h, "SetHeat", "b", 1);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=program-started", 1000);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MESSAGE_ID"), ID_PROGRAM_STARTED);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MASSAGED_PROGRAM"), TEST_SHORT_ID);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "PRIORITY"), "6");
	H_ASSERT(&h, strstr(harness_journal_field(e, "MESSAGE"), "Program " TEST_SHORT_ID " started"));
	(void)H_JOURNAL_WAIT(&h,
			     "MASSAGED_EVENT=scan-started MASSAGED_PROGRAM=" TEST_SHORT_ID
			     " MESSAGE_ID=5d3bb354268442dea1c37e2c638d3b04",
			     1000);
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=scan-finished MASSAGED_REASON=found", 1000);

	H_CALL(&h, "Pause", "");
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=paused MASSAGED_PROGRAM=" TEST_SHORT_ID, 2000);
	H_CALL(&h, "Resume", "");
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=resumed MASSAGED_PROGRAM=" TEST_SHORT_ID, 2000);
	H_SIM(&h, "SetSeated", "b", 0);
	(void)H_JOURNAL_WAIT(&h,
			     "MASSAGED_EVENT=seat-empty-pause MASSAGED_PROGRAM=" TEST_SHORT_ID
			     " MESSAGE_ID=b643d54b059d47bc9a2aac4a4021ca33",
			     2000);
	H_SIM(&h, "SetSeated", "b", 1);
	H_CALL(&h, "Resume", "");
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=resumed MASSAGED_PROGRAM=" TEST_SHORT_ID, 2000);

	/* the third step heats the shoulders pad at [Heat] DefaultTarget (42 °C) */
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=heat-on MASSAGED_ZONE=shoulders", harness_wall_ms(&h, 90) + 3000);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MASSAGED_TEMPERATURE"), "42.0");
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=program-finished", harness_wall_ms(&h, 60) + 3000);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MESSAGE_ID"), ID_PROGRAM_FINISHED);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MASSAGED_PROGRAM"), TEST_SHORT_ID);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MASSAGED_REASON"), "completed");
	(void)H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "completed", 1000);
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=heat-off MASSAGED_ZONE=shoulders", 1000);
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=heat-stopped MASSAGED_REASON=completed", 1000);
	harness_stop(&h);
}
END_TEST

START_TEST(test_fault_events)
{
	const struct harness_journal_entry *e;
	struct harness h;
	const char *t;

	start_captured(&h);
	/* a fault ends a program: its reason is "fault", the fault names no zone */
	H_START_RUNNING(&h, TEST_LONG_ID);
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=fault-raised", 2000);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MESSAGE_ID"), ID_FAULT_RAISED);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MASSAGED_FAULT"), "estop");
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "PRIORITY"), "4");
	assert_no_field(&h, e, "MASSAGED_ZONE");
	assert_no_field(&h, e, "MASSAGED_TEMPERATURE");
	(void)H_JOURNAL_WAIT(
		&h, "MASSAGED_EVENT=program-finished MASSAGED_PROGRAM=" TEST_LONG_ID " MASSAGED_REASON=fault", 1000);
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	H_CLEAR_FAULT(&h, "estop");
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=fault-cleared MASSAGED_FAULT=estop", 1000);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MESSAGE_ID"), ID_FAULT_CLEARED);

	/* a pad's fault: its zone */
	H_SIM(&h, "InjectFault", "sb", "sensor-open:neck", 1);
	(void)H_WAIT_SIGNAL(&h, "FaultRaised", "sensor:neck", NULL, 3000);
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=fault-raised MASSAGED_FAULT=sensor:neck MASSAGED_ZONE=neck", 1000);
	H_SIM(&h, "InjectFault", "sb", "sensor-open:neck", 0);
	H_CLEAR_FAULT(&h, "sensor:neck");
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=fault-cleared MASSAGED_FAULT=sensor:neck MASSAGED_ZONE=neck", 1000);

	/* over its trip point (MaxTarget 45 + 3 °C): the reading that tripped it */
	H_SIM(&h, "SetPadTemperature", "sd", "neck", 48.5);
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=fault-raised MASSAGED_FAULT=overtemp:neck MASSAGED_ZONE=neck", 5000);
	t = harness_journal_field(e, "MASSAGED_TEMPERATURE");
	H_ASSERT(&h, t && strtod(t, NULL) >= 48.0 && strchr(t, '.') && strlen(strchr(t, '.')) == 2,
		 "MASSAGED_TEMPERATURE=%s, expected the reading at or above 48.0 in %%.1f", t ? t : "(none)");
	harness_stop(&h);
}
END_TEST

/* Who is in the chair: with a profile in use each session event carries MASSAGED_PROFILE;
 * with none the field is left out. */
START_TEST(test_profile_field)
{
	const struct harness_journal_entry *e;
	struct harness h;

	start_captured(&h);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=program-started MASSAGED_PROGRAM=" TEST_SHORT_ID, 1000);
	assert_no_field(&h, e, "MASSAGED_PROFILE");
	H_CALL(&h, "Stop", "");
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=program-finished MASSAGED_REASON=stopped", 2000);
	assert_no_field(&h, e, "MASSAGED_PROFILE");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	H_CALL(&h, "SaveProfile", "s", "Anna");
	H_WAIT_PROP(&h, "Profile", "Anna", 2000);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	(void)H_JOURNAL_WAIT(
		&h, "MASSAGED_EVENT=program-started MASSAGED_PROGRAM=" TEST_SHORT_ID " MASSAGED_PROFILE=Anna", 1000);
	H_CALL(&h, "Pause", "");
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=paused MASSAGED_PROFILE=Anna", 2000);
	H_CALL(&h, "Resume", "");
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=resumed MASSAGED_PROFILE=Anna", 2000);
	H_SIM(&h, "SetSeated", "b", 0);
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=seat-empty-pause MASSAGED_PROFILE=Anna", 2000);
	H_SIM(&h, "SetSeated", "b", 1);
	H_CALL(&h, "Stop", "");
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=program-finished MASSAGED_REASON=stopped MASSAGED_PROFILE=Anna", 2000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	/* a scan says whose back it found */
	H_CALL(&h, "Scan", "");
	(void)H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=scan-finished MASSAGED_PROFILE=Anna", SCAN_TIMEOUT_MS(&h));
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	/* none again: the field goes */
	H_CALL(&h, "UseNoProfile", "");
	H_WAIT_PROP(&h, "Profile", "", 2000);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=program-started MASSAGED_PROGRAM=" TEST_SHORT_ID, 1000);
	assert_no_field(&h, e, "MASSAGED_PROFILE");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	const char *why = harness_state_tmpfs_unavailable();
	Suite *s;

	if (why[0]) {
		printf("1..0 # SKIP the daemon cannot have a journal socket of the test's in a mount namespace "
		       "here (needs unshare(CLONE_NEWNS) and mount, as root): %s\n",
		       why);
		return 0; /* TAP: the plan above says skip */
	}
	s = suite_create("journal");
	CHECK_ADD_TEST(s, test_program_events, 60);
	CHECK_ADD_TEST(s, test_fault_events, 60);
	CHECK_ADD_TEST(s, test_profile_field, 60);
	return check_run_tap(s);
}
