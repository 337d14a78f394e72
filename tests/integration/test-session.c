/* SPDX-License-Identifier: MIT */
/* Sessions end to end: a whole program, replacing, pausing, the timer, Stop, manual
 * mode, an emptied seat, the emergency stop, heat, and roller board faults. */
#include <stdio.h>
#include <stdlib.h>

#include "check-tap.h"
#include "harness.h"

/* The test-short program of the harness, step by step. */
static const struct {
	const char *technique, *zone;
} short_steps[] = {
	{ "knead", "neck" },
	{ "tap", "lower-back" },
	{ "knead", "shoulders" },
};
#define SHORT_STEP_S 30.0

/* Where the rollers may be while working a zone, relative to the shoulder line S
 * (mm above the seat). The contract fixes no spans, so these are generous
 * anatomical bounds: the neck is above the shoulder line, the lower back well
 * below it, the shoulders around it. */
static void zone_bounds(const char *zone, unsigned shoulder, unsigned *lo, unsigned *hi)
{
	int s = (int)shoulder, l = 0, u = 780;

	if (strcmp(zone, "neck") == 0) {
		l = s - 80;
	} else if (strcmp(zone, "shoulders") == 0) {
		l = s - 150;
		u = s + 80;
	} else if (strcmp(zone, "upper-back") == 0) {
		l = s - 320;
		u = s + 20;
	} else if (strcmp(zone, "lower-back") == 0) {
		u = s - 150;
	} else {
		u = s + 80; /* back */
	}
	*lo = l < 0 ? 0 : (unsigned)l;
	*hi = u > 780 ? 780 : (unsigned)u;
}

static void assert_parked(struct harness *h, const char *file, int line)
{
	uint32_t pos = harness_roller_position(h, file, line);

	if (pos > 15)
		harness_fail(h, file, line, "rollers not parked: RollerPosition %u mm", pos);
}
#define H_ASSERT_PARKED(h) assert_parked((h), __FILE__, __LINE__)

static void assert_safe_outputs(struct harness *h, const char *file, int line)
{
	static const char *const outputs[] = { "MOTOR_POWER", "HEAT_POWER", "HEAT_NECK", "HEAT_SHOULDERS",
					       "HEAT_LOWER_BACK" };

	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		if (harness_output(h, file, line, outputs[i]))
			harness_fail(h, file, line, "output %s is active in the safe state (Outputs %s)", outputs[i],
				     harness_get(h, SIM_PATH, SIM_IFACE, "Outputs", NULL));
}
#define H_ASSERT_SAFE_OUTPUTS(h) assert_safe_outputs((h), __FILE__, __LINE__)

static unsigned udiff(unsigned a, unsigned b)
{
	return a > b ? a - b : b - a;
}

START_TEST(test_complete_program)
{
	struct harness h;
	unsigned shoulder, checked[3] = { 0 }, prev_elapsed = 0, prev_remaining = UINT32_MAX;
	unsigned pos_min[3] = { 780, 780, 780 }, pos_max[3] = { 0 };
	uint64_t step_seen[4] = { 0 }, deadline;
	bool heat_requested = false;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	shoulder = H_PROP_U(&h, "ShoulderHeight");
	H_ASSERT(&h, shoulder >= 590 && shoulder <= 610, "ShoulderHeight %u after the scan", shoulder);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "StepCount"), 3);
	H_ASSERT(&h, H_OUTPUT(&h, "MOTOR_POWER"), "motor power off while running");

	/* Sample the session until it stops running: step, technique and zone follow the
	 * program; from a third into each step on, the rollers are in the step's zone. */
	deadline = harness_now_usec() + (harness_wall_ms(&h, 3 * SHORT_STEP_S + 30) + 5000) * 1000ULL;
	for (;;) {
		char *all = harness_get_all(&h);
		unsigned step, step_after, pos, elapsed, remaining;
		uint64_t now = harness_now_usec();

		/* one GetAll: State, Step, Technique and Zone of the same moment */
		if (strcmp(harness_field(&h, all, "State"), "running") != 0) {
			free(all);
			break;
		}
		H_ASSERT(&h, now < deadline, "the program still runs after %u ms",
			 harness_wall_ms(&h, 3 * SHORT_STEP_S + 30) + 5000);
		step = (unsigned)strtoul(harness_field(&h, all, "Step"), NULL, 10);
		H_ASSERT(&h, step >= 1 && step <= 3, "Step %u of 3 while running", step);
		H_ASSERT_STR_EQ(&h, harness_field(&h, all, "Technique"), short_steps[step - 1].technique);
		H_ASSERT_STR_EQ(&h, harness_field(&h, all, "Zone"), short_steps[step - 1].zone);
		H_ASSERT_STR_EQ(&h, harness_field(&h, all, "StepCount"), "3");
		elapsed = (unsigned)strtoul(harness_field(&h, all, "Elapsed"), NULL, 10);
		remaining = (unsigned)strtoul(harness_field(&h, all, "Remaining"), NULL, 10);
		free(all);
		pos = H_ROLLER(&h);
		step_after = H_PROP_U(&h, "Step");
		if (step == step_after) {
			if (!step_seen[step])
				step_seen[step] = now;
			/* a third into each step the rollers have reached its zone: between
			 * zones they travel briskly, not at the next technique's pace */
			if (now - step_seen[step] >= harness_wall_ms(&h, SHORT_STEP_S / 3) * 1000ULL) {
				unsigned lo, hi;

				zone_bounds(short_steps[step - 1].zone, shoulder, &lo, &hi);
				H_ASSERT(&h, pos >= lo && pos <= hi,
					 "step %u (%s) at %u mm, outside %u..%u mm (shoulder line %u mm)", step,
					 short_steps[step - 1].zone, pos, lo, hi, shoulder);
				checked[step - 1]++;
				pos_min[step - 1] = pos < pos_min[step - 1] ? pos : pos_min[step - 1];
				pos_max[step - 1] = pos > pos_max[step - 1] ? pos : pos_max[step - 1];
			}
		}
		H_ASSERT(&h, elapsed >= prev_elapsed, "Elapsed went back from %u to %u", prev_elapsed, elapsed);
		H_ASSERT(&h, remaining <= prev_remaining, "Remaining went up from %u to %u", prev_remaining, remaining);
		H_ASSERT(&h, remaining <= 90, "Remaining %u of a 90 s program", remaining);
		prev_elapsed = elapsed;
		prev_remaining = remaining;
		if (!heat_requested) {
			H_CALL(&h, "SetHeat", "b", 1);
			H_ASSERT(&h, H_PROP_B(&h, "Heat"));
			heat_requested = true;
		}
		harness_pump(&h, 20);
	}
	for (unsigned i = 0; i < 3; i++) {
		H_ASSERT(&h, checked[i] > 0, "no roller position sampled in the second half of step %u", i + 1);
		(void)fprintf(stderr, "step %u (%s %s): rollers at %u..%u mm over %u samples, shoulder line %u mm\n",
			      i + 1, short_steps[i].technique, short_steps[i].zone, pos_min[i], pos_max[i], checked[i],
			      shoulder);
	}
	H_ASSERT(&h, prev_elapsed >= 80, "Elapsed reached only %u of 90 s", prev_elapsed);
	H_ASSERT(&h, prev_remaining <= 10, "Remaining was still %u near the end", prev_remaining);

	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "completed", 2000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_ASSERT(&h, harness_history_in_order(&h, "running,stopping,idle"), "State history %s",
		 harness_state_history(&h));
	H_ASSERT_PARKED(&h);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "Heat still on after the session");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Technique"), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Zone"), "");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Step"), 0);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "StepCount"), 0);
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_POWER"), "heater master relay on after the session");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	{
		/* Elapsed changes at most once a (chair) second */
		unsigned changes = 0;

		for (size_t i = 0; i < h.n_changes; i++)
			changes += strcmp(h.changes[i].name, "Elapsed") == 0;
		H_ASSERT(&h, changes <= prev_elapsed + 5, "Elapsed changed %u times in %u s", changes, prev_elapsed);
	}
	harness_stop(&h);
}
END_TEST

START_TEST(test_replace)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	harness_pump(&h, harness_wall_ms(&h, 5));
	H_CALL(&h, "Start", "s", TEST_LONG_ID);
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "replaced", 2000);
	H_WAIT_PROP(&h, "Program", TEST_LONG_ID, 2000);
	H_WAIT_RUNNING(&h);
	{
		unsigned elapsed = H_PROP_U(&h, "Elapsed");

		H_ASSERT(&h, elapsed <= 3, "Elapsed %u right after the replacement started", elapsed);
	}
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "StepCount"), 2);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Step"), 1);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Technique"), "glide");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Zone"), "back");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_LONG_ID, "stopped", 2000);
	harness_stop(&h);
}
END_TEST

START_TEST(test_pause_resume)
{
	struct harness h;
	unsigned r0, r1, p0, p1, e0, e1, step0;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	harness_pump(&h, harness_wall_ms(&h, 3));
	H_CALL(&h, "Pause", "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "paused");
	/* let a tick or two pass for the rollers to stand */
	harness_pump(&h, harness_wall_ms(&h, 1) + 20);
	r0 = H_PROP_U(&h, "Remaining");
	e0 = H_PROP_U(&h, "Elapsed");
	p0 = H_ROLLER(&h);
	step0 = H_PROP_U(&h, "Step");
	harness_pump(&h, harness_wall_ms(&h, 20));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "paused");
	r1 = H_PROP_U(&h, "Remaining");
	e1 = H_PROP_U(&h, "Elapsed");
	p1 = H_ROLLER(&h);
	H_ASSERT(&h, udiff(r0, r1) <= 1, "Remaining moved from %u to %u while paused", r0, r1);
	H_ASSERT(&h, udiff(p0, p1) <= 3, "rollers moved from %u to %u mm while paused", p0, p1);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Step"), step0);
	/* the contract: Elapsed counts pauses too, a session never runs past its limit */
	H_ASSERT(&h, e1 >= e0 + 15, "Elapsed went from %u to %u over 20 s of pause", e0, e1);

	H_CALL(&h, "Resume", "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	harness_pump(&h, harness_wall_ms(&h, 5));
	{
		unsigned r2 = H_PROP_U(&h, "Remaining");

		H_ASSERT(&h, r2 + 3 <= r1, "Remaining %u 5 s after Resume, %u before", r2, r1);
	}
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), TEST_SHORT_ID);
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "stopped", 2000);
	harness_stop(&h);
}
END_TEST

START_TEST(test_timer_expiry)
{
	struct harness h;
	uint64_t t0, t1;

	/* 300 s of chair time in 3 s: the scan may be coarse at this scale, which is fine */
	harness_start(&h, 100, NULL);
	H_CALL(&h, "SetTimer", "u", 5);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 300);
	t0 = harness_now_usec();
	H_START_RUNNING(&h, TEST_LONG_ID);
	H_ASSERT(&h, H_PROP_U(&h, "Remaining") <= 300, "Remaining %u with a 300 s limit", H_PROP_U(&h, "Remaining"));
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_LONG_ID, "timeout", harness_wall_ms(&h, 300 + 60) + 5000);
	t1 = harness_now_usec();
	H_ASSERT(&h, t1 - t0 >= harness_wall_ms(&h, 295) * 1000ULL,
		 "the session ended with timeout after %llu ms, before the 300 s limit (%u ms)",
		 (unsigned long long)(t1 - t0) / 1000, harness_wall_ms(&h, 300));
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_ASSERT(&h, harness_history_in_order(&h, "running,stopping,idle"), "State history %s",
		 harness_state_history(&h));
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"));
	H_ASSERT_PARKED(&h);
	harness_stop(&h);
}
END_TEST

/* Wait until Elapsed reaches at least `seconds` (no PropertiesChanged carries a
 * "greater than", so look after each bit of bus traffic). */
static void wait_elapsed(struct harness *h, unsigned seconds)
{
	uint64_t deadline = harness_now_usec() + (harness_wall_ms(h, seconds + 60) + 3000) * 1000ULL;

	while (H_PROP_U(h, "Elapsed") < seconds) {
		H_ASSERT(h, harness_now_usec() < deadline, "Elapsed did not reach %u s", seconds);
		harness_pump(h, 10);
	}
}

START_TEST(test_timer_lowered_live)
{
	struct harness h;

	/* SetTimer applies live: a session already past the new limit ends at once */
	harness_start(&h, 100, NULL);
	H_START_RUNNING(&h, TEST_LONG_ID);
	wait_elapsed(&h, 320);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_CALL(&h, "SetTimer", "u", 5);
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_LONG_ID, "timeout", harness_wall_ms(&h, 2) + 1000);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 300);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	harness_stop(&h);
}
END_TEST

/* Elapsed counts up whatever reshapes the program: SetFocus moves the program's end by
 * a fraction of a second, and the rounding of the session's length then took a second
 * of Elapsed back (the focus test saw 20, then 19). Calls between two control ticks
 * (SetSpeed) must not show a second that the next tick takes back either. */
START_TEST(test_elapsed_never_goes_back)
{
	struct harness h;
	unsigned last_elapsed = 0, last_remaining = UINT32_MAX;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_LONG_ID);
	harness_clear_history(&h);
	for (unsigned i = 0; i < 200; i++) {
		H_CALL(&h, "SetSpeed", "u", 3 + i % 2);
		if (i % 2)
			H_CALL(&h, "SetFocus", "as", 0);
		else
			H_CALL(&h, "SetFocus", "as", 1, "neck");
		harness_pump(&h, 5);
	}
	for (size_t i = 0; i < h.n_changes; i++) {
		const char *name = h.changes[i].name, *value = h.changes[i].value;
		unsigned v = value ? (unsigned)strtoul(value, NULL, 10) : 0;

		if (strcmp(name, "Elapsed") == 0) {
			H_ASSERT(&h, v >= last_elapsed, "Elapsed went from %u to %u", last_elapsed, v);
			last_elapsed = v;
		} else if (strcmp(name, "Remaining") == 0) {
			H_ASSERT(&h, v <= last_remaining, "Remaining went from %u to %u", last_remaining, v);
			last_remaining = v;
		}
	}
	H_ASSERT(&h, last_elapsed > 0, "no Elapsed announced over 200 focus changes");
	harness_stop(&h);
}
END_TEST

START_TEST(test_manual_session_limit)
{
	struct harness h;
	uint64_t t0;

	/* manual mode runs until Stop or the session limit */
	harness_start(&h, 100, NULL);
	H_CALL(&h, "SetTimer", "u", 5);
	t0 = harness_now_usec();
	H_CALL(&h, "StartManual", "ss", "glide", "back");
	H_WAIT_RUNNING(&h);
	H_WAIT_SIGNAL(&h, "ProgramFinished", "manual", "timeout", harness_wall_ms(&h, 300 + 60) + 5000);
	H_ASSERT(&h, harness_now_usec() - t0 >= harness_wall_ms(&h, 295) * 1000ULL,
		 "manual session ended with timeout before its 300 s limit");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	harness_stop(&h);
}
END_TEST

START_TEST(test_stop)
{
	struct harness h;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_CALL(&h, "SetHeat", "b", 1);
	harness_pump(&h, harness_wall_ms(&h, 3));
	harness_clear_history(&h);
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "stopped", 2000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_ASSERT(&h, harness_history_in_order(&h, "stopping,idle"), "State history %s", harness_state_history(&h));
	H_ASSERT_PARKED(&h);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "Heat still on after Stop");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "");
	before = harness_snapshot(&h);
	H_CALL(&h, "Stop", "");
	harness_pump(&h, 100);
	H_ASSERT_UNCHANGED(&h, before);
	free(before);
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	harness_stop(&h);
}
END_TEST

START_TEST(test_manual)
{
	struct harness h;
	unsigned shoulder, lo, hi;

	harness_start(&h, SCAN_SCALE, NULL);
	H_CALL(&h, "StartManual", "ss", "knead", "shoulders");
	H_WAIT_RUNNING(&h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "manual");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Technique"), "knead");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Zone"), "shoulders");
	shoulder = H_PROP_U(&h, "ShoulderHeight");
	H_ASSERT(&h, shoulder > 0, "zones without a shoulder line");
	zone_bounds("shoulders", shoulder, &lo, &hi);
	harness_pump(&h, harness_wall_ms(&h, 15));
	/* runs on, on its zone, until Stop */
	for (unsigned i = 0; i < 20; i++) {
		unsigned pos = H_ROLLER(&h);

		H_ASSERT(&h, pos >= lo && pos <= hi, "manual knead on the shoulders at %u mm, outside %u..%u", pos, lo,
			 hi);
		H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
		harness_pump(&h, harness_wall_ms(&h, 3));
	}
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "manual", "stopped", 2000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_ASSERT_PARKED(&h);
	harness_stop(&h);
}
END_TEST

#define SEAT_GRACE_CONFIG "[Chair]\nSeatEmptyGraceSeconds=5\n"

START_TEST(test_seat_empty)
{
	struct harness h;
	unsigned p0, p1;
	uint64_t t0, t1;

	harness_start(&h, SCAN_SCALE, SEAT_GRACE_CONFIG);
	H_START_RUNNING(&h, TEST_LONG_ID);
	harness_pump(&h, harness_wall_ms(&h, 3));
	t0 = harness_now_usec();
	H_SIM(&h, "SetSeated", "b", 0);
	/* at once: well within a second of chair time */
	H_WAIT_PROP(&h, "State", "paused", harness_wall_ms(&h, 1) + 50);
	H_ASSERT(&h, !H_PROP_B(&h, "Seated"));
	{
		/* nobody to massage: Resume is refused and changes nothing */
		char *before = harness_snapshot(&h);

		(void)H_CALL_ERR(&h, CHAIR_ERROR("NotSeated"), "Resume", "");
		H_ASSERT_UNCHANGED(&h, before);
		free(before);
	}
	p0 = H_ROLLER(&h);
	harness_pump(&h, harness_wall_ms(&h, 2));
	p1 = H_ROLLER(&h);
	/* (unless a loaded machine let the grace run out meanwhile: then they park) */
	if (strcmp(H_PROP(&h, "State"), "paused") == 0)
		H_ASSERT(&h, udiff(p0, p1) <= 5, "rollers moved from %u to %u mm with the seat empty", p0, p1);
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_LONG_ID, "seat-empty", harness_wall_ms(&h, 5 + 5) + 2000);
	t1 = harness_now_usec();
	H_ASSERT(&h, t1 - t0 >= harness_wall_ms(&h, 4.5) * 1000ULL,
		 "ended %llu ms after the seat emptied, before the 5 s grace (%u ms)",
		 (unsigned long long)(t1 - t0) / 1000, harness_wall_ms(&h, 5));
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"));
	harness_stop(&h);
}
END_TEST

START_TEST(test_seat_back_within_grace)
{
	struct harness h;
	const char *state;

	/* a grace of 10 s (500 ms of wall time) leaves room for a loaded machine */
	harness_start(&h, SCAN_SCALE, "[Chair]\nSeatEmptyGraceSeconds=10\n");
	H_START_RUNNING(&h, TEST_LONG_ID);
	H_SIM(&h, "SetSeated", "b", 0);
	H_WAIT_PROP(&h, "State", "paused", harness_wall_ms(&h, 1) + 50);
	H_SIM(&h, "SetSeated", "b", 1);
	/* three graces later the program is still there */
	harness_pump(&h, harness_wall_ms(&h, 30));
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), TEST_LONG_ID);
	state = H_PROP(&h, "State");
	H_ASSERT(&h, !strcmp(state, "paused") || !strcmp(state, "running"), "State %s after the seat was back", state);
	H_CALL(&h, "Resume", "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_LONG_ID, "stopped", 2000);
	harness_stop(&h);
}
END_TEST

START_TEST(test_emergency_stop)
{
	struct harness h;
	struct harness_signal *raised;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_CALL(&h, "SetHeat", "b", 1);
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	/* the safe state never waits for a tick: it is there when the press returns */
	H_ASSERT_SAFE_OUTPUTS(&h);
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "fault", 2000);
	raised = H_WAIT_SIGNAL(&h, "FaultRaised", "estop", NULL, 2000);
	H_ASSERT(&h, raised->arg1 && raised->arg1[0], "FaultRaised(estop) without a message");
	H_WAIT_PROP(&h, "State", "fault", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "estop");
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "Heat still on after the fault");
	harness_pump(&h, harness_wall_ms(&h, 5));
	H_ASSERT_SAFE_OUTPUTS(&h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "fault");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "FaultRaised", NULL, NULL), 0);

	/* nothing restarts until released and cleared */
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	harness_pump(&h, 100);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "fault");
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"));
	H_CLEAR_FAULT(&h, "estop");
	H_START_RUNNING(&h, TEST_SHORT_ID);
	harness_stop(&h);
}
END_TEST

START_TEST(test_heat_per_session)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"));
	H_CALL(&h, "SetHeat", "b", 1);
	H_ASSERT(&h, H_PROP_B(&h, "Heat"));
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "Heat", "false", harness_wall_ms(&h, 30) + 3000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_ASSERT_SAFE_OUTPUTS(&h);
	/* the next session starts without heat */
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "Heat carried over into the next session");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	/* a program whose every step is heated turns Heat on (what the pads then do is
	 * heater control's, tested with it) */
	H_START_RUNNING(&h, "hot-stone");
	H_ASSERT(&h, H_PROP_B(&h, "Heat"), "hot-stone started without Heat");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "Heat", "false", 2000);
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_POWER"), "heater master relay on after Stop");
	harness_stop(&h);
}
END_TEST

START_TEST(test_roller_pinch)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_SIM(&h, "InjectFault", "sb", "roller-pinch", 1);
	H_WAIT_SIGNAL(&h, "FaultRaised", "roller-fault", NULL, harness_wall_ms(&h, 2) + 2000);
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "fault", 2000);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "roller-fault");
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"), "motor power on after a roller fault");
	H_SIM(&h, "InjectFault", "sb", "roller-pinch", 0);
	H_CLEAR_FAULT(&h, "roller-fault");
	harness_stop(&h);
}
END_TEST

START_TEST(test_roller_offline)
{
	struct harness h;
	char *before;
	bool cleared = false;
	uint64_t deadline;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_SIM(&h, "InjectFault", "sb", "roller-offline", 1);
	/* 300 ms of silence, retries included */
	H_WAIT_SIGNAL(&h, "FaultRaised", "roller-offline", NULL, harness_wall_ms(&h, 1) + 2000);
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "fault", 2000);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "roller-offline");
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"), "motor power on with the roller board offline");

	before = harness_snapshot(&h);
	(void)H_CALL_ERR(&h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT_UNCHANGED(&h, before);
	free(before);

	/* the outage outlasts the board's 1 s watchdog: it stops the motors and says so */
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_SIM(&h, "InjectFault", "sb", "roller-offline", 0);
	/* The board answers again; give the daemon up to a second of chair time to see it. */
	deadline = harness_now_usec() + (harness_wall_ms(&h, 1) + 500) * 1000ULL;
	while (!cleared) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		sd_bus_message *reply = NULL;
		int r = sd_bus_call_method(h.bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, "ClearFault", &error, &reply,
					   "");

		cleared = r >= 0;
		H_ASSERT(&h, cleared || sd_bus_error_has_name(&error, CHAIR_ERROR("FaultActive")), "ClearFault: %s: %s",
			 error.name, error.message);
		sd_bus_message_unref(reply);
		sd_bus_error_free(&error);
		if (!cleared) {
			H_ASSERT(&h, harness_now_usec() < deadline,
				 "ClearFault still FaultActive with the roller board answering again");
			harness_pump(&h, 20);
		}
	}
	H_WAIT_SIGNAL(&h, "FaultCleared", "roller-offline", NULL, 2000);
	H_WAIT_PROP(&h, "State", "idle", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	/* the cleared chair runs again, without a second fault from the outage's watchdog */
	H_START_RUNNING(&h, TEST_SHORT_ID);
	harness_pump(&h, harness_wall_ms(&h, 2));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_ASSERT(&h, harness_count_signals(&h, "FaultRaised", NULL, NULL) == 0, "after the clear: %s",
		 harness_signal_list(&h));
	harness_stop(&h);
}
END_TEST

/* docs/safety-rules.md limits: a shorter configured track holds whatever the program wants
 * (the neck lies above it for this person, and the scan climbs to its top). */
START_TEST(test_track_limit_holds)
{
	struct harness h;
	unsigned highest = 0;
	uint64_t until;

	harness_start(&h, SCAN_SCALE, "[Limits]\nTrackMax=500\nDepthMax=20\n");
	H_CALL(&h, "StartManual", "ss", "glide", "neck");
	until = harness_now_usec() + harness_wall_ms(&h, 60) * 1000ULL;
	while (harness_now_usec() < until) {
		unsigned pos = H_ROLLER(&h);

		highest = pos > highest ? pos : highest;
		harness_pump(&h, 20);
	}
	H_ASSERT(&h, highest <= 500, "rollers reached %u mm on a track limited to 500 mm", highest);
	H_ASSERT(&h, highest >= 440, "rollers stayed at %u mm, never near the neck end of the track", highest);
	H_CALL(&h, "Stop", "");
	harness_stop(&h);
}
END_TEST

/* A person who gets up while the rollers park takes their shoulder line with them. */
START_TEST(test_seat_empty_while_parking)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_ASSERT(&h, H_PROP_U(&h, "ShoulderHeight") > 0, "no shoulder height after the scan");
	H_CALL(&h, "Stop", "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "stopping");
	H_SIM(&h, "SetSeated", "b", 0);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "ShoulderHeight"), 0);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("session");

	CHECK_ADD_TEST(s, test_complete_program, 60);
	CHECK_ADD_TEST(s, test_replace, 60);
	CHECK_ADD_TEST(s, test_pause_resume, 60);
	CHECK_ADD_TEST(s, test_timer_expiry, 60);
	CHECK_ADD_TEST(s, test_timer_lowered_live, 60);
	CHECK_ADD_TEST(s, test_manual_session_limit, 60);
	CHECK_ADD_TEST(s, test_elapsed_never_goes_back, 60);
	CHECK_ADD_TEST(s, test_stop, 60);
	CHECK_ADD_TEST(s, test_manual, 60);
	CHECK_ADD_TEST(s, test_seat_empty, 60);
	CHECK_ADD_TEST(s, test_seat_back_within_grace, 60);
	CHECK_ADD_TEST(s, test_seat_empty_while_parking, 60);
	CHECK_ADD_TEST(s, test_emergency_stop, 60);
	CHECK_ADD_TEST(s, test_heat_per_session, 60);
	CHECK_ADD_TEST(s, test_roller_pinch, 60);
	CHECK_ADD_TEST(s, test_track_limit_holds, 90);
	CHECK_ADD_TEST(s, test_roller_offline, 60);
	return check_run_tap(s);
}
