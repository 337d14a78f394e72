/* SPDX-License-Identifier: MIT */
/* docs/safety-rules.md: over-force. [Limits] ForceMax is never exceeded for more than
 * 100 ms: above it the gate retracts the rollers whatever asked for depth (the force
 * loop of a running program, a pause's hold), and a load that does not fall when they
 * retract faults with over-force.
 *
 * The retractions are read from the daemon's log: one over-force event per episode
 * ("... over ForceMax N N at chair time T s (STATE): the rollers retract") and a debug
 * line each time the load fell below the release point ("the rollers may press again");
 * the load is the simulated body's (Simulator1.SetBody). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "harness.h"

#define SCALE 5.0
#define LOW_FORCE_MAX "[Limits]\nForceMax=40\n"
#define CAPPED "over ForceMax 40 N at chair time"
#define RELEASED "the rollers may press again"

/* Deep kneading on the whole back: at Intensity 5 it asks for far more than 40 N. */
static const char deep_program[] = "[Program]\n"
				   "Title=Deep\n"
				   "Description=Deep kneading on the back\n"
				   "\n"
				   "[Step]\n"
				   "Technique=knead\n"
				   "Zone=back\n"
				   "Duration=900\n"
				   "Speed=3\n"
				   "Width=medium\n"
				   "Depth=2\n";

/* Lines of the daemon's log that contain `needle` and, unless NULL, `also`. */
static unsigned count_log_lines(struct harness *h, const char *needle, const char *also)
{
	char text[1024];
	unsigned n = 0;
	FILE *f = fopen(h->log_path, "re");

	if (!f)
		return 0;
	while (fgets(text, sizeof(text), f))
		if (strstr(text, needle) && (!also || strstr(text, also)))
			n++;
	(void)fclose(f);
	return n;
}

static void wait_log(struct harness *h, const char *file, int line, const char *needle, double chair_s)
{
	if (!harness_wait_log(h, needle, harness_wall_ms(h, chair_s) + 2000))
		harness_fail(h, file, line, "no \"%s\" in the daemon's log within %.1f s of chair time", needle,
			     chair_s);
}
#define WAIT_LOG(h, needle, chair_s) wait_log((h), __FILE__, __LINE__, (needle), (chair_s))

static void reload_config(struct harness *h, const char *file, int line, const char *extra)
{
	unsigned before = count_log_lines(h, "Reloaded the configuration", NULL);
	uint64_t end = harness_now_usec() + 10 * 1000000ULL;

	harness_write_config(h, extra);
	if (kill(h->daemon_pid, SIGHUP) != 0)
		harness_fail(h, file, line, "SIGHUP: %m");
	while (count_log_lines(h, "Reloaded the configuration", NULL) == before) {
		if (harness_now_usec() > end)
			harness_fail(h, file, line, "the configuration was not reloaded within 10 s");
		harness_pump(h, 20);
	}
}
#define RELOAD_CONFIG(h, extra) reload_config((h), __FILE__, __LINE__, (extra))

/* Scanned first at the default ForceMax, so that these tests start their program on a
 * known shoulder line and only the program meets the lowered ForceMax (a scan under a
 * low ForceMax is body-scan's test_scan_force_ceiling). */
static void scan_at_default_force_max(struct harness *h, const char *file, int line)
{
	sd_bus_message_unref(harness_call_ok(h, file, line, CHAIR_PATH, CHAIR_IFACE, "Scan", ""));
	harness_wait_property(h, file, line, "State", "scanning", 2000);
	harness_wait_property(h, file, line, "State", "idle", SCAN_TIMEOUT_MS(h));
	if (harness_prop_u(h, file, line, "ShoulderHeight") == 0)
		harness_fail(h, file, line, "the scan found no shoulder line");
}

static void set_body(struct harness *h, const char *file, int line, const char *name, double value)
{
	sd_bus_message_unref(harness_call_ok(h, file, line, SIM_PATH, SIM_IFACE, "SetBody", "a{sd}", 1, name, value));
}
#define SET_BODY(h, name, value) set_body((h), __FILE__, __LINE__, (name), (value))

static void assert_running_without_fault(struct harness *h, const char *file, int line)
{
	const char *state = harness_prop(h, file, line, "State");

	if (strcmp(state, "running") != 0 || harness_count_signals(h, "FaultRaised", NULL, NULL) > 0)
		harness_fail(h, file, line, "State %s, signals: %s", state, harness_signal_list(h));
}
#define ASSERT_RUNNING_WITHOUT_FAULT(h) assert_running_without_fault((h), __FILE__, __LINE__)

/* Intensity 5 (100 N) with ForceMax 40: the program runs, no fault. The back tensing at
 * once (Tension 1.6, the load half as high again) presses past ForceMax: the rollers
 * retract and press again once the load is under 36 N; the program runs on, no fault. */
START_TEST(test_program_capped_without_fault)
{
	struct harness h;
	unsigned episodes, releases;

	harness_init(&h, NULL);
	harness_write_program(&h, "deep", deep_program);
	harness_start_daemon(&h, SCALE);
	scan_at_default_force_max(&h, __FILE__, __LINE__);
	RELOAD_CONFIG(&h, LOW_FORCE_MAX);
	H_CALL(&h, "SetIntensity", "u", 5);
	H_START_RUNNING(&h, "deep");
	harness_pump(&h, harness_wall_ms(&h, 10));
	ASSERT_RUNNING_WITHOUT_FAULT(&h);

	/* the back tenses for a second, relaxes for a second, until it presses past ForceMax
	 * (the rollers may be on the neck, which barely rests on them) */
	for (int i = 0; i < 10 && count_log_lines(&h, CAPPED, NULL) == 0; i++) {
		SET_BODY(&h, "Tension", 1.6);
		harness_pump(&h, harness_wall_ms(&h, 1));
		SET_BODY(&h, "Tension", 1.0);
		harness_pump(&h, harness_wall_ms(&h, 1));
	}
	WAIT_LOG(&h, CAPPED, 0.1);
	H_ASSERT(&h, count_log_lines(&h, CAPPED, "(running): the rollers retract") >= 1,
		 "the over-force event does not say the program was running");
	WAIT_LOG(&h, RELEASED, 1);
	harness_pump(&h, harness_wall_ms(&h, 10));
	ASSERT_RUNNING_WITHOUT_FAULT(&h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	episodes = count_log_lines(&h, CAPPED, "the rollers retract");
	releases = count_log_lines(&h, RELEASED, NULL);
	printf("# ForceMax 40 N, Intensity 5, the back tensing: %u over-force events, the rollers retracted and "
	       "pressed again %u times in 20 s of chair time\n",
	       episodes, releases);
	harness_stop(&h);
}
END_TEST

/* Paused, the rollers hold their depth. ForceMax lowered 5 N at a time under the load
 * they hold (reloads: as a back tensing slowly would raise the load) retracts them: the
 * gate caps the hold too. The chair stays paused, no fault. */
START_TEST(test_pause_hold_capped)
{
	struct harness h;
	unsigned max_n;
	char config[64];

	harness_init(&h, NULL);
	harness_write_program(&h, "deep", deep_program);
	harness_start_daemon(&h, SCALE);
	scan_at_default_force_max(&h, __FILE__, __LINE__);
	H_CALL(&h, "SetIntensity", "u", 5);
	H_START_RUNNING(&h, "deep");
	harness_pump(&h, harness_wall_ms(&h, 5)); /* pressed in */
	H_ASSERT_UINT_EQ(&h, count_log_lines(&h, "over ForceMax", NULL), 0);
	H_CALL(&h, "Pause", "");
	H_WAIT_PROP(&h, "State", "paused", 2000);
	harness_pump(&h, harness_wall_ms(&h, 1));

	for (max_n = 145; max_n >= 40 && count_log_lines(&h, "over ForceMax", NULL) == 0; max_n -= 5) {
		(void)snprintf(config, sizeof(config), "[Limits]\nForceMax=%u\n", max_n);
		RELOAD_CONFIG(&h, config);
		harness_pump(&h, harness_wall_ms(&h, 0.3));
	}
	H_ASSERT(&h, count_log_lines(&h, "over ForceMax", "(paused): the rollers retract") == 1,
		 "no over-force event while paused, ForceMax down to %u N", max_n + 5);
	WAIT_LOG(&h, RELEASED, 1);
	printf("# paused: the hold retracted at ForceMax %u N\n", max_n + 5);
	harness_pump(&h, harness_wall_ms(&h, 3));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "paused");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	/* the hold keeps the depth it retracted to: one episode */
	H_ASSERT_UINT_EQ(&h, count_log_lines(&h, "over ForceMax", NULL), 1);
	harness_stop(&h);
}
END_TEST

/* Chair ms from the last log line with `cause` (and a chair time) to the over-force
 * fault's safe state. */
static double fault_reaction_ms(struct harness *h, const char *file, int line, const char *cause)
{
	double from = harness_logged_chair_s(h, file, line, cause);
	double to = harness_logged_chair_s(h, file, line, "Fault over-force: safe state");

	if (to < from)
		harness_fail(h, file, line, "the fault at chair time %.3f s, before \"%s\" at %.3f s", to, cause, from);
	return (to - from) * 1000.0;
}

/* A back that presses 300 N on the rollers even at zero depth: retracting cannot bring
 * the load under ForceMax (150 N). over-force within 100 ms of the first read above it
 * (+ a tick), the motors off, the program ended with fault; ClearFault gives the chair
 * back (nothing broke), and the cause still there brings the fault straight back. */
START_TEST(test_load_that_does_not_fall_faults)
{
	struct harness h;
	double ms;
	char *before;

	harness_init(&h, NULL);
	harness_write_program(&h, "deep", deep_program);
	harness_start_daemon(&h, SCALE);
	H_START_RUNNING(&h, "deep");
	harness_pump(&h, harness_wall_ms(&h, 2));
	harness_clear_history(&h);

	SET_BODY(&h, "Weight", 300);
	H_WAIT_SIGNAL(&h, "FaultRaised", "over-force", NULL, harness_wall_ms(&h, 0.2) + 3000);
	H_WAIT_SIGNAL(&h, "ProgramFinished", "deep", "fault", 2000);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "over-force");
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"), "motor power on after over-force");
	H_ASSERT(&h, H_OUTPUT(&h, "LED"), "the LED does not show the fault");
	H_ASSERT(&h, harness_wait_log(&h, "fault over-force: ", 2000), "no journal entry for over-force");
	H_ASSERT(&h, count_log_lines(&h, "over ForceMax 150 N", "the rollers retract") == 1,
		 "no over-force event before the fault");

	ms = fault_reaction_ms(&h, __FILE__, __LINE__, "over ForceMax 150 N");
	printf("# over-force: safe state %.1f ms of chair time after the first read over ForceMax (rule: 100 ms, "
	       "+ a 20 ms tick)\n",
	       ms);
	H_ASSERT(&h, ms >= 100 && ms <= 120, "over-force %.1f ms after the first read over ForceMax", ms);

	/* nothing restarts by itself */
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"), "motor power on in the fault");
	before = harness_snapshot(&h);
	(void)H_CALL_ERR(&h, CHAIR_ERROR("Faulted"), "Start", "s", "deep");
	H_ASSERT_UNCHANGED(&h, before);
	free(before);

	/* a tensing back is not a broken part: cleared with the person still there */
	H_CLEAR_FAULT(&h, "over-force");
	H_ASSERT(&h, !H_OUTPUT(&h, "LED"), "the LED still shows a fault after ClearFault");
	harness_forget_signals(&h);
	H_CALL(&h, "Start", "s", "deep");
	H_WAIT_SIGNAL(&h, "FaultRaised", "over-force", NULL, harness_wall_ms(&h, 1) + 3000);
	H_WAIT_PROP(&h, "State", "fault", 2000);

	/* the person eases off: the chair runs again */
	SET_BODY(&h, "Weight", 12);
	H_CLEAR_FAULT(&h, "over-force");
	H_START_RUNNING(&h, "deep");
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	harness_stop(&h);
}
END_TEST

/* A load cell past its range (broken, or something hard behind the back) reads over
 * the highest ForceMax a configuration may set: over-force even then, within 100 ms of
 * the first read (+ a tick). */
START_TEST(test_saturated_load_cell_faults)
{
	struct harness h;
	double ms;

	harness_init(&h, "[Limits]\nForceMax=500\n");
	harness_write_program(&h, "deep", deep_program);
	harness_start_daemon(&h, SCALE);
	H_START_RUNNING(&h, "deep");
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_SIM(&h, "InjectFault", "sb", "load-cell-saturated", 1);
	H_WAIT_SIGNAL(&h, "FaultRaised", "over-force", NULL, harness_wall_ms(&h, 0.2) + 3000);
	H_WAIT_SIGNAL(&h, "ProgramFinished", "deep", "fault", 2000);
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"), "motor power on after over-force");
	ms = fault_reaction_ms(&h, __FILE__, __LINE__, "over ForceMax 500 N");
	printf("# over-force, saturated load cell: safe state %.1f ms of chair time after the first read\n", ms);
	H_ASSERT(&h, ms >= 100 && ms <= 120, "over-force %.1f ms after the first read over ForceMax", ms);
	H_SIM(&h, "InjectFault", "sb", "load-cell-saturated", 0);
	H_CLEAR_FAULT(&h, "over-force");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("over-force");

	CHECK_ADD_TEST(s, test_program_capped_without_fault, 60);
	CHECK_ADD_TEST(s, test_pause_hold_capped, 60);
	CHECK_ADD_TEST(s, test_load_that_does_not_fall_faults, 60);
	CHECK_ADD_TEST(s, test_saturated_load_cell_faults, 60);
	return check_run_tap(s);
}
