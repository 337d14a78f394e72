/* SPDX-License-Identifier: MIT */
/* The person's side of force control on D-Bus: SetZonePressure and its refusals,
 * ZonePressure announced and kept across a restart, Force and ForceTarget (paced to
 * at most 4 changes a second of chair time), and massagectl pressure/status/monitor. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness.h"

/* Low enough that a quarter second of chair time is many control ticks of wall time. */
#define SCALE 10
#define ALL_ZERO "neck=0,shoulders=0,upper-back=0,lower-back=0"

static const char *const four_zones[] = { "neck", "shoulders", "upper-back", "lower-back" };

static void assert_names_four_zones(struct harness *h, const char *file, int line, const char *message)
{
	for (size_t i = 0; i < sizeof(four_zones) / sizeof(four_zones[0]); i++)
		if (!strstr(message, four_zones[i]))
			harness_fail(h, file, line, "the refusal does not name %s: \"%s\"", four_zones[i], message);
}
#define H_ASSERT_NAMES_FOUR_ZONES(h, message) assert_names_four_zones((h), __FILE__, __LINE__, (message))

/* PropertiesChanged that carried `name` since the history was last cleared. */
static unsigned changes_of(struct harness *h, const char *name)
{
	unsigned n = 0;

	harness_pump(h, 50);
	for (size_t i = 0; i < h->n_changes; i++)
		n += strcmp(h->changes[i].name, name) == 0;
	return n;
}

/* An unknown zone, back (two zones) and offsets beyond -2..+2 are refused with
 * InvalidArgs and change nothing; an accepted one is announced. */
START_TEST(test_set_zone_pressure_refusals)
{
	static const char *const bad_zones[] = { "back", "elbow", "", "Neck" };
	static const int bad_offsets[] = { 3, -3, 100, INT32_MIN };
	struct harness h;
	const char *message;
	char *before;

	harness_start(&h, SCALE, NULL);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "ZonePressure"), ALL_ZERO);
	before = harness_snapshot(&h);
	for (size_t i = 0; i < sizeof(bad_zones) / sizeof(bad_zones[0]); i++) {
		message = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SetZonePressure", "si", bad_zones[i], 1);
		H_ASSERT_NAMES_FOUR_ZONES(&h, message);
	}
	message = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SetZonePressure", "si", "back", 1);
	H_ASSERT(&h, strstr(message, "two zones"), "\"%s\"", message);
	for (size_t i = 0; i < sizeof(bad_offsets) / sizeof(bad_offsets[0]); i++) {
		message = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SetZonePressure", "si", "neck", bad_offsets[i]);
		H_ASSERT(&h, strstr(message, "-2") && strstr(message, "+2"), "\"%s\"", message);
	}
	H_ASSERT_UNCHANGED(&h, before);
	free(before);
	H_ASSERT(&h, changes_of(&h, "ZonePressure") == 0, "a refused SetZonePressure announced ZonePressure");

	H_CALL(&h, "SetZonePressure", "si", "shoulders", -2);
	H_CALL(&h, "SetZonePressure", "si", "upper-back", 2);
	H_WAIT_PROP(&h, "ZonePressure", "neck=0,shoulders=-2,upper-back=2,lower-back=0", 2000);
	H_ASSERT(&h, harness_seen(&h, "ZonePressure", "neck=0,shoulders=-2,upper-back=0,lower-back=0"),
		 "SetZonePressure(shoulders, -2) emitted no PropertiesChanged");
	/* the levels themselves are untouched */
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 3);
	harness_stop(&h);
}
END_TEST

/* The offsets are the person's settings: back after SIGTERM and a new start, and a
 * settings.state written before they existed still loads, with 0 offsets. */
START_TEST(test_zone_pressure_survives_restart)
{
	struct harness h;
	const char *state;

	harness_start(&h, SCALE, NULL);
	H_CALL(&h, "SetZonePressure", "si", "neck", 2);
	H_CALL(&h, "SetZonePressure", "si", "lower-back", -1);
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	state = harness_read_file(&h, harness_state_path(&h, "settings.state"));
	H_ASSERT(&h, strstr(state, "PressureNeck=2\n") && strstr(state, "PressureLowerBack=-1\n"), "settings.state: %s",
		 state);

	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "ZonePressure"), "neck=2,shoulders=0,upper-back=0,lower-back=-1");
	harness_stop_daemon_at(&h, __FILE__, __LINE__);

	harness_write_file(&h, harness_state_path(&h, "settings.state"),
			   "[Settings]\nVersion=1\nIntensity=4\nSpeed=2\nWidth=wide\nHeat=no\nSessionLimit=600\n"
			   "ConfiguredIntensity=3\nConfiguredSpeed=3\nConfiguredWidth=medium\n"
			   "ConfiguredSessionLimit=1200\n");
	harness_start_daemon(&h, SCALE);
	H_ASSERT(&h, !harness_log_contains(&h, "Ignoring the saved settings"), "the old file was refused");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 4);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "ZonePressure"), ALL_ZERO);
	harness_stop(&h);
}
END_TEST

static double force_of(const char *value)
{
	return value ? strtod(value, NULL) : 0.0;
}

/* Force and ForceTarget are there and 0 while idle; while a program runs Force shows
 * the measured load, announced at most 4 times a second of chair time; after Stop
 * both are 0 again, and said so. */
START_TEST(test_force_properties)
{
	struct harness h;
	unsigned elapsed_from, elapsed_to, changes = 0, nonzero = 0;
	size_t first, last;
	double chair_s;

	harness_start(&h, SCALE, NULL);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Force"), "0.00");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "ForceTarget"), "0.00");

	H_START_RUNNING(&h, TEST_LONG_ID);
	harness_pump(&h, harness_wall_ms(&h, 1.0)); /* the rollers reach the back */
	elapsed_from = H_PROP_U(&h, "Elapsed");
	first = h.n_changes;
	harness_pump(&h, harness_wall_ms(&h, 20.0));
	elapsed_to = H_PROP_U(&h, "Elapsed");
	last = h.n_changes;
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	for (size_t i = first; i < last; i++)
		if (strcmp(h.changes[i].name, "Force") == 0) {
			changes++;
			nonzero += force_of(h.changes[i].value) > 0.0;
		}
	/* Elapsed is whole seconds: the window is at most one more */
	chair_s = elapsed_to - elapsed_from + 1.0;
	(void)fprintf(stderr, "Force: %u changes in %u..%.0f s of chair time, %u of them above 0\n", changes,
		      elapsed_to - elapsed_from, chair_s, nonzero);
	/* one more for a change sent before the first read and received after it */
	H_ASSERT(&h, changes <= 4 * chair_s + 2, "%u Force changes in at most %.0f s of chair time", changes, chair_s);
	H_ASSERT(&h, nonzero >= 2, "Force was announced above 0 only %u times while the rollers worked", nonzero);
	H_ASSERT(&h, force_of(H_PROP(&h, "Force")) < 500.0, "Force %s N", H_PROP(&h, "Force"));

	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 60) + 2000);
	H_WAIT_PROP(&h, "Force", "0.00", 2000);
	H_WAIT_PROP(&h, "ForceTarget", "0.00", 2000);
	harness_stop(&h);
}
END_TEST

/* The largest ForceTarget announced from changes[from] on, and how many times it was. */
static double max_force_target(struct harness *h, size_t from, unsigned *ret_changes)
{
	double max = 0.0;

	*ret_changes = 0;
	for (size_t i = from; i < h->n_changes; i++)
		if (strcmp(h->changes[i].name, "ForceTarget") == 0) {
			(*ret_changes)++;
			if (force_of(h->changes[i].value) > max)
				max = force_of(h->changes[i].value);
		}
	return max;
}

/* While a press works the lower back at intensity 3, ForceTarget peaks at the level's
 * 60 N; with the lower back at -2 at level 1's 30 N. Paced like Force. */
START_TEST(test_force_target_follows_zone_pressure)
{
	struct harness h;
	unsigned e0, e1, changes;
	size_t from;
	double peak;

	harness_start(&h, SCALE, NULL);
	H_CALL(&h, "SetIntensity", "u", 3);
	H_CALL(&h, "StartManual", "ss", "press", "lower-back");
	H_WAIT_RUNNING(&h);
	e0 = H_PROP_U(&h, "Elapsed");
	from = h.n_changes;
	harness_pump(&h, harness_wall_ms(&h, 20.0));
	e1 = H_PROP_U(&h, "Elapsed");
	peak = max_force_target(&h, from, &changes);
	(void)fprintf(stderr, "ForceTarget: peak %.1f N, %u changes in %u s\n", peak, changes, e1 - e0);
	H_ASSERT(&h, peak >= 59.9 && peak <= 60.1, "ForceTarget peaked at %.1f N at intensity 3", peak);
	H_ASSERT(&h, changes <= 4 * (e1 - e0 + 1.0) + 2, "%u ForceTarget changes in %u s", changes, e1 - e0);

	H_CALL(&h, "SetZonePressure", "si", "lower-back", -2);
	harness_pump(&h, harness_wall_ms(&h, 1.0));
	from = h.n_changes;
	harness_pump(&h, harness_wall_ms(&h, 20.0));
	peak = max_force_target(&h, from, &changes);
	/* a target that settled before the window is announced no more: its value counts */
	peak = fmax(peak, force_of(H_PROP(&h, "ForceTarget")));
	(void)fprintf(stderr, "ForceTarget with lower-back -2: peak %.1f N\n", peak);
	H_ASSERT(&h, peak >= 29.9 && peak <= 30.1, "ForceTarget peaked at %.1f N at intensity 3, lower-back -2", peak);
	harness_stop(&h);
}
END_TEST

/* massagectl ARGS..., stdout and stderr to <tmpdir>/ctl.out and ctl.err; the wait status. */
static int massagectl(struct harness *h, char *const args[])
{
	char *argv[8] = { getenv("MASSAGECTL") };
	char out[400], err[400];

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	for (size_t i = 0; args[i] && i + 2 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[i + 1] = args[i];
	(void)snprintf(out, sizeof(out), "%s/ctl.out", h->tmpdir);
	(void)snprintf(err, sizeof(err), "%s/ctl.err", h->tmpdir);
	return harness_run(h, argv, out, err, 10000);
}

static const char *ctl_output(struct harness *h, const char *name)
{
	char path[400];

	(void)snprintf(path, sizeof(path), "%s/%s", h->tmpdir, name);
	return harness_read_file(h, path);
}

static int exit_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* massagectl pressure shows and sets the offsets, passing on the daemon's refusals;
 * status shows the force and the offsets that are not 0. */
START_TEST(test_massagectl_pressure)
{
	struct harness h;
	const char *out, *message;
	int status;

	harness_start(&h, SCALE, NULL);
	status = massagectl(&h, (char *[]) { "pressure", NULL });
	out = ctl_output(&h, "ctl.out");
	H_ASSERT(&h, exit_status(status) == 0, "massagectl pressure: 0x%x\n%s", (unsigned)status,
		 ctl_output(&h, "ctl.err"));
	for (size_t i = 0; i < sizeof(four_zones) / sizeof(four_zones[0]); i++)
		H_ASSERT(&h, strstr(out, four_zones[i]), "massagectl pressure does not show %s:\n%s", four_zones[i],
			 out);
	H_ASSERT(&h, strncmp(out, "back ", 5) != 0 && !strstr(out, "\nback "),
		 "massagectl pressure shows back, which is two zones:\n%s", out);

	status = massagectl(&h, (char *[]) { "pressure", "lower-back", "-1", NULL });
	H_ASSERT(&h, exit_status(status) == 0, "massagectl pressure lower-back -1: 0x%x\n%s", (unsigned)status,
		 ctl_output(&h, "ctl.err"));
	H_WAIT_PROP(&h, "ZonePressure", "neck=0,shoulders=0,upper-back=0,lower-back=-1", 2000);
	status = massagectl(&h, (char *[]) { "pressure", "neck", "+2", NULL });
	H_ASSERT(&h, exit_status(status) == 0, "massagectl pressure neck +2: 0x%x\n%s", (unsigned)status,
		 ctl_output(&h, "ctl.err"));
	status = massagectl(&h, (char *[]) { "pressure", NULL });
	out = ctl_output(&h, "ctl.out");
	H_ASSERT(&h,
		 strstr(out, "neck        +2\n") && strstr(out, "lower-back  -1\n") && strstr(out, "shoulders    0\n"),
		 "massagectl pressure:\n%s", out);

	/* refusals: the daemon's message, exit 1; nothing changed */
	message = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SetZonePressure", "si", "back", 1);
	status = massagectl(&h, (char *[]) { "pressure", "back", "1", NULL });
	H_ASSERT(&h, exit_status(status) == 1 && strstr(ctl_output(&h, "ctl.err"), message),
		 "massagectl pressure back 1: 0x%x, stderr:\n%s", (unsigned)status, ctl_output(&h, "ctl.err"));
	message = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SetZonePressure", "si", "neck", 3);
	status = massagectl(&h, (char *[]) { "pressure", "neck", "3", NULL });
	H_ASSERT(&h, exit_status(status) == 1 && strstr(ctl_output(&h, "ctl.err"), message),
		 "massagectl pressure neck 3: 0x%x, stderr:\n%s", (unsigned)status, ctl_output(&h, "ctl.err"));
	/* usage errors never reach the daemon */
	H_ASSERT(&h, exit_status(massagectl(&h, (char *[]) { "pressure", "neck", "firm", NULL })) == 2);
	H_ASSERT(&h, exit_status(massagectl(&h, (char *[]) { "pressure", "neck", NULL })) == 2);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "ZonePressure"), "neck=2,shoulders=0,upper-back=0,lower-back=-1");

	status = massagectl(&h, (char *[]) { "status", NULL });
	out = ctl_output(&h, "ctl.out");
	H_ASSERT(&h, exit_status(status) == 0, "massagectl status: 0x%x", (unsigned)status);
	H_ASSERT(&h, strstr(out, "Force: 0.0 N\n"), "massagectl status does not show the force:\n%s", out);
	H_ASSERT(&h, strstr(out, "Pressure: neck +2, lower-back -1\n"), "massagectl status:\n%s", out);
	H_CALL(&h, "SetZonePressure", "si", "neck", 0);
	H_CALL(&h, "SetZonePressure", "si", "lower-back", 0);
	(void)massagectl(&h, (char *[]) { "status", NULL });
	H_ASSERT(&h, !strstr(ctl_output(&h, "ctl.out"), "Pressure:"), "offsets of 0 shown:\n%s",
		 ctl_output(&h, "ctl.out"));
	harness_stop(&h);
}
END_TEST

/* monitor follows the force live: its force line changes with the load while a
 * program runs. The view is drawn on a terminal only (through a pipe the monitor
 * prints events): script(1) gives it a pty. */
START_TEST(test_massagectl_monitor_force)
{
	struct harness h;
	char command[600];
	char *argv[] = { "/usr/bin/script", "-qefc", command, "/dev/null", NULL };
	char out[400], seen[16][64];
	const char *text, *p;
	size_t n_seen = 0;
	int status;

	harness_start(&h, SCALE, NULL);
	H_START_RUNNING(&h, TEST_LONG_ID);
	(void)snprintf(command, sizeof(command), "/usr/bin/timeout --preserve-status -s INT 2 '%s' monitor",
		       getenv("MASSAGECTL"));
	(void)snprintf(out, sizeof(out), "%s/monitor.out", h.tmpdir);
	status = harness_run(&h, argv, out, NULL, 10000);
	H_ASSERT(&h, exit_status(status) == 0, "massagectl monitor: 0x%x", (unsigned)status);
	text = harness_read_file(&h, out);
	/* the distinct force lines it drew: "Force: 58 N  [######----]" */
	for (p = strstr(text, "Force: "); p && n_seen < 16; p = strstr(p + 1, "Force: ")) {
		size_t len = strcspn(p, "\n");
		bool known = false;

		H_ASSERT(&h, memchr(p, '[', len) && memchr(p, ']', len), "no bar on the force line: %.*s", (int)len, p);
		for (size_t i = 0; i < n_seen && !known; i++)
			known = strncmp(seen[i], p, len) == 0 && seen[i][len] == '\0';
		if (!known)
			(void)snprintf(seen[n_seen++], sizeof(seen[0]), "%.*s", (int)len, p);
	}
	H_ASSERT(&h, n_seen >= 2, "the monitor drew %zu different force lines in 2 s of a running program:\n%.2000s",
		 n_seen, text);
	harness_stop(&h);
}
END_TEST

static Suite *pressure_suite(void)
{
	Suite *s = suite_create("pressure");

	CHECK_ADD_TEST(s, test_set_zone_pressure_refusals, 60);
	CHECK_ADD_TEST(s, test_zone_pressure_survives_restart, 60);
	CHECK_ADD_TEST(s, test_force_properties, 90);
	CHECK_ADD_TEST(s, test_force_target_follows_zone_pressure, 90);
	CHECK_ADD_TEST(s, test_massagectl_pressure, 60);
	CHECK_ADD_TEST(s, test_massagectl_monitor_force, 60);
	return s;
}

int main(void)
{
	return check_run_tap(pressure_suite());
}
