/* SPDX-License-Identifier: MIT */
/* The soak's contract checks: every PropertiesChanged of Chair1 and Heater1 and every
 * periodic GetAll against the ranges of docs/dbus-api.md; the true pad temperatures and
 * the outputs against docs/safety-rules.md; the daemon's signals counted. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soak.h"

static const char *const states[] = { "idle", "scanning", "running", "paused", "stopping", "fault", NULL };
static const char *const techniques[] = { "", "knead", "tap", "glide", "shiatsu", "friction", "press", "deep", NULL };
static const char *const zones[] = { "", "neck", "shoulders", "upper-back", "lower-back", "back", NULL };
static const char *const widths[] = { "narrow", "medium", "wide", NULL };
static const char *const pad_states[] = { "off", "heating", "holding", "autotune", "fault", NULL };
static const char *const reasons[] = { "completed", "stopped", "replaced", "fault", "timeout", "seat-empty", NULL };

static void set_text(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool in_set(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

static bool fault_code_valid(const char *code)
{
	static const char *const plain[] = { "estop",         "roller-offline", "roller-fault", "temp-module-offline",
					     "relay-offline", "modbus-slow",    "over-force",   NULL };
	static const char *const zoned[] = { "sensor:", "overtemp:", "runaway:", "heater-stuck:", NULL };

	if (in_set(code, plain))
		return true;
	for (size_t i = 0; zoned[i]; i++)
		if (strncmp(code, zoned[i], strlen(zoned[i])) == 0)
			for (size_t z = 0; z < N_PADS; z++)
				if (strcmp(code + strlen(zoned[i]), pad_zones[z]) == 0)
					return true;
	return false;
}

/* One property value, read from a variant: strings (and string arrays, joined by
 * spaces) as text, numbers and booleans as num. */
struct value {
	char text[512];
	double num;
};

static int read_value(sd_bus_message *m, struct value *v)
{
	const char *contents, *str;
	char type;
	int r, b;
	uint32_t u;

	v->text[0] = '\0';
	v->num = NAN;
	r = sd_bus_message_enter_container(m, 'v', NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r < 0)
		return r;
	switch (type) {
	case 's':
		r = sd_bus_message_read(m, "s", &str);
		if (r >= 0)
			(void)snprintf(v->text, sizeof(v->text), "%s", str);
		break;
	case 'u':
		r = sd_bus_message_read(m, "u", &u);
		v->num = u;
		break;
	case 'b':
		r = sd_bus_message_read(m, "b", &b);
		v->num = b;
		break;
	case 'd':
		r = sd_bus_message_read(m, "d", &v->num);
		break;
	case 'a':
		if (strcmp(contents, "s") != 0)
			return sd_bus_message_skip(m, NULL) < 0 ? -EBADMSG : sd_bus_message_exit_container(m);
		r = sd_bus_message_enter_container(m, 'a', "s");
		while (r >= 0 && (r = sd_bus_message_read(m, "s", &str)) > 0) {
			size_t n = strlen(v->text);

			(void)snprintf(v->text + n, sizeof(v->text) - n, "%s%s", n ? " " : "", str);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		break;
	default:
		r = sd_bus_message_skip(m, NULL);
		break;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* Chair1 values that are checked together: the last known of each. */
struct chair_view {
	char state[16], faults[512], program[64];
	double elapsed, remaining, limit, step, step_count;
};

static void check_chair_value(struct soak *s, struct chair_view *cv, const char *name, const struct value *v,
			      const char *where)
{
	bool ok = true;
	double n = v->num;

	if (strcmp(name, "State") == 0) {
		ok = in_set(v->text, states);
		set_text(cv->state, sizeof(cv->state), v->text);
	} else if (strcmp(name, "Program") == 0) {
		bool listed = !v->text[0] || strcmp(v->text, "manual") == 0;

		for (unsigned i = 0; i < s->n_programs && !listed; i++)
			listed = strcmp(v->text, s->programs[i]) == 0;
		ok = listed;
		set_text(cv->program, sizeof(cv->program), v->text);
	} else if (strcmp(name, "Technique") == 0)
		ok = in_set(v->text, techniques);
	else if (strcmp(name, "Zone") == 0)
		ok = in_set(v->text, zones);
	else if (strcmp(name, "Width") == 0)
		ok = in_set(v->text, widths);
	else if (strcmp(name, "Intensity") == 0)
		ok = n >= 1 && n <= 5;
	else if (strcmp(name, "Speed") == 0)
		ok = n >= 1 && n <= 6;
	else if (strcmp(name, "SessionLimit") == 0) {
		ok = n >= 300 && n <= 1800 && fmod(n, 300) == 0;
		cv->limit = n;
	} else if (strcmp(name, "Elapsed") == 0) {
		ok = n <= 1800;
		cv->elapsed = n;
	} else if (strcmp(name, "Remaining") == 0) {
		ok = n <= 1800;
		cv->remaining = n;
	} else if (strcmp(name, "Step") == 0) {
		ok = n <= 200;
		cv->step = n;
	} else if (strcmp(name, "StepCount") == 0) {
		ok = n <= 200;
		cv->step_count = n;
	} else if (strcmp(name, "Force") == 0)
		ok = n >= 0 && n <= 6553.5; /* what LOAD can read (0.1 N in 16 bits): a saturated cell reads past 500 */
	else if (strcmp(name, "ForceTarget") == 0)
		ok = n >= 0 && n <= 500; /* never above ForceMax, at most the load cell's range */
	else if (strcmp(name, "ShoulderHeight") == 0)
		ok = n == 0 || (n >= 300 && n <= 780);
	else if (strcmp(name, "Faults") == 0) {
		char copy[512], *save = NULL;

		(void)snprintf(copy, sizeof(copy), "%s", v->text);
		for (char *code = strtok_r(copy, " ", &save); code && ok; code = strtok_r(NULL, " ", &save))
			ok = fault_code_valid(code);
		set_text(cv->faults, sizeof(cv->faults), v->text);
	}
	if (!ok)
		soak_violation(s, "%s: Chair1.%s out of range: \"%s\" %g", where, name, v->text, n);
}

/* Rules between properties; `consistent`: one GetAll, so one view of the session. */
static void check_chair_view(struct soak *s, const struct chair_view *cv, const char *where, bool consistent)
{
	if (cv->elapsed > cv->limit)
		soak_violation(s, "%s: Elapsed %g s beyond SessionLimit %g s", where, cv->elapsed, cv->limit);
	if (!consistent)
		return;
	if (cv->remaining > cv->limit - fmin(cv->elapsed, cv->limit) + 1)
		soak_violation(s, "%s: Remaining %g s with Elapsed %g s of SessionLimit %g s", where, cv->remaining,
			       cv->elapsed, cv->limit);
	if (cv->step > cv->step_count)
		soak_violation(s, "%s: Step %g of StepCount %g", where, cv->step, cv->step_count);
	if ((strcmp(cv->state, "fault") == 0) != (cv->faults[0] != '\0'))
		soak_violation(s, "%s: State %s with Faults \"%s\"", where, cv->state, cv->faults);
	if ((strcmp(cv->state, "running") == 0 || strcmp(cv->state, "paused") == 0) && !cv->program[0])
		soak_violation(s, "%s: State %s without a Program", where, cv->state);
}

struct pad_view {
	double target, power, max_target;
	char state[16];
};

static void check_pad_value(struct soak *s, struct pad_view *pv, const char *path, const char *name,
			    const struct value *v, const char *where)
{
	bool ok = true;
	double n = v->num;

	if (strcmp(name, "Temperature") == 0)
		ok = n >= 0 && n <= 90;
	else if (strcmp(name, "Target") == 0) {
		ok = n == 0 || (n >= 30 && n <= MAX_TARGET_C);
		pv->target = n;
	} else if (strcmp(name, "Power") == 0) {
		ok = n >= 0 && n <= 1;
		pv->power = n;
	} else if (strcmp(name, "MaxTarget") == 0) {
		ok = n >= 30 && n <= 48;
		pv->max_target = n;
	} else if (strcmp(name, "AutotuneProgress") == 0)
		ok = n >= 0 && n <= 1;
	else if (strcmp(name, "State") == 0) {
		ok = in_set(v->text, pad_states);
		set_text(pv->state, sizeof(pv->state), v->text);
	}
	if (!ok)
		soak_violation(s, "%s: %s Heater1.%s out of range: \"%s\" %g", where, path, name, v->text, n);
}

static void check_pad_view(struct soak *s, const struct pad_view *pv, const char *path, const char *where)
{
	if (pv->target == 0 && strcmp(pv->state, "autotune") != 0 && pv->power != 0)
		soak_violation(s, "%s: %s at Power %g with Target 0", where, path, pv->power);
	if (pv->target == 0 && strcmp(pv->state, "heating") == 0)
		soak_violation(s, "%s: %s heating with Target 0", where, path);
}

static struct chair_view signal_view = { .limit = 1200 };
static struct pad_view signal_pads[N_PADS];

static int pad_index(const char *path)
{
	for (int i = 0; i < N_PADS; i++)
		if (strcmp(path, pad_paths[i]) == 0)
			return i;
	return -1;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct soak *s = userdata;
	const char *iface, *name, *path = sd_bus_message_get_path(m);
	bool chair;
	int pad = -1, r;

	if (sd_bus_message_read(m, "s", &iface) < 0 || !path)
		return 0;
	chair = strcmp(iface, CHAIR_IFACE) == 0;
	if (!chair) {
		if (strcmp(iface, HEATER_IFACE) != 0 || (pad = pad_index(path)) < 0)
			return 0;
	}
	s->signals_checked++;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		struct value v;

		if (sd_bus_message_read(m, "s", &name) < 0 || read_value(m, &v) < 0) {
			soak_violation(s, "a malformed PropertiesChanged on %s", path);
			return 0;
		}
		if (chair) {
			check_chair_value(s, &signal_view, name, &v, "PropertiesChanged");
			if (strcmp(name, "State") == 0) {
				bool scanning = strcmp(v.text, "scanning") == 0;

				if (scanning && !s->scanning)
					s->scan_clean = true;
				if (!scanning && s->scanning) {
					s->scan_ended = true;
					set_text(s->scan_end_state, sizeof(s->scan_end_state), v.text);
				}
				s->scanning = scanning;
				set_text(s->state, sizeof(s->state), v.text);
			} else if (strcmp(name, "ShoulderHeight") == 0) {
				s->shoulder = (unsigned)v.num;
				/* the line forgotten (the next person) takes the adjustment with it */
				if (s->shoulder == 0) {
					s->adjust_mm = 0;
					s->adjust_unknown = false;
				}
			} else if (strcmp(name, "SessionLimit") == 0) {
				s->session_limit = (unsigned)v.num;
				if (s->session_limit > s->limit_max)
					s->limit_max = s->session_limit;
			}
		} else
			check_pad_value(s, &signal_pads[pad], path, name, &v, "PropertiesChanged");
		r = sd_bus_message_exit_container(m);
	}
	if (chair)
		check_chair_view(s, &signal_view, "PropertiesChanged", false);
	return 0;
}

static int on_chair_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct soak *s = userdata;
	const char *member = sd_bus_message_get_member(m), *a = NULL, *b = NULL;

	if (!member || sd_bus_message_read(m, "s", &a) < 0)
		return 0;
	if (strcmp(member, "ProgramFinished") == 0) {
		if (sd_bus_message_read(m, "s", &b) < 0 || !in_set(b, reasons)) {
			soak_violation(s, "ProgramFinished(%s) with reason \"%s\"", a, b ? b : "?");
			return 0;
		}
		for (unsigned i = 0; reasons[i]; i++)
			if (strcmp(b, reasons[i]) == 0)
				s->finished[i]++;
		/* replaced: the new session's start is the one that counts */
		if (strcmp(b, "replaced") != 0) {
			s->finished_pending = true;
			s->finished_wall = harness_now_usec();
			(void)snprintf(s->finished_reason, sizeof(s->finished_reason), "%s", b);
		}
	} else if (strcmp(member, "FaultRaised") == 0) {
		struct code_count *c = soak_code(s, a);

		if (!fault_code_valid(a))
			soak_violation(s, "FaultRaised with an unknown code \"%s\"", a);
		if (c)
			c->seen++;
		if (s->n_raised < 8)
			(void)snprintf(s->raised[s->n_raised++], sizeof(s->raised[0]), "%s", a);
	} else if (strcmp(member, "FaultCleared") == 0) {
		struct code_count *c = soak_code(s, a);

		if (c)
			c->cleared++;
		if (s->n_cleared < 8)
			(void)snprintf(s->cleared[s->n_cleared++], sizeof(s->cleared[0]), "%s", a);
	}
	return 0;
}

int soak_check_attach(struct soak *s)
{
	int r = sd_bus_match_signal(s->h.bus, &s->match_props, CHAIR_SERVICE, NULL, "org.freedesktop.DBus.Properties",
				    "PropertiesChanged", on_properties_changed, s);

	if (r >= 0)
		r = sd_bus_match_signal(s->h.bus, &s->match_signals, CHAIR_SERVICE, CHAIR_PATH, CHAIR_IFACE, NULL,
					on_chair_signal, s);
	return r;
}

static sd_bus_message *get_all(struct soak *s, const char *path, const char *iface)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	uint64_t t0 = harness_now_usec();
	double ms;
	int r;

	r = sd_bus_call_method(s->h.bus, CHAIR_SERVICE, path, "org.freedesktop.DBus.Properties", "GetAll", &error,
			       &reply, "s", iface);
	ms = (double)(harness_now_usec() - t0) / 1000.0;
	if (ms > s->call_worst_ms)
		s->call_worst_ms = ms;
	if (ms > CALL_DEADLINE_MS)
		soak_violation(s, "GetAll(%s) took %.0f ms", iface, ms);
	if (r < 0) {
		soak_violation(s, "GetAll(%s) on %s failed: %s", iface, path,
			       error.message ? error.message : strerror(-r));
		sd_bus_error_free(&error);
		return NULL;
	}
	s->calls_ok++;
	return reply;
}

static void check_get_all(struct soak *s, const char *path, const char *iface)
{
	sd_bus_message *reply = get_all(s, path, iface);
	struct chair_view cv = { .limit = 1200 };
	struct pad_view pv = { .max_target = MAX_TARGET_C };
	bool chair = strcmp(iface, CHAIR_IFACE) == 0;
	const char *name;
	int r;

	if (!reply)
		return;
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		struct value v;

		if (sd_bus_message_read(reply, "s", &name) < 0 || read_value(reply, &v) < 0) {
			r = -EBADMSG;
			break;
		}
		if (chair)
			check_chair_value(s, &cv, name, &v, "GetAll");
		else
			check_pad_value(s, &pv, path, name, &v, "GetAll");
		r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	if (r < 0) {
		soak_violation(s, "cannot parse GetAll(%s) of %s: %s", iface, path, strerror(-r));
		return;
	}
	if (chair) {
		check_chair_view(s, &cv, "GetAll", true);
		set_text(s->state, sizeof(s->state), cv.state);
	} else {
		check_pad_view(s, &pv, path, "GetAll");
		if (pv.max_target != MAX_TARGET_C)
			soak_violation(s, "%s MaxTarget %g, the default is %g", path, pv.max_target, MAX_TARGET_C);
	}
}

/* Simulator1's a{sd} or a{sb} as "key=value" pairs: value of key, NAN if missing. */
double soak_sim_dict(struct soak *s, const char *property, const char *key)
{
	const char *all = soak_get(s, SIM_PATH, SIM_IFACE, property);
	size_t n = strlen(key);

	for (const char *at = all; (at = strstr(at, key)); at += n)
		if ((at == all || at[-1] == ',') && at[n] == '=')
			return strncmp(at + n + 1, "true", 4) == 0    ? 1.0
			       : strncmp(at + n + 1, "false", 5) == 0 ? 0.0
								      : strtod(at + n + 1, NULL);
	soak_violation(s, "Simulator1.%s has no %s: %s", property, key, all);
	return NAN;
}

void soak_check_outputs_safe(struct soak *s, const char *why)
{
	static const char *const power[] = { "MOTOR_POWER",    "HEAT_POWER",      "HEAT_NECK",
					     "HEAT_SHOULDERS", "HEAT_LOWER_BACK", NULL };

	for (size_t i = 0; power[i]; i++)
		if (soak_sim_dict(s, "Outputs", power[i]) != 0.0)
			soak_violation(s, "%s active in State fault (%s)", power[i], why);
}

void soak_check_all(struct soak *s)
{
	s->checks++;
	check_get_all(s, CHAIR_PATH, CHAIR_IFACE);
	for (unsigned i = 0; i < N_PADS; i++)
		check_get_all(s, pad_paths[i], HEATER_IFACE);
	for (unsigned i = 0; i < N_PADS; i++) {
		double t = soak_sim_dict(s, "PadTemperature", pad_zones[i]);

		if (s->overtemp_pad[i]) {
			if (t < OVERTEMP_TRIP_C - 1.0)
				s->overtemp_pad[i] = false; /* cooled since the injection */
			continue;
		}
		if (t > s->pad_worst_c)
			s->pad_worst_c = t;
		if (t > OVERTEMP_TRIP_C)
			soak_violation(s,
				       "the %s stone is at %.2f °C, above MaxTarget + 3 °C, with no overtemp injected",
				       pad_zones[i], t);
	}
	if (strcmp(s->state, "fault") == 0)
		soak_check_outputs_safe(s, "periodic check");
}

long soak_rss_kb(struct soak *s)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)s->h.daemon_pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	(void)fclose(f);
	return kb;
}
