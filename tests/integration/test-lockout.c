/* SPDX-License-Identifier: MIT */
/* Lockout (issue 14): a fault that means a broken part locks its pad out until root
 * resets it after service. ClearFault gives the chair back, not that heat; a welded
 * relay locks out all heat; the lockout survives SIGKILL and restart; a damaged
 * lockout file locks out every pad; only root may reset. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check-tap.h"
#include "harness.h"

#define NECK "/org/massaged/Chair1/heater/neck"
#define SHOULDERS "/org/massaged/Chair1/heater/shoulders"
#define LOWER_BACK "/org/massaged/Chair1/heater/lower_2dback"
#define SCALE 50
#define NOBODY 65534

static const char *const pads[] = { NECK, SHOULDERS, LOWER_BACK };
#define N_PADS (sizeof(pads) / sizeof(pads[0]))

#define PAD(h, path, name) harness_pad_prop((h), __FILE__, __LINE__, (path), (name))
#define PAD_CALL(h, path, member, ...) \
	sd_bus_message_unref(harness_call_ok((h), __FILE__, __LINE__, (path), HEATER_IFACE, (member), __VA_ARGS__))
#define PAD_CALL_ERR(h, error, path, member, ...) \
	harness_call_error((h), __FILE__, __LINE__, (error), (path), HEATER_IFACE, (member), __VA_ARGS__)
#define WAIT_PAD(h, path, name, want, ms) harness_wait_pad((h), __FILE__, __LINE__, (path), (name), (want), (ms))

static uint64_t realtime_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* The Lockout values the neck pad announced in PropertiesChanged, joined by ",". */
struct lockout_watch {
	char seen[512];
};

static int on_neck_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct lockout_watch *w = userdata;
	const char *iface, *name, *value;

	(void)error;
	if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, HEATER_IFACE) != 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &name) < 0)
			return 0;
		if (strcmp(name, "Lockout") == 0 && sd_bus_message_read(m, "v", "s", &value) > 0)
			(void)snprintf(w->seen + strlen(w->seen), sizeof(w->seen) - strlen(w->seen), "%s%s",
				       w->seen[0] ? "," : "", value[0] ? value : "(none)");
		else if (sd_bus_message_skip(m, "v") < 0)
			return 0;
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	return 0;
}

static sd_bus_slot *watch_neck(struct harness *h, struct lockout_watch *w)
{
	sd_bus_slot *slot = NULL;

	w->seen[0] = '\0';
	H_ASSERT(h, sd_bus_match_signal(h->bus, &slot, NULL, NECK, "org.freedesktop.DBus.Properties",
					"PropertiesChanged", on_neck_changed, w) >= 0);
	return slot;
}

/* Every pad's SetTarget and Autotune answer LockedOut with a message naming `code`. */
static void assert_refused(struct harness *h, const char *file, int line, const char *path, const char *code)
{
	const char *m =
		harness_call_error(h, file, line, CHAIR_ERROR("LockedOut"), path, HEATER_IFACE, "SetTarget", "d", 40.0);

	if (!strstr(m, code) || !strstr(m, "service"))
		harness_fail(h, file, line, "SetTarget's LockedOut on %s does not name %s and service: %s", path, code,
			     m);
	m = harness_call_error(h, file, line, CHAIR_ERROR("LockedOut"), path, HEATER_IFACE, "Autotune", "");
	if (!strstr(m, code))
		harness_fail(h, file, line, "Autotune's LockedOut on %s does not name %s: %s", path, code, m);
	if (strtod(harness_pad_prop(h, file, line, path, "Target"), NULL) != 0.0)
		harness_fail(h, file, line, "%s has a target although locked out", path);
}
#define ASSERT_REFUSED(h, path, code) assert_refused((h), __FILE__, __LINE__, (path), (code))

/* ResetLockout from a forked child as uid NOBODY (with `group` as its one supplementary
 * group, or none when 0): the error name it got, "" when the call succeeded. */
static const char *reset_as_nobody(struct harness *h, const char *path, gid_t group)
{
	static char result[256];
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	/* the bus socket lives in the harness's 0700 directory */
	H_ASSERT(h, chmod(h->tmpdir, 0711) == 0);
	H_ASSERT(h, pipe(pipefd) == 0);
	pid = fork();
	H_ASSERT(h, pid >= 0);
	if (pid == 0) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		sd_bus *bus = NULL;
		int r;

		(void)close(pipefd[0]);
		if (setgroups(group ? 1 : 0, &group) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0) {
			(void)dprintf(pipefd[1], "cannot become uid %d", NOBODY);
			_exit(2);
		}
		r = sd_bus_new(&bus);
		if (r >= 0)
			r = sd_bus_set_address(bus, h->bus_address);
		if (r >= 0)
			r = sd_bus_set_bus_client(bus, 1);
		if (r >= 0)
			r = sd_bus_start(bus);
		if (r < 0) {
			(void)dprintf(pipefd[1], "cannot connect as uid %d: %s", NOBODY, strerror(-r));
			_exit(2);
		}
		r = sd_bus_call_method(bus, CHAIR_SERVICE, path, HEATER_IFACE, "ResetLockout", &error, NULL, "");
		(void)dprintf(pipefd[1], "%s|%s", r < 0 ? error.name : "", r < 0 ? error.message : "");
		_exit(0);
	}
	(void)close(pipefd[1]);
	n = read(pipefd[0], result, sizeof(result) - 1);
	(void)close(pipefd[0]);
	(void)waitpid(pid, &status, 0);
	result[n > 0 ? n : 0] = '\0';
	H_ASSERT(h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "the uid %d child: %s", NOBODY, result);
	return result;
}

/* massagectl ARGS as root (uid 0) or as NOBODY, stdout and stderr to <tmpdir>/ctl.out
 * (stdin /dev/null): its exit status and what it printed (ring buffer string). */
static int massagectl(struct harness *h, uid_t uid, char *const args[], const char **ret_text)
{
	char out[400], *argv[8] = { getenv("MASSAGECTL") };
	int status = -1;
	pid_t pid;

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	for (size_t i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	(void)snprintf(out, sizeof(out), "%s/ctl.out", h->tmpdir);
	if (uid == 0)
		status = harness_run(h, argv, out, out, 10000);
	else {
		H_ASSERT(h, chmod(h->tmpdir, 0777) == 0);
		pid = fork();
		H_ASSERT(h, pid >= 0);
		if (pid == 0) {
			FILE *f = freopen(out, "w", stdout);

			if (!f || dup2(STDOUT_FILENO, STDERR_FILENO) < 0 || !freopen("/dev/null", "r", stdin) ||
			    setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(uid) < 0)
				_exit(127);
			(void)setenv("DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, 1);
			execv(argv[0], argv);
			_exit(127);
		}
		(void)waitpid(pid, &status, 0);
		(void)chmod(h->tmpdir, 0711);
	}
	*ret_text = harness_read_file(h, out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static gid_t some_group(void)
{
	struct group *g = getgrnam("massage");

	return g ? g->gr_gid : 4242;
}

/* hot-stone heats every pad throughout: the master relay closes for the others, and
 * `locked` (NULL: none) never closes its relay over `chair_s` seconds. */
static void run_hot_stone(struct harness *h, const char *file, int line, const char *locked_output, double chair_s)
{
	uint64_t end;
	bool master = false, other = false;

	harness_start_program(h, file, line, "hot-stone");
	end = harness_now_usec() + harness_wall_ms(h, chair_s) * 1000ULL;
	while (harness_now_usec() < end) {
		master |= harness_output(h, file, line, "HEAT_POWER");
		other |= harness_output(h, file, line, "HEAT_SHOULDERS") ||
			 harness_output(h, file, line, "HEAT_LOWER_BACK");
		if (locked_output && harness_output(h, file, line, locked_output))
			harness_fail(h, file, line, "%s closed although its pad is locked out", locked_output);
		harness_pump(h, 10);
	}
	if (!master || !other)
		harness_fail(h, file, line, "the other pads did not heat in hot-stone (master %d, others %d)", master,
			     other);
	sd_bus_message_unref(harness_call_ok(h, file, line, CHAIR_PATH, CHAIR_IFACE, "Stop", ""));
	(void)harness_wait_signal(h, file, line, "ProgramFinished", "hot-stone", "stopped", 3000);
}
#define RUN_HOT_STONE(h, locked, chair_s) run_hot_stone((h), __FILE__, __LINE__, (locked), (chair_s))

/* A runaway (the neck's element dead while it heats from cold) locks the neck pad:
 * Lockout announced, ClearFault works, the pad stays off in programs and to
 * SetTarget, across a SIGKILL and restart; non-root cannot reset; root can, and the pad
 * heats again. */
START_TEST(test_runaway_locks_the_pad)
{
	struct harness h;
	struct lockout_watch watch;
	sd_bus_slot *slot;
	uint64_t before, since;
	const char *r, *m;

	harness_start(&h, SCALE, NULL);
	for (size_t i = 0; i < N_PADS; i++) {
		H_ASSERT_STR_EQ(&h, PAD(&h, pads[i], "Lockout"), "");
		H_ASSERT_STR_EQ(&h, PAD(&h, pads[i], "LockoutSince"), "0");
	}
	slot = watch_neck(&h, &watch);
	before = realtime_usec();
	PAD_CALL(&h, NECK, "SetTarget", "d", 45.0);
	H_SIM(&h, "InjectFault", "sb", "heater-dead:neck", 1);
	H_WAIT_SIGNAL(&h, "FaultRaised", "runaway:neck", NULL, harness_wall_ms(&h, 200) + 3000);
	WAIT_PAD(&h, NECK, "Lockout", "runaway:neck", 2000);
	since = strtoull(PAD(&h, NECK, "LockoutSince"), NULL, 10);
	H_ASSERT(&h, since >= before && since <= realtime_usec(), "LockoutSince %llu outside the test's span",
		 (unsigned long long)since);
	harness_pump(&h, 200);
	H_ASSERT_STR_EQ(&h, watch.seen, "runaway:neck");
	H_ASSERT(&h, harness_log_contains(&h, "The neck pad is locked out until serviced"));
	H_ASSERT_STR_EQ(&h, PAD(&h, SHOULDERS, "Lockout"), "");

	/* the part is "repaired" only by service: ClearFault gives back the chair, not the pad */
	H_SIM(&h, "InjectFault", "sb", "heater-dead:neck", 0);
	H_CLEAR_FAULT(&h, "runaway:neck");
	H_WAIT_PROP(&h, "State", "idle", 2000);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "runaway:neck");
	ASSERT_REFUSED(&h, NECK, "runaway:neck");
	PAD_CALL(&h, NECK, "SetTarget", "d", 0.0); /* off is always allowed */
	PAD_CALL(&h, SHOULDERS, "SetTarget", "d", 40.0);
	WAIT_PAD(&h, SHOULDERS, "State", "heating", 2000);
	PAD_CALL(&h, SHOULDERS, "SetTarget", "d", 0.0);
	RUN_HOT_STONE(&h, "HEAT_NECK", 20);

	/* a crash and a restart keep it */
	harness_kill_daemon(&h);
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "runaway:neck");
	H_ASSERT(&h, strtoull(PAD(&h, NECK, "LockoutSince"), NULL, 10) == since);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	ASSERT_REFUSED(&h, NECK, "runaway:neck");
	RUN_HOT_STONE(&h, "HEAT_NECK", 10);

	/* massagectl shows it */
	H_ASSERT(&h, massagectl(&h, 0, (char *[]) { "heat", NULL }, &m) == 0);
	H_ASSERT(&h, strstr(m, "locked out (runaway:neck)") && strstr(m, "service reset"), "heat:\n%s", m);
	H_ASSERT(&h, massagectl(&h, 0, (char *[]) { "status", NULL }, &m) == 0);
	H_ASSERT(&h, strstr(m, "neck") && strstr(m, "locked out (runaway:neck) since 20"), "status:\n%s", m);
	/* massagectl asks first (no answer: no reset), and refuses a non-root user */
	H_ASSERT(&h, massagectl(&h, 0, (char *[]) { "service", "reset", "neck", NULL }, &m) == 1);
	H_ASSERT(&h, strstr(m, "heating element") && strstr(m, "Not reset"), "service reset:\n%s", m);
	H_ASSERT(&h, massagectl(&h, NOBODY, (char *[]) { "service", "reset", "neck", "--yes", NULL }, &m) == 1);
	H_ASSERT(&h, strstr(m, "needs root"), "service reset as uid %d:\n%s", NOBODY, m);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "runaway:neck");

	/* only root resets it: not nobody, not nobody in another group */
	r = reset_as_nobody(&h, NECK, 0);
	H_ASSERT(&h, strncmp(r, "org.freedesktop.DBus.Error.AccessDenied|", 40) == 0 && strstr(r, "root"),
		 "ResetLockout as uid %d: %s", NOBODY, r);
	r = reset_as_nobody(&h, NECK, some_group());
	H_ASSERT(&h, strncmp(r, "org.freedesktop.DBus.Error.AccessDenied|", 40) == 0,
		 "ResetLockout as uid %d with group %u: %s", NOBODY, (unsigned)some_group(), r);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "runaway:neck");
	ASSERT_REFUSED(&h, NECK, "runaway:neck");

	sd_bus_slot_unref(slot);
	slot = watch_neck(&h, &watch);
	H_ASSERT(&h, massagectl(&h, 0, (char *[]) { "service", "reset", "neck", "--yes", NULL }, &m) == 0,
		 "service reset as root:\n%s", m);
	H_ASSERT(&h, strstr(m, "lockout is reset"), "service reset:\n%s", m);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "");
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "LockoutSince"), "0");
	harness_pump(&h, 200);
	H_ASSERT_STR_EQ(&h, watch.seen, "(none)");
	H_ASSERT(&h, harness_log_contains(&h, "The neck pad's lockout (runaway:neck) was reset"));
	PAD_CALL(&h, NECK, "SetTarget", "d", 40.0);
	WAIT_PAD(&h, NECK, "State", "heating", 2000);
	m = NULL;
	for (uint64_t end = harness_now_usec() + (harness_wall_ms(&h, 5) + 2000) * 1000ULL; !m;) {
		if (H_OUTPUT(&h, "HEAT_NECK"))
			m = "closed";
		else if (harness_now_usec() > end)
			harness_fail(&h, __FILE__, __LINE__, "the neck relay never closed after the reset");
		harness_pump(&h, 10);
	}
	/* the reset was written: a restart does not bring the lockout back */
	harness_kill_daemon(&h);
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "");
	sd_bus_slot_unref(slot);
	harness_stop(&h);
}
END_TEST

/* A welded relay (heater-stuck) with the neck pad held off while another heats: all
 * heat locked out at once, written before anything else can happen (a SIGKILL right
 * after keeps it); every pad refuses, no relay closes in a heated program; the lockout
 * is reset on the stuck pad only. */
START_TEST(test_stuck_locks_all_heat)
{
	struct harness h;
	const char *m;

	harness_start(&h, SCALE, NULL);
	PAD_CALL(&h, SHOULDERS, "SetTarget", "d", 44.0);
	H_SIM(&h, "InjectFault", "sb", "heater-stuck:neck", 1);
	H_WAIT_SIGNAL(&h, "FaultRaised", "heater-stuck:neck", NULL, harness_wall_ms(&h, 200) + 3000);
	WAIT_PAD(&h, NECK, "Lockout", "heater-stuck:neck", 2000);
	harness_kill_daemon(&h);
	H_SIM_ERR(&h, "org.freedesktop.DBus.Error.ServiceUnknown", "SetSeated", "b", 1); /* really gone */
	harness_start_daemon(&h, SCALE);
	for (size_t i = 0; i < N_PADS; i++) {
		H_ASSERT_STR_EQ(&h, PAD(&h, pads[i], "Lockout"), "heater-stuck:neck");
		ASSERT_REFUSED(&h, pads[i], "heater-stuck:neck");
	}
	m = PAD_CALL_ERR(&h, CHAIR_ERROR("LockedOut"), SHOULDERS, "SetTarget", "d", 40.0);
	H_ASSERT(&h, strstr(m, "no pad heats") && strstr(m, "neck"), "%s", m);
	/* massage without heat works; a heated program heats nothing */
	H_START_RUNNING(&h, "hot-stone");
	for (uint64_t end = harness_now_usec() + harness_wall_ms(&h, 10) * 1000ULL; harness_now_usec() < end;) {
		static const char *const outputs[] = { "HEAT_POWER", "HEAT_NECK", "HEAT_SHOULDERS", "HEAT_LOWER_BACK" };

		for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
			H_ASSERT(&h, !H_OUTPUT(&h, outputs[i]), "%s closed with all heat locked out", outputs[i]);
		harness_pump(&h, 10);
	}
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "hot-stone", "stopped", 3000);

	/* another pad cannot end it; the stuck pad's reset, once the relay is replaced, does */
	m = PAD_CALL_ERR(&h, CHAIR_ERROR("LockedOut"), SHOULDERS, "ResetLockout", "");
	H_ASSERT(&h, strstr(m, "neck"), "%s", m);
	H_SIM(&h, "InjectFault", "sb", "heater-stuck:neck", 0);
	PAD_CALL(&h, NECK, "ResetLockout", "");
	for (size_t i = 0; i < N_PADS; i++)
		H_ASSERT_STR_EQ(&h, PAD(&h, pads[i], "Lockout"), "");
	PAD_CALL(&h, SHOULDERS, "SetTarget", "d", 40.0);
	WAIT_PAD(&h, SHOULDERS, "State", "heating", 2000);
	harness_stop(&h);
}
END_TEST

/* An overtemperature trip (heat the controller never commands) locks the pad too. */
START_TEST(test_overtemp_locks_the_pad)
{
	struct harness h;

	harness_start(&h, SCALE, NULL);
	H_SIM(&h, "SetPadTemperature", "sd", "neck", 48.5);
	H_WAIT_SIGNAL(&h, "FaultRaised", "overtemp:neck", NULL, harness_wall_ms(&h, 3) + 3000);
	WAIT_PAD(&h, NECK, "Lockout", "overtemp:neck", 2000);
	H_SIM(&h, "SetPadTemperature", "sd", "neck", 40.0);
	H_CLEAR_FAULT(&h, "overtemp:neck");
	ASSERT_REFUSED(&h, NECK, "overtemp:neck");
	H_ASSERT_STR_EQ(&h, PAD(&h, LOWER_BACK, "Lockout"), "");
	harness_stop(&h);
}
END_TEST

/* An open sensor is no broken part in the lockout's sense: cleared, the pad heats. */
START_TEST(test_open_sensor_does_not_lock)
{
	struct harness h;

	harness_start(&h, SCALE, NULL);
	H_SIM(&h, "InjectFault", "sb", "sensor-open:neck", 1);
	H_WAIT_SIGNAL(&h, "FaultRaised", "sensor:neck", NULL, harness_wall_ms(&h, 3) + 3000);
	H_SIM(&h, "InjectFault", "sb", "sensor-open:neck", 0);
	H_CLEAR_FAULT(&h, "sensor:neck");
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "");
	PAD_CALL(&h, NECK, "SetTarget", "d", 40.0);
	WAIT_PAD(&h, NECK, "State", "heating", 2000);
	harness_stop(&h);
}
END_TEST

/* A damaged lockout file: every pad locked out (fail safe), the journal says why. */
START_TEST(test_damaged_file_locks_every_pad)
{
	struct harness h;
	const char *why = harness_state_tmpfs_unavailable();
	const struct harness_journal_entry *e;

	harness_init(&h, NULL);
	harness_write_file(&h, harness_state_path(&h, "heater-lockout.state"),
			   "[Lockout]\nVersion=1\nneck=runaway:ne" /* a cut write */);
	h.journal_capture = !why[0];
	harness_start_daemon(&h, SCALE);
	for (size_t i = 0; i < N_PADS; i++) {
		H_ASSERT_STR_EQ(&h, PAD(&h, pads[i], "Lockout"), "lockout-file-damaged");
		H_ASSERT(&h, strtoull(PAD(&h, pads[i], "LockoutSince"), NULL, 10) > 0);
		ASSERT_REFUSED(&h, pads[i], "lockout file");
	}
	if (h.journal_capture) {
		e = H_JOURNAL_WAIT(&h, "PRIORITY=3", 3000);
		H_ASSERT(&h, strstr(harness_journal_field(e, "MESSAGE"), "lockout file is damaged"), "%s",
			 harness_journal_field(e, "MESSAGE"));
		e = H_JOURNAL_WAIT(&h,
				   "MASSAGED_EVENT=heat-lockout MASSAGED_ZONE=neck MASSAGED_FAULT=lockout-file-damaged "
				   "MESSAGE_ID=a4f4b8dd343e44e39949a813b432bb05",
				   3000);
		(void)e;
		PAD_CALL(&h, NECK, "ResetLockout", "");
		(void)H_JOURNAL_WAIT(&h,
				     "MASSAGED_EVENT=heat-lockout-reset MASSAGED_ZONE=neck "
				     "MASSAGED_FAULT=lockout-file-damaged MESSAGE_ID=35151ab67bf045119d6162ad848e37a0",
				     3000);
	} else {
		printf("# no journal capture here (%s): the log instead\n", why);
		H_ASSERT(&h, harness_log_contains(&h, "lockout file is damaged"));
		PAD_CALL(&h, NECK, "ResetLockout", "");
	}
	/* each pad is reset on its own: the rest stay locked out, also after a restart */
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "");
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, PAD(&h, NECK, "Lockout"), "");
	H_ASSERT_STR_EQ(&h, PAD(&h, SHOULDERS, "Lockout"), "lockout-file-damaged");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lockout");

	CHECK_ADD_TEST(s, test_runaway_locks_the_pad, 90);
	CHECK_ADD_TEST(s, test_stuck_locks_all_heat, 60);
	CHECK_ADD_TEST(s, test_overtemp_locks_the_pad, 60);
	CHECK_ADD_TEST(s, test_open_sensor_does_not_lock, 60);
	CHECK_ADD_TEST(s, test_damaged_file_locks_every_pad, 60);
	return check_run_tap(s);
}
