/* SPDX-License-Identifier: MIT */
/* massagectl autotune: start a pad's relay autotune and, with --wait, follow it to
 * its end through the pad's PropertiesChanged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "massagectl.h"

#define PROGRESS_BAR_WIDTH 20

#define DBUS_SERVICE "org.freedesktop.DBus"
#define DBUS_PATH "/org/freedesktop/DBus"

enum autotune_match {
	MATCH_PROPERTIES,
	MATCH_FAULT_RAISED,
	MATCH_NAME_OWNER,
	_MATCH_MAX,
};

struct autotune {
	const struct ctl *ctl;
	struct heater_list heaters;
	struct heater *pad; /* in heaters */
	sd_bus_slot *matches[_MATCH_MAX];

	bool tty;
	bool line_open;   /* the progress line on the terminal wants its newline */
	char line[128];   /* ... and what it shows */
	int shown_tens;   /* the last step of 10 % written (not on a terminal); -1: none */
	bool stale;       /* the pad's properties want a fresh GetAll */
	bool daemon_gone; /* massaged left the bus, or was replaced */
	char *fault;      /* the last FaultRaised message about this pad's zone */
};

static void autotune_done(struct autotune *t)
{
	for (size_t i = 0; i < _MATCH_MAX; i++)
		t->matches[i] = sd_bus_slot_unref(t->matches[i]);
	heater_list_done(&t->heaters);
	free(t->fault);
}

static bool pad_is_tuning(const struct heater *h)
{
	return h->state && strcmp(h->state, "autotune") == 0;
}

static int on_pad_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct autotune *t = userdata;
	_cleanup_strv_free_ char **invalidated = NULL;
	const char *interface;
	int r;

	r = sd_bus_message_read_basic(m, 's', &interface);
	if (r < 0 || strcmp(interface, HEATER_INTERFACE) != 0)
		return 0;
	r = heater_update(t->pad, m);
	if (r >= 0)
		r = sd_bus_message_read_strv(m, &invalidated);
	/* An end is only believed from GetAll: a change sent before Autotune() was
	 * answered may still arrive after it. */
	if (r < 0 || (invalidated && invalidated[0]) || !pad_is_tuning(t->pad))
		t->stale = true;
	return 0;
}

static int on_fault_raised(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct autotune *t = userdata;
	const char *code, *message, *colon;
	char *copy;

	if (sd_bus_message_read(m, "ss", &code, &message) < 0)
		return 0;
	/* Pad faults are "overtemp:ZONE", "runaway:ZONE" and the like. */
	colon = strchr(code, ':');
	if (!colon || strcmp(colon + 1, t->pad->zone) != 0)
		return 0;
	copy = strdup(message);
	if (copy) {
		free(t->fault);
		t->fault = copy;
	}
	return 0;
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct autotune *t = userdata;
	const char *name, *old_owner, *new_owner;

	if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) >= 0 && strcmp(name, CHAIR_SERVICE) == 0 &&
	    *old_owner)
		t->daemon_gone = true;
	return 0;
}

/* Before Autotune(), so that no change falls between the call and the listening. */
static int autotune_subscribe(struct autotune *t)
{
	sd_bus *bus = t->ctl->bus;
	int r;

	r = sd_bus_match_signal(bus, &t->matches[MATCH_PROPERTIES], CHAIR_SERVICE, t->pad->path, PROPERTIES_INTERFACE,
				"PropertiesChanged", on_pad_properties_changed, t);
	if (r >= 0)
		r = sd_bus_match_signal(bus, &t->matches[MATCH_FAULT_RAISED], CHAIR_SERVICE, CHAIR_PATH,
					CHAIR_INTERFACE, "FaultRaised", on_fault_raised, t);
	if (r >= 0)
		r = sd_bus_add_match(bus, &t->matches[MATCH_NAME_OWNER],
				     "type='signal',sender='" DBUS_SERVICE "',path='" DBUS_PATH "',"
				     "interface='" DBUS_SERVICE "',member='NameOwnerChanged',"
				     "arg0='" CHAIR_SERVICE "'",
				     on_name_owner_changed, t);
	return r;
}

static int autotune_refresh(struct autotune *t, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(t->ctl->bus, CHAIR_SERVICE, t->pad->path, PROPERTIES_INTERFACE, "GetAll", error, &reply,
			       "s", HEATER_INTERFACE);
	if (r < 0)
		return r;
	return heater_update(t->pad, reply);
}

/* One line redrawn in place on a terminal; a line per 10 % otherwise. */
static void autotune_show_progress(struct autotune *t)
{
	unsigned percent = fraction_percent(t->pad->autotune_progress);
	char bar[PROGRESS_BAR_WIDTH + 1], temperature[CELSIUS_MAX], line[sizeof(t->line)];
	size_t filled = percent * PROGRESS_BAR_WIDTH / 100;

	if (!t->tty) {
		if ((int)(percent / 10) > t->shown_tens) {
			t->shown_tens = (int)(percent / 10);
			printf("%s: autotune %u%%\n", t->pad->zone, t->shown_tens * 10);
			(void)fflush(stdout);
		}
		return;
	}
	memset(bar, '#', filled);
	memset(bar + filled, '-', PROGRESS_BAR_WIDTH - filled);
	bar[PROGRESS_BAR_WIDTH] = '\0';
	(void)snprintf(line, sizeof(line), "%s: autotune [%s] %3u%%  %s", t->pad->zone, bar, percent,
		       format_temperature(temperature, t->pad->temperature));
	if (t->line_open && strcmp(line, t->line) == 0)
		return;
	printf("\r%s\033[K", line);
	(void)fflush(stdout);
	memcpy(t->line, line, sizeof(line));
	t->line_open = true;
}

static void autotune_end_line(struct autotune *t)
{
	if (t->line_open)
		(void)fputc('\n', stdout);
	t->line_open = false;
	(void)fflush(stdout);
}

/* The pad has left autotune: did it keep results? */
static int autotune_result(struct autotune *t)
{
	const struct heater *h = t->pad;
	char target[CELSIUS_MAX];

	autotune_end_line(t);
	if (h->state && strcmp(h->state, "fault") == 0) {
		return ctl_error("The autotune of %s failed: %s", h->zone,
				 t->fault ? t->fault : "the pad is in fault ('massagectl faults' says what to do)");
	}
	if (!h->tuned) {
		return ctl_error("The autotune of %s ended without results (pad %s)", h->zone,
				 h->state && *h->state ? h->state : "in an unknown state");
	}
	if (h->target > 0)
		printf("%s: tuned, %s at %s\n", h->zone, h->state, format_target(target, h->target));
	else
		printf("%s: tuned, heat off\n", h->zone);
	return EXIT_SUCCESS;
}

static int autotune_follow(struct autotune *t)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus *bus = t->ctl->bus;
	int r;

	for (t->stale = true;;) {
		if (t->daemon_gone) {
			autotune_end_line(t);
			return ctl_error("The chair daemon left the bus during the autotune of %s", t->pad->zone);
		}
		if (t->stale) {
			r = autotune_refresh(t, &error);
			if (r < 0) {
				autotune_end_line(t);
				return ctl_report_bus_error(t->ctl, &error, r);
			}
			t->stale = false;
			if (!pad_is_tuning(t->pad))
				return autotune_result(t);
		}
		autotune_show_progress(t);

		r = sd_bus_process(bus, NULL);
		if (r == 0)
			r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0 && r != -EINTR) {
			autotune_end_line(t);
			return ctl_error("Lost the connection to the %s: %s", ctl_bus_name(t->ctl), strerror(-r));
		}
	}
}

/* The form only: whether the zone has a pad is massaged's to say. */
static int autotune_arguments_parse(char **args, const char **ret_zone, bool *ret_wait)
{
	*ret_zone = NULL;
	*ret_wait = false;
	for (char **a = args; *a; a++) {
		if (strcmp(*a, "--wait") == 0)
			*ret_wait = true;
		else if ((*a)[0] == '-')
			return ctl_usage_error("autotune", "Unknown option '%s'", *a);
		else if (*ret_zone)
			return ctl_usage_error("autotune", "Too many arguments");
		else
			*ret_zone = *a;
	}
	if (!*ret_zone)
		return ctl_usage_error("autotune", "Missing zone");
	return 0;
}

int autotune_check_arguments(char **args)
{
	const char *zone;
	bool wait;

	return autotune_arguments_parse(args, &zone, &wait);
}

int verb_autotune(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(autotune_done) struct autotune t = {
		.ctl = ctl,
		.tty = isatty(STDOUT_FILENO),
		.shown_tens = -1,
	};
	const char *zone;
	bool wait;
	int r;

	if (autotune_arguments_parse(args, &zone, &wait) < 0)
		return EXIT_USAGE;
	r = heater_fetch_zone(ctl, zone, &t.heaters, &t.pad);
	if (r != EXIT_SUCCESS)
		return r;
	if (wait) {
		r = autotune_subscribe(&t);
		if (r < 0) {
			return ctl_error("Cannot follow the autotune: %s", strerror(-r));
		}
	}

	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, t.pad->path, HEATER_INTERFACE, "Autotune", &error, NULL, NULL);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return wait ? autotune_follow(&t) : EXIT_SUCCESS;
}
