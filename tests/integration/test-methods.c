/* SPDX-License-Identifier: MIT */
/* Every Chair1 method's success path and every error of the contract
 * (daemon/bus/org.massaged.Chair1.xml), the Simulator1 errors, and introspection. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-tap.h"
#include "harness.h"

static const char *const shipped_ids[] = {
	"back", "deep-tissue", "full", "hot-stone", "neck", "shiatsu", "shoulder", "swedish", "trigger-point",
};

static void check_mentions(struct harness *h, const char *file, int line, const char *member, const char *message,
			   const char *needle)
{
	if (!strstr(message, needle))
		harness_fail(h, file, line, "%s: the error message \"%s\" does not name the bad value \"%s\"", member,
			     message, needle);
}

/* A call refused with `error`; the message names `needle` (if any); nothing changed. */
#define EXPECT_REFUSED(h, before, error, needle, member, ...) \
	do { \
		const char *_msg = H_CALL_ERR((h), (error), (member), __VA_ARGS__); \
		const char *_needle = (needle); \
		if (_needle) \
			check_mentions((h), __FILE__, __LINE__, (member), _msg, _needle); \
		H_ASSERT_UNCHANGED((h), (before)); \
	} while (0)

START_TEST(test_initial_state)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Technique"), "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Zone"), "");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Step"), 0);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "StepCount"), 0);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "ShoulderHeight"), 0);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 20 * 60);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Elapsed"), 0);
	H_ASSERT(&h, H_PROP_B(&h, "Seated"), "the simulated person starts seated");
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"));
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "");
	{
		uint32_t i = H_PROP_U(&h, "Intensity"), s = H_PROP_U(&h, "Speed");
		const char *w = H_PROP(&h, "Width");

		H_ASSERT(&h, i >= 1 && i <= 5, "Intensity %u", i);
		H_ASSERT(&h, s >= 1 && s <= 6, "Speed %u", s);
		H_ASSERT(&h, !strcmp(w, "narrow") || !strcmp(w, "medium") || !strcmp(w, "wide"), "Width %s", w);
	}
	/* the safe state at start-up: motors and heat off */
	H_ASSERT(&h, !H_OUTPUT(&h, "MOTOR_POWER"));
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_POWER"));
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_NECK"));
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_SHOULDERS"));
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_LOWER_BACK"));
	(void)H_OUTPUT(&h, "LED");
	/* the simulation starts with every pad at 24 °C */
	{
		static const char *const pads[] = { "neck", "shoulders", "lower-back" };

		for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
			double t = H_PAD_TEMPERATURE(&h, pads[i]);

			H_ASSERT(&h, t > 23.5 && t < 24.5, "pad %s at %.2f °C, expected 24", pads[i], t);
		}
	}
	harness_stop(&h);
}
END_TEST

START_TEST(test_invalid_args)
{
	struct harness h;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	before = harness_snapshot(&h);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "bogus", "StartManual", "ss", "bogus", "neck");
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "elbow", "StartManual", "ss", "knead", "elbow");
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "0", "SetIntensity", "u", 0);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "6", "SetIntensity", "u", 6);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "0", "SetSpeed", "u", 0);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "7", "SetSpeed", "u", 7);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "huge", "SetWidth", "s", "huge");
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "0", "SetTimer", "u", 0);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "3", "SetTimer", "u", 3);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "7", "SetTimer", "u", 7);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "35", "SetTimer", "u", 35);
	/* the same while a program runs: nothing but the clock may move */
	free(before);
	H_START_RUNNING(&h, TEST_LONG_ID);
	H_CALL(&h, "Pause", "");
	H_WAIT_PROP(&h, "State", "paused", 2000);
	before = harness_snapshot(&h);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "bogus", "StartManual", "ss", "bogus", "neck");
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "6", "SetIntensity", "u", 6);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "7", "SetSpeed", "u", 7);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "huge", "SetWidth", "s", "huge");
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "35", "SetTimer", "u", 35);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "51", "AdjustShoulder", "i", 51);
	free(before);
	harness_stop(&h);
}
END_TEST

START_TEST(test_idle_errors)
{
	struct harness h;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	before = harness_snapshot(&h);
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("NoSuchProgram"), NULL, "Start", "s", "nosuch");
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("NotRunning"), NULL, "Pause", "");
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("NotRunning"), NULL, "Resume", "");
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("NotScanned"), NULL, "AdjustShoulder", "i", 10);
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("NotScanned"), NULL, "AdjustShoulder", "i", -10);
	/* Stop with nothing running or heating succeeds and changes nothing; so does
	 * ClearFault with no fault latched */
	H_CALL(&h, "Stop", "");
	H_ASSERT_UNCHANGED(&h, before);
	H_CALL(&h, "ClearFault", "");
	H_ASSERT_UNCHANGED(&h, before);
	harness_pump(&h, 100);
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "FaultCleared", NULL, NULL), 0);
	free(before);
	/* but with no session, Stop still ends heat alone: what a person pressing Stop
	 * expects (a pad heated by SetTarget and Heat on) */
	H_CALL(&h, "SetHeat", "b", 1);
	sd_bus_message_unref(harness_call_ok(&h, __FILE__, __LINE__, CHAIR_PATH "/heater/neck", "org.massaged.Heater1",
					     "SetTarget", "d", 42.0));
	H_ASSERT(&h, H_OUTPUT(&h, "HEAT_POWER"), "the master heat relay open while the neck pad heats");
	H_CALL(&h, "Stop", "");
	H_ASSERT(&h, !H_OUTPUT(&h, "HEAT_POWER") && !H_OUTPUT(&h, "HEAT_NECK"), "heat on after Stop");
	H_ASSERT_STR_EQ(&h, harness_get(&h, CHAIR_PATH "/heater/neck", "org.massaged.Heater1", "State", NULL), "off");
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"), "Heat still on after Stop");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	harness_stop(&h);
}
END_TEST

START_TEST(test_adjust_shoulder)
{
	struct harness h;
	uint32_t scanned;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	H_CALL(&h, "Scan", "");
	H_WAIT_PROP(&h, "State", "idle", SCAN_TIMEOUT_MS(&h));
	scanned = H_PROP_U(&h, "ShoulderHeight");
	H_ASSERT(&h, scanned >= 590 && scanned <= 610, "ShoulderHeight %u after a scan of a 600 mm person", scanned);
	before = harness_snapshot(&h);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "51", "AdjustShoulder", "i", 51);
	EXPECT_REFUSED(&h, before, ERROR_INVALID_ARGS, "-51", "AdjustShoulder", "i", -51);
	free(before);
	H_CALL(&h, "AdjustShoulder", "i", 50);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "ShoulderHeight"), scanned + 50);
	H_CALL(&h, "AdjustShoulder", "i", -50);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "ShoulderHeight"), scanned);
	H_CALL(&h, "AdjustShoulder", "i", -7);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "ShoulderHeight"), scanned - 7);
	harness_stop(&h);
}
END_TEST

START_TEST(test_not_seated)
{
	struct harness h;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	H_SIM(&h, "SetSeated", "b", 0);
	H_WAIT_PROP(&h, "Seated", "false", 2000);
	before = harness_snapshot(&h);
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("NotSeated"), NULL, "Start", "s", TEST_SHORT_ID);
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("NotSeated"), NULL, "StartManual", "ss", "knead", "neck");
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("NotSeated"), NULL, "Scan", "");
	free(before);
	H_SIM(&h, "SetSeated", "b", 1);
	H_WAIT_PROP(&h, "Seated", "true", 2000);
	H_START_RUNNING(&h, TEST_SHORT_ID);
	harness_stop(&h);
}
END_TEST

START_TEST(test_faulted)
{
	struct harness h;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	H_WAIT_SIGNAL(&h, "FaultRaised", "estop", NULL, 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "estop");
	before = harness_snapshot(&h);
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("Faulted"), NULL, "Start", "s", TEST_SHORT_ID);
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("Faulted"), NULL, "StartManual", "ss", "knead", "neck");
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("Faulted"), NULL, "Scan", "");
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("Faulted"), NULL, "SetHeat", "b", 1);
	EXPECT_REFUSED(&h, before, CHAIR_ERROR("FaultActive"), NULL, "ClearFault", "");
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "FaultCleared", NULL, NULL), 0);
	free(before);

	/* released: still latched until ClearFault */
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	harness_pump(&h, 100);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "fault");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Faults"), "estop");
	H_CLEAR_FAULT(&h, "estop");
	H_START_RUNNING(&h, TEST_SHORT_ID);
	harness_stop(&h);
}
END_TEST

START_TEST(test_timer)
{
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_CALL(&h, "SetTimer", "u", 10);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 600);
	H_CALL(&h, "SetTimer", "u", 5);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 300);
	H_CALL(&h, "SetTimer", "u", 20);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "SessionLimit"), 1200);
	H_ASSERT(&h, harness_seen(&h, "SessionLimit", "600"), "SetTimer(10) emitted no PropertiesChanged");
	harness_stop(&h);
}
END_TEST

START_TEST(test_success_paths)
{
	struct harness h;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	H_CALL(&h, "SetIntensity", "u", 2);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 2);
	H_CALL(&h, "SetIntensity", "u", 5);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 5);
	H_CALL(&h, "SetIntensity", "u", 1);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 1);

	harness_clear_history(&h);
	H_CALL(&h, "Scan", "");
	H_CALL(&h, "Scan", ""); /* scanning while a scan runs succeeds */
	H_WAIT_PROP(&h, "State", "idle", SCAN_TIMEOUT_MS(&h));
	H_ASSERT(&h, harness_seen(&h, "State", "scanning"), "no State scanning: %s", harness_state_history(&h));
	H_ASSERT(&h, H_PROP_U(&h, "ShoulderHeight") > 0);
	/* intensity is kept for the session */
	H_START_RUNNING(&h, TEST_SHORT_ID);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 1);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "StepCount"), 3);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Step"), 1);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Technique"), "knead");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Zone"), "neck");

	/* the person's speed and width override the steps' for the rest of the session */
	H_CALL(&h, "SetSpeed", "u", 6);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Speed"), 6);
	H_CALL(&h, "SetWidth", "s", "narrow");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Width"), "narrow");
	H_CALL(&h, "SetIntensity", "u", 4);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 4);
	H_WAIT_PROP(&h, "Step", "2", harness_wall_ms(&h, 30) + 2000);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Speed"), 6);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Width"), "narrow");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 4);

	H_CALL(&h, "SetHeat", "b", 1);
	H_ASSERT(&h, H_PROP_B(&h, "Heat"));
	H_CALL(&h, "SetHeat", "b", 0);
	H_ASSERT(&h, !H_PROP_B(&h, "Heat"));

	H_CALL(&h, "Pause", "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "paused");
	before = harness_snapshot(&h);
	H_CALL(&h, "Pause", ""); /* pausing a paused session succeeds and changes nothing */
	H_ASSERT_UNCHANGED(&h, before);
	free(before);
	H_CALL(&h, "Resume", "");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_CALL(&h, "Resume", ""); /* resuming a running session succeeds */
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), TEST_SHORT_ID);

	/* StartManual replaces the program */
	H_CALL(&h, "StartManual", "ss", "tap", "upper-back");
	H_WAIT_SIGNAL(&h, "ProgramFinished", TEST_SHORT_ID, "replaced", 2000);
	H_WAIT_PROP(&h, "Program", "manual", 2000);
	H_WAIT_RUNNING(&h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Technique"), "tap");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Zone"), "upper-back");

	harness_clear_history(&h);
	H_CALL(&h, "Stop", "");
	H_WAIT_SIGNAL(&h, "ProgramFinished", "manual", "stopped", 2000);
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 30) + 2000);
	H_ASSERT(&h, harness_history_in_order(&h, "stopping,idle"), "State history %s", harness_state_history(&h));
	before = harness_snapshot(&h);
	H_CALL(&h, "Stop", ""); /* idempotent */
	H_ASSERT_UNCHANGED(&h, before);
	free(before);
	harness_pump(&h, 100);
	H_ASSERT_UINT_EQ(&h, harness_count_signals(&h, "ProgramFinished", NULL, NULL), 0);
	harness_stop(&h);
}
END_TEST

START_TEST(test_list_programs)
{
	struct harness h;
	sd_bus_message *reply;
	const char *id, *title, *description;
	char previous[128] = "";
	bool found[sizeof(shipped_ids) / sizeof(shipped_ids[0])] = { false };
	bool short_found = false;
	uint32_t duration;
	unsigned n = 0;
	int r;

	harness_start(&h, SCAN_SCALE, NULL);
	reply = H_CALL_REPLY(&h, "ListPrograms", "");
	r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(sssu)");
	H_ASSERT(&h, r >= 0, "ListPrograms reply: %s", strerror(-r));
	while ((r = sd_bus_message_read(reply, "(sssu)", &id, &title, &description, &duration)) > 0) {
		bool shipped = false;

		n++;
		H_ASSERT(&h, strcmp(previous, id) < 0, "ListPrograms not sorted by id: \"%s\" after \"%s\"", id,
			 previous);
		(void)snprintf(previous, sizeof(previous), "%s", id);
		H_ASSERT(&h, title[0], "program %s has no title", id);
		H_ASSERT(&h, description[0], "program %s has no description", id);
		for (size_t i = 0; i < sizeof(shipped_ids) / sizeof(shipped_ids[0]); i++)
			if (strcmp(id, shipped_ids[i]) == 0) {
				found[i] = shipped = true;
				H_ASSERT(&h, duration >= 600 && duration <= 1200,
					 "shipped program %s lasts %u s, expected 10-20 min", id, duration);
			}
		if (strcmp(id, TEST_SHORT_ID) == 0) {
			short_found = true;
			H_ASSERT_STR_EQ(&h, title, "Test short");
			H_ASSERT_UINT_EQ(&h, duration, 90);
		}
		if (strcmp(id, TEST_LONG_ID) == 0)
			H_ASSERT_UINT_EQ(&h, duration, 1800);
		(void)shipped;
	}
	H_ASSERT(&h, r >= 0, "ListPrograms reply: %s", strerror(-r));
	sd_bus_message_unref(reply);
	for (size_t i = 0; i < sizeof(shipped_ids) / sizeof(shipped_ids[0]); i++)
		H_ASSERT(&h, found[i], "ListPrograms lacks the shipped program %s", shipped_ids[i]);
	H_ASSERT(&h, short_found, "ListPrograms lacks %s from the override directory", TEST_SHORT_ID);
	H_ASSERT(&h, n >= 11, "ListPrograms lists %u programs", n);
	harness_stop(&h);
}
END_TEST

START_TEST(test_simulator_errors)
{
	struct harness h;
	char *before;

	harness_start(&h, SCAN_SCALE, NULL);
	before = harness_snapshot(&h);
	(void)H_SIM_ERR(&h, ERROR_INVALID_ARGS, "PressButton", "s", "eject");
	(void)H_SIM_ERR(&h, ERROR_INVALID_ARGS, "PressButton", "s", "");
	(void)H_SIM_ERR(&h, ERROR_INVALID_ARGS, "InjectFault", "sb", "meteor", 1);
	(void)H_SIM_ERR(&h, ERROR_INVALID_ARGS, "InjectFault", "sb", "sensor-open:elbow", 1);
	/* upper-back has no pad in the default wiring */
	(void)H_SIM_ERR(&h, ERROR_INVALID_ARGS, "InjectFault", "sb", "heater-dead:upper-back", 1);
	(void)H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetShoulderHeight", "u", 100);
	(void)H_SIM_ERR(&h, ERROR_INVALID_ARGS, "SetShoulderHeight", "u", 781);
	H_ASSERT_UNCHANGED(&h, before);
	free(before);
	H_ASSERT(&h, H_ROLLER(&h) <= 780);
	harness_stop(&h);
}
END_TEST

/* ---- introspection ---- */

struct member {
	char iface[64];
	char kind[16]; /* method, signal, property */
	char name[64];
	char signature[256];
};

struct member_list {
	struct member items[192];
	size_t n;
};

/* The value of attribute `name` in a tag's attribute text, or false. */
static bool xml_attribute(const char *attrs, size_t len, const char *name, char *ret, size_t size)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i + nlen + 2 < len; i++) {
		char quote;
		const char *end;

		if ((i > 0 && attrs[i - 1] != ' ' && attrs[i - 1] != '\t' && attrs[i - 1] != '\n') ||
		    strncmp(attrs + i, name, nlen) != 0 || attrs[i + nlen] != '=')
			continue;
		quote = attrs[i + nlen + 1];
		if (quote != '"' && quote != '\'')
			continue;
		end = memchr(attrs + i + nlen + 2, quote, len - (i + nlen + 2));
		if (!end)
			return false;
		(void)snprintf(ret, size, "%.*s", (int)(end - (attrs + i + nlen + 2)), attrs + i + nlen + 2);
		return true;
	}
	return false;
}

/* Members (with their argument signature, or type and access) of every interface. */
static void xml_members(const char *xml, struct member_list *out)
{
	char iface[64] = "";
	struct member *cur = NULL;
	const char *p = xml;

	out->n = 0;
	while ((p = strchr(p, '<'))) {
		const char *end, *attrs;
		char tag[32] = "";
		size_t tlen = 0, alen;
		bool closing = false;

		if (strncmp(p, "<!--", 4) == 0) {
			end = strstr(p, "-->");
			if (!end)
				return;
			p = end + 3;
			continue;
		}
		end = strchr(p, '>');
		if (!end)
			return;
		p++;
		if (*p == '!' || *p == '?') {
			p = end + 1;
			continue;
		}
		if (*p == '/') {
			closing = true;
			p++;
		}
		while (p < end && p[tlen] != ' ' && p[tlen] != '\t' && p[tlen] != '\n' && p[tlen] != '/' &&
		       p + tlen < end && tlen < sizeof(tag) - 1)
			tlen++;
		(void)snprintf(tag, sizeof(tag), "%.*s", (int)tlen, p);
		attrs = p + tlen;
		alen = (size_t)(end - attrs);
		p = end + 1;
		if (strcmp(tag, "interface") == 0) {
			if (closing)
				iface[0] = '\0';
			else if (!xml_attribute(attrs, alen, "name", iface, sizeof(iface)))
				iface[0] = '\0';
			cur = NULL;
			continue;
		}
		if (closing) {
			if (strcmp(tag, "method") == 0 || strcmp(tag, "signal") == 0 || strcmp(tag, "property") == 0)
				cur = NULL;
			continue;
		}
		if (!iface[0])
			continue;
		if (strcmp(tag, "method") == 0 || strcmp(tag, "signal") == 0 || strcmp(tag, "property") == 0) {
			if (out->n >= sizeof(out->items) / sizeof(out->items[0]))
				return;
			cur = &out->items[out->n++];
			*cur = (struct member) { .name = "" };
			(void)snprintf(cur->iface, sizeof(cur->iface), "%s", iface);
			(void)snprintf(cur->kind, sizeof(cur->kind), "%s", tag);
			(void)xml_attribute(attrs, alen, "name", cur->name, sizeof(cur->name));
			if (strcmp(tag, "property") == 0) {
				char type[64] = "", access[32] = "";

				(void)xml_attribute(attrs, alen, "type", type, sizeof(type));
				(void)xml_attribute(attrs, alen, "access", access, sizeof(access));
				(void)snprintf(cur->signature, sizeof(cur->signature), "%s %s", type, access);
			}
			if (end[-1] == '/')
				cur = NULL;
			continue;
		}
		if (strcmp(tag, "arg") == 0 && cur && strcmp(cur->kind, "property") != 0) {
			char type[64] = "", direction[8] = "in";
			size_t len = strlen(cur->signature);

			(void)xml_attribute(attrs, alen, "type", type, sizeof(type));
			if (strcmp(cur->kind, "signal") == 0)
				(void)snprintf(direction, sizeof(direction), "out");
			else
				(void)xml_attribute(attrs, alen, "direction", direction, sizeof(direction));
			(void)snprintf(cur->signature + len, sizeof(cur->signature) - len, "%s%s:%s", len ? " " : "",
				       direction, type);
		}
	}
}

static const struct member *find_member(const struct member_list *l, const struct member *m)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].iface, m->iface) == 0 && strcmp(l->items[i].kind, m->kind) == 0 &&
		    strcmp(l->items[i].name, m->name) == 0)
			return &l->items[i];
	return NULL;
}

static char *introspect(struct harness *h, const char *path)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *xml;
	char *copy;
	int r;

	r = sd_bus_call_method(h->bus, CHAIR_SERVICE, path, "org.freedesktop.DBus.Introspectable", "Introspect", &error,
			       &reply, "");
	H_ASSERT(h, r >= 0, "Introspect %s: %s", path, error.message ? error.message : strerror(-r));
	r = sd_bus_message_read(reply, "s", &xml);
	H_ASSERT(h, r >= 0);
	copy = strdup(xml);
	sd_bus_message_unref(reply);
	return copy;
}

static void compare_interface(struct harness *h, const struct member_list *doc, const struct member_list *live,
			      const char *iface)
{
	unsigned documented = 0;

	for (size_t i = 0; i < doc->n; i++) {
		const struct member *m = &doc->items[i], *l;

		if (strcmp(m->iface, iface) != 0)
			continue;
		documented++;
		l = find_member(live, m);
		H_ASSERT(h, l, "the daemon lacks %s %s.%s", m->kind, iface, m->name);
		H_ASSERT(h, strcmp(l->signature, m->signature) == 0, "%s %s.%s is \"%s\" on the bus, \"%s\" in the XML",
			 m->kind, iface, m->name, l->signature, m->signature);
	}
	H_ASSERT(h, documented > 0, "the XML documents nothing of %s", iface);
	/* and the XML documents every member the daemon has */
	for (size_t i = 0; i < live->n; i++)
		if (strcmp(live->items[i].iface, iface) == 0)
			H_ASSERT(h, find_member(doc, &live->items[i]), "%s %s.%s is not documented in the XML",
				 live->items[i].kind, iface, live->items[i].name);
}

START_TEST(test_introspection)
{
	struct harness h;
	static struct member_list doc, chair, sim, heater;
	char path[512], *xml = NULL, *live;
	size_t size = 0;
	FILE *f;

	harness_start(&h, SCAN_SCALE, NULL);
	(void)snprintf(path, sizeof(path), "%s/daemon/bus/org.massaged.Chair1.xml", getenv("SOURCE_ROOT"));
	f = fopen(path, "re");
	H_ASSERT(&h, f, "cannot open %s", path);
	H_ASSERT(&h, getdelim(&xml, &size, '\0', f) > 0, "cannot read %s", path);
	(void)fclose(f);
	xml_members(xml, &doc);
	free(xml);
	H_ASSERT(&h, doc.n >= 30, "parsed only %zu members from %s", doc.n, path);

	live = introspect(&h, CHAIR_PATH);
	H_ASSERT(&h, strstr(live, "\"org.freedesktop.DBus.ObjectManager\""),
		 "%s does not implement org.freedesktop.DBus.ObjectManager", CHAIR_PATH);
	xml_members(live, &chair);
	free(live);
	compare_interface(&h, &doc, &chair, CHAIR_IFACE);

	live = introspect(&h, SIM_PATH);
	xml_members(live, &sim);
	free(live);
	compare_interface(&h, &doc, &sim, SIM_IFACE);

	live = introspect(&h, CHAIR_PATH "/heater/neck");
	xml_members(live, &heater);
	free(live);
	compare_interface(&h, &doc, &heater, "org.massaged.Heater1");
	(void)fprintf(stderr, "introspection: %zu members in the XML, %zu on %s, %zu on %s\n", doc.n, chair.n,
		      CHAIR_PATH, sim.n, SIM_PATH);

	/* Chair1's members by name, as the brief lists them, in case the XML lost some */
	{
		static const char *const methods[] = { "ListPrograms",   "Start",      "StartManual",     "Stop",
						       "Pause",          "Resume",     "SetIntensity",    "SetSpeed",
						       "SetWidth",       "SetTimer",   "SetHeat",         "Scan",
						       "AdjustShoulder", "ClearFault", "SetZonePressure", "SetGentle",
						       "SetHeatTarget" };
		static const char *const properties[] = {
			"State",        "Program",         "Technique",      "Zone",         "Step",
			"StepCount",    "Intensity",       "Speed",          "Width",        "Heat",
			"Elapsed",      "Remaining",       "ShoulderHeight", "Seated",       "Faults",
			"SessionLimit", "Force",           "ForceTarget",    "ZonePressure", "Gentle",
			"HeatTarget",   "RollerRunSeconds"
		};
		static const char *const signals[] = { "ProgramFinished", "FaultRaised", "FaultCleared" };
		struct member m = { .iface = CHAIR_IFACE };

		(void)snprintf(m.kind, sizeof(m.kind), "method");
		for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
			(void)snprintf(m.name, sizeof(m.name), "%s", methods[i]);
			H_ASSERT(&h, find_member(&chair, &m), "no method %s", methods[i]);
		}
		(void)snprintf(m.kind, sizeof(m.kind), "property");
		for (size_t i = 0; i < sizeof(properties) / sizeof(properties[0]); i++) {
			(void)snprintf(m.name, sizeof(m.name), "%s", properties[i]);
			H_ASSERT(&h, find_member(&chair, &m), "no property %s", properties[i]);
		}
		(void)snprintf(m.kind, sizeof(m.kind), "signal");
		for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
			(void)snprintf(m.name, sizeof(m.name), "%s", signals[i]);
			H_ASSERT(&h, find_member(&chair, &m), "no signal %s", signals[i]);
		}
	}
	harness_stop(&h);
}
END_TEST

/* docs/safety-rules.md leaves who may change things to the bus policy (root and group massage):
 * the daemon itself must not refuse a caller the policy lets through. sd-bus does
 * exactly that for methods not marked unprivileged, so call as uid 65534. */
static int call_as_nobody(struct harness *h, const char *path, const char *iface, const char *method,
			  const char *signature, const char *arg, char *err, size_t err_size)
{
	char *const argv[] = { "/usr/bin/setpriv",
			       "--reuid=65534",
			       "--regid=65534",
			       "--clear-groups",
			       "busctl",
			       "--system",
			       "call",
			       "org.massaged.Chair1",
			       (char *)path,
			       (char *)iface,
			       (char *)method,
			       (char *)signature,
			       (char *)arg,
			       NULL };

	(void)snprintf(err, err_size, "%s/nobody.err", h->tmpdir);
	return harness_run(h, argv, NULL, err, 10000);
}

START_TEST(test_unprivileged_caller)
{
	struct harness h;
	char err[512];
	int status;

	harness_start(&h, SCAN_SCALE, NULL);
	/* the private bus's socket lives in the test's directory */
	H_ASSERT(&h, chmod(h.tmpdir, 0755) == 0, "chmod %s: %m", h.tmpdir);
	status = call_as_nobody(&h, "/org/massaged/Chair1", "org.massaged.Chair1", "SetIntensity", "u", "4", err,
				sizeof(err));
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "SetIntensity as uid 65534: wait status 0x%x: %s",
		 (unsigned)status, harness_read_file(&h, err));
	H_WAIT_PROP(&h, "Intensity", "4", 2000);
	status = call_as_nobody(&h, "/org/massaged/Simulator1", "org.massaged.Simulator1", "PressButton", "s",
				"intensity-up", err, sizeof(err));
	H_ASSERT(&h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "PressButton as uid 65534: %s",
		 harness_read_file(&h, err));
	H_WAIT_PROP(&h, "Intensity", "5", 2000);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("methods");

	CHECK_ADD_TEST(s, test_initial_state, 60);
	CHECK_ADD_TEST(s, test_invalid_args, 60);
	CHECK_ADD_TEST(s, test_idle_errors, 60);
	CHECK_ADD_TEST(s, test_adjust_shoulder, 60);
	CHECK_ADD_TEST(s, test_not_seated, 60);
	CHECK_ADD_TEST(s, test_faulted, 60);
	CHECK_ADD_TEST(s, test_timer, 60);
	CHECK_ADD_TEST(s, test_success_paths, 60);
	CHECK_ADD_TEST(s, test_list_programs, 60);
	CHECK_ADD_TEST(s, test_simulator_errors, 60);
	CHECK_ADD_TEST(s, test_introspection, 60);
	/* only root can run a call as another user (CI runs as root) */
	if (geteuid() == 0)
		CHECK_ADD_TEST(s, test_unprivileged_caller, 60);
	return check_run_tap(s);
}
