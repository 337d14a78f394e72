/* SPDX-License-Identifier: MIT */
/* The configuration keys: what each section accepts, where each value goes in struct
 * massaged_config and how it is checked on its own; and reading one file into the struct. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-keys.h"
#include "ini-file.h"
#include "macro.h"
#include "program.h"
#include "roller.h"
#include "sim-body-file.h"

enum config_key_type {
	KEY_UINT,
	KEY_DOUBLE,
	KEY_WIDTH,
	KEY_PROGRAM_ID,
	KEY_PATH,
	KEY_MAX_TARGET,
	KEY_PADS,
	KEY_STRING,
	KEY_TRANSPORT,
	KEY_PARITY,
	KEY_INPUT,
	KEY_OUTPUT,
	KEY_CHANNEL,
	KEY_BODY_PRESET,
};

struct config_key {
	const char *section;
	const char *name;
	enum config_key_type type;
	size_t offset;
	size_t size;          /* strings: the buffer's size */
	double min, max;      /* numbers: the accepted range */
	unsigned multiple_of; /* KEY_UINT: 0 = any */
	const char *unit;
};

#define FIELD(f) offsetof(struct massaged_config, f), sizeof(((struct massaged_config *)0)->f)
#define LIMIT(f) FIELD(limits.f)
#define HW(f) FIELD(hw.f)
/* one key a line, as in the table */
/* clang-format off */
#define INPUT(name, i) { "Binding", name, KEY_INPUT, HW(inputs[i]), 0, 0, 0, NULL }
#define OUTPUT(name, o) { "Binding", name, KEY_OUTPUT, HW(outputs[o]), 0, 0, 0, NULL }
#define SENSOR(name, z) { "Binding", name, KEY_CHANNEL, HW(sensor_channel[z]), 0, 7, 0, NULL }
/* clang-format on */

static const struct config_key config_keys[] = {
	{ "Chair", "SessionMinutes", KEY_UINT, FIELD(session_minutes), 5, 30, 5, "minutes" },
	{ "Chair", "MaxSessionMinutes", KEY_UINT, FIELD(max_session_minutes), 5, 30, 5, "minutes" },
	{ "Chair", "SeatEmptyGraceSeconds", KEY_UINT, FIELD(seat_grace_s), 1, 30, 0, "seconds" },
	{ "Chair", "DefaultProgram", KEY_PROGRAM_ID, FIELD(default_program), 0, 0, 0, NULL },
	{ "Chair", "DefaultShoulderHeight", KEY_UINT, FIELD(default_shoulder_mm), 300, 780, 0, "mm above the seat" },
	{ "Defaults", "Intensity", KEY_UINT, FIELD(intensity), INTENSITY_MIN, INTENSITY_MAX, 0, NULL },
	{ "Defaults", "Speed", KEY_UINT, FIELD(speed), SPEED_MIN, SPEED_MAX, 0, NULL },
	{ "Defaults", "Width", KEY_WIDTH, FIELD(width), 0, 0, 0, NULL },
	{ "Limits", "TrackMin", KEY_UINT, LIMIT(track_min_mm), 0, 780, 0, "mm above the seat" },
	{ "Limits", "TrackMax", KEY_UINT, LIMIT(track_max_mm), 0, 780, 0, "mm above the seat" },
	{ "Limits", "DepthMax", KEY_UINT, LIMIT(depth_max_mm), 0, 50, 0, "mm" },
	{ "Limits", "ForceMax", KEY_UINT, LIMIT(force_max_n), FORCE_MAX_MIN_N, ROLLER_LOAD_RANGE_N, 0, "N" },
	{ "Limits", "WidthMin", KEY_UINT, LIMIT(width_min_mm), 60, 180, 0, "mm" },
	{ "Limits", "WidthMax", KEY_UINT, LIMIT(width_max_mm), 60, 180, 0, "mm" },
	{ "Limits", "TravelSpeedMax", KEY_UINT, LIMIT(travel_speed_max), 1, 120, 0, "mm/s" },
	{ "Limits", "KneadSpeedMax", KEY_UINT, LIMIT(knead_speed_max), 0, 60, 0, "rpm" },
	{ "Limits", "TapRateMax", KEY_UINT, LIMIT(tap_rate_max), 0, 720, 0, "taps/min" },
	{ "Heat", "DefaultTarget", KEY_DOUBLE, FIELD(default_target_c), 30, HEAT_HARD_CEILING_C, 0,
	  "°C, at most MaxTarget" },
	{ "Heat", "MaxTarget", KEY_MAX_TARGET, FIELD(max_target_c), 30, HEAT_HARD_CEILING_C, 0, "°C" },
	{ "Heat", "Pads", KEY_PADS, 0, 0, 0, 0, 0, NULL },
	{ "Heat", "DoseBudget", KEY_DOUBLE, FIELD(dose_budget_min), 1, 240, 0, "CEM43 minutes" },
	{ "Heat", "DoseWindow", KEY_UINT, FIELD(dose_window_h), HEAT_DOSE_WINDOW_MIN_H, HEAT_DOSE_WINDOW_MAX_H, 0,
	  "hours" },
	{ "Heat", "RelayCycle", KEY_DOUBLE, FIELD(relay_cycle_s), 0.5, 30, 0, "seconds" },
	{ "Heat", "RelayMinOn", KEY_DOUBLE, FIELD(relay_min_on_s), 0, 5, 0, "seconds" },
	{ "Heat", "RelayMinOff", KEY_DOUBLE, FIELD(relay_min_off_s), 0, 5, 0, "seconds" },
	{ "Gentle", "MaxTarget", KEY_DOUBLE, FIELD(gentle_max_target_c), 30, HEAT_HARD_CEILING_C, 0,
	  "°C (a pad's own MaxTarget wins if lower)" },
	{ "Programs", "Library", KEY_PATH, FIELD(program_library), 0, 0, 0, NULL },
	{ "Programs", "Override", KEY_PATH, FIELD(program_override), 0, 0, 0, NULL },
	{ "GPIO", "Chip", KEY_STRING, HW(gpio_chip), 0, 0, 0, NULL },
	{ "GPIO", "Debounce", KEY_UINT, HW(debounce_ms), 0, 100, 0, "ms" },
	{ "Modbus", "Transport", KEY_TRANSPORT, HW(modbus.transport), 0, 0, 0, NULL },
	{ "Modbus", "Device", KEY_STRING, HW(modbus.device), 0, 0, 0, NULL },
	{ "Modbus", "Baud", KEY_UINT, HW(modbus.baud), 1200, 4000000, 0, "bits/s" },
	{ "Modbus", "Parity", KEY_PARITY, HW(modbus.parity), 0, 0, 0, NULL },
	{ "Modbus", "DataBits", KEY_UINT, HW(modbus.data_bits), 5, 8, 0, NULL },
	{ "Modbus", "StopBits", KEY_UINT, HW(modbus.stop_bits), 1, 2, 0, NULL },
	{ "Modbus", "Host", KEY_STRING, HW(modbus.host), 0, 0, 0, NULL },
	{ "Modbus", "Port", KEY_UINT, HW(modbus.port), 1, 65535, 0, NULL },
	{ "Modbus", "Timeout", KEY_UINT, HW(modbus.timeout_ms), 10, 250, 0, "ms" },
	{ "Modbus", "StartupWait", KEY_UINT, HW(modbus.startup_wait_s), 0, 600, 0, "seconds" },
	{ "Modbus", "RollerSlave", KEY_UINT, HW(modbus.roller_slave), 1, 247, 0, NULL },
	{ "Modbus", "TemperatureSlave", KEY_UINT, HW(modbus.temp_slave), 1, 247, 0, NULL },
	{ "Modbus", "RelaySlave", KEY_UINT, HW(modbus.relay_slave), 1, 247, 0, NULL },
	INPUT("EmergencyStop", INPUT_ESTOP),
	INPUT("Seat", INPUT_SEAT),
	INPUT("ButtonPower", INPUT_BTN_POWER),
	INPUT("ButtonNeck", INPUT_BTN_NECK),
	INPUT("ButtonShoulder", INPUT_BTN_SHOULDER),
	INPUT("ButtonBack", INPUT_BTN_BACK),
	INPUT("ButtonPause", INPUT_BTN_PAUSE),
	INPUT("ButtonUp", INPUT_BTN_UP),
	INPUT("ButtonDown", INPUT_BTN_DOWN),
	INPUT("ButtonHeat", INPUT_BTN_HEAT),
	OUTPUT("MotorPower", OUTPUT_MOTOR_POWER),
	OUTPUT("HeatPower", OUTPUT_HEAT_POWER),
	OUTPUT("HeatNeck", OUTPUT_HEAT_NECK),
	OUTPUT("HeatShoulders", OUTPUT_HEAT_SHOULDERS),
	OUTPUT("HeatLowerBack", OUTPUT_HEAT_LOWER_BACK),
	OUTPUT("Led", OUTPUT_LED),
	SENSOR("SensorNeck", ZONE_NECK),
	SENSOR("SensorShoulders", ZONE_SHOULDERS),
	SENSOR("SensorUpperBack", ZONE_UPPER_BACK),
	SENSOR("SensorLowerBack", ZONE_LOWER_BACK),
	SENSOR("SensorBack", ZONE_BACK),
	{ "Simulator", "ShoulderHeight", KEY_UINT, FIELD(sim_shoulder_mm), 300, 780, 0, "mm above the seat" },
	{ "Simulator", "LoadNoise", KEY_DOUBLE, FIELD(sim_load_noise_n), 0, 20, 0, "newtons" },
	{ "Simulator", "Bodies", KEY_PATH, FIELD(sim_bodies), 0, 0, 0, NULL },
	{ "Simulator", "Body", KEY_BODY_PRESET, FIELD(sim_body), 0, 0, 0, NULL },
};

#define N_CONFIG_KEYS ELEMENTSOF(config_keys)
_Static_assert(N_CONFIG_KEYS == CONFIG_KEY_COUNT, "CONFIG_KEY_COUNT (config-keys.h) counts config_keys[]");

struct config_parser {
	struct massaged_config *c;
	const char *path;
	char *err;
	struct config_origin *origins; /* N_CONFIG_KEYS entries, or NULL */
};

static bool section_is_known(const char *section)
{
	for (size_t i = 0; i < N_CONFIG_KEYS; i++)
		if (strcmp(config_keys[i].section, section) == 0)
			return true;
	return false;
}

static const struct config_key *key_find(const char *section, const char *name)
{
	for (size_t i = 0; i < N_CONFIG_KEYS; i++)
		if (strcmp(config_keys[i].section, section) == 0 && strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

static void list_sections(char *buf, size_t size)
{
	const char *last = NULL;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_CONFIG_KEYS && n < size; i++) {
		if (last && strcmp(last, config_keys[i].section) == 0)
			continue;
		last = config_keys[i].section;
		n += (size_t)snprintf(buf + n, size - n, "%s[%s]", n ? ", " : "", last);
	}
}

static void list_keys(const char *section, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_CONFIG_KEYS && n < size; i++)
		if (strcmp(config_keys[i].section, section) == 0)
			n += (size_t)snprintf(buf + n, size - n, "%s%s=", n ? ", " : "", config_keys[i].name);
}

static int bad_value(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line,
		     const char *expected)
{
	return ini_file_error(p->err, p->path, line, -EINVAL, "[%s] %s=%s: expected %s", k->section, k->name, value,
			      expected);
}

static int bad_number(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line)
{
	char expected[160];

	(void)snprintf(expected, sizeof(expected), "%s %g..%g%s%s%s",
		       k->type == KEY_UINT ? "a whole number" : "a number", k->min, k->max, k->unit ? " (" : "",
		       k->unit ? k->unit : "", k->unit ? ")" : "");
	if (k->multiple_of > 1) {
		size_t n = strlen(expected);

		(void)snprintf(expected + n, sizeof(expected) - n, ", a multiple of %u", k->multiple_of);
	}
	return bad_value(p, k, value, line, expected);
}

static int parse_uint_key(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line)
{
	unsigned v;

	if (parse_uint_range(value, (unsigned)k->min, (unsigned)k->max, &v) < 0 ||
	    (k->multiple_of > 1 && v % k->multiple_of != 0))
		return bad_number(p, k, value, line);
	memcpy((char *)p->c + k->offset, &v, sizeof(v));
	return 0;
}

static int parse_double_key(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line)
{
	double v;

	if (parse_double_range(value, k->min, k->max, &v) < 0)
		return bad_number(p, k, value, line);
	memcpy((char *)p->c + k->offset, &v, sizeof(v));
	return 0;
}

static int parse_max_target(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line)
{
	double v;
	int r;

	r = parse_double_range(value, k->min, 1e6, &v);
	if (r == 0 && v > HEAT_HARD_CEILING_C)
		return ini_file_error(p->err, p->path, line, -ERANGE,
				      "[Heat] MaxTarget=%s: refused, above the hard ceiling of %g °C "
				      "for the heating pads (docs/safety-rules.md: burn risk); expected %g..%g °C",
				      value, HEAT_HARD_CEILING_C, k->min, k->max);
	if (r < 0)
		return bad_number(p, k, value, line);
	p->c->max_target_c = v;
	for (unsigned i = 0; i < p->c->n_pads; i++)
		p->c->pads[i].max_target_c = v;
	return 0;
}

static int parse_width_key(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line)
{
	enum width w = width_from_string(value);

	if (w == WIDTH_INVALID)
		return bad_value(p, k, value, line, "narrow, medium or wide");
	p->c->width = w;
	return 0;
}

static int parse_string_key(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line)
{
	if (k->type == KEY_PROGRAM_ID && !program_id_is_valid(value))
		return bad_value(p, k, value, line, "a program id (the file name without .program: a-z, 0-9 and '-')");
	if (k->type == KEY_BODY_PRESET && !sim_body_preset_name_is_valid(value))
		return bad_value(p, k, value, line, "a body preset (the file name without .body: a-z, 0-9 and '-')");
	/* empty: back to the built-in location */
	if (k->type == KEY_PATH && value[0] != '\0' && value[0] != '/')
		return bad_value(p, k, value, line, "an absolute path, or nothing for the built-in one");
	if (strlen(value) >= k->size)
		return bad_value(p, k, value, line, "a shorter value");
	memcpy((char *)p->c + k->offset, value, strlen(value) + 1);
	return 0;
}

static int pads_error(const struct config_parser *p, unsigned line, const char *value, const char *zone,
		      const char *problem)
{
	return ini_file_error(p->err, p->path, line, -EINVAL,
			      "[Heat] Pads=%s: '%s' %s; expected distinct zones out of neck, "
			      "shoulders, upper-back, lower-back, back (at most %d), separated by "
			      "spaces",
			      value, zone, problem, MAX_PADS);
}

static int parse_pads(const struct config_parser *p, const char *value, unsigned line)
{
	struct pad_config pads[MAX_PADS];
	char buf[INI_FILE_ERROR_MAX], *save = NULL;
	unsigned n = 0;

	if (strlen(value) >= sizeof(buf))
		return pads_error(p, line, "...", "...", "is too long");
	memcpy(buf, value, strlen(value) + 1);
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		enum zone z = zone_from_string(w);

		if (z == ZONE_INVALID)
			return pads_error(p, line, value, w, "is not a zone");
		for (unsigned i = 0; i < n; i++)
			if (pads[i].zone == z)
				return pads_error(p, line, value, w, "is listed twice");
		if (n == MAX_PADS)
			return pads_error(p, line, value, w, "is one pad too many");
		pads[n++] = (struct pad_config) { z, p->c->max_target_c };
	}
	memcpy(p->c->pads, pads, n * sizeof(pads[0]));
	p->c->n_pads = n;
	return 0;
}

static int parse_signal_key(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line)
{
	struct signal_binding b;
	char expected[INI_FILE_ERROR_MAX / 2];
	bool output = k->type == KEY_OUTPUT;
	enum chair_input input =
		output ? INPUT_INVALID
		       : (enum chair_input)((k->offset - offsetof(struct massaged_config, hw.inputs)) / sizeof(b));
	bool required = input == INPUT_ESTOP || input == INPUT_SEAT;
	enum signal_bias bias = output ? BIAS_AS_IS : hardware_default_bias(input);

	if (signal_binding_parse(value, output, bias, &b, expected, sizeof(expected)) < 0)
		return bad_value(p, k, value, line, expected);
	if (required && b.kind == SIGNAL_NONE)
		return bad_value(p, k, value, line,
				 "a GPIO line: docs/safety-rules.md needs the emergency stop and the seat wired");
	if (output && k->offset == offsetof(struct massaged_config, hw.outputs[OUTPUT_HEAT_POWER]) &&
	    b.kind == SIGNAL_COIL)
		return bad_value(p, k, value, line,
				 "gpio:LINE: the master heater relay is the pads' cut-off independent of the "
				 "relay board, and a silent board cannot open its own coils");
	if (output && k->offset == offsetof(struct massaged_config, hw.outputs[OUTPUT_MOTOR_POWER]) &&
	    b.kind != SIGNAL_GPIO)
		return bad_value(p, k, value, line,
				 "gpio:LINE: motor power must be cut when the roller board or the relay board "
				 "is silent, which neither board can do for itself");
	memcpy((char *)p->c + k->offset, &b, sizeof(b));
	return 0;
}

static int parse_hardware_key(const struct config_parser *p, const struct config_key *k, const char *value,
			      unsigned line)
{
	unsigned channel;
	int r = 0;

	switch (k->type) {
	case KEY_STRING:
		if (strlen(value) >= k->size)
			return bad_value(p, k, value, line, "a shorter value");
		memcpy((char *)p->c + k->offset, value, strlen(value) + 1);
		return 0;
	case KEY_TRANSPORT:
		r = modbus_transport_parse(value, &p->c->hw.modbus.transport);
		return r < 0 ? bad_value(p, k, value, line, "rtu or tcp") : 0;
	case KEY_PARITY:
		r = modbus_parity_parse(value, &p->c->hw.modbus.parity);
		return r < 0 ? bad_value(p, k, value, line, "none, even or odd") : 0;
	case KEY_CHANNEL:
		if (parse_uint_range(value, 0, TEMP_CHANNELS - 1, &channel) < 0)
			return bad_value(p, k, value, line, "a temperature module channel, 0..7");
		*(int *)((char *)p->c + k->offset) = (int)channel;
		return 0;
	default:
		return parse_signal_key(p, k, value, line);
	}
}

static int parse_key_value(const struct config_parser *p, const struct config_key *k, const char *value, unsigned line)
{
	switch (k->type) {
	case KEY_UINT:
		return parse_uint_key(p, k, value, line);
	case KEY_DOUBLE:
		return parse_double_key(p, k, value, line);
	case KEY_WIDTH:
		return parse_width_key(p, k, value, line);
	case KEY_PROGRAM_ID:
	case KEY_PATH:
	case KEY_BODY_PRESET:
		return parse_string_key(p, k, value, line);
	case KEY_MAX_TARGET:
		return parse_max_target(p, k, value, line);
	case KEY_PADS:
		return parse_pads(p, value, line);
	case KEY_STRING:
	case KEY_TRANSPORT:
	case KEY_PARITY:
	case KEY_INPUT:
	case KEY_OUTPUT:
	case KEY_CHANNEL:
		return parse_hardware_key(p, k, value, line);
	}
	return -EINVAL;
}

static int config_on_line(void *userdata, const char *section, int section_index, const char *key, const char *value,
			  unsigned line)
{
	const struct config_parser *p = userdata;
	const struct config_key *k;
	char expected[INI_FILE_ERROR_MAX / 2];
	int r;

	if (!key) {
		if (section_is_known(section))
			return 0;
		list_sections(expected, sizeof(expected));
		return ini_file_error(p->err, p->path, line, -EINVAL, "unknown section [%s], expected one of %s",
				      section, expected);
	}
	if (section_index < 0) {
		list_sections(expected, sizeof(expected));
		return ini_file_error(p->err, p->path, line, -EINVAL,
				      "%s= before any section, expected a section header first: %s", key, expected);
	}
	k = key_find(section, key);
	if (!k) {
		list_keys(section, expected, sizeof(expected));
		return ini_file_error(p->err, p->path, line, -EINVAL, "unknown key '%s' in [%s], expected one of %s",
				      key, section, expected);
	}
	r = parse_key_value(p, k, value, line);
	if (r < 0)
		return r;
	if (p->origins) {
		struct config_origin *o = &p->origins[k - config_keys];

		(void)snprintf(o->path, sizeof(o->path), "%s", p->path);
		o->line = line;
	}
	return 0;
}

int config_parse_file_tracked(struct massaged_config *c, const char *path, struct config_origin *origins, char *err)
{
	struct config_parser p = { .c = c, .path = path, .err = err, .origins = origins };

	return ini_file_parse(path, CONFIG_FILE_SIZE_MAX, config_on_line, &p, err);
}

int config_parse_file(struct massaged_config *c, const char *path, char *err)
{
	return config_parse_file_tracked(c, path, NULL, err);
}

size_t config_key_index(const char *name)
{
	for (size_t i = 0; i < N_CONFIG_KEYS; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return i;
	abort(); /* a typo in the caller */
}
