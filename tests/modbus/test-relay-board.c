/* SPDX-License-Identifier: MIT */
/* A relay board that falls silent while its coils carry the pads' relays: massaged
 * (--simulate-lines, its GPIO lines simulated) talks Modbus RTU over a pty to
 * tools/chair-sim, whose relay board carries the three pad relays and the LED as
 * coils; motor power and the heater master relay are GPIO lines. Real time: the
 * reaction is wall-clock time from the chair-sim command to FaultRaised. The same rig
 * with a slow link checks the emergency stop's order (GPIO lines before coils) from
 * the chair times in the daemon's log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../check-tap.h"
#include "daemon-rig.h"

#define TIMEOUT_MS 50
#define COIL_HEAT_NECK 0
/* docs/safety-rules.md: 300 ms without confirmed coils; a read-back runs every 100 ms and waits
 * one 50 ms timeout. The bound is generous for a loaded machine. */
#define RELAY_OFFLINE_MIN_MS 150
#define RELAY_OFFLINE_MAX_MS 1000

struct rig {
	struct sim s;
	struct harness h;
};

static void rig_start_with_timeout(struct rig *r, unsigned timeout_ms)
{
	char extra[1024];

	sim_start(&r->s, false, rig_coil_map);
	(void)snprintf(extra, sizeof(extra), "[Modbus]\nDevice=%s\nTimeout=%u\n" RIG_COIL_BINDING, r->s.bus_path,
		       timeout_ms);
	harness_init(&r->h, extra);
	r->h.simulate_lines = true;
	harness_start_daemon(&r->h, 1.0);
}

static void rig_start(struct rig *r)
{
	rig_start_with_timeout(r, TIMEOUT_MS);
}

static void wait_coils(struct rig *r, const char *want, unsigned ms, const char *why)
{
	uint64_t end = harness_now_usec() + ms * 1000ULL;

	while (strncmp(S_STATE(&r->s, "coils"), want, strlen(want)) != 0) {
		if (harness_now_usec() > end)
			harness_fail(&r->h, __FILE__, __LINE__, "coils %s, not %s… after %u ms: %s",
				     S_STATE(&r->s, "coils"), want, ms, why);
		harness_pump(&r->h, 20);
	}
}

static long log_size(struct rig *r)
{
	struct stat st;

	return stat(r->h.log_path, &st) == 0 ? (long)st.st_size : 0;
}

/* The lines at priority warning or worse the daemon wrote from `from` on: how many, and
 * the first of them in first[size]. */
static unsigned problem_lines_since(struct rig *r, long from, char *first, size_t size)
{
	char line[1024];
	unsigned n = 0;
	FILE *f = fopen(r->h.log_path, "re");

	H_ASSERT(&r->h, f != NULL, "no daemon log");
	first[0] = '\0';
	(void)fseek(f, from, SEEK_SET);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "massaged[warning]") && !strstr(line, "massaged[err]") &&
		    !strstr(line, "massaged[crit]"))
			continue;
		if (n++ == 0)
			(void)snprintf(first, size, "%s", line);
		printf("# %s", line);
	}
	(void)fclose(f);
	return n;
}

/* hot-stone with every pad on a relay-board coil; only the relay board falls silent. The
 * master heater relay (a GPIO line) opens and relay-offline is raised within the budget,
 * while the board's coils stay as they were; one journal line says so, true to what
 * happened; ClearFault is refused while the board is silent, or answers without
 * confirming its coils, and accepted once they read back open. */
START_TEST(test_relay_board_silent)
{
	struct harness_signal *sig;
	struct rig r;
	char first[1024];
	const char *message;
	uint64_t t0, ms;
	long log_from;
	unsigned n;

	rig_start(&r);
	H_START_RUNNING(&r.h, "hot-stone");
	rig_wait_output(&r.h, "HEAT_POWER", true, 3000, "hot-stone closes the master relay");
	rig_wait_output(&r.h, "MOTOR_POWER", true, 3000, "hot-stone runs the rollers");
	/* the cold neck pad heats at full power: its coil stays closed, so the board is
	 * found silent by reading the coils back, not by a write */
	wait_coils(&r, "1", 3000, "the cold neck pad heats");
	harness_pump(&r.h, 1000);

	harness_clear_history(&r.h);
	log_from = log_size(&r);
	t0 = harness_now_usec();
	S_CMD(&r.s, "silent relay on");
	sig = H_WAIT_SIGNAL(&r.h, "FaultRaised", "relay-offline", NULL, 5000);
	ms = (sig->when_usec - t0) / 1000;
	printf("# relay board silent: relay-offline after %llu ms (budget %d..%d)\n", (unsigned long long)ms,
	       RELAY_OFFLINE_MIN_MS, RELAY_OFFLINE_MAX_MS);
	H_ASSERT(&r.h, ms >= RELAY_OFFLINE_MIN_MS && ms <= RELAY_OFFLINE_MAX_MS,
		 "relay-offline after %llu ms, expected %d..%d", (unsigned long long)ms, RELAY_OFFLINE_MIN_MS,
		 RELAY_OFFLINE_MAX_MS);
	H_ASSERT(&r.h, !H_OUTPUT(&r.h, "HEAT_POWER"), "the master heater relay is closed after relay-offline");
	H_ASSERT(&r.h, !H_OUTPUT(&r.h, "MOTOR_POWER"), "motor power is on after relay-offline");
	H_WAIT_SIGNAL(&r.h, "ProgramFinished", "hot-stone", "fault", 2000);
	H_WAIT_PROP(&r.h, "State", "fault", 2000);
	H_ASSERT_STR_EQ(&r.h, H_PROP(&r.h, "Faults"), "relay-offline");
	/* the silent board never took the safe state: the neck coil is still closed, and
	 * only the master relay in series cuts the pad. chair-sim cannot see the daemon's
	 * GPIO lines: it is told what they were driven to. */
	H_ASSERT(&r.h, rig_coil(&r.s, COIL_HEAT_NECK), "the silent board's neck coil opened: coils=%s",
		 S_STATE(&r.s, "coils"));
	S_CMD(&r.s, "line HEAT_POWER off");
	S_CMD(&r.s, "line MOTOR_POWER off");

	message = H_CALL_ERR(&r.h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&r.h, strstr(message, "relay-offline"), "refusal: %s", message);
	harness_pump(&r.h, 3000); /* the driver keeps writing the coils, every 100 ms */
	H_ASSERT(&r.h, !H_OUTPUT(&r.h, "HEAT_POWER"), "the master heater relay closed while the board is silent");

	/* it answers, but with an exception: still no coil confirmed open */
	S_CMD(&r.s, "exception relay 4");
	S_CMD(&r.s, "silent relay off");
	harness_pump(&r.h, 500);
	message = H_CALL_ERR(&r.h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&r.h, strstr(message, "relay-offline"), "refusal: %s", message);
	H_ASSERT(&r.h, rig_coil(&r.s, COIL_HEAT_NECK), "coils=%s", S_STATE(&r.s, "coils"));

	S_CMD(&r.s, "exception relay off");
	wait_coils(&r, "000", 1000, "the board takes the pad coils' writes again");
	H_CLEAR_FAULT(&r.h, "relay-offline");

	n = problem_lines_since(&r, log_from, first, sizeof(first));
	H_ASSERT(&r.h, n == 1, "%u warning or error lines for one relay board outage, expected 1", n);
	H_ASSERT(&r.h,
		 strstr(first, "fault relay-offline: The relay board has not confirmed its coils") &&
			 strstr(first, "neck, shoulders, lower-back pads may still be closed") &&
			 strstr(first, "master heater relay, a GPIO line, is open"),
		 "the journal line does not say what happened: %s", first);

	/* well again: a pad heats through its coil and the master */
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, "/org/massaged/Chair1/heater/neck",
					     "org.massaged.Heater1", "SetTarget", "d", 40.0));
	rig_wait_output(&r.h, "HEAT_POWER", true, 2000, "heating again after the clear");
	S_CMD(&r.s, "line HEAT_POWER on");
	wait_coils(&r, "1", 2000, "the neck coil closes again");
	harness_stop(&r.h);
	sim_stop(&r.s);
}
END_TEST

/* A relay board that fell silent while every coil was open is found by the next coil
 * write: SetTarget's neck coil is never confirmed, so relay-offline follows within the
 * budget and the master, closed for the pad a moment, opens again. */
START_TEST(test_relay_board_silent_write)
{
	struct harness_signal *sig;
	struct rig r;
	const char *message;
	uint64_t t0, ms;

	rig_start(&r);
	harness_pump(&r.h, 500); /* the start-up safe state's coils are read back */
	S_CMD(&r.s, "silent relay on");
	harness_pump(&r.h, 500); /* nothing may be closed: no read-back, no fault yet */
	H_ASSERT_STR_EQ(&r.h, H_PROP(&r.h, "Faults"), "");
	t0 = harness_now_usec();
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, "/org/massaged/Chair1/heater/neck",
					     "org.massaged.Heater1", "SetTarget", "d", 40.0));
	sig = H_WAIT_SIGNAL(&r.h, "FaultRaised", "relay-offline", NULL, 3000);
	ms = (sig->when_usec - t0) / 1000;
	printf("# relay board silent, a coil written: relay-offline after %llu ms\n", (unsigned long long)ms);
	H_ASSERT(&r.h, ms >= RELAY_OFFLINE_MIN_MS && ms <= RELAY_OFFLINE_MAX_MS,
		 "relay-offline after %llu ms, expected %d..%d", (unsigned long long)ms, RELAY_OFFLINE_MIN_MS,
		 RELAY_OFFLINE_MAX_MS);
	H_ASSERT(&r.h, !H_OUTPUT(&r.h, "HEAT_POWER"), "the master heater relay is closed after relay-offline");
	H_ASSERT(&r.h, !rig_coil(&r.s, COIL_HEAT_NECK), "the silent board switched its neck coil");
	message = H_CALL_ERR(&r.h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&r.h, strstr(message, "relay-offline"), "refusal: %s", message);
	S_CMD(&r.s, "silent relay off");
	harness_pump(&r.h, 500);
	H_CLEAR_FAULT(&r.h, "relay-offline");
	H_ASSERT(&r.h, strncmp(S_STATE(&r.s, "coils"), "000", 3) == 0, "coils %s", S_STATE(&r.s, "coils"));
	harness_stop(&r.h);
	sim_stop(&r.s);
}
END_TEST

/* The first log line from byte `from` on that holds `needle` and a chair time: its
 * chair time (s) and its number counted from `from`. false when there is none. */
static bool logged_at(struct rig *r, long from, const char *needle, double *ret_seconds, unsigned *ret_line)
{
	char line[1024];
	unsigned n = 0;
	bool found = false;
	FILE *f = fopen(r->h.log_path, "re");

	H_ASSERT(&r->h, f != NULL, "no daemon log");
	(void)fseek(f, from, SEEK_SET);
	while (!found && fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, "at chair time ");

		n++;
		if (at && strstr(line, needle)) {
			*ret_seconds = strtod(at + strlen("at chair time "), NULL);
			*ret_line = n;
			found = true;
		}
	}
	(void)fclose(f);
	return found;
}

struct logged_event {
	const char *needle;
	double seconds;
	unsigned line;
};

static void logged_event_find(struct rig *r, long from, struct logged_event *e)
{
	if (!logged_at(r, from, e->needle, &e->seconds, &e->line))
		harness_fail(&r->h, __FILE__, __LINE__, "no log line with \"%s\" and a chair time after the press",
			     e->needle);
}

#define ORDER_TIMEOUT_MS 100
#define ORDER_ANSWER_MS 45
/* under one slow answer: the GPIO lines may wait for no coil write */
#define ORDER_GPIO_MAX_MS 30

/* The emergency stop drives the GPIO lines inactive before any relay-board coil: a coil
 * write waits for the board's answer, and the master heater relay and motor power must
 * not wait behind the pads' coils. Every answer 45 ms late (under half of Timeout=100,
 * so the link is slow but not modbus-slow); the press's chair time, and each output's
 * change, come from the daemon's log (chair time is wall time at scale 1). */
START_TEST(test_estop_gpio_lines_before_coils)
{
	struct logged_event press = { .needle = "Simulator: emergency stop pressed" },
			    master = { .needle = "Simulator: HEAT_POWER inactive" },
			    motor = { .needle = "Simulator: MOTOR_POWER inactive" },
			    neck = { .needle = "Simulator: HEAT_NECK inactive" }; /* after its coil write */
	struct rig r;
	double master_ms, motor_ms, neck_ms;
	long log_from;

	rig_start_with_timeout(&r, ORDER_TIMEOUT_MS);
	H_START_RUNNING(&r.h, "hot-stone");
	rig_wait_output(&r.h, "HEAT_POWER", true, 3000, "hot-stone closes the master relay");
	rig_wait_output(&r.h, "MOTOR_POWER", true, 3000, "hot-stone runs the rollers");
	wait_coils(&r, "1", 3000, "the cold neck pad heats");
	S_CMD(&r.s, "delay %d", ORDER_ANSWER_MS);
	harness_pump(&r.h, 1000);
	/* slow, not failing: nothing faulted, the master and the neck coil still closed */
	H_ASSERT_STR_EQ(&r.h, H_PROP(&r.h, "Faults"), "");
	H_ASSERT(&r.h, H_OUTPUT(&r.h, "HEAT_POWER"), "the master opened before the press");
	H_ASSERT(&r.h, rig_coil(&r.s, COIL_HEAT_NECK), "coils=%s", S_STATE(&r.s, "coils"));

	log_from = log_size(&r);
	H_SIM(&r.h, "SetEmergencyStop", "b", 1);
	H_WAIT_SIGNAL(&r.h, "FaultRaised", "estop", NULL, 3000);
	H_ASSERT(&r.h, !H_OUTPUT(&r.h, "HEAT_POWER"), "the master heater relay is closed after the press");
	H_ASSERT(&r.h, !H_OUTPUT(&r.h, "MOTOR_POWER"), "motor power is on after the press");
	logged_event_find(&r, log_from, &press);
	logged_event_find(&r, log_from, &master);
	logged_event_find(&r, log_from, &motor);
	logged_event_find(&r, log_from, &neck);
	master_ms = (master.seconds - press.seconds) * 1e3;
	motor_ms = (motor.seconds - press.seconds) * 1e3;
	neck_ms = (neck.seconds - press.seconds) * 1e3;
	printf("# estop with %d ms answers (Timeout=%d): HEAT_POWER inactive %.1f ms, MOTOR_POWER %.1f ms, "
	       "the neck coil %.1f ms of chair time after the press (budget %d ms for the GPIO lines)\n",
	       ORDER_ANSWER_MS, ORDER_TIMEOUT_MS, master_ms, motor_ms, neck_ms, ORDER_GPIO_MAX_MS);
	fflush(stdout); /* a failure below ends the test process */
	H_ASSERT(&r.h, master.line < neck.line && motor.line < neck.line,
		 "a relay-board coil was written before the GPIO lines: log lines (ms after the press) master %u "
		 "(%.1f), motor %u (%.1f), neck coil %u (%.1f)",
		 master.line, master_ms, motor.line, motor_ms, neck.line, neck_ms);
	H_ASSERT(&r.h, master_ms <= ORDER_GPIO_MAX_MS && motor_ms <= ORDER_GPIO_MAX_MS,
		 "the GPIO lines went inactive %.1f (master) and %.1f ms (motor) after the press, budget %d ms",
		 master_ms, motor_ms, ORDER_GPIO_MAX_MS);
	/* the coils come after, and still open */
	wait_coils(&r, "000", 3000, "the pad coils open after the GPIO lines");

	S_CMD(&r.s, "delay 0");
	harness_stop(&r.h);
	sim_stop(&r.s);
}
END_TEST

static Suite *relay_board_suite(void)
{
	Suite *s = suite_create("modbus-relay-board");

	CHECK_ADD_TEST(s, test_relay_board_silent, 120);
	CHECK_ADD_TEST(s, test_relay_board_silent_write, 60);
	CHECK_ADD_TEST(s, test_estop_gpio_lines_before_coils, 60);
	return s;
}

int main(void)
{
	return check_run_tap(relay_board_suite());
}
