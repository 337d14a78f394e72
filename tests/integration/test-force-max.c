/* SPDX-License-Identifier: MIT */
/* docs/safety-rules.md: over-force. [Limits] ForceMax is never exceeded for more than
 * 100 ms: above it the gate retracts the rollers whatever asked for depth (a program,
 * a pause's hold), and a load that does not fall faults with over-force.
 *
 * The retractions are read from the daemon's log: one over-force event per episode
 * ("... over ForceMax N N at chair time T s (STATE): the rollers retract") and a debug
 * line when the load fell below the release point ("the rollers may press again"). */
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

/* Lines of the daemon's log that contain every one of the needles (NULL-terminated). */
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
		harness_fail(h, file, line, "no \"%s\" in the daemon's log within %.0f s of chair time", needle,
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

/* The body scan presses 8 mm deep, more than 40 N on the simulated back: scanned first
 * at the default ForceMax, the program starts without one. */
static void scan_at_default_force_max(struct harness *h, const char *file, int line)
{
	sd_bus_message_unref(harness_call_ok(h, file, line, CHAIR_PATH, CHAIR_IFACE, "Scan", ""));
	harness_wait_property(h, file, line, "State", "scanning", 2000);
	harness_wait_property(h, file, line, "State", "idle", SCAN_TIMEOUT_MS(h));
	if (harness_prop_u(h, file, line, "ShoulderHeight") == 0)
		harness_fail(h, file, line, "the scan found no shoulder line");
}

/* Intensity 5 on a deep program with ForceMax 40: the rollers retract each time the load
 * passes 40 N and press again once it is below 36 N; the program runs on, no fault. */
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
	WAIT_LOG(&h, CAPPED, 20);
	WAIT_LOG(&h, RELEASED, 1);
	harness_pump(&h, harness_wall_ms(&h, 20));

	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "FaultRaised", NULL, NULL), 0);
	episodes = count_log_lines(&h, CAPPED, "the rollers retract");
	releases = count_log_lines(&h, RELEASED, NULL);
	printf("# ForceMax 40 N, Intensity 5: %u over-force events, the rollers retracted and pressed again %u "
	       "times in about 20 s of chair time\n",
	       episodes, releases);
	/* one event per episode, not per retraction: the program presses again and again */
	H_ASSERT(&h, episodes >= 1 && releases > episodes, "%u over-force events, %u releases", episodes, releases);
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

int main(void)
{
	Suite *s = suite_create("over-force");

	CHECK_ADD_TEST(s, test_program_capped_without_fault, 60);
	CHECK_ADD_TEST(s, test_pause_hold_capped, 60);
	return check_run_tap(s);
}
