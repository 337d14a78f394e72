/* SPDX-License-Identifier: MIT */
/* The maintenance counters: Chair1.RollerRunSeconds, and each pad's HeatingSeconds,
 * RelaySwitches, Dose and DoseLimit. They start at 0, grow while a program drives the
 * rollers and while a pad heats, stay put while the chair is idle, are announced with
 * PropertiesChanged (at most once a minute of chair time, and at once when the session
 * ends), and a read returns what was announced. They survive a SIGKILL after a session
 * and a SIGTERM while a pad heats; a damaged maintenance.state is reported, the counters
 * start from 0, and the next save replaces it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "check-tap.h"
#include "harness.h"

#define NECK CHAIR_PATH "/heater/neck"
#define LOWER_BACK CHAIR_PATH "/heater/lower_2dback"
#define SCALE 50
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define PAD_CALL(h, path, member, ...) \
	sd_bus_message_unref(harness_call_ok((h), __FILE__, __LINE__, (path), HEATER_IFACE, (member), __VA_ARGS__))

/* What PropertiesChanged last said of each counter of each pad (and how often), so that
 * every read can be held against it. */
#define WATCHED_MAX 16

struct pad_watch {
	struct harness *h;
	sd_bus_slot *slot;
	struct watched {
		char path[64], name[32], value[64];
		unsigned announced;
	} w[WATCHED_MAX];
	size_t n;
};

static const char *const pad_counters[] = { "HeatingSeconds", "RelaySwitches", "Dose", "DoseLimit" };

static struct watched *watched_find(struct pad_watch *pw, const char *path, const char *name)
{
	for (size_t i = 0; i < pw->n; i++)
		if (strcmp(pw->w[i].path, path) == 0 && strcmp(pw->w[i].name, name) == 0)
			return &pw->w[i];
	return NULL;
}

static int on_pad_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct pad_watch *pw = userdata;
	const char *iface, *name, *contents;
	char type;

	(void)ret_error;
	if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, HEATER_IFACE) != 0 ||
	    sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv") > 0) {
		struct watched *w;
		uint64_t t;
		double d;

		if (sd_bus_message_read(m, "s", &name) < 0 || sd_bus_message_peek_type(m, &type, &contents) < 0)
			return 0;
		w = watched_find(pw, sd_bus_message_get_path(m), name);
		if (w && strcmp(contents, "t") == 0 && sd_bus_message_read(m, "v", "t", &t) >= 0)
			(void)snprintf(w->value, sizeof(w->value), "%" PRIu64, t);
		else if (w && strcmp(contents, "d") == 0 && sd_bus_message_read(m, "v", "d", &d) >= 0)
			(void)snprintf(w->value, sizeof(w->value), "%.2f", d);
		else if (sd_bus_message_skip(m, "v") < 0)
			return 0;
		if (w)
			w->announced++;
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	return 0;
}

/* Watch the counters of these pads from now on; what they read now is the daemon's
 * start, announced or not. */
static void watch_pads(struct harness *h, struct pad_watch *pw)
{
	static const char *const paths[] = { NECK, LOWER_BACK };
	int r;

	*pw = (struct pad_watch) { .h = h };
	r = sd_bus_match_signal(h->bus, &pw->slot, NULL, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged",
				on_pad_changed, pw);
	H_ASSERT(h, r >= 0, "match: %s", strerror(-r));
	for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
		for (size_t i = 0; i < sizeof(pad_counters) / sizeof(pad_counters[0]); i++) {
			struct watched *w = &pw->w[pw->n++];

			(void)snprintf(w->path, sizeof(w->path), "%s", paths[p]);
			(void)snprintf(w->name, sizeof(w->name), "%s", pad_counters[i]);
			(void)snprintf(w->value, sizeof(w->value), "%s",
				       harness_pad_prop(h, __FILE__, __LINE__, paths[p], pad_counters[i]));
		}
}

static void unwatch_pads(struct pad_watch *pw)
{
	pw->slot = sd_bus_slot_unref(pw->slot);
}

/* A pad's counter, which must be what PropertiesChanged last announced (the signals
 * before the read's reply are dispatched first). */
static const char *pad_counter(struct pad_watch *pw, const char *file, int line, const char *path, const char *name)
{
	const char *v = harness_pad_prop(pw->h, file, line, path, name);
	struct watched *w = watched_find(pw, path, name);

	if (!w)
		harness_fail(pw->h, file, line, "%s %s is not watched", path, name);
	if (strcmp(v, w->value) != 0)
		harness_fail(pw->h, file, line, "%s %s reads %s, but PropertiesChanged last announced %s", path, name,
			     v, w->value);
	return v;
}
#define PAD_COUNTER(pw, path, name) pad_counter((pw), __FILE__, __LINE__, (path), (name))
#define PAD_COUNTER_U(pw, path, name) strtoull(PAD_COUNTER((pw), (path), (name)), NULL, 10)

static unsigned announced(struct pad_watch *pw, const char *path, const char *name)
{
	struct watched *w = watched_find(pw, path, name);

	return w ? w->announced : 0;
}

/* RollerRunSeconds's PropertiesChanged since the start: how many, and their wall times. */
static unsigned roller_announcements(struct harness *h, uint64_t *ret_when, unsigned max)
{
	unsigned n = 0;

	(void)harness_seen(h, "State", "idle"); /* dispatches what is queued */
	for (size_t i = 0; i < h->n_changes; i++)
		if (strcmp(h->changes[i].name, "RollerRunSeconds") == 0) {
			if (n < max)
				ret_when[n] = h->changes[i].when_usec;
			n++;
		}
	return n;
}

/* A program with both pads heating: the rollers' time grows by the program, its scan
 * and the parking, the pads' by the time their elements heat; every read is what was
 * announced; nothing moves while the chair is idle; a SIGKILL after the session loses
 * nothing of it. */
START_TEST(test_counters_grow_and_survive_kill)
{
	struct harness h;
	struct pad_watch pw;
	uint64_t when[16], finished_usec, roller, neck_s, neck_switches, lower_s, mid_run = 0, run_deadline;
	unsigned n, n_idle, neck_announced;
	double dose;
	char roller_text[32];

	harness_start(&h, SCAN_SCALE, NULL);
	H_ASSERT(&h, harness_log_contains(&h, "No maintenance counters in"), "a first start not said");
	watch_pads(&h, &pw);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "RollerRunSeconds"), "0");
	H_ASSERT_STR_EQ(&h, PAD_COUNTER(&pw, NECK, "HeatingSeconds"), "0");
	H_ASSERT_STR_EQ(&h, PAD_COUNTER(&pw, NECK, "RelaySwitches"), "0");
	H_ASSERT_STR_EQ(&h, PAD_COUNTER(&pw, LOWER_BACK, "Dose"), "0.00");
	H_ASSERT_STR_EQ(&h, PAD_COUNTER(&pw, LOWER_BACK, "DoseLimit"), "40.00");

	/* the neck pad holds 36 °C, its relay cycling; the lower back holds 44 °C: a dose */
	H_SIM(&h, "SetPadTemperature", "sd", "neck", 35.5);
	H_SIM(&h, "SetPadTemperature", "sd", "lower-back", 43.5);
	PAD_CALL(&h, NECK, "SetTarget", "d", 36.0);
	PAD_CALL(&h, LOWER_BACK, "SetTarget", "d", 44.0);
	run_deadline = harness_now_usec() + (SCAN_TIMEOUT_MS(&h) + harness_wall_ms(&h, 100) + 3000) * 1000ULL;
	H_START_RUNNING(&h, TEST_SHORT_ID);
	/* read while it runs: each read is what was announced (the harness holds Chair1's
	 * reads to it, pad_counter() the pads'), and the first minute is announced mid-run */
	while (harness_count_signals(&h, "ProgramFinished", TEST_SHORT_ID, NULL) == 0) {
		H_ASSERT(&h, harness_now_usec() < run_deadline, "the program did not finish");
		mid_run = MAX(mid_run, strtoull(H_PROP(&h, "RollerRunSeconds"), NULL, 10));
		(void)PAD_COUNTER(&pw, NECK, "HeatingSeconds");
		(void)PAD_COUNTER(&pw, NECK, "RelaySwitches");
		(void)PAD_COUNTER(&pw, LOWER_BACK, "Dose");
		harness_pump(&h, 100);
	}
	H_ASSERT(&h, mid_run >= 55, "RollerRunSeconds read at most %" PRIu64 " while the program ran", mid_run);
	finished_usec =
		H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "completed", harness_wall_ms(&h, 100) + 3000)
			->when_usec;
	H_WAIT_PROP(&h, "State", "idle", 5000);

	roller = strtoull(H_PROP(&h, "RollerRunSeconds"), NULL, 10);
	neck_s = PAD_COUNTER_U(&pw, NECK, "HeatingSeconds");
	neck_switches = PAD_COUNTER_U(&pw, NECK, "RelaySwitches");
	lower_s = PAD_COUNTER_U(&pw, LOWER_BACK, "HeatingSeconds");
	dose = strtod(PAD_COUNTER(&pw, LOWER_BACK, "Dose"), NULL);
	n = roller_announcements(&h, when, 16);
	printf("# after a 90 s program: rollers ran %" PRIu64 " s (%u announcements); neck heated %" PRIu64
	       " s, its relay closed %" PRIu64 " times; lower back heated %" PRIu64 " s, dose %.2f\n",
	       roller, n, neck_s, neck_switches, lower_s, dose);
	/* the program's 90 s, a scan (at most 90 s) and the parking */
	H_ASSERT(&h, roller >= 90 && roller <= 200, "RollerRunSeconds %" PRIu64, roller);
	/* announced during the run once a minute had passed, and at once when the session
	 * ended (the pads' heat off with it) and when the rollers were parked */
	H_ASSERT(&h, n >= 2 && n <= roller / 60 + 3, "%u announcements of RollerRunSeconds", n);
	for (unsigned i = 1; i < n && i < 16 && when[i] < finished_usec; i++)
		H_ASSERT(&h, when[i] - when[i - 1] >= harness_wall_ms(&h, 55) * 1000ULL,
			 "RollerRunSeconds announced %" PRIu64 " ms after the one before",
			 (when[i] - when[i - 1]) / 1000);
	/* the pads' counters on the same pacing, however often the relay cycled */
	for (size_t i = 0; i < sizeof(pad_counters) / sizeof(pad_counters[0]); i++)
		H_ASSERT(&h, announced(&pw, NECK, pad_counters[i]) <= roller / 60 + 3,
			 "the neck's %s announced %u times", pad_counters[i], announced(&pw, NECK, pad_counters[i]));
	H_ASSERT(&h, neck_s > 0 && neck_s < roller, "the neck heated %" PRIu64 " s", neck_s);
	H_ASSERT(&h, neck_switches >= 3, "the neck's relay closed %" PRIu64 " times holding 36 °C", neck_switches);
	H_ASSERT(&h, lower_s > 0, "the lower back heated %" PRIu64 " s", lower_s);
	H_ASSERT(&h, dose > 1.0, "the lower back's dose at 44 °C is %.2f", dose);

	/* idle for over a minute of chair time: the counters stay, and nothing is announced */
	(void)snprintf(roller_text, sizeof(roller_text), "%" PRIu64, roller);
	neck_announced = announced(&pw, NECK, "HeatingSeconds") + announced(&pw, NECK, "RelaySwitches");
	harness_pump(&h, harness_wall_ms(&h, 65));
	n_idle = roller_announcements(&h, when, 16);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "RollerRunSeconds"), roller_text);
	H_ASSERT(&h, n_idle == n, "RollerRunSeconds announced %u times while idle", n_idle - n);
	H_ASSERT(&h, PAD_COUNTER_U(&pw, NECK, "HeatingSeconds") == neck_s);
	H_ASSERT(&h, PAD_COUNTER_U(&pw, NECK, "RelaySwitches") == neck_switches);
	H_ASSERT(&h, announced(&pw, NECK, "HeatingSeconds") + announced(&pw, NECK, "RelaySwitches") == neck_announced,
		 "the neck's counters announced while idle");

	/* saved when the session ended: a kill now loses nothing */
	H_ASSERT(&h, harness_log_contains(&h, "Maintenance counters saved to"));
	unwatch_pads(&pw);
	harness_kill_daemon(&h);
	harness_start_daemon(&h, SCALE);
	H_ASSERT(&h, harness_log_contains(&h, "Maintenance counters restored from"));
	watch_pads(&h, &pw);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "RollerRunSeconds"), roller_text);
	H_ASSERT(&h, PAD_COUNTER_U(&pw, NECK, "HeatingSeconds") == neck_s);
	H_ASSERT(&h, PAD_COUNTER_U(&pw, NECK, "RelaySwitches") == neck_switches);
	H_ASSERT(&h, PAD_COUNTER_U(&pw, LOWER_BACK, "HeatingSeconds") == lower_s);
	unwatch_pads(&pw);
	harness_stop(&h);
}
END_TEST

/* A pad heating when massaged gets SIGTERM: the heating so far is written at exit (no
 * session ended, no minute passed to announce it) and is there after the restart. */
START_TEST(test_exit_saves_heating)
{
	struct harness h;
	struct pad_watch pw;
	uint64_t heated, switches;

	harness_start(&h, SCALE, NULL);
	PAD_CALL(&h, NECK, "SetTarget", "d", 40.0);
	harness_pump(&h, harness_wall_ms(&h, 20));
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	H_ASSERT(&h, strstr(harness_read_file(&h, harness_state_path(&h, "maintenance.state")), "HeatingSeconds.neck="),
		 "maintenance.state: %s", harness_read_file(&h, harness_state_path(&h, "maintenance.state")));

	harness_start_daemon(&h, SCALE);
	watch_pads(&h, &pw);
	heated = PAD_COUNTER_U(&pw, NECK, "HeatingSeconds");
	switches = PAD_COUNTER_U(&pw, NECK, "RelaySwitches");
	printf("# the neck heated %" PRIu64 " s (relay closed %" PRIu64 " times) before SIGTERM\n", heated, switches);
	H_ASSERT(&h, heated >= 10, "the neck heated %" PRIu64 " s of the 20 s before SIGTERM", heated);
	H_ASSERT(&h, switches >= 1, "the neck's relay closed %" PRIu64 " times", switches);
	unwatch_pads(&pw);
	harness_stop(&h);
}
END_TEST

/* A damaged maintenance.state: reported with file and line, the counters start from 0,
 * the chair works, and the save at exit replaces the file. */
START_TEST(test_damaged_file)
{
	struct harness h;
	char want[600];

	harness_init(&h, NULL);
	harness_write_file(&h, harness_state_path(&h, "maintenance.state"),
			   "[Maintenance]\nVersion=1\nRollerRunSeconds=lots\n");
	harness_start_daemon(&h, SCALE);
	(void)snprintf(want, sizeof(want), "Ignoring the maintenance counters: %s:3: RollerRunSeconds=lots",
		       harness_state_path(&h, "maintenance.state"));
	H_ASSERT(&h, harness_log_contains(&h, want), "no \"%s\" in the log", want);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "RollerRunSeconds"), "0");
	PAD_CALL(&h, NECK, "SetTarget", "d", 40.0);
	harness_wait_pad(&h, __FILE__, __LINE__, NECK, "State", "heating", 2000);
	harness_stop_daemon_at(&h, __FILE__, __LINE__);

	harness_start_daemon(&h, SCALE);
	H_ASSERT(&h, harness_log_contains(&h, "Maintenance counters restored from"));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "RollerRunSeconds"), "0");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("maintenance");

	CHECK_ADD_TEST(s, test_counters_grow_and_survive_kill, 60);
	CHECK_ADD_TEST(s, test_exit_saves_heating, 30);
	CHECK_ADD_TEST(s, test_damaged_file, 30);
	return check_run_tap(s);
}
