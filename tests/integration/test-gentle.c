/* SPDX-License-Identifier: MIT */
/* docs/safety-rules.md: gentle mode. Every cap holds whatever asks: a D-Bus call
 * (refused, nothing changed), a program file and hot-stone (capped), a session already
 * running when it turns on; turning it off is logged; massagectl asks before it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness.h"

#define NECK "/org/massaged/Chair1/heater/neck"
#define SHOULDERS "/org/massaged/Chair1/heater/shoulders"
#define LOWER_BACK "/org/massaged/Chair1/heater/lower_2dback"
#define ID_GENTLE_OFF "d615e577d2944e32b978035e67d3ef99"

static const char *const pads[] = { NECK, SHOULDERS, LOWER_BACK };
static const char *const pad_zones[] = { "neck", "shoulders", "lower-back" };

#define PAD_D(h, path, name) strtod(harness_pad_prop((h), __FILE__, __LINE__, (path), (name)), NULL)
#define PROP_D(h, name) strtod(H_PROP((h), (name)), NULL)
#define SIM_D(h, name) sim_d((h), __FILE__, __LINE__, (name))

/* The force loop at 5x chair time, as the fault matrix's fast faults: at 20x a tick
 * comes every 40 ms of chair time and the rollers answer a bony spot late. */
#define FORCE_SCALE 5

/* Level 3's force, and level 4's: in gentle mode a bony spot may overshoot level 3 for
 * a tick or two (68-74 N measured, more when the host is loaded and ticks come late in
 * chair time), but the person never gets what level 4 gives. Without the gate: 106 N. */
#define LEVEL3_N 60.0
#define LEVEL4_N 80.0

/* A program that asks more than gentle mode gives: deep strokes 2 levels above the
 * person's intensity, hot pads. */
static const char firm_program[] = "[Program]\n"
				   "Title=Test firm\n"
				   "Description=Deep, firm and hot\n"
				   "Heat=yes\n"
				   "HeatTarget=48\n"
				   "\n"
				   "[Step]\n"
				   "Technique=deep\n"
				   "Zone=upper-back\n"
				   "Duration=40\n"
				   "Speed=2\n"
				   "Depth=2\n"
				   "\n"
				   "[Step]\n"
				   "Technique=shiatsu\n"
				   "Zone=shoulders\n"
				   "Duration=40\n"
				   "Depth=2\n";

static double sim_d(struct harness *h, const char *file, int line, const char *name)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *v = harness_get(h, SIM_PATH, SIM_IFACE, name, &error);

	if (!v)
		harness_fail(h, file, line, "Simulator1.%s: %s", name, error.message);
	return strtod(v, NULL);
}

static void start_gentle(struct harness *h, double scale, const char *config)
{
	harness_init(h, config);
	harness_write_program(h, "test-firm", firm_program);
	harness_start_daemon(h, scale);
	H_ASSERT(h, !H_PROP_B(h, "Gentle"));
	H_CALL(h, "SetGentle", "b", 1);
	H_ASSERT(h, H_PROP_B(h, "Gentle"));
}

/* The refused message names the cap. */
static void assert_names(struct harness *h, const char *file, int line, const char *message, const char *cap)
{
	if (!message || !strstr(message, cap) || !strstr(message, "gentle"))
		harness_fail(h, file, line, "refusal \"%s\" does not name gentle mode's cap %s", message, cap);
}
#define ASSERT_NAMES(h, message, cap) assert_names((h), __FILE__, __LINE__, (message), (cap))

/* Every D-Bus request above a cap: InvalidArgs naming it, nothing changed. */
START_TEST(test_requests_above_caps_refused)
{
	struct harness h;
	const char *msg;
	char *before;

	harness_init(&h, NULL);
	harness_start_daemon(&h, 20);
	H_CALL(&h, "SetIntensity", "u", 5);
	H_CALL(&h, "SetZonePressure", "si", "neck", 2);
	H_CALL(&h, "SetTimer", "u", 30);
	H_CALL(&h, "SetHeatTarget", "d", 44.0);
	/* turning it on lowers what the person keeps to the caps */
	H_CALL(&h, "SetGentle", "b", 1);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 3);
	H_ASSERT(&h, strstr(H_PROP(&h, "ZonePressure"), "neck=0"), "ZonePressure %s", H_PROP(&h, "ZonePressure"));
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 900);
	H_ASSERT(&h, PROP_D(&h, "HeatTarget") == 40.0, "HeatTarget %s", H_PROP(&h, "HeatTarget"));

	before = harness_snapshot(&h);
	msg = H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetIntensity", "u", 4);
	ASSERT_NAMES(&h, msg, "3");
	msg = H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetIntensity", "u", 5);
	ASSERT_NAMES(&h, msg, "3");
	msg = H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetTimer", "u", 20);
	ASSERT_NAMES(&h, msg, "15 min");
	msg = H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetHeatTarget", "d", 45.0);
	ASSERT_NAMES(&h, msg, "40.0 °C");
	msg = H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetHeatTarget", "d", 40.5);
	ASSERT_NAMES(&h, msg, "40.0 °C");
	msg = H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetZonePressure", "si", "shoulders", 1);
	ASSERT_NAMES(&h, msg, "3");
	msg = harness_call_error(&h, __FILE__, __LINE__, "org.freedesktop.DBus.Error.InvalidArgs", NECK, HEATER_IFACE,
				 "SetTarget", "d", 45.0);
	ASSERT_NAMES(&h, msg, "40.0 °C");
	msg = harness_call_error(&h, __FILE__, __LINE__, "org.freedesktop.DBus.Error.InvalidArgs", NECK, HEATER_IFACE,
				 "SetTarget", "d", 41.0);
	ASSERT_NAMES(&h, msg, "40.0 °C");
	msg = harness_call_error(&h, __FILE__, __LINE__, CHAIR_ERROR("GentleMode"), NECK, HEATER_IFACE, "Autotune", "");
	H_ASSERT_UINT_EQ(&h, PAD_D(&h, NECK, "Target"), 0);
	H_ASSERT_UNCHANGED(&h, before);
	free(before);

	/* within the caps it all still works */
	H_CALL(&h, "SetIntensity", "u", 2);
	H_CALL(&h, "SetZonePressure", "si", "shoulders", 1);
	H_CALL(&h, "SetTimer", "u", 15);
	H_CALL(&h, "SetHeatTarget", "d", 39.5);
	H_ASSERT(&h, PROP_D(&h, "HeatTarget") == 39.5);
	harness_stop(&h);
}
END_TEST

/* deep-tissue and trigger-point (Gentle=no), and the techniques deep and press: refused
 * with GentleMode saying why; the chair stays idle. */
START_TEST(test_deep_programs_refused)
{
	static const char *const ids[] = { "deep-tissue", "trigger-point" };
	static const char *const techniques[] = { "deep", "press" };
	struct harness h;
	const char *msg;

	start_gentle(&h, 20, NULL);
	for (size_t i = 0; i < 2; i++) {
		msg = H_CALL_ERR(&h, CHAIR_ERROR("GentleMode"), "Start", "s", ids[i]);
		H_ASSERT(&h, strstr(msg, "reduced sensation") && strstr(msg, "deep, sustained pressure"), "%s", msg);
		msg = H_CALL_ERR(&h, CHAIR_ERROR("GentleMode"), "StartManual", "ss", techniques[i], "upper-back");
		H_ASSERT(&h, strstr(msg, "reduced sensation"), "%s", msg);
		H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	}
	/* and allowed again once gentle mode is off */
	H_CALL(&h, "SetGentle", "b", 0);
	H_CALL(&h, "Start", "s", "deep-tissue");
	harness_stop(&h);
}
END_TEST

/* A program file asking level 5 (intensity 3 + Depth=2) and 48 °C: over the whole run
 * ForceTarget never passes level 3's 60 N, the measured force (Simulator1.PeakLoad) never
 * reaches level 4's, and no pad's target 40 °C. */
START_TEST(test_program_file_capped)
{
	struct harness h;
	double max_target = 0, peak, max_pad = 0, sum = 0;
	unsigned n = 0;
	uint64_t until;

	start_gentle(&h, FORCE_SCALE, NULL);
	H_CALL(&h, "SetIntensity", "u", 3);
	H_START_RUNNING(&h, "test-firm");
	H_ASSERT(&h, harness_wait_log(&h, "asks for more than gentle mode gives", 2000), "the cap was not logged");
	H_SIM(&h, "ResetPeakLoad", "");
	until = harness_now_usec() + harness_wall_ms(&h, 80) * 1000ULL;
	while (harness_now_usec() < until && strcmp(H_PROP(&h, "State"), "running") == 0) {
		max_target = fmax(max_target, PROP_D(&h, "ForceTarget"));
		if (strcmp(H_PROP(&h, "Technique"), "deep") == 0 && PROP_D(&h, "ForceTarget") == LEVEL3_N) {
			sum += SIM_D(&h, "Load");
			n++;
		}
		for (size_t i = 0; i < 3; i++)
			max_pad = fmax(max_pad, PAD_D(&h, pads[i], "Target"));
		harness_pump(&h, 20);
	}
	peak = SIM_D(&h, "PeakLoad");
	printf("# program asking level 5 and 48 °C in gentle mode: ForceTarget max %.1f N, PeakLoad %.1f N, "
	       "mean load on the deep strokes %.1f N (%u samples), pad Target max %.1f °C\n",
	       max_target, peak, n ? sum / n : 0.0, n, max_pad);
	/* still a massage: the gate does not keep the rollers off level 3 */
	H_ASSERT(&h, n >= 20 && sum / n >= 0.85 * LEVEL3_N, "mean load %.1f N over %u samples", n ? sum / n : 0.0, n);
	H_ASSERT(&h, max_target > 50.0 && max_target <= LEVEL3_N, "ForceTarget max %.1f N", max_target);
	H_ASSERT(&h, peak < LEVEL4_N, "PeakLoad %.1f N", peak);
	H_ASSERT(&h, max_pad == 39.5, "pad Target max %.1f °C", max_pad);
	H_ASSERT(&h, !harness_log_contains(&h, "over-force"), "over-force in gentle mode");
	harness_stop(&h);
}
END_TEST

/* hot-stone asks 44 °C: in gentle mode no pad's Target is above 40 and no stone gets
 * above it over the whole program. */
START_TEST(test_hot_stone_capped)
{
	struct harness h;
	double max_target = 0, max_stone = 0;

	start_gentle(&h, 50, NULL);
	H_START_RUNNING(&h, "hot-stone");
	while (strcmp(H_PROP(&h, "State"), "running") == 0) {
		for (size_t i = 0; i < 3; i++) {
			max_target = fmax(max_target, PAD_D(&h, pads[i], "Target"));
			max_stone = fmax(max_stone, H_PAD_TEMPERATURE(&h, pad_zones[i]));
		}
		harness_pump(&h, 20);
	}
	printf("# hot-stone in gentle mode: pad Target max %.2f °C, stone max %.2f °C (Elapsed %u s)\n", max_target,
	       max_stone, H_PROP_U(&h, "Elapsed"));
	H_ASSERT(&h, max_target == 39.5, "Target max %.2f", max_target);
	H_ASSERT(&h, max_stone <= 40.0, "stone max %.2f", max_stone);
	H_ASSERT(&h, max_stone > 38.0, "the pads never heated (%.2f)", max_stone);
	harness_stop(&h);
}
END_TEST

/* Turned on during a hot-stone session at intensity 5: the targets drop to 40 at once,
 * Intensity to 3, SessionLimit to 900; off again, nothing jumps back. */
START_TEST(test_on_mid_session)
{
	struct harness h;

	harness_init(&h, NULL);
	harness_start_daemon(&h, SCAN_SCALE);
	H_CALL(&h, "SetIntensity", "u", 5);
	H_CALL(&h, "SetTimer", "u", 30);
	H_START_RUNNING(&h, "hot-stone");
	harness_wait_pad(&h, __FILE__, __LINE__, NECK, "Target", "44.00", 2000);
	H_CALL(&h, "SetGentle", "b", 1);
	/* at once: as the call returns */
	for (size_t i = 0; i < 3; i++)
		H_ASSERT(&h, PAD_D(&h, pads[i], "Target") == 39.5, "%s Target %g", pads[i],
			 PAD_D(&h, pads[i], "Target"));
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 3);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 900);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	harness_pump(&h, harness_wall_ms(&h, 3));
	H_ASSERT(&h, PROP_D(&h, "ForceTarget") <= LEVEL3_N, "ForceTarget %s", H_PROP(&h, "ForceTarget"));
	H_CALL(&h, "SetGentle", "b", 0);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 3);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 1800);
	harness_stop(&h);
}
END_TEST

/* A session past 15 min when gentle mode turns on ends at once with timeout. */
START_TEST(test_on_past_the_limit_ends)
{
	struct harness h;

	harness_init(&h, NULL);
	harness_start_daemon(&h, 100);
	H_CALL(&h, "SetTimer", "u", 30);
	H_CALL(&h, "StartManual", "ss", "knead", "shoulders");
	while (H_PROP_U(&h, "Elapsed") < 905)
		harness_pump(&h, 50);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_CALL(&h, "SetGentle", "b", 1);
	H_WAIT_SIGNAL(&h, "ProgramFinished", "manual", "timeout", 2000);
	harness_stop(&h);
}
END_TEST

/* Turning it off is in the journal (MASSAGED_EVENT=gentle-off); MASSAGED_PROFILE names the
 * profile in use, and is left out with none. */
START_TEST(test_off_logged)
{
	const struct harness_journal_entry *e;
	const char *skip = harness_state_tmpfs_unavailable();
	struct harness h;

	if (skip[0]) {
		printf("# test_off_logged skipped: no journal socket of the test's here (needs a mount namespace, "
		       "as root): %s\n",
		       skip);
		return;
	}
	harness_init(&h, NULL);
	h.journal_capture = true;
	harness_start_daemon(&h, SCAN_SCALE);
	H_CALL(&h, "SetGentle", "b", 1);
	H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=gentle-on", 2000);
	H_CALL(&h, "SetGentle", "b", 0);
	e = H_JOURNAL_WAIT(&h, "MASSAGED_EVENT=gentle-off", 2000);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "MESSAGE_ID"), ID_GENTLE_OFF);
	H_ASSERT_STR_EQ(&h, harness_journal_field(e, "PRIORITY"), "5");
	H_ASSERT(&h, !harness_journal_field(e, "MASSAGED_PROFILE"), "a profile with none in use");
	harness_stop(&h);
}
END_TEST

/* The neck pad has given 30 of its 40 CEM43 minutes today: it heats as asked; in gentle
 * mode the budget is 20, spent, and the pad turns off (43 °C would be no cap). */
START_TEST(test_dose_budget_halved)
{
	struct harness h;
	char text[512];
	size_t n;

	harness_init(&h, "[Heat]\nDoseBudget=40\n");
	n = (size_t)snprintf(text, sizeof(text), "[Dose]\nVersion=1\nneck=");
	for (int i = 0; i < 25; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? " " : "", i == 24 ? "30" : "0");
	(void)snprintf(text + n, sizeof(text) - n, "\n");
	harness_write_file(&h, harness_state_path(&h, "heater-dose.state"), text);
	harness_start_daemon(&h, SCAN_SCALE);
	sd_bus_message_unref(harness_call_ok(&h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 39.0));
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 39.0, "Target %g", PAD_D(&h, NECK, "Target"));
	H_CALL(&h, "SetGentle", "b", 1);
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 0.0, "Target %g with the halved budget spent",
		 PAD_D(&h, NECK, "Target"));
	H_ASSERT(&h, harness_wait_log(&h, "half the budget in gentle mode", 2000));
	/* the other pads have given nothing: they heat */
	sd_bus_message_unref(harness_call_ok(&h, __FILE__, __LINE__, SHOULDERS, HEATER_IFACE, "SetTarget", "d", 39.0));
	H_ASSERT(&h, PAD_D(&h, SHOULDERS, "Target") == 39.0);
	H_CALL(&h, "SetGentle", "b", 0);
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 39.0, "Target %g after gentle mode", PAD_D(&h, NECK, "Target"));
	harness_stop(&h);
}
END_TEST

static int massagectl(struct harness *h, const char *out, const char *err, const char *a1, const char *a2,
		      const char *a3)
{
	char *argv[] = { getenv("MASSAGECTL"), (char *)a1, (char *)a2, (char *)a3, NULL };
	int status;

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	status = harness_run(h, argv, out, err, 10000);
	H_ASSERT(h, WIFEXITED(status), "massagectl did not exit");
	return WEXITSTATUS(status);
}

/* massagectl gentle off without a terminal refuses (exit 1, saying --yes), gentle stays
 * on; with --yes it turns off. heat-target sets HeatTarget. */
START_TEST(test_massagectl_gentle)
{
	struct harness h;
	char out[400], err[400];

	harness_init(&h, NULL);
	harness_start_daemon(&h, SCAN_SCALE);
	(void)snprintf(out, sizeof(out), "%s/out", h.tmpdir);
	(void)snprintf(err, sizeof(err), "%s/err", h.tmpdir);
	H_ASSERT_UINT_EQ(&h, massagectl(&h, out, err, "gentle", "on", NULL), 0);
	H_ASSERT(&h, H_PROP_B(&h, "Gentle"));
	H_ASSERT_UINT_EQ(&h, massagectl(&h, out, err, "gentle", NULL, NULL), 0);
	H_ASSERT(&h, strstr(harness_read_file(&h, out), "Gentle mode: on"), "%s", harness_read_file(&h, out));
	H_ASSERT_UINT_EQ(&h, massagectl(&h, out, err, "gentle", "off", NULL), 1);
	H_ASSERT(&h, strstr(harness_read_file(&h, err), "--yes"), "%s", harness_read_file(&h, err));
	H_ASSERT(&h, H_PROP_B(&h, "Gentle"), "turned off without confirmation");
	H_ASSERT_UINT_EQ(&h, massagectl(&h, out, err, "heat-target", "41", NULL), 1);
	H_ASSERT(&h, strstr(harness_read_file(&h, err), "gentle"), "%s", harness_read_file(&h, err));
	H_ASSERT_UINT_EQ(&h, massagectl(&h, out, err, "gentle", "off", "--yes"), 0);
	H_ASSERT(&h, !H_PROP_B(&h, "Gentle"));
	H_ASSERT_UINT_EQ(&h, massagectl(&h, out, err, "heat-target", "41", NULL), 0);
	H_ASSERT(&h, PROP_D(&h, "HeatTarget") == 41.0);
	H_ASSERT_UINT_EQ(&h, massagectl(&h, out, err, "heat-target", NULL, NULL), 0);
	H_ASSERT(&h, strstr(harness_read_file(&h, out), "41.0 °C"), "%s", harness_read_file(&h, out));
	H_ASSERT_UINT_EQ(&h, massagectl(&h, out, err, "heat-target", "default", NULL), 0);
	H_ASSERT(&h, PROP_D(&h, "HeatTarget") == 0.0);
	harness_stop(&h);
}
END_TEST

/* SetHeatTarget: the session's pads heat to it instead of the program's 44; 0 gives the
 * program's back; outside 30..the lowest MaxTarget refused. */
START_TEST(test_heat_target)
{
	struct harness h;

	harness_init(&h, "[Heat]\nMaxTarget=45\nPads=neck shoulders lower-back\n");
	harness_start_daemon(&h, SCAN_SCALE);
	H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetHeatTarget", "d", 45.5);
	H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetHeatTarget", "d", 29.0);
	H_CALL_ERR(&h, "org.freedesktop.DBus.Error.InvalidArgs", "SetHeatTarget", "d", NAN);
	H_CALL(&h, "SetHeatTarget", "d", 38.0);
	H_START_RUNNING(&h, "hot-stone");
	for (size_t i = 0; i < 3; i++)
		H_ASSERT(&h, PAD_D(&h, pads[i], "Target") == 38.0, "%s", pads[i]);
	H_CALL(&h, "SetHeatTarget", "d", 0.0);
	for (size_t i = 0; i < 3; i++)
		H_ASSERT(&h, PAD_D(&h, pads[i], "Target") == 44.0, "%s", pads[i]);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gentle");
	TCase *tc = tcase_create("gentle");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_requests_above_caps_refused);
	tcase_add_test(tc, test_deep_programs_refused);
	tcase_add_test(tc, test_program_file_capped);
	tcase_add_test(tc, test_hot_stone_capped);
	tcase_add_test(tc, test_on_mid_session);
	tcase_add_test(tc, test_on_past_the_limit_ends);
	tcase_add_test(tc, test_off_logged);
	tcase_add_test(tc, test_dose_budget_halved);
	tcase_add_test(tc, test_massagectl_gentle);
	tcase_add_test(tc, test_heat_target);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
