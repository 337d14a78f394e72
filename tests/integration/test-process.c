/* SPDX-License-Identifier: MIT */
/* The process: SIGTERM, SIGHUP reloads, bad configuration and command lines, and
 * massagectl against a running daemon. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check-tap.h"
#include "harness.h"

static const char *const shipped_ids[] = {
	"back", "deep-tissue", "full", "hot-stone", "neck", "shiatsu", "shoulder", "swedish", "trigger-point",
};

static const char valid_program[] = "[Program]\n"
				    "Title=Reloaded\n"
				    "Description=Added while the daemon runs\n"
				    "\n"
				    "[Step]\n"
				    "Technique=friction\n"
				    "Zone=upper-back\n"
				    "Duration=40\n"
				    "Speed=2\n"
				    "Width=narrow\n";

/* Duration below the 10 s minimum, on line 8 */
static const char invalid_program[] = "[Program]\n"
				      "Title=Broken\n"
				      "Description=Too short a step\n"
				      "\n"
				      "[Step]\n"
				      "Technique=knead\n"
				      "Zone=neck\n"
				      "Duration=5\n";

static bool id_listed(const char *ids, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = ids; (p = strstr(p, id)); p += n)
		if ((p == ids || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

START_TEST(test_sigterm_while_running)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_CALL(&h, "SetHeat", "b", 1);
	harness_pump(&h, harness_wall_ms(&h, 3));
	H_ASSERT(&h, H_OUTPUT(&h, "MOTOR_POWER"));
	harness_stop(&h); /* asserts exit status 0 */
}
END_TEST

START_TEST(test_sighup_reload)
{
	struct harness h;
	char before[2048];

	harness_start(&h, SCAN_SCALE, NULL);
	H_ASSERT(&h, !id_listed(H_PROGRAM_IDS(&h), "reloaded"));
	harness_write_program(&h, "reloaded", valid_program);
	H_ASSERT(&h, kill(h.daemon_pid, SIGHUP) == 0);
	/* ProgramsChanged tells a client (massaged-mqtt's program select) to list them again */
	H_WAIT_SIGNAL(&h, "ProgramsChanged", NULL, NULL, 5000);
	H_ASSERT(&h, id_listed(H_PROGRAM_IDS(&h), "reloaded"),
		 "ListPrograms lacks \"reloaded\" after ProgramsChanged: %s", H_PROGRAM_IDS(&h));
	H_START_RUNNING(&h, "reloaded");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Technique"), "friction");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 3000);

	/* an invalid file: the whole reload is refused, the old set stays */
	(void)snprintf(before, sizeof(before), "%s", H_PROGRAM_IDS(&h));
	harness_write_program(&h, "also-new", valid_program);
	harness_write_program(&h, "broken", invalid_program);
	harness_write_config(&h, "[Chair]\nMaxSessionMinutes=10\nSessionMinutes=10\n"); /* valid, but not alone */
	H_ASSERT(&h, kill(h.daemon_pid, SIGHUP) == 0);
	H_ASSERT(&h, harness_wait_log(&h, "broken.program", 5000),
		 "no error naming broken.program in the daemon's stderr 5 s after SIGHUP");
	H_ASSERT_STR_EQ(&h, H_PROGRAM_IDS(&h), before);
	/* the refused reload: none (the first was taken by the wait) */
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramsChanged", NULL, NULL), 0);
	H_CALL(&h, "SetTimer", "u", 30); /* the configuration stays too: 30 min allowed */
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	H_START_RUNNING(&h, "reloaded");
	(void)H_CALL_ERR(&h, CHAIR_ERROR("NoSuchProgram"), "Start", "s", "also-new");
	harness_stop(&h);
}
END_TEST

START_TEST(test_bad_config)
{
	struct harness h;
	char err_path[512], want[600];
	const char *massaged = getenv("MASSAGED"), *err;
	unsigned bad_line = 0;
	int status;

	harness_init(&h, "[Chair]\nSeatEmptyGraceSeconds=5\nSeatWarmerLevel=3\n");
	{
		/* the line of the unknown key in the file the harness wrote */
		const char *text = harness_read_file(&h, h.config_path), *at = strstr(text, "SeatWarmerLevel");

		H_ASSERT(&h, at);
		bad_line = 1;
		for (const char *p = text; p < at; p++)
			bad_line += *p == '\n';
	}
	(void)snprintf(err_path, sizeof(err_path), "%s/bad-config.err", h.tmpdir);
	{
		char *argv[] = { (char *)massaged, "--simulate", "--config", h.config_path, NULL };

		status = harness_run(&h, argv, NULL, err_path, 10000);
	}
	err = harness_read_file(&h, err_path);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) != 0,
		 "massaged with an unknown config key: wait status 0x%x, expected a non-zero exit; stderr:\n%s",
		 (unsigned)status, err);
	(void)snprintf(want, sizeof(want), "%s:%u", h.config_path, bad_line);
	H_ASSERT(&h, strstr(err, want), "stderr does not name %s:\n%s", want, err);
	harness_stop(&h);
}
END_TEST

START_TEST(test_bad_program_at_startup)
{
	struct harness h;
	char err_path[512];
	const char *massaged = getenv("MASSAGED"), *err;
	int status;

	harness_init(&h, NULL);
	harness_write_program(&h, "broken", invalid_program);
	(void)snprintf(err_path, sizeof(err_path), "%s/bad-program.err", h.tmpdir);
	{
		char *argv[] = { (char *)massaged, "--simulate", "--config", h.config_path, NULL };

		status = harness_run(&h, argv, NULL, err_path, 10000);
	}
	err = harness_read_file(&h, err_path);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) != 0,
		 "massaged with an invalid program file: wait status 0x%x, expected a non-zero exit; stderr:\n%s",
		 (unsigned)status, err);
	H_ASSERT(&h, strstr(err, "broken.program:8"), "stderr does not name broken.program:8:\n%s", err);
	harness_stop(&h);
}
END_TEST

START_TEST(test_time_scale_needs_simulate)
{
	struct harness h;
	char err_path[512];
	const char *massaged = getenv("MASSAGED"), *err;
	int status;

	harness_init(&h, NULL);
	(void)snprintf(err_path, sizeof(err_path), "%s/time-scale.err", h.tmpdir);
	{
		char *argv[] = { (char *)massaged, "--time-scale", "10", "--config", h.config_path, NULL };

		status = harness_run(&h, argv, NULL, err_path, 10000);
	}
	err = harness_read_file(&h, err_path);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) != 0,
		 "massaged --time-scale without --simulate: wait status 0x%x, expected a non-zero exit; stderr:\n%s",
		 (unsigned)status, err);
	H_ASSERT(&h, err[0], "massaged refused --time-scale without a word on stderr");
	harness_stop(&h);
}
END_TEST

static int massagectl(struct harness *h, const char *out, const char *err, const char *arg1, const char *arg2)
{
	char *argv[] = { getenv("MASSAGECTL"), (char *)arg1, (char *)arg2, NULL };

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	return harness_run(h, argv, out, err, 10000);
}

START_TEST(test_massagectl)
{
	struct harness h;
	char out[512], err[512];
	const char *text, *message;
	int status;

	harness_start(&h, SCAN_SCALE, NULL);
	(void)snprintf(out, sizeof(out), "%s/ctl.out", h.tmpdir);
	(void)snprintf(err, sizeof(err), "%s/ctl.err", h.tmpdir);

	status = massagectl(&h, out, err, "status", NULL);
	text = harness_read_file(&h, out);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "massagectl status: 0x%x\n%s%s", (unsigned)status,
		 text, harness_read_file(&h, err));
	H_ASSERT(&h, strstr(text, "idle"), "massagectl status does not show State idle:\n%s", text);

	status = massagectl(&h, out, err, "list", NULL);
	text = harness_read_file(&h, out);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "massagectl list: 0x%x\n%s%s", (unsigned)status,
		 text, harness_read_file(&h, err));
	for (size_t i = 0; i < sizeof(shipped_ids) / sizeof(shipped_ids[0]); i++)
		H_ASSERT(&h, strstr(text, shipped_ids[i]), "massagectl list lacks %s:\n%s", shipped_ids[i], text);
	H_ASSERT(&h, strstr(text, TEST_SHORT_ID), "massagectl list lacks %s:\n%s", TEST_SHORT_ID, text);

	message = H_CALL_ERR(&h, CHAIR_ERROR("NoSuchProgram"), "Start", "s", "nosuch");
	status = massagectl(&h, out, err, "start", "nosuch");
	text = harness_read_file(&h, err);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 1, "massagectl start nosuch: 0x%x, expected exit 1",
		 (unsigned)status);
	H_ASSERT(&h, strstr(text, message) || strstr(harness_read_file(&h, out), message),
		 "massagectl start nosuch does not pass on the daemon's message \"%s\":\n%s", message, text);

	/* and a start that works */
	status = massagectl(&h, out, err, "start", TEST_SHORT_ID);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "massagectl start %s: 0x%x\n%s", TEST_SHORT_ID,
		 (unsigned)status, harness_read_file(&h, err));
	H_WAIT_PROP(&h, "Program", TEST_SHORT_ID, 2000);
	harness_stop(&h);
}
END_TEST

/* A stand-in for ssh in <tmpdir>/bin: records its arguments, then either bridges to
 * the test's bus as ssh HOST systemd-stdio-bridge would, or fails as ssh does when the
 * host cannot be reached. */
static void fake_ssh_install(struct harness *h, bool reachable)
{
	char dir[512], path[600], script[2048];

	(void)snprintf(dir, sizeof(dir), "%s/bin", h->tmpdir);
	(void)mkdir(dir, 0755);
	(void)snprintf(path, sizeof(path), "%s/ssh", dir);
	if (reachable)
		(void)snprintf(script, sizeof(script),
			       "#!/bin/sh\n"
			       "printf '%%s\\n' \"$@\" > '%s/ssh.args'\n"
			       "for b in /usr/bin/systemd-stdio-bridge /lib/systemd/systemd-stdio-bridge "
			       "/usr/lib/systemd/systemd-stdio-bridge; do\n"
			       "\t[ -x \"$b\" ] && exec \"$b\" --bus-path='%s'\n"
			       "done\n"
			       "echo 'fake ssh: no systemd-stdio-bridge' >&2\n"
			       "exit 127\n",
			       h->tmpdir, h->bus_address);
	else
		(void)snprintf(script, sizeof(script),
			       "#!/bin/sh\n"
			       "printf '%%s\\n' \"$@\" > '%s/ssh.args'\n"
			       "echo 'ssh: connect to host chair.example port 22: No route to host' >&2\n"
			       "exit 255\n",
			       h->tmpdir);
	harness_write_file(h, path, script);
	H_ASSERT(h, chmod(path, 0755) == 0, "chmod %s: %m", path);
}

/* massagectl with the fake ssh first in PATH. */
static int massagectl_remote(struct harness *h, const char *out, const char *err, char *const args[])
{
	char *argv[8] = { getenv("MASSAGECTL") }, *old_path = getenv("PATH"), path[4096];
	char *saved = old_path ? strdup(old_path) : NULL;
	int status;

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	for (size_t i = 0; args[i] && i + 2 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[i + 1] = args[i];
	(void)snprintf(path, sizeof(path), "%s/bin:%s", h->tmpdir, saved ? saved : "/usr/bin:/bin");
	(void)setenv("PATH", path, 1);
	status = harness_run(h, argv, out, err, 10000);
	if (saved)
		(void)setenv("PATH", saved, 1);
	free(saved);
	return status;
}

/* --host talks to a chair's system bus through ssh HOST systemd-stdio-bridge. */
START_TEST(test_massagectl_host)
{
	struct harness h;
	char out[512], err[512], args_path[512];
	const char *text;
	int status;

	harness_start(&h, SCAN_SCALE, NULL);
	(void)snprintf(out, sizeof(out), "%s/ctl.out", h.tmpdir);
	(void)snprintf(err, sizeof(err), "%s/ctl.err", h.tmpdir);
	(void)snprintf(args_path, sizeof(args_path), "%s/ssh.args", h.tmpdir);
	fake_ssh_install(&h, true);

	status = massagectl_remote(&h, out, err, (char *[]) { "--host", "chair.example", "status", NULL });
	text = harness_read_file(&h, out);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "massagectl --host status: 0x%x\n%s%s",
		 (unsigned)status, text, harness_read_file(&h, err));
	H_ASSERT(&h, strstr(text, "idle"), "massagectl --host status does not show State idle:\n%s", text);
	text = harness_read_file(&h, args_path);
	H_ASSERT(&h, strstr(text, "\nchair.example\n") && strstr(text, "\nsystemd-stdio-bridge\n"),
		 "ssh was not asked for chair.example and systemd-stdio-bridge; its arguments:\n%s", text);

	(void)unlink(args_path);
	status = massagectl_remote(&h, out, err, (char *[]) { "-H", "chair.example", "start", "neck", NULL });
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "massagectl --host start neck: 0x%x\n%s",
		 (unsigned)status, harness_read_file(&h, err));
	H_ASSERT(&h, strstr(harness_read_file(&h, args_path), "\nchair.example\n"),
		 "massagectl -H start did not go through ssh");
	H_WAIT_PROP(&h, "Program", "neck", 2000);

	/* a host ssh cannot reach: ssh's message, then ours, exit 1 */
	fake_ssh_install(&h, false);
	status = massagectl_remote(&h, out, err, (char *[]) { "--host", "chair.example", "stop", NULL });
	text = harness_read_file(&h, err);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 1,
		 "massagectl --host with ssh failing: 0x%x, expected exit 1\n%s", (unsigned)status, text);
	H_ASSERT(&h, strstr(text, "Cannot reach the system bus of chair.example"),
		 "no clear message for an unreachable host:\n%s", text);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "neck");

	status = massagectl_remote(&h, out, err, (char *[]) { "--user", "--host", "chair.example", "status", NULL });
	text = harness_read_file(&h, err);
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 2,
		 "massagectl --user --host: 0x%x, expected exit 2\n%s", (unsigned)status, text);
	H_ASSERT(&h, strstr(text, "--user and --host exclude each other"), "no reason given:\n%s", text);
	harness_stop(&h);
}
END_TEST

#define HEATER_IFACE "org.massaged.Heater1"
#define NECK "/org/massaged/Chair1/heater/neck"
#define SHOULDERS "/org/massaged/Chair1/heater/shoulders"

static double pad_d(struct harness *h, const char *path, const char *name)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *v = harness_get(h, path, HEATER_IFACE, name, &error);

	H_ASSERT(h, v, "%s %s: %s", path, name, error.message);
	return strtod(v, NULL);
}

/* Datagrams from the daemon's sd_notify, appended to acc until `want` shows up. */
static bool notify_wait(int fd, char *acc, size_t size, const char *want, unsigned timeout_ms)
{
	uint64_t deadline = harness_now_usec() + timeout_ms * 1000ULL;

	while (!strstr(acc, want)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = harness_now_usec();
		size_t used = strlen(acc);
		ssize_t n;

		if (now >= deadline || used + 2 >= size)
			return false;
		if (poll(&p, 1, (int)((deadline - now) / 1000) + 1) <= 0)
			continue;
		n = recv(fd, acc + used, size - used - 2, 0);
		if (n > 0) {
			acc[used + (size_t)n] = '\n';
			acc[used + (size_t)n + 1] = '\0';
		}
	}
	return true;
}

static unsigned count_lines(const char *acc, const char *line)
{
	unsigned n = 0;

	for (const char *p = acc; (p = strstr(p, line)); p += strlen(line))
		n++;
	return n;
}

/* A datagram socket standing in for systemd's notify socket. */
static int notify_socket_open(struct harness *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	(void)snprintf(h->notify_socket, sizeof(h->notify_socket), "%s/notify", h->tmpdir);
	H_ASSERT(h, strlen(h->notify_socket) < sizeof(sa.sun_path), "socket path too long: %s", h->notify_socket);
	memcpy(sa.sun_path, h->notify_socket, strlen(h->notify_socket) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	H_ASSERT(h, fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "notify socket: %m");
	return fd;
}

/* The systemd side: READY once on the bus, STATUS with the state, STOPPING on SIGTERM.
 * (No watchdog here: its pings would fill the socket's queue while the test talks
 * D-Bus, and sd_notify blocks on a full queue as it would on a stuck systemd.) */
START_TEST(test_sd_notify)
{
	struct harness h;
	static char acc[65536];
	int fd;

	harness_init(&h, NULL);
	fd = notify_socket_open(&h);
	acc[0] = '\0';
	harness_start_daemon(&h, SCAN_SCALE);
	H_ASSERT(&h, notify_wait(fd, acc, sizeof(acc), "READY=1", 3000), "no READY=1; got:\n%s", acc);
	H_ASSERT(&h, strstr(acc, "STATUS=idle"), "no STATUS=idle at start-up; got:\n%s", acc);

	acc[0] = '\0';
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_ASSERT(&h, notify_wait(fd, acc, sizeof(acc), "STATUS=running " TEST_SHORT_ID, 3000),
		 "no running status; got:\n%s", acc);

	acc[0] = '\0';
	harness_stop(&h);
	H_ASSERT(&h, notify_wait(fd, acc, sizeof(acc), "STOPPING=1", 1000), "no STOPPING=1 on SIGTERM; got:\n%s", acc);
	(void)close(fd);
}
END_TEST

/* SIGHUP, then RELOADING=1 and READY=1 with the STATUS of the result, in this order. */
static void sighup_wait(struct harness *h, int fd, const char *status)
{
	static char acc[65536];
	const char *reloading, *ready;

	while (recv(fd, acc, sizeof(acc), 0) > 0)
		; /* what came before the signal (the start's READY=1) */
	acc[0] = '\0';
	H_ASSERT(h, kill(h->daemon_pid, SIGHUP) == 0);
	H_ASSERT(h, notify_wait(fd, acc, sizeof(acc), "READY=1", 5000), "no READY=1 after SIGHUP; got:\n%s", acc);
	reloading = strstr(acc, "RELOADING=1");
	ready = strstr(acc, "READY=1");
	H_ASSERT(h, reloading && reloading < ready, "READY=1 without RELOADING=1 first:\n%s", acc);
	H_ASSERT(h, strstr(ready, status), "no \"%s\" with READY=1:\n%s", status, acc);
}

/* SIGHUP reads the configuration again: the ceilings apply at once to what runs, an
 * invalid file changes nothing (neither configuration nor programs), and a wiring
 * change waits for a restart. */
START_TEST(test_sighup_config)
{
	struct harness h;
	const char *message;
	int fd;

	harness_init(&h, NULL);
	fd = notify_socket_open(&h);
	harness_start_daemon(&h, SCAN_SCALE);
	H_ASSERT(&h, pad_d(&h, NECK, "MaxTarget") == 45.0);
	H_CALL(&h, "SetTimer", "u", 30);
	H_START_RUNNING(&h, TEST_LONG_ID);
	sd_bus_message_unref(harness_call_ok(&h, __FILE__, __LINE__, NECK, HEATER_IFACE, "SetTarget", "d", 44.0));
	H_ASSERT(&h, pad_d(&h, NECK, "Target") == 44.0);

	/* lower ceilings: the pad's target and the running session's timer are cut at once */
	harness_write_config(
		&h, "[Heat]\nMaxTarget=40\nDefaultTarget=38\n[Chair]\nMaxSessionMinutes=15\nSessionMinutes=15\n");
	sighup_wait(&h, fd, "STATUS=Reloaded");
	H_ASSERT(&h, pad_d(&h, NECK, "MaxTarget") == 40.0, "MaxTarget %.1f after the reload",
		 pad_d(&h, NECK, "MaxTarget"));
	H_ASSERT(&h, pad_d(&h, NECK, "Target") == 40.0, "Target %.1f after the reload", pad_d(&h, NECK, "Target"));
	(void)harness_call_error(&h, __FILE__, __LINE__, ERROR_INVALID_ARGS, NECK, HEATER_IFACE, "SetTarget", "d",
				 42.0);
	H_WAIT_PROP(&h, "SessionLimit", "900", 1000);
	H_ASSERT(&h, H_PROP_U(&h, "Remaining") <= 900, "Remaining %u s under a 15 min limit",
		 H_PROP_U(&h, "Remaining"));
	H_ASSERT(&h, !harness_log_contains(&h, "takes effect when massaged restarts"),
		 "a wiring change reported where none was");

	/* an invalid file (line 8, after the harness's two lines first): nothing changes, a new program neither */
	harness_write_program(&h, "also-new", valid_program);
	harness_write_config(&h, "[Heat]\nMaxTarget=44\n[Chair]\nMaxSessionMinutes=30\nSeatWarmer=3\n");
	sighup_wait(&h, fd, "STATUS=Reload refused");
	H_ASSERT(&h, harness_wait_log(&h, "massaged.conf:8", 1000), "the refusal does not name massaged.conf:8");
	H_ASSERT(&h, pad_d(&h, NECK, "MaxTarget") == 40.0);
	(void)harness_call_error(&h, __FILE__, __LINE__, ERROR_INVALID_ARGS, NECK, HEATER_IFACE, "SetTarget", "d",
				 42.0);
	message = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SetTimer", "u", 20);
	H_ASSERT(&h, strstr(message, "15"), "SetTimer 20 refused without naming the 15 min ceiling: %s", message);
	H_ASSERT(&h, !id_listed(H_PROGRAM_IDS(&h), "also-new"), "a program loaded by a refused reload");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");

	/* the wiring (and the set of pads) waits for a restart; the rest applies */
	harness_write_config(&h, "[Heat]\nMaxTarget=44\nPads=neck\n[GPIO]\nChip=gpiochip7\n");
	sighup_wait(&h, fd, "wait for a restart");
	H_ASSERT(&h, harness_wait_log(&h, "takes effect when massaged restarts", 1000));
	H_ASSERT(&h, pad_d(&h, NECK, "MaxTarget") == 44.0);
	H_ASSERT(&h, pad_d(&h, SHOULDERS, "MaxTarget") == 44.0, "the shoulders pad is gone or kept its old ceiling");
	H_ASSERT(&h, id_listed(H_PROGRAM_IDS(&h), "also-new"));

	/* the simulated person is built at start: another body waits for a restart too */
	harness_write_config(&h, "[Heat]\nMaxTarget=44\n[Simulator]\nBody=slim-bony\n");
	sighup_wait(&h, fd, "wait for a restart");
	H_ASSERT(&h, harness_wait_log(&h, "in the configuration ([Simulator])", 1000),
		 "a changed [Simulator] Body= not reported as waiting for a restart");
	H_CALL(&h, "Stop", "");
	harness_stop(&h);
	(void)close(fd);
}
END_TEST

/* WatchdogSec=0.4 s: the loop feeds it at least every 0.2 s, idle or not. */
START_TEST(test_watchdog)
{
	struct harness h;
	static char acc[65536];
	int fd;

	harness_init(&h, NULL);
	fd = notify_socket_open(&h);
	h.watchdog_usec = "400000";
	acc[0] = '\0';
	harness_start_daemon(&h, SCAN_SCALE);
	H_ASSERT(&h, notify_wait(fd, acc, sizeof(acc), "READY=1", 3000), "no READY=1; got:\n%s", acc);
	acc[0] = '\0';
	(void)notify_wait(fd, acc, sizeof(acc), "never sent", 1000);
	H_ASSERT(&h, count_lines(acc, "WATCHDOG=1") >= 3, "%u WATCHDOG=1 in 1 s:\n%s", count_lines(acc, "WATCHDOG=1"),
		 acc);
	(void)close(fd); /* systemd gone: sd_notify must not hold the daemon up */
	harness_stop(&h);
}
END_TEST

/* Under --time-scale a host stall is not chair time: at 100x, 150 ms in which the daemon
 * is not scheduled would otherwise be 15 s of chair time without a roller update, and
 * the roller board's 1 s watchdog would stop a session that nothing is wrong with. */
START_TEST(test_host_stall_not_chair_time)
{
	struct timespec stall = { 0, 150 * 1000000L };
	uint64_t chair0, chair1, wall0, wall1;
	struct harness h;

	harness_start(&h, 100, NULL);
	H_CALL(&h, "SetTimer", "u", 30);
	H_CALL(&h, "StartManual", "ss", "knead", "back");
	H_WAIT_RUNNING(&h);
	harness_pump(&h, 20);
	wall0 = harness_now_usec();
	chair0 = strtoull(harness_get(&h, SIM_PATH, SIM_IFACE, "ChairTime", NULL), NULL, 10);
	H_ASSERT(&h, kill(h.daemon_pid, SIGSTOP) == 0, "SIGSTOP: %m");
	(void)nanosleep(&stall, NULL); /* the stimulus: a host that does not run the daemon */
	H_ASSERT(&h, kill(h.daemon_pid, SIGCONT) == 0, "SIGCONT: %m");
	harness_pump(&h, 50);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	H_ASSERT(&h, harness_count_signals(&h, "FaultRaised", NULL, NULL) == 0, "signals: %s", harness_signal_list(&h));
	chair1 = strtoull(harness_get(&h, SIM_PATH, SIM_IFACE, "ChairTime", NULL), NULL, 10);
	wall1 = harness_now_usec();
	/* the stall's 150 ms were 15 s of chair time; most of it is skipped */
	H_ASSERT(&h, chair1 > chair0 && chair1 - chair0 < (wall1 - wall0) * 100 - 10000000ULL,
		 "chair time ran %.1f s in %.1f ms of wall time", (double)(chair1 - chair0) / 1e6,
		 (double)(wall1 - wall0) / 1e3);
	H_CALL(&h, "Stop", "");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("process");

	CHECK_ADD_TEST(s, test_sigterm_while_running, 60);
	CHECK_ADD_TEST(s, test_sighup_reload, 60);
	CHECK_ADD_TEST(s, test_sighup_config, 60);
	CHECK_ADD_TEST(s, test_bad_config, 60);
	CHECK_ADD_TEST(s, test_bad_program_at_startup, 60);
	CHECK_ADD_TEST(s, test_time_scale_needs_simulate, 60);
	CHECK_ADD_TEST(s, test_massagectl, 60);
	CHECK_ADD_TEST(s, test_massagectl_host, 60);
	CHECK_ADD_TEST(s, test_sd_notify, 60);
	CHECK_ADD_TEST(s, test_watchdog, 60);
	CHECK_ADD_TEST(s, test_host_stall_not_chair_time, 60);
	return check_run_tap(s);
}
