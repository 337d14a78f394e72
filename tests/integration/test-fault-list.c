/* SPDX-License-Identifier: MIT */
/* The fault list never forgets a fault: with the most pads the configuration allows
 * (Pads= takes distinct zones, five in all) and as many faults latched as the
 * simulator can cause, an emergency stop is still recorded, still refuses ClearFault
 * while pressed, still refuses Start, and every power output stays off. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "harness.h"

/* Scans need at most SCAN_SCALE; the thermal faults take tens of chair seconds. */
#define SCALE ((double)SCAN_SCALE)
#define PADS_CONFIG "[Heat]\nPads=neck shoulders upper-back lower-back back\n"

/* In Pads= order: the heat tick judges the pads in this order and stops at the first
 * one whose fault persists, so faults are caused from the last pad to the first. */
static const char *const zones[] = { "neck", "shoulders", "upper-back", "lower-back", "back" };
#define N_ZONES (sizeof(zones) / sizeof(zones[0]))

static const char *const power_outputs[] = { "MOTOR_POWER", "HEAT_POWER", "HEAT_NECK", "HEAT_SHOULDERS",
					     "HEAT_LOWER_BACK" };

static void assert_power_off(struct harness *h, const char *file, int line, const char *when)
{
	for (size_t i = 0; i < sizeof(power_outputs) / sizeof(power_outputs[0]); i++)
		if (harness_output(h, file, line, power_outputs[i]))
			harness_fail(h, file, line, "%s is active %s", power_outputs[i], when);
}
#define ASSERT_POWER_OFF(h, when) assert_power_off((h), __FILE__, __LINE__, (when))

static double chair_seconds(struct harness *h, const char *file, int line)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *v = harness_get(h, SIM_PATH, SIM_IFACE, "ChairTime", &error);

	if (!v)
		harness_fail(h, file, line, "Get ChairTime: %s", error.message);
	return strtod(v, NULL) / 1e6;
}

static void wait_fault(struct harness *h, const char *file, int line, const char *code, double chair_s)
{
	(void)harness_wait_signal(h, file, line, "FaultRaised", code, NULL, harness_wall_ms(h, chair_s) + 3000);
}

/* A welded relay as the daemon sees it: the pad warms by itself while its heat is off.
 * The stone is raised 0.3 °C each chair second (about the pad's full power, far above
 * what cooling explains) until heater-stuck:ZONE is raised. */
static void warm_until_stuck(struct harness *h, const char *file, int line, const char *zone)
{
	char code[64];
	double t0 = chair_seconds(h, file, line), t;

	(void)snprintf(code, sizeof(code), "heater-stuck:%s", zone);
	while (harness_count_signals(h, "FaultRaised", code, NULL) == 0) {
		t = chair_seconds(h, file, line);
		if (t - t0 > 60.0)
			harness_fail(h, file, line, "no %s after %.0f s of chair time warming (signals: %s)", code,
				     t - t0, harness_signal_list(h));
		sd_bus_message_unref(harness_call_ok(h, file, line, SIM_PATH, SIM_IFACE, "SetPadTemperature", "sd",
						     zone, 30.0 + 0.3 * (t - t0)));
		harness_pump(h, harness_wall_ms(h, 0.25));
	}
	wait_fault(h, file, line, code, 1);
}

/* Every fault a pad can have with its heat off: heater-stuck, overtemp, sensor. */
static void latch_pad_faults(struct harness *h, const char *file, int line, const char *zone)
{
	char what[64], code[64];

	warm_until_stuck(h, file, line, zone);
	sd_bus_message_unref(
		harness_call_ok(h, file, line, SIM_PATH, SIM_IFACE, "SetPadTemperature", "sd", zone, 60.0));
	(void)snprintf(code, sizeof(code), "overtemp:%s", zone);
	wait_fault(h, file, line, code, 3);
	(void)snprintf(what, sizeof(what), "sensor-open:%s", zone);
	sd_bus_message_unref(harness_call_ok(h, file, line, SIM_PATH, SIM_IFACE, "InjectFault", "sb", what, 1));
	(void)snprintf(code, sizeof(code), "sensor:%s", zone);
	wait_fault(h, file, line, code, 3);
}

static unsigned count_faults(const char *faults)
{
	unsigned n = *faults ? 1 : 0;

	for (const char *p = faults; *p; p++)
		n += *p == ',';
	return n;
}

START_TEST(test_estop_with_every_fault_latched)
{
	struct harness h;
	const char *faults, *message;
	char what[64];
	unsigned latched;

	harness_start(&h, SCALE, PADS_CONFIG);
	/* the board's silence is seen only while a program runs: first */
	H_START_RUNNING(&h, TEST_LONG_ID);
	H_SIM(&h, "InjectFault", "sb", "roller-offline", 1);
	wait_fault(&h, __FILE__, __LINE__, "roller-offline", 1);
	for (size_t i = N_ZONES; i-- > 0;)
		latch_pad_faults(&h, __FILE__, __LINE__, zones[i]);
	H_SIM(&h, "InjectFault", "sb", "temp-module-offline", 1);
	wait_fault(&h, __FILE__, __LINE__, "temp-module-offline", 3);
	latched = 2 + 3 * N_ZONES;
	faults = H_PROP(&h, "Faults");
	printf("# %u faults latched before the emergency stop: %s\n", count_faults(faults), faults);
	/* more than the 16 a list sized for three pads held: the case this test is for */
	H_ASSERT(&h, count_faults(faults) > 16, "only %u faults latched: %s", count_faults(faults), faults);

	H_SIM(&h, "SetEmergencyStop", "b", 1);
	ASSERT_POWER_OFF(&h, "with the emergency stop pressed");
	wait_fault(&h, __FILE__, __LINE__, "estop", 1);
	faults = H_PROP(&h, "Faults");
	H_ASSERT(&h, strstr(faults, "estop") != NULL, "estop is not in Faults: %s", faults);
	H_ASSERT_UINT_EQ(&h, count_faults(faults), latched + 1);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "fault");
	message = H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&h, strstr(message, "estop") != NULL, "refusal does not name estop: %s", message);
	(void)H_CALL_ERR(&h, CHAIR_ERROR("Faulted"), "Start", "s", "neck");
	ASSERT_POWER_OFF(&h, "after Start with the emergency stop pressed");

	/* every other cause gone, the stop still pressed: it alone refuses */
	H_SIM(&h, "InjectFault", "sb", "temp-module-offline", 0);
	H_SIM(&h, "InjectFault", "sb", "roller-offline", 0);
	for (size_t i = 0; i < N_ZONES; i++) {
		(void)snprintf(what, sizeof(what), "sensor-open:%s", zones[i]);
		H_SIM(&h, "InjectFault", "sb", what, 0);
		H_SIM(&h, "SetPadTemperature", "sd", zones[i], 30.0);
	}
	harness_pump(&h, harness_wall_ms(&h, 3));
	message = H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&h,
		 strcmp(message, "estop") != 0 && strstr(message, "estop") != NULL &&
			 strstr(message, "sensor:") == NULL && strstr(message, "roller-offline") == NULL,
		 "refusal with only the stop pressed: %s", message);
	(void)H_CALL_ERR(&h, CHAIR_ERROR("Faulted"), "Start", "s", "neck");
	harness_pump(&h, harness_wall_ms(&h, 2));
	ASSERT_POWER_OFF(&h, "with only the emergency stop left");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "fault");

	H_SIM(&h, "SetEmergencyStop", "b", 0);
	H_CALL(&h, "ClearFault", "");
	H_WAIT_SIGNAL(&h, "FaultCleared", "estop", NULL, 2000);
	H_WAIT_PROP(&h, "State", "idle", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	harness_stop(&h);
}
END_TEST

static Suite *fault_list_suite(void)
{
	Suite *s = suite_create("fault-list");
	TCase *tc = tcase_create("full");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_estop_with_every_fault_latched);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(fault_list_suite());
}
