/* SPDX-License-Identifier: MIT */
/* The chair side's parts and what they share: the chair as last read from massaged
 * (chair-watch.c), the retained, coalesced state topics (publisher.c), Home
 * Assistant's discovery (discovery.c) and the command topics (commands.c).
 * chair-side.c joins them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bridge.h"

#define TOPIC_MAX 512
#define COMMAND_PAYLOAD_MAX 256
#define PAD_DEFAULT_TARGET 40.0 /* °C: the climate's target before any was asked */
#define PAD_MIN_TARGET 30.0     /* Heater1.SetTarget's lowest nonzero target */

#define CHAIR_SERVICE "org.massaged.Chair1"
#define CHAIR_PATH "/org/massaged/Chair1"
#define CHAIR_INTERFACE "org.massaged.Chair1"
#define HEATER_PATH_PREFIX "/org/massaged/Chair1/heater"
#define HEATER_INTERFACE "org.massaged.Heater1"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"
#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

struct program {
	char *id;
	char *title;
};

/* One Heater1 object. Counters massaged does not have yet read UINT64_MAX or NAN. */
struct pad {
	char *path;
	char *zone;
	char *object_id; /* "pad_<zone>", '-' made '_' */
	char *state;
	char *lockout;
	double temperature, target, power, max_target, dose;
	uint64_t heating_seconds, relay_switches;
	double remembered_target; /* the climate's target while the pad is off; 0: none yet */
	bool heat_asked;          /* mode heat sent, not answered yet: a target now goes to massaged */
};

struct chair_model {
	int daemon_online; /* -1 until the bus said */
	bool chair_known;  /* Chair1's properties read since massaged appeared */
	bool pads_known;
	char *state, *program, *technique, *zone, *width, *profile;
	uint32_t step, step_count, remaining, intensity, speed, session_limit;
	double force;
	bool seated, gentle;
	char **faults, **profiles;
	uint64_t roller_run_seconds; /* UINT64_MAX: not on this massaged's bus API */
	struct program *programs;
	size_t n_programs;
	struct pad *pads;
	size_t n_pads;
};

enum chair_change {
	CHANGE_DAEMON = 1 << 0,   /* online/offline */
	CHANGE_CHAIR = 1 << 1,    /* Chair1's properties */
	CHANGE_PADS = 1 << 2,     /* the set of pads */
	CHANGE_PAD = 1 << 3,      /* a pad's properties */
	CHANGE_PROGRAMS = 1 << 4, /* ListPrograms */
};

struct chair_side {
	sd_event *event;
	sd_bus *bus;
	struct broker *broker;
	const struct mqtt_config *cfg;
	struct chair_model model;
	struct chair_watch *watch;
	struct publisher *publisher;
	struct discovery *discovery;
	struct commands *commands;
};

/* Something in c->model changed (a mask of enum chair_change): publish it. */
void chair_side_changed(struct chair_side *c, unsigned changes);

/* ---- chair-watch.c and chair-model.c: massaged over D-Bus, into c->model ---- */
struct chair_watch;
int chair_watch_new(struct chair_watch **ret, struct chair_side *c);
struct chair_watch *chair_watch_free(struct chair_watch *w);
void chair_model_done(struct chair_model *m);
/* chair-model.c: the properties of an a{sv} (GetAll, PropertiesChanged) into the model
 * or a pad; GetManagedObjects' pads; ListPrograms' programs. */
int chair_properties_read(sd_bus_message *m, struct chair_model *model);
int pad_properties_read(sd_bus_message *m, struct pad *p);
int pads_read(sd_bus_message *m, struct pad **pads, size_t *n);
void pads_free(struct pad *pads, size_t n);
int programs_read(sd_bus_message *m, struct program **ret, size_t *ret_n);
void programs_free(struct program *programs, size_t n);
struct pad *chair_model_find_pad_path(const struct chair_model *m, const char *path);
struct pad *chair_model_find_pad(const struct chair_model *m, const char *zone);
/* The program whose id, else whose title, is name; NULL when none. */
const struct program *chair_model_find_program(const struct chair_model *m, const char *name);
/* The target the climate shows and heats to: the pad's own when heating, else the
 * one remembered, else PAD_DEFAULT_TARGET; never above MaxTarget. */
double pad_climate_target(const struct pad *p);
void strv_free(char **l);

/* ---- publisher.c: retained topics, each at most 4 times a second, never twice the same ---- */
struct publisher;
int publisher_new(struct publisher **ret, sd_event *e, struct broker *b);
struct publisher *publisher_free(struct publisher *p);
/* topic is whole; "" clears a retained message. */
int publisher_set(struct publisher *p, const char *topic, const char *payload);
/* "" on every topic starting with prefix (a pad gone). */
void publisher_clear_prefix(struct publisher *p, const char *prefix);
/* Every topic's value again (after a reconnection). */
void publisher_republish(struct publisher *p);
/* The state topics of docs/mqtt.md from c->model. */
void publish_chair_state(struct chair_side *c, unsigned changes);

/* ---- discovery.c: Home Assistant's MQTT discovery ---- */
struct discovery;
int discovery_new(struct discovery **ret);
struct discovery *discovery_free(struct discovery *d);
/* Every config from c->model (unchanged ones are not sent again); pads gone get an
 * empty retained config. Nothing with [HomeAssistant] Discovery=no. */
void discovery_publish(struct discovery *d, struct chair_side *c);

/* ---- commands.c: command topics into D-Bus calls, refusals on B/error ---- */
struct commands;
int commands_new(struct commands **ret, struct chair_side *c);
struct commands *commands_free(struct commands *cmd);
/* After each connection: subscribe to the command topics ([Control] Enabled=yes). */
void commands_subscribe(struct commands *cmd);
void commands_on_message(struct commands *cmd, const char *topic, const void *payload, size_t len, bool retained);
