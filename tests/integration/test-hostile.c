/* SPDX-License-Identifier: MIT */
/* Hostile D-Bus input: every method of Chair1, Heater1 (each pad) and Simulator1 with
 * wrong signatures, out-of-range numbers, strange strings, unknown names, and calls in
 * every state where they make no sense. Each refused call must get the documented
 * error with a message and change nothing: no property of Chair1, of any Heater1 or of
 * the simulated outputs, and no PropertiesChanged. Calls the contract accepts in odd
 * states (Stop while idle, ...) must change nothing either.
 *
 * What moves by itself is left out of the comparison: Elapsed, Remaining, Force,
 * ForceTarget and RollerRunSeconds, a pad's Temperature, Power, AutotuneProgress,
 * HeatingSeconds, RelaySwitches and Dose, heating/holding of a pad being driven, and the
 * relay of a pad with a target (its PWM). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check-tap.h"
#include "harness.h"

#define HEATER_IFACE "org.massaged.Heater1"
#define PROPS_IFACE "org.freedesktop.DBus.Properties"
#define ERR(x) "org.freedesktop.DBus.Error." x
#define HEATER_PATH(zone) CHAIR_PATH "/heater/" zone
/* An echo of the caller's value is welcome in an error; megabytes of it are not. */
#define ERROR_MESSAGE_MAX 1024

static const struct pad {
	const char *path, *output;
} pads[] = {
	{ HEATER_PATH("neck"), "HEAT_NECK" },
	{ HEATER_PATH("shoulders"), "HEAT_SHOULDERS" },
	{ HEATER_PATH("lower_2dback"), "HEAT_LOWER_BACK" },
};
#define N_PADS (sizeof(pads) / sizeof(pads[0]))

/* ---- calls built by hand ---- */

/* One argument: a D-Bus basic type, or 'A' (an empty "as"), 'V' (a variant holding a
 * string), 'E' (an empty "a{sv}"). */
struct arg {
	char type;
	uint64_t u;
	int64_t i;
	double d;
	const char *s;
};
/* clang-format off */
#define A_Y(v) { .type = 'y', .u = (v) }
#define A_B(v) { .type = 'b', .u = (v) }
#define A_N(v) { .type = 'n', .i = (v) }
#define A_Q(v) { .type = 'q', .u = (v) }
#define A_I(v) { .type = 'i', .i = (v) }
#define A_U(v) { .type = 'u', .u = (v) }
#define A_X(v) { .type = 'x', .i = (v) }
#define A_T(v) { .type = 't', .u = (v) }
#define A_D(v) { .type = 'd', .d = (v) }
#define A_S(v) { .type = 's', .s = (v) }
#define A_O(v) { .type = 'o', .s = (v) }
#define A_G(v) { .type = 'g', .s = (v) }
#define A_AS { .type = 'A' }
#define A_V(v) { .type = 'V', .s = (v) }
#define A_VU(v) { .type = 'W', .u = (v) }
#define A_E { .type = 'E' }
/* clang-format on */

#define ARGS_MAX 4
struct call {
	const char *path, *iface, *member;
	unsigned n;
	struct arg args[ARGS_MAX];
};

static int append_arg(sd_bus_message *m, const struct arg *a)
{
	switch (a->type) {
	case 'y':
		return sd_bus_message_append(m, "y", (uint8_t)a->u);
	case 'b':
		return sd_bus_message_append(m, "b", (int)a->u);
	case 'n':
		return sd_bus_message_append(m, "n", (int16_t)a->i);
	case 'q':
		return sd_bus_message_append(m, "q", (uint16_t)a->u);
	case 'i':
		return sd_bus_message_append(m, "i", (int32_t)a->i);
	case 'u':
		return sd_bus_message_append(m, "u", (uint32_t)a->u);
	case 'x':
		return sd_bus_message_append(m, "x", (int64_t)a->i);
	case 't':
		return sd_bus_message_append(m, "t", (uint64_t)a->u);
	case 'd':
		return sd_bus_message_append(m, "d", a->d);
	case 's':
		return sd_bus_message_append(m, "s", a->s);
	case 'o':
		return sd_bus_message_append(m, "o", a->s);
	case 'g':
		return sd_bus_message_append(m, "g", a->s);
	case 'A':
		return sd_bus_message_append(m, "as", 0);
	case 'V':
		return sd_bus_message_append(m, "v", "s", a->s);
	case 'W':
		return sd_bus_message_append(m, "v", "u", (uint32_t)a->u);
	case 'E':
		return sd_bus_message_append(m, "a{sv}", 0);
	default:
		return -EINVAL;
	}
}

/* A value printed for messages: strings shortened and escaped. */
static void describe_arg(const struct arg *a, char *buf, size_t size)
{
	size_t len = 0;

	switch (a->type) {
	case 'y':
	case 'b':
	case 'q':
	case 'u':
	case 't':
	case 'W':
		(void)snprintf(buf, size, "%c:%llu", a->type == 'W' ? 'v' : a->type, (unsigned long long)a->u);
		return;
	case 'n':
	case 'i':
	case 'x':
		(void)snprintf(buf, size, "%c:%lld", a->type, (long long)a->i);
		return;
	case 'd':
		(void)snprintf(buf, size, "d:%g%s", a->d, signbit(a->d) && a->d == 0 ? " (negative zero)" : "");
		return;
	case 'A':
		(void)snprintf(buf, size, "as:[]");
		return;
	case 'E':
		(void)snprintf(buf, size, "a{sv}:{}");
		return;
	default:
		break;
	}
	len = (size_t)snprintf(buf, size, "%c:\"", a->type == 'V' ? 'v' : a->type);
	for (const unsigned char *p = (const unsigned char *)a->s; *p && len + 8 < size; p++) {
		if ((size_t)(p - (const unsigned char *)a->s) >= 40) {
			len += (size_t)snprintf(buf + len, size - len, "...(%zu bytes)", strlen(a->s));
			break;
		}
		len += (size_t)snprintf(buf + len, size - len, *p < 0x20 || *p >= 0x7f ? "\\x%02x" : "%c", *p);
	}
	(void)snprintf(buf + len, size - len, "\"");
}

static const char *describe(const struct call *c)
{
	static char b[1024];
	size_t size = sizeof(b);
	size_t len = (size_t)snprintf(b, size, "%.60s%s %.60s.%.60s(", c->path, strlen(c->path) > 60 ? "..." : "",
				      c->iface ? c->iface : "(no interface)", c->member);

	for (unsigned i = 0; i < c->n && len < size; i++) {
		char arg[160];

		describe_arg(&c->args[i], arg, sizeof(arg));
		len += (size_t)snprintf(b + len, size - len, "%s%s", i ? ", " : "", arg);
	}
	if (len < size)
		(void)snprintf(b + len, size - len, ")");
	return b;
}

/* Send c on bus; 0 and the reply's error (if any) in *error, or negative errno when
 * the call could not be made at all. */
static int send_call(sd_bus *bus, const struct call *c, sd_bus_error *error)
{
	sd_bus_message *m = NULL, *reply = NULL;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, CHAIR_SERVICE, c->path, c->iface, c->member);
	for (unsigned i = 0; r >= 0 && i < c->n; i++)
		r = append_arg(m, &c->args[i]);
	if (r < 0) {
		sd_bus_message_unref(m);
		return r;
	}
	r = sd_bus_call(bus, m, 10 * 1000000ULL, error, &reply);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return r < 0 && !sd_bus_error_is_set(error) ? r : 0;
}

/* ---- the observable world ---- */

struct watch {
	struct harness *h;
	sd_bus_slot *slot;
	char *world;           /* the last snapshot */
	char unexpected[1024]; /* PropertiesChanged that only a change of state explains */
	unsigned n_unexpected;
	unsigned calls; /* hostile calls made */
};

static bool moves_by_itself(const char *iface, const char *name, const char *state_value)
{
	if (strcmp(iface, CHAIR_IFACE) == 0)
		return strcmp(name, "Elapsed") == 0 || strcmp(name, "Remaining") == 0 || strcmp(name, "Force") == 0 ||
		       strcmp(name, "ForceTarget") == 0 || strcmp(name, "RollerRunSeconds") == 0;
	if (strcmp(iface, HEATER_IFACE) == 0) {
		if (strcmp(name, "State") == 0)
			return state_value &&
			       (strcmp(state_value, "heating") == 0 || strcmp(state_value, "holding") == 0);
		return strcmp(name, "Temperature") == 0 || strcmp(name, "Power") == 0 ||
		       strcmp(name, "AutotuneProgress") == 0 || strcmp(name, "HeatingSeconds") == 0 ||
		       strcmp(name, "RelaySwitches") == 0 || strcmp(name, "Dose") == 0;
	}
	return false;
}

static void note_unexpected(struct watch *w, const char *path, const char *name)
{
	size_t len = strlen(w->unexpected);

	w->n_unexpected++;
	(void)snprintf(w->unexpected + len, sizeof(w->unexpected) - len, "%s%s %s", len ? ", " : "", path, name);
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct watch *w = userdata;
	const char *path = sd_bus_message_get_path(m), *iface, *name;

	if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv") > 0) {
		const char *contents = NULL, *state = NULL;
		char type;

		if (sd_bus_message_read(m, "s", &name) < 0 || sd_bus_message_peek_type(m, &type, &contents) < 0)
			return 0;
		if (strcmp(name, "State") == 0 && contents && strcmp(contents, "s") == 0) {
			if (sd_bus_message_read(m, "v", "s", &state) < 0)
				return 0;
		} else if (sd_bus_message_skip(m, "v") < 0)
			return 0;
		if (!moves_by_itself(iface, name, state))
			note_unexpected(w, path, name);
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	if (sd_bus_message_exit_container(m) < 0 || sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s") < 0)
		return 0;
	while (sd_bus_message_read(m, "s", &name) > 0)
		if (!moves_by_itself(iface, name, NULL))
			note_unexpected(w, path, name);
	return 0;
}

/* Remove the "Name=" line of a snapshot. */
static void drop_line(char *snap, const char *name)
{
	size_t n = strlen(name);

	for (char *line = snap; *line;) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) + 1 : strlen(line);

		if (strncmp(line, name, n) == 0 && line[n] == '=') {
			memmove(line, line + len, strlen(line + len) + 1);
			continue;
		}
		line += len;
	}
}

/* Chair1 (without its clock), each pad, and the simulated outputs, as text. */
static char *world(struct harness *h)
{
	char *out = NULL, *chair;
	size_t size = 0;
	bool driven[N_PADS];
	FILE *f = open_memstream(&out, &size);

	if (!f)
		abort();
	chair = harness_snapshot(h);
	(void)fprintf(f, "[Chair1]\n%s", chair);
	free(chair);
	for (size_t i = 0; i < N_PADS; i++) {
		char *pad = harness_get_all_of(h, pads[i].path, HEATER_IFACE);
		const char *target = harness_field(h, pad, "Target"), *state = harness_field(h, pad, "State");

		bool moving = strcmp(state, "heating") == 0 || strcmp(state, "holding") == 0;

		driven[i] = strtod(target, NULL) != 0.0;
		if (moving)
			drop_line(pad, "State");
		drop_line(pad, "Temperature");
		drop_line(pad, "Power");
		drop_line(pad, "AutotuneProgress");
		drop_line(pad, "HeatingSeconds");
		drop_line(pad, "RelaySwitches");
		drop_line(pad, "Dose");
		(void)fprintf(f, "[%s]\n%s%s", pads[i].path, pad, moving ? "State=heating|holding\n" : "");
		free(pad);
	}
	{
		sd_bus_error error = SD_BUS_ERROR_NULL;
		const char *outputs = harness_get(h, SIM_PATH, SIM_IFACE, "Outputs", &error);
		char *copy, *save = NULL;

		if (!outputs)
			harness_fail(h, __FILE__, __LINE__, "cannot read Outputs: %s", error.message);
		copy = strdup(outputs);
		(void)fprintf(f, "[Outputs]\n");
		for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
			bool pwm = false;

			for (size_t i = 0; i < N_PADS; i++)
				pwm |= driven[i] && strncmp(o, pads[i].output, strlen(pads[i].output)) == 0 &&
				       o[strlen(pads[i].output)] == '=';
			if (!pwm)
				(void)fprintf(f, "%s\n", o);
		}
		free(copy);
	}
	(void)fclose(f);
	return out;
}

static void watch_start(struct watch *w, struct harness *h)
{
	int r;

	*w = (struct watch) { .h = h };
	r = sd_bus_match_signal(h->bus, &w->slot, NULL, NULL, PROPS_IFACE, "PropertiesChanged", on_properties_changed,
				w);
	H_ASSERT(h, r >= 0, "cannot watch PropertiesChanged: %s", strerror(-r));
}

static void watch_stop(struct watch *w)
{
	w->slot = sd_bus_slot_unref(w->slot);
	free(w->world);
	w->world = NULL;
}

/* Take the world afresh (after anything that is meant to change it). */
static void watch_settle(struct watch *w)
{
	harness_pump(w->h, 0);
	free(w->world);
	w->world = world(w->h);
	w->unexpected[0] = '\0';
	w->n_unexpected = 0;
}

static void check_unchanged(struct watch *w, const char *file, int line, const char *what)
{
	char *now;

	harness_pump(w->h, 0);
	now = world(w->h);
	if (strcmp(now, w->world) != 0) {
		char msg[2400];

		(void)snprintf(msg, sizeof(msg), "%s", now);
		free(now);
		harness_fail(w->h, file, line, "%s changed what the chair shows.\nbefore:\n%s\nafter:\n%s", what,
			     w->world, msg);
	}
	free(now);
	harness_pump(w->h, 0);
	if (w->n_unexpected)
		harness_fail(w->h, file, line, "%s emitted PropertiesChanged for %s", what, w->unexpected);
}

/* The call is refused with error_name and a message of sensible size; nothing changed. */
static void expect_refused_at(struct watch *w, const char *file, int line, const char *error_name, const struct call *c)
{
	struct harness *h = w->h;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *what = describe(c);
	int r;

	w->calls++;
	r = send_call(h->bus, c, &error);
	if (r < 0)
		harness_fail(h, file, line, "%s: cannot call: %s", what, strerror(-r));
	if (!sd_bus_error_is_set(&error))
		harness_fail(h, file, line, "%s succeeded, expected %s", what, error_name);
	if (strcmp(error.name, error_name) != 0)
		harness_fail(h, file, line, "%s failed with %s (%.200s), expected %s", what, error.name,
			     error.message ? error.message : "", error_name);
	if (!error.message || !error.message[0])
		harness_fail(h, file, line, "%s: %s without a message", what, error_name);
	/* sd-bus's own Unknown* errors quote the name whole, as the caller sent it */
	if (strlen(error.message) > ERROR_MESSAGE_MAX &&
	    strncmp(error.name, ERR("Unknown"), strlen(ERR("Unknown"))) != 0)
		harness_fail(h, file, line, "%s: the %s message is %zu bytes long (\"%.80s...\")", what, error_name,
			     strlen(error.message), error.message);
	sd_bus_error_free(&error);
	check_unchanged(w, file, line, what);
}

/* The contract accepts the call here, and it changes nothing. */
static void expect_accepted_at(struct watch *w, const char *file, int line, const struct call *c)
{
	struct harness *h = w->h;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *what = describe(c);
	int r;

	w->calls++;
	r = send_call(h->bus, c, &error);
	if (r < 0)
		harness_fail(h, file, line, "%s: cannot call: %s", what, strerror(-r));
	if (sd_bus_error_is_set(&error))
		harness_fail(h, file, line, "%s failed: %s: %s; the contract accepts it here", what, error.name,
			     error.message);
	check_unchanged(w, file, line, what);
}

#define CALL(path_, iface_, member_, ...) \
	((struct call) { .path = (path_), \
			 .iface = (iface_), \
			 .member = (member_), \
			 .n = sizeof((struct arg[]) { { 0 }, __VA_ARGS__ }) / sizeof(struct arg) - 1, \
			 .args = { __VA_ARGS__ } })
#define CHAIR(member, ...) CALL(CHAIR_PATH, CHAIR_IFACE, member, __VA_ARGS__)
#define SIM(member, ...) CALL(SIM_PATH, SIM_IFACE, member, __VA_ARGS__)
#define PAD(i, member, ...) CALL(pads[i].path, HEATER_IFACE, member, __VA_ARGS__)
#define REFUSED(w, error, call_) \
	do { \
		struct call _c = call_; \
		expect_refused_at((w), __FILE__, __LINE__, (error), &_c); \
	} while (0)
#define ACCEPTED(w, call_) \
	do { \
		struct call _c = call_; \
		expect_accepted_at((w), __FILE__, __LINE__, &_c); \
	} while (0)

/* ---- the methods and their valid arguments ---- */

struct method {
	const char *path, *iface, *member;
	const char *signature;
	struct arg valid[ARGS_MAX]; /* arguments the call would accept in some state */
};

static const struct method chair_methods[] = {
	{ CHAIR_PATH, CHAIR_IFACE, "ListPrograms", "", { { 0 } } },
	{ CHAIR_PATH, CHAIR_IFACE, "Start", "s", { A_S(TEST_LONG_ID) } },
	{ CHAIR_PATH, CHAIR_IFACE, "StartManual", "ss", { A_S("knead"), A_S("neck") } },
	{ CHAIR_PATH, CHAIR_IFACE, "Stop", "", { { 0 } } },
	{ CHAIR_PATH, CHAIR_IFACE, "Pause", "", { { 0 } } },
	{ CHAIR_PATH, CHAIR_IFACE, "Resume", "", { { 0 } } },
	{ CHAIR_PATH, CHAIR_IFACE, "SetIntensity", "u", { A_U(2) } },
	{ CHAIR_PATH, CHAIR_IFACE, "SetSpeed", "u", { A_U(2) } },
	{ CHAIR_PATH, CHAIR_IFACE, "SetWidth", "s", { A_S("narrow") } },
	{ CHAIR_PATH, CHAIR_IFACE, "SetTimer", "u", { A_U(10) } },
	{ CHAIR_PATH, CHAIR_IFACE, "SetHeat", "b", { A_B(1) } },
	{ CHAIR_PATH, CHAIR_IFACE, "Scan", "", { { 0 } } },
	{ CHAIR_PATH, CHAIR_IFACE, "AdjustShoulder", "i", { A_I(10) } },
	{ CHAIR_PATH, CHAIR_IFACE, "ClearFault", "", { { 0 } } },
	{ CHAIR_PATH, CHAIR_IFACE, "SetZonePressure", "si", { A_S("neck"), A_I(1) } },
	{ CHAIR_PATH, CHAIR_IFACE, "SetGentle", "b", { A_B(0) } },
	{ CHAIR_PATH, CHAIR_IFACE, "SetHeatTarget", "d", { A_D(38.0) } },
	{ SIM_PATH, SIM_IFACE, "SetEmergencyStop", "b", { A_B(1) } },
	{ SIM_PATH, SIM_IFACE, "SetSeated", "b", { A_B(0) } },
	{ SIM_PATH, SIM_IFACE, "SetShoulderHeight", "u", { A_U(500) } },
	{ SIM_PATH, SIM_IFACE, "PressButton", "s", { A_S("power") } },
	{ SIM_PATH, SIM_IFACE, "InjectFault", "sb", { A_S("roller-pinch"), A_B(1) } },
	{ SIM_PATH, SIM_IFACE, "SetPadTemperature", "sd", { A_S("neck"), A_D(60.0) } },
	{ SIM_PATH, SIM_IFACE, "SetBodyPreset", "s", { A_S("average") } },
	{ SIM_PATH, SIM_IFACE, "ResetPeakLoad", "", { { 0 } } },
	/* sd-bus's own, on our objects */
	{ CHAIR_PATH, PROPS_IFACE, "Get", "ss", { A_S(CHAIR_IFACE), A_S("State") } },
	{ CHAIR_PATH, PROPS_IFACE, "GetAll", "s", { A_S(CHAIR_IFACE) } },
	{ CHAIR_PATH, "org.freedesktop.DBus.Introspectable", "Introspect", "", { { 0 } } },
	{ CHAIR_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "", { { 0 } } },
};

/* A value of each type, to put where another type belongs. */
static const struct arg wrong_values[] = {
	A_Y(1),   A_B(1),   A_N(1),   A_Q(1),   A_I(1), A_U(1),      A_X(1), A_T(1),
	A_D(1.0), A_S("1"), A_O("/"), A_G("s"), A_AS,   A_V("neck"), A_E,
};

static char signature_char(const struct arg *a)
{
	return a->type == 'A' || a->type == 'E' ? 'a' : a->type == 'V' || a->type == 'W' ? 'v' : a->type;
}

/* No arguments, one too many, and each argument of every other type. */
static void wrong_signatures(struct watch *w, const struct method *m, const char *path)
{
	size_t n = strlen(m->signature);
	struct call c = { .path = path, .iface = m->iface, .member = m->member };
	bool own;

	if (n > 0)
		expect_refused_at(w, __FILE__, __LINE__, ERR("InvalidArgs"), &c);
	/* sd-bus's own Properties and Introspectable methods read what they need and let
	 * the rest be: one argument too many is not ours to refuse there */
	own = strncmp(m->iface, "org.freedesktop.DBus.", 21) == 0;
	for (size_t k = 1; k < n; k++) { /* too few, keeping the first ones */
		c.n = (unsigned)k;
		memcpy(c.args, m->valid, sizeof(c.args));
		expect_refused_at(w, __FILE__, __LINE__, ERR("InvalidArgs"), &c);
	}
	for (size_t e = 0; e < sizeof(wrong_values) / sizeof(wrong_values[0]) && !own; e++) {
		memcpy(c.args, m->valid, sizeof(c.args));
		c.args[n] = wrong_values[e];
		c.n = (unsigned)n + 1;
		expect_refused_at(w, __FILE__, __LINE__, ERR("InvalidArgs"), &c);
	}
	for (size_t p = 0; p < n; p++)
		for (size_t e = 0; e < sizeof(wrong_values) / sizeof(wrong_values[0]); e++) {
			if (signature_char(&wrong_values[e]) == m->signature[p])
				continue;
			memcpy(c.args, m->valid, sizeof(c.args));
			c.args[p] = wrong_values[e];
			c.n = (unsigned)n;
			expect_refused_at(w, __FILE__, __LINE__, ERR("InvalidArgs"), &c);
		}
}

static void all_wrong_signatures(struct watch *w)
{
	static const struct method heater_methods[] = {
		{ NULL, HEATER_IFACE, "SetTarget", "d", { A_D(40.0) } },
		{ NULL, HEATER_IFACE, "Autotune", "", { { 0 } } },
	};

	for (size_t i = 0; i < sizeof(chair_methods) / sizeof(chair_methods[0]); i++)
		wrong_signatures(w, &chair_methods[i], chair_methods[i].path);
	for (size_t p = 0; p < N_PADS; p++)
		for (size_t i = 0; i < sizeof(heater_methods) / sizeof(heater_methods[0]); i++)
			wrong_signatures(w, &heater_methods[i], pads[p].path);
}

/* ---- numbers ---- */

static void out_of_range_numbers(struct watch *w, double max_target)
{
	static const uint32_t intensity[] = { 0, 6, 7, 100, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu };
	static const uint32_t speed[] = { 0, 7, 0x80000000u, 0xffffffffu };
	/* 0xffffffff is a multiple of 5: only the range check refuses it */
	static const uint32_t timer[] = { 0,  1,    4,           6,           29,          31,         35,
					  60, 1000, 0x7ffffffau, 0x80000000u, 0xfffffff0u, 0xffffffffu };
	static const uint32_t shoulder[] = { 0, 1, 299, 781, 0x80000000u, 0xffffffffu };
	static const int32_t adjust[] = { 51, -51, 1000, -1000, INT32_MAX, INT32_MIN, INT32_MIN + 1 };
	const double target[] = { NAN,
				  -NAN,
				  INFINITY,
				  -INFINITY,
				  1e308,
				  -1e308,
				  DBL_MAX,
				  -DBL_MAX,
				  -1.0,
				  -30.0,
				  1e-300,
				  4.9e-324,
				  -4.9e-324,
				  29.999,
				  max_target + 0.001,
				  max_target + 1,
				  48.0001,
				  1000.0 };
	const int32_t zone_pressure[] = { INT32_MIN, -3, 3, INT32_MAX };
	const double pad_temperature[] = { NAN, INFINITY, -INFINITY, 1e308, -1e308, -20.001, 120.001, 4e9 };

	for (size_t i = 0; i < sizeof(intensity) / sizeof(intensity[0]); i++)
		REFUSED(w, ERR("InvalidArgs"), CHAIR("SetIntensity", A_U(intensity[i])));
	for (size_t i = 0; i < sizeof(speed) / sizeof(speed[0]); i++)
		REFUSED(w, ERR("InvalidArgs"), CHAIR("SetSpeed", A_U(speed[i])));
	for (size_t i = 0; i < sizeof(timer) / sizeof(timer[0]); i++)
		REFUSED(w, ERR("InvalidArgs"), CHAIR("SetTimer", A_U(timer[i])));
	for (size_t i = 0; i < sizeof(adjust) / sizeof(adjust[0]); i++)
		REFUSED(w, ERR("InvalidArgs"), CHAIR("AdjustShoulder", A_I(adjust[i])));
	for (size_t i = 0; i < sizeof(zone_pressure) / sizeof(zone_pressure[0]); i++)
		REFUSED(w, ERR("InvalidArgs"), CHAIR("SetZonePressure", A_S("lower-back"), A_I(zone_pressure[i])));
	for (size_t i = 0; i < sizeof(shoulder) / sizeof(shoulder[0]); i++)
		REFUSED(w, ERR("InvalidArgs"), SIM("SetShoulderHeight", A_U(shoulder[i])));
	for (size_t p = 0; p < N_PADS; p++)
		for (size_t i = 0; i < sizeof(target) / sizeof(target[0]); i++)
			REFUSED(w, ERR("InvalidArgs"), PAD(p, "SetTarget", A_D(target[i])));
	for (size_t i = 0; i < sizeof(pad_temperature) / sizeof(pad_temperature[0]); i++)
		REFUSED(w, ERR("InvalidArgs"), SIM("SetPadTemperature", A_S("neck"), A_D(pad_temperature[i])));
}

/* ---- strings ---- */

/* Hostile strings, valid UTF-8 (D-Bus carries nothing else: libsystemd will not
 * marshal anything else, and the bus disconnects a client that sends it). */
static const char *const strange_strings[] = {
	"",
	" ",
	"neck ",
	" neck",
	"Neck",
	"NECK",
	"neck\t",
	"neck\n",
	"neck\r\n",
	"lower_back",
	"lower back",
	"lower-back ",
	"lower_2dback",
	"upper-back-",
	"back\x7f",
	"\x01\x02\x03",
	"\x1b[31mneck\x1b[0m",
	"%s%s%s%n%n",
	"%x%x%x%x",
	"\\",
	"'\"",
	"../../../../etc/passwd",
	"test-long/..",
	"./" TEST_LONG_ID,
	TEST_LONG_ID ".program",
	".",
	"..",
	"/",
	"*",
	"ne\xcc\x81"
	"ck", /* neck with a combining acute accent */
	"n\xd0\xb5"
	"ck",                                               /* a Cyrillic е */
	"\xef\xbd\x8e\xef\xbd\x85\xef\xbd\x83\xef\xbd\x8b", /* fullwidth ｎｅｃｋ */
	"\xe2\x80\xae"
	"kcen",             /* RIGHT-TO-LEFT OVERRIDE */
	"neck\xe2\x80\x8f", /* RIGHT-TO-LEFT MARK */
	"ne\xe2\x80\x8b"
	"ck", /* ZERO WIDTH SPACE */
	"\xef\xbb\xbf"
	"neck",                 /* BOM */
	"\xf0\x9f\x92\x86",     /* 💆 */
	"neck\xf0\x9f\x94\xa5", /* neck🔥 */
	"\xef\xbf\xbd",         /* REPLACEMENT CHARACTER */
	"\xf4\x8f\xbf\xbd",     /* U+10FFFD, the last private-use code point */
};

/* Argument positions that take a name, with the error a bad name gets. */
struct name_arg {
	struct call call;
	unsigned position;
	const char *error;
};

static void strange_names(struct watch *w, const char *const *names, size_t n_names)
{
	const struct name_arg positions[] = {
		{ CHAIR("Start", A_S("")), 0, CHAIR_ERROR("NoSuchProgram") },
		{ CHAIR("StartManual", A_S(""), A_S("neck")), 0, ERR("InvalidArgs") },
		{ CHAIR("StartManual", A_S("knead"), A_S("")), 1, ERR("InvalidArgs") },
		{ CHAIR("SetWidth", A_S("")), 0, ERR("InvalidArgs") },
		{ SIM("PressButton", A_S("")), 0, ERR("InvalidArgs") },
		{ SIM("InjectFault", A_S(""), A_B(1)), 0, ERR("InvalidArgs") },
		{ SIM("InjectFault", A_S(""), A_B(0)), 0, ERR("InvalidArgs") },
		{ SIM("SetPadTemperature", A_S(""), A_D(60.0)), 0, ERR("InvalidArgs") },
		{ CALL(CHAIR_PATH, PROPS_IFACE, "Get", A_S(CHAIR_IFACE), A_S("")), 1, ERR("UnknownProperty") },
		{ CALL(CHAIR_PATH, PROPS_IFACE, "Get", A_S(""), A_S("State")), 0, ERR("UnknownProperty") },
		{ CALL(CHAIR_PATH, PROPS_IFACE, "GetAll", A_S("")), 0, ERR("UnknownInterface") },
		{ CALL(pads[0].path, PROPS_IFACE, "Get", A_S(HEATER_IFACE), A_S("")), 1, ERR("UnknownProperty") },
	};

	for (size_t p = 0; p < sizeof(positions) / sizeof(positions[0]); p++) {
		const struct name_arg *pos = &positions[p];

		for (size_t i = 0; i < n_names; i++) {
			struct call c = pos->call;
			const char *s = names[i];

			/* GetAll("") is every interface at once (the D-Bus spec's wildcard) */
			if (strcmp(c.member, "GetAll") == 0 && s[0] == '\0')
				continue;
			c.args[pos->position].s = s;
			expect_refused_at(w, __FILE__, __LINE__, pos->error, &c);
		}
	}
}

static void lookalike_names(struct watch *w)
{
	/* fault names: look-alikes of the valid ones */
	{
		static const char *const faults[] = {
			"sensor-open:",
			"sensor-open:nowhere",
			"sensor-open:back",
			"sensor-open:upper-back",
			"sensor-open:Neck",
			"sensor-open:neck ",
			"sensor-open: neck",
			"sensor-open:neck:neck",
			"sensor-open::neck",
			"sensor-open:lower_back",
			"sensor-open:lower_2dback",
			":neck",
			"sensor-open",
			"sensor-open-neck",
			"Sensor-open:neck",
			"heater-dead:",
			"heater-stuck:*",
			"roller-offline ",
			"ROLLER-OFFLINE",
			"roller-offline\n",
			"roller_pinch",
			"roller-pinch:neck",
			"temp-module-offline:",
			"estop",
		};

		for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
			REFUSED(w, ERR("InvalidArgs"), SIM("InjectFault", A_S(faults[i]), A_B(1)));
			REFUSED(w, ERR("InvalidArgs"), SIM("InjectFault", A_S(faults[i]), A_B(0)));
		}
	}
	/* names that are nearly a program's */
	{
		static const char *const ids[] = { "test-long ",  "Test-long", "test_long", "test-lon", "test-longer",
						   "hot-stone\n", "hot stone", "HOT-STONE", "manual",   "replaced" };

		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			REFUSED(w, CHAIR_ERROR("NoSuchProgram"), CHAIR("Start", A_S(ids[i])));
	}
}

/* ---- unknown names ---- */

static void unknown_names(struct watch *w)
{
	static const char *const methods[] = { "start",     "STOP",         "Starts",
					       "Star",      "StartManual2", "GetState",
					       "SetTarget", "Autotune",     "SetEmergencyStop",
					       "Get" };
	static const char *const paths[] = { "/",
					     "/org",
					     "/org/massaged",
					     "/org/massaged/Chair",
					     "/org/massaged/Chair2",
					     "/org/massaged/chair1",
					     CHAIR_PATH "/heater",
					     HEATER_PATH("back"),
					     HEATER_PATH("upper_2dback"),
					     HEATER_PATH("lower_back"),
					     HEATER_PATH("Neck"),
					     HEATER_PATH("neck/x"),
					     SIM_PATH "/x",
					     "/org/massaged/Simulator" };
	static const char *const ifaces[] = { "org.massaged.Chair2",       "org.massaged.chair1",
					      "org.massaged.Chair1.Error", "org.massaged.Heater1",
					      "org.massaged.Simulator1",   "a.b" };
	char long_member[256], long_iface[256], long_path[2048];

	/* Chair1 lacks these names (SetTarget is a pad's, Get a Properties one) */
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		REFUSED(w, ERR("UnknownMethod"), CHAIR(methods[i]));
	/* 255 characters: the longest name D-Bus allows */
	memset(long_member, 'S', 255);
	long_member[255] = '\0';
	REFUSED(w, ERR("UnknownMethod"), CHAIR(long_member));
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		REFUSED(w, ERR("UnknownObject"), CALL(paths[i], CHAIR_IFACE, "Stop"));
		REFUSED(w, ERR("UnknownObject"), CALL(paths[i], HEATER_IFACE, "SetTarget", A_D(40.0)));
	}
	for (size_t i = 0; i < 1000; i++)
		long_path[2 * i] = '/', long_path[2 * i + 1] = 'a';
	long_path[2000] = '\0';
	REFUSED(w, ERR("UnknownObject"), CALL(long_path, CHAIR_IFACE, "Stop"));
	/* an interface the object does not have: the method is unknown there */
	for (size_t i = 0; i < sizeof(ifaces) / sizeof(ifaces[0]); i++) {
		if (strcmp(ifaces[i], SIM_IFACE) == 0)
			REFUSED(w, ERR("UnknownMethod"), CALL(CHAIR_PATH, ifaces[i], "SetSeated", A_B(0)));
		else
			REFUSED(w, ERR("UnknownMethod"), CALL(CHAIR_PATH, ifaces[i], "Stop"));
	}
	REFUSED(w, ERR("UnknownMethod"), CALL(pads[0].path, CHAIR_IFACE, "Stop"));
	REFUSED(w, ERR("UnknownMethod"), CALL(SIM_PATH, HEATER_IFACE, "SetTarget", A_D(40.0)));
	memset(long_iface, 'a', 255);
	for (size_t i = 1; i < 255; i += 2)
		long_iface[i] = '.';
	long_iface[255] = '\0';
	REFUSED(w, ERR("UnknownMethod"), CALL(CHAIR_PATH, long_iface, "Stop"));

	/* properties: unknown, of another interface, and read-only ones written */
	REFUSED(w, ERR("UnknownProperty"), CALL(CHAIR_PATH, PROPS_IFACE, "Get", A_S(CHAIR_IFACE), A_S("Target")));
	REFUSED(w, ERR("UnknownProperty"), CALL(CHAIR_PATH, PROPS_IFACE, "Get", A_S(HEATER_IFACE), A_S("Target")));
	REFUSED(w, ERR("UnknownProperty"), CALL(CHAIR_PATH, PROPS_IFACE, "Get", A_S(CHAIR_IFACE), A_S("state")));
	REFUSED(w, ERR("UnknownInterface"), CALL(CHAIR_PATH, PROPS_IFACE, "GetAll", A_S(HEATER_IFACE)));
	REFUSED(w, ERR("UnknownInterface"), CALL(SIM_PATH, PROPS_IFACE, "GetAll", A_S(CHAIR_IFACE)));
	{
		static const char *const chair_props[] = { "State",  "Intensity",    "Speed",          "Heat",
							   "Faults", "SessionLimit", "ShoulderHeight", "Seated" };
		static const char *const pad_props[] = { "Target", "MaxTarget", "State", "Zone", "Tuned" };

		for (size_t i = 0; i < sizeof(chair_props) / sizeof(chair_props[0]); i++) {
			REFUSED(w, ERR("PropertyReadOnly"),
				CALL(CHAIR_PATH, PROPS_IFACE, "Set", A_S(CHAIR_IFACE), A_S(chair_props[i]), A_VU(2)));
			REFUSED(w, ERR("PropertyReadOnly"),
				CALL(CHAIR_PATH, PROPS_IFACE, "Set", A_S(CHAIR_IFACE), A_S(chair_props[i]),
				     A_V("running")));
		}
		for (size_t p = 0; p < N_PADS; p++)
			for (size_t i = 0; i < sizeof(pad_props) / sizeof(pad_props[0]); i++)
				REFUSED(w, ERR("PropertyReadOnly"),
					CALL(pads[p].path, PROPS_IFACE, "Set", A_S(HEATER_IFACE), A_S(pad_props[i]),
					     A_VU(45)));
		REFUSED(w, ERR("PropertyReadOnly"),
			CALL(SIM_PATH, PROPS_IFACE, "Set", A_S(SIM_IFACE), A_S("RollerPosition"), A_VU(100)));
		REFUSED(w, ERR("UnknownProperty"),
			CALL(CHAIR_PATH, PROPS_IFACE, "Set", A_S(CHAIR_IFACE), A_S("Nope"), A_VU(2)));
	}
}

/* ---- huge strings ---- */

static char *repeat(const char *unit, size_t bytes)
{
	size_t n = strlen(unit);
	char *s = malloc(bytes + 1);

	if (!s)
		abort();
	for (size_t i = 0; i + n <= bytes; i += n)
		memcpy(s + i, unit, n);
	s[bytes - bytes % n] = '\0';
	return s;
}

/* 64 KiB and 1 MiB names of every kind, and the largest string a call carries
 * through the bus (its message limit, read from the bus's own refusal). */
static void huge_strings(struct watch *w)
{
	char *big[4];
	const char *extra[4];

	big[0] = repeat("a", 64 * 1024);
	big[1] = repeat("neck", 64 * 1024);
	big[2] = repeat("\xf0\x9f\x92\x86", 64 * 1024); /* 16384 emoji */
	big[3] = repeat("x", 1024 * 1024);
	for (size_t i = 0; i < 4; i++)
		extra[i] = big[i];
	strange_names(w, extra, 4);
	for (size_t i = 0; i < 4; i++)
		free(big[i]);
}

static size_t bus_max_string(struct harness *h, size_t *ret_rejected)
{
	/* The largest Start(s) the bus passes on, found by halving between what it carried
	 * and what it refused. A call the bus refuses may cost the connection, so each
	 * probe has its own. */
	size_t lo = 1024 * 1024, hi = 64 * 1024 * 1024;

	while (hi - lo > 256 * 1024) {
		size_t mid = lo + (hi - lo) / 2;
		sd_bus *bus = NULL;
		sd_bus_error error = SD_BUS_ERROR_NULL;
		char *s = repeat("z", mid);
		struct call c = CHAIR("Start", A_S(s));
		int r;

		r = sd_bus_new(&bus);
		if (r >= 0)
			r = sd_bus_set_address(bus, h->bus_address);
		if (r >= 0)
			r = sd_bus_set_bus_client(bus, 1);
		if (r >= 0)
			r = sd_bus_start(bus);
		H_ASSERT(h, r >= 0, "cannot connect: %s", strerror(-r));
		r = send_call(bus, &c, &error);
		if (r >= 0 && sd_bus_error_has_name(&error, CHAIR_ERROR("NoSuchProgram")))
			lo = mid;
		else
			hi = mid;
		sd_bus_error_free(&error);
		sd_bus_flush_close_unref(bus);
		free(s);
	}
	*ret_rejected = hi;
	return lo;
}

/* ---- the tests ---- */

static double max_target(struct harness *h)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *v = harness_get(h, pads[0].path, HEATER_IFACE, "MaxTarget", &error);

	H_ASSERT(h, v, "cannot read MaxTarget");
	return strtod(v, NULL);
}

static void whole_battery(struct watch *w, struct harness *h)
{
	watch_settle(w);
	all_wrong_signatures(w);
	out_of_range_numbers(w, max_target(h));
	strange_names(w, strange_strings, sizeof(strange_strings) / sizeof(strange_strings[0]));
	lookalike_names(w);
	unknown_names(w);
}

START_TEST(test_hostile_idle)
{
	struct harness h;
	struct watch w;
	uint64_t t0;

	harness_start(&h, SCAN_SCALE, NULL);
	watch_start(&w, &h);
	t0 = harness_now_usec();
	whole_battery(&w, &h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	printf("# idle: %u hostile calls refused, nothing changed (%.1f s)\n", w.calls,
	       (double)(harness_now_usec() - t0) / 1e6);
	watch_stop(&w);
	harness_stop(&h);
}
END_TEST

START_TEST(test_hostile_running)
{
	struct harness h;
	struct watch w;
	uint64_t t0;

	/* a program with a pad heating: the same battery changes nothing either (at a
	 * time scale that leaves the roller board's 1 s watchdog 250 ms of wall time) */
	harness_start(&h, 4, NULL);
	watch_start(&w, &h);
	H_START_RUNNING(&h, TEST_LONG_ID);
	sd_bus_message_unref(
		harness_call_ok(&h, __FILE__, __LINE__, pads[0].path, HEATER_IFACE, "SetTarget", "d", 40.0));
	t0 = harness_now_usec();
	whole_battery(&w, &h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), TEST_LONG_ID);
	printf("# running with heat: %u hostile calls refused, nothing changed (%.1f s)\n", w.calls,
	       (double)(harness_now_usec() - t0) / 1e6);
	watch_stop(&w);
	harness_stop(&h);
}
END_TEST

START_TEST(test_huge_strings)
{
	struct harness h;
	struct watch w;
	size_t largest, refused;

	harness_start(&h, SCAN_SCALE, NULL);
	watch_start(&w, &h);
	watch_settle(&w);
	huge_strings(&w);
	/* the bus's limit, then that string on every name-taking method */
	largest = bus_max_string(&h, &refused);
	printf("# the bus carries a Start(s) of %zu bytes, refuses %zu\n", largest, refused);
	{
		char *s = repeat("q", largest);
		const char *extra[1] = { s };

		strange_names(&w, extra, 1);
		free(s);
	}
	watch_settle(&w);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "idle");
	watch_stop(&w);
	harness_stop(&h);
}
END_TEST

/* What makes no sense in each state, and what is accepted there but changes nothing. */
static void refused_everywhere(struct watch *w)
{
	REFUSED(w, CHAIR_ERROR("NoSuchProgram"), CHAIR("Start", A_S("nosuch")));
	REFUSED(w, ERR("InvalidArgs"), CHAIR("StartManual", A_S("knead"), A_S("elbow")));
	REFUSED(w, ERR("InvalidArgs"), CHAIR("AdjustShoulder", A_I(51)));
	REFUSED(w, ERR("InvalidArgs"), PAD(1, "SetTarget", A_D(29.0)));
	/* already so: accepted, nothing changes */
	ACCEPTED(w, SIM("SetEmergencyStop", A_B(0)));
	ACCEPTED(w, SIM("SetSeated", A_B(1)));
	ACCEPTED(w, SIM("InjectFault", A_S("roller-pinch"), A_B(0)));
	ACCEPTED(w, SIM("InjectFault", A_S("sensor-open:neck"), A_B(0)));
}

static void same_again(struct watch *w, struct harness *h)
{
	/* each set to what it is */
	ACCEPTED(w, CHAIR("SetIntensity", A_U(H_PROP_U(h, "Intensity"))));
	ACCEPTED(w, CHAIR("SetTimer", A_U(H_PROP_U(h, "SessionLimit") / 60)));
}

START_TEST(test_states)
{
	struct harness h;
	struct watch w;

	/* slow rollers: a scan and the parking after it last seconds of wall time */
	harness_start(&h, 4, "[Limits]\nTravelSpeedMax=30\n");
	watch_start(&w, &h);

	/* scanning, with no session and no shoulder height known */
	H_CALL(&h, "Scan", "");
	H_WAIT_PROP(&h, "State", "scanning", 2000);
	watch_settle(&w);
	ACCEPTED(&w, CHAIR("Scan"));
	REFUSED(&w, CHAIR_ERROR("NotRunning"), CHAIR("Pause"));
	REFUSED(&w, CHAIR_ERROR("NotRunning"), CHAIR("Resume"));
	REFUSED(&w, CHAIR_ERROR("NotScanned"), CHAIR("AdjustShoulder", A_I(10)));
	REFUSED(&w, CHAIR_ERROR("NotScanned"), CHAIR("AdjustShoulder", A_I(-50)));
	ACCEPTED(&w, CHAIR("ClearFault"));
	ACCEPTED(&w, CHAIR("SetHeat", A_B(0)));
	for (size_t p = 0; p < N_PADS; p++)
		ACCEPTED(&w, PAD(p, "SetTarget", A_D(0.0)));
	refused_everywhere(&w);
	same_again(&w, &h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "scanning");

	/* the bare scan parks the rollers from the top of the track: stopping */
	H_WAIT_PROP(&h, "State", "stopping", harness_wall_ms(&h, 60) + 2000);
	watch_settle(&w);
	REFUSED(&w, CHAIR_ERROR("NotRunning"), CHAIR("Pause"));
	REFUSED(&w, CHAIR_ERROR("NotRunning"), CHAIR("Resume"));
	ACCEPTED(&w, CHAIR("Stop"));
	ACCEPTED(&w, CHAIR("ClearFault"));
	ACCEPTED(&w, CHAIR("SetHeat", A_B(0)));
	ACCEPTED(&w, SIM("PressButton", A_S("pause")));
	refused_everywhere(&w);
	same_again(&w, &h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "stopping");

	/* idle with a shoulder height known */
	H_WAIT_PROP(&h, "State", "idle", harness_wall_ms(&h, 60) + 2000);
	watch_settle(&w);
	REFUSED(&w, CHAIR_ERROR("NotRunning"), CHAIR("Pause"));
	REFUSED(&w, CHAIR_ERROR("NotRunning"), CHAIR("Resume"));
	ACCEPTED(&w, CHAIR("Stop"));
	ACCEPTED(&w, CHAIR("ClearFault"));
	ACCEPTED(&w, CHAIR("SetHeat", A_B(0)));
	ACCEPTED(&w, SIM("PressButton", A_S("pause")));
	for (size_t p = 0; p < N_PADS; p++)
		ACCEPTED(&w, PAD(p, "SetTarget", A_D(0.0)));
	ACCEPTED(&w, PAD(0, "SetTarget", A_D(-0.0)));
	refused_everywhere(&w);
	same_again(&w, &h);

	/* running, one pad heating */
	H_CALL(&h, "Start", "s", TEST_LONG_ID);
	H_WAIT_PROP(&h, "State", "running", 2000);
	sd_bus_message_unref(
		harness_call_ok(&h, __FILE__, __LINE__, pads[0].path, HEATER_IFACE, "SetTarget", "d", 40.0));
	watch_settle(&w);
	ACCEPTED(&w, CHAIR("Resume"));
	ACCEPTED(&w, CHAIR("ClearFault"));
	ACCEPTED(&w, PAD(0, "SetTarget", A_D(40.0)));
	REFUSED(&w, ERR("InvalidArgs"), PAD(0, "SetTarget", A_D(max_target(&h) + 0.5)));
	refused_everywhere(&w);
	same_again(&w, &h);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "running");

	/* paused */
	H_CALL(&h, "Pause", "");
	watch_settle(&w);
	ACCEPTED(&w, CHAIR("Pause"));
	ACCEPTED(&w, CHAIR("ClearFault"));
	refused_everywhere(&w);
	same_again(&w, &h);

	/* the seat empties: paused, and nothing may start or heat */
	H_SIM(&h, "SetSeated", "b", 0);
	H_WAIT_PROP(&h, "Seated", "false", 2000);
	watch_settle(&w);
	REFUSED(&w, CHAIR_ERROR("NotSeated"), CHAIR("Resume"));
	REFUSED(&w, CHAIR_ERROR("NotSeated"), CHAIR("Start", A_S(TEST_SHORT_ID)));
	REFUSED(&w, CHAIR_ERROR("NotSeated"), CHAIR("StartManual", A_S("tap"), A_S("back")));
	REFUSED(&w, CHAIR_ERROR("NotSeated"), CHAIR("Scan"));
	for (size_t p = 1; p < N_PADS; p++) {
		REFUSED(&w, CHAIR_ERROR("NotSeated"), PAD(p, "SetTarget", A_D(40.0)));
		REFUSED(&w, CHAIR_ERROR("NotSeated"), PAD(p, "Autotune"));
	}
	ACCEPTED(&w, CHAIR("Pause"));
	ACCEPTED(&w, SIM("SetSeated", A_B(0)));
	H_SIM(&h, "SetSeated", "b", 1);
	H_WAIT_PROP(&h, "Seated", "true", 2000);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "paused");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Program"), TEST_LONG_ID);

	/* fault: the emergency stop ends the session */
	H_SIM(&h, "SetEmergencyStop", "b", 1);
	H_WAIT_PROP(&h, "State", "fault", 2000);
	watch_settle(&w);
	REFUSED(&w, CHAIR_ERROR("Faulted"), CHAIR("Start", A_S(TEST_SHORT_ID)));
	REFUSED(&w, CHAIR_ERROR("NoSuchProgram"), CHAIR("Start", A_S("nosuch")));
	REFUSED(&w, CHAIR_ERROR("NotRunning"), CHAIR("Pause"));
	REFUSED(&w, CHAIR_ERROR("NotRunning"), CHAIR("Resume"));
	REFUSED(&w, CHAIR_ERROR("FaultActive"), CHAIR("ClearFault"));
	for (size_t p = 0; p < N_PADS; p++) {
		REFUSED(&w, CHAIR_ERROR("Faulted"), PAD(p, "SetTarget", A_D(40.0)));
		REFUSED(&w, CHAIR_ERROR("Faulted"), PAD(p, "Autotune"));
		ACCEPTED(&w, PAD(p, "SetTarget", A_D(0.0)));
	}
	ACCEPTED(&w, CHAIR("Stop"));
	ACCEPTED(&w, CHAIR("SetHeat", A_B(0)));
	ACCEPTED(&w, SIM("SetEmergencyStop", A_B(1)));
	ACCEPTED(&w, SIM("PressButton", A_S("power")));
	ACCEPTED(&w, SIM("PressButton", A_S("heat")));
	ACCEPTED(&w, SIM("InjectFault", A_S("roller-pinch"), A_B(0)));
	same_again(&w, &h);
	/* released, still latched; cleared; then nothing to clear */
	H_SIM(&h, "SetEmergencyStop", "b", 0);
	harness_pump(&h, 50);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "State"), "fault");
	H_CLEAR_FAULT(&h, "estop");
	watch_settle(&w);
	ACCEPTED(&w, CHAIR("ClearFault"));
	ACCEPTED(&w, CHAIR("Stop"));
	printf("# states: %u calls in scanning, stopping, idle, running, paused, seat empty and fault\n", w.calls);
	watch_stop(&w);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile");

	CHECK_ADD_TEST(s, test_hostile_idle, 120);
	CHECK_ADD_TEST(s, test_hostile_running, 120);
	CHECK_ADD_TEST(s, test_huge_strings, 120);
	CHECK_ADD_TEST(s, test_states, 120);
	return check_run_tap(s);
}
