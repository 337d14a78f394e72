/* SPDX-License-Identifier: MIT */
/* A pad's tuning file against the pad (issue 13, item 8): a file no pad can be is
 * refused at start, a plausible file of another pad is refuted by the pad in its first
 * minute of heating, and the simulator's own autotune is a plausible pad. Each time the
 * true stone (Simulator1) stays under MaxTarget + 0.5 °C and no fault is raised. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check-tap.h"
#include "harness.h"

#define NECK "/org/massaged/Chair1/heater/neck"
#define LOWER_BACK "/org/massaged/Chair1/heater/lower_2dback"
#define SCALE 50
#define MAX_TARGET_C 45.0

#define PAD_PROP(h, pad, name) harness_pad_prop((h), __FILE__, __LINE__, (pad), (name))
#define NECK_PROP(h, name) PAD_PROP((h), NECK, (name))

/* A tuning file as autotune writes it, with these model numbers. */
static void write_tuning(struct harness *h, const char *zone, const char *model)
{
	char path[400], text[600];

	(void)snprintf(path, sizeof(path), "%s/state/heater-%s.tune", h->tmpdir, zone);
	(void)snprintf(text, sizeof(text), "[Tuning]\nVersion=1\n%sTarget=42\nFitRms=0.04\nDuration=700\n", model);
	harness_write_file(h, path, text);
}

/* SetTarget 44 on a pad and follow its true stone for `chair_s`: its highest
 * temperature. No fault all along. */
static double heat_watch(struct harness *h, const char *pad, const char *zone, double chair_s)
{
	double peak = -INFINITY;

	sd_bus_message_unref(harness_call_ok(h, __FILE__, __LINE__, pad, HEATER_IFACE, "SetTarget", "d", 44.0));
	for (uint64_t end = harness_now_usec() + harness_wall_ms(h, chair_s) * 1000ULL; harness_now_usec() < end;) {
		peak = fmax(peak, H_PAD_TEMPERATURE(h, zone));
		H_ASSERT(h, H_PROP(h, "Faults")[0] == '\0', "fault %s with the stone at %.2f °C (peak %.2f)",
			 H_PROP(h, "Faults"), H_PAD_TEMPERATURE(h, zone), peak);
		harness_pump(h, 20);
	}
	return peak;
}
#define heat_neck_watch(h, chair_s) heat_watch((h), NECK, "neck", (chair_s))

/* The file: Gain=500, ElementSeconds=0.5, the rest as the simulator's pad. Once
 * the stone reached 48.6 °C (MaxTarget 45) and stayed over 45 °C for about 2 min. */
START_TEST(test_implausible_file_refused)
{
	struct harness h;
	char want[500];
	double peak;

	harness_init(&h, NULL);
	write_tuning(&h, "neck",
		     "Gain=500\nElementSeconds=0.5\nCoupleSeconds=146\nLossSeconds=170\n"
		     "Sink=30.2\nSensorSeconds=6.1\n");
	harness_start_daemon(&h, SCALE);
	peak = heat_neck_watch(&h, 600.0);
	printf("# Gain=500, ElementSeconds=0.5: the stone peaked at %.2f °C in 600 s of SetTarget 44\n", peak);
	H_ASSERT(&h, peak <= MAX_TARGET_C + 0.5, "the stone reached %.2f °C", peak);
	H_ASSERT(&h, fabs(H_PAD_TEMPERATURE(&h, "neck") - 44.0) <= 0.5);
	(void)snprintf(want, sizeof(want),
		       "Ignoring the neck pad's autotune result: %s/state/heater-neck.tune: "
		       "not a model of a pad: ",
		       h.tmpdir);
	H_ASSERT(&h, harness_log_contains(&h, want), "no refusal naming the file");
	H_ASSERT(&h,
		 harness_log_contains(&h, "(Gain) is 500 °C, outside what a pad can be (3..100 °C); "
					  "using cautious defaults"),
		 "the check is not named");
	H_ASSERT_STR_EQ(&h, NECK_PROP(&h, "Tuned"), "false");
	harness_stop(&h);
}
END_TEST

/* Plausible, and another pad's: a stone twice as heavy. The neck pad heats on it, sees
 * the stone warm faster than the model says, and drops it for the defaults within
 * its first minute of heating, once; Tuned turns false. Before, the observer blamed
 * the relay for the heat the model did not predict (heater-stuck:neck). */
START_TEST(test_wrong_model_refuted)
{
	struct harness h;
	double peak;

	harness_init(&h, NULL);
	write_tuning(&h, "neck",
		     "Gain=29.2\nElementSeconds=34\nCoupleSeconds=300\nLossSeconds=350\n"
		     "Sink=30.2\nSensorSeconds=6.1\n");
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, NECK_PROP(&h, "Tuned"), "true");
	peak = heat_neck_watch(&h, 400.0);
	printf("# a heavy stone's model on the neck pad: the stone peaked at %.2f °C\n", peak);
	H_ASSERT(&h, harness_log_contains(&h, "The neck pad does not behave as its autotune result"),
		 "the wrong model was kept");
	H_ASSERT(&h, harness_log_contains(&h, "Using cautious defaults from now on"));
	H_ASSERT_STR_EQ(&h, NECK_PROP(&h, "Tuned"), "false");
	H_ASSERT(&h, peak <= MAX_TARGET_C + 0.5, "the stone reached %.2f °C", peak);
	H_ASSERT_STR_EQ(&h, NECK_PROP(&h, "State"), "holding");
	harness_stop(&h);
}
END_TEST

/* The simulator's own autotune of the lower-back pad (where it once ran to
 * Gain=499.95): a model well inside every bound, near the simulated pad's (48 W over
 * 1.6–1.75 W/K: 27–30 °C), loaded at the next start and kept through a cold heat-up. */
START_TEST(test_autotune_plausible)
{
	struct harness h;
	char path[400];
	const char *text, *gain;
	double g;

	harness_start(&h, 100, NULL);
	sd_bus_message_unref(harness_call_ok(&h, __FILE__, __LINE__, LOWER_BACK, HEATER_IFACE, "Autotune", ""));
	for (uint64_t end = harness_now_usec() + harness_wall_ms(&h, 3600) * 1000ULL + 5000000;;) {
		if (strcmp(PAD_PROP(&h, LOWER_BACK, "State"), "autotune") != 0)
			break;
		H_ASSERT(&h, harness_now_usec() < end, "autotune still running");
		harness_pump(&h, 50);
	}
	H_ASSERT(&h, harness_log_contains(&h, "Autotune of the lower-back pad done"), "autotune failed");
	(void)snprintf(path, sizeof(path), "%s/state/heater-lower-back.tune", h.tmpdir);
	for (uint64_t end = harness_now_usec() + 2000000; !strstr(harness_read_file(&h, path), "[Tuning]");) {
		H_ASSERT(&h, harness_now_usec() < end, "no result in %s", path);
		harness_pump(&h, 20);
	}
	text = harness_read_file(&h, path);
	gain = strstr(text, "\nGain=");
	H_ASSERT(&h, gain, "no Gain= in:\n%s", text);
	g = strtod(gain + 6, NULL);
	printf("# the simulator's autotune of the lower-back pad:\n");
	for (const char *line = gain + 1; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		printf("#   %.*s\n", (int)strcspn(line, "\n"), line);
	H_ASSERT(&h, g >= 15.0 && g <= 60.0, "Gain=%g", g);

	/* a fresh start loads it as plausible, and a cold heat-up keeps it */
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	harness_start_daemon(&h, SCALE);
	H_ASSERT(&h, !harness_log_contains(&h, "Ignoring the lower-back pad's autotune result"));
	H_ASSERT_STR_EQ(&h, PAD_PROP(&h, LOWER_BACK, "Tuned"), "true");
	H_ASSERT(&h, heat_watch(&h, LOWER_BACK, "lower-back", 400.0) <= MAX_TARGET_C + 0.5);
	H_ASSERT(&h, !harness_log_contains(&h, "does not behave as its autotune result"),
		 "the pad's own model refuted");
	H_ASSERT_STR_EQ(&h, PAD_PROP(&h, LOWER_BACK, "Tuned"), "true");
	harness_stop(&h);
}
END_TEST

/* ---- AutotuneError ---- */

/* What PropertiesChanged of the neck pad said of AutotuneError: the latest value. */
struct error_watch {
	unsigned changes;
	char last[512];
};

static int on_pad_properties(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct error_watch *w = userdata;
	const char *iface, *name, *value;
	int r;

	(void)error;
	if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, HEATER_IFACE) != 0)
		return 0;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r > 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &name);
		if (r >= 0 && strcmp(name, "AutotuneError") == 0 && sd_bus_message_read(m, "v", "s", &value) >= 0) {
			(void)snprintf(w->last, sizeof(w->last), "%s", value);
			w->changes++;
		} else if (r >= 0)
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	return 0;
}

/* The neck pad's stone (element and sensor with it) to `celsius`, 0.3 °C a step and a
 * heat tick between steps: a cold pack laid on the pad, never a jump the sensor check
 * calls a fault. */
static void cool_neck(struct harness *h, double celsius)
{
	for (double t = H_PAD_TEMPERATURE(h, "neck"); t > celsius;) {
		t = fmax(t - 0.3, celsius);
		H_SIM(h, "SetPadTemperature", "sd", "neck", t);
		harness_pump(h, 5);
	}
}

/* `massagectl heat`'s output. */
static const char *massagectl_heat(struct harness *h)
{
	char out[400];
	char *argv[] = { getenv("MASSAGECTL"), (char *)"heat", NULL };

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	(void)snprintf(out, sizeof(out), "%s/ctl.out", h->tmpdir);
	H_ASSERT(h, harness_run(h, argv, out, NULL, 10000) == 0);
	return harness_read_file(h, out);
}

static void wait_autotune_over(struct harness *h)
{
	for (uint64_t end = harness_now_usec() + harness_wall_ms(h, 4000) * 1000ULL + 5000000;;) {
		if (strcmp(NECK_PROP(h, "State"), "autotune") != 0)
			break;
		H_ASSERT(h, harness_now_usec() < end, "autotune still running");
		H_ASSERT(h, H_PROP(h, "Faults")[0] == '\0', "fault %s", H_PROP(h, "Faults"));
		harness_pump(h, 50);
	}
}

/* A pad cooled by 12 °C in the middle of its coast replays as no pad: the autotune fails,
 * and AutotuneError (read and announced) is the sentence the journal gives. Starting
 * an autotune empties it, and a successful one leaves it empty. Nothing faults. */
START_TEST(test_autotune_error)
{
	struct harness harness, *h = &harness;
	sd_bus_slot *slot = NULL;
	struct error_watch w = { 0 };
	const char *error;
	char want[700];

	harness_start(h, 100, NULL);
	H_ASSERT(h, sd_bus_match_signal(h->bus, &slot, NULL, NECK, "org.freedesktop.DBus.Properties",
					"PropertiesChanged", on_pad_properties, &w) >= 0);
	H_ASSERT_STR_EQ(h, NECK_PROP(h, "AutotuneError"), "");

	sd_bus_message_unref(harness_call_ok(h, __FILE__, __LINE__, NECK, HEATER_IFACE, "Autotune", ""));
	/* a quarter of the way: 80 s into the coast, heat off long enough for the rules */
	for (uint64_t end = harness_now_usec() + harness_wall_ms(h, 900) * 1000ULL + 5000000;
	     strtod(NECK_PROP(h, "AutotuneProgress"), NULL) < 0.25;) {
		H_ASSERT(h, harness_now_usec() < end, "autotune did not reach its coast");
		harness_pump(h, 10);
	}
	H_ASSERT(h, strtod(NECK_PROP(h, "Power"), NULL) == 0.0, "heating in its coast");
	cool_neck(h, H_PAD_TEMPERATURE(h, "neck") - 12.0);
	wait_autotune_over(h);

	H_ASSERT(h, harness_log_contains(h, "Autotune of the neck pad failed: "), "the autotune did not fail");
	error = NECK_PROP(h, "AutotuneError");
	printf("# a pad cooled 12 °C in its coast: AutotuneError \"%s\"\n", error);
	H_ASSERT(h, error[0] != '\0');
	(void)snprintf(want, sizeof(want), "Autotune of the neck pad failed: %s\n", error);
	H_ASSERT(h, harness_log_contains(h, want), "AutotuneError is not the logged sentence");
	harness_pump(h, 100);
	H_ASSERT(h, w.changes >= 1 && strcmp(w.last, error) == 0, "PropertiesChanged said \"%s\" (%u times)", w.last,
		 w.changes);
	H_ASSERT_STR_EQ(h, NECK_PROP(h, "Tuned"), "false");
	H_ASSERT_STR_EQ(h, NECK_PROP(h, "State"), "off");
	(void)snprintf(want, sizeof(want), "\nneck: autotune failed: %s\n", error);
	H_ASSERT(h, strstr(massagectl_heat(h), want), "massagectl heat printed:\n%s", massagectl_heat(h));

	/* from a cool pad again: empty at the start, and still empty when it succeeds. The
	 * pad rests a minute at 24 °C first: a stone forced down 3 °C in 5 s just before
	 * the autotune threw the controller's estimate of the element off, and the coast
	 * after its heating then read as heat arriving with the relay off (heater-stuck,
	 * once in CI under load): a real stone does not cool like that. */
	cool_neck(h, 24.0);
	harness_pump(h, harness_wall_ms(h, 60));
	cool_neck(h, 24.0);
	w.changes = 0;
	sd_bus_message_unref(harness_call_ok(h, __FILE__, __LINE__, NECK, HEATER_IFACE, "Autotune", ""));
	H_ASSERT_STR_EQ(h, NECK_PROP(h, "AutotuneError"), "");
	harness_pump(h, 100);
	H_ASSERT(h, w.changes == 1 && w.last[0] == '\0', "PropertiesChanged said \"%s\" (%u times)", w.last, w.changes);
	wait_autotune_over(h);
	H_ASSERT(h, harness_log_contains(h, "Autotune of the neck pad done"), "the second autotune failed");
	H_ASSERT_STR_EQ(h, NECK_PROP(h, "AutotuneError"), "");
	H_ASSERT_STR_EQ(h, NECK_PROP(h, "Tuned"), "true");
	H_ASSERT(h, w.changes == 1, "AutotuneError changed %u times", w.changes);
	H_ASSERT(h, !strstr(massagectl_heat(h), "autotune failed"), "massagectl heat printed:\n%s", massagectl_heat(h));
	slot = sd_bus_slot_unref(slot);
	harness_stop(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("heat-model");

	CHECK_ADD_TEST(s, test_implausible_file_refused, 60);
	CHECK_ADD_TEST(s, test_wrong_model_refuted, 60);
	CHECK_ADD_TEST(s, test_autotune_plausible, 90);
	CHECK_ADD_TEST(s, test_autotune_error, 120);
	return check_run_tap(s);
}
