/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "../test-files.h"

#define READY_TIMEOUT_MS 5000
#define COMMAND_TIMEOUT_MS 5000
#define EXIT_TIMEOUT_MS 5000
#define LOG_DUMP_BYTES 8192

uint64_t sim_now_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

void sim_pause_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *chair_sim_path(void)
{
	const char *p = getenv("CHAIR_SIM");

	return p && p[0] ? p : "chair-sim";
}

/* Fail when chair-sim's stderr holds a sanitizer's or valgrind's report. */
static void check_memory_report(struct sim *s, const char *file, int line)
{
	char report[512];

	if (test_log_memory_report(s->log_path, report, sizeof(report)))
		sim_fail(s, file, line, "chair-sim reported a memory error: %s", report);
}

static void close_masters(struct sim *s)
{
	for (int i = 0; i < SIM_MASTERS_MAX; i++) {
		if (!s->masters[i])
			continue;
		modbus_close(s->masters[i]);
		modbus_free(s->masters[i]);
		s->masters[i] = NULL;
	}
}

/* Everything this test started, by PID, and its files. */
void sim_cleanup(struct sim *s)
{
	close_masters(s);
	if (s->pid > 0) {
		(void)kill(s->pid, SIGKILL);
		(void)waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->in_fd >= 0)
		(void)close(s->in_fd);
	if (s->out_fd >= 0)
		(void)close(s->out_fd);
	s->in_fd = s->out_fd = -1;
	test_remove_tree(s->dir);
	s->dir[0] = '\0';
}

void sim_fail(struct sim *s, const char *file, int line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "FAIL %s:%d: %s\n", file, line, msg);
	/* the message becomes one TAP line */
	for (char *p = strchr(msg, '\n'); p; p = strchr(p, '\n'))
		*p = '|';
	if (s) {
		test_dump_log_tail("chair-sim stderr", s->log_path, LOG_DUMP_BYTES);
		sim_cleanup(s);
	}
	(void)fflush(stderr);
	_ck_assert_failed(file, line, "Failed", "%s", msg);
	_exit(1); /* not reached: Check ends the test */
}

static void sim_init(struct sim *s, const char *file, int line)
{
	const char *tmp = getenv("TMPDIR");

	*s = (struct sim) { .in_fd = -1, .out_fd = -1 };
	(void)snprintf(s->dir, sizeof(s->dir), "%s/chair-sim-test.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(s->dir)) {
		s->dir[0] = '\0';
		sim_fail(s, file, line, "mkdtemp: %s", strerror(errno));
	}
	(void)snprintf(s->bus_path, sizeof(s->bus_path), "%s/bus", s->dir);
	(void)snprintf(s->log_path, sizeof(s->log_path), "%s/stderr", s->dir);
}

/* fork + exec chair-sim with stdin and stdout as given and stderr to the log. */
static pid_t spawn(struct sim *s, const char *file, int line, const char *const *argv, int in, int out)
{
	int err = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pid_t pid;

	if (err < 0)
		sim_fail(s, file, line, "cannot create %s: %s", s->log_path, strerror(errno));
	pid = fork();
	if (pid < 0)
		sim_fail(s, file, line, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		(void)fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	(void)close(err);
	return pid;
}

/* Append a NULL-terminated list to argv (room for max entries with the NULL). */
static void argv_append(const char **argv, size_t max, const char *const *list)
{
	size_t n = 0;

	while (argv[n])
		n++;
	for (size_t i = 0; list && list[i] && n + 1 < max; i++)
		argv[n++] = list[i];
	argv[n] = NULL;
}

static void check_alive(struct sim *s, const char *file, int line)
{
	int status;

	if (s->pid > 0 && waitpid(s->pid, &status, WNOHANG) == s->pid) {
		s->pid = 0;
		check_memory_report(s, file, line);
		if (WIFEXITED(status))
			sim_fail(s, file, line, "chair-sim exited unexpectedly with status %d", WEXITSTATUS(status));
		sim_fail(s, file, line, "chair-sim died: signal %d", WTERMSIG(status));
	}
}

/* The next line chair-sim prints, at most until the deadline. */
static const char *read_line(struct sim *s, const char *file, int line, uint64_t deadline, const char *waiting_for)
{
	static char buf[sizeof(((struct sim *)0)->out)];

	for (;;) {
		char *nl = memchr(s->out, '\n', s->out_len);
		struct pollfd p = { .fd = s->out_fd, .events = POLLIN };
		uint64_t now = sim_now_usec();
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - s->out);

			memcpy(buf, s->out, len);
			buf[len] = '\0';
			memmove(s->out, nl + 1, s->out_len - len - 1);
			s->out_len -= len + 1;
			return buf;
		}
		if (now >= deadline)
			sim_fail(s, file, line, "no answer from chair-sim while waiting for %s", waiting_for);
		if (poll(&p, 1, (int)((deadline - now + 999) / 1000)) < 0 && errno != EINTR)
			sim_fail(s, file, line, "poll: %s", strerror(errno));
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(s->out_fd, s->out + s->out_len, sizeof(s->out) - s->out_len - 1);
		if (n <= 0) {
			check_alive(s, file, line);
			sim_fail(s, file, line, "chair-sim closed its stdout while waiting for %s", waiting_for);
		}
		s->out_len += (size_t)n;
	}
}

void sim_start_at(struct sim *s, const char *file, int line, bool tcp, const char *const *extra)
{
	const char *argv[64], *l;
	int in[2], out[2];
	char want[400];

	sim_init(s, file, line);
	s->tcp = tcp;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		sim_fail(s, file, line, "pipe2: %s", strerror(errno));
	argv[0] = chair_sim_path();
	argv[1] = tcp ? "--tcp" : "--rtu";
	argv[2] = tcp ? "0" : s->bus_path;
	argv[3] = NULL;
	argv_append(argv, 64, extra);
	s->pid = spawn(s, file, line, argv, in[0], out[1]);
	(void)close(in[0]);
	(void)close(out[1]);
	s->in_fd = in[1];
	s->out_fd = out[0];

	l = read_line(s, file, line, sim_now_usec() + READY_TIMEOUT_MS * 1000ULL, "the ready line");
	if (tcp) {
		if (sscanf(l, "ready tcp %u", &s->tcp_port) != 1 || s->tcp_port == 0)
			sim_fail(s, file, line, "chair-sim said '%s', expected 'ready tcp PORT'", l);
		return;
	}
	(void)snprintf(want, sizeof(want), "ready rtu %s", s->bus_path);
	if (strcmp(l, want) != 0)
		sim_fail(s, file, line, "chair-sim said '%s', expected '%s'", l, want);
}

int sim_run_at(struct sim *s, const char *file, int line, const char *const *args)
{
	const char *argv[64];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), status = 0;
	uint64_t deadline = sim_now_usec() + EXIT_TIMEOUT_MS * 1000ULL;
	ssize_t n;
	int fd;

	if (!s->dir[0])
		sim_init(s, file, line);
	argv[0] = chair_sim_path();
	argv[1] = NULL;
	argv_append(argv, 64, args);
	s->pid = spawn(s, file, line, argv, null, null);
	(void)close(null);
	while (waitpid(s->pid, &status, WNOHANG) == 0) {
		if (sim_now_usec() >= deadline)
			sim_fail(s, file, line, "chair-sim did not exit");
		sim_pause_ms(5);
	}
	s->pid = 0;
	check_memory_report(s, file, line);
	fd = open(s->log_path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, s->reply, sizeof(s->reply) - 1) : 0;
	s->reply[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		(void)close(fd);
	return status;
}

__attribute__((format(printf, 5, 0))) static const char *command(struct sim *s, const char *file, int line,
								 bool want_ok, const char *fmt, va_list ap)
{
	uint64_t deadline = sim_now_usec() + COMMAND_TIMEOUT_MS * 1000ULL;
	char cmd[512];
	size_t at = 0;
	int len;

	len = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	if (len < 0 || (size_t)len >= sizeof(cmd) - 1)
		sim_fail(s, file, line, "command too long");
	cmd[len++] = '\n';
	if (write(s->in_fd, cmd, (size_t)len) != len)
		sim_fail(s, file, line, "cannot write to chair-sim: %s", strerror(errno));
	cmd[len - 1] = '\0';
	s->reply[0] = '\0';
	for (;;) {
		const char *l = read_line(s, file, line, deadline, cmd);

		if (strcmp(l, "ok") == 0) {
			if (!want_ok)
				sim_fail(s, file, line, "'%s' was accepted, expected an error", cmd);
			return s->reply;
		}
		if (strncmp(l, "error: ", 7) == 0) {
			if (want_ok)
				sim_fail(s, file, line, "'%s' failed: %s", cmd, l);
			(void)snprintf(s->reply, sizeof(s->reply), "%s", l + 7);
			return s->reply;
		}
		at += (size_t)snprintf(s->reply + at, sizeof(s->reply) - at, "%s%s", at ? "\n" : "", l);
		if (at >= sizeof(s->reply))
			sim_fail(s, file, line, "'%s': answer too long", cmd);
	}
}

const char *sim_command_at(struct sim *s, const char *file, int line, const char *fmt, ...)
{
	const char *r;
	va_list ap;

	va_start(ap, fmt);
	r = command(s, file, line, true, fmt, ap);
	va_end(ap);
	return r;
}

const char *sim_command_error_at(struct sim *s, const char *file, int line, const char *fmt, ...)
{
	const char *r;
	va_list ap;

	va_start(ap, fmt);
	r = command(s, file, line, false, fmt, ap);
	va_end(ap);
	return r;
}

/* The text of " key=VALUE" in the last line of s->reply starting with prefix. */
static const char *field_text(struct sim *s, const char *file, int line, const char *prefix, const char *key, char *buf,
			      size_t size)
{
	const char *l = NULL, *p, *v;
	char pat[128];
	size_t n;

	for (p = s->reply; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0 && p[strlen(prefix)] == ' ')
			l = p;
	if (!l)
		sim_fail(s, file, line, "no line '%s ...' in:\n%s", prefix, s->reply);
	(void)snprintf(pat, sizeof(pat), " %s=", key);
	v = strstr(l, pat);
	if (!v || (strchr(l, '\n') && v > strchr(l, '\n')))
		sim_fail(s, file, line, "no %s in '%s ...'", key, prefix);
	v += strlen(pat);
	n = strcspn(v, " \n");
	(void)snprintf(buf, size, "%.*s", (int)n, v);
	return buf;
}

unsigned long sim_field_at(struct sim *s, const char *file, int line, const char *prefix, const char *key)
{
	char buf[64], *end;
	unsigned long v;

	field_text(s, file, line, prefix, key, buf, sizeof(buf));
	v = strtoul(buf, &end, 10);
	if (!buf[0] || *end)
		sim_fail(s, file, line, "%s %s=%s is not a number", prefix, key, buf);
	return v;
}

const char *sim_state_at(struct sim *s, const char *file, int line, const char *key)
{
	static char buf[128];

	sim_command_at(s, file, line, "state");
	return field_text(s, file, line, "state", key, buf, sizeof(buf));
}

unsigned long sim_state_number_at(struct sim *s, const char *file, int line, const char *key)
{
	sim_command_at(s, file, line, "state");
	return sim_field_at(s, file, line, "state", key);
}

modbus_t *sim_master_at(struct sim *s, const char *file, int line, int slave)
{
	char port[16];
	modbus_t *m;
	int i;

	for (i = 0; i < SIM_MASTERS_MAX && s->masters[i]; i++)
		;
	if (i == SIM_MASTERS_MAX)
		sim_fail(s, file, line, "too many masters");
	(void)snprintf(port, sizeof(port), "%u", s->tcp_port);
	m = s->tcp ? modbus_new_tcp_pi("127.0.0.1", port) : modbus_new_rtu(s->bus_path, 115200, 'E', 8, 1);
	if (!m)
		sim_fail(s, file, line, "cannot create a master: %s", modbus_strerror(errno));
	s->masters[i] = m;
	if (modbus_connect(m) < 0)
		sim_fail(s, file, line, "cannot connect: %s", modbus_strerror(errno));
	if (modbus_set_response_timeout(m, 0, SIM_RESPONSE_TIMEOUT_MS * 1000) < 0 || modbus_set_slave(m, slave) < 0)
		sim_fail(s, file, line, "cannot set up the master: %s", modbus_strerror(errno));
	return m;
}

void sim_master_close(struct sim *s, modbus_t *m)
{
	for (int i = 0; i < SIM_MASTERS_MAX; i++)
		if (s->masters[i] == m)
			s->masters[i] = NULL;
	modbus_close(m);
	modbus_free(m);
}

void sim_stop_at(struct sim *s, const char *file, int line)
{
	uint64_t deadline = sim_now_usec() + EXIT_TIMEOUT_MS * 1000ULL;
	struct stat st;
	int status;

	close_masters(s);
	sim_command_at(s, file, line, "quit");
	while (waitpid(s->pid, &status, WNOHANG) == 0) {
		if (sim_now_usec() >= deadline)
			sim_fail(s, file, line, "chair-sim did not exit after quit");
		sim_pause_ms(5);
	}
	s->pid = 0;
	check_memory_report(s, file, line);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		sim_fail(s, file, line, "chair-sim ended with status 0x%x after quit", (unsigned)status);
	if (!s->tcp && lstat(s->bus_path, &st) == 0)
		sim_fail(s, file, line, "chair-sim left %s behind", s->bus_path);
	sim_cleanup(s);
}
