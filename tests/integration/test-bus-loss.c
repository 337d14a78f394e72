/* SPDX-License-Identifier: MIT */
/* Losing the bus: the private bus daemon dies while hot-stone heats and kneads. No one
 * can reach the chair any more, Stop included, so massaged must reach the safe state,
 * say so in its log, and exit non-zero (systemd's Restart=on-failure starts it again). */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness.h"
#include "test-files.h"

#define LOST_LINE "Lost the D-Bus connection: safe state at chair time "
/* Wall time massaged may take to exit once its bus is gone: it reacts at once, this is
 * only how long the test waits before calling it hung. */
#define EXIT_BOUND_MS 10000

static double chair_seconds(struct harness *h)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *v = harness_get(h, SIM_PATH, SIM_IFACE, "ChairTime", &error);

	if (!v)
		harness_fail(h, __FILE__, __LINE__, "Get ChairTime: %s", error.message);
	return strtod(v, NULL) / 1e6;
}

/* hot-stone running (after its body scan) with the master relay and the motors on. */
static void start_heated_program(struct harness *h)
{
	uint64_t end = harness_now_usec() + (harness_wall_ms(h, 2) + 2000) * 1000ULL;

	H_START_RUNNING(h, "hot-stone");
	while (!H_OUTPUT(h, "HEAT_POWER") || !H_OUTPUT(h, "MOTOR_POWER")) {
		if (harness_now_usec() > end)
			harness_fail(h, __FILE__, __LINE__, "hot-stone runs without heat or motor power");
		harness_pump(h, 20);
	}
}

/* The bus daemon dies; the harness's own connection goes with it. */
static void kill_bus(struct harness *h)
{
	if (kill(h->bus_pid, SIGKILL) < 0)
		harness_fail(h, __FILE__, __LINE__, "kill(dbus-daemon): %s", strerror(errno));
	(void)waitpid(h->bus_pid, NULL, 0);
	h->bus_pid = 0;
	h->match_props = sd_bus_slot_unref(h->match_props);
	h->match_signals = sd_bus_slot_unref(h->match_signals);
	h->match_owner = sd_bus_slot_unref(h->match_owner);
	sd_bus_close(h->bus);
	h->bus = sd_bus_unref(h->bus);
}

/* Reap massaged within timeout_ms; false (still running) after that. */
static bool wait_daemon_exit(struct harness *h, unsigned timeout_ms, int *ret_status)
{
	uint64_t deadline = harness_now_usec() + timeout_ms * 1000ULL;

	for (;;) {
		pid_t p = waitpid(h->daemon_pid, ret_status, WNOHANG);
		uint64_t now = harness_now_usec();
		struct pollfd pf = { .fd = h->daemon_pidfd, .events = POLLIN };

		if (p == h->daemon_pid) {
			h->daemon_pid = 0;
			return true;
		}
		if ((p < 0 && errno != EINTR) || now >= deadline)
			return false;
		(void)poll(&pf, h->daemon_pidfd >= 0 ? 1 : 0, 20);
	}
}

/* The chair time in the log line that says the bus was lost; -1 if there is none. */
static double lost_chair_seconds(struct harness *h)
{
	char text[1024];
	double seconds = -1;
	FILE *f = fopen(h->log_path, "re");

	if (!f)
		return -1;
	while (fgets(text, sizeof(text), f)) {
		const char *at = strstr(text, LOST_LINE);

		if (at)
			seconds = strtod(at + strlen(LOST_LINE), NULL);
	}
	(void)fclose(f);
	return seconds;
}

START_TEST(test_bus_lost_while_heating)
{
	struct harness h;
	unsigned bound = harness_under_valgrind() ? 6 * EXIT_BOUND_MS : EXIT_BOUND_MS;
	double before, lost;
	char report[512];
	uint64_t killed;
	int status = 0;

	harness_start(&h, SCAN_SCALE, NULL);
	start_heated_program(&h);
	before = chair_seconds(&h);
	killed = harness_now_usec();
	kill_bus(&h);
	if (!wait_daemon_exit(&h, bound, &status))
		harness_fail(&h, __FILE__, __LINE__, "massaged still runs %u ms after its bus died", bound);
	printf("# massaged exited %.0f ms (wall) after its bus died\n", (harness_now_usec() - killed) / 1000.0);
	/* 1, EXIT_FAILURE: not a crash, and not valgrind's own exit code for errors it found */
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 1,
		 "massaged ended with wait status %#x, expected "
		 "exit 1",
		 (unsigned)status);
	H_ASSERT(&h, !test_log_memory_report(h.log_path, report, sizeof(report)), "memory error: %s", report);

	lost = lost_chair_seconds(&h);
	H_ASSERT(&h, lost >= 0, "no \"%s\" line in the log", LOST_LINE);
	H_ASSERT(&h, !harness_log_contains(&h, "not every output confirmed off"), "the safe state was not confirmed");
	/* the simulated chair's outputs as massaged left them at exit */
	H_ASSERT(&h, harness_log_contains(&h, "Simulator: every output inactive at release"),
		 "an output was still active when massaged exited");
	printf("# safe state %.1f ms of chair time after the last ChairTime read before the bus died (at %dx)\n",
	       (lost - before) * 1000.0, SCAN_SCALE);
	harness_stop(&h);
}
END_TEST

static Suite *bus_loss_suite(void)
{
	Suite *s = suite_create("bus-loss");

	CHECK_ADD_TEST(s, test_bus_lost_while_heating, 90);
	return s;
}

int main(void)
{
	return check_run_tap(bus_loss_suite());
}
