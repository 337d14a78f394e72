/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check-tap.h"
#include "heat-tuning.h"
#include "ini-file.h"
#include "log.h"
#include "macro.h"
#include "settings.h"
#include "state-file.h"
#include "test-files.h"

/* The state files (state-file.h): a kill at any moment of a save leaves the old file
 * or the new one, never half of one, and the temporary file it leaves is removed at
 * the next start; a file cut at any length loads complete or is refused with its name;
 * a full disk or a read-only directory fails the save with the old file intact.
 *
 * This binary is linked with -Wl,--wrap=rename,--wrap=fsync: the wrappers below let a
 * forked child die by SIGKILL at an exact point of a save. */

int __real_rename(const char *from, const char *to);
int __real_fsync(int fd);
int __wrap_rename(const char *from, const char *to);
int __wrap_fsync(int fd);

static bool kill_at_rename;
static int kill_at_fsync; /* die on this fsync() call, from 1; 0 = never */
static int fsync_calls;

int __wrap_rename(const char *from, const char *to)
{
	if (kill_at_rename)
		(void)raise(SIGKILL);
	return __real_rename(from, to);
}

int __wrap_fsync(int fd)
{
	if (kill_at_fsync > 0 && ++fsync_calls == kill_at_fsync)
		(void)raise(SIGKILL);
	return __real_fsync(fd);
}

static char dir[64];
static char path[128];

static void setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/test-state-file.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/settings.state", dir);
}

static void teardown(void)
{
	test_remove_tree(dir);
}

/* Names in `d`, sorted is not needed: how many, and the first one other than `except`. */
static unsigned dir_entries(const char *d_path, const char *except, char *other, size_t size)
{
	DIR *d = opendir(d_path);
	struct dirent *de;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	if (other)
		other[0] = '\0';
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			n++;
			if (other && (!except || strcmp(de->d_name, except) != 0))
				(void)snprintf(other, size, "%s", de->d_name);
		}
	(void)closedir(d);
	return n;
}

static size_t read_file(const char *p, char *buf, size_t size)
{
	FILE *f = fopen(p, "re");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	ck_assert_int_eq(fclose(f), 0);
	return n;
}

static void write_file(const char *p, const char *text, size_t size)
{
	FILE *f = fopen(p, "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, size, f), size);
	ck_assert_int_eq(fclose(f), 0);
}

/* ---- the two state files, behind one interface for these tests ---- */

static const struct settings_file settings_a = {
	.last = { .intensity = 2,
		  .speed = 5,
		  .width = WIDTH_NARROW,
		  .heat = true,
		  .session_limit_s = 600,
		  .zone_pressure = { [ZONE_NECK] = -1, [ZONE_UPPER_BACK] = 2 } },
	.configured = { .intensity = 3, .speed = 3, .width = WIDTH_MEDIUM, .heat = false, .session_limit_s = 1200 },
};
static const struct settings_file settings_b = {
	.last = { .intensity = 4, .speed = 1, .width = WIDTH_WIDE, .heat = false, .session_limit_s = 1800 },
	.configured = { .intensity = 1, .speed = 6, .width = WIDTH_WIDE, .heat = false, .session_limit_s = 300 },
};

static struct heat_tuning tuning_sample(double gain)
{
	return (struct heat_tuning) {
		.model = { gain, 100.0 / 3.0, 160.3, 170.0, 30.0 - 2.0 / 7.0, 6.0 },
		.target_c = 42.0,
		.fit_rms_c = 0.04134567891234567,
		.duration_s = 651.25,
	};
}

struct kind {
	const char *name;
	int (*save)(const char *path, int which); /* which: 0 = A, 1 = B */
	/* 0 = A, 1 = B, else negative errno with err */
	int (*load)(const char *path, char *err);
};

static int settings_save_which(const char *p, int which)
{
	return settings_save(p, which ? &settings_b : &settings_a);
}

static bool settings_in_range(const struct chair_settings *s, bool heat_too)
{
	return s->intensity >= INTENSITY_MIN && s->intensity <= INTENSITY_MAX && s->speed >= SPEED_MIN &&
	       s->speed <= SPEED_MAX && s->width >= 0 && s->width < _WIDTH_MAX &&
	       (!heat_too || s->heat == 0 || s->heat == 1) && s->session_limit_s >= SESSION_LIMIT_MIN_S &&
	       s->session_limit_s <= SESSION_LIMIT_MAX_S && s->session_limit_s % SESSION_LIMIT_STEP_S == 0;
}

/* 0 or 1 for A or B, 2 for a valid file that is neither (never for whole saves). */
static int settings_load_which(const char *p, char *err)
{
	struct settings_file s;
	int r;

	memset(&s, 0x5a, sizeof(s));
	r = settings_load(p, &s, err);
	if (r < 0)
		return r;
	ck_assert_msg(settings_in_range(&s.last, true) && settings_in_range(&s.configured, false),
		      "%s loaded with values out of their ranges", p);
	return settings_file_equal(&s, &settings_a) ? 0 : settings_file_equal(&s, &settings_b) ? 1 : 2;
}

static int tuning_save_which(const char *p, int which)
{
	struct heat_tuning t = tuning_sample(which ? 27.25 : 31.5);

	return heat_tuning_save(p, &t);
}

static int tuning_load_which(const char *p, char *err)
{
	struct heat_tuning t, a = tuning_sample(31.5), b = tuning_sample(27.25);
	int r;

	memset(&t, 0x5a, sizeof(t));
	r = heat_tuning_load(p, &t, err);
	if (r < 0)
		return r;
	ck_assert_msg(heat_model_validate(&t.model) == 0, "%s loaded an implausible model", p);
	return memcmp(&t, &a, sizeof(t)) == 0 ? 0 : memcmp(&t, &b, sizeof(t)) == 0 ? 1 : 2;
}

static const struct kind kinds[] = {
	{ "settings.state", settings_save_which, settings_load_which },
	{ "heater-neck.tune", tuning_save_which, tuning_load_which },
};

static void kind_path(const struct kind *k, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/%s", dir, k->name);
}

/* Fork a child that saves B over A and dies by SIGKILL at the point the flags say. */
static void save_b_and_die(const struct kind *k, const char *p, bool at_rename, int at_fsync)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		kill_at_rename = at_rename;
		kill_at_fsync = at_fsync;
		(void)k->save(p, 1);
		_exit(0); /* not killed: the test below fails */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the saving child was not killed");
}

/* ---- tests ---- */

/* Killed between the write and the rename (or before the file's fsync): the old file,
 * whole, and a temporary file the next start removes. */
START_TEST(test_kill_before_rename)
{
	const struct kind *k = &kinds[_i / 2];
	bool at_rename = _i % 2 == 0;
	char p[256], before[4096], after[4096], err[512], stale[256];

	kind_path(k, p, sizeof(p));
	ck_assert_int_eq(k->save(p, 0), 0);
	(void)read_file(p, before, sizeof(before));

	save_b_and_die(k, p, at_rename, at_rename ? 0 : 1);

	(void)read_file(p, after, sizeof(after));
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(k->load(p, err), 0);
	/* the killed write's temporary file is there, and goes at the next start */
	ck_assert_uint_eq(dir_entries(dir, k->name, stale, sizeof(stale)), 2);
	ck_assert_msg(strncmp(stale, k->name, strlen(k->name)) == 0 && stale[strlen(k->name)] == '.',
		      "unexpected file %s", stale);
	ck_assert_int_eq(state_file_remove_stale(p), 1);
	ck_assert_uint_eq(dir_entries(dir, NULL, NULL, 0), 1);
	ck_assert_int_eq(k->load(p, err), 0);
}
END_TEST

/* Killed after the rename, before the directory's fsync: the new file, whole. */
START_TEST(test_kill_after_rename)
{
	const struct kind *k = &kinds[_i];
	char p[256], err[512];

	kind_path(k, p, sizeof(p));
	ck_assert_int_eq(k->save(p, 0), 0);
	save_b_and_die(k, p, false, 2);
	ck_assert_int_eq(k->load(p, err), 1);
	ck_assert_uint_eq(dir_entries(dir, NULL, NULL, 0), 1);
}
END_TEST

/* 200 kills at random moments of a child saving A and B in turn: the file always loads
 * as A or B, and the temporary files left behind all go at the next start. */
START_TEST(test_kill_at_random)
{
	const struct kind *k = &kinds[_i];
	unsigned loaded[2] = { 0, 0 }, stale = 0;
	char p[256], err[512];

	kind_path(k, p, sizeof(p));
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	ck_assert_int_eq(k->save(p, 0), 0);
	for (int i = 0; i < 200; i++) {
		struct timespec delay = { 0, (long)(rand() % 3000) * 1000L };
		int status, r;
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			for (int which = 1;; which ^= 1)
				(void)k->save(p, which);
		(void)nanosleep(&delay, NULL);
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);

		r = k->load(p, err);
		ck_assert_msg(r == 0 || r == 1, "kill %d: %s is neither the old nor the new file (%d: %s)", i, k->name,
			      r, r < 0 ? err : "valid but mixed");
		loaded[r]++;
		r = state_file_remove_stale(p);
		ck_assert_int_ge(r, 0);
		stale += (unsigned)r;
		ck_assert_uint_eq(dir_entries(dir, NULL, NULL, 0), 1);
	}
	printf("# %s: 200 kills: %u left A, %u left B, %u left a temporary file\n", k->name, loaded[0], loaded[1],
	       stale);
}
END_TEST

/* A valid file cut at every length loads complete and valid, or is refused with its name. */
START_TEST(test_truncated_every_length)
{
	const struct kind *k = &kinds[_i];
	char p[256], full[4096], err[512];
	unsigned refused = 0;
	size_t n;

	kind_path(k, p, sizeof(p));
	ck_assert_int_eq(k->save(p, 1), 0);
	n = read_file(p, full, sizeof(full));
	for (size_t len = 0; len <= n; len++) {
		int r;

		write_file(p, full, len);
		err[0] = '\0';
		r = k->load(p, err);
		if (r >= 0) {
			/* only a cut in the middle of the last value can look complete */
			ck_assert_msg(len + 8 >= n, "cut at %zu of %zu bytes loaded", len, n);
			continue;
		}
		refused++;
		ck_assert_int_eq(r, -EINVAL);
		ck_assert_msg(strncmp(err, p, strlen(p)) == 0, "cut at %zu: \"%s\" does not name the file", len, err);
	}
	ck_assert_int_eq(k->load(p, err), 1);
	ck_assert_uint_ge(refused, n - 8);
}
END_TEST

/* Stale files: only NAME.XXXXXX regular files beside NAME go; nothing else. */
START_TEST(test_remove_stale_only_temporaries)
{
	static const char *const keep[] = {
		"settings.state",        "settings.state.bak", "settings.state.12345",   "settings.state.abc-ef",
		"settings.stateXabcdef", "other.state.abcdef", "settings.state.abcdefg",
	};
	char p[256];

	for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
		(void)snprintf(p, sizeof(p), "%s/%s", dir, keep[i]);
		write_file(p, "x", 1);
	}
	(void)snprintf(p, sizeof(p), "%s/settings.state.Ab3xYz", dir);
	write_file(p, "half", 4);
	(void)snprintf(p, sizeof(p), "%s/settings.state.000000", dir);
	write_file(p, "", 0);
	(void)snprintf(p, sizeof(p), "%s/settings.state.subdir", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);

	ck_assert_int_eq(state_file_remove_stale(path), 2);
	ck_assert_uint_eq(dir_entries(dir, NULL, NULL, 0), ELEMENTSOF(keep) + 1);
	ck_assert_int_eq(state_file_remove_stale(path), 0);
	(void)snprintf(p, sizeof(p), "%s/missing/settings.state", dir);
	ck_assert_int_eq(state_file_remove_stale(p), -ENOENT);
}
END_TEST

START_TEST(test_write_to_missing_directory)
{
	char p[256];

	(void)snprintf(p, sizeof(p), "%s/missing/settings.state", dir);
	ck_assert_int_eq(state_file_write(p, "x", 1), -ENOENT);
	ck_assert_uint_eq(dir_entries(dir, NULL, NULL, 0), 0);
}
END_TEST

/* ---- full disk and read-only directory: a tmpfs in a mount namespace of a child ---- */

#define SKIP_STATUS 77

/* In a child: a private mount namespace with a tmpfs of `size` on dir. Exits SKIP_STATUS
 * with the reason on stderr when that is not permitted. */
static void child_mount_tmpfs(const char *size)
{
	char opts[64];

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		(void)fprintf(stderr, "cannot make a mount namespace: %s\n", strerror(errno));
		_exit(SKIP_STATUS);
	}
	(void)snprintf(opts, sizeof(opts), "size=%s,mode=0755", size);
	if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0) {
		(void)fprintf(stderr, "cannot mount a tmpfs: %s\n", strerror(errno));
		_exit(SKIP_STATUS);
	}
}

/* Run fn in a child as above; it returns 0, or a line number after printing why. */
static int run_in_tmpfs(int (*fn)(const struct kind *k), const struct kind *k)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		child_mount_tmpfs("64k");
		_exit(fn(k) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

#define CHILD_CHECK(expr) \
	do { \
		if (!(expr)) { \
			(void)fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #expr); \
			return __LINE__; \
		} \
	} while (0)

static int only_the_file_left(const struct kind *k)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, k->name) != 0 && strcmp(de->d_name, "filler") != 0) {
			(void)fprintf(stderr, "left behind: %s\n", de->d_name);
			n++;
		}
	(void)closedir(d);
	return n == 0;
}

static int full_disk(const struct kind *k)
{
	char p[256], filler[256], err[512], block[4096];
	FILE *f;
	int r;

	kind_path(k, p, sizeof(p));
	CHILD_CHECK(k->save(p, 0) == 0);
	(void)snprintf(filler, sizeof(filler), "%s/filler", dir);
	f = fopen(filler, "we");
	CHILD_CHECK(f);
	memset(block, 'x', sizeof(block));
	(void)setvbuf(f, NULL, _IONBF, 0);
	while (fwrite(block, 1, sizeof(block), f) == sizeof(block))
		;
	CHILD_CHECK(errno == ENOSPC);
	(void)fclose(f);

	r = k->save(p, 1);
	if (r != -ENOSPC)
		(void)fprintf(stderr, "save on a full disk: %d (%s)\n", r, strerror(-r));
	CHILD_CHECK(r == -ENOSPC);
	CHILD_CHECK(k->load(p, err) == 0);
	CHILD_CHECK(only_the_file_left(k) == 1);

	/* room again: the next save goes through */
	CHILD_CHECK(unlink(filler) == 0);
	CHILD_CHECK(k->save(p, 1) == 0);
	CHILD_CHECK(k->load(p, err) == 1);
	CHILD_CHECK(only_the_file_left(k) == 1);
	return 0;
}

static int read_only(const struct kind *k)
{
	char p[256], err[512];
	int r;

	kind_path(k, p, sizeof(p));
	CHILD_CHECK(k->save(p, 0) == 0);
	CHILD_CHECK(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
	r = k->save(p, 1);
	if (r != -EROFS)
		(void)fprintf(stderr, "save in a read-only directory: %d (%s)\n", r, strerror(-r));
	CHILD_CHECK(r == -EROFS);
	CHILD_CHECK(k->load(p, err) == 0);
	CHILD_CHECK(only_the_file_left(k) == 1);
	return 0;
}

START_TEST(test_full_disk)
{
	ck_assert_int_eq(run_in_tmpfs(full_disk, &kinds[_i]), 0);
}
END_TEST

START_TEST(test_read_only_directory)
{
	ck_assert_int_eq(run_in_tmpfs(read_only, &kinds[_i]), 0);
}
END_TEST

/* Can this process mount a tmpfs in a mount namespace? "" if so, else why not. */
static const char *tmpfs_unavailable(void)
{
	static char why[256];
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	(void)snprintf(dir, sizeof(dir), "/tmp/test-state-file.XXXXXX");
	if (!mkdtemp(dir) || pipe(pipefd) < 0)
		return strerror(errno);
	pid = fork();
	if (pid == 0) {
		(void)dup2(pipefd[1], STDERR_FILENO);
		child_mount_tmpfs("64k");
		_exit(0);
	}
	(void)close(pipefd[1]);
	(void)waitpid(pid, &status, 0);
	n = read(pipefd[0], why, sizeof(why) - 1);
	(void)close(pipefd[0]);
	why[n > 0 ? n : 0] = '\0';
	why[strcspn(why, "\n")] = '\0';
	teardown();
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return "";
	return why[0] ? why : "the probe failed";
}

/* A state file that is a FIFO (or anything but a regular file) is refused at once:
 * opening a FIFO for reading would wait for a writer and hang the daemon's start-up.
 * Before the fix this case hangs until Check's timeout. */
START_TEST(test_fifo_refused)
{
	const struct kind *k = &kinds[_i];
	char p[256], err[INI_FILE_ERROR_MAX], want[300];

	kind_path(k, p, sizeof(p));
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	ck_assert_int_eq(k->load(p, err), -EINVAL);
	(void)snprintf(want, sizeof(want), "%s: a FIFO, expected a regular file", p);
	ck_assert_msg(strstr(err, want), "%s", err);
}
END_TEST

/* One byte over STATE_FILE_SIZE_MAX: refused unread, naming the file and the limit. */
START_TEST(test_too_big_refused)
{
	const struct kind *k = &kinds[_i];
	char p[256], err[INI_FILE_ERROR_MAX];
	char *text = malloc(STATE_FILE_SIZE_MAX + 1);
	size_t n;

	kind_path(k, p, sizeof(p));
	ck_assert_int_eq(k->save(p, 0), 0);
	n = read_file(p, text, STATE_FILE_SIZE_MAX);
	memset(text + n, '#', STATE_FILE_SIZE_MAX + 1 - n); /* a comment as long as it takes */
	text[STATE_FILE_SIZE_MAX] = '\n';
	write_file(p, text, STATE_FILE_SIZE_MAX + 1);
	free(text);
	ck_assert_int_eq(k->load(p, err), -EFBIG);
	ck_assert_msg(strstr(err, p) && strstr(err, "larger than the limit of 16384 bytes"), "%s", err);
}
END_TEST

static Suite *state_file_suite(bool tmpfs)
{
	Suite *s = suite_create("state-file");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	if (tmpfs) {
		tcase_add_loop_test(tc, test_full_disk, 0, ELEMENTSOF(kinds));
		tcase_add_loop_test(tc, test_read_only_directory, 0, ELEMENTSOF(kinds));
	} else {
		tcase_add_loop_test(tc, test_kill_before_rename, 0, 2 * ELEMENTSOF(kinds));
		tcase_add_loop_test(tc, test_kill_after_rename, 0, ELEMENTSOF(kinds));
		tcase_add_loop_test(tc, test_kill_at_random, 0, ELEMENTSOF(kinds));
		tcase_add_loop_test(tc, test_truncated_every_length, 0, ELEMENTSOF(kinds));
		tcase_add_test(tc, test_remove_stale_only_temporaries);
		tcase_add_test(tc, test_write_to_missing_directory);
		tcase_add_loop_test(tc, test_fifo_refused, 0, ELEMENTSOF(kinds));
		tcase_add_loop_test(tc, test_too_big_refused, 0, ELEMENTSOF(kinds));
	}
	suite_add_tcase(s, tc);
	return s;
}

/* `test-state-file tmpfs` runs the full-disk and read-only tests, skipped as a whole
 * (exit 77) where a tmpfs cannot be mounted. */
int main(int argc, char *argv[])
{
	bool tmpfs = argc > 1 && strcmp(argv[1], "tmpfs") == 0;

	log_set_max_level(LOG_WARNING); /* not a notice per removed temporary file */

	if (tmpfs) {
		const char *why = tmpfs_unavailable();

		if (why[0]) {
			printf("1..0 # SKIP a tmpfs cannot be mounted in a mount namespace here: %s\n", why);
			return 0;
		}
	}
	return check_run_tap(state_file_suite(tmpfs));
}
