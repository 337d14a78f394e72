/* SPDX-License-Identifier: MIT */
/* massaged-mqtt: the chair on an MQTT broker and in Home Assistant. Joins the
 * configuration, the broker link and the chair side (see bridge.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "bridge.h"
#include "build-config.h"
#include "log.h"
#include "topics.h"

struct options {
	const char *config;
	bool check_config;
};

struct bridge {
	struct mqtt_config cfg;
	sd_event *event;
	sd_bus *bus;
	struct broker *broker;
	struct chair_side *chair;
};

static void help(void)
{
	printf("Usage: massaged-mqtt [OPTIONS]\n\n"
	       "The massage chair on an MQTT broker and in Home Assistant: a D-Bus client of massaged.\n\n"
	       "  -c, --config FILE      configuration (default %s)\n"
	       "      --check-config     check the configuration, print OK or the error, and exit\n"
	       "  -l, --log-level LEVEL  err, warning, notice, info (default) or debug\n"
	       "  -h, --help             show this help\n"
	       "      --version          show the version\n",
	       MQTT_CONFIG_DEFAULT);
}

/* 1: run; 0: exit with success (--help, --version); negative errno: exit with failure. */
static int parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },    { "check-config", no_argument, NULL, 'C' },
		{ "log-level", required_argument, NULL, 'l' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },         {},
	};
	int opt;

	*o = (struct options) { .config = MQTT_CONFIG_DEFAULT };
	while ((opt = getopt_long(argc, argv, "c:l:h", longopts, NULL)) >= 0) {
		switch (opt) {
		case 'c':
			o->config = optarg;
			break;
		case 'C':
			o->check_config = true;
			break;
		case 'l':
			if (log_set_level_option(optarg) < 0)
				return -EINVAL;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("massaged-mqtt %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		log_error("Unexpected argument '%s'; see --help", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

static void forward_connected(void *userdata)
{
	struct bridge *br = userdata;

	if (br->chair)
		chair_side_on_connected(br->chair);
}

static void forward_message(void *userdata, const char *topic, const void *payload, size_t len, bool retained)
{
	struct bridge *br = userdata;

	if (br->chair)
		chair_side_on_message(br->chair, topic, payload, len, retained);
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct bridge *br = userdata;

	log_info("Received %s: stopping", strsignal((int)si->ssi_signo));
	(void)sd_notify(false, "STOPPING=1\nSTATUS=Stopping");
	return sd_event_exit(br->event, 0);
}

static int bridge_start(struct bridge *br)
{
	char will_topic[256];
	sigset_t mask;
	int r;

	r = sd_event_default(&br->event);
	if (r < 0)
		return log_errno(r, "Cannot create the event loop");
	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGTERM);
	(void)sigaddset(&mask, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((r = sd_event_add_signal(br->event, NULL, SIGTERM, on_terminate, br)) < 0 ||
	    (r = sd_event_add_signal(br->event, NULL, SIGINT, on_terminate, br)) < 0)
		return log_errno(r, "Cannot add the signal handlers");
	r = sd_event_set_watchdog(br->event, true);
	if (r < 0)
		return log_errno(r, "Cannot enable the systemd watchdog");

	/* the bus missing at start is fatal (systemd restarts us); massaged missing is not */
	r = sd_bus_open_system(&br->bus);
	if (r < 0)
		return log_errno(r, "Cannot connect to the system bus (is dbus running? DBUS_SYSTEM_BUS_ADDRESS=%s)",
				 getenv("DBUS_SYSTEM_BUS_ADDRESS") ?: "unset");
	r = sd_bus_attach_event(br->bus, br->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_errno(r, "Cannot attach the bus to the event loop");

	r = topic_build(will_topic, sizeof(will_topic), &br->cfg, "bridge");
	if (r < 0)
		return log_errno(r, "The topic prefix and chair id are too long");
	log_info("massaged-mqtt %s: chair %s, topics under %s/%s", PACKAGE_VERSION, br->cfg.chair_id,
		 br->cfg.topic_prefix, br->cfg.chair_id);
	r = broker_new(&br->broker, br->event, &br->cfg, will_topic, forward_connected, forward_message, br);
	if (r < 0)
		return r;
	r = chair_side_new(&br->chair, br->event, br->bus, br->broker, &br->cfg);
	if (r < 0)
		return r;
	/* the broker may be down for hours: ready once the bus is open */
	(void)sd_notify(false, "READY=1");
	/* connected already (a callback came before the chair side existed): catch up */
	if (broker_is_connected(br->broker))
		chair_side_on_connected(br->chair);
	return 0;
}

static void bridge_stop(struct bridge *br)
{
	br->chair = chair_side_free(br->chair);
	br->broker = broker_free(br->broker); /* publishes "offline" on B/bridge */
	if (br->bus)
		br->bus = sd_bus_flush_close_unref(br->bus);
	br->event = sd_event_unref(br->event);
}

static int check_config(const struct options *o)
{
	struct mqtt_config cfg;
	const char *refusal;
	int r;

	r = mqtt_config_load(&cfg, o->config);
	if (r < 0)
		return r; /* logged, naming file and line */
	refusal = mqtt_config_refusal(&cfg);
	if (refusal) {
		log_error("%s: %s", o->config, refusal);
		r = -EPERM;
	} else {
		printf("%s: OK (chair %s on %s:%u)\n", o->config, cfg.chair_id, cfg.host, cfg.port);
	}
	mqtt_config_free(&cfg);
	return r;
}

int main(int argc, char *argv[])
{
	struct bridge br = {};
	struct options o;
	const char *refusal;
	int r;

	r = parse_options(argc, argv, &o);
	if (r <= 0)
		return r < 0 ? 1 : 0;
	if (o.check_config)
		return check_config(&o) < 0 ? 1 : 0;

	r = mqtt_config_load(&br.cfg, o.config);
	if (r < 0)
		return 1;
	refusal = mqtt_config_refusal(&br.cfg);
	if (refusal) {
		log_error("%s: refusing to start: %s", o.config, refusal);
		mqtt_config_free(&br.cfg);
		return 1;
	}
	r = bridge_start(&br);
	if (r >= 0) {
		r = sd_event_loop(br.event);
		if (r < 0)
			log_error("The event loop failed: %s", strerror(-r));
	}
	bridge_stop(&br);
	mqtt_config_free(&br.cfg);
	return r < 0 ? 1 : 0;
}
