/* SPDX-License-Identifier: MIT */
/* The soak driver: massaged --simulate on a private bus for hours of chair time under
 * random use (programs back to back, live settings, valid and invalid calls), random
 * person events and injected faults; every value checked against the contract; memory
 * at the start and the end; SIGTERM at the end. Prints a summary and exits 1 on any
 * violation. A failure is reproducible with the seed it prints (the daemon's host
 * scheduling aside).
 *
 *   soak [--hours H] [--scale N] [--seed N] [--verbose]
 * (or SOAK_HOURS, SOAK_SCALE, SOAK_SEED); MASSAGED and SOURCE_ROOT as for the
 * integration tests. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include "../integration/harness-private.h"
#include "soak.h"

/* The end's RSS may exceed the start's by this much. The daemon allocates nothing
 * per call or per session that it keeps (sessions copy into a fixed struct), so what
 * moves is the heap's high-water mark and sd-bus's buffers: a page or a few. A leak
 * of 16 bytes per program, per fault or per thousand calls shows as more than this
 * over a day (tens of thousands of calls, hundreds of programs). */
#define RSS_TOLERANCE_KB 256
#define ACTION_MEAN_S 6.0
/* ShoulderHeight's range (docs/dbus-api.md) */
#define SHOULDER_LOWEST_MM 300u
#define SHOULDER_HIGHEST_MM 780u
#define EPISODE_MIN_S (8 * 60)
#define EPISODE_MAX_S (25 * 60)
#define CHECK_EVERY_S 5.0
#define SESSION_TOLERANCE_S 3.0
#define SCAN_TOLERANCE_MM 10

const char *const pad_zones[N_PADS] = { "neck", "shoulders", "lower-back" };
const char *const pad_paths[N_PADS] = {
	"/org/massaged/Chair1/heater/neck",
	"/org/massaged/Chair1/heater/shoulders",
	"/org/massaged/Chair1/heater/lower_2dback",
};
static const char *const reason_names[6] = { "completed", "stopped", "replaced", "fault", "timeout", "seat-empty" };

static struct soak *the_soak; /* for harness_fail's hook and the signal handler */

/* Ctrl-C or kill: take the daemon and the bus along, they would outlive us. */
static void on_signal(int sig)
{
	if (the_soak && the_soak->h.daemon_pid > 0)
		(void)kill(the_soak->h.daemon_pid, SIGKILL);
	if (the_soak && the_soak->h.bus_pid > 0)
		(void)kill(the_soak->h.bus_pid, SIGKILL);
	_exit(128 + sig);
}

/* ---- randomness: xorshift64*, seeded from the command line ---- */

uint64_t soak_random(struct soak *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1DULL;
}

unsigned soak_uniform(struct soak *s, unsigned n)
{
	return n ? (unsigned)(soak_random(s) % n) : 0;
}

double soak_uniform_d(struct soak *s, double lo, double hi)
{
	return lo + (hi - lo) * (double)(soak_random(s) >> 11) / (double)(1ULL << 53);
}

static double exponential(struct soak *s, double mean)
{
	return -mean * log(1.0 - soak_uniform_d(s, 0.0, 0.999999));
}

/* ---- reporting ---- */

void soak_violation(struct soak *s, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "soak: VIOLATION at %.3f h of chair time: %s\n", (double)s->chair_us / 3.6e9, msg);
	if (s->n_violations < MAX_VIOLATIONS)
		(void)snprintf(s->violations[s->n_violations], sizeof(s->violations[0]), "%.3f h: %s",
			       (double)s->chair_us / 3.6e9, msg);
	s->n_violations++;
}

struct code_count *soak_code(struct soak *s, const char *code)
{
	for (unsigned i = 0; i < s->n_codes; i++)
		if (strcmp(s->codes[i].code, code) == 0)
			return &s->codes[i];
	if (s->n_codes == MAX_CODES)
		return NULL;
	(void)snprintf(s->codes[s->n_codes].code, sizeof(s->codes[0].code), "%s", code);
	return &s->codes[s->n_codes++];
}

static void print_summary(struct soak *s, const char *fatal)
{
	uint64_t wall = harness_now_usec() - s->wall_start;
	unsigned started = 0;

	if (s->summary_printed)
		return;
	s->summary_printed = true;
	for (unsigned i = 0; i < 6; i++)
		started += s->finished[i];
	printf("\n==== soak summary ====\n");
	printf("seed %llu, time scale %g: %.2f h of chair time in %llu min %02llu s of wall time\n",
	       (unsigned long long)s->seed, s->scale, (double)s->chair_us / 3.6e9,
	       (unsigned long long)(wall / 60000000ULL), (unsigned long long)(wall / 1000000ULL % 60));
	printf("programs: %u started, %u finished:", s->started, started);
	for (unsigned i = 0; i < 6; i++)
		printf(" %s %u%s", reason_names[i], s->finished[i], i < 5 ? "," : "\n");
	printf("longest session %u s (SessionLimit at most 1800 s)\n", s->worst_session_s);
	printf("calls: %u accepted, %u refused (each as the contract says); slowest answer %.1f ms (deadline %d ms)\n",
	       s->calls_ok, s->calls_refused, s->call_worst_ms, CALL_DEADLINE_MS);
	printf("checks: %u rounds of GetAll (Chair1, 3 Heater1, pads, outputs), %u PropertiesChanged; "
	       "hottest stone %.2f °C outside overtemp injections (trip at %.0f °C)\n",
	       s->checks, s->signals_checked, s->pad_worst_c, OVERTEMP_TRIP_C);
	printf("body scans: %u, %u checked against the person, worst error %u mm (limit %d)\n", s->scans,
	       s->scans_checked, s->scan_worst_mm, SCAN_TOLERANCE_MM);
	printf("faults: %u episodes, %u unexpected\n", s->episodes, s->unexpected_faults);
	printf("  %-24s %8s %5s %7s\n", "code", "injected", "seen", "cleared");
	for (unsigned i = 0; i < s->n_codes; i++)
		printf("  %-24s %8u %5u %7u\n", s->codes[i].code, s->codes[i].injected, s->codes[i].seen,
		       s->codes[i].cleared);
	printf("RSS: start %ld KiB (after the warm-up), end %ld KiB (%+ld KiB, tolerance %d), range %ld..%ld KiB\n",
	       s->rss_start_kb, s->rss_end_kb, s->rss_end_kb - s->rss_start_kb, RSS_TOLERANCE_KB, s->rss_min_kb,
	       s->rss_max_kb);
	if (fatal)
		printf("FATAL: %s\n", fatal);
	printf("violations: %u\n", s->n_violations);
	for (unsigned i = 0; i < s->n_violations && i < MAX_VIOLATIONS; i++)
		printf("  %s\n", s->violations[i]);
	printf("rerun: soak --hours %g --scale %g --seed %llu\n", s->hours, s->scale, (unsigned long long)s->seed);
	(void)fflush(stdout);
}

static void on_harness_fail(struct harness *h, const char *message)
{
	(void)h;
	if (the_soak)
		print_summary(the_soak, message);
	exit(EXIT_FAILURE);
}

/* ---- time, calls, waiting ---- */

unsigned soak_wall_ms(const struct soak *s, double chair_s)
{
	return (unsigned)ceil(chair_s * 1000.0 / s->scale);
}

static void timed(struct soak *s, uint64_t t0, const char *what)
{
	double ms = (double)(harness_now_usec() - t0) / 1000.0;

	if (ms > s->call_worst_ms)
		s->call_worst_ms = ms;
	if (ms > CALL_DEADLINE_MS)
		soak_violation(s, "%s answered after %.0f ms", what, ms);
}

const char *soak_get(struct soak *s, const char *path, const char *iface, const char *name)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	uint64_t t0 = harness_now_usec();
	const char *v = harness_get(&s->h, path, iface, name, &error);

	timed(s, t0, name);
	if (!v) {
		soak_violation(s, "Get %s.%s failed: %s", iface, name, error.message ? error.message : "?");
		sd_bus_error_free(&error);
		return "";
	}
	s->calls_ok++;
	if (strcmp(path, CHAIR_PATH) == 0 && strcmp(name, "State") == 0)
		(void)snprintf(s->state, sizeof(s->state), "%s", v);
	return v;
}

uint64_t soak_chair_now(struct soak *s)
{
	s->chair_us = strtoull(soak_get(s, SIM_PATH, SIM_IFACE, "ChairTime"), NULL, 10);
	s->chair_wall = harness_now_usec();
	return s->chair_us;
}

static bool listed(const char *allowed, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = allowed; p && (p = strstr(p, name)); p += n)
		if ((p == allowed || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

int soak_call(struct soak *s, const char *path, const char *iface, const char *member, const char *expect,
	      const char *allowed, const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply;
	uint64_t t0 = harness_now_usec();
	va_list ap;
	int r = 0;

	va_start(ap, types);
	reply = harness_callv(&s->h, path, iface, member, &error, types, ap);
	va_end(ap);
	timed(s, t0, member);
	if (reply) {
		sd_bus_message_unref(reply);
		s->calls_ok++;
		if (expect && strcmp(expect, "ANY") != 0)
			soak_violation(s, "%s succeeded, expected %s", member, expect);
		return 0;
	}
	s->calls_refused++;
	r = -1;
	if (!error.name || !error.message || !error.message[0])
		soak_violation(s, "%s failed without an error name and message", member);
	else if (!expect)
		soak_violation(s, "%s refused: %s: %s (State %s)", member, error.name, error.message, s->state);
	else if (strcmp(expect, "ANY") == 0) {
		if (allowed ? !listed(allowed, error.name)
			    : strncmp(error.name, CHAIR_ERROR(""), strlen(CHAIR_ERROR(""))) != 0)
			soak_violation(s, "%s refused with %s (%s), expected success or %s", member, error.name,
				       error.message, allowed ? allowed : "a Chair1 error");
	} else if (strcmp(error.name, expect) != 0)
		soak_violation(s, "%s refused with %s (%s), expected %s", member, error.name, error.message, expect);
	sd_bus_error_free(&error);
	return r;
}

/* A session ended: it lasted no longer than its SessionLimit. */
static void check_session_end(struct soak *s)
{
	uint64_t now = soak_chair_now(s), back = (uint64_t)((double)(harness_now_usec() - s->finished_wall) * s->scale);
	uint64_t end = now > back ? now - back : 0;
	double length = end > s->session_start_us ? (double)(end - s->session_start_us) / 1e6 : 0.0;

	s->finished_pending = false;
	if (s->session_start_us == 0)
		return;
	if (length > s->worst_session_s)
		s->worst_session_s = (unsigned)length;
	if (length > s->limit_max + SESSION_TOLERANCE_S || length > 1800 + SESSION_TOLERANCE_S)
		soak_violation(s, "a session lasted %.1f s (ended %s), SessionLimit %u s", length, s->finished_reason,
			       s->limit_max);
	s->session_start_us = 0;
}

/* A scan nobody disturbed found the person's shoulder line. */
static void check_scan_end(struct soak *s)
{
	unsigned err, found;

	s->scan_ended = false;
	s->scans++;
	/* only a session's scan ends in running, and only by finishing */
	if (!s->scan_clean || strcmp(s->scan_end_state, "running") != 0) {
		/* it may have finished, carrying only 100 mm of a larger adjustment */
		if (s->adjust_mm > 100 || s->adjust_mm < -100)
			s->adjust_unknown = true;
		return;
	}
	/* a scan carries at most 100 mm of the person's adjustment (daemon/motion/scan.h) */
	if (s->adjust_mm > 100)
		s->adjust_mm = 100;
	if (s->adjust_mm < -100)
		s->adjust_mm = -100;
	/* the adjustment took the line to an end of its range: the scan's finding is lost, and
	 * the daemon keeps what is left of the adjustment there */
	if (s->adjust_unknown ||
	    (s->adjust_mm != 0 && (s->shoulder <= SHOULDER_LOWEST_MM || s->shoulder >= SHOULDER_HIGHEST_MM))) {
		s->adjust_unknown = s->adjust_mm != 0 || s->adjust_unknown;
		return;
	}
	s->scans_checked++;
	found = (int)s->shoulder > s->adjust_mm ? (unsigned)((int)s->shoulder - s->adjust_mm) : 0;
	err = found > s->person_mm ? found - s->person_mm : s->person_mm - found;
	if (err > s->scan_worst_mm)
		s->scan_worst_mm = err;
	if (err > SCAN_TOLERANCE_MM)
		soak_violation(
			s, "a body scan found %u mm (%u with the adjustment of %+d mm) for a shoulder line at %u mm",
			found, s->shoulder, s->adjust_mm, s->person_mm);
}

static void set_seated(struct soak *s, bool seated)
{
	SIM(s, "SetSeated", "b", seated);
	s->seated = seated;
	s->scan_clean = false;
}

void soak_pump(struct soak *s, unsigned wall_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)wall_ms * 1000;

	do {
		(void)harness_wait_step(&s->h, deadline);
		if (s->finished_pending)
			check_session_end(s);
		if (s->scan_ended)
			check_scan_end(s);
		if (harness_now_usec() - s->chair_wall > 2000)
			(void)soak_chair_now(s);
		if (s->chair_us >= s->next_check_us) {
			s->next_check_us = s->chair_us + (uint64_t)(CHECK_EVERY_S * 1e6);
			soak_check_all(s);
		}
		if (s->seat_return_us && s->chair_us >= s->seat_return_us) {
			s->seat_return_us = 0;
			set_seated(s, true);
		}
	} while (harness_now_usec() < deadline);
}

bool soak_wait(struct soak *s, double chair_s, bool (*cond)(struct soak *s))
{
	uint64_t end = soak_chair_now(s) + (uint64_t)(chair_s * 1e6);
	/* on a slow host the chair may wait for us, but never less than 2 s of wall time */
	uint64_t wall_end = harness_now_usec() + (uint64_t)soak_wall_ms(s, chair_s) * 1000 + 2000000;

	for (;;) {
		if (cond(s))
			return true;
		if (soak_chair_now(s) > end && harness_now_usec() > wall_end)
			return cond(s);
		soak_pump(s, 2);
	}
}

/* ---- random use ---- */

static void program_started(struct soak *s)
{
	soak_pump(s, 0);
	s->started++;
	s->session_start_us = soak_chair_now(s);
	s->limit_max = s->session_limit;
}

static const char *random_program(struct soak *s)
{
	return s->programs[soak_uniform(s, s->n_programs)];
}

static void action_start(struct soak *s)
{
	const char *id = random_program(s);

	s->scan_clean = false; /* a start ends a scan under way (its reply comes with that) */
	if (CHAIR(s, "Start", s->seated ? "ANY" : CHAIR_ERROR("NotSeated"), NULL, "s", id) == 0)
		program_started(s);
}

static void action_manual(struct soak *s)
{
	static const char *const techniques[] = { "knead", "tap", "glide", "shiatsu", "friction", "press", "deep" };
	static const char *const zones[] = { "neck", "shoulders", "upper-back", "lower-back", "back" };
	unsigned pick = soak_uniform(s, 8);

	s->scan_clean = false;
	if (pick == 0)
		CHAIR(s, "StartManual", ERROR_INVALID_ARGS, NULL, "ss", "tickle", zones[soak_uniform(s, 5)]);
	else if (pick == 1)
		CHAIR(s, "StartManual", ERROR_INVALID_ARGS, NULL, "ss", techniques[soak_uniform(s, 7)], "feet");
	else if (CHAIR(s, "StartManual", s->seated ? "ANY" : CHAIR_ERROR("NotSeated"), NULL, "ss",
		       techniques[soak_uniform(s, 7)], zones[soak_uniform(s, 5)]) == 0)
		program_started(s);
}

/* A live setting: valid values read back at once, invalid ones change nothing. */
static void action_level(struct soak *s, const char *member, const char *property, unsigned lo, unsigned hi)
{
	static const unsigned bad[] = { 0, 7, 99, 4294967295u };
	const char *before = soak_get(s, CHAIR_PATH, CHAIR_IFACE, property);
	char copy[16], want[16];
	unsigned v;

	(void)snprintf(copy, sizeof(copy), "%s", before);
	if (soak_uniform(s, 4) == 0) {
		v = bad[soak_uniform(s, 4)];
		if (v >= lo && v <= hi)
			v = 0;
		CHAIR(s, member, ERROR_INVALID_ARGS, NULL, "u", v);
		if (strcmp(soak_get(s, CHAIR_PATH, CHAIR_IFACE, property), copy) != 0)
			soak_violation(s, "%s(%u) was refused but %s changed from %s", member, v, property, copy);
		return;
	}
	v = lo + soak_uniform(s, hi - lo + 1);
	CHAIR(s, member, NULL, NULL, "u", v);
	(void)snprintf(want, sizeof(want), "%u", v);
	/* Speed shows the step's own speed until the person chooses; after SetSpeed, theirs */
	if (strcmp(soak_get(s, CHAIR_PATH, CHAIR_IFACE, property), want) != 0)
		soak_violation(s, "%s(%u) accepted but %s reads %s", member, v, property,
			       soak_get(s, CHAIR_PATH, CHAIR_IFACE, property));
}

static void action_width(struct soak *s)
{
	static const char *const good[] = { "narrow", "medium", "wide" };
	static const char *const bad[] = { "", "extra-wide", "WIDE" };

	if (soak_uniform(s, 4) == 0)
		CHAIR(s, "SetWidth", ERROR_INVALID_ARGS, NULL, "s", bad[soak_uniform(s, 3)]);
	else
		CHAIR(s, "SetWidth", NULL, NULL, "s", good[soak_uniform(s, 3)]);
}

static void action_timer(struct soak *s)
{
	static const unsigned bad[] = { 0, 3, 7, 35, 60 };

	if (soak_uniform(s, 4) == 0)
		CHAIR(s, "SetTimer", ERROR_INVALID_ARGS, NULL, "u", bad[soak_uniform(s, 5)]);
	else
		CHAIR(s, "SetTimer", NULL, NULL, "u", 5 * (1 + soak_uniform(s, 6)));
}

static void action_adjust(struct soak *s)
{
	int mm = (int)soak_uniform(s, 101) - 50;

	s->scan_clean = false;
	unsigned before;

	if (soak_uniform(s, 4) == 0) {
		CHAIR(s, "AdjustShoulder", ERROR_INVALID_ARGS, NULL, "i", (mm < 0 ? -51 : 51) + mm * 3);
		return;
	}
	before = (unsigned)strtoul(soak_get(s, CHAIR_PATH, CHAIR_IFACE, "ShoulderHeight"), NULL, 10);
	/* what the line moved (it stops at its range) is what the daemon keeps */
	if (CHAIR(s, "AdjustShoulder", "ANY", CHAIR_ERROR("NotScanned"), "i", mm) == 0)
		s->adjust_mm +=
			(int)strtoul(soak_get(s, CHAIR_PATH, CHAIR_IFACE, "ShoulderHeight"), NULL, 10) - (int)before;
}

static void action_pad(struct soak *s)
{
	static const double bad[] = { 29.9, 45.1, -1.0, 100.0, NAN, INFINITY };
	const char *path = pad_paths[soak_uniform(s, N_PADS)];
	double t;

	if (soak_uniform(s, 4) == 0) {
		soak_call(s, path, HEATER_IFACE, "SetTarget", ERROR_INVALID_ARGS, NULL, "d", bad[soak_uniform(s, 6)]);
		return;
	}
	t = soak_uniform(s, 4) == 0 ? 0.0 : 30.0 + soak_uniform(s, 31) * 0.5;
	soak_call(s, path, HEATER_IFACE, "SetTarget",
		  t == 0.0    ? NULL
		  : s->seated ? "ANY"
			      : CHAIR_ERROR("NotSeated"),
		  NULL, "d", t);
}

static void action_button(struct soak *s)
{
	static const char *const buttons[] = { "power", "neck",         "shoulder",       "back",
					       "pause", "intensity-up", "intensity-down", "heat" };
	/* mostly the buttons that change no session */
	unsigned b = soak_uniform(s, 10) == 0 ? soak_uniform(s, 4) : 4 + soak_uniform(s, 5);

	s->scan_clean = false;
	if (b == 8) {
		soak_call(s, SIM_PATH, SIM_IFACE, "PressButton", ERROR_INVALID_ARGS, NULL, "s", "eject");
		return;
	}
	SIM(s, "PressButton", "s", buttons[b]);
	if (b >= 1 && b <= 3 && s->seated) /* a program button starts (or replaces) a program */
		program_started(s);
}

static void action_person(struct soak *s)
{
	if (s->seated) {
		/* gone for a moment, or long enough (30 s) to end the session and be forgotten */
		set_seated(s, false);
		s->seat_return_us = s->chair_us + (uint64_t)(soak_uniform_d(s, 3, 70) * 1e6);
	}
}

/* GetProfile's ShoulderAdjust: the adjustment a profile brings. */
static int profile_adjust(struct soak *s, const char *name)
{
	sd_bus_message *reply =
		harness_call_ok(&s->h, __FILE__, __LINE__, CHAIR_PATH, CHAIR_IFACE, "GetProfile", "s", name);
	const char *key;
	int32_t mm = 0;
	int r;

	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		r = sd_bus_message_read(reply, "s", &key);
		if (r >= 0 && strcmp(key, "ShoulderAdjust") == 0)
			r = sd_bus_message_read(reply, "v", "i", &mm);
		else if (r >= 0)
			r = sd_bus_message_skip(reply, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	if (r < 0)
		soak_violation(s, "GetProfile(%s) could not be read: %s", name, strerror(-r));
	return mm;
}

/* Who is in the chair: a household of three saving, switching and forgetting their
 * profiles at any moment, sessions and faults included, and names the chair refuses.
 * The profile in use reads back at once. */
static void action_profile(struct soak *s)
{
	static const char *const people[] = { "Anna", "Bo Ek", "Åsa-2" };
	static const char *const bad[] = { "", "../x", "a\tb", "123456789012345678901234567890123" };
	unsigned pick = soak_uniform(s, 20), who = soak_uniform(s, 3);
	const char *want = NULL;

	s->scan_clean = false; /* a profile brings its shoulder line */
	if (pick < 4) {
		if (CHAIR(s, "SaveProfile", NULL, NULL, "s", people[who]) == 0)
			want = people[who];
	} else if (pick < 12) {
		if (CHAIR(s, "UseProfile", "ANY", CHAIR_ERROR("NoSuchProfile"), "s", people[who]) == 0) {
			want = people[who];
			s->adjust_mm = profile_adjust(s, people[who]);
			s->adjust_unknown = false;
		}
	} else if (pick < 15) {
		if (CHAIR(s, "UseNoProfile", NULL, NULL, "") == 0)
			want = "";
	} else if (pick < 17)
		CHAIR(s, "DeleteProfile", "ANY", CHAIR_ERROR("NoSuchProfile"), "s", people[who]);
	else if (pick < 19)
		CHAIR(s, "SaveProfile", ERROR_INVALID_ARGS, NULL, "s", bad[soak_uniform(s, 4)]);
	else
		CHAIR(s, "UseProfile", CHAIR_ERROR("NoSuchProfile"), NULL, "s", "Nobody");
	if (want && strcmp(soak_get(s, CHAIR_PATH, CHAIR_IFACE, "Profile"), want) != 0)
		soak_violation(s, "the profile in use reads '%s' after choosing '%s'",
			       soak_get(s, CHAIR_PATH, CHAIR_IFACE, "Profile"), want);
}

/* Sessions change about every ten minutes of chair time (programs last 10-20), so
 * that they also complete and time out; everything else is frequent. */
static void random_action(struct soak *s)
{
	unsigned pick = soak_uniform(s, 1000);

	if (pick < 5)
		action_start(s);
	else if (pick < 8)
		CHAIR(s, "Start", CHAIR_ERROR("NoSuchProgram"), NULL, "s", "no-such-program");
	else if (pick < 12)
		action_manual(s);
	else if (pick < 15) {
		s->scan_clean = false;
		CHAIR(s, "Stop", NULL, NULL, "");
	} else if (pick < 20)
		action_person(s);
	else if (pick < 40)
		action_button(s);
	else if (pick < 90)
		CHAIR(s, "Pause", "ANY", CHAIR_ERROR("NotRunning"), "");
	else if (pick < 190)
		CHAIR(s, "Resume", "ANY", CHAIR_ERROR("NotRunning") "," CHAIR_ERROR("NotSeated"), "");
	else if (pick < 270)
		action_level(s, "SetIntensity", "Intensity", 1, 5);
	else if (pick < 350)
		action_level(s, "SetSpeed", "Speed", 1, 6);
	else if (pick < 420)
		action_width(s);
	else if (pick < 450) {
		s->scan_clean = false; /* a shorter timer may end the session mid-scan */
		action_timer(s);
	} else if (pick < 520)
		CHAIR(s, "SetHeat", NULL, NULL, "b", soak_uniform(s, 2));
	else if (pick < 560) {
		if (CHAIR(s, "Scan", s->seated ? "ANY" : CHAIR_ERROR("NotSeated"), NULL, "") == 0)
			soak_pump(s, 0);
	} else if (pick < 620)
		action_adjust(s);
	else if (pick < 740)
		action_pad(s);
	else if (pick < 770)
		CHAIR(s, "ClearFault", NULL, NULL, "");
	else if (pick < 830)
		soak_check_all(s);
	else if (pick < 870)
		action_profile(s);
	else if (pick < 940) {
		s->person_mm = 450 + soak_uniform(s, 271);
		s->scan_clean = false;
		SIM(s, "SetShoulderHeight", "u", s->person_mm);
	} else
		(void)soak_get(s, CHAIR_PATH, CHAIR_IFACE, "Remaining");
}

/* ---- set-up, memory, the end ---- */

static void load_programs(struct soak *s)
{
	sd_bus_message *reply = harness_call_ok(&s->h, __FILE__, __LINE__, CHAIR_PATH, CHAIR_IFACE, "ListPrograms", "");
	const char *id, *title, *description;
	uint32_t seconds;
	int r;

	r = sd_bus_message_enter_container(reply, 'a', "(sssu)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(sssu)", &id, &title, &description, &seconds)) > 0)
		if (s->n_programs < MAX_PROGRAMS)
			(void)snprintf(s->programs[s->n_programs++], sizeof(s->programs[0]), "%s", id);
	sd_bus_message_unref(reply);
	if (r < 0 || s->n_programs < 9)
		harness_fail(&s->h, __FILE__, __LINE__, "ListPrograms gave %u programs (%s)", s->n_programs,
			     strerror(-r));
}

/* No session, no fault, rollers parked: a state to compare memory in. */
static void quiesce(struct soak *s)
{
	if (!s->seated) {
		s->seat_return_us = 0;
		set_seated(s, true);
	}
	CHAIR(s, "Stop", NULL, NULL, "");
	for (unsigned i = 0; i < N_PADS; i++)
		soak_call(s, pad_paths[i], HEATER_IFACE, "SetTarget", NULL, NULL, "d", 0.0);
	if (strcmp(soak_get(s, CHAIR_PATH, CHAIR_IFACE, "State"), "fault") == 0)
		CHAIR(s, "ClearFault", "ANY", NULL, "");
	for (uint64_t end = harness_now_usec() + 5000000;
	     strcmp(soak_get(s, CHAIR_PATH, CHAIR_IFACE, "State"), "idle");)
		if (harness_now_usec() > end) {
			soak_violation(s, "the chair did not come to rest: State %s", s->state);
			break;
		} else
			soak_pump(s, 5);
	soak_pump(s, 50);
}

static long sample_rss(struct soak *s)
{
	long kb = soak_rss_kb(s);

	if (kb > 0) {
		if (!s->rss_min_kb || kb < s->rss_min_kb)
			s->rss_min_kb = kb;
		if (kb > s->rss_max_kb)
			s->rss_max_kb = kb;
	}
	return kb;
}

/* Whether the daemon's log holds `needle`; *line gets the first such line. */
static bool log_line(struct soak *s, const char *needle, char *line, size_t size)
{
	FILE *f = fopen(s->h.log_path, "re");
	char buf[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(buf, sizeof(buf), f))
		if (strstr(buf, needle)) {
			found = true;
			if (line)
				(void)snprintf(line, size, "%.*s", (int)strcspn(buf, "\n"), buf);
		}
	(void)fclose(f);
	return found;
}

/* SIGTERM with a heated program running: exit 0, the simulated chair left safe. */
static void terminate(struct soak *s)
{
	char line[512];

	CHAIR(s, "Start", NULL, NULL, "s", "hot-stone");
	soak_pump(s, soak_wall_ms(s, 30));
	harness_stop_daemon_at(&s->h, __FILE__, __LINE__); /* fails unless exit 0 */
	if (!log_line(s, "every output inactive at release", NULL, 0))
		soak_violation(s, "an output was still active when massaged released the chair on SIGTERM");
	if (log_line(s, "Time scale:", line, sizeof(line)))
		printf("soak: the daemon said: %s\n", strstr(line, "Time scale:"));
}

static int parse_options(int argc, char *argv[], struct soak *s)
{
	static const struct option longopts[] = {
		{ "hours", required_argument, NULL, 'h' },
		{ "scale", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{},
	};
	const char *e;
	int c;

	s->hours = (e = getenv("SOAK_HOURS")) ? strtod(e, NULL) : 24.0;
	s->scale = (e = getenv("SOAK_SCALE")) ? strtod(e, NULL) : 100.0;
	if ((e = getenv("SOAK_SEED")))
		s->seed = strtoull(e, NULL, 10);
	else if (getrandom(&s->seed, sizeof(s->seed), 0) != sizeof(s->seed))
		s->seed = (uint64_t)harness_now_usec();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) >= 0)
		switch (c) {
		case 'h':
			s->hours = strtod(optarg, NULL);
			break;
		case 's':
			s->scale = strtod(optarg, NULL);
			break;
		case 'r':
			s->seed = strtoull(optarg, NULL, 10);
			break;
		case 'v':
			s->verbose = true;
			break;
		default:
			fprintf(stderr, "usage: soak [--hours H] [--scale N (1..100)] [--seed N] [--verbose]\n");
			return -EINVAL;
		}
	if (!(s->hours > 0) || !(s->scale >= 1 && s->scale <= 100)) {
		fprintf(stderr, "soak: --hours must be positive and --scale 1..100\n");
		return -EINVAL;
	}
	s->seed &= (1ULL << 53) - 1; /* printable exactly by every tool */
	s->rng = s->seed * 0x9E3779B97F4A7C15ULL + 0x6d61737361676564ULL;
	if (!s->rng)
		s->rng = 1;
	return 0;
}

int main(int argc, char *argv[])
{
	static struct soak soak;
	struct soak *s = &soak;
	uint64_t end_us, warmup_us, next_report;

	if (parse_options(argc, argv, s) < 0)
		return 2;
	the_soak = s;
	(void)signal(SIGINT, on_signal);
	(void)signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("soak: seed %llu, %g h of chair time at %gx (rerun: --seed %llu)\n", (unsigned long long)s->seed,
	       s->hours, s->scale, (unsigned long long)s->seed);

	/* Above 10x the control tick cannot keep 50 Hz of chair time (it runs at least 2 ms
	 * of wall time apart, so 5 Hz at 100x): between two readings the rollers travel far
	 * enough onto a firmer part of the back to pass the 150 N of ForceMax for longer than
	 * the 100 ms the rule allows, which no loop sampling at 5 Hz could prevent. There the
	 * soak raises ForceMax to the load cell's range and causes over-force by a load cell
	 * that reads past it; at 10x and below it keeps the default. */
	harness_init(&s->h, s->scale > 10 ? "[Limits]\nForceMax=500\n" : NULL);
	s->h.on_fail = on_harness_fail;
	if (soak_check_attach(s) < 0)
		harness_fail(&s->h, __FILE__, __LINE__, "cannot add the soak's matches");
	harness_start_daemon(&s->h, s->scale);
	s->wall_start = harness_now_usec();
	load_programs(s);
	s->seated = true;
	s->person_mm = 600; /* the simulator's person */
	s->session_limit = s->limit_max = 1200;
	(void)snprintf(s->state, sizeof(s->state), "idle");

	end_us = (uint64_t)(s->hours * 3.6e9);
	warmup_us = (uint64_t)(fmin(1.0, s->hours / 2.0) * 3.6e9);
	next_report = 3600000000ULL;
	soak_chair_now(s);
	s->next_episode_us = s->chair_us + (uint64_t)(soak_uniform_d(s, EPISODE_MIN_S, EPISODE_MAX_S) * 1e6 / 2);
	while (s->chair_us < end_us) {
		soak_pump(s, 1 + soak_wall_ms(s, 0.2));
		if (s->n_raised > 0 && !s->in_episode) {
			soak_unexpected_fault(s, s->raised[0]);
			s->n_raised = 0;
		}
		if (!s->rss_start_kb && s->chair_us >= warmup_us) {
			quiesce(s);
			s->rss_start_kb = sample_rss(s);
			printf("soak: RSS after the warm-up (%.2f h): %ld KiB\n", (double)s->chair_us / 3.6e9,
			       s->rss_start_kb);
		}
		if (s->chair_us >= s->next_episode_us) {
			s->n_raised = 0;
			soak_fault_episode(s);
			s->next_episode_us =
				soak_chair_now(s) + (uint64_t)(soak_uniform_d(s, EPISODE_MIN_S, EPISODE_MAX_S) * 1e6);
		} else if (s->chair_us >= s->next_action_us) {
			random_action(s);
			/* programs back to back: an idle chair with a person in it gets the next one */
			if (s->seated && strcmp(s->state, "idle") == 0 && soak_uniform(s, 3) == 0)
				action_start(s);
			s->next_action_us = s->chair_us + (uint64_t)(exponential(s, ACTION_MEAN_S) * 1e6);
		}
		if (s->chair_us >= next_report) {
			next_report += 3600000000ULL;
			(void)sample_rss(s);
			printf("soak: %5.2f h of chair time, %4.0f s wall: %u programs, %u fault episodes, RSS %ld KiB, "
			       "%u violations\n",
			       (double)s->chair_us / 3.6e9, (double)(harness_now_usec() - s->wall_start) / 1e6,
			       s->started, s->episodes, soak_rss_kb(s), s->n_violations);
			/* the harness keeps every signal: forget them, hours of them add up */
			harness_clear_history(&s->h);
			harness_forget_signals(&s->h);
		}
	}

	quiesce(s);
	s->rss_end_kb = sample_rss(s);
	if (s->rss_start_kb <= 0 || s->rss_end_kb <= 0)
		soak_violation(s, "cannot read the daemon's VmRSS");
	else if (getenv("ASAN_OPTIONS"))
		/* AddressSanitizer's quarantine holds freed memory: RSS says nothing; its leak
		 * check at the daemon's exit does */
		printf("soak: RSS not judged under AddressSanitizer (LeakSanitizer checks at exit)\n");
	else if (s->rss_end_kb - s->rss_start_kb > RSS_TOLERANCE_KB)
		soak_violation(s, "RSS grew from %ld to %ld KiB", s->rss_start_kb, s->rss_end_kb);
	terminate(s);
	print_summary(s, NULL);
	if (s->n_violations) {
		char cmd[1024];

		(void)snprintf(cmd, sizeof(cmd), "cp '%.900s' /tmp/soak-%llu.log", s->h.log_path,
			       (unsigned long long)s->seed);
		if (system(cmd) == 0)
			printf("the daemon's log: /tmp/soak-%llu.log\n", (unsigned long long)s->seed);
	}
	harness_stop(&s->h);
	return s->n_violations ? EXIT_FAILURE : EXIT_SUCCESS;
}
