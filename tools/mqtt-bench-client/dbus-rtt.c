/* SPDX-License-Identifier: MIT */
/* The reference without MQTT: SetIntensity on the system bus and the time until
 * massaged's PropertiesChanged carries the new level, as the bridge sees it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "bench-client.h"

#define CHAIR_NAME "org.massaged.Chair1"
#define CHAIR_PATH "/org/massaged/Chair1"
#define TIMEOUT_USEC (5 * 1000000u)

struct dbus_rtt {
	unsigned want;
	bool seen;
	int call_error; /* negative errno of a refused SetIntensity */
};

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct dbus_rtt *d = userdata;
	const char *interface, *name;
	unsigned level;
	int r;

	(void)error;
	r = sd_bus_message_read(m, "s", &interface);
	if (r < 0 || strcmp(interface, CHAIR_NAME) != 0)
		return 0;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &name) < 0)
			return 0;
		if (strcmp(name, "Intensity") == 0) {
			if (sd_bus_message_read(m, "v", "u", &level) >= 0 && level == d->want)
				d->seen = true;
		} else if (sd_bus_message_skip(m, "v") < 0) {
			return 0;
		}
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct dbus_rtt *d = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	(void)error;
	if (e) {
		fprintf(stderr, "mqtt-bench-client: SetIntensity: %s: %s\n", e->name, e->message);
		d->call_error = -sd_bus_message_get_errno(m);
		if (d->call_error == 0)
			d->call_error = -EIO;
	}
	return 0;
}

static int wait_seen(sd_bus *bus, struct dbus_rtt *d, uint64_t deadline)
{
	int r;

	while (!d->seen && d->call_error == 0) {
		uint64_t now = now_usec();

		if (now >= deadline)
			return -ETIMEDOUT;
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		r = sd_bus_wait(bus, deadline - now);
		if (r < 0)
			return r;
	}
	return d->call_error;
}

int run_dbus_rtt(const struct bench_options *o)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct samples s = { 0 };
	struct dbus_rtt d = { 0 };
	sd_bus *bus = NULL;
	unsigned i, current = 0, level;
	uint64_t t0;
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "mqtt-bench-client: system bus: %s\n", strerror(-r));
		return r;
	}
	r = sd_bus_match_signal(bus, NULL, CHAIR_NAME, CHAIR_PATH, "org.freedesktop.DBus.Properties",
				"PropertiesChanged", on_properties_changed, &d);
	if (r >= 0)
		r = sd_bus_get_property_trivial(bus, CHAIR_NAME, CHAIR_PATH, CHAIR_NAME, "Intensity", &error, 'u',
						&current);
	if (r < 0) {
		fprintf(stderr, "mqtt-bench-client: reading Intensity: %s\n",
			error.message ? error.message : strerror(-r));
		goto out;
	}
	level = current == o->low ? o->high : o->low;
	for (i = 0; i < o->samples; i++) {
		d = (struct dbus_rtt) { .want = level };
		t0 = now_usec();
		r = sd_bus_call_method_async(bus, NULL, CHAIR_NAME, CHAIR_PATH, CHAIR_NAME, "SetIntensity", on_reply,
					     &d, "u", level);
		if (r >= 0)
			r = wait_seen(bus, &d, t0 + TIMEOUT_USEC);
		if (r < 0) {
			fprintf(stderr,
				"mqtt-bench-client: dbus: no Intensity %u in PropertiesChanged after sample %u: %s\n",
				level, i, strerror(-r));
			goto out;
		}
		r = samples_add(&s, (double)(now_usec() - t0));
		if (r < 0)
			goto out;
		level = level == o->low ? o->high : o->low;
		if (o->gap_ms)
			sleep_msec(o->gap_ms);
	}
	samples_print("dbus", &s);
out:
	sd_bus_error_free(&error);
	samples_free(&s);
	sd_bus_flush_close_unref(bus);
	return r;
}
