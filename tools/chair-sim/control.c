/* SPDX-License-Identifier: MIT */
/* The control protocol on stdin: one command a line, answered with `ok` or
 * `error: why` (stats and state print their lines before the `ok`). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control-body.h"
#include "control.h"
#include "device.h"
#include "macro.h"

#define ARGS_MAX 16 /* body takes one NAME=VALUE per parameter */
#define PAD_CELSIUS_MIN -40.0
#define PAD_CELSIUS_MAX 150.0
#define REPLY_DELAY_MS_MAX 1000

struct command {
	const char *name;
	unsigned n_args; /* variadic: at least that many */
	bool variadic;
	const char *usage;
	/* NULL on success, else why the command changed nothing; args end with NULL */
	const char *(*run)(struct chair_sim *cs, char **args, char *why, size_t size);
};

static int parse_on_off(const char *s)
{
	if (strcmp(s, "on") == 0)
		return 1;
	if (strcmp(s, "off") == 0)
		return 0;
	return -EINVAL;
}

/* The devices a DEVICE argument names, as a bit set; 0 when it names none. */
static unsigned parse_devices(const char *s)
{
	enum bus_device_id id;

	if (strcmp(s, "all") == 0)
		return (1u << _BUS_DEVICE_MAX) - 1;
	id = bus_device_from_name(s);
	return id == BUS_DEVICE_INVALID ? 0 : 1u << id;
}

__attribute__((format(printf, 3, 4))) static const char *format_why(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return why;
}

enum flag {
	FLAG_SILENT,
	FLAG_BAD_CRC,
	FLAG_WRONG_SLAVE,
};

static bool *device_flag(struct bus_device *d, enum flag f)
{
	switch (f) {
	case FLAG_SILENT:
		return &d->silent;
	case FLAG_BAD_CRC:
		return &d->bad_crc;
	default:
		return &d->wrong_slave;
	}
}

static const char *set_flag(struct chair_sim *cs, char **args, enum flag f, char *why, size_t size)
{
	unsigned devices = parse_devices(args[0]);
	int on = parse_on_off(args[1]);

	if (!devices)
		return format_why(why, size, "no device '%s'; expected roller, temp, relay or all", args[0]);
	if (on < 0)
		return format_why(why, size, "'%s' is neither on nor off", args[1]);
	if (f == FLAG_BAD_CRC && cs->transport == TRANSPORT_TCP)
		return "no CRC on TCP";
	for (int i = 0; i < _BUS_DEVICE_MAX; i++)
		if (devices & (1u << i))
			*device_flag(&cs->devices[i], f) = on;
	return NULL;
}

static const char *cmd_silent(struct chair_sim *cs, char **args, char *why, size_t size)
{
	return set_flag(cs, args, FLAG_SILENT, why, size);
}

static const char *cmd_bad_crc(struct chair_sim *cs, char **args, char *why, size_t size)
{
	return set_flag(cs, args, FLAG_BAD_CRC, why, size);
}

static const char *cmd_wrong_slave(struct chair_sim *cs, char **args, char *why, size_t size)
{
	return set_flag(cs, args, FLAG_WRONG_SLAVE, why, size);
}

static const char *cmd_exception(struct chair_sim *cs, char **args, char *why, size_t size)
{
	unsigned devices = parse_devices(args[0]), code = 0;

	if (!devices)
		return format_why(why, size, "no device '%s'; expected roller, temp, relay or all", args[0]);
	if (strcmp(args[1], "off") != 0 && parse_uint_range(args[1], 1, MODBUS_EXCEPTION_MAX - 1, &code) < 0)
		return format_why(why, size, "exception code '%s' is not 1 to 11 or off", args[1]);
	for (int i = 0; i < _BUS_DEVICE_MAX; i++)
		if (devices & (1u << i))
			cs->devices[i].exception = code;
	return NULL;
}

static const char *cmd_delay(struct chair_sim *cs, char **args, char *why, size_t size)
{
	unsigned ms;

	if (parse_uint_range(args[0], 0, REPLY_DELAY_MS_MAX, &ms) < 0)
		return format_why(why, size, "'%s' is not a delay from 0 to %d ms", args[0], REPLY_DELAY_MS_MAX);
	cs->reply_delay_ms = ms;
	return NULL;
}

static const char *cmd_pinch(struct chair_sim *cs, char **args, char *why, size_t size)
{
	int on = parse_on_off(args[0]);

	if (on < 0)
		return format_why(why, size, "'%s' is neither on nor off", args[0]);
	sim_chair_set_pinch(&cs->chair, chair_sim_now(cs), on);
	return NULL;
}

static const char *cmd_seated(struct chair_sim *cs, char **args, char *why, size_t size)
{
	int on = parse_on_off(args[0]);

	if (on < 0)
		return format_why(why, size, "'%s' is neither on nor off", args[0]);
	sim_chair_set_seated(&cs->chair, chair_sim_now(cs), on);
	return NULL;
}

/* The daemon's GPIO lines are out of chair-sim's sight: a test that drives one (the
 * heater master, motor power) tells the model here what massaged drove it to. */
static const char *cmd_line(struct chair_sim *cs, char **args, char *why, size_t size)
{
	enum chair_output o = chair_output_from_name(args[0]);
	int on = parse_on_off(args[1]);

	if (o == OUTPUT_INVALID)
		return format_why(why, size, "no output '%s'", args[0]);
	if (on < 0)
		return format_why(why, size, "'%s' is neither on nor off", args[1]);
	for (int c = 0; c < CHAIR_SIM_COILS; c++)
		if (cs->coil_output[c] == o)
			return format_why(why, size, "%s is coil %d: the relay board switches it", args[0], c);
	sim_chair_set_output(&cs->chair, chair_sim_now(cs), o, on);
	return NULL;
}

static const char *pad_zone(struct chair_sim *cs, const char *s, enum zone *ret, char *why, size_t size)
{
	enum zone z = zone_from_string(s);

	if (z == ZONE_INVALID)
		return format_why(why, size, "no zone '%s'", s);
	if (!sim_chair_find_pad(&cs->chair, z))
		return format_why(why, size, "no pad on %s", s);
	*ret = z;
	return NULL;
}

static const char *cmd_sensor(struct chair_sim *cs, char **args, char *why, size_t size)
{
	const char *err;
	unsigned fault;
	uint64_t now;
	enum zone z;

	err = pad_zone(cs, args[0], &z, why, size);
	if (err)
		return err;
	if (strcmp(args[1], "open") == 0)
		fault = SIM_PAD_SENSOR_OPEN;
	else if (strcmp(args[1], "short") == 0)
		fault = SIM_PAD_SENSOR_SHORT;
	else if (strcmp(args[1], "ok") == 0)
		fault = 0;
	else
		return format_why(why, size, "'%s' is not open, short or ok", args[1]);
	now = chair_sim_now(cs);
	(void)sim_chair_set_pad_fault(&cs->chair, now, z, SIM_PAD_SENSOR_OPEN | SIM_PAD_SENSOR_SHORT, false);
	if (fault)
		(void)sim_chair_set_pad_fault(&cs->chair, now, z, fault, true);
	return NULL;
}

static const char *cmd_pad(struct chair_sim *cs, char **args, char *why, size_t size)
{
	const char *err;
	double celsius;
	enum zone z;

	err = pad_zone(cs, args[0], &z, why, size);
	if (err)
		return err;
	if (parse_double_range(args[1], PAD_CELSIUS_MIN, PAD_CELSIUS_MAX, &celsius) < 0)
		return format_why(why, size, "'%s' is not a temperature from -40 to 150 °C", args[1]);
	(void)sim_chair_set_pad_temperature(&cs->chair, chair_sim_now(cs), z, celsius);
	return NULL;
}

static void say_stats(struct chair_sim *cs, const char *name, const struct traffic_stats *s)
{
	chair_sim_say(cs, "stats %s requests=%" PRIu64 " replies=%" PRIu64 " bytes_in=%" PRIu64 " bytes_out=%" PRIu64,
		      name, s->requests, s->replies, s->bytes_in, s->bytes_out);
}

static const char *cmd_stats(struct chair_sim *cs, char **args, char *why, size_t size)
{
	for (int i = 0; i < _BUS_DEVICE_MAX; i++)
		say_stats(cs, cs->devices[i].name, &cs->devices[i].stats);
	say_stats(cs, "total", &cs->total);
	return NULL;
}

static const char *cmd_stats_reset(struct chair_sim *cs, char **args, char *why, size_t size)
{
	if (strcmp(args[0], "reset") != 0)
		return format_why(why, size, "'stats %s': expected stats or stats reset", args[0]);
	for (int i = 0; i < _BUS_DEVICE_MAX; i++)
		cs->devices[i].stats = (struct traffic_stats) { 0 };
	cs->total = (struct traffic_stats) { 0 };
	return NULL;
}

static const char *cmd_state(struct chair_sim *cs, char **args, char *why, size_t size)
{
	static const char *const holding_names[ROLLER_HOLDING_REGISTERS] = {
		"control",  "travel_target", "travel_speed", "knead_speed", "knead_dir",
		"tap_rate", "depth_target",  "width_target", "watchdog_ms",
	};
	const uint16_t *regs = cs->devices[BUS_ROLLER].map->tab_registers;
	struct roller_status st = { 0 };
	char line[2048], coils[CHAIR_SIM_COILS + 1];
	size_t at = 0;

	(void)sim_chair_roller_read(&cs->chair, chair_sim_now(cs), &st);
	for (int c = 0; c < CHAIR_SIM_COILS; c++)
		coils[c] = cs->devices[BUS_RELAY].map->tab_bits[c] ? '1' : '0';
	coils[CHAIR_SIM_COILS] = '\0';

	at += (size_t)snprintf(line + at, sizeof(line) - at, "state");
	for (int i = 0; i < ROLLER_HOLDING_REGISTERS; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, " %s=%u", holding_names[i], regs[i]);
	at += (size_t)snprintf(line + at, sizeof(line) - at,
			       " travel_pos=%u depth_pos=%u width_pos=%u status=%u fault_code=%u coils=%s",
			       st.travel_mm, st.depth_mm, st.width_mm, st.status, st.fault_code, coils);
	for (unsigned i = 0; i < cs->chair.n_pads && at < sizeof(line); i++) {
		const struct sim_pad *p = &cs->chair.pads[i];

		at += (size_t)snprintf(line + at, sizeof(line) - at, " %s.stone=%.2f %s.sensor=%.2f",
				       zone_to_string(p->zone), p->t_stone, zone_to_string(p->zone), p->t_sensor);
	}
	chair_sim_say(cs, "%s", line);
	return NULL;
}

static const char *cmd_quit(struct chair_sim *cs, char **args, char *why, size_t size)
{
	cs->quit = true;
	return NULL;
}

static const struct command commands[] = {
	{ "silent", 2, false, "silent DEVICE on|off", cmd_silent },
	{ "bad-crc", 2, false, "bad-crc DEVICE on|off", cmd_bad_crc },
	{ "exception", 2, false, "exception DEVICE CODE|off", cmd_exception },
	{ "wrong-slave", 2, false, "wrong-slave DEVICE on|off", cmd_wrong_slave },
	{ "delay", 1, false, "delay MS", cmd_delay },
	{ "pinch", 1, false, "pinch on|off", cmd_pinch },
	{ "sensor", 2, false, "sensor ZONE open|short|ok", cmd_sensor },
	{ "pad", 2, false, "pad ZONE CELSIUS", cmd_pad },
	{ "seated", 1, false, "seated on|off", cmd_seated },
	{ "line", 2, false, "line OUTPUT on|off", cmd_line },
	{ "stats", 0, false, "stats", cmd_stats },
	{ "stats", 1, false, "stats reset", cmd_stats_reset },
	{ "state", 0, false, "state", cmd_state },
	{ "body", 0, true, "body [NAME=VALUE...]", control_body },
	{ "body-preset", 1, false, "body-preset NAME", control_body_preset },
	{ "load", 0, false, "load", control_load },
	{ "peak", 0, false, "peak", control_peak },
	{ "peak", 1, false, "peak reset", control_peak_reset },
	{ "quit", 0, false, "quit", cmd_quit },
};

void control_handle_line(struct chair_sim *cs, char *line)
{
	const struct command *name_match = NULL;
	char *args[ARGS_MAX + 2], *save = NULL, why[512];
	const char *err;
	unsigned n = 0;
	char *word;

	for (word = strtok_r(line, " \t\r", &save); word && n <= ARGS_MAX; word = strtok_r(NULL, " \t\r", &save))
		args[n++] = word;
	if (n == 0) {
		chair_sim_say(cs, "error: empty command");
		return;
	}
	if (word) {
		chair_sim_say(cs, "error: more than %d arguments", ARGS_MAX);
		return;
	}
	args[n] = NULL;
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (strcmp(commands[i].name, args[0]) != 0)
			continue;
		name_match = &commands[i];
		if (commands[i].variadic ? n - 1 < commands[i].n_args : commands[i].n_args != n - 1)
			continue;
		err = commands[i].run(cs, args + 1, why, sizeof(why));
		if (err)
			chair_sim_say(cs, "error: %s", err);
		else
			chair_sim_say(cs, "ok");
		return;
	}
	if (name_match)
		chair_sim_say(cs, "error: usage: %s", name_match->usage);
	else
		chair_sim_say(cs, "error: unknown command '%.64s'", args[0]);
}

void control_on_input(struct chair_sim *cs)
{
	char buf[CHAIR_SIM_LINE_MAX];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* end of the controller: what is left of a last line still counts */
		if (cs->line_len > 0 && !cs->line_overflow) {
			cs->line[cs->line_len] = '\0';
			control_handle_line(cs, cs->line);
		}
		cs->quit = true;
		return;
	}
	for (ssize_t i = 0; i < n && !cs->quit; i++) {
		if (buf[i] != '\n') {
			if (cs->line_len + 1 < sizeof(cs->line))
				cs->line[cs->line_len++] = buf[i];
			else
				cs->line_overflow = true;
			continue;
		}
		cs->line[cs->line_len] = '\0';
		if (cs->line_overflow)
			chair_sim_say(cs, "error: line longer than %zu bytes", sizeof(cs->line) - 1);
		else
			control_handle_line(cs, cs->line);
		cs->line_len = 0;
		cs->line_overflow = false;
	}
}
