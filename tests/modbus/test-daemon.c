/* SPDX-License-Identifier: MIT */
/* massaged's Modbus backend end to end: the daemon with --simulate-lines (its GPIO
 * lines simulated, driven over Simulator1) talks Modbus RTU at 115200 8E1 over a pty
 * to tools/chair-sim, whose relay board carries the pad relays and the LED as coils;
 * motor power and the heater master relay are GPIO lines, as massaged requires. Real
 * time: the Modbus timeouts and docs/safety-rules.md's reaction times are wall-clock times here. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../check-tap.h"
#include "daemon-rig.h"

#define TIMEOUT_MS 50
#define NECK "/org/massaged/Chair1/heater/neck"
/* coil of each output on the relay board: neck, shoulders, lower-back, LED */
#define COIL_HEAT_NECK 0

struct rig {
	struct sim s;
	struct harness h;
};

/* Two 10 s steps: a whole program in real time, after the body scan. */
static const char short_program[] =
	"[Program]\nTitle=Modbus test\nDescription=Two short steps.\n"
	"[Step]\nTechnique=knead\nZone=neck\nDuration=10\nSpeed=3\nWidth=medium\nDepth=0\n"
	"[Step]\nTechnique=tap\nZone=shoulders\nDuration=10\nSpeed=4\nWidth=wide\nDepth=0\n";

/* Heat=yes turns every pad on for the whole program. */
static const char hot_program[] = "[Program]\nTitle=Modbus heated test\nDescription=Two long heated steps.\nHeat=yes\n"
				  "[Step]\nTechnique=knead\nZone=neck\nDuration=300\nSpeed=3\nWidth=medium\nDepth=0\n"
				  "[Step]\nTechnique=glide\nZone=back\nDuration=300\nSpeed=3\nWidth=wide\nDepth=0\n";

static void rig_start_on(struct rig *r, bool tcp)
{
	char extra[1024], line[400];

	sim_start(&r->s, tcp, rig_coil_map);
	if (tcp)
		(void)snprintf(line, sizeof(line), "Transport=tcp\nHost=127.0.0.1\nPort=%u", r->s.tcp_port);
	else
		(void)snprintf(line, sizeof(line), "Device=%s", r->s.bus_path);
	(void)snprintf(extra, sizeof(extra), "[Modbus]\n%s\nTimeout=%d\n" RIG_COIL_BINDING, line, TIMEOUT_MS);
	harness_init(&r->h, extra);
	harness_write_program(&r->h, "modbus-short", short_program);
	harness_write_program(&r->h, "modbus-hot", hot_program);
	r->h.simulate_lines = true;
	harness_start_daemon(&r->h, 1.0);
}

static void rig_start(struct rig *r)
{
	rig_start_on(r, false);
}

static void rig_stop(struct rig *r)
{
	harness_stop(&r->h);
	sim_stop(&r->s);
}

/* The safe state: motor power and the heater master (GPIO lines) off at once, and every
 * pad coil off within 300 ms as the relay board sees it (a coil write that failed with
 * the timed-out device's loop iteration is retried in the next one). */
static void assert_safe_coils(struct rig *r, const char *why)
{
	uint64_t end = harness_now_usec() + 300000ULL;
	const char *coils = S_STATE(&r->s, "coils");

	H_ASSERT(&r->h, !H_OUTPUT(&r->h, "MOTOR_POWER") && !H_OUTPUT(&r->h, "HEAT_POWER"),
		 "after %s MOTOR_POWER or HEAT_POWER is still active", why);
	while (strncmp(coils, "000", 3) != 0 && harness_now_usec() < end) {
		harness_pump(&r->h, 5);
		coils = S_STATE(&r->s, "coils");
	}
	if (strncmp(coils, "000", 3) != 0)
		harness_fail(&r->h, __FILE__, __LINE__, "after %s the coils are %s, expected the three pad coils off",
			     why, coils);
}

static double heater_temperature(struct rig *r)
{
	const char *v = harness_get(&r->h, NECK, HEATER_IFACE, "Temperature", NULL);

	return v ? atof(v) : -1.0;
}

/* On a healthy bus no request ever fails (the safe state included). Not under
 * valgrind: there a reply can miss the 50 ms response timeout (wall time) while two
 * slowed daemons share the machine's two cores with chair-sim. */
static void rig_stop_healthy(struct rig *r)
{
	double failed = rig_exit_figure(&r->h, "requests, ");

	if (harness_under_valgrind())
		printf("# under valgrind, not checked: %.0f Modbus requests timed out on a healthy bus\n", failed);
	else
		H_ASSERT(&r->h, failed == 0, "%.0f Modbus requests failed on a healthy bus", failed);
	rig_stop(r);
}

/* A program runs start to end over Modbus: scan, two steps, park. Also measures the
 * bytes on the wire per control cycle against the register map's minimum. */
START_TEST(test_program_runs)
{
	struct rig r;
	unsigned long bytes, reads;
	uint64_t t0;
	double cycles;

	rig_start(&r);
	H_START_RUNNING(&r.h, "modbus-short");
	H_ASSERT(&r.h, H_OUTPUT(&r.h, "MOTOR_POWER"), "MOTOR_POWER off while running");

	S_CMD(&r.s, "stats reset");
	t0 = harness_now_usec();
	harness_pump(&r.h, 5000);
	S_CMD(&r.s, "stats");
	cycles = (double)(harness_now_usec() - t0) / 20000.0; /* the 50 Hz control tick */
	bytes = S_FIELD(&r.s, "stats roller", "bytes_in") + S_FIELD(&r.s, "stats roller", "bytes_out");
	reads = S_FIELD(&r.s, "stats roller", "requests");
	printf("# roller board: %lu requests, %.1f bytes per %.0f-cycle average (minimum 33: "
	       "one read of ten input registers, 8 + 25 bytes, nothing changed)\n",
	       reads, (double)bytes / cycles, cycles);
	/* one read each cycle, and a write only when something changed */
	H_ASSERT(&r.h, reads >= cycles * 0.9 && reads <= cycles * 2.05, "%lu requests in %.0f cycles", reads, cycles);
	H_ASSERT(&r.h, (double)bytes / cycles < 33.0 + 35.0, "%.1f bytes per cycle", (double)bytes / cycles);

	/* paused, the setpoints hold still: WATCHDOG_MS alone keeps the board's watchdog armed */
	H_CALL(&r.h, "Pause", "");
	H_WAIT_PROP(&r.h, "State", "paused", 2000);
	harness_pump(&r.h, 2500);
	H_ASSERT(&r.h, (atoi(S_STATE(&r.s, "status")) & 64) == 0, "the board's watchdog tripped while paused");
	H_WAIT_PROP(&r.h, "State", "paused", 100);
	H_CALL(&r.h, "Resume", "");

	H_WAIT_SIGNAL(&r.h, "ProgramFinished", "modbus-short", "completed", 30000);
	H_WAIT_PROP(&r.h, "State", "idle", 30000);
	rig_wait_output(&r.h, "MOTOR_POWER", false, 2000, "parked");
	H_ASSERT(&r.h, atoi(S_STATE(&r.s, "travel_pos")) <= 5, "parked at %s mm", S_STATE(&r.s, "travel_pos"));
	H_ASSERT(&r.h, atoi(S_STATE(&r.s, "control")) == 0, "motors still enabled after parking");
	rig_stop_healthy(&r);
}
END_TEST

/* A pad holds its target through the relay board's coils. */
START_TEST(test_pad_holds)
{
	struct rig r;
	bool on = false, off = false;
	double lo = 99, hi = -99;
	uint64_t end;

	rig_start(&r);
	S_CMD(&r.s, "pad neck 40.0");
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 40.0));
	rig_wait_output(&r.h, "HEAT_POWER", true, 2000, "SetTarget closes the master relay");
	harness_pump(&r.h, 10000); /* settle */
	end = harness_now_usec() + 25000000ULL;
	while (harness_now_usec() < end) {
		double t = heater_temperature(&r);

		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
		if (rig_coil(&r.s, COIL_HEAT_NECK))
			on = true;
		else
			off = true;
		harness_pump(&r.h, 200);
	}
	printf("# neck pad over 25 s at target 40 °C: %.2f..%.2f °C (sensor)\n", lo, hi);
	H_ASSERT(&r.h, lo >= 39.5 && hi <= 40.5, "the pad wandered: %.2f..%.2f °C", lo, hi);
	H_ASSERT(&r.h, on && off, "the neck coil never switched (on %d, off %d)", on, off);
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 0.0));
	rig_wait_output(&r.h, "HEAT_POWER", false, 2000, "target 0 opens the master relay");
	rig_stop_healthy(&r);
}
END_TEST

struct misbehaviour {
	const char *on, *off;
	const char *fault;
	unsigned min_ms, max_ms; /* reaction from the command to FaultRaised */
	bool relay_board_too;    /* the coils cannot switch until it answers again */
};

/* Inject, see the fault, the safe state and the refused clear; remove, clear, go on. */
static void walk(struct rig *r, const struct misbehaviour *m, bool rollers)
{
	struct harness_signal *sig;
	uint64_t t0, ms;

	harness_clear_history(&r->h);
	t0 = harness_now_usec();
	S_CMD(&r->s, "%s", m->on);
	sig = H_WAIT_SIGNAL(&r->h, "FaultRaised", m->fault, NULL, 5000);
	ms = (sig->when_usec - t0) / 1000;
	printf("# %s: %s after %llu ms\n", m->on, m->fault, (unsigned long long)ms);
	H_ASSERT(&r->h, ms >= m->min_ms && ms <= m->max_ms, "%s raised %s after %llu ms, expected %u..%u", m->on,
		 m->fault, (unsigned long long)ms, m->min_ms, m->max_ms);
	H_WAIT_PROP(&r->h, "State", "fault", 2000);
	if (rollers)
		H_WAIT_SIGNAL(&r->h, "ProgramFinished", NULL, "fault", 2000);
	if (!m->relay_board_too)
		assert_safe_coils(r, m->on);
	H_ASSERT(&r->h, harness_log_contains(&r->h, m->fault), "no log line names %s", m->fault);
	H_CALL_ERR(&r->h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	S_CMD(&r->s, "%s", m->off);
	if (m->relay_board_too) {
		/* the safe state's coil writes are retried until the board takes them */
		rig_wait_coil(&r->s, &r->h, COIL_HEAT_NECK, false, 1000, "the relay board answers again");
		assert_safe_coils(r, m->off);
	}
	H_CLEAR_FAULT(&r->h, m->fault);
}

/* The daemon's log gives the reason of each failed roller board write in words
 * ("…: Connection timed out"), not as an errno number ("…: -110"). */
static void assert_write_failures_in_words(struct rig *r)
{
	static const char failed[] = "Roller board write failed: ";
	char line[512], bad[512] = "", first[512] = "";
	unsigned n = 0;
	FILE *f = fopen(r->h.log_path, "re");

	H_ASSERT(&r->h, f, "no daemon log at %s", r->h.log_path);
	while (fgets(line, sizeof(line), f)) {
		const char *why = strstr(line, failed);

		if (!why)
			continue;
		if (n++ == 0)
			(void)snprintf(first, sizeof(first), "%s", line);
		why += strlen(failed);
		if (!bad[0] && !isalpha((unsigned char)why[0]))
			(void)snprintf(bad, sizeof(bad), "%s", line);
	}
	(void)fclose(f);
	H_ASSERT(&r->h, n > 0, "no roller board write failed while the board misbehaved");
	printf("# %u failed roller board writes logged, the first: %s", n, first);
	H_ASSERT(&r->h, !bad[0], "a failed roller board write is logged without its reason in words: %s", bad);
}

/* Each way the roller board can fail on the wire, during a running program: the right
 * fault within docs/safety-rules.md's time, motors off, ClearFault refused until it answers again,
 * and the failed writes logged with their reasons. */
START_TEST(test_roller_misbehaviour)
{
	/* roller-offline: 300 ms without a valid answer, plus a tick and a timeout */
	static const struct misbehaviour cases[] = {
		{ "silent roller on", "silent roller off", "roller-offline", 280, 700, false },
		{ "bad-crc roller on", "bad-crc roller off", "roller-offline", 280, 700, false },
		{ "exception roller 4", "exception roller off", "roller-offline", 280, 700, false },
		{ "wrong-slave roller on", "wrong-slave roller off", "roller-offline", 280, 700, false },
		{ "silent all on", "silent all off", "roller-offline", 280, 700, true },
		{ "pinch on", "pinch off", "roller-fault", 0, 300, false },
	};
	struct rig r;

	rig_start(&r);
	H_START_RUNNING(&r.h, TEST_LONG_ID); /* scans once; later starts reuse the shoulder line */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		walk(&r, &cases[i], true);
		H_CALL(&r.h, "StartManual", "ss", "knead", "neck");
		H_WAIT_PROP(&r.h, "State", "running", 3000);
		rig_wait_output(&r.h, "MOTOR_POWER", true, 2000, "running again after ClearFault");
	}
	assert_write_failures_in_words(&r);
	H_CALL(&r.h, "Stop", "");
	H_WAIT_PROP(&r.h, "State", "idle", 30000);
	rig_stop(&r);
}
END_TEST

/* The temperature module's failures while a pad heats: sentinels and silence. */
START_TEST(test_temperature_misbehaviour)
{
	static const struct misbehaviour cases[] = {
		{ "sensor neck open", "sensor neck ok", "sensor:neck", 0, 800, false },
		{ "sensor neck short", "sensor neck ok", "sensor:neck", 0, 800, false },
		/* temp-module-offline: 2 s since the last reading, which came up to a 250 ms heat
		 * tick before the module fell silent */
		{ "silent temp on", "silent temp off", "temp-module-offline", 1700, 3000, false },
		{ "exception temp 4", "exception temp off", "temp-module-offline", 1700, 3000, false },
	};
	struct rig r;

	rig_start(&r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sd_bus_message_unref(
			harness_call_ok(&r.h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 42.0));
		rig_wait_output(&r.h, "HEAT_POWER", true, 2000, "the pad heats");
		walk(&r, &cases[i], false);
		H_ASSERT(&r.h, strcmp(harness_get(&r.h, NECK, HEATER_IFACE, "State", NULL), "off") == 0,
			 "the pad is %s after the clear", harness_get(&r.h, NECK, HEATER_IFACE, "State", NULL));
	}
	rig_stop(&r);
}
END_TEST

/* The fault matrix's rows that live on the wire, during a heated program: the fault, the program ended with reason
 * fault, every power coil off, ClearFault refused until the device is well again. */
static void start_hot_program(struct rig *r)
{
	H_START_RUNNING(&r->h, "modbus-hot");
	rig_wait_output(&r->h, "HEAT_POWER", true, 3000, "the heated program closes the master relay");
	rig_wait_output(&r->h, "MOTOR_POWER", true, 2000, "the heated program runs the rollers");
}

START_TEST(test_heated_program_faults)
{
	static const struct misbehaviour cases[] = {
		{ "silent roller on", "silent roller off", "roller-offline", 280, 700, false },
		{ "pinch on", "pinch off", "roller-fault", 0, 300, false },
		{ "sensor neck open", "sensor neck ok", "sensor:neck", 0, 800, false },
		/* the stone at the overtemperature trip, MaxTarget 45 + 3 */
		{ "pad neck 48.5", "pad neck 40", "overtemp:neck", 0, 800, false },
		{ "silent temp on", "silent temp off", "temp-module-offline", 1700, 3000, false },
	};
	struct rig r;

	rig_start(&r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start_hot_program(&r);
		walk(&r, &cases[i], true);
	}
	rig_stop(&r);
}
END_TEST

/* A sensor fails on the temperature module while the roller board is silent: both
 * faults, ClearFault refused while either cause is there, both cleared together. */
START_TEST(test_sensor_fails_while_board_silent)
{
	struct rig r;
	const char *message;

	rig_start(&r);
	H_START_RUNNING(&r.h, TEST_LONG_ID);
	S_CMD(&r.s, "silent roller on");
	H_WAIT_SIGNAL(&r.h, "FaultRaised", "roller-offline", NULL, 2000);
	assert_safe_coils(&r, "roller-offline");
	S_CMD(&r.s, "sensor neck open");
	H_WAIT_SIGNAL(&r.h, "FaultRaised", "sensor:neck", NULL, 2000);
	H_ASSERT_STR_EQ(&r.h, H_PROP(&r.h, "Faults"), "roller-offline,sensor:neck");
	message = H_CALL_ERR(&r.h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&r.h, strstr(message, "roller-offline") && strstr(message, "sensor:neck"), "refusal: %s", message);
	S_CMD(&r.s, "silent roller off");
	harness_pump(&r.h, 500);
	message = H_CALL_ERR(&r.h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	H_ASSERT(&r.h, !strstr(message, "roller-offline") && strstr(message, "sensor:neck"), "refusal: %s", message);
	S_CMD(&r.s, "sensor neck ok");
	harness_pump(&r.h, 500);
	H_CALL(&r.h, "ClearFault", "");
	H_WAIT_SIGNAL(&r.h, "FaultCleared", "roller-offline", NULL, 2000);
	H_WAIT_SIGNAL(&r.h, "FaultCleared", "sensor:neck", NULL, 2000);
	H_WAIT_PROP(&r.h, "State", "idle", 2000);
	rig_stop(&r);
}
END_TEST

/* With every device silent, no loop iteration waits more than one Modbus timeout. */
START_TEST(test_loop_waits_one_timeout)
{
	struct rig r;
	double longest;

	rig_start(&r);
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 42.0));
	H_START_RUNNING(&r.h, TEST_LONG_ID);
	S_CMD(&r.s, "silent all on");
	/* the roller board or the relay board may be the first to be missed: either fault
	 * ends the program, and the loop goes on asking every silent device */
	H_WAIT_PROP(&r.h, "State", "fault", 5000);
	harness_pump(&r.h, 1000);
	/* ClearFault asks the silent boards again */
	H_CALL_ERR(&r.h, CHAIR_ERROR("FaultActive"), "ClearFault", "");
	longest = rig_exit_figure(&r.h, "longest wait in one loop iteration ");
	printf("# longest wait in one loop iteration with every device silent: %.1f ms (Timeout=%d ms)\n", longest,
	       TIMEOUT_MS);
	H_ASSERT(&r.h, longest >= TIMEOUT_MS * 0.9 && longest <= TIMEOUT_MS * 1.3,
		 "longest wait %.1f ms against a %d ms timeout", longest, TIMEOUT_MS);
	S_CMD(&r.s, "silent all off");
	rig_stop(&r);
}
END_TEST

/* Modbus TCP to a gateway: the same devices, the same faults and recovery. */
START_TEST(test_tcp_gateway)
{
	static const struct misbehaviour silent = {
		"silent temp on", "silent temp off", "temp-module-offline", 1700, 3000, false
	};
	struct rig r;

	rig_start_on(&r, true);
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 42.0));
	rig_wait_output(&r.h, "HEAT_POWER", true, 2000, "the pad heats over TCP");
	harness_pump(&r.h, 1000); /* a few heat ticks */
	S_CMD(&r.s, "stats");
	H_ASSERT(&r.h, S_FIELD(&r.s, "stats temp", "requests") > 0, "no temperature reads over TCP");
	walk(&r, &silent, false);
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 42.0));
	rig_wait_output(&r.h, "HEAT_POWER", true, 2000, "heating again after the clear");
	rig_stop(&r);
}
END_TEST

/* A pad relay on the relay board that cannot be opened opens the heater master (on a
 * line) at once, though another pad still heats, without waiting for relay-offline;
 * once the board answers and its coils read back open, the fault clears and the master
 * closes again for the other pad. */
START_TEST(test_unopened_relay_opens_master)
{
	struct harness_signal *sig;
	struct rig r;
	uint64_t end, master_open_usec;

	rig_start(&r);
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 40.0));
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, "/org/massaged/Chair1/heater/shoulders",
					     HEATER_IFACE, "SetTarget", "d", 40.0));
	rig_wait_coil(&r.s, &r.h, COIL_HEAT_NECK, true, 3000, "the cold neck pad heats");
	H_ASSERT(&r.h, H_OUTPUT(&r.h, "HEAT_POWER"), "the master is open while two pads heat");

	harness_clear_history(&r.h);
	S_CMD(&r.s, "silent relay on");
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 0.0));
	end = harness_now_usec() + 2000000ULL;
	while (H_OUTPUT(&r.h, "HEAT_POWER") && harness_now_usec() < end)
		harness_pump(&r.h, 5);
	master_open_usec = harness_now_usec();
	H_ASSERT(&r.h, !H_OUTPUT(&r.h, "HEAT_POWER"), "the master stayed closed over a neck relay that did not open");
	sig = H_WAIT_SIGNAL(&r.h, "FaultRaised", "relay-offline", NULL, 3000);
	printf("# master open %lld ms before relay-offline\n",
	       ((long long)sig->when_usec - (long long)master_open_usec) / 1000);
	H_ASSERT(&r.h, master_open_usec <= sig->when_usec, "the master waited for relay-offline");

	S_CMD(&r.s, "silent relay off");
	rig_wait_coil(&r.s, &r.h, COIL_HEAT_NECK, false, 2000, "the neck relay's retried write lands");
	H_CLEAR_FAULT(&r.h, "relay-offline");
	sd_bus_message_unref(harness_call_ok(&r.h, __FILE__, __LINE__, "/org/massaged/Chair1/heater/shoulders",
					     HEATER_IFACE, "SetTarget", "d", 40.0));
	end = harness_now_usec() + 3000000ULL;
	while (!H_OUTPUT(&r.h, "HEAT_POWER") && harness_now_usec() < end)
		harness_pump(&r.h, 20);
	H_ASSERT(&r.h, H_OUTPUT(&r.h, "HEAT_POWER"), "the master did not close again for the shoulders pad");
	H_ASSERT(&r.h, !rig_coil(&r.s, COIL_HEAT_NECK), "the neck relay closed again");
	rig_stop(&r);
}
END_TEST

/* massaged --safe-state, which systemd runs after massaged stopped however it stopped
 * (ExecStopPost=): a massaged that hung and was killed with the heat and the rollers on
 * leaves the relay board's coils closed and the roller board enabled; --safe-state,
 * with the same configuration, opens every coil and disables the board, and says so.
 * The massaged started next clears the board's watchdog trip that the hang caused. */
START_TEST(test_safe_state_after_kill)
{
	char *argv[] = { getenv("MASSAGED"), "--safe-state", "--simulate-lines", "--config", NULL, NULL };
	char out[400], err[400];
	struct rig r;
	int status;

	rig_start(&r);
	start_hot_program(&r);
	/* hung, as systemd's watchdog finds it, long enough for the board's own watchdog
	 * (WATCHDOG_MS 1000) to stop the motors; then killed */
	H_ASSERT(&r.h, kill(r.h.daemon_pid, SIGSTOP) == 0, "SIGSTOP: %m");
	sim_pause_ms(1500);
	harness_kill_daemon(&r.h);
	S_ASSERT(&r.s, rig_coil(&r.s, COIL_HEAT_NECK),
		 "a killed massaged should leave its coils as they were "
		 "(the neck pad heating from cold): coils=%s",
		 S_STATE(&r.s, "coils"));
	S_ASSERT(&r.s, S_STATE_U(&r.s, "control") != 0, "the roller board should still be enabled");

	argv[4] = r.h.config_path;
	(void)snprintf(out, sizeof(out), "%s/safe-state.out", r.h.tmpdir);
	(void)snprintf(err, sizeof(err), "%s/safe-state.err", r.h.tmpdir);
	status = harness_run(&r.h, argv, out, err, 10000);
	H_ASSERT(&r.h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "massaged --safe-state: wait status 0x%x\n%s",
		 (unsigned)status, harness_read_file(&r.h, err));
	H_ASSERT(&r.h, strstr(harness_read_file(&r.h, err), "Safe state: every output inactive"),
		 "massaged --safe-state did not report the safe state:\n%s", harness_read_file(&r.h, err));
	S_ASSERT(&r.s, strncmp(S_STATE(&r.s, "coils"), "000", 3) == 0, "after --safe-state the coils are %s",
		 S_STATE(&r.s, "coils"));
	S_ASSERT(&r.s, S_STATE_U(&r.s, "control") == 0, "after --safe-state the roller board is still enabled");

	/* The board's watchdog trip is the hung massaged's doing. The next massaged clears
	 * it at start-up, and its first program runs instead of faulting on the old trip. */
	harness_start_daemon(&r.h, 1.0);
	H_ASSERT(&r.h, harness_wait_log(&r.h, "watchdog had stopped the motors before this start", 5000),
		 "the inherited watchdog trip was not cleared at start-up");
	start_hot_program(&r);
	harness_pump(&r.h, 1500);
	H_ASSERT(&r.h, !harness_log_contains(&r.h, "fault roller-fault"),
		 "the first program after a restart faulted on the old watchdog trip");
	harness_stop_daemon_at(&r.h, __FILE__, __LINE__);

	/* a silent relay board: the coils cannot be opened, and it says so with exit 1 */
	(void)S_CMD(&r.s, "silent relay on");
	status = harness_run(&r.h, argv, out, err, 10000);
	H_ASSERT(&r.h, WIFEXITED(status) && WEXITSTATUS(status) == 1,
		 "massaged --safe-state with a silent relay board: wait status 0x%x\n%s", (unsigned)status,
		 harness_read_file(&r.h, err));
	H_ASSERT(&r.h, strstr(harness_read_file(&r.h, err), "not every write landed"), "no failure reported:\n%s",
		 harness_read_file(&r.h, err));
	(void)S_CMD(&r.s, "silent relay off");
	harness_stop_at(&r.h, __FILE__, __LINE__);
	sim_stop(&r.s);
}
END_TEST

/* Lines of `text` that contain `needle`. */
static unsigned lines_containing(const char *text, const char *needle)
{
	unsigned n = 0;

	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *end = strchr(line, '\n');
		const char *hit = strstr(line, needle);

		if (hit && (!end || hit < end))
			n++;
	}
	return n;
}

/* A serial device that is not there stops start-up, once StartupWait (1 s here) has
 * passed, with a message naming it; a line libmodbus refuses to set up (no device
 * path) stops it at once, said once; with --simulate-lines, Simulator1 refuses what
 * the real devices would have to do. */
START_TEST(test_start_errors_and_refusals)
{
	struct rig r;
	char *argv[] = { (char *)getenv("MASSAGED"), "--simulate-lines", "--config", NULL, NULL };
	char err_path[400];
	const char *err;
	int status;

	harness_init(&r.h, "[Modbus]\nDevice=\n");
	argv[3] = r.h.config_path;
	(void)snprintf(err_path, sizeof(err_path), "%s/setup.err", r.h.tmpdir);
	status = harness_run(&r.h, argv, NULL, err_path, 10000);
	err = harness_read_file(&r.h, err_path);
	H_ASSERT(&r.h, WIFEXITED(status) && WEXITSTATUS(status) == 1, "massaged exited with status %d", status);
	H_ASSERT(&r.h,
		 lines_containing(err, "massaged[err]") == 1 && lines_containing(err, "Modbus") == 1 &&
			 lines_containing(err, "115200 8E1: Invalid argument") == 1,
		 "the refused Modbus settings are not said exactly once, naming the line:\n%s", err);
	harness_stop(&r.h);

	harness_init(&r.h, "[Modbus]\nDevice=/dev/massaged-test-no-such-tty\nStartupWait=1\n");
	argv[3] = r.h.config_path;
	(void)snprintf(err_path, sizeof(err_path), "%s/start.err", r.h.tmpdir);
	status = harness_run(&r.h, argv, NULL, err_path, 10000);
	H_ASSERT(&r.h, WIFEXITED(status) && WEXITSTATUS(status) == 1, "massaged exited with status %d", status);
	H_ASSERT(&r.h,
		 strstr(harness_read_file(&r.h, err_path), "/dev/massaged-test-no-such-tty") &&
			 strstr(harness_read_file(&r.h, err_path), "roller board does not answer"),
		 "the start-up error does not name the device: %s", harness_read_file(&r.h, err_path));
	harness_stop(&r.h);

	rig_start(&r);
	H_SIM_ERR(&r.h, "org.freedesktop.DBus.Error.NotSupported", "InjectFault", "sb", "roller-offline", 1);
	H_SIM_ERR(&r.h, "org.freedesktop.DBus.Error.NotSupported", "SetPadTemperature", "sd", "neck", 40.0);
	H_SIM_ERR(&r.h, "org.freedesktop.DBus.Error.NotSupported", "SetShoulderHeight", "u", 600);
	rig_stop(&r);
}
END_TEST

static Suite *daemon_suite(void)
{
	Suite *s = suite_create("modbus-daemon");

	CHECK_ADD_TEST(s, test_program_runs, 150);
	CHECK_ADD_TEST(s, test_pad_holds, 90);
	CHECK_ADD_TEST(s, test_roller_misbehaviour, 200);
	CHECK_ADD_TEST(s, test_temperature_misbehaviour, 120);
	CHECK_ADD_TEST(s, test_loop_waits_one_timeout, 120);
	CHECK_ADD_TEST(s, test_tcp_gateway, 90);
	CHECK_ADD_TEST(s, test_start_errors_and_refusals, 60);
	CHECK_ADD_TEST(s, test_unopened_relay_opens_master, 60);
	CHECK_ADD_TEST(s, test_heated_program_faults, 200);
	CHECK_ADD_TEST(s, test_sensor_fails_while_board_silent, 60);
	CHECK_ADD_TEST(s, test_safe_state_after_kill, 120);
	return s;
}

int main(void)
{
	return check_run_tap(daemon_suite());
}
