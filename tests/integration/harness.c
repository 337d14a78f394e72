/* SPDX-License-Identifier: MIT */
/* The harness's processes: the private bus, massaged and other programs, waiting on
 * them, and failing a test with the daemon's stderr. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness-private.h"
#include "harness.h"
#include "../test-files.h"

#define START_TIMEOUT_MS 10000
#define EXIT_TIMEOUT_MS 10000
#define LOG_DUMP_BYTES 16384

/* MASSAGED_TEST_VALGRIND=1: massaged and massagectl run under valgrind's memcheck,
 * which exits with VALGRIND_ERROR_EXIT when it found an error (a definite or indirect
 * leak counts). They run 20-50 times slower there and stall while valgrind translates
 * new code: the time scale is capped so that a stall of half a second stays within the
 * roller board's 1 s watchdog (chair time), and start-up and exit get VALGRIND_SLOWDOWN
 * times longer (the leak check at exit takes a second or two). */
#define VALGRIND_ERROR_EXIT 99
#define VALGRIND_SCALE_MAX 2.0
#define VALGRIND_SLOWDOWN 6

static const char test_short_program[] = "[Program]\n"
					 "Title=Test short\n"
					 "Description=Three short steps on three zones\n"
					 "\n"
					 "[Step]\n"
					 "Technique=knead\n"
					 "Zone=neck\n"
					 "Duration=30\n"
					 "Speed=3\n"
					 "Width=wide\n"
					 "Depth=0\n"
					 "Heat=no\n"
					 "\n"
					 "[Step]\n"
					 "Technique=tap\n"
					 "Zone=lower-back\n"
					 "Duration=30\n"
					 "Speed=4\n"
					 "Width=wide\n"
					 "Depth=0\n"
					 "Heat=no\n"
					 "\n"
					 "[Step]\n"
					 "Technique=knead\n"
					 "Zone=shoulders\n"
					 "Duration=30\n"
					 "Speed=2\n"
					 "Width=medium\n"
					 "Depth=-1\n"
					 "Heat=yes\n";

static const char test_long_program[] = "[Program]\n"
					"Title=Test long\n"
					"Description=Two long steps that outlast any timer\n"
					"\n"
					"[Step]\n"
					"Technique=glide\n"
					"Zone=back\n"
					"Duration=900\n"
					"Speed=3\n"
					"Width=wide\n"
					"\n"
					"[Step]\n"
					"Technique=knead\n"
					"Zone=shoulders\n"
					"Duration=900\n"
					"Speed=3\n"
					"Width=medium\n";

/* ---- small utilities ---- */

uint64_t harness_now_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

bool harness_under_valgrind(void)
{
	const char *v = getenv("MASSAGED_TEST_VALGRIND");

	return v && v[0] && strcmp(v, "0") != 0;
}

static unsigned start_timeout_ms(void)
{
	return START_TIMEOUT_MS * (harness_under_valgrind() ? VALGRIND_SLOWDOWN : 1);
}

static unsigned exit_timeout_ms(void)
{
	return EXIT_TIMEOUT_MS * (harness_under_valgrind() ? VALGRIND_SLOWDOWN : 1);
}

unsigned harness_wall_ms(const struct harness *h, double chair_seconds)
{
	double scale = h->time_scale > 0 ? h->time_scale : 1.0;

	return (unsigned)(chair_seconds * 1000.0 / scale + 0.999);
}

char *harness_ring_buffer(struct harness *h)
{
	char *b = h->ring[h->ring_next++ % (sizeof(h->ring) / sizeof(h->ring[0]))];

	b[0] = '\0';
	return b;
}

const char *harness_ring_copy(struct harness *h, const char *s)
{
	char *b = harness_ring_buffer(h);

	(void)snprintf(b, sizeof(h->ring[0]), "%s", s ? s : "");
	return b;
}

static int pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static void dump_daemon_log(struct harness *h)
{
	test_dump_log_tail("massaged stderr", h->log_path, LOG_DUMP_BYTES);
}

/* Kill what this test started, by PID, and remove its files. */
static void kill_everything(struct harness *h)
{
	if (h->daemon_pid > 0) {
		(void)kill(h->daemon_pid, SIGKILL);
		(void)waitpid(h->daemon_pid, NULL, 0);
		h->daemon_pid = 0;
	}
	if (h->bus) {
		sd_bus_close(h->bus);
		h->bus = sd_bus_unref(h->bus);
	}
	if (h->bus_pid > 0) {
		(void)kill(h->bus_pid, SIGKILL);
		(void)waitpid(h->bus_pid, NULL, 0);
		h->bus_pid = 0;
	}
	harness_journal_free(h);
	test_remove_tree(h->tmpdir);
	h->tmpdir[0] = '\0';
}

void harness_fail(struct harness *h, const char *file, int line, const char *fmt, ...)
{
	char msg[3072];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "FAIL %s:%d: %s\n", file, line, msg);
	if (h) {
		(void)fprintf(stderr, "State history: %s\nSignals: %s\n", harness_state_history(h),
			      harness_signal_list(h));
		dump_daemon_log(h);
		if (h->journal_capture)
			(void)fprintf(stderr, "Journal (last entries):%s\n", harness_journal_tail(h));
		kill_everything(h);
		if (h->on_fail)
			h->on_fail(h, msg);
	}
	(void)fflush(stderr);
	_ck_assert_failed(file, line, "Failed", "%s", msg);
	_exit(1); /* not reached: Check ends the test */
}

void harness_write_file(struct harness *h, const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		FAIL(h, "cannot write %s: %s", path, strerror(errno));
	(void)fputs(text, f);
	if (fclose(f) != 0)
		FAIL(h, "cannot write %s: %s", path, strerror(errno));
}

void harness_write_program(struct harness *h, const char *id, const char *text)
{
	char path[512];

	(void)snprintf(path, sizeof(path), "%s/%s.program", h->override_dir, id);
	harness_write_file(h, path, text);
}

/* Under valgrind a control tick comes hundreds of ms of chair time apart, even at 2x,
 * and the rollers travel onto a firmer part of the back between two reads: over-force
 * there says nothing of the code, whose memory is what that run checks (as the soak
 * above 10x). A test that sets ForceMax keeps its own. */
#define VALGRIND_FORCE_MAX "ForceMax=500\n"

void harness_write_config(struct harness *h, const char *extra)
{
	const char *limits = extra ? strstr(extra, "[Limits]\n") : NULL;
	bool relax = harness_under_valgrind() && !(extra && strstr(extra, "ForceMax="));
	char *text = NULL;
	int r;

	if (relax && limits)
		r = asprintf(&text, "[Programs]\nOverride=%s\n\n%.*s[Limits]\n" VALGRIND_FORCE_MAX "%s",
			     h->override_dir, (int)(limits - extra), extra, limits + strlen("[Limits]\n"));
	else
		r = asprintf(&text, "[Programs]\nOverride=%s\n%s%s%s", h->override_dir, extra ? "\n" : "",
			     extra ? extra : "", relax ? "\n[Limits]\n" VALGRIND_FORCE_MAX : "");
	if (r < 0)
		FAIL(h, "out of memory");
	harness_write_file(h, h->config_path, text);
	free(text);
}

const char *harness_read_file(struct harness *h, const char *path)
{
	char *b = harness_ring_buffer(h);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return b;
	n = read(fd, b, sizeof(h->ring[0]) - 1);
	(void)close(fd);
	b[n > 0 ? n : 0] = '\0';
	return b;
}

static bool file_contains(const char *path, const char *needle)
{
	bool found = false;
	char *line = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && getline(&line, &n, f) >= 0)
		found = strstr(line, needle) != NULL;
	free(line);
	(void)fclose(f);
	return found;
}

bool harness_log_contains(struct harness *h, const char *needle)
{
	return file_contains(h->log_path, needle);
}

/* ---- waiting ---- */

static void check_memory_report(struct harness *h, const char *file, int line, const char *what, const char *err_path,
				int status);

static void check_daemon_alive(struct harness *h)
{
	int status;
	pid_t p;

	if (h->daemon_pid <= 0)
		return;
	p = waitpid(h->daemon_pid, &status, WNOHANG);
	if (p == h->daemon_pid) {
		h->daemon_pid = 0;
		check_memory_report(h, __FILE__, __LINE__, "massaged", h->log_path, status);
		if (WIFEXITED(status))
			FAIL(h, "massaged exited unexpectedly with status %d", WEXITSTATUS(status));
		FAIL(h, "massaged died unexpectedly: signal %d%s", WTERMSIG(status),
		     WCOREDUMP(status) ? " (core dumped)" : "");
	}
}

void harness_dispatch(struct harness *h)
{
	int r;

	do {
		r = sd_bus_process(h->bus, NULL);
		if (r < 0)
			FAIL(h, "sd_bus_process: %s", strerror(-r));
	} while (r > 0);
}

/* Dispatch what is queued, then wait for bus traffic or the daemon's death, at most
 * until deadline. Returns false once the deadline has passed. */
bool harness_wait_step(struct harness *h, uint64_t deadline)
{
	struct pollfd p[3];
	uint64_t now, timeout, bus_timeout = UINT64_MAX;
	int n = 1, r;

	harness_dispatch(h);
	check_daemon_alive(h);
	now = harness_now_usec();
	if (now >= deadline)
		return false;
	timeout = deadline - now;
	r = sd_bus_get_timeout(h->bus, &bus_timeout);
	if (r > 0 && bus_timeout != UINT64_MAX)
		timeout = bus_timeout <= now ? 0 : bus_timeout - now < timeout ? bus_timeout - now : timeout;
	if (timeout > 1000000)
		timeout = 1000000; /* callers loop; keeps the arithmetic below in range */
	for (size_t i = 0; i < h->n_pending; i++)
		if (h->pending[i].deadline > now && h->pending[i].deadline - now < timeout)
			timeout = h->pending[i].deadline - now;
	if (h->daemon_pidfd < 0 && h->daemon_pid > 0 && timeout > 100000)
		timeout = 100000; /* no pidfd: look at the daemon now and then */
	p[0] = (struct pollfd) { .fd = sd_bus_get_fd(h->bus), .events = (short)sd_bus_get_events(h->bus) };
	if (h->daemon_pidfd >= 0)
		p[n++] = (struct pollfd) { .fd = h->daemon_pidfd, .events = POLLIN };
	if (h->journal_fd >= 0) /* drained on every step: a full queue would block the daemon */
		p[n++] = (struct pollfd) { .fd = h->journal_fd, .events = POLLIN };
	r = poll(p, (nfds_t)n, (int)((timeout + 999) / 1000));
	if (r < 0 && errno != EINTR)
		FAIL(h, "poll: %s", strerror(errno));
	harness_dispatch(h);
	harness_journal_drain(h);
	check_daemon_alive(h);
	harness_check_pending(h);
	return true;
}

void harness_pump(struct harness *h, unsigned ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)ms * 1000;

	while (harness_wait_step(h, deadline))
		;
}

bool harness_wait_log(struct harness *h, const char *needle, unsigned timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;

	/* The log is a file: nothing to wake on, so look every 20 ms until the deadline. */
	for (;;) {
		if (harness_log_contains(h, needle))
			return true;
		if (harness_now_usec() >= deadline)
			return false;
		harness_pump(h, 20);
	}
}

double harness_logged_chair_s(struct harness *h, const char *file, int line, const char *needle)
{
	char text[1024];
	double seconds = -1;
	FILE *f = fopen(h->log_path, "re");

	if (!f)
		harness_fail(h, file, line, "no daemon log at %s", h->log_path);
	while (fgets(text, sizeof(text), f)) {
		const char *at = strstr(text, "at chair time ");

		if (at && strstr(text, needle))
			seconds = strtod(at + strlen("at chair time "), NULL);
	}
	(void)fclose(f);
	if (seconds < 0)
		harness_fail(h, file, line, "no log line with \"%s\" and a chair time", needle);
	return seconds;
}

/* ---- processes ---- */

static void child_environment(struct harness *h)
{
	char state_dir[512];

	(void)snprintf(state_dir, sizeof(state_dir), "%s/state", h->tmpdir);
	(void)setenv("DBUS_SYSTEM_BUS_ADDRESS", h->bus_address ? h->bus_address : "unix:path=/nonexistent", 1);
	(void)setenv("STATE_DIRECTORY", state_dir, 1);
	(void)unsetenv("DBUS_SESSION_BUS_ADDRESS");
	(void)unsetenv("NOTIFY_SOCKET");
	(void)unsetenv("WATCHDOG_USEC");
	(void)unsetenv("WATCHDOG_PID");
	(void)unsetenv("JOURNAL_STREAM");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_PID");
	if (h->notify_socket[0])
		(void)setenv("NOTIFY_SOCKET", h->notify_socket, 1);
	if (h->watchdog_usec)
		(void)setenv("WATCHDOG_USEC", h->watchdog_usec, 1);
}

static void redirect(int target, const char *path, int flags)
{
	int fd = open(path ? path : "/dev/null", flags | O_CLOEXEC, 0644);

	if (fd < 0 || dup2(fd, target) < 0)
		_exit(127);
	if (fd != target)
		(void)close(fd);
}

/* The project's programs (MASSAGED, MASSAGECTL) run under memcheck when asked. */
static bool is_project_program(const char *path)
{
	const char *massaged = getenv("MASSAGED"), *massagectl = getenv("MASSAGECTL");

	return (massaged && strcmp(path, massaged) == 0) || (massagectl && strcmp(path, massagectl) == 0);
}

/* In a forked child: exec argv, under valgrind when asked and argv[0] is ours. */
static void exec_program(char *const argv[])
{
	const char *source_root = getenv("SOURCE_ROOT");
	char exitcode[32], supp[600];
	const char *vg[64] = {
		"valgrind",
		"--tool=memcheck",
		"--quiet",
		"--leak-check=full",
		"--show-leak-kinds=definite,indirect",
		"--errors-for-leak-kinds=definite,indirect",
		"--track-fds=no",
		"--num-callers=30",
		exitcode,
	};
	size_t n = 9;

	if (!harness_under_valgrind() || !is_project_program(argv[0])) {
		execv(argv[0], argv);
		_exit(127);
	}
	(void)snprintf(exitcode, sizeof(exitcode), "--error-exitcode=%d", VALGRIND_ERROR_EXIT);
	if (source_root) {
		(void)snprintf(supp, sizeof(supp), "--suppressions=%s/tests/valgrind.supp", source_root);
		vg[n++] = supp;
	}
	for (size_t i = 0; argv[i] && n < sizeof(vg) / sizeof(vg[0]) - 1; i++)
		vg[n++] = argv[i];
	vg[n] = NULL;
	execvp(vg[0], (char *const *)vg);
	_exit(127);
}

/* Fail when a process's stderr holds a sanitizer's or valgrind's report, or when it
 * exited with valgrind's error code. */
static void check_memory_report(struct harness *h, const char *file, int line, const char *what, const char *err_path,
				int status)
{
	bool daemon_log = strcmp(err_path, h->log_path) == 0; /* harness_fail() shows that one */
	char report[512];

	if (test_log_memory_report(err_path, report, sizeof(report))) {
		if (!daemon_log)
			test_dump_log_tail(what, err_path, LOG_DUMP_BYTES);
		harness_fail(h, file, line, "%s reported a memory error: %s", what, report);
	}
	if (harness_under_valgrind() && WIFEXITED(status) && WEXITSTATUS(status) == VALGRIND_ERROR_EXIT) {
		if (!daemon_log)
			test_dump_log_tail(what, err_path, LOG_DUMP_BYTES);
		harness_fail(h, file, line, "%s: valgrind found errors (exit %d)", what, VALGRIND_ERROR_EXIT);
	}
}

static void start_bus(struct harness *h)
{
	const char *source_root = getenv("SOURCE_ROOT");
	char path[512], listen[400], *conf, *at, *text = NULL, fd_arg[64], addr[512];
	const char *pattern = "unix:tmpdir=/tmp";
	uint64_t deadline;
	size_t len = 0;
	int pipefd[2];
	pid_t pid;

	if (!source_root)
		FAIL(h, "SOURCE_ROOT is not set (run through meson test)");
	(void)snprintf(path, sizeof(path), "%s/tests/integration/system-bus.conf", source_root);
	{
		FILE *f = fopen(path, "re");
		size_t size = 0;

		if (!f)
			FAIL(h, "cannot read %s: %s", path, strerror(errno));
		if (getdelim(&text, &size, '\0', f) < 0)
			FAIL(h, "cannot read %s", path);
		(void)fclose(f);
	}
	at = strstr(text, pattern);
	if (!at)
		FAIL(h, "%s has no %s listen address", path, pattern);
	(void)snprintf(listen, sizeof(listen), "unix:dir=%s", h->tmpdir);
	if (asprintf(&conf, "%.*s%s%s", (int)(at - text), text, listen, at + strlen(pattern)) < 0)
		FAIL(h, "out of memory");
	free(text);
	(void)snprintf(h->bus_conf_path, sizeof(h->bus_conf_path), "%s/bus.conf", h->tmpdir);
	harness_write_file(h, h->bus_conf_path, conf);
	free(conf);

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		FAIL(h, "pipe2: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		FAIL(h, "fork: %s", strerror(errno));
	if (pid == 0) {
		char conf_arg[400], log[512];

		(void)snprintf(log, sizeof(log), "%s/bus.log", h->tmpdir);
		redirect(STDIN_FILENO, NULL, O_RDONLY);
		redirect(STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND);
		redirect(STDERR_FILENO, log, O_WRONLY | O_CREAT | O_APPEND);
		if (fcntl(pipefd[1], F_SETFD, 0) < 0)
			_exit(127);
		(void)snprintf(conf_arg, sizeof(conf_arg), "--config-file=%s", h->bus_conf_path);
		(void)snprintf(fd_arg, sizeof(fd_arg), "--print-address=%d", pipefd[1]);
		execlp("dbus-daemon", "dbus-daemon", conf_arg, "--nofork", fd_arg, (char *)NULL);
		_exit(127);
	}
	h->bus_pid = pid;
	(void)close(pipefd[1]);

	deadline = harness_now_usec() + start_timeout_ms() * 1000ULL;
	while (len < sizeof(addr) - 1 && (len == 0 || addr[len - 1] != '\n')) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		uint64_t now = harness_now_usec();
		ssize_t n;

		if (now >= deadline)
			FAIL(h, "dbus-daemon printed no address within %u ms", start_timeout_ms());
		if (poll(&p, 1, (int)((deadline - now) / 1000) + 1) < 0 && errno != EINTR)
			FAIL(h, "poll: %s", strerror(errno));
		n = read(pipefd[0], addr + len, sizeof(addr) - 1 - len);
		if (n == 0)
			FAIL(h, "dbus-daemon exited before printing its address (see %s/bus.log)", h->tmpdir);
		if (n > 0)
			len += (size_t)n;
	}
	(void)close(pipefd[0]);
	addr[len] = '\0';
	addr[strcspn(addr, "\n")] = '\0';
	h->bus_address = strdup(addr);
}

static void connect_bus(struct harness *h)
{
	int r;

	r = sd_bus_new(&h->bus);
	if (r >= 0)
		r = sd_bus_set_address(h->bus, h->bus_address);
	if (r >= 0)
		r = sd_bus_set_bus_client(h->bus, 1);
	if (r >= 0)
		r = sd_bus_start(h->bus);
	if (r < 0)
		FAIL(h, "cannot connect to the test bus %s: %s", h->bus_address, strerror(-r));
	r = sd_bus_match_signal(h->bus, &h->match_props, NULL, CHAIR_PATH, "org.freedesktop.DBus.Properties",
				"PropertiesChanged", harness_on_properties_changed, h);
	if (r >= 0)
		r = sd_bus_match_signal(h->bus, &h->match_signals, NULL, CHAIR_PATH, CHAIR_IFACE, NULL,
					harness_on_chair_signal, h);
	if (r >= 0)
		r = sd_bus_add_match(h->bus, &h->match_owner,
				     "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
				     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
				     "arg0='" CHAIR_SERVICE "'",
				     harness_on_name_owner_changed, h);
	if (r < 0)
		FAIL(h, "cannot add matches: %s", strerror(-r));
}

void harness_init(struct harness *h, const char *config_extra)
{
	const char *tmp = getenv("TMPDIR");

	*h = (struct harness) { .daemon_pidfd = -1, .journal_fd = -1, .time_scale = 1 };
	(void)snprintf(h->tmpdir, sizeof(h->tmpdir), "%s/massaged-it-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(h->tmpdir)) {
		h->tmpdir[0] = '\0';
		FAIL(h, "mkdtemp: %s", strerror(errno));
	}
	(void)snprintf(h->override_dir, sizeof(h->override_dir), "%s/programs", h->tmpdir);
	(void)snprintf(h->config_path, sizeof(h->config_path), "%s/massaged.conf", h->tmpdir);
	(void)snprintf(h->log_path, sizeof(h->log_path), "%s/massaged.log", h->tmpdir);
	if (mkdir(h->override_dir, 0755) < 0)
		FAIL(h, "mkdir %s: %s", h->override_dir, strerror(errno));
	{
		char state[512];

		(void)snprintf(state, sizeof(state), "%s/state", h->tmpdir);
		(void)mkdir(state, 0755);
	}
	harness_write_program(h, TEST_SHORT_ID, test_short_program);
	harness_write_program(h, TEST_LONG_ID, test_long_program);
	harness_write_config(h, config_extra);
	start_bus(h);
	connect_bus(h);
}

static bool name_has_owner(struct harness *h)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(h->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
			       "GetNameOwner", &error, &reply, "s", CHAIR_SERVICE);
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	return r >= 0;
}

/* In a child: a mount namespace of its own, /tmp/... private, a tmpfs at `dir`.
 * Returns 0 or negative errno with the step that failed in *what. */
static int mount_tmpfs_private(const char *dir, const char *size, const char **what)
{
	char opts[64];

	(void)snprintf(opts, sizeof(opts), "size=%s,mode=0755", size);
	*what = "unshare(CLONE_NEWNS)";
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	*what = "making / private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	*what = "mount -t tmpfs";
	if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0)
		return -errno;
	return 0;
}

const char *harness_state_tmpfs_unavailable(void)
{
	static char why[256];
	char dir[] = "/tmp/massaged-probe-XXXXXX";
	int pipefd[2], status = 0;
	ssize_t n;
	pid_t pid;

	if (!mkdtemp(dir) || pipe(pipefd) < 0)
		return strerror(errno);
	pid = fork();
	if (pid == 0) {
		const char *what;
		int r = mount_tmpfs_private(dir, "64k", &what);

		if (r < 0)
			(void)dprintf(pipefd[1], "%s: %s", what, strerror(-r));
		_exit(r < 0);
	}
	(void)close(pipefd[1]);
	if (pid > 0)
		(void)waitpid(pid, &status, 0);
	n = read(pipefd[0], why, sizeof(why) - 1);
	(void)close(pipefd[0]);
	(void)rmdir(dir);
	why[n > 0 ? n : 0] = '\0';
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return "";
	return why[0] ? why : "fork failed";
}

/* In the daemon's child before exec: its state directory a full tmpfs. */
static void state_tmpfs_fill(struct harness *h)
{
	char state[512], filler[600], block[4096];
	const char *what;
	int fd;

	(void)snprintf(state, sizeof(state), "%s/state", h->tmpdir);
	if (mount_tmpfs_private(state, h->state_tmpfs_full, &what) < 0)
		_exit(126);
	(void)snprintf(filler, sizeof(filler), "%s/filler", state);
	fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		_exit(126);
	memset(block, 'x', sizeof(block));
	while (write(fd, block, sizeof(block)) > 0)
		;
	if (errno != ENOSPC)
		_exit(126);
	(void)close(fd);
}

void harness_start_daemon(struct harness *h, double time_scale)
{
	const char *massaged = getenv("MASSAGED");
	char scale[32];
	uint64_t deadline;
	pid_t pid;

	if (!massaged)
		FAIL(h, "MASSAGED is not set (run through meson test)");
	if (harness_under_valgrind() && time_scale > VALGRIND_SCALE_MAX)
		time_scale = VALGRIND_SCALE_MAX;
	h->time_scale = h->simulate_lines ? 1.0 : time_scale;
	(void)snprintf(scale, sizeof(scale), "%g", time_scale);
	h->name_owned = false;
	if (h->journal_capture)
		harness_journal_open(h);
	pid = fork();
	if (pid < 0)
		FAIL(h, "fork: %s", strerror(errno));
	if (pid == 0) {
		child_environment(h);
		redirect(STDIN_FILENO, NULL, O_RDONLY);
		redirect(STDOUT_FILENO, h->log_path, O_WRONLY | O_CREAT | O_APPEND);
		redirect(STDERR_FILENO, h->log_path, O_WRONLY | O_CREAT | O_APPEND);
		if (h->state_tmpfs_full)
			state_tmpfs_fill(h);
		if (h->journal_capture)
			harness_journal_child(h);
		if (h->simulate_lines)
			exec_program((char *[]) { (char *)massaged, "--simulate-lines", "--config", h->config_path,
						  "--log-level", "debug", NULL });
		else
			exec_program((char *[]) { (char *)massaged, "--simulate", "--time-scale", scale, "--config",
						  h->config_path, "--log-level", "debug", (char *)h->daemon_extra_arg,
						  NULL }); /* NULL ends it early */
	}
	h->daemon_pid = pid;
	h->daemon_pidfd = pidfd_open_compat(pid);

	/* The NameOwnerChanged match is in place since connect_bus(): look once, then
	 * wait for the signal. */
	deadline = harness_now_usec() + start_timeout_ms() * 1000ULL;
	if (name_has_owner(h))
		h->name_owned = true;
	while (!h->name_owned)
		if (!harness_wait_step(h, deadline))
			FAIL(h, "massaged did not own %s within %u ms", CHAIR_SERVICE, start_timeout_ms());
	/* a new daemon's values are its own, announced or not: forget the last one's
	 * (its signals came before the new name owner: dispatch them first) */
	harness_dispatch(h);
	for (size_t i = 0; i < h->n_known; i++)
		free(h->known[i].value);
	h->n_known = 0;
	for (size_t i = 0; i < h->n_pending; i++)
		free(h->pending[i].value);
	h->n_pending = 0;
}

void harness_start(struct harness *h, double time_scale, const char *config_extra)
{
	harness_init(h, config_extra);
	harness_start_daemon(h, time_scale);
}

/* Wait for pid (with pidfd if any) at most timeout_ms; returns true with *status. */
static bool wait_exit(pid_t pid, int pidfd, unsigned timeout_ms, int *status)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;

	for (;;) {
		pid_t p = waitpid(pid, status, WNOHANG);
		uint64_t now = harness_now_usec();

		if (p == pid)
			return true;
		if (p < 0 && errno != EINTR)
			return false;
		if (now >= deadline)
			return false;
		if (pidfd >= 0) {
			struct pollfd pf = { .fd = pidfd, .events = POLLIN };

			(void)poll(&pf, 1, (int)((deadline - now) / 1000) + 1);
		} else {
			struct timespec ts = { 0, 10 * 1000000L };

			(void)nanosleep(&ts, NULL);
		}
	}
}

int harness_run(struct harness *h, char *const argv[], const char *out_path, const char *err_path, unsigned timeout_ms)
{
	int status = 0, pidfd;
	char own_err[400];
	pid_t pid;

	/* stderr always goes to a file, to be searched for memory error reports */
	if (!err_path) {
		(void)snprintf(own_err, sizeof(own_err), "%s/run.err", h->tmpdir);
		err_path = own_err;
	}
	if (harness_under_valgrind() && is_project_program(argv[0]))
		timeout_ms *= VALGRIND_SLOWDOWN;
	pid = fork();
	if (pid < 0)
		FAIL(h, "fork: %s", strerror(errno));
	if (pid == 0) {
		child_environment(h);
		redirect(STDIN_FILENO, NULL, O_RDONLY);
		redirect(STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC);
		redirect(STDERR_FILENO, err_path, O_WRONLY | O_CREAT | O_TRUNC);
		exec_program(argv);
	}
	pidfd = pidfd_open_compat(pid);
	if (!wait_exit(pid, pidfd, timeout_ms, &status)) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		if (pidfd >= 0)
			(void)close(pidfd);
		FAIL(h, "%s did not exit within %u ms (killed)", argv[0], timeout_ms);
	}
	if (pidfd >= 0)
		(void)close(pidfd);
	check_memory_report(h, __FILE__, __LINE__, argv[0], err_path, status);
	return status;
}

void harness_stop_daemon_at(struct harness *h, const char *file, int line)
{
	int status;

	if (h->daemon_pid > 0) {
		/* every change read must have been announced: wait out the last graces */
		while (h->n_pending > 0)
			(void)harness_wait_step(h, UINT64_MAX);
		harness_dispatch(h);
		check_daemon_alive(h);
		if (kill(h->daemon_pid, SIGTERM) < 0)
			harness_fail(h, file, line, "kill(massaged, SIGTERM): %s", strerror(errno));
		if (!wait_exit(h->daemon_pid, h->daemon_pidfd, exit_timeout_ms(), &status))
			harness_fail(h, file, line, "massaged did not exit within %u ms of SIGTERM", exit_timeout_ms());
		h->daemon_pid = 0;
		check_memory_report(h, file, line, "massaged", h->log_path, status);
		if (!WIFEXITED(status))
			harness_fail(h, file, line, "massaged died of signal %d on SIGTERM, expected exit 0",
				     WTERMSIG(status));
		if (WEXITSTATUS(status) != 0)
			harness_fail(h, file, line, "massaged exited %d on SIGTERM, expected 0", WEXITSTATUS(status));
	}
	if (h->daemon_pidfd >= 0) {
		(void)close(h->daemon_pidfd);
		h->daemon_pidfd = -1;
	}
}

void harness_kill_daemon(struct harness *h)
{
	if (h->daemon_pid > 0) {
		(void)kill(h->daemon_pid, SIGKILL);
		(void)waitpid(h->daemon_pid, NULL, 0);
		h->daemon_pid = 0;
	}
	if (h->daemon_pidfd >= 0) {
		(void)close(h->daemon_pidfd);
		h->daemon_pidfd = -1;
	}
}

const char *harness_state_path(struct harness *h, const char *name)
{
	char *b = harness_ring_buffer(h);

	(void)snprintf(b, sizeof(h->ring[0]), "%s/state/%s", h->tmpdir, name);
	return b;
}

void harness_stop_at(struct harness *h, const char *file, int line)
{
	int status;

	if (getenv("HARNESS_VERBOSE")) {
		(void)fprintf(stderr, "State history: %s\nSignals: %s\n", harness_state_history(h),
			      harness_signal_list(h));
		dump_daemon_log(h);
	}

	harness_stop_daemon_at(h, file, line);
	if (h->daemon_pidfd >= 0) {
		(void)close(h->daemon_pidfd);
		h->daemon_pidfd = -1;
	}
	h->match_props = sd_bus_slot_unref(h->match_props);
	h->match_signals = sd_bus_slot_unref(h->match_signals);
	h->match_owner = sd_bus_slot_unref(h->match_owner);
	if (h->bus) {
		sd_bus_close(h->bus);
		h->bus = sd_bus_unref(h->bus);
	}
	if (h->bus_pid > 0) {
		(void)kill(h->bus_pid, SIGTERM);
		if (!wait_exit(h->bus_pid, -1, EXIT_TIMEOUT_MS, &status)) {
			(void)kill(h->bus_pid, SIGKILL);
			(void)waitpid(h->bus_pid, NULL, 0);
		}
		h->bus_pid = 0;
	}
	harness_journal_free(h);
	test_remove_tree(h->tmpdir);
	h->tmpdir[0] = '\0';
	for (size_t i = 0; i < h->n_signals; i++) {
		free(h->signals[i].arg0);
		free(h->signals[i].arg1);
	}
	free(h->signals);
	h->signals = NULL;
	h->n_signals = h->cap_signals = 0;
	harness_clear_history(h);
	free(h->changes);
	h->changes = NULL;
	h->cap_changes = 0;
	free(h->bus_address);
	h->bus_address = NULL;
	for (size_t i = 0; i < h->n_known; i++)
		free(h->known[i].value);
	h->n_known = 0;
	for (size_t i = 0; i < h->n_pending; i++)
		free(h->pending[i].value);
	h->n_pending = 0;
}

struct harness_ctl_result harness_massagectl(struct harness *h, char *const args[])
{
	char *argv[12] = { getenv("MASSAGECTL") };
	char out[400], err[400];
	struct harness_ctl_result res;
	int status;

	if (!argv[0])
		harness_fail(h, __FILE__, __LINE__, "MASSAGECTL is not set");
	for (size_t i = 0; args[i] && i + 2 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[i + 1] = args[i];
	(void)snprintf(out, sizeof(out), "%s/ctl.out", h->tmpdir);
	(void)snprintf(err, sizeof(err), "%s/ctl.err", h->tmpdir);
	status = harness_run(h, argv, out, err, 10000);
	res.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	res.out = harness_read_file(h, out);
	res.err = harness_read_file(h, err);
	return res;
}
