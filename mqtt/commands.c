/* SPDX-License-Identifier: MIT */
/* The command topics of docs/mqtt.md, each turned into an asynchronous D-Bus call to
 * massaged, whose safety gate decides. A refusal, massaged's (its error name and
 * message) or the bridge's own (nothing is sent to massaged), is published on B/error
 * as JSON and logged. */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chair-side.h"
#include "chair-types.h"
#include "log.h"
#include "macro.h"
#include "topics.h"

#define ERROR_INVALID_PAYLOAD "org.massaged.Mqtt.Error.InvalidPayload"
#define ERROR_PAYLOAD_TOO_LARGE "org.massaged.Mqtt.Error.PayloadTooLarge"
#define ERROR_UNKNOWN_TOPIC "org.massaged.Mqtt.Error.UnknownTopic"
#define ERROR_RETAINED "org.massaged.Mqtt.Error.Retained"
#define ERROR_NOT_ALLOWED "org.massaged.Mqtt.Error.NotAllowed"
#define ERROR_CHAIR_UNAVAILABLE "org.massaged.Mqtt.Error.ChairUnavailable"

/* A call on its way to massaged: what to name in its refusal. */
struct pending_call {
	struct pending_call *next, *prev;
	struct commands *cmd;
	sd_bus_slot *slot;
	char *topic, *payload;
	char *heat_zone; /* a pad's mode heat: its heat_asked ends with the answer */
};

struct commands {
	struct chair_side *c;
	struct pending_call *calls;
};

/* The message being handled. */
struct command {
	struct commands *cmd;
	const char *heat_zone; /* set by a pad's mode heat */
	const char *topic;
	const char *payload; /* NUL-terminated UTF-8, surrounding blanks removed; NULL when not */
};

static void publish_error(struct commands *cmd, const char *topic, const char *payload, const char *error,
			  const char *message)
{
	struct json_object *o = json_object_new_object();
	char error_topic[TOPIC_MAX];

	log_warning("MQTT command on %s refused: %s: %s", topic, error, message);
	if (!o)
		return;
	(void)json_object_object_add(o, "topic", json_object_new_string(topic));
	(void)json_object_object_add(o, "payload", payload ? json_object_new_string(payload) : NULL);
	(void)json_object_object_add(o, "error", json_object_new_string(error));
	(void)json_object_object_add(o, "message", json_object_new_string(message));
	if (topic_build(error_topic, sizeof(error_topic), cmd->c->cfg, "error") >= 0)
		(void)broker_publish(
			cmd->c->broker, error_topic,
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			false);
	json_object_put(o);
}

static int refuse(const struct command *m, const char *error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(const struct command *m, const char *error, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	publish_error(m->cmd, m->topic, m->payload, error, message);
	return -EINVAL;
}

static void pending_free(struct pending_call *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		p->cmd->calls = p->next;
	if (p->next)
		p->next->prev = p->prev;
	sd_bus_slot_unref(p->slot);
	free(p->topic);
	free(p->payload);
	free(p->heat_zone);
	free(p);
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct pending_call *p = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	struct pad *pad = p->heat_zone ? chair_model_find_pad(&p->cmd->c->model, p->heat_zone) : NULL;

	if (pad)
		pad->heat_asked = false;
	if (e)
		publish_error(p->cmd, p->topic, p->payload, e->name, e->message ? e->message : e->name);
	pending_free(p);
	return 0;
}

/* path's interface.member(types...), answered in on_reply. */
static int call(const struct command *m, const char *path, const char *interface, const char *member, const char *types,
		...)
{
	struct chair_side *c = m->cmd->c;
	sd_bus_message *call_message = NULL;
	struct pending_call *p;
	va_list ap;
	int r;

	if (c->model.daemon_online <= 0)
		return refuse(m, ERROR_CHAIR_UNAVAILABLE, "The chair daemon massaged is not on the bus.");
	p = calloc(1, sizeof(*p));
	if (!p)
		return log_errno(-ENOMEM, "Cannot send a command");
	p->cmd = m->cmd;
	p->topic = strdup(m->topic);
	p->payload = strdup(m->payload);
	p->heat_zone = m->heat_zone ? strdup(m->heat_zone) : NULL;
	r = p->topic && p->payload && (p->heat_zone || !m->heat_zone) ? 0 : -ENOMEM;
	if (r >= 0)
		r = sd_bus_message_new_method_call(c->bus, &call_message, CHAIR_SERVICE, path, interface, member);
	if (r >= 0 && types) {
		va_start(ap, types);
		r = sd_bus_message_appendv(call_message, types, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_call_async(c->bus, &p->slot, call_message, on_reply, p, 0);
	sd_bus_message_unref(call_message);
	if (r < 0) {
		free(p->topic);
		free(p->payload);
		free(p->heat_zone);
		free(p);
		return log_errno(r, "Cannot send %s to massaged: %s", member, strerror(-r));
	}
	p->next = m->cmd->calls;
	if (p->next)
		p->next->prev = p;
	m->cmd->calls = p;
	return 0;
}

static int chair_call(const struct command *m, const char *member)
{
	return call(m, CHAIR_PATH, CHAIR_INTERFACE, member, NULL);
}

/* A whole number, "3" or "3.0" (Home Assistant's numbers may have a decimal point). */
static int parse_whole(const struct command *m, uint32_t *ret)
{
	double v;

	if (parse_double_range(m->payload, 0, UINT32_MAX, &v) < 0 || v != (double)(uint32_t)v)
		return refuse(m, ERROR_INVALID_PAYLOAD, "'%s' is not a whole number from 0 to %u.", m->payload,
			      UINT32_MAX);
	*ret = (uint32_t)v;
	return 0;
}

static int do_program(const struct command *m)
{
	const struct program *p = chair_model_find_program(&m->cmd->c->model, m->payload);

	/* an id massaged does not know: its NoSuchProgram says so */
	return call(m, CHAIR_PATH, CHAIR_INTERFACE, "Start", "s", p ? p->id : m->payload);
}

static int do_stop(const struct command *m)
{
	return chair_call(m, "Stop");
}

static int do_pause(const struct command *m)
{
	const char *state = m->cmd->c->model.state;

	return chair_call(m, state && strcmp(state, "paused") == 0 ? "Resume" : "Pause");
}

static int do_scan(const struct command *m)
{
	return chair_call(m, "Scan");
}

static int do_clear_fault(const struct command *m)
{
	return chair_call(m, "ClearFault");
}

static int set_level(const struct command *m, const char *member)
{
	uint32_t v = 0;

	if (parse_whole(m, &v) < 0)
		return -EINVAL;
	return call(m, CHAIR_PATH, CHAIR_INTERFACE, member, "u", v);
}

static int do_intensity(const struct command *m)
{
	return set_level(m, "SetIntensity");
}

static int do_speed(const struct command *m)
{
	return set_level(m, "SetSpeed");
}

static int do_timer(const struct command *m)
{
	return set_level(m, "SetTimer");
}

static int do_width(const struct command *m)
{
	if (width_from_string(m->payload) < 0)
		return refuse(m, ERROR_INVALID_PAYLOAD, "Width '%s' is not narrow, medium or wide.", m->payload);
	return call(m, CHAIR_PATH, CHAIR_INTERFACE, "SetWidth", "s", m->payload);
}

static int do_profile(const struct command *m)
{
	if (strcmp(m->payload, "None") == 0)
		return chair_call(m, "UseNoProfile");
	return call(m, CHAIR_PATH, CHAIR_INTERFACE, "UseProfile", "s", m->payload);
}

static int do_gentle(const struct command *m)
{
	bool on = strcasecmp(m->payload, "ON") == 0;

	if (!on && strcasecmp(m->payload, "OFF") != 0)
		return refuse(m, ERROR_INVALID_PAYLOAD, "Gentle mode is ON or OFF, not '%s'.", m->payload);
	/* a dashboard or an automation must not lift the protection of a person at risk */
	if (!on && !m->cmd->c->cfg->allow_gentle_off)
		return refuse(m, ERROR_NOT_ALLOWED,
			      "Turning gentle mode off over MQTT is not allowed: it protects a person with reduced "
			      "sensation. Turn it off at the chair, or set [Control] AllowGentleOff=yes.");
	return call(m, CHAIR_PATH, CHAIR_INTERFACE, "SetGentle", "b", (int)on);
}

static int do_pad_mode(const struct command *m, struct pad *p)
{
	struct command heat = *m;
	int r;

	if (strcmp(m->payload, "off") == 0) {
		p->heat_asked = false;
		return call(m, p->path, HEATER_INTERFACE, "SetTarget", "d", 0.0);
	}
	if (strcmp(m->payload, "heat") != 0)
		return refuse(m, ERROR_INVALID_PAYLOAD, "A pad's mode is heat or off, not '%s'.", m->payload);
	heat.heat_zone = p->zone;
	r = call(&heat, p->path, HEATER_INTERFACE, "SetTarget", "d", pad_climate_target(p));
	if (r >= 0)
		p->heat_asked = true;
	return r;
}

static int do_pad_target(const struct command *m, struct pad *p)
{
	double max = p->max_target > 0 ? p->max_target : 48.0, v;

	if (parse_double_range(m->payload, -1000, 1000, &v) < 0)
		return refuse(m, ERROR_INVALID_PAYLOAD, "'%s' is not a temperature in °C.", m->payload);
	if (p->target > 0 || p->heat_asked)
		return call(m, p->path, HEATER_INTERFACE, "SetTarget", "d", v);
	/* off: kept for the next "heat", shown as the climate's target */
	if (v < PAD_MIN_TARGET || v > max)
		return refuse(m, ERROR_INVALID_PAYLOAD, "Target %g °C is out of range %g..%g °C for pad %s.", v,
			      PAD_MIN_TARGET, max, p->zone);
	p->remembered_target = v;
	chair_side_changed(m->cmd->c, CHANGE_PAD);
	return 0;
}

/* pad/ZONE/target/set, pad/ZONE/mode/set */
static int do_pad(const struct command *m, const char *suffix)
{
	const char *zone = suffix + strlen("pad/"), *leaf = strchr(zone, '/');
	char name[64];
	struct pad *p;

	if (!leaf || (size_t)(leaf - zone) >= sizeof(name))
		return refuse(m, ERROR_UNKNOWN_TOPIC, "%s is no command topic.", m->topic);
	(void)snprintf(name, sizeof(name), "%.*s", (int)(leaf - zone), zone);
	p = chair_model_find_pad(&m->cmd->c->model, name);
	if (!p)
		return refuse(m, ERROR_UNKNOWN_TOPIC, "The chair has no heating pad '%s'.", name);
	if (strcmp(leaf, "/target/set") == 0)
		return do_pad_target(m, p);
	if (strcmp(leaf, "/mode/set") == 0)
		return do_pad_mode(m, p);
	return refuse(m, ERROR_UNKNOWN_TOPIC, "%s is no command topic.", m->topic);
}

static const struct {
	const char *suffix;
	int (*run)(const struct command *m);
} commands[] = {
	{ "program/set", do_program },
	{ "stop/press", do_stop },
	{ "pause/press", do_pause },
	{ "scan/press", do_scan },
	{ "clear-fault/press", do_clear_fault },
	{ "intensity/set", do_intensity },
	{ "speed/set", do_speed },
	{ "timer/set", do_timer },
	{ "width/set", do_width },
	{ "profile/set", do_profile },
	{ "gentle/set", do_gentle },
};

/* Text for D-Bus and JSON: UTF-8 without NUL, overlong forms or surrogates. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char b = s[i];
		uint32_t cp, min;
		size_t n;

		if (b == 0)
			return false;
		if (b < 0x80) {
			i++;
			continue;
		}
		if ((b & 0xe0) == 0xc0)
			n = 1, cp = b & 0x1fu, min = 0x80;
		else if ((b & 0xf0) == 0xe0)
			n = 2, cp = b & 0x0fu, min = 0x800;
		else if ((b & 0xf8) == 0xf0)
			n = 3, cp = b & 0x07u, min = 0x10000;
		else
			return false;
		if (i + n >= len)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

void commands_on_message(struct commands *cmd, const char *topic, const void *payload, size_t len, bool retained)
{
	const char *suffix = topic_suffix(topic, cmd->c->cfg);
	char text[COMMAND_PAYLOAD_MAX + 1], *start, *end;
	struct command m = { .cmd = cmd, .topic = topic };

	if (!suffix)
		return; /* not this chair's: no answer */
	/* an empty message is how a retained one is cleared: no command */
	if (len == 0)
		return;
	if (len > COMMAND_PAYLOAD_MAX) {
		(void)refuse(&m, ERROR_PAYLOAD_TOO_LARGE, "The payload has %zu bytes; a command has at most %d.", len,
			     COMMAND_PAYLOAD_MAX);
		return;
	}
	if (!utf8_valid(payload, len)) {
		(void)refuse(&m, ERROR_INVALID_PAYLOAD, "The payload is not UTF-8 text.");
		return;
	}
	memcpy(text, payload, len);
	text[len] = '\0';
	for (start = text; *start == ' ' || *start == '\t' || *start == '\n' || *start == '\r'; start++)
		;
	for (end = start + strlen(start); end > start && strchr(" \t\n\r", end[-1]); end--)
		*(end - 1) = '\0';
	m.payload = start;
	if (retained) {
		(void)refuse(&m, ERROR_RETAINED,
			     "A command is never retained: it would run again at every reconnection. Publish it "
			     "without the retain flag (and clear the retained one with an empty payload).");
		return;
	}
	if (strncmp(suffix, "pad/", 4) == 0) {
		(void)do_pad(&m, suffix);
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (strcmp(suffix, commands[i].suffix) == 0) {
			(void)commands[i].run(&m);
			return;
		}
	(void)refuse(&m, ERROR_UNKNOWN_TOPIC, "%s is no command topic.", topic);
}

void commands_subscribe(struct commands *cmd)
{
	static const char *const patterns[] = { "+/set", "+/press", "pad/+/+/set" };
	char topic[TOPIC_MAX];

	if (!cmd->c->cfg->control)
		return;
	for (size_t i = 0; i < ELEMENTSOF(patterns); i++) {
		int r = topic_build(topic, sizeof(topic), cmd->c->cfg, patterns[i]);

		if (r >= 0)
			r = broker_subscribe(cmd->c->broker, topic);
		if (r < 0)
			log_warning("Cannot subscribe to %s: %s", topic, strerror(-r));
	}
}

int commands_new(struct commands **ret, struct chair_side *c)
{
	struct commands *cmd = calloc(1, sizeof(*cmd));

	if (!cmd)
		return -ENOMEM;
	cmd->c = c;
	*ret = cmd;
	return 0;
}

struct commands *commands_free(struct commands *cmd)
{
	if (!cmd)
		return NULL;
	while (cmd->calls)
		pending_free(cmd->calls);
	free(cmd);
	return NULL;
}
