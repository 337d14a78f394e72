/* SPDX-License-Identifier: MIT */
/* massaged-mqtt: the seams between its parts. The configuration (mqtt-config.c), the
 * broker link (broker.c: libmosquitto driven by sd-event, reconnecting with backoff)
 * and the chair side (chair-side.c and the files it uses: massaged watched over D-Bus,
 * its state published, Home Assistant's discovery, MQTT commands turned into D-Bus
 * calls). main.c joins them. Nothing here links massaged's own code: the bridge is a
 * D-Bus client like massagectl. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define MQTT_CONFIG_DEFAULT "/etc/massaged/mqtt.conf"

struct mqtt_config {
	/* [Broker] */
	char *host;          /* default "localhost" */
	unsigned port;       /* default 1883, or 8883 with CAFile */
	char *username;      /* NULL: none */
	char *password_file; /* the password, first line of this file; NULL: none */
	char *ca_file;       /* TLS when set */
	char *cert_file;     /* client certificate (with key_file) */
	char *key_file;
	bool allow_anonymous; /* control on an anonymous, non-loopback broker */
	unsigned keepalive;   /* s, default 30 */
	char *client_id;      /* default "massaged-mqtt-<chair id>" */
	/* [Chair] */
	char *chair_id;          /* [a-z0-9_-]{1,32}; default: the host name, made so */
	char *chair_name;        /* default "Massage chair" */
	char *configuration_url; /* NULL: none */
	double pad_watts;        /* a pad's element at full power, W; 0: unknown (power in %) */
	/* [HomeAssistant] */
	bool discovery;         /* default yes */
	char *discovery_prefix; /* default "homeassistant" */
	/* [Topics] */
	char *topic_prefix; /* default "massaged" */
	/* [Control] */
	bool control;          /* default yes: commands accepted; no: state only */
	bool allow_gentle_off; /* default no: see docs/mqtt.md */
};

/* Loads path into cfg (defaults first). Errors are logged naming file and line, and
 * returned as a negative errno; cfg is then freed. */
int mqtt_config_load(struct mqtt_config *cfg, const char *path);
void mqtt_config_free(struct mqtt_config *cfg);
/* NULL when the configuration may run, else why not (a sentence): control enabled on
 * an anonymous broker that is not loopback, without AllowAnonymous=yes. */
const char *mqtt_config_refusal(const struct mqtt_config *cfg);

/* ---- the broker link (broker.c) ---- */
struct broker;
/* After each (re)connection: subscribe and publish everything retained again. */
typedef void (*broker_connected_fn)(void *userdata);
typedef void (*broker_message_fn)(void *userdata, const char *topic, const void *payload, size_t len, bool retained);

/* Connects in the background and keeps connecting, with backoff, whatever happens;
 * will_topic gets a retained "offline" as last will, and a retained "online" once
 * connected. */
int broker_new(struct broker **ret, sd_event *e, const struct mqtt_config *cfg, const char *will_topic,
	       broker_connected_fn on_connected, broker_message_fn on_message, void *userdata);
/* Publishes will_topic "offline" (retained) and disconnects when connected. */
struct broker *broker_free(struct broker *b);
/* QoS 1. -ENOTCONN when not connected: nothing queued (on_connected publishes again). */
int broker_publish(struct broker *b, const char *topic, const char *payload, bool retain);
int broker_subscribe(struct broker *b, const char *pattern);
bool broker_is_connected(const struct broker *b);

/* ---- the chair side (chair-side.c) ---- */
struct chair_side;
int chair_side_new(struct chair_side **ret, sd_event *e, sd_bus *bus, struct broker *broker,
		   const struct mqtt_config *cfg);
struct chair_side *chair_side_free(struct chair_side *c);
void chair_side_on_connected(struct chair_side *c);
void chair_side_on_message(struct chair_side *c, const char *topic, const void *payload, size_t len, bool retained);
