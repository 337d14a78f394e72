/* SPDX-License-Identifier: MIT */
/* Areas of concern end to end: how long each zone is worked over whole programs with
 * and without a focus (from the Zone property), a focus changed mid-program,
 * StartFocus on every zone, the refusals, and massagectl focus. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness.h"

/* 1080 s of the full program in about 11 s: the step boundaries are read from
 * Remaining, whole seconds of program time, so the scale costs no precision. */
#define SCALE 100

static const char *const zone_names[] = { "neck", "shoulders", "upper-back", "lower-back", "back" };
#define N_ZONES 5

/* Seconds of program time each Zone value held, and the program's length. */
struct zone_times {
	unsigned s[N_ZONES];
	unsigned total;
	unsigned spans; /* how many times Zone changed to a zone */
	char zones_seen[128];
};

/* Chair1's properties in the order the daemon sends them in one PropertiesChanged
 * (the introspection order), to tell one signal's changes from the next one's. */
static int property_rank(const char *name)
{
	static const char *const order[] = { "State",        "Program",   "Technique",      "Zone",         "Step",
					     "StepCount",    "Intensity", "Speed",          "Width",        "Heat",
					     "Elapsed",      "Remaining", "ShoulderHeight", "Seated",       "Faults",
					     "SessionLimit", "Force",     "ForceTarget",    "ZonePressure", "Focus" };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(order[i], name) == 0)
			return (int)i;
	return 100;
}

static int zone_index(const char *zone)
{
	for (int i = 0; i < N_ZONES; i++)
		if (strcmp(zone_names[i], zone) == 0)
			return i;
	return -1;
}

/* From the changes recorded since the last clear: each time Zone changed, the
 * Remaining announced with it (the same signal) is where the program stood, to the
 * second: steps begin and end on whole seconds of program time. A zone's time is the
 * Remaining at its start less the Remaining at the next change (0 at the end). */
static void zone_times_read(struct harness *h, struct zone_times *ret)
{
	int current = -1, last_rank = 1000;
	unsigned current_start = 0, remaining = 0;
	bool zone_pending = false;
	const char *pending_zone = "";

	*ret = (struct zone_times) {};
	for (size_t i = 0; i <= h->n_changes; i++) {
		const struct harness_change *ch = i < h->n_changes ? &h->changes[i] : NULL;
		int rank = ch ? property_rank(ch->name) : -1;

		/* a signal ends where the ranks stop rising: its zone change takes effect */
		if (rank <= last_rank && zone_pending) {
			int z = zone_index(pending_zone);
			unsigned at = pending_zone[0] ? remaining : 0;

			if (current >= 0) {
				H_ASSERT(h, current_start >= at, "Remaining rose from %u to %u", current_start, at);
				ret->s[current] += current_start - at;
			}
			H_ASSERT(h, pending_zone[0] == '\0' || z >= 0, "Zone \"%s\"", pending_zone);
			current = z;
			current_start = at;
			if (z >= 0) {
				ret->total = ret->total ? ret->total : remaining;
				ret->spans++;
				(void)snprintf(ret->zones_seen + strlen(ret->zones_seen),
					       sizeof(ret->zones_seen) - strlen(ret->zones_seen), "%s%s",
					       ret->zones_seen[0] ? "," : "", pending_zone);
			}
			zone_pending = false;
		}
		if (!ch)
			break;
		last_rank = rank;
		if (strcmp(ch->name, "Zone") == 0 && ch->value) {
			zone_pending = true;
			pending_zone = ch->value;
		} else if (strcmp(ch->name, "Remaining") == 0 && ch->value) {
			remaining = (unsigned)strtoul(ch->value, NULL, 10);
		}
	}
	H_ASSERT(h, current < 0, "the program had not ended: Zone still %s", zone_names[current]);
}

static unsigned zone_times_sum(const struct zone_times *t)
{
	unsigned sum = 0;

	for (int i = 0; i < N_ZONES; i++)
		sum += t->s[i];
	return sum;
}

static void zone_times_print(const char *what, const struct zone_times *t)
{
	printf("# %-28s", what);
	for (int i = 0; i < N_ZONES; i++)
		printf(" %s %u s,", zone_names[i], t->s[i]);
	printf(" in all %u s\n", zone_times_sum(t));
}

/* Start `id` (StartFocus when zone is set) and follow it to its completion. */
static void run_whole(struct harness *h, const char *id, const char *zone, unsigned minutes, struct zone_times *ret)
{
	harness_clear_history(h);
	harness_forget_signals(h);
	if (zone)
		H_CALL(h, "StartFocus", "su", zone, minutes);
	else
		H_CALL(h, "Start", "s", id);
	H_WAIT_SIGNAL(h, "ProgramFinished", id, "completed", harness_wall_ms(h, 1200 + 120) + 10000);
	H_WAIT_PROP(h, "State", "idle", harness_wall_ms(h, 60) + 3000);
	zone_times_read(h, ret);
}

static void set_focus(struct harness *h, const char *a, const char *b)
{
	if (b)
		H_CALL(h, "SetFocus", "as", 2, a, b);
	else if (a)
		H_CALL(h, "SetFocus", "as", 1, a);
	else
		H_CALL(h, "SetFocus", "as", 0);
}

/* |got - want| within 2 % of want */
static bool within_2_percent(double got, double want)
{
	return got >= want * 0.98 && got <= want * 1.02;
}

static void start_chair(struct harness *h)
{
	harness_start(h, SCALE, NULL);
	H_CALL(h, "SetTimer", "u", 30); /* Remaining is the program's, not the limit's */
}

/* The full program, then the same under focus neck: the neck gets ×1.5 (120 → 180 s),
 * every other zone less, and the program keeps its length. */
START_TEST(test_focus_neck_full_program)
{
	struct harness h;
	struct zone_times plain, focused;

	start_chair(&h);
	run_whole(&h, "full", NULL, 0, &plain);
	set_focus(&h, "neck", NULL);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "neck");
	run_whole(&h, "full", NULL, 0, &focused);
	zone_times_print("full:", &plain);
	zone_times_print("full, focus neck:", &focused);

	H_ASSERT_UINT_EQ(&h, plain.total, 1080);
	H_ASSERT(&h, plain.s[0] >= 119 && plain.s[0] <= 121, "the neck %u s without focus", plain.s[0]);
	H_ASSERT(&h, within_2_percent(focused.s[0], 1.5 * plain.s[0]), "the neck %u s under focus, %u s without",
		 focused.s[0], plain.s[0]);
	H_ASSERT(&h, within_2_percent(zone_times_sum(&focused), zone_times_sum(&plain)),
		 "%u s under focus, %u s without", zone_times_sum(&focused), zone_times_sum(&plain));
	for (int i = 1; i < N_ZONES; i++)
		H_ASSERT(&h, focused.s[i] < plain.s[i], "%s: %u s under focus, %u s without", zone_names[i],
			 focused.s[i], plain.s[i]);
	/* the steps and their order stay: the same zones in the same order */
	H_ASSERT_STR_EQ(&h, focused.zones_seen, plain.zones_seen);
	harness_stop(&h);
}
END_TEST

/* The back program with the lower back in focus: 270 s of lower-back steps and 360 s
 * of whole-back steps (half on the lower back) want ×1.5 and ×1.25, more than the
 * 270 s of upper-back steps can give: those give half, no more, and the focus shares
 * what they gave. The program keeps its length. */
START_TEST(test_focus_lower_back_back_program)
{
	struct harness h;
	struct zone_times plain, focused;

	start_chair(&h);
	run_whole(&h, "back", NULL, 0, &plain);
	set_focus(&h, "lower-back", NULL);
	run_whole(&h, "back", NULL, 0, &focused);
	zone_times_print("back:", &plain);
	zone_times_print("back, focus lower-back:", &focused);

	H_ASSERT(&h, focused.s[2] * 2 >= plain.s[2] - 2 && focused.s[2] * 2 <= plain.s[2] + 2,
		 "the upper back %u s under focus, %u s without: not half", focused.s[2], plain.s[2]);
	H_ASSERT(&h, focused.s[3] * 100 >= plain.s[3] * 125, "the lower back %u s under focus, %u s without",
		 focused.s[3], plain.s[3]);
	H_ASSERT(&h, focused.s[4] > plain.s[4], "the back %u s under focus, %u s without", focused.s[4], plain.s[4]);
	/* the lower back gains more than the back steps only half on it */
	H_ASSERT(&h, (double)focused.s[3] / plain.s[3] > (double)focused.s[4] / plain.s[4],
		 "the lower back ×%.2f, the back ×%.2f", (double)focused.s[3] / plain.s[3],
		 (double)focused.s[4] / plain.s[4]);
	H_ASSERT(&h, within_2_percent(zone_times_sum(&focused), zone_times_sum(&plain)),
		 "%u s under focus, %u s without", zone_times_sum(&focused), zone_times_sum(&plain));
	harness_stop(&h);
}
END_TEST

/* SetFocus during the first step of the full program: Step and Remaining do not jump,
 * and the rest of the program gives the neck its ×1.5 within the same length. */
START_TEST(test_focus_mid_program)
{
	struct harness h;
	struct zone_times t;
	unsigned step, remaining_before, remaining_after;

	start_chair(&h);
	harness_clear_history(&h);
	H_CALL(&h, "Start", "s", "full");
	H_WAIT_RUNNING(&h);
	H_WAIT_PROP(&h, "Remaining", "1020", harness_wall_ms(&h, 120) + 3000); /* 60 s into step 1 */
	step = H_PROP_U(&h, "Step");
	remaining_before = H_PROP_U(&h, "Remaining");
	set_focus(&h, "neck", NULL);
	remaining_after = H_PROP_U(&h, "Remaining");
	H_ASSERT_UINT_EQ(&h, step, 1);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Step"), 1);
	H_ASSERT(&h, remaining_after <= remaining_before && remaining_after + 5 >= remaining_before,
		 "Remaining %u before SetFocus, %u after", remaining_before, remaining_after);
	H_WAIT_SIGNAL(&h, "ProgramFinished", "full", "completed", harness_wall_ms(&h, 1200) + 10000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 60) + 3000);
	zone_times_read(&h, &t);
	zone_times_print("full, focus neck at 60 s:", &t);
	H_ASSERT_UINT_EQ(&h, t.total, 1080);
	H_ASSERT(&h, within_2_percent(t.s[0], 180), "the neck %u s", t.s[0]);
	H_ASSERT(&h, within_2_percent(zone_times_sum(&t), 1080), "%u s in all", zone_times_sum(&t));
	{
		/* Elapsed never went back, Remaining never up */
		unsigned last_elapsed = 0, last_remaining = UINT32_MAX;

		for (size_t i = 0; i < h.n_changes; i++) {
			unsigned v = h.changes[i].value ? (unsigned)strtoul(h.changes[i].value, NULL, 10) : 0;

			if (strcmp(h.changes[i].name, "Elapsed") == 0 && h.changes[i].value && v) {
				H_ASSERT(&h, v >= last_elapsed, "Elapsed went from %u to %u", last_elapsed, v);
				last_elapsed = v;
			} else if (strcmp(h.changes[i].name, "Remaining") == 0 && h.changes[i].value && v) {
				H_ASSERT(&h, v <= last_remaining, "Remaining went from %u to %u", last_remaining, v);
				last_remaining = v;
			}
		}
	}
	harness_stop(&h);
}
END_TEST

/* StartFocus on each zone: Program focus-ZONE, only that zone worked, gliding first
 * and last, the length asked for. */
START_TEST(test_start_focus_each_zone)
{
	struct harness h;

	start_chair(&h);
	for (int i = 0; i < 4; i++) {
		char id[64];
		struct zone_times t;

		(void)snprintf(id, sizeof(id), "focus-%s", zone_names[i]);
		harness_clear_history(&h);
		H_CALL(&h, "StartFocus", "su", zone_names[i], 3);
		H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), id);
		H_WAIT_RUNNING(&h);
		H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "StepCount"), 5);
		H_ASSERT_STR_EQ(&h, H_PROP(&h, "Zone"), zone_names[i]);
		H_WAIT_SIGNAL(&h, "ProgramFinished", id, "completed", harness_wall_ms(&h, 180 + 60) + 10000);
		H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 60) + 3000);
		H_ASSERT(&h, harness_seen(&h, "Technique", "glide") && harness_seen(&h, "Technique", "knead"),
			 "%s: no glide or no knead", id);
		zone_times_read(&h, &t);
		H_ASSERT_STR_EQ(&h, t.zones_seen, zone_names[i]);
		H_ASSERT_UINT_EQ(&h, t.total, 180);
		H_ASSERT_UINT_EQ(&h, t.s[i], 180);
		printf("# StartFocus %s 3: %s %u s of %u s\n", zone_names[i], zone_names[i], t.s[i], t.total);
	}
	harness_stop(&h);
}
END_TEST

START_TEST(test_focus_refusals)
{
	struct harness h;
	const char *msg;

	harness_start(&h, SCAN_SCALE, NULL);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "");
	set_focus(&h, "back", NULL);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "upper-back,lower-back");
	set_focus(&h, "lower-back", "neck");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "neck,lower-back");

	/* an unknown zone changes nothing and names the valid ones */
	msg = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SetFocus", "as", 2, "neck", "elbow");
	H_ASSERT(&h, strstr(msg, "elbow") && strstr(msg, "neck, shoulders, upper-back, lower-back or back"), "%s", msg);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "neck,lower-back");
	msg = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "SetFocus", "as", 1, "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "neck,lower-back");
	set_focus(&h, NULL, NULL);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "");

	msg = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "StartFocus", "su", "back", 5);
	H_ASSERT(&h, strstr(msg, "upper-back or lower-back"), "%s", msg);
	msg = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "StartFocus", "su", "elbow", 5);
	H_ASSERT(&h, strstr(msg, "neck, shoulders, upper-back or lower-back"), "%s", msg);
	msg = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "StartFocus", "su", "neck", 2);
	H_ASSERT(&h, strstr(msg, "3 to 15 minutes"), "%s", msg);
	H_CALL_ERR(&h, ERROR_INVALID_ARGS, "StartFocus", "su", "neck", 16);
	H_CALL_ERR(&h, ERROR_INVALID_ARGS, "StartFocus", "su", "neck", 0);
	H_CALL(&h, "SetTimer", "u", 5);
	msg = H_CALL_ERR(&h, ERROR_INVALID_ARGS, "StartFocus", "su", "neck", 10);
	H_ASSERT(&h, strstr(msg, "session limit of 5 min"), "%s", msg);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");

	H_SIM(&h, "SetSeated", "b", 0);
	H_CALL_ERR(&h, CHAIR_ERROR("NotSeated"), "StartFocus", "su", "neck", 5);
	H_SIM(&h, "SetSeated", "b", 1);
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	H_WAIT_PROP(&h, "State", "fault", 3000);
	H_CALL_ERR(&h, CHAIR_ERROR("Faulted"), "StartFocus", "su", "neck", 5);
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	H_CLEAR_FAULT(&h, "estop");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "");

	/* it replaces a running session like Start */
	H_START_RUNNING(&h, TEST_LONG_ID);
	H_CALL(&h, "StartFocus", "su", "shoulders", 5);
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_LONG_ID, "replaced", 2000);
	H_WAIT_PROP(&h, "Program", "focus-shoulders", 2000);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Remaining"), 300);
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "focus-shoulders", "stopped", 2000);
	harness_stop(&h);
}
END_TEST

static int massagectl(struct harness *h, const char *out, const char *err, char *const args[])
{
	char *argv[10] = { getenv("MASSAGECTL") };

	H_ASSERT(h, argv[0], "MASSAGECTL is not set");
	for (size_t i = 0; args[i] && i < 8; i++)
		argv[i + 1] = args[i];
	return harness_run(h, argv, out, err, 10000);
}

/* What a person sees: massagectl focus shows, sets, clears and starts. */
START_TEST(test_massagectl_focus)
{
	struct harness h;
	char out[400], err[400];
	int status;

	harness_start(&h, SCAN_SCALE, NULL);
	(void)snprintf(out, sizeof(out), "%s/ctl.out", h.tmpdir);
	(void)snprintf(err, sizeof(err), "%s/ctl.err", h.tmpdir);
	H_ASSERT(&h, massagectl(&h, out, err, (char *[]) { "focus", NULL }) == 0);
	H_ASSERT_STR_EQ(&h, harness_read_file(&h, out), "none\n");
	H_ASSERT(&h, massagectl(&h, out, err, (char *[]) { "focus", "neck", "back", NULL }) == 0);
	H_ASSERT_STR_EQ(&h, harness_read_file(&h, out), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "neck,upper-back,lower-back");
	H_ASSERT(&h, massagectl(&h, out, err, (char *[]) { "focus", NULL }) == 0);
	H_ASSERT_STR_EQ(&h, harness_read_file(&h, out), "neck upper-back lower-back\n");

	/* the daemon's refusal reaches the person; nothing changes */
	status = massagectl(&h, out, err, (char *[]) { "focus", "elbow", NULL });
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d", status);
	H_ASSERT(&h, strstr(harness_read_file(&h, err), "Unknown zone 'elbow'"), "stderr: %s",
		 harness_read_file(&h, err));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "neck,upper-back,lower-back");
	/* usage errors, before the daemon is asked */
	status = massagectl(&h, out, err, (char *[]) { "focus", "none", "neck", NULL });
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d", status);
	status = massagectl(&h, out, err, (char *[]) { "focus", "--start", "neck", NULL });
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d", status);
	status = massagectl(&h, out, err, (char *[]) { "focus", "--start", "neck", "ten", NULL });
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d", status);
	H_ASSERT(&h, strstr(harness_read_file(&h, err), "whole minutes from 3 to 15, not 'ten'"), "stderr: %s",
		 harness_read_file(&h, err));

	H_ASSERT(&h, massagectl(&h, out, err, (char *[]) { "focus", "none", NULL }) == 0);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Focus"), "");

	H_ASSERT(&h, massagectl(&h, out, err, (char *[]) { "focus", "--start", "neck", "5", NULL }) == 0);
	H_WAIT_PROP(&h, "Program", "focus-neck", 2000);
	status = massagectl(&h, out, err, (char *[]) { "focus", "--start", "neck", "20", NULL });
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d", status);
	H_ASSERT(&h, strstr(harness_read_file(&h, err), "3 to 15 minutes"), "stderr: %s", harness_read_file(&h, err));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "focus-neck");
	H_CALL(&h, "Stop", "");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("focus");

	CHECK_ADD_TEST(s, test_focus_neck_full_program, 120);
	CHECK_ADD_TEST(s, test_focus_lower_back_back_program, 120);
	CHECK_ADD_TEST(s, test_focus_mid_program, 120);
	CHECK_ADD_TEST(s, test_start_focus_each_zone, 120);
	CHECK_ADD_TEST(s, test_focus_refusals, 120);
	CHECK_ADD_TEST(s, test_massagectl_focus, 60);
	return check_run_tap(s);
}
