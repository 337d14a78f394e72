/* SPDX-License-Identifier: MIT */
/* The mqtt suite's world: the chairs (massaged through the integration harness, and a
 * massaged-mqtt bridge each), failing and cleaning up, and the command helpers. */
#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness-mqtt.h"
#include "test-files.h"

#define BRIDGE_EXIT_MS 5000
#define LOG_DUMP_BYTES 12000

const char *const mqtt_zones[MQTT_ZONES] = { "neck", "shoulders", "lower-back" };
const char *const mqtt_pad_paths[MQTT_ZONES] = {
	CHAIR_PATH "/heater/neck",
	CHAIR_PATH "/heater/shoulders",
	CHAIR_PATH "/heater/lower_2dback",
};

char *mqtt_ring(struct mqtt_world *w)
{
	char *b = w->ring[w->ring_next++ % (sizeof(w->ring) / sizeof(w->ring[0]))];

	b[0] = '\0';
	return b;
}

const char *mqtt_topic(struct mqtt_chair *c, const char *suffix)
{
	char *b = mqtt_ring(c->world);

	(void)snprintf(b, sizeof(c->world->ring[0]), "%s/%s", c->base, suffix);
	return b;
}

/* ---- failing: report, then kill everything this test started ---- */

static void reap(pid_t *pid)
{
	if (*pid > 0) {
		(void)kill(*pid, SIGKILL);
		(void)waitpid(*pid, NULL, 0);
		*pid = 0;
	}
}

static void world_report(struct mqtt_world *w)
{
	for (size_t i = 0; i < w->n_chairs; i++) {
		char what[80];

		(void)snprintf(what, sizeof(what), "massaged-mqtt %s", w->chairs[i]->id);
		test_dump_log_tail(what, w->chairs[i]->bridge_log, LOG_DUMP_BYTES);
	}
	test_dump_log_tail("mosquitto", w->broker.log, 4096);
	mqtt_print_last(w);
}

/* `failed` is the chair whose harness already killed its own daemon and bus. */
static void world_kill(struct mqtt_world *w, struct mqtt_chair *failed)
{
	for (size_t i = 0; i < w->n_chairs; i++) {
		struct mqtt_chair *c = w->chairs[i];

		reap(&c->bridge_pid);
		if (c == failed)
			continue;
		harness_kill_daemon(&c->h);
		reap(&c->h.bus_pid);
		test_remove_tree(c->h.tmpdir);
	}
	reap(&w->broker.pid);
	test_remove_tree(w->dir);
}

static void on_harness_fail(struct harness *h, const char *message)
{
	struct mqtt_chair *c = (struct mqtt_chair *)h; /* h is its first member */

	world_report(c->world);
	world_kill(c->world, c);
}

void mqtt_fail(struct mqtt_world *w, const char *file, int line, const char *fmt, ...)
{
	char msg[3072];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->n_chairs)
		harness_fail(&w->chairs[0]->h, file, line, "%s", msg); /* reports and kills through the hook */
	(void)fprintf(stderr, "FAIL %s:%d: %s\n", file, line, msg);
	world_report(w);
	world_kill(w, NULL);
	_ck_assert_failed(file, line, "Failed", "%s", msg);
	_exit(1);
}

void mqtt_assert_failed(struct mqtt_world *w, const char *file, int line, const char *expr, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mqtt_fail(w, file, line, "assertion '%s' failed: %s", expr, msg);
}

/* ---- life cycle ---- */

void mqtt_world_init(struct mqtt_world *w)
{
	const char *tmp = getenv("TMPDIR");

	*w = (struct mqtt_world) { 0 };
	(void)mosquitto_lib_init();
	(void)snprintf(w->dir, sizeof(w->dir), "%s/massaged-mqtt-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(w->dir)) {
		w->dir[0] = '\0';
		M_FAIL(w, "mkdtemp: %s", strerror(errno));
	}
}

struct mqtt_chair *mqtt_chair_add(struct mqtt_world *w, const char *id, const char *config_extra)
{
	struct mqtt_chair *c = calloc(1, sizeof(*c));

	if (!c || w->n_chairs == MQTT_MAX_CHAIRS)
		M_FAIL(w, "cannot add chair %s", id);
	harness_init(&c->h, config_extra);
	c->h.on_fail = on_harness_fail;
	c->world = w;
	w->chairs[w->n_chairs++] = c;
	(void)snprintf(c->id, sizeof(c->id), "%s", id);
	(void)snprintf(c->base, sizeof(c->base), "massaged/%s", id);
	(void)snprintf(c->bridge_conf, sizeof(c->bridge_conf), "%s/bridge-%s.conf", w->dir, id);
	(void)snprintf(c->bridge_log, sizeof(c->bridge_log), "%s/bridge-%s.log", w->dir, id);
	return c;
}

struct mqtt_chair *mqtt_start(struct mqtt_world *w, double scale)
{
	struct mqtt_chair *c;

	mqtt_world_init(w);
	c = mqtt_chair_add(w, "test-chair", NULL);
	mqtt_broker_start(w, false);
	harness_start_daemon(&c->h, scale);
	mqtt_client_open(w, &w->client, "massaged-test-client", "#");
	mqtt_bridge_write_config(c, NULL, NULL);
	mqtt_bridge_start(c);
	return c;
}

void mqtt_stop(struct mqtt_world *w)
{
	for (size_t i = 0; i < w->n_chairs; i++)
		if (w->chairs[i]->bridge_pid > 0)
			mqtt_bridge_stop(w->chairs[i]);
	for (size_t i = 0; i < w->n_chairs; i++) {
		harness_stop(&w->chairs[i]->h);
		free(w->chairs[i]);
	}
	w->n_chairs = 0;
	mqtt_client_close(&w->client);
	mqtt_broker_stop(w);
	test_remove_tree(w->dir);
	mosquitto_lib_cleanup();
}

/* ---- the bridge ---- */

void mqtt_bridge_write_config(struct mqtt_chair *c, const char *broker_extra, const char *extra)
{
	struct mqtt_world *w = c->world;
	char pw_path[400], *text = NULL;
	int r;

	(void)snprintf(pw_path, sizeof(pw_path), "%s/bridge-%s.password", w->dir, c->id);
	{
		char pw[128];

		(void)snprintf(pw, sizeof(pw), "%s\n", c->password ? c->password : MQTT_PASSWORD);
		harness_write_file(&c->h, pw_path, pw);
	}
	if (w->broker.tls)
		r = asprintf(&text,
			     "[Broker]\nHost=127.0.0.1\nPort=%u\nCAFile=%s\nCertFile=%s\nKeyFile=%s\n%s\n"
			     "[Chair]\nId=%s\nName=Test chair %s\n\n%s",
			     w->broker.port, w->broker.ca, w->broker.client_cert, w->broker.client_key,
			     broker_extra ? broker_extra : "", c->id, c->id, extra ? extra : "");
	else
		r = asprintf(&text,
			     "[Broker]\nHost=127.0.0.1\nPort=%u\nUsername=%s\nPasswordFile=%s\n%s\n"
			     "[Chair]\nId=%s\nName=Test chair %s\n\n%s",
			     w->broker.port, c->username ? c->username : MQTT_USER, pw_path,
			     broker_extra ? broker_extra : "", c->id, c->id, extra ? extra : "");
	if (r < 0)
		M_FAIL(w, "out of memory");
	harness_write_file(&c->h, c->bridge_conf, text);
	free(text);
}

void mqtt_bridge_spawn(struct mqtt_chair *c)
{
	const char *bridge = getenv("MASSAGED_MQTT");
	pid_t pid;

	if (!bridge)
		M_FAIL(c->world, "MASSAGED_MQTT is not set (run through meson test)");
	pid = fork();
	if (pid < 0)
		M_FAIL(c->world, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(c->bridge_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
		    dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		(void)setenv("DBUS_SYSTEM_BUS_ADDRESS", c->h.bus_address, 1);
		(void)unsetenv("DBUS_SESSION_BUS_ADDRESS");
		(void)unsetenv("NOTIFY_SOCKET");
		(void)unsetenv("JOURNAL_STREAM");
		(void)unsetenv("WATCHDOG_USEC");
		execl(bridge, bridge, "--config", c->bridge_conf, (char *)NULL);
		_exit(127);
	}
	c->bridge_pid = pid;
}

void mqtt_bridge_start(struct mqtt_chair *c)
{
	struct mqtt_world *w = c->world;
	size_t mark = mqtt_mark(w);

	mqtt_bridge_spawn(c);
	M_WAIT_MSG(w, mark, mqtt_topic(c, "bridge"), "online", MQTT_TIMEOUT_MS);
	M_WAIT_MSG(w, mark, mqtt_topic(c, "daemon"), "online", MQTT_TIMEOUT_MS);
	/* the first state is complete: the chair's topics and the last pad's */
	M_WAIT_MSG(w, mark, mqtt_topic(c, "state"), NULL, MQTT_TIMEOUT_MS);
	M_WAIT_MSG(w, mark, mqtt_topic(c, "intensity"), NULL, MQTT_TIMEOUT_MS);
	M_WAIT_MSG(w, mark, mqtt_topic(c, "gentle"), NULL, MQTT_TIMEOUT_MS);
	M_WAIT_MSG(w, mark, mqtt_topic(c, "pad/lower-back/mode"), NULL, MQTT_TIMEOUT_MS);
}

static bool wait_pid(pid_t pid, unsigned timeout_ms, int *status)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;

	for (;;) {
		pid_t p = waitpid(pid, status, WNOHANG);

		if (p == pid)
			return true;
		if (p < 0 && errno != EINTR)
			return false;
		if (harness_now_usec() > deadline)
			return false;
		(void)nanosleep(&(struct timespec) { 0, 10 * 1000000L }, NULL);
	}
}

void mqtt_bridge_stop_at(struct mqtt_chair *c, const char *file, int line)
{
	int status = 0;

	mqtt_bridge_assert_alive_at(c, file, line);
	(void)kill(c->bridge_pid, SIGTERM);
	if (!wait_pid(c->bridge_pid, BRIDGE_EXIT_MS, &status))
		mqtt_fail(c->world, file, line, "massaged-mqtt did not exit within %d ms of SIGTERM", BRIDGE_EXIT_MS);
	c->bridge_pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		mqtt_fail(c->world, file, line, "massaged-mqtt ended with status 0x%x on SIGTERM, expected exit 0",
			  (unsigned)status);
	{
		char report[512];

		if (test_log_memory_report(c->bridge_log, report, sizeof(report)))
			mqtt_fail(c->world, file, line, "massaged-mqtt reported a memory error: %s", report);
	}
}

void mqtt_bridge_kill(struct mqtt_chair *c)
{
	reap(&c->bridge_pid);
}

void mqtt_bridge_assert_alive_at(struct mqtt_chair *c, const char *file, int line)
{
	int status;

	if (c->bridge_pid <= 0)
		mqtt_fail(c->world, file, line, "massaged-mqtt is not running");
	if (waitpid(c->bridge_pid, &status, WNOHANG) == c->bridge_pid) {
		c->bridge_pid = 0;
		if (WIFSIGNALED(status))
			mqtt_fail(c->world, file, line, "massaged-mqtt died of signal %d", WTERMSIG(status));
		mqtt_fail(c->world, file, line, "massaged-mqtt exited with status %d", WEXITSTATUS(status));
	}
}

int mqtt_bridge_wait_exit(struct mqtt_chair *c, unsigned timeout_ms)
{
	int status = 0;

	if (!wait_pid(c->bridge_pid, timeout_ms, &status))
		M_FAIL(c->world, "massaged-mqtt still runs after %u ms, expected it to exit", timeout_ms);
	c->bridge_pid = 0;
	return status;
}

bool mqtt_bridge_log_contains(struct mqtt_chair *c, const char *needle)
{
	bool found = false;
	char *line = NULL;
	size_t n = 0;
	FILE *f = fopen(c->bridge_log, "re");

	if (!f)
		return false;
	while (!found && getline(&line, &n, f) >= 0)
		for (const char *at = needle; *at && !found;) {
			size_t len = strcspn(at, "|");
			char one[128];

			(void)snprintf(one, sizeof(one), "%.*s", (int)len, at);
			found = strcasestr(line, one) != NULL;
			at += len + (at[len] == '|');
		}
	free(line);
	(void)fclose(f);
	return found;
}

unsigned mqtt_log_count(const char *path, const char *needle)
{
	unsigned n = 0;
	char *line = NULL;
	size_t size = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (getline(&line, &size, f) >= 0)
		n += strcasestr(line, needle) != NULL;
	free(line);
	(void)fclose(f);
	return n;
}

bool mqtt_bridge_wait_log(struct mqtt_chair *c, const char *needle, unsigned timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;

	while (!mqtt_bridge_log_contains(c, needle)) {
		if (harness_now_usec() > deadline)
			return false;
		mqtt_pump(c->world, 20);
	}
	return true;
}
