/* SPDX-License-Identifier: MIT */
/* Heating pads end to end: the Heater1 objects, SetTarget, programs' heat, autotune
 * and its persistence, and every temperature rule of docs/safety-rules.md injected through
 * Simulator1. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness.h"

#define NECK "/org/massaged/Chair1/heater/neck"
#define SHOULDERS "/org/massaged/Chair1/heater/shoulders"
#define LOWER_BACK "/org/massaged/Chair1/heater/lower_2dback"
#define SCALE 50

#define PAD(h, path, name) harness_pad_prop((h), __FILE__, __LINE__, (path), (name))
#define PAD_D(h, path, name) strtod(PAD((h), (path), (name)), NULL)

#define PAD_CALL(h, path, member, ...) \
	sd_bus_message_unref(harness_call_ok((h), __FILE__, __LINE__, (path), HEATER_IFACE, (member), __VA_ARGS__))
#define PAD_CALL_ERR(h, error, path, member, ...) \
	harness_call_error((h), __FILE__, __LINE__, (error), (path), HEATER_IFACE, (member), __VA_ARGS__)

#define WAIT_PAD(h, path, name, want, ms) harness_wait_pad((h), __FILE__, __LINE__, (path), (name), (want), (ms))

/* Wait until a pad property reads the number `want`, pumping the bus. */
static void wait_pad_d(struct harness *h, const char *file, int line, const char *path, const char *name, double want,
		       unsigned timeout_ms)
{
	uint64_t end = harness_now_usec() + (uint64_t)timeout_ms * 1000;
	double v;

	for (;;) {
		v = strtod(harness_pad_prop(h, file, line, path, name), NULL);
		if (fabs(v - want) < 1e-9)
			return;
		if (harness_now_usec() > end)
			harness_fail(h, file, line, "%s %s is %g, expected %g", path, name, v, want);
		harness_pump(h, 20);
	}
}
#define WAIT_PAD_D(h, path, name, want, ms) wait_pad_d((h), __FILE__, __LINE__, (path), (name), (want), (ms))

static void assert_heat_outputs_off(struct harness *h, const char *file, int line)
{
	static const char *const outputs[] = { "HEAT_POWER", "HEAT_NECK", "HEAT_SHOULDERS", "HEAT_LOWER_BACK" };

	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		if (harness_output(h, file, line, outputs[i]))
			harness_fail(h, file, line, "%s still active", outputs[i]);
}
#define H_ASSERT_HEAT_OFF(h) assert_heat_outputs_off((h), __FILE__, __LINE__)

/* Heat the neck pad to `target` and wait until it holds there. */
static void heat_neck(struct harness *h, const char *file, int line, double target)
{
	char want[32];

	sd_bus_message_unref(harness_call_ok(h, file, line, NECK, HEATER_IFACE, "SetTarget", "d", target));
	(void)snprintf(want, sizeof(want), "holding");
	harness_wait_pad(h, file, line, NECK, "State", want, harness_wall_ms(h, 600) + 5000);
}
#define HEAT_NECK(h, target) heat_neck((h), __FILE__, __LINE__, (target))

START_TEST(test_heater_objects)
{
	struct harness h;
	sd_bus_message *reply;
	unsigned heaters = 0;
	const char *path;
	int r;

	harness_start(&h, SCALE, NULL);
	reply = harness_call_ok(&h, __FILE__, __LINE__, CHAIR_PATH, "org.freedesktop.DBus.ObjectManager",
				"GetManagedObjects", "");
	H_ASSERT(&h, sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") > 0);
	while ((r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		const char *iface;

		H_ASSERT(&h, sd_bus_message_read(reply, "o", &path) > 0);
		H_ASSERT(&h, sd_bus_message_enter_container(reply, 'a', "{sa{sv}}") > 0);
		while (sd_bus_message_enter_container(reply, 'e', "sa{sv}") > 0) {
			H_ASSERT(&h, sd_bus_message_read(reply, "s", &iface) > 0);
			if (strcmp(iface, HEATER_IFACE) == 0)
				heaters++;
			H_ASSERT(&h, sd_bus_message_skip(reply, "a{sv}") >= 0);
			H_ASSERT(&h, sd_bus_message_exit_container(reply) >= 0);
		}
		H_ASSERT(&h, sd_bus_message_exit_container(reply) >= 0);
		H_ASSERT(&h, sd_bus_message_exit_container(reply) >= 0);
	}
	sd_bus_message_unref(reply);
	H_ASSERT(&h, heaters == 3, "%u Heater1 objects listed", heaters);

	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "Zone"), "lower-back");
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "State"), "off");
	H_ASSERT(&h, PAD_D(&h, NECK, "MaxTarget") == 45.0);
	H_ASSERT(&h, PAD_D(&h, SHOULDERS, "Target") == 0.0);
	H_ASSERT_STR_EQ(&h, PAD(&h, SHOULDERS, "Tuned"), "false");
	/* the simulated person warms the idle pads a little above the room */
	H_ASSERT(&h, PAD_D(&h, NECK, "Temperature") > 20.0 && PAD_D(&h, NECK, "Temperature") < 35.0);
	harness_stop(&h);
}
END_TEST

START_TEST(test_set_target_refused)
{
	struct harness h;
	static const double bad[] = { 29.9, 45.1, -1.0, 100.0, NAN, INFINITY };

	harness_start(&h, SCALE, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PAD_CALL_ERR(&h, ERROR_INVALID_ARGS, NECK, "SetTarget", "d", bad[i]);
		H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 0.0);
	}
	H_SIM(&h, "SetSeated", "b", 0);
	H_WAIT_PROP(&h, "Seated", "false", 2000);
	PAD_CALL_ERR(&h, CHAIR_ERROR("NotSeated"), NECK, "SetTarget", "d", 40.0);
	PAD_CALL_ERR(&h, CHAIR_ERROR("NotSeated"), NECK, "Autotune", "");
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "State"), "off");
	H_ASSERT_HEAT_OFF(&h);
	harness_stop(&h);
}
END_TEST

START_TEST(test_set_target_holds)
{
	struct harness h;
	double worst = 0.0;

	harness_start(&h, SCALE, NULL);
	PAD_CALL(&h, NECK, "SetTarget", "d", 44.0);
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 44.0);
	H_ASSERT(&h, H_OUTPUT(&h, "HEAT_POWER"), "master relay open while the neck pad heats");
	WAIT_PAD(&h, NECK, "State", "heating", 2000);
	WAIT_PAD(&h, NECK, "State", "holding", harness_wall_ms(&h, 600) + 5000);
	/* hold for two minutes of chair time: the stone (what the skin feels) stays close */
	for (uint64_t end = harness_now_usec() + harness_wall_ms(&h, 120) * 1000ULL; harness_now_usec() < end;) {
		double stone = H_PAD_TEMPERATURE(&h, "neck");
		double power = PAD_D(&h, NECK, "Power");

		worst = fmax(worst, fabs(stone - 44.0));
		H_ASSERT(&h, power >= 0.0 && power <= 1.0, "Power %g", power);
		harness_pump(&h, 50);
	}
	H_ASSERT(&h, worst <= 0.5, "the stone strayed %.2f °C from 44 while holding", worst);
	H_ASSERT(&h, fabs(PAD_D(&h, NECK, "Temperature") - 44.0) <= 0.5);
	/* the other pads were never asked for heat */
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_SHOULDERS") && !H_OUTPUT(&h, "HEAT_LOWER_BACK"));

	PAD_CALL(&h, NECK, "SetTarget", "d", 0.0);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "State"), "off");
	H_ASSERT(&h, PAD_D(&h, NECK, "Power") == 0.0);
	H_ASSERT_HEAT_OFF(&h);
	harness_stop(&h);
}
END_TEST

/* A program's heated step heats its zone's pad, and only while Heat is on. */
START_TEST(test_program_heat_steps)
{
	struct harness h;

	harness_init(&h, NULL);
	harness_write_program(&h, "warm-neck",
			      "[Program]\nTitle=Warm neck\nDescription=Heat on the neck step only.\n"
			      "[Step]\nTechnique=knead\nZone=neck\nDuration=60\nHeat=yes\n"
			      "[Step]\nTechnique=knead\nZone=lower-back\nDuration=600\n");
	harness_start_daemon(&h, SCAN_SCALE);
	H_START_RUNNING(&h, "warm-neck");
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 0.0, "heat without Heat on");
	H_CALL(&h, "SetHeat", "b", 1);
	WAIT_PAD_D(&h, NECK, "Target", 42, 2000);
	H_ASSERT(&h, PAD_D(&h, LOWER_BACK, "Target") == 0.0);
	H_ASSERT(&h, H_OUTPUT(&h, "HEAT_POWER"));
	/* the second step does not heat */
	H_WAIT_PROP(&h, "Step", "2", harness_wall_ms(&h, 90) + 3000);
	WAIT_PAD_D(&h, NECK, "Target", 0, 2000);
	H_ASSERT(&h, PAD_D(&h, LOWER_BACK, "Target") == 0.0);
	H_CALL(&h, "Stop", "");
	H_ASSERT_HEAT_OFF(&h);
	harness_stop(&h);
}
END_TEST

/* hot-stone heats every pad from first step to last, at its HeatTarget (44); Stop
 * turns them all off. */
START_TEST(test_hot_stone)
{
	struct harness h;

	harness_init(&h, NULL);
	harness_start_daemon(&h, SCAN_SCALE);
	H_START_RUNNING(&h, "hot-stone");
	H_ASSERT(&h, H_PROP_B(&h, "Heat"));
	WAIT_PAD_D(&h, NECK, "Target", 44, 2000);
	WAIT_PAD_D(&h, SHOULDERS, "Target", 44, 2000);
	WAIT_PAD_D(&h, LOWER_BACK, "Target", 44, 2000);
	H_ASSERT(&h, H_OUTPUT(&h, "HEAT_POWER"));
	H_CALL(&h, "SetHeat", "b", 0);
	WAIT_PAD_D(&h, NECK, "Target", 0, 2000);
	H_ASSERT_HEAT_OFF(&h);
	H_CALL(&h, "SetHeat", "b", 1);
	WAIT_PAD_D(&h, SHOULDERS, "Target", 44, 2000);
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "hot-stone", "stopped", 2000);
	WAIT_PAD_D(&h, NECK, "Target", 0, 2000);
	WAIT_PAD(&h, LOWER_BACK, "State", "off", 2000);
	H_ASSERT_HEAT_OFF(&h);
	harness_stop(&h);
}
END_TEST

/* Every temperature fault: injected while the neck pad holds; the fault code in
 * Faults, FaultRaised and the log; every heat output off; the pad in State fault
 * with Target 0; ClearFault refused while the cause is there, accepted once gone. A
 * fault that means a broken part locks the pad out: after ClearFault it stays off
 * (LockedOut) until root's ResetLockout. */
static const struct {
	const char *inject; /* Simulator1.InjectFault, or NULL */
	double pad_celsius; /* else SetPadTemperature on the neck pad */
	const char *code;
	double within_s; /* chair seconds to the fault */
	bool persists;   /* ClearFault refuses while injected */
	bool locks;      /* the pad stays locked out after ClearFault */
} heat_faults[] = {
	{ "sensor-open:neck", 0, "sensor:neck", 2, true, false },
	{ "sensor-short:neck", 0, "sensor:neck", 2, true, false },
	{ "temp-module-offline", 0, "temp-module-offline", 4, true, false },
	{ "sensor-detached:neck", 0, "sensor:neck", 2, false, true },
	{ "heater-dead:neck", 0, "runaway:neck", 200, false, true },
	{ "heater-stuck:neck", 0, "heater-stuck:neck", 150, false, true },
	{ NULL, 48.5, "overtemp:neck", 2, true, true },
};

START_TEST(test_heat_fault)
{
	struct harness h;
	const char *faults, *state;
	char needle[64];

	harness_start(&h, SCALE, NULL);
	HEAT_NECK(&h, 42.0);
	harness_clear_history(&h);
	if (heat_faults[_i].inject)
		H_SIM(&h, "InjectFault", "sb", heat_faults[_i].inject, 1);
	else
		H_SIM(&h, "SetPadTemperature", "sd", "neck", heat_faults[_i].pad_celsius);
	H_WAIT_SIGNAL(&h, "FaultRaised", heat_faults[_i].code, NULL,
		      harness_wall_ms(&h, heat_faults[_i].within_s) + 3000);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	faults = H_PROP(&h, "Faults");
	H_ASSERT(&h, strstr(faults, heat_faults[_i].code), "Faults \"%s\"", faults);
	(void)snprintf(needle, sizeof(needle), "fault %s:", heat_faults[_i].code);
	H_ASSERT(&h, harness_wait_log(&h, needle, 2000), "no log entry \"%s\"", needle);
	H_ASSERT_HEAT_OFF(&h);
	state = PAD(&h, NECK, "State");
	H_ASSERT_STR_EQ(&h, state, "fault");
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 0.0);
	H_ASSERT(&h, PAD_D(&h, NECK, "Power") == 0.0);
	/* nothing heats again by itself, and nothing can be asked to */
	PAD_CALL_ERR(&h, CHAIR_ERROR("Faulted"), NECK, "SetTarget", "d", 40.0);
	harness_pump(&h, harness_wall_ms(&h, 5));
	H_ASSERT_HEAT_OFF(&h);

	if (heat_faults[_i].persists)
		H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	if (!heat_faults[_i].inject) {
		/* under the trip point but within 1 °C of it: one noisy reading there must not
		 * clear a trip that the next one would raise again */
		H_SIM(&h, "SetPadTemperature", "sd", "neck", heat_faults[_i].pad_celsius - 1.2);
		H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	}
	if (heat_faults[_i].inject)
		H_SIM(&h, "InjectFault", "sb", heat_faults[_i].inject, 0);
	else
		H_SIM(&h, "SetPadTemperature", "sd", "neck", 40.0);
	H_CLEAR_FAULT(&h, heat_faults[_i].code);
	WAIT_PAD(&h, NECK, "State", "off", 2000);
	if (heat_faults[_i].locks) {
		H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), heat_faults[_i].code);
		PAD_CALL_ERR(&h, CHAIR_ERROR("LockedOut"), NECK, "SetTarget", "d", 40.0);
		harness_pump(&h, harness_wall_ms(&h, 2));
		H_ASSERT_HEAT_OFF(&h);
		PAD_CALL(&h, NECK, "ResetLockout", "");
	} else
		H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "");
	/* and heat works again (from a stone below the target, whatever the fault left) */
	H_SIM(&h, "SetPadTemperature", "sd", "neck", 30.0);
	PAD_CALL(&h, NECK, "SetTarget", "d", 40.0);
	WAIT_PAD(&h, NECK, "State", "heating", 2000);
	harness_stop(&h);
}
END_TEST

/* Heat without a person: 30 s of empty seat turns every pad off (no program runs, so
 * nothing else would). */
START_TEST(test_seat_empty)
{
	struct harness h;

	harness_start(&h, SCALE, NULL);
	PAD_CALL(&h, SHOULDERS, "SetTarget", "d", 40.0);
	WAIT_PAD(&h, SHOULDERS, "State", "heating", 2000);
	H_SIM(&h, "SetSeated", "b", 0);
	harness_pump(&h, harness_wall_ms(&h, 20));
	H_ASSERT(&h, PAD_D(&h, SHOULDERS, "Target") == 40.0, "heat off before 30 s");
	WAIT_PAD_D(&h, SHOULDERS, "Target", 0, harness_wall_ms(&h, 15) + 2000);
	H_ASSERT_STR_EQ(&h, PAD(&h, SHOULDERS, "State"), "off");
	H_ASSERT_HEAT_OFF(&h);
	H_ASSERT(&h, harness_log_contains(&h, "the seat has been empty for 30 s"));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	harness_stop(&h);
}
END_TEST

/* CEM43: once a session's dose reaches the budget the pad is held at 43 °C. */
START_TEST(test_heat_dose)
{
	struct harness h;

	harness_start(&h, SCALE, "[Heat]\nDoseBudget=2\n");
	HEAT_NECK(&h, 45.0);
	WAIT_PAD_D(&h, NECK, "Target", 43, harness_wall_ms(&h, 300) + 3000);
	H_ASSERT(&h, harness_wait_log(&h, "has given its heat dose", 2000));
	PAD_CALL(&h, NECK, "SetTarget", "d", 44.0);
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 43.0, "the budget is per session, not per call");
	harness_stop(&h);
}
END_TEST

/* Autotune over D-Bus: progress, a result persisted and loaded at the next start;
 * refused on a warm pad; a damaged file is reported and ignored. */
START_TEST(test_autotune)
{
	struct harness h;
	char path[400];
	double progress = 0.0, last = 0.0;
	bool saw_progress = false;

	harness_start(&h, 100, NULL);
	PAD_CALL(&h, LOWER_BACK, "Autotune", "");
	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "State"), "autotune");
	H_ASSERT(&h, H_OUTPUT(&h, "HEAT_POWER"));
	for (uint64_t end = harness_now_usec() + harness_wall_ms(&h, 3600) * 1000ULL + 5000000;;) {
		/* progress first: if State still reads autotune after it, it was read mid-run */
		progress = PAD_D(&h, LOWER_BACK, "AutotuneProgress");
		if (strcmp(PAD(&h, LOWER_BACK, "State"), "autotune") != 0)
			break;
		H_ASSERT(&h, progress >= last - 1e-9 && progress <= 1.0, "progress %g after %g", progress, last);
		saw_progress = saw_progress || (progress > 0.2 && progress < 0.9);
		last = progress;
		H_ASSERT(&h, H_PAD_TEMPERATURE(&h, "lower-back") <= 43.0, "autotune heated the stone to %.2f",
			 H_PAD_TEMPERATURE(&h, "lower-back"));
		H_ASSERT(&h, harness_now_usec() < end, "autotune still running");
		harness_pump(&h, 50);
	}
	H_ASSERT(&h, saw_progress, "no progress shown");
	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "Tuned"), "true");
	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "State"), "off");
	H_ASSERT(&h, harness_log_contains(&h, "Autotune of the lower-back pad done"));
	/* what a person can judge: where full power would take the stone, not the element's
	 * rise, the one number the readings do not fix (heat-autotune-summary.h) */
	H_ASSERT(&h, harness_log_contains(&h, "at full power the stone would settle at"), "the journal: %s",
		 harness_read_file(&h, h.log_path));
	H_ASSERT(&h, !harness_log_contains(&h, "IMPLAUSIBLE"));
	(void)snprintf(path, sizeof(path), "%s/state/heater-lower-back.tune", h.tmpdir);
	/* written off the event loop, moments after the result */
	for (uint64_t end = harness_now_usec() + 2000000; !strstr(harness_read_file(&h, path), "[Tuning]");) {
		H_ASSERT(&h, harness_now_usec() < end, "no result in %s", path);
		harness_pump(&h, 20);
	}

	/* the pad is warm now: a second autotune would start from the wrong place */
	PAD_CALL_ERR(&h, CHAIR_ERROR("TooWarm"), LOWER_BACK, "Autotune", "");

	/* The element is still hot from the hold, so the stone warms on for a while with
	 * its relay off: that is the model's own prediction, not a welded relay (before
	 * issue 18 the new model's estimate started with the element as cool as the stone,
	 * and every autotune ended in heater-stuck 11-12 s later, all heat locked out). */
	for (uint64_t end = harness_now_usec() + harness_wall_ms(&h, 300) * 1000ULL; harness_now_usec() < end;) {
		H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
		harness_pump(&h, 100);
	}
	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "State"), "off");
	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "Lockout"), "");

	harness_stop(&h);
}
END_TEST

/* Saved results are loaded at start; a damaged file is reported and ignored. */
START_TEST(test_tuning_loaded)
{
	struct harness h;
	char path[400];

	harness_init(&h, NULL);
	(void)snprintf(path, sizeof(path), "%s/state/heater-neck.tune", h.tmpdir);
	harness_write_file(&h, path,
			   "[Tuning]\nVersion=1\nGain=30\nElementSeconds=35\nCoupleSeconds=150\n"
			   "LossSeconds=170\nSink=30\nSensorSeconds=6\nTarget=42\nFitRms=0.04\nDuration=700\n");
	(void)snprintf(path, sizeof(path), "%s/state/heater-shoulders.tune", h.tmpdir);
	harness_write_file(&h, path, "[Tuning]\nVersion=1\nGain=30\nElementSe");
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Tuned"), "true");
	H_ASSERT_STR_EQ(&h, PAD(&h, SHOULDERS, "Tuned"), "false");
	H_ASSERT(&h, harness_log_contains(&h, "Ignoring the shoulders pad's autotune result"));
	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "Tuned"), "false");
	/* the damaged pad still heats, on the cautious defaults */
	PAD_CALL(&h, SHOULDERS, "SetTarget", "d", 40.0);
	WAIT_PAD(&h, SHOULDERS, "State", "heating", 2000);
	harness_stop(&h);
}
END_TEST

/* Temperature and Power change on every heat tick; docs/dbus-api.md allows at most 2 Hz. */
struct paced {
	uint64_t when[256];
	unsigned n;
};

static int on_pad_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct paced *p = userdata;
	const char *iface, *name;

	(void)error;
	if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &name) > 0 && strcmp(name, "Temperature") == 0 && p->n < 256)
			p->when[p->n++] = harness_now_usec();
		(void)sd_bus_message_skip(m, "v");
		(void)sd_bus_message_exit_container(m);
	}
	return 0;
}

START_TEST(test_temperature_paced)
{
	struct harness h;
	struct paced p = { .n = 0 };
	sd_bus_slot *slot = NULL;

	harness_start(&h, SCALE, NULL);
	H_ASSERT(&h, sd_bus_match_signal(h.bus, &slot, NULL, NECK, "org.freedesktop.DBus.Properties",
					 "PropertiesChanged", on_pad_changed, &p) >= 0);
	PAD_CALL(&h, NECK, "SetTarget", "d", 44.0);
	/* warming at full power: the reading climbs by more than 0.1 °C every tick */
	harness_pump(&h, 3000);
	sd_bus_slot_unref(slot);
	H_ASSERT(&h, p.n >= 3, "only %u Temperature changes announced in 3 s of warming", p.n);
	for (unsigned i = 1; i < p.n; i++)
		H_ASSERT(&h, p.when[i] - p.when[i - 1] >= 450000, "Temperature announced %.0f ms after the last",
			 (double)(p.when[i] - p.when[i - 1]) / 1000.0);
	harness_stop(&h);
}
END_TEST

/* massagectl's heat commands against the real daemon. */
static int massagectl(struct harness *h, const char *out, char *const args[])
{
	char *argv[8] = { getenv("MASSAGECTL") };

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	for (size_t i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	return harness_run(h, argv, out, NULL, 10000);
}

START_TEST(test_massagectl_heat)
{
	struct harness h;
	char out[400];
	const char *text, *row;

	harness_start(&h, SCALE, NULL);
	(void)snprintf(out, sizeof(out), "%s/ctl.out", h.tmpdir);
	H_ASSERT(&h, massagectl(&h, out, (char *[]) { "heat", "lower-back", "41", NULL }) == 0);
	H_ASSERT(&h, PAD_D(&h, LOWER_BACK, "Target") == 41.0);
	H_ASSERT(&h, massagectl(&h, out, (char *[]) { "heat", NULL }) == 0);
	text = harness_read_file(&h, out);
	H_ASSERT(&h, strstr(text, "lower-back") && strstr(text, "heating") && strstr(text, "41 °C"),
		 "massagectl heat printed:\n%s", text);
	/* the daemon's refusal reaches the person, and nothing changes */
	H_ASSERT(&h, WEXITSTATUS(massagectl(&h, out, (char *[]) { "heat", "neck", "47", NULL })) == 1);
	H_ASSERT(&h, PAD_D(&h, NECK, "Target") == 0.0);
	H_ASSERT(&h, massagectl(&h, out, (char *[]) { "heat", "lower-back", "off", NULL }) == 0);
	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "State"), "off");

	/* a pad tuning heats with Target 0: its target reads autotune, not off (issue 18) */
	PAD_CALL(&h, NECK, "Autotune", "");
	H_ASSERT(&h, massagectl(&h, out, (char *[]) { "heat", NULL }) == 0);
	text = harness_read_file(&h, out);
	row = strstr(text, "\nneck ");
	H_ASSERT(&h, row && strstr(row, "°C  autotune  ") && strstr(row, "°C  autotune  ") < strchr(row + 1, '\n'),
		 "massagectl heat printed:\n%s", text);
	H_ASSERT(&h, massagectl(&h, out, (char *[]) { "heat", "neck", "off", NULL }) == 0);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "State"), "off");
	harness_stop(&h);
}
END_TEST

/* How often the neck pad's relay switched in `chair_s` of chair time, polled as fast
 * as the simulator answers. */
static unsigned neck_relay_switches(struct harness *h, double chair_s)
{
	uint64_t end = harness_now_usec() + harness_wall_ms(h, chair_s) * 1000ULL;
	bool last = H_OUTPUT(h, "HEAT_NECK");
	unsigned n = 0;

	while (harness_now_usec() < end) {
		bool on = H_OUTPUT(h, "HEAT_NECK");

		n += on != last;
		last = on;
		harness_pump(h, 1);
	}
	return n;
}

/* A reload's relay timing applies to the pads at once: a pad that holds with a 30 s
 * relay cycle switches a few times a minute, with a 2 s cycle dozens of times. */
START_TEST(test_reload_relay_timing)
{
	struct harness h;
	unsigned slow, fast;

	harness_start(&h, 10, "[Heat]\nRelayCycle=30\n");
	/* start at the target, so the pad holds within seconds */
	H_SIM(&h, "SetPadTemperature", "sd", "neck", 41.8);
	HEAT_NECK(&h, 42.0);
	slow = neck_relay_switches(&h, 90);
	harness_write_config(&h, "[Heat]\nRelayCycle=2\nRelayMinOn=0\nRelayMinOff=0\n");
	H_ASSERT(&h, kill(h.daemon_pid, SIGHUP) == 0);
	H_ASSERT(&h, harness_wait_log(&h, "Reloaded the configuration", 2000), "no reload logged");
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "State"), "holding");
	fast = neck_relay_switches(&h, 90);
	printf("# the holding neck pad's relay switched %u times in 90 s with RelayCycle=30, %u times after a "
	       "reload to 2\n",
	       slow, fast);
	H_ASSERT(&h, slow <= 8, "%u switches in 90 s with a 30 s cycle", slow);
	H_ASSERT(&h, fast >= 20, "%u switches in 90 s after the reload to a 2 s cycle", fast);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("heat");
	TCase *faults = tcase_create("test_heat_fault");

	CHECK_ADD_TEST(s, test_heater_objects, 60);
	CHECK_ADD_TEST(s, test_set_target_refused, 60);
	CHECK_ADD_TEST(s, test_set_target_holds, 60);
	CHECK_ADD_TEST(s, test_program_heat_steps, 60);
	CHECK_ADD_TEST(s, test_hot_stone, 60);
	tcase_set_timeout(faults, 60);
	tcase_set_tags(faults, "test_heat_fault");
	tcase_add_loop_test(faults, test_heat_fault, 0, sizeof(heat_faults) / sizeof(heat_faults[0]));
	suite_add_tcase(s, faults);
	CHECK_ADD_TEST(s, test_seat_empty, 60);
	CHECK_ADD_TEST(s, test_heat_dose, 60);
	CHECK_ADD_TEST(s, test_autotune, 90);
	CHECK_ADD_TEST(s, test_tuning_loaded, 60);
	CHECK_ADD_TEST(s, test_massagectl_heat, 60);
	CHECK_ADD_TEST(s, test_temperature_paced, 60);
	CHECK_ADD_TEST(s, test_reload_relay_timing, 60);
	return check_run_tap(s);
}
