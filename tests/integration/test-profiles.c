/* SPDX-License-Identifier: MIT */
/* Profiles end to end: every method and error, names a person may and may not give,
 * a profile's shoulder line sparing the scan, the profile in use surviving a restart
 * and a SIGKILL in the middle of its write, 32 profiles and the refusal of the 33rd,
 * and a damaged profile file skipped with its file and line. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-tap.h"
#include "harness.h"

#define SCALE 20
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define ERROR_NO_SUCH_PROFILE CHAIR_ERROR("NoSuchProfile")
#define ERROR_LIMITS_EXCEEDED "org.freedesktop.DBus.Error.LimitsExceeded"

static const char *profile_file(struct harness *h, const char *name)
{
	char rel[300];

	(void)snprintf(rel, sizeof(rel), "profiles/%s.profile", name);
	return harness_state_path(h, rel);
}

/* Files in the profiles directory, sorted names joined by ",". */
static const char *profile_dir_listing(struct harness *h)
{
	static char out[8192];
	struct dirent **list;
	int n = scandir(harness_state_path(h, "profiles"), &list, NULL, alphasort);

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			if (out[0])
				strncat(out, ",", sizeof(out) - strlen(out) - 1);
			strncat(out, list[i]->d_name, sizeof(out) - strlen(out) - 1);
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return out;
}

/* Wait until the profile's file holds `line` (e.g. "Intensity=5"). */
static void wait_file_has(struct harness *h, const char *file, int line, const char *path_ring, const char *needle,
			  unsigned timeout_ms)
{
	uint64_t end = harness_now_usec() + (uint64_t)timeout_ms * 1000;
	char path[512];

	(void)snprintf(path, sizeof(path), "%s", path_ring); /* the ring's strings do not last */
	while (!strstr(harness_read_file(h, path), needle)) {
		if (harness_now_usec() > end)
			harness_fail(h, file, line, "%s has no \"%s\" after %u ms:\n%s", path, needle, timeout_ms,
				     harness_read_file(h, path));
		harness_pump(h, 20);
	}
}
#define WAIT_FILE_HAS(h, path, needle, ms) wait_file_has((h), __FILE__, __LINE__, (path), (needle), (ms))

START_TEST(test_methods_and_errors)
{
	struct harness h;
	const char *msg;

	harness_start(&h, SCALE, NULL);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "");
	msg = H_CALL_ERR(&h, ERROR_NO_SUCH_PROFILE, "UseProfile", "s", "Anna");
	H_ASSERT(&h, strstr(msg, "Anna"), "the error names no profile: %s", msg);
	H_CALL_ERR(&h, ERROR_NO_SUCH_PROFILE, "DeleteProfile", "s", "Anna");

	/* SaveProfile: the current settings under the name, and it is in use */
	H_CALL(&h, "SetIntensity", "u", 4);
	H_CALL(&h, "SetZonePressure", "si", "neck", -2);
	H_CALL(&h, "SaveProfile", "s", "Anna");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Anna");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Anna");
	/* the reply came once the file was written */
	H_ASSERT(&h, strstr(harness_read_file(&h, profile_file(&h, "Anna")), "Intensity=4\n"), "Anna.profile: %s",
		 harness_read_file(&h, profile_file(&h, "Anna")));
	H_ASSERT(&h, strstr(harness_read_file(&h, profile_file(&h, "Anna")), "PressureNeck=-2\n"));

	/* a change while in use is saved to it */
	H_CALL(&h, "SetIntensity", "u", 5);
	WAIT_FILE_HAS(&h, profile_file(&h, "Anna"), "Intensity=5\n", 5000);

	/* a second person: saving makes it the one in use; Anna keeps hers */
	H_CALL(&h, "UseNoProfile", "");
	H_CALL(&h, "SetZonePressure", "si", "neck", 0);
	H_CALL(&h, "SetIntensity", "u", 2);
	H_CALL(&h, "SetWidth", "s", "narrow");
	H_CALL(&h, "SaveProfile", "s", "Bob");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Bob");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Anna,Bob");
	H_ASSERT(&h, strstr(harness_read_file(&h, profile_file(&h, "Anna")), "Intensity=5\n"));

	/* UseProfile applies every setting */
	H_CALL(&h, "UseProfile", "s", "Anna");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Anna");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 5);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Width"), "medium");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "ZonePressure"), "neck=-2,shoulders=0,upper-back=0,lower-back=0");
	H_CALL(&h, "UseProfile", "s", "Bob");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 2);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Width"), "narrow");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "ZonePressure"), "neck=0,shoulders=0,upper-back=0,lower-back=0");

	/* UseNoProfile: none, the settings stay, and a change no longer reaches Bob */
	H_CALL(&h, "UseNoProfile", "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 2);
	H_CALL(&h, "SetIntensity", "u", 3);
	harness_pump(&h, 1500);
	H_ASSERT(&h, strstr(harness_read_file(&h, profile_file(&h, "Bob")), "Intensity=2\n"));

	/* DeleteProfile removes the file; of the one in use, none is in use */
	H_CALL(&h, "DeleteProfile", "s", "Bob");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Anna");
	H_CALL(&h, "UseProfile", "s", "Anna");
	H_CALL(&h, "DeleteProfile", "s", "Anna");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 5);
	harness_pump(&h, 300);
	H_ASSERT_STR_EQ(&h, profile_dir_listing(&h), "");
	H_CALL_ERR(&h, ERROR_NO_SUCH_PROFILE, "UseProfile", "s", "Anna");
	harness_stop(&h);
}
END_TEST

/* Names of any script are names; the rest is refused with the reason, nothing written. */
START_TEST(test_names)
{
	static const char *const good[] = { "Zoë", "Ана", "李雷", "अनिल", "Mary-Jane 2", "o_o" };
	static const struct {
		const char *name, *why;
	} bad[] = {
		{ "", "needs a name" },
		{ "abcdefghijklmnopqrstuvwxyz0123456", "at most 32" },
		{ "../x", "'.'" },
		{ "a/b", "'/'" },
		{ ".hidden", "'.'" },
		{ "tab\there", "U+0009" },
		{ "bell\a", "U+0007" },
		{ "new\nline", "U+000A" },
		{ " Anna", "start or end with a space" },
		{ "Anna ", "start or end with a space" },
		{ "\xF0\x9F\x98\x80", "U+1F600" },
	};
	struct harness h;
	char want[512] = "";

	harness_start(&h, SCALE, NULL);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		const char *msg = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SaveProfile", "s", bad[i].name);

		H_ASSERT(&h, strstr(msg, bad[i].why), "SaveProfile(\"%s\"): \"%s\" does not say %s", bad[i].name, msg,
			 bad[i].why);
		H_ASSERT(&h, !strstr(msg, "massagectl"), "a D-Bus error mentions massagectl: %s", msg);
		H_CALL_ERR(&h, ERROR_INVALID_ARGS, "UseProfile", "s", bad[i].name);
		H_CALL_ERR(&h, ERROR_INVALID_ARGS, "DeleteProfile", "s", bad[i].name);
	}
	H_ASSERT_STR_EQ(&h, profile_dir_listing(&h), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "");
	H_ASSERT(&h, access(harness_state_path(&h, "x.profile"), F_OK) < 0);

	for (size_t i = 0; i < ELEMENTSOF(good); i++)
		H_CALL(&h, "SaveProfile", "s", good[i]);
	/* sorted by bytes: Latin, then Cyrillic, Devanagari, CJK */
	(void)snprintf(want, sizeof(want), "Mary-Jane 2,Zoë,o_o,Ана,अनिल,李雷");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), want);
	H_ASSERT(&h, strstr(harness_read_file(&h, profile_file(&h, "अनिल")), "Name=अनिल\n"));

	/* invalid UTF-8 never reaches the daemon: sd-bus refuses to put it in a message */
	{
		sd_bus_message *m = NULL;
		int r = sd_bus_message_new_method_call(h.bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE,
						       "SaveProfile");

		H_ASSERT(&h, r >= 0);
		r = sd_bus_message_append(m, "s", "bad\xC3\x28");
		H_ASSERT(&h, r == -EINVAL, "sd-bus took invalid UTF-8: %d", r);
		sd_bus_message_unref(m);
	}
	harness_stop(&h);
}
END_TEST

/* A profile's shoulder line: the program starts without a scan, and the seat
 * emptying does not forget it while the profile is in use. */
START_TEST(test_shoulder_skips_scan)
{
	struct harness h;
	unsigned found;

	harness_start(&h, SCAN_SCALE, NULL);
	H_SIM(&h, "SetShoulderHeight", "u", 520);
	harness_clear_history(&h);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_ASSERT(&h, harness_history_in_order(&h, "scanning,running"), "history %s", harness_state_history(&h));
	H_CALL(&h, "AdjustShoulder", "i", 10);
	found = H_PROP_U(&h, "ShoulderHeight");
	H_ASSERT(&h, found >= 520 && found <= 540, "shoulder %u", found);
	H_CALL(&h, "SaveProfile", "s", "Anna");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", 5000);
	H_ASSERT(&h, strstr(harness_read_file(&h, profile_file(&h, "Anna")), "ShoulderAdjust=10\n"), "%s",
		 harness_read_file(&h, profile_file(&h, "Anna")));
	H_ASSERT(&h, strstr(harness_read_file(&h, profile_file(&h, "Anna")), "Favourite=" TEST_SHORT_ID "\n"), "%s",
		 harness_read_file(&h, profile_file(&h, "Anna")));

	/* with no profile in use the next person is scanned afresh */
	H_CALL(&h, "UseNoProfile", "");
	H_SIM(&h, "SetSeated", "b", 0);
	H_WAIT_PROP(&h, "ShoulderHeight", "0", 2000);
	H_SIM(&h, "SetSeated", "b", 1);

	/* Anna again: her line is known, the program runs at once */
	H_CALL(&h, "UseProfile", "s", "Anna");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "ShoulderHeight"), found);
	harness_clear_history(&h);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_ASSERT(&h, !harness_seen(&h, "State", "scanning"), "a scan with the profile's line known: history %s",
		 harness_state_history(&h));
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", 5000);

	/* the seat empties with Anna in use: her line stays, and the next start does not scan */
	H_SIM(&h, "SetSeated", "b", 0);
	harness_pump(&h, 300);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "ShoulderHeight"), found);
	H_SIM(&h, "SetSeated", "b", 1);
	harness_clear_history(&h);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_ASSERT(&h, !harness_seen(&h, "State", "scanning"), "history %s", harness_state_history(&h));

	/* a new scan keeps her adjustment and updates her profile */
	H_SIM(&h, "SetShoulderHeight", "u", 600);
	H_CALL(&h, "Scan", "");
	H_WAIT_PROP(&h, "State", "running", SCAN_TIMEOUT_MS(&h));
	found = H_PROP_U(&h, "ShoulderHeight");
	H_ASSERT(&h, found >= 600 && found <= 620, "scan with +10 mm gave %u mm for a 600 mm person", found);
	{
		char want[64];

		(void)snprintf(want, sizeof(want), "ShoulderHeight=%u\n", found);
		WAIT_FILE_HAS(&h, profile_file(&h, "Anna"), want, 5000);
	}
	harness_stop(&h);
}
END_TEST

/* The profile in use and every profile are there after SIGTERM and a new start, and
 * after a SIGKILL once the change was written; heat starts off. */
START_TEST(test_survives_restart)
{
	struct harness h;

	harness_start(&h, SCALE, NULL);
	H_CALL(&h, "SetIntensity", "u", 4);
	H_CALL(&h, "SetHeat", "b", 1);
	H_CALL(&h, "SaveProfile", "s", "Anna");
	H_CALL(&h, "UseNoProfile", "");
	H_CALL(&h, "SetIntensity", "u", 1);
	H_CALL(&h, "SaveProfile", "s", "Bob");
	H_CALL(&h, "UseProfile", "s", "Anna");
	H_CALL(&h, "SetSpeed", "u", 6);
	/* SIGTERM before the write a second later: the exit writes it */
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Anna");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Anna,Bob");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 4);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Speed"), 6);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "heat survived a restart");

	/* a change written by the timer survives a SIGKILL */
	H_CALL(&h, "SetIntensity", "u", 2);
	WAIT_FILE_HAS(&h, profile_file(&h, "Anna"), "Intensity=2\n", 5000);
	harness_pump(&h, 200);
	harness_kill_daemon(&h);
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Anna");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 2);

	/* the profile in use gone: none, logged */
	H_CALL(&h, "UseProfile", "s", "Bob");
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	H_ASSERT(&h, unlink(profile_file(&h, "Bob")) == 0);
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Anna");
	H_ASSERT(&h, harness_log_contains(&h, "Bob, is gone or damaged"));
	harness_stop(&h);
}
END_TEST

/* SIGKILL at every moment of a save: the file is the old one or the new one, never
 * broken, and the daemon starts with it. */
START_TEST(test_kill_mid_save)
{
	struct harness h;
	unsigned before = 3;

	harness_start(&h, SCALE, NULL);
	H_CALL(&h, "SaveProfile", "s", "Anna");
	for (unsigned i = 0; i < 8; i++) {
		unsigned want = before % 5 + 1, got;

		H_CALL(&h, "SetIntensity", "u", want);
		/* from at once to past the write a second later */
		harness_pump(&h, i * 190);
		harness_kill_daemon(&h);
		harness_start_daemon(&h, SCALE);
		H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Anna");
		H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Anna");
		got = H_PROP_U(&h, "Intensity");
		H_ASSERT(&h, got == want || got == before, "round %u: intensity %u, neither the old %u nor the new %u",
			 i, got, before, want);
		H_ASSERT(&h, !harness_log_contains(&h, "damaged"), "a damaged file after a kill");
		H_ASSERT_STR_EQ(&h, profile_dir_listing(&h), "Anna.profile");
		before = got;
	}
	harness_stop(&h);
}
END_TEST

START_TEST(test_32_profiles)
{
	struct harness h;
	char name[32], want[2048] = "";
	const char *msg;

	harness_start(&h, SCALE, NULL);
	for (unsigned i = 0; i < 32; i++) {
		(void)snprintf(name, sizeof(name), "Person %02u", i);
		H_CALL(&h, "SaveProfile", "s", name);
		(void)snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? "," : "", name);
	}
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), want);
	msg = H_CALL_ERR(&h, ERROR_LIMITS_EXCEEDED, "SaveProfile", "s", "Person 32");
	H_ASSERT(&h, strstr(msg, "at most 32 profiles") && strstr(msg, "delete one"), "%s", msg);
	H_ASSERT(&h, access(profile_file(&h, "Person 32"), F_OK) < 0);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Person 31");
	/* an existing one may still be saved */
	H_CALL(&h, "SaveProfile", "s", "Person 05");
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), want);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Person 05");
	H_CALL(&h, "DeleteProfile", "s", "Person 00");
	H_CALL(&h, "SaveProfile", "s", "Person 32");
	harness_stop(&h);
}
END_TEST

#define GOOD_PROFILE(name) \
	"[Profile]\nVersion=1\nIntensity=2\nSpeed=3\nWidth=wide\nHeat=no\nSessionLimit=600\n" \
	"ShoulderHeight=610\nShoulderAdjust=0\nFavourite=\nName=" name "\n"

/* A damaged file is skipped with its file and line, the rest load, stale temporary
 * files go, and the daemon starts. */
START_TEST(test_damaged_skipped)
{
	struct harness h;
	const char *bad_line;

	harness_init(&h, NULL);
	(void)mkdir(harness_state_path(&h, "profiles"), 0755);
	harness_write_file(&h, profile_file(&h, "Good"), GOOD_PROFILE("Good"));
	harness_write_file(&h, profile_file(&h, "Bad"),
			   "[Profile]\nVersion=1\nIntensity=2\nSpeed=9\nWidth=wide\nHeat=no\nSessionLimit=600\n");
	harness_write_file(&h, profile_file(&h, "Other"), GOOD_PROFILE("Someone"));
	harness_write_file(&h, profile_file(&h, "Cut"), "[Profile]\nVersion=1\nIntensity=2\nSpe");
	harness_write_file(&h, harness_state_path(&h, "profiles/Good.profile.a1B2c3"), "[Prof");
	harness_write_file(&h, harness_state_path(&h, "settings.state"),
			   "[Settings]\nVersion=1\nIntensity=4\nSpeed=2\nWidth=wide\nHeat=no\nSessionLimit=900\n"
			   "Profile=Bad\nConfiguredIntensity=3\nConfiguredSpeed=3\nConfiguredWidth=medium\n"
			   "ConfiguredSessionLimit=1200\n");
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Good");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "");
	bad_line = "Skipping a damaged profile: ";
	H_ASSERT(&h, harness_log_contains(&h, "profiles/Bad.profile:4: Speed=9"), "no FILE:LINE for Bad");
	H_ASSERT(&h, harness_log_contains(&h, "profiles/Other.profile: Name=Someone is not the file's name"));
	H_ASSERT(&h, harness_log_contains(&h, "profiles/Cut.profile:"));
	H_ASSERT(&h, harness_log_contains(&h, bad_line));
	H_ASSERT(&h, harness_log_contains(&h, "Bad, is gone or damaged"));
	H_ASSERT(&h, access(harness_state_path(&h, "profiles/Good.profile.a1B2c3"), F_OK) < 0,
		 "the stale temporary file is still there");
	H_CALL(&h, "UseProfile", "s", "Good");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "ShoulderHeight"), 610);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Width"), "wide");
	/* a bad one may be saved over */
	H_CALL(&h, "SaveProfile", "s", "Bad");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Bad,Good");
	harness_stop(&h);
}
END_TEST

/* A profile's Heat is the person's wish: a session's end does not take it away, and every
 * session started with the profile in use heats. With no profile, heat is for one session. */
START_TEST(test_heat_wish_kept)
{
	struct harness h;

	harness_start(&h, SCALE, NULL);
	H_CALL(&h, "SaveProfile", "s", "Anna");
	H_CALL(&h, "SetHeat", "b", 1);
	harness_start_program(&h, __FILE__, __LINE__, "neck");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", 10000);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "Heat stayed on after the session");
	WAIT_FILE_HAS(&h, profile_file(&h, "Anna"), "Heat=yes\n", 5000);
	H_CALL(&h, "UseNoProfile", "");
	harness_start_program(&h, __FILE__, __LINE__, "neck");
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "heat on with no profile in use");
	H_CALL(&h, "Stop", "");
	H_WAIT_PROP(&h, "State", "idle", 10000);
	H_CALL(&h, "UseProfile", "s", "Anna");
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "UseProfile turned heat on with no session");
	harness_start_program(&h, __FILE__, __LINE__, "neck");
	H_ASSERT(&h, H_PROP_B(&h, "Heat"), "Anna's session started without heat");
	H_CALL(&h, "SetHeat", "b", 0);
	WAIT_FILE_HAS(&h, profile_file(&h, "Anna"), "Heat=no\n", 5000);
	harness_stop(&h);
}
END_TEST

/* UseProfile applies the profile's timer live, as SetTimer does: a session already past
 * it ends at once. */
START_TEST(test_use_profile_timer_live)
{
	struct harness h;
	uint64_t end;

	harness_start(&h, 100, NULL);
	H_CALL(&h, "SetTimer", "u", 5);
	H_CALL(&h, "SaveProfile", "s", "Short");
	H_CALL(&h, "UseNoProfile", "");
	H_CALL(&h, "SetTimer", "u", 30);
	harness_start_program(&h, __FILE__, __LINE__, "full");
	end = harness_now_usec() + (uint64_t)harness_wall_ms(&h, 400) * 1000 + 10000000;
	while (H_PROP_U(&h, "Elapsed") < 320) {
		H_ASSERT(&h, harness_now_usec() < end, "Elapsed stayed at %u s", H_PROP_U(&h, "Elapsed"));
		harness_pump(&h, 50);
	}
	/* read in the reply's wake: the session has ended before anything else runs */
	H_CALL(&h, "UseProfile", "s", "Short");
	H_ASSERT(&h,
		 harness_count_signals(&h, "ProgramFinished", "full", "timeout") == 1 ||
			 strcmp(H_PROP(&h, "State"), "running") != 0,
		 "still running %u s into a 300 s limit after UseProfile", H_PROP_U(&h, "Elapsed"));
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 300);
	harness_stop(&h);
}
END_TEST

/* A profile file edited by hand to be gentle at intensity 5 brings no more than gentle
 * mode gives: at a restart and at UseProfile. */
START_TEST(test_edited_gentle_profile_capped)
{
	struct harness h;
	char path[512], text[4096], edited[4200], *at;

	harness_start(&h, SCALE, NULL);
	H_CALL(&h, "SetIntensity", "u", 5);
	H_CALL(&h, "SaveProfile", "s", "Edith");
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	(void)snprintf(path, sizeof(path), "%s", profile_file(&h, "Edith"));
	(void)snprintf(text, sizeof(text), "%s", harness_read_file(&h, path));
	at = strstr(text, "Gentle=no\n");
	H_ASSERT(&h, at, "no Gentle=no in %s:\n%s", path, text);
	*at = '\0';
	(void)snprintf(edited, sizeof(edited), "%sGentle=yes\n%s", text, at + strlen("Gentle=no\n"));
	harness_write_file(&h, path, edited);
	harness_start_daemon(&h, SCALE);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Edith");
	H_ASSERT(&h, H_PROP_B(&h, "Gentle"), "Edith's gentle mode was not restored");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 3);
	H_CALL(&h, "UseNoProfile", "");
	H_CALL(&h, "SetGentle", "b", 0);
	H_CALL(&h, "SetIntensity", "u", 5);
	H_CALL(&h, "UseProfile", "s", "Edith");
	H_ASSERT(&h, H_PROP_B(&h, "Gentle"), "UseProfile left gentle mode off");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 3);
	harness_stop(&h);
}
END_TEST

static Suite *profiles_suite(void)
{
	Suite *s = suite_create("profiles");

	CHECK_ADD_TEST(s, test_methods_and_errors, 60);
	CHECK_ADD_TEST(s, test_names, 60);
	CHECK_ADD_TEST(s, test_shoulder_skips_scan, 90);
	CHECK_ADD_TEST(s, test_survives_restart, 60);
	CHECK_ADD_TEST(s, test_kill_mid_save, 90);
	CHECK_ADD_TEST(s, test_32_profiles, 60);
	CHECK_ADD_TEST(s, test_damaged_skipped, 60);
	CHECK_ADD_TEST(s, test_heat_wish_kept, 60);
	CHECK_ADD_TEST(s, test_use_profile_timer_live, 60);
	CHECK_ADD_TEST(s, test_edited_gentle_profile_capped, 60);
	return s;
}

int main(void)
{
	return check_run_tap(profiles_suite());
}
