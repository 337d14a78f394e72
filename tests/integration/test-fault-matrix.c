/* SPDX-License-Identifier: MIT */
/* The fault matrix: one case per fault row of docs/safety-rules.md, each injected through
 * Simulator1 while a heated program runs (hot-stone: every pad heats, the rollers
 * work), then the rows that are not faults (an emptied seat, the session limit), then
 * faults that come together. SAFETY.md lists each rule with the case that proves it
 * and the reaction times these cases print.
 *
 * Reaction times are chair time, read from the daemon's own log: the simulator logs
 * the chair time of each injection, the daemon the chair time of the safe state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tap.h"
#include "harness.h"

#define NECK "/org/massaged/Chair1/heater/neck"
/* Fast faults run at 5x: the loop's wall-clock lateness is multiplied by the scale in
 * chair time, so a low scale keeps the figures close to a real chair's. Scans need
 * at most SCAN_SCALE. The slow thermal faults run at SCAN_SCALE. */
#define FAST 5.0
#define SLOW ((double)SCAN_SCALE)

static const char *const power_outputs[] = { "MOTOR_POWER", "HEAT_POWER", "HEAT_NECK", "HEAT_SHOULDERS",
					     "HEAT_LOWER_BACK" };

/* Every power output inactive and the LED showing the fault: docs/safety-rules.md's safe state. */
static void assert_safe_state(struct harness *h, const char *file, int line)
{
	for (size_t i = 0; i < sizeof(power_outputs) / sizeof(power_outputs[0]); i++)
		if (harness_output(h, file, line, power_outputs[i]))
			harness_fail(h, file, line, "%s is active in the safe state (Outputs %s)", power_outputs[i],
				     harness_get(h, SIM_PATH, SIM_IFACE, "Outputs", NULL));
	if (!harness_output(h, file, line, "LED"))
		harness_fail(h, file, line, "the LED does not show the fault");
}
#define H_ASSERT_SAFE_STATE(h) assert_safe_state((h), __FILE__, __LINE__)

static double pad_number(struct harness *h, const char *file, int line, const char *path, const char *name)
{
	return strtod(harness_pad_prop(h, file, line, path, name), NULL);
}

static void wait_pad_state(struct harness *h, const char *file, int line, const char *want, unsigned timeout_ms)
{
	uint64_t end = harness_now_usec() + timeout_ms * 1000ULL;

	while (strcmp(harness_pad_prop(h, file, line, NECK, "State"), want) != 0) {
		if (harness_now_usec() > end)
			harness_fail(h, file, line, "the neck pad is %s, expected %s",
				     harness_pad_prop(h, file, line, NECK, "State"), want);
		harness_pump(h, 20);
	}
}
#define WAIT_PAD_STATE(h, want, ms) wait_pad_state((h), __FILE__, __LINE__, (want), (ms))

/* The chair time (µs) in the last log line containing `needle` and "chair time";
 * fails when there is none. */
static uint64_t logged_chair_time(struct harness *h, const char *file, int line, const char *needle)
{
	return (uint64_t)llround(harness_logged_chair_s(h, file, line, needle) * 1e6);
}

/* Chair ms from the last log line with `cause` to the last with `effect`. */
static double chair_ms_between(struct harness *h, const char *file, int line, const char *cause, const char *effect)
{
	uint64_t from = logged_chair_time(h, file, line, cause), to = logged_chair_time(h, file, line, effect);

	if (to < from)
		harness_fail(h, file, line, "\"%s\" at chair time %.3f s, before \"%s\" at %.3f s", effect, to / 1e6,
			     cause, from / 1e6);
	return (double)(to - from) / 1000.0;
}

/* Chair ms from the log line with `cause` to the safe state of fault `code`. */
static double reaction_ms(struct harness *h, const char *file, int line, const char *cause, const char *code)
{
	char effect[96];

	(void)snprintf(effect, sizeof(effect), "Fault %s: safe state", code);
	return chair_ms_between(h, file, line, cause, effect);
}

/* ClearFault, retried while it answers FaultActive (a cause that went away is seen at
 * the next reading), until it succeeds or `chair_s` (plus 2 s of wall time) passed. */
static void clear_when_gone(struct harness *h, const char *file, int line, double chair_s)
{
	uint64_t deadline = harness_now_usec() + (harness_wall_ms(h, chair_s) + 2000) * 1000ULL;

	for (;;) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		sd_bus_message *reply = NULL;
		int r = sd_bus_call_method(h->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "ClearFault", &error, &reply,
					   "");

		sd_bus_message_unref(reply);
		if (r >= 0)
			return;
		if (!sd_bus_error_has_name(&error, CHAIR_ERROR("FaultActive")))
			harness_fail(h, file, line, "ClearFault: %s: %s", error.name, error.message);
		if (harness_now_usec() > deadline)
			harness_fail(h, file, line, "ClearFault still refused with the cause gone: %s", error.message);
		sd_bus_error_free(&error);
		harness_pump(h, 20);
	}
}
#define CLEAR_WHEN_GONE(h, chair_s) clear_when_gone((h), __FILE__, __LINE__, (chair_s))

/* The neck stone's stored heat is spent: its reading has fallen clearly below the
 * highest seen. A clear before that could be followed by a trip while idle. */
static void wait_neck_past_peak(struct harness *h, double chair_s)
{
	uint64_t end = harness_now_usec() + (harness_wall_ms(h, chair_s) + 2000) * 1000ULL;
	double peak = -INFINITY, now;

	while ((now = pad_number(h, __FILE__, __LINE__, NECK, "Temperature")) > peak - 0.5) {
		if (now > peak)
			peak = now;
		if (harness_now_usec() > end)
			harness_fail(h, __FILE__, __LINE__, "the neck stone is still at %.1f °C (peak %.1f °C)", now,
				     peak);
		harness_pump(h, 20);
	}
}

/* The neck stone's heat can no longer trip overtemp: its reading is below where that
 * fault clears (MaxTarget + 3 °C, less 1 °C: docs/safety-rules.md) and has stopped rising. */
static void wait_neck_cooled(struct harness *h, double chair_s)
{
	double clears_below = pad_number(h, __FILE__, __LINE__, NECK, "MaxTarget") + 3.0 - 1.0;
	uint64_t end = harness_now_usec() + (harness_wall_ms(h, chair_s) + 2000) * 1000ULL;
	double before = pad_number(h, __FILE__, __LINE__, NECK, "Temperature"), now;

	for (;;) {
		harness_pump(h, harness_wall_ms(h, 2));
		now = pad_number(h, __FILE__, __LINE__, NECK, "Temperature");
		if (now < clears_below && now <= before + 0.05)
			return;
		if (harness_now_usec() > end)
			harness_fail(h, __FILE__, __LINE__, "the neck stone is still at %.1f °C", now);
		before = now;
	}
}

/* hot-stone running (after its body scan) with the master relay on. */
static void start_heated_program(struct harness *h, const char *file, int line)
{
	uint64_t end;

	harness_start_program(h, file, line, "hot-stone");
	if (!harness_prop_b(h, file, line, "Heat"))
		harness_fail(h, file, line, "hot-stone runs without Heat");
	end = harness_now_usec() + (harness_wall_ms(h, 2) + 2000) * 1000ULL;
	while (!harness_output(h, file, line, "HEAT_POWER")) {
		if (harness_now_usec() > end)
			harness_fail(h, file, line, "the heater master relay is off while hot-stone runs");
		harness_pump(h, 20);
	}
}
#define START_HEATED_PROGRAM(h) start_heated_program((h), __FILE__, __LINE__)

static unsigned udiff_mm(unsigned a, unsigned b)
{
	return a > b ? a - b : b - a;
}

enum cause {
	CAUSE_INJECT,
	CAUSE_ESTOP,
	CAUSE_PAD
};

/* Apply or remove a cause. */
static void set_cause(struct harness *h, const char *file, int line, enum cause kind, const char *what, double celsius,
		      bool on)
{
	switch (kind) {
	case CAUSE_INJECT:
		sd_bus_message_unref(
			harness_call_ok(h, file, line, SIM_PATH, SIM_IFACE, "InjectFault", "sb", what, on));
		break;
	case CAUSE_ESTOP:
		sd_bus_message_unref(harness_call_ok(h, file, line, SIM_PATH, SIM_IFACE, "SetEmergencyStop", "b", on));
		break;
	case CAUSE_PAD:
		sd_bus_message_unref(harness_call_ok(h, file, line, SIM_PATH, SIM_IFACE, "SetPadTemperature", "sd",
						     "neck", on ? celsius : 40.0));
		break;
	}
}

static const struct fault_row {
	const char *rule; /* docs/safety-rules.md's row */
	enum cause kind;
	const char *what; /* InjectFault's argument */
	double celsius;   /* CAUSE_PAD: the neck stone's temperature */
	const char *code;
	double budget_ms; /* published reaction time: chair ms from cause to safe state */
	double scale;
	bool persists;      /* the cause is seen while the chair is safe: ClearFault refuses */
	bool holding_first; /* the neck pad holds its target before the fault */
	/* a fault the first one may truly lead to: a welded relay has heated the stone so
	 * far that its heat, still soaking in from the element, can reach the trip point */
	const char *follow_on;
	/* the fault that comes back when heated again with the cause still there, if not
	 * the same one */
	const char *again;
	bool locks; /* a broken part: the neck pad is locked out until ResetLockout */
} rows[] = {
	/* motion */
	{ "emergency stop", CAUSE_ESTOP, NULL, 0, "estop", 1, FAST, true, false, NULL, NULL, false },
	{ "roller board silent", CAUSE_INJECT, "roller-offline", 0, "roller-offline", 500, FAST, true, false, NULL,
	  NULL, false },
	{ "roller board fault bit", CAUSE_INJECT, "roller-pinch", 0, "roller-fault", 250, FAST, true, false, NULL, NULL,
	  false },
	/* temperature */
	{ "valid reading (open)", CAUSE_INJECT, "sensor-open:neck", 0, "sensor:neck", 300, FAST, true, false, NULL,
	  NULL, false },
	{ "valid reading (short)", CAUSE_INJECT, "sensor-short:neck", 0, "sensor:neck", 300, FAST, true, false, NULL,
	  NULL, false },
	{ "temperature module silent", CAUSE_INJECT, "temp-module-offline", 0, "temp-module-offline", 2300, FAST, true,
	  false, NULL, NULL, false },
	{ "overtemperature trip", CAUSE_PAD, NULL, 48.5, "overtemp:neck", 300, FAST, true, false, NULL, NULL, true },
	{ "thermal runaway (element dead)", CAUSE_INJECT, "heater-dead:neck", 0, "runaway:neck", 180000, SLOW, false,
	  false, NULL, NULL, true },
	/* off a holding stone the reading jumps: sensor at once; heated again, the sensor
	 * reads the room while the pad heats, which is runaway (the budget is runaway's) */
	{ "sensor off the stone (the reading jumps)", CAUSE_INJECT, "sensor-detached:neck", 0, "sensor:neck", 180000,
	  SLOW, false, true, NULL, "runaway:neck", true },
	{ "heater stuck on", CAUSE_INJECT, "heater-stuck:neck", 0, "heater-stuck:neck", 120000, SLOW, false, true,
	  "overtemp:neck", NULL, true },
};
#define FIRST_TEMPERATURE_ROW 3 /* rows before it are motion */

/* Faults holds the row's code first, then at most its follow-on. */
static void assert_faults_at(struct harness *h, const char *file, int line, const struct fault_row *row)
{
	char both[128];
	const char *faults = harness_prop(h, file, line, "Faults");

	(void)snprintf(both, sizeof(both), "%s,%s", row->code, row->follow_on ? row->follow_on : "");
	if (strcmp(faults, row->code) != 0 && (!row->follow_on || strcmp(faults, both) != 0))
		harness_fail(h, file, line, "Faults is \"%s\", expected \"%s\"%s%s", faults, row->code,
			     row->follow_on ? " or " : "", row->follow_on ? both : "");
}
#define assert_faults(h, row) assert_faults_at((h), __FILE__, __LINE__, (row))

/* The row's fault (or its follow-on) raised again after a clear with the cause there. */
static void wait_fault_again(struct harness *h, const struct fault_row *row)
{
	uint64_t end = harness_now_usec() + (harness_wall_ms(h, 2 * row->budget_ms / 1000) + 3000) * 1000ULL;

	const char *code = row->again ? row->again : row->code;

	while (harness_count_signals(h, "FaultRaised", code, NULL) == 0 &&
	       (!row->follow_on || harness_count_signals(h, "FaultRaised", row->follow_on, NULL) == 0)) {
		if (harness_now_usec() > end)
			harness_fail(h, __FILE__, __LINE__,
				     "%s did not come back with the cause still there; signals: %s", row->code,
				     harness_signal_list(h));
		harness_pump(h, 20);
	}
}

/* After ClearFault the neck pad of a row that locks stays locked out by the row's code:
 * Lockout names it and SetTarget answers LockedOut. Then root resets it (the part
 * "serviced"), so the rest of the row sees the pad heat again. */
static void assert_locked_then_reset(struct harness *h, const char *file, int line, const struct fault_row *row,
				     const char *code)
{
	const char *lockout = harness_pad_prop(h, file, line, NECK, "Lockout");

	if (!row->locks)
		return;
	if (strcmp(lockout, code) != 0)
		harness_fail(h, file, line, "the neck pad's Lockout is \"%s\" after ClearFault, expected \"%s\"",
			     lockout, code);
	(void)harness_call_error(h, file, line, CHAIR_ERROR("LockedOut"), NECK, HEATER_IFACE, "SetTarget", "d", 40.0);
	sd_bus_message_unref(harness_call_ok(h, file, line, NECK, HEATER_IFACE, "ResetLockout", ""));
}

/* The log line that names the cause, with its chair time. */
static void cause_needle(const struct fault_row *row, char *buf, size_t size)
{
	if (row->kind == CAUSE_ESTOP)
		(void)snprintf(buf, size, "Simulator: emergency stop pressed");
	else if (row->kind == CAUSE_PAD)
		(void)snprintf(buf, size, "Simulator: the neck pad set to %.1f", row->celsius);
	else
		(void)snprintf(buf, size, "Simulator: %s injected", row->what);
}

/* One fault during a heated program: code in Faults, FaultRaised and the log, the
 * safe state within the row's budget, the program ended with reason fault, nothing
 * restarting by itself, ClearFault refused while the cause persists, recovery once it
 * is gone. A fault whose cause only shows while heating is cleared with the cause
 * still there and must come straight back with the next heat. */
START_TEST(test_fault_row)
{
	const struct fault_row *row = &rows[_i];
	struct harness h;
	struct harness_signal *raised;
	char needle[96], *before;
	double ms;

	printf("# %s: %s\n", row->rule, row->code);
	harness_start(&h, row->scale, NULL);
	START_HEATED_PROGRAM(&h);
	if (row->holding_first)
		WAIT_PAD_STATE(&h, "holding", harness_wall_ms(&h, 900) + 5000);
	harness_clear_history(&h);

	set_cause(&h, __FILE__, __LINE__, row->kind, row->what, row->celsius, true);
	if (row->kind == CAUSE_ESTOP)
		H_ASSERT_SAFE_STATE(&h); /* never waits for a tick: safe when the press returns */
	raised = H_WAIT_SIGNAL(&h, "FaultRaised", row->code, NULL, harness_wall_ms(&h, row->budget_ms / 1000) + 3000);
	H_ASSERT(&h, raised->arg1 && raised->arg1[0], "FaultRaised(%s) without a message", row->code);
	H_WAIT_SIGNAL(&h, "ProgramFinished", "hot-stone", "fault", 2000);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	assert_faults(&h, row);
	(void)snprintf(needle, sizeof(needle), "fault %s: ", row->code);
	H_ASSERT(&h, harness_wait_log(&h, needle, 2000), "no journal entry \"%s\"", needle);
	H_ASSERT_SAFE_STATE(&h);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "Heat still wanted after the fault");
	H_ASSERT(&h, pad_number(&h, __FILE__, __LINE__, NECK, "Target") == 0.0, "the neck pad still has a target");

	cause_needle(row, needle, sizeof(needle));
	ms = reaction_ms(&h, __FILE__, __LINE__, needle, row->code);
	printf("# %s: safe state %.1f ms of chair time after the cause (budget %.0f ms, at %gx)\n", row->code, ms,
	       row->budget_ms, row->scale);
	H_ASSERT(&h, ms <= row->budget_ms, "%s took %.1f ms of chair time, over its budget of %.0f ms", row->code, ms,
		 row->budget_ms);

	/* nothing restarts by itself, and nothing can be started */
	harness_pump(&h, harness_wall_ms(&h, 5));
	H_ASSERT_SAFE_STATE(&h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "fault");
	/* raised once; nothing else but its follow-on */
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "FaultRaised", NULL, NULL),
			 row->follow_on ? harness_count_signals(&h, "FaultRaised", row->follow_on, NULL) : 0);
	assert_faults(&h, row);
	before = harness_snapshot(&h);
	(void)H_CALL_ERR(&h, CHAIR_ERROR("Faulted"), "Start", "s", TEST_SHORT_ID);
	H_ASSERT_UNCHANGED(&h, before);

	if (row->persists) {
		const char *message = H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");

		H_ASSERT(&h, strstr(message, row->code), "ClearFault's refusal does not name %s: %s", row->code,
			 message);
		H_ASSERT_UNCHANGED(&h, before);
	} else {
		/* the cause shows only while heating: cleared, it comes straight back with the
		 * next heat (a follow-on overtemperature first has to cool off). Heat is not
		 * waited for: the fault may come back before the body scan ends. */
		if (row->follow_on)
			wait_neck_past_peak(&h, 300);
		CLEAR_WHEN_GONE(&h, 300);
		/* the cause still there: only a reset of the lockout lets the pad heat again */
		assert_locked_then_reset(&h, __FILE__, __LINE__, row, row->code);
		harness_clear_history(&h);
		harness_forget_signals(&h); /* an unconsumed follow-on is not the fault coming back */
		H_CALL(&h, "Start", "s", "hot-stone");
		wait_fault_again(&h, row);
		H_WAIT_PROP(&h, "State", "fault", 2000);
		H_ASSERT_SAFE_STATE(&h);
	}
	free(before);

	set_cause(&h, __FILE__, __LINE__, row->kind, row->what, row->celsius, false);
	/* heated again with the cause there, the stone may be hotter than the trip point: a
	 * welded relay's element soaking in, or a stone heated while its sensor read the room
	 * and now read again. That overtemp is true; let it come and go before the clear. */
	if (!row->persists)
		wait_neck_cooled(&h, 300);
	CLEAR_WHEN_GONE(&h, !row->persists ? 300 : 3);
	H_WAIT_SIGNAL(&h, "FaultCleared", !row->persists && row->again ? row->again : row->code, NULL, 2000);
	H_WAIT_PROP(&h, "State", "idle", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	H_ASSERT(&h, !H_OUTPUT(&h, "LED"), "the LED still shows a fault after ClearFault");
	assert_locked_then_reset(&h, __FILE__, __LINE__, row, !row->persists && row->again ? row->again : row->code);
	START_HEATED_PROGRAM(&h);
	harness_stop(&h);
}
END_TEST

/* The seat empties during a heated program: the rollers stop at once (pause), heat
 * holds for 30 s, then the program ends with seat-empty and every output is off.
 * No fault: the person got up. */
START_TEST(test_seat_emptied)
{
	struct harness h;
	uint32_t at;
	double ms;

	harness_start(&h, SLOW, NULL);
	START_HEATED_PROGRAM(&h);
	harness_clear_history(&h);
	H_SIM(&h, "SetSeated", "b", 0);
	H_WAIT_PROP(&h, "State", "paused", 2000);
	at = H_ROLLER(&h);
	harness_pump(&h, harness_wall_ms(&h, 20));
	H_ASSERT(&h, udiff_mm(H_ROLLER(&h), at) <= 2, "the rollers moved from %u to %u mm on an empty seat", at,
		 H_ROLLER(&h));
	H_ASSERT(&h, H_OUTPUT(&h, "HEAT_POWER"), "heat off before the seat was empty for 30 s");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "hot-stone", "seat-empty", harness_wall_ms(&h, 15) + 3000);
	ms = chair_ms_between(&h, __FILE__, __LINE__, "Simulator: seat emptied", "finished: seat-empty");
	printf("# seat-empty: program ended %.0f ms of chair time after the seat emptied (rule: 30 s)\n", ms);
	H_ASSERT(&h, ms >= 30000 && ms <= 30600, "program ended %.0f ms after the seat emptied", ms);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	for (size_t i = 0; i < sizeof(power_outputs) / sizeof(power_outputs[0]); i++)
		H_ASSERT(&h, !H_OUTPUT(&h, power_outputs[i]), "%s on after the seat-empty end", power_outputs[i]);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "FaultRaised", NULL, NULL), 0);
	harness_stop(&h);
}
END_TEST

/* The session limit ends a heated program with timeout, heat off. */
START_TEST(test_session_limit)
{
	struct harness h;

	harness_start(&h, SLOW, NULL);
	H_CALL(&h, "SetTimer", "u", 5);
	START_HEATED_PROGRAM(&h);
	H_WAIT_SIGNAL(&h, "ProgramFinished", "hot-stone", "timeout", harness_wall_ms(&h, 300) + 5000);
	H_ASSERT(&h, H_PROP_U(&h, "Elapsed") <= 300, "Elapsed %u s past the 5 min limit", H_PROP_U(&h, "Elapsed"));
	H_WAIT_PROP(&h, "Heat", "false", 2000);
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_POWER"), "heater master relay on after the timeout");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"), "motor power on after parking");
	harness_stop(&h);
}
END_TEST

/* ---- faults that come together ---- */

/* The emergency stop during autotune: safe at once, the experiment abandoned (no
 * result saved), and autotune can start afresh once cleared. */
START_TEST(test_estop_during_autotune)
{
	struct harness h;
	char path[400];

	harness_start(&h, SLOW, NULL);
	sd_bus_message_unref(harness_call_ok(&h, __FILE__, __LINE__, NECK, HEATER_IFACE, "Autotune", ""));
	WAIT_PAD_STATE(&h, "autotune", 2000);
	harness_pump(&h, harness_wall_ms(&h, 30));
	H_ASSERT(&h, H_OUTPUT(&h, "HEAT_POWER"), "autotune without the master relay");
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	H_ASSERT_SAFE_STATE(&h);
	H_WAIT_SIGNAL(&h, "FaultRaised", "estop", NULL, 2000);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	H_ASSERT_STR_EQ(&h, harness_pad_prop(&h, __FILE__, __LINE__, NECK, "State"), "off");
	harness_pump(&h, harness_wall_ms(&h, 10));
	H_ASSERT_SAFE_STATE(&h);
	(void)H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	H_CLEAR_FAULT(&h, "estop");
	WAIT_PAD_STATE(&h, "off", 2000);
	H_ASSERT_STR_EQ(&h, harness_pad_prop(&h, __FILE__, __LINE__, NECK, "Tuned"), "false");
	(void)snprintf(path, sizeof(path), "%s/state/heater-neck.tune", h.tmpdir);
	H_ASSERT_STR_EQ(&h, harness_read_file(&h, path), "");
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_POWER"), "heat came back by itself after ClearFault");
	sd_bus_message_unref(harness_call_ok(&h, __FILE__, __LINE__, NECK, HEATER_IFACE, "Autotune", ""));
	WAIT_PAD_STATE(&h, "autotune", 2000);
	harness_stop(&h);
}
END_TEST

/* A pad sensor fails while the roller board is offline: both faults listed, each
 * raised once; ClearFault refuses while either cause is there, naming those that are;
 * both clear together once both are gone. */
START_TEST(test_sensor_fails_while_board_offline)
{
	struct harness h;
	const char *message;

	harness_start(&h, FAST, NULL);
	START_HEATED_PROGRAM(&h);
	H_SIM(&h, "InjectFault", "sb", "roller-offline", 1);
	H_WAIT_SIGNAL(&h, "FaultRaised", "roller-offline", NULL, harness_wall_ms(&h, 1) + 3000);
	H_ASSERT_SAFE_STATE(&h);
	H_SIM(&h, "InjectFault", "sb", "sensor-open:neck", 1);
	/* the heat is off already: a dead sensor is still a fault, found at the next reading */
	H_WAIT_SIGNAL(&h, "FaultRaised", "sensor:neck", NULL, harness_wall_ms(&h, 3) + 3000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "roller-offline,sensor:neck");
	H_ASSERT_SAFE_STATE(&h);
	message = H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&h, strstr(message, "roller-offline") && strstr(message, "sensor:neck"), "refusal: %s", message);

	H_SIM(&h, "InjectFault", "sb", "roller-offline", 0);
	harness_pump(&h, harness_wall_ms(&h, 1));
	message = H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&h, strstr(message, "sensor:neck") && !strstr(message, "roller-offline"), "refusal: %s", message);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "roller-offline,sensor:neck"); /* all or nothing */

	H_SIM(&h, "InjectFault", "sb", "sensor-open:neck", 0);
	CLEAR_WHEN_GONE(&h, 2);
	H_WAIT_SIGNAL(&h, "FaultCleared", "roller-offline", NULL, 2000);
	H_WAIT_SIGNAL(&h, "FaultCleared", "sensor:neck", NULL, 2000);
	H_WAIT_PROP(&h, "State", "idle", 2000);
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "FaultRaised", NULL, NULL), 0);
	START_HEATED_PROGRAM(&h);
	harness_stop(&h);
}
END_TEST

/* The emergency stop pressed while the temperature module is silent: both faults,
 * the stop still acts at once; releasing it is not enough while the module is silent. */
START_TEST(test_estop_while_temperature_module_silent)
{
	struct harness h;
	const char *message;

	harness_start(&h, FAST, NULL);
	START_HEATED_PROGRAM(&h);
	H_SIM(&h, "InjectFault", "sb", "temp-module-offline", 1);
	H_WAIT_SIGNAL(&h, "FaultRaised", "temp-module-offline", NULL, harness_wall_ms(&h, 3) + 3000);
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	H_ASSERT_SAFE_STATE(&h);
	H_WAIT_SIGNAL(&h, "FaultRaised", "estop", NULL, 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "temp-module-offline,estop");
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	message = H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&h, strstr(message, "temp-module-offline") && !strstr(message, "estop"), "refusal: %s", message);
	H_SIM(&h, "InjectFault", "sb", "temp-module-offline", 0);
	CLEAR_WHEN_GONE(&h, 3);
	H_WAIT_PROP(&h, "State", "idle", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	harness_stop(&h);
}
END_TEST

static Suite *matrix_suite(void)
{
	Suite *s = suite_create("fault-matrix");
	TCase *motion = tcase_create("motion"), *temperature = tcase_create("temperature"),
	      *person = tcase_create("person"), *combined = tcase_create("combined");

	tcase_set_timeout(motion, 300);
	tcase_add_loop_test(motion, test_fault_row, 0, FIRST_TEMPERATURE_ROW);
	suite_add_tcase(s, motion);
	tcase_set_timeout(temperature, 300);
	tcase_add_loop_test(temperature, test_fault_row, FIRST_TEMPERATURE_ROW, (int)(sizeof(rows) / sizeof(rows[0])));
	suite_add_tcase(s, temperature);
	tcase_set_timeout(person, 120);
	tcase_add_test(person, test_seat_emptied);
	tcase_add_test(person, test_session_limit);
	suite_add_tcase(s, person);
	tcase_set_timeout(combined, 120);
	tcase_add_test(combined, test_estop_during_autotune);
	tcase_add_test(combined, test_sensor_fails_while_board_offline);
	tcase_add_test(combined, test_estop_while_temperature_module_silent);
	suite_add_tcase(s, combined);
	return s;
}

int main(void)
{
	return check_run_tap(matrix_suite());
}
