/* SPDX-License-Identifier: MIT */
/* massagectl as a person used to systemctl meets it (issue 18): --json parsed by a JSON
 * parser, show, options after the command, bare massagectl, help, exit codes, the
 * messages when the bus or the daemon is not there, ranges, heat ZONE and faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness.h"

#define CTL(h, ...) H_MASSAGECTL((h), __VA_ARGS__)

static void expect_exit(struct harness *h, const struct harness_ctl_result *r, const char *what, int status)
{
	H_ASSERT(h, r->status == status, "massagectl %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", what,
		 r->status, status, r->out, r->err);
}

/* Python's json module reads what massagectl printed (it fails on anything but JSON);
 * the expression sees it as d and its str() is returned. */
static const char *json_eval(struct harness *h, const char *json, const char *expression)
{
	char in[400], out[400], err[400];
	char *argv[] = { "/usr/bin/env",
			 "python3",
			 "-c",
			 "import json, sys\n"
			 "d = json.load(open(sys.argv[1]))\n"
			 "print(eval(sys.argv[2]), end='')\n",
			 in,
			 (char *)expression,
			 NULL };
	int status;

	(void)snprintf(in, sizeof(in), "%s/json.in", h->tmpdir);
	(void)snprintf(out, sizeof(out), "%s/json.out", h->tmpdir);
	(void)snprintf(err, sizeof(err), "%s/json.err", h->tmpdir);
	harness_write_file(h, in, json);
	status = harness_run(h, argv, out, err, 10000);
	H_ASSERT(h, WIFEXITED(status) && WEXITSTATUS(status) == 0, "python3 could not read it as JSON (%s):\n%s\n%s",
		 expression, json, harness_read_file(h, err));
	return harness_read_file(h, out);
}

#define H_JSON_EQ(h, json, expression, want) H_ASSERT_STR_EQ((h), json_eval((h), (json), (expression)), (want))

/* Every line massagectl writes to stderr about itself is one sentence style: a capital
 * after the prefix, a full stop at the end. */
static void expect_message_style(struct harness *h, const char *err)
{
	const char *line = err;

	while (*line) {
		size_t len = strcspn(line, "\n");
		const char *colon = memchr(line, ':', len);

		if (strncmp(line, "massagectl", 10) == 0 && colon) {
			H_ASSERT(h, colon[1] == ' ' && colon[2] >= 'A' && colon[2] <= 'Z',
				 "not a capital after the prefix: %.*s", (int)len, line);
			H_ASSERT(h, strchr(".!?", line[len - 1]), "no full stop at the end: %.*s", (int)len, line);
		}
		line += len + (line[len] == '\n');
	}
}

START_TEST(test_json)
{
	struct harness_ctl_result r;
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	r = CTL(&h, "status", "--json=short");
	expect_exit(&h, &r, "status --json=short", 0);
	H_ASSERT(&h, strchr(r.out, '\n') == r.out + strlen(r.out) - 1, "short is one line:\n%s", r.out);
	H_JSON_EQ(&h, r.out, "d['state'], d['faults'], d['intensity'], d['program'], d['seated']",
		  "('idle', [], 3, None, True)");
	H_JSON_EQ(&h, r.out, "sorted(p['zone'] for p in d['heaters'])", "['lower-back', 'neck', 'shoulders']");
	H_JSON_EQ(&h, r.out, "d['zone_pressure']['neck'], d['session_limit_sec'], d['profile']", "(0, 1200, None)");

	r = CTL(&h, "--json=pretty", "status");
	expect_exit(&h, &r, "--json=pretty status", 0);
	H_ASSERT(&h, strstr(r.out, "\n  \"state\": \"idle\""), "pretty is indented:\n%s", r.out);

	r = CTL(&h, "list", "--json=short");
	expect_exit(&h, &r, "list --json=short", 0);
	H_JSON_EQ(&h, r.out, "[p for p in d if p['id'] == 'test-short'][0]['duration_sec'] > 0", "True");
	H_JSON_EQ(&h, r.out, "all(set(p) == {'id', 'title', 'description', 'duration_sec'} for p in d)", "True");

	r = CTL(&h, "heat", "--json=short");
	expect_exit(&h, &r, "heat --json=short", 0);
	H_JSON_EQ(&h, r.out, "[(p['zone'], p['state'], p['target'], p['lockout']) for p in d][0]",
		  "('neck', 'off', 0.0, None)");
	r = CTL(&h, "heat", "shoulders", "--json=short");
	expect_exit(&h, &r, "heat shoulders --json=short", 0);
	H_JSON_EQ(&h, r.out, "[p['zone'] for p in d]", "['shoulders']");

	r = CTL(&h, "faults", "--json=short");
	expect_exit(&h, &r, "faults --json=short", 0);
	H_JSON_EQ(&h, r.out, "d", "[]");

	r = CTL(&h, "profile", "list", "--json=short");
	expect_exit(&h, &r, "profile list --json=short", 0);
	H_JSON_EQ(&h, r.out, "d", "[]");
	r = CTL(&h, "profile", "save", "Bo Ek");
	expect_exit(&h, &r, "profile save", 0);
	r = CTL(&h, "--json=short", "profile");
	expect_exit(&h, &r, "--json=short profile", 0);
	H_JSON_EQ(&h, r.out, "d", "[{'name': 'Bo Ek', 'in_use': True}]");

	/* only where it shows something */
	r = CTL(&h, "intensity", "2", "--json=short");
	expect_exit(&h, &r, "intensity 2 --json=short", 2);
	H_ASSERT(&h, strstr(r.err, "--json is for status, list, heat, faults and profile list."), "%s", r.err);
	r = CTL(&h, "status", "--json=yaml");
	expect_exit(&h, &r, "status --json=yaml", 2);
	expect_message_style(&h, r.err);
	harness_stop(&h);
}
END_TEST

START_TEST(test_show)
{
	struct harness_ctl_result r;
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	r = CTL(&h, "show");
	expect_exit(&h, &r, "show", 0);
	H_ASSERT(&h,
		 strstr(r.out, "State=idle\n") && strstr(r.out, "\nIntensity=3\n") && strstr(r.out, "\nSeated=yes\n"),
		 "show:\n%s", r.out);
	r = CTL(&h, "show", "-p", "State", "--value");
	expect_exit(&h, &r, "show -p State --value", 0);
	H_ASSERT_STR_EQ(&h, r.out, "idle\n");
	r = CTL(&h, "show", "--property=Intensity,Speed", "-p", "Width");
	expect_exit(&h, &r, "show --property=Intensity,Speed -p Width", 0);
	H_ASSERT_STR_EQ(&h, r.out, "Intensity=3\nSpeed=3\nWidth=medium\n");
	r = CTL(&h, "show", "-p", "Nonesuch");
	expect_exit(&h, &r, "show -p Nonesuch", 1);
	H_ASSERT(&h, strstr(r.err, "No property 'Nonesuch'"), "%s", r.err);

	/* arrays space-separated, as systemctl prints them */
	H_CALL(&h, "SetFocus", "as", 2, "neck", "lower-back");
	r = CTL(&h, "show", "-p", "Focus");
	expect_exit(&h, &r, "show -p Focus", 0);
	H_ASSERT_STR_EQ(&h, r.out, "Focus=neck lower-back\n");
	r = CTL(&h, "-p", "State", "status");
	expect_exit(&h, &r, "-p State status", 2);
	harness_stop(&h);
}
END_TEST

START_TEST(test_options_help)
{
	struct harness_ctl_result r, status;
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	/* bare massagectl is status */
	status = CTL(&h, "status");
	expect_exit(&h, &status, "status", 0);
	r = harness_massagectl(&h, (char *[]) { NULL });
	expect_exit(&h, &r, "(nothing)", 0);
	H_ASSERT_STR_EQ(&h, r.out, status.out);

	/* options after the command: --user reaches for the session bus, which is not there */
	r = CTL(&h, "status", "--user");
	expect_exit(&h, &r, "status --user", 1);
	H_ASSERT(&h, strstr(r.err, "Cannot reach the session bus at "), "status --user:\n%s", r.err);
	r = CTL(&h, "list", "--no-legend");
	expect_exit(&h, &r, "list --no-legend", 0);
	H_ASSERT(&h, !strstr(r.out, "LENGTH") && strstr(r.out, "test-short"), "list --no-legend:\n%s", r.out);
	r = CTL(&h, "heat", "--no-pager", "--no-legend");
	expect_exit(&h, &r, "heat --no-pager --no-legend", 0);
	H_ASSERT(&h, strncmp(r.out, "neck ", 5) == 0, "heat --no-legend:\n%s", r.out);
	r = CTL(&h, "status", "--bogus");
	expect_exit(&h, &r, "status --bogus", 2);
	H_ASSERT(&h, strstr(r.err, "massagectl: Unknown option '--bogus'.\n"), "%s", r.err);

	/* -q after the command, and the verb's own option beside it */
	r = CTL(&h, "gentle", "on", "-q");
	expect_exit(&h, &r, "gentle on -q", 0);
	H_ASSERT(&h, H_PROP_B(&h, "Gentle"), "gentle on -q did not turn it on");
	r = CTL(&h, "gentle", "off", "-q", "--yes");
	expect_exit(&h, &r, "gentle off -q --yes", 0);
	H_ASSERT(&h, !H_PROP_B(&h, "Gentle"), "gentle off -q --yes did not turn it off");

	/* help, and VERB --help, never sent to the daemon */
	r = CTL(&h, "help");
	expect_exit(&h, &r, "help", 0);
	H_ASSERT(&h, strstr(r.out, "Commands:") && strstr(r.out, "is-running"), "help:\n%s", r.out);
	r = CTL(&h, "start", "--help");
	expect_exit(&h, &r, "start --help", 0);
	H_ASSERT(&h, strncmp(r.out, "Usage: massagectl [OPTIONS...] start PROGRAM\n", 45) == 0, "start --help:\n%s",
		 r.out);
	status = CTL(&h, "help", "start");
	H_ASSERT_STR_EQ(&h, status.out, r.out);
	r = CTL(&h, "intensity", "-h");
	expect_exit(&h, &r, "intensity -h", 0);
	H_ASSERT(&h, strstr(r.out, "Intensity takes a whole number from 1 (light) to 5 (firm)."), "%s", r.out);
	harness_pump(&h, 200);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), "");
	/* after "--" it is a program id, which the daemon refuses; massagectl adds its hint */
	r = CTL(&h, "start", "--", "--help");
	expect_exit(&h, &r, "start -- --help", 1);
	H_ASSERT(&h, strstr(r.err, "No program named '--help'.") && strstr(r.err, "Run 'massagectl list'"), "%s",
		 r.err);
	expect_message_style(&h, r.err);
	harness_stop(&h);
}
END_TEST

START_TEST(test_exit_codes)
{
	struct harness_ctl_result r;
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	r = CTL(&h, "is-running");
	expect_exit(&h, &r, "is-running (idle)", 1);
	H_ASSERT_STR_EQ(&h, r.out, "idle\n");
	r = CTL(&h, "is-running", "-q");
	expect_exit(&h, &r, "is-running -q (idle)", 1);
	H_ASSERT_STR_EQ(&h, r.out, "");

	H_START_RUNNING(&h, "test-short");
	r = CTL(&h, "is-running");
	expect_exit(&h, &r, "is-running (running)", 0);
	H_ASSERT_STR_EQ(&h, r.out, "running\n");
	r = CTL(&h, "--quiet", "is-running");
	expect_exit(&h, &r, "--quiet is-running", 0);
	H_ASSERT_STR_EQ(&h, r.out, "");

	/* in fault: status says so with 3, faults say what to do */
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	r = CTL(&h, "status");
	expect_exit(&h, &r, "status (fault)", 3);
	H_ASSERT(&h, strstr(r.out, "massage chair: fault"), "%s", r.out);
	r = CTL(&h, "status", "--json=short");
	expect_exit(&h, &r, "status --json=short (fault)", 3);
	H_JSON_EQ(&h, r.out, "d['state'], d['faults']", "('fault', ['estop'])");
	r = CTL(&h, "is-running");
	expect_exit(&h, &r, "is-running (fault)", 1);

	r = CTL(&h, "faults");
	expect_exit(&h, &r, "faults", 0);
	H_ASSERT(&h, strncmp(r.out, "estop\n  The emergency stop was pressed:", 39) == 0 && strstr(r.out, "Release it"),
		 "faults:\n%s", r.out);
	r = CTL(&h, "faults", "--json=short");
	expect_exit(&h, &r, "faults --json=short", 0);
	H_JSON_EQ(&h, r.out, "[(f['code'], f['zone'], 'Release it' in f['text']) for f in d]",
		  "[('estop', None, True)]");

	/* a refusal: the daemon's message, and massagectl's hint after it */
	r = CTL(&h, "start", "test-short");
	expect_exit(&h, &r, "start (fault)", 1);
	H_ASSERT(&h,
		 strstr(r.err, "massagectl: Refused while a fault is active (estop).") &&
			 strstr(r.err, "Run 'massagectl faults' for what to do"),
		 "%s", r.err);
	expect_message_style(&h, r.err);

	H_SIM(&h, "SetEmergencyStop", "b", 0);
	r = CTL(&h, "clear", "-q");
	expect_exit(&h, &r, "clear -q", 0);
	r = CTL(&h, "status");
	expect_exit(&h, &r, "status (cleared)", 0);
	harness_stop(&h);
}
END_TEST

/* a pad's fault: the pad named, and what clearing does not end */
START_TEST(test_pad_fault)
{
	struct harness_ctl_result r;
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	H_SIM(&h, "InjectFault", "sb", "sensor-open:neck", 1);
	H_WAIT_PROP(&h, "State", "fault", 3000);
	r = CTL(&h, "faults");
	expect_exit(&h, &r, "faults", 0);
	H_ASSERT(&h, strncmp(r.out, "sensor:neck\n  The neck pad's temperature sensor ", 48) == 0, "faults:\n%s",
		 r.out);
	r = CTL(&h, "faults", "--json=pretty");
	expect_exit(&h, &r, "faults --json=pretty", 0);
	H_JSON_EQ(&h, r.out, "[(f['code'], f['zone']) for f in d]", "[('sensor:neck', 'neck')]");
	H_JSON_EQ(&h, r.out, "\"'massagectl service reset neck'\" in d[0]['text']", "True");
	harness_stop(&h);
}
END_TEST

START_TEST(test_errors)
{
	char *address;
	struct harness_ctl_result r;
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	/* the range, not "not a whole number", for every number */
	r = CTL(&h, "intensity", "-1");
	expect_exit(&h, &r, "intensity -1", 2);
	H_ASSERT(&h,
		 strncmp(r.err,
			 "massagectl intensity: Intensity takes a whole number from 1 (light) to 5 (firm), not '-1'.\n",
			 strlen("massagectl intensity: Intensity takes a whole number from 1 (light) to 5 (firm), not "
				"'-1'.\n")) == 0,
		 "intensity -1:\n%s", r.err);
	r = CTL(&h, "speed", "fast");
	expect_exit(&h, &r, "speed fast", 2);
	H_ASSERT(&h, strstr(r.err, "from 1 (slow) to 6 (fast), not 'fast'."), "%s", r.err);
	r = CTL(&h, "timer", "-5");
	expect_exit(&h, &r, "timer -5", 2);
	H_ASSERT(&h, strstr(r.err, "from 5 to 30 in steps of 5, not '-5'."), "%s", r.err);
	r = CTL(&h, "adjust", "up");
	expect_exit(&h, &r, "adjust up", 2);
	H_ASSERT(&h, strstr(r.err, "from -50 to +50, not 'up'."), "%s", r.err);
	r = CTL(&h, "pressure", "neck", "x");
	expect_exit(&h, &r, "pressure neck x", 2);
	H_ASSERT(&h, strstr(r.err, "-2 (lighter) to +2 (firmer), not 'x'."), "%s", r.err);
	expect_message_style(&h, r.err);
	r = CTL(&h, "intensity", "9");
	expect_exit(&h, &r, "intensity 9", 1);
	H_ASSERT(&h, strstr(r.err, "use 1 (light) to 5 (firm)."), "%s", r.err);
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 3);

	/* heat ZONE shows that pad alone; a pad there is not, names those there are */
	r = CTL(&h, "heat", "neck");
	expect_exit(&h, &r, "heat neck", 0);
	H_ASSERT(&h, strstr(r.out, "ZONE") && strstr(r.out, "\nneck ") && !strstr(r.out, "shoulders"), "heat neck:\n%s",
		 r.out);
	r = CTL(&h, "heat", "elbow");
	expect_exit(&h, &r, "heat elbow", 1);
	H_ASSERT_STR_EQ(&h, r.err, "massagectl: No heating pad 'elbow'; the pads are neck, shoulders, lower-back.\n");

	/* a bus that is not there is said so, with its address */
	address = h.bus_address;
	h.bus_address = "unix:path=/nonexistent/massagectl-test-bus";
	r = CTL(&h, "status");
	h.bus_address = address;
	expect_exit(&h, &r, "status (no bus)", 1);
	H_ASSERT_STR_EQ(&h, r.err,
			"massagectl: Cannot reach the system bus at unix:path=/nonexistent/massagectl-test-bus: No "
			"such file or directory.\n");

	/* the bus answers, massaged is not on it */
	harness_stop_daemon_at(&h, __FILE__, __LINE__);
	r = CTL(&h, "status");
	expect_exit(&h, &r, "status (no daemon)", 1);
	H_ASSERT_STR_EQ(&h, r.err,
			"massagectl: The chair daemon is not running: nothing owns org.massaged.Chair1 on the "
			"system bus.\n");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("massagectl-cli");

	CHECK_ADD_TEST(s, test_json, 60);
	CHECK_ADD_TEST(s, test_show, 60);
	CHECK_ADD_TEST(s, test_options_help, 60);
	CHECK_ADD_TEST(s, test_exit_codes, 60);
	CHECK_ADD_TEST(s, test_pad_fault, 60);
	CHECK_ADD_TEST(s, test_errors, 60);
	return check_run_tap(s);
}
