/* SPDX-License-Identifier: MIT */
/* The heating pads: reading their Heater1 objects, and `massagectl heat`. */
#include <errno.h>
#include <float.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chair-types.h"
#include "macro.h"
#include "massagectl.h"

enum heater_column {
	COLUMN_ZONE,
	COLUMN_STATE,
	COLUMN_TEMPERATURE,
	COLUMN_TARGET,
	COLUMN_POWER,
	COLUMN_MAX_TARGET,
	COLUMN_TUNED,
	COLUMN_LOCKOUT,
	_COLUMN_MAX,
};

#define CELL_MAX 64

static const struct property_map heater_properties[] = {
	{ "Zone", PROPERTY_STRING, offsetof(struct heater, zone) },
	{ "State", PROPERTY_STRING, offsetof(struct heater, state) },
	{ "Temperature", PROPERTY_DOUBLE, offsetof(struct heater, temperature) },
	{ "Target", PROPERTY_DOUBLE, offsetof(struct heater, target) },
	{ "Power", PROPERTY_DOUBLE, offsetof(struct heater, power) },
	{ "MaxTarget", PROPERTY_DOUBLE, offsetof(struct heater, max_target) },
	{ "AutotuneProgress", PROPERTY_DOUBLE, offsetof(struct heater, autotune_progress) },
	{ "Tuned", PROPERTY_BOOL, offsetof(struct heater, tuned) },
	{ "Lockout", PROPERTY_STRING, offsetof(struct heater, lockout) },
	{ "LockoutSince", PROPERTY_UINT64, offsetof(struct heater, lockout_since) },
	{ "AutotuneError", PROPERTY_STRING, offsetof(struct heater, autotune_error) },
};

static void heater_done(struct heater *h)
{
	free(h->path);
	free(h->zone);
	free(h->state);
	free(h->lockout);
	free(h->autotune_error);
	*h = (struct heater) {};
}

void heater_list_done(struct heater_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		heater_done(&l->items[i]);
	free(l->items);
	*l = (struct heater_list) {};
}

int heater_update(struct heater *h, sd_bus_message *m)
{
	return properties_read(m, heater_properties, ELEMENTSOF(heater_properties), h);
}

/* A pad whose Zone is missing still has one: its path's last element. */
static int heater_name_from_path(struct heater *h)
{
	int r;

	if (h->zone && *h->zone)
		return 0;
	free(h->zone);
	h->zone = NULL;
	r = sd_bus_path_decode(h->path, HEATER_PATH_PREFIX, &h->zone);
	if (r < 0)
		return r;
	if (r == 0)
		h->zone = strdup(h->path);
	return h->zone ? 0 : -ENOMEM;
}

/* Reads one object's Heater1 properties (the a{sv}) as a new pad. */
static int heater_list_add(struct heater_list *l, const char *path, sd_bus_message *m)
{
	struct heater *items, *h;
	int r;

	items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	l->items = items;

	h = &l->items[l->n];
	*h = (struct heater) { .path = strdup(path) };
	r = h->path ? heater_update(h, m) : -ENOMEM;
	if (r >= 0)
		r = heater_name_from_path(h);
	if (r < 0) {
		heater_done(h);
		return r;
	}
	l->n++;
	return 0;
}

/* One object's a{sa{sv}}: its interfaces and their properties. */
static int read_object_interfaces(sd_bus_message *m, const char *path, struct heater_list *l)
{
	const char *interface;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
		r = sd_bus_message_read_basic(m, 's', &interface);
		if (r >= 0)
			r = strcmp(interface, HEATER_INTERFACE) == 0 ? heater_list_add(l, path, m)
								     : sd_bus_message_skip(m, "a{sv}");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* Body order from the neck down, as chair-types lists the zones; others after, by name. */
static int heater_compare(const void *a, const void *b)
{
	const struct heater *x = a, *y = b;
	int zx = zone_from_string(x->zone), zy = zone_from_string(y->zone);

	if (zx != zy && zx >= 0 && zy >= 0)
		return zx < zy ? -1 : 1;
	if (zx != zy)
		return zx >= 0 ? -1 : 1;
	return strcmp(x->zone, y->zone);
}

int heater_list_read(sd_bus_message *m, struct heater_list *ret)
{
	_cleanup_(heater_list_done) struct heater_list l = {};
	const char *path;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}")) > 0) {
		r = sd_bus_message_read_basic(m, 'o', &path);
		if (r >= 0)
			r = read_object_interfaces(m, path, &l);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0)
		return r;

	if (l.n > 1)
		qsort(l.items, l.n, sizeof(l.items[0]), heater_compare);
	heater_list_done(ret);
	*ret = l;
	l = (struct heater_list) {};
	return 0;
}

int heater_list_fetch(sd_bus *bus, sd_bus_error *error, struct heater_list *ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(bus, CHAIR_SERVICE, CHAIR_PATH, OBJECT_MANAGER_INTERFACE, "GetManagedObjects", error,
			       &reply, NULL);
	if (r < 0)
		return r;
	return heater_list_read(reply, ret);
}

struct heater *heater_list_find(const struct heater_list *l, const char *zone)
{
	for (size_t i = 0; zone && i < l->n; i++)
		if (strcmp(l->items[i].zone, zone) == 0)
			return &l->items[i];
	return NULL;
}

struct heater *heater_list_find_path(const struct heater_list *l, const char *path)
{
	for (size_t i = 0; path && i < l->n; i++)
		if (strcmp(l->items[i].path, path) == 0)
			return &l->items[i];
	return NULL;
}

int heater_fetch_zone(const struct ctl *ctl, const char *zone, struct heater_list *list, struct heater **ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = heater_list_fetch(ctl->bus, &error, list);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);

	*ret = heater_list_find(list, zone);
	if (*ret)
		return EXIT_SUCCESS;
	if (list->n == 0)
		return ctl_error("The chair has no heating pads");
	(void)fprintf(stderr, "massagectl: No heating pad '%s'; the pads are", zone);
	for (size_t i = 0; i < list->n; i++)
		(void)fprintf(stderr, "%s %s", i == 0 ? "" : ",", list->items[i].zone);
	(void)fputs(".\n", stderr);
	return EXIT_FAILURE;
}

char *format_wall_time(char buf[static WALL_TIME_MAX], uint64_t usec)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	if (usec == 0 || !localtime_r(&t, &tm) || strftime(buf, WALL_TIME_MAX, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		(void)snprintf(buf, WALL_TIME_MAX, "-");
	return buf;
}

unsigned fraction_percent(double fraction)
{
	if (!(fraction > 0)) /* NaN too */
		return 0;
	if (fraction >= 1)
		return 100;
	return (unsigned)(fraction * 100 + 0.5);
}

char *format_celsius(char buf[static CELSIUS_MAX], double celsius)
{
	size_t len;

	/* "42 °C" for 42.0, "42.5 °C" otherwise: one decimal at most. */
	(void)snprintf(buf, CELSIUS_MAX, "%.1f", celsius);
	len = strlen(buf);
	if (len > 2 && strcmp(buf + len - 2, ".0") == 0)
		buf[len - 2] = '\0';
	if (strcmp(buf, "-0") == 0)
		(void)strcpy(buf, "0");
	(void)strncat(buf, " °C", CELSIUS_MAX - strlen(buf) - 1);
	return buf;
}

char *format_target(char buf[static CELSIUS_MAX], double celsius)
{
	if (celsius > 0)
		return format_celsius(buf, celsius);
	(void)strcpy(buf, "off");
	return buf;
}

char *format_heater_target(char buf[static CELSIUS_MAX], const struct heater *h)
{
	if (h->state && strcmp(h->state, "autotune") == 0) {
		(void)strcpy(buf, "autotune");
		return buf;
	}
	return format_target(buf, h->target);
}

char *format_temperature(char buf[static CELSIUS_MAX], double celsius)
{
	(void)snprintf(buf, CELSIUS_MAX, "%.1f °C", celsius);
	return buf;
}

/* "holding", or "autotune 45 %" while it tunes. */
char *format_heater_state(char buf[static CELSIUS_MAX], const struct heater *h)
{
	const char *state = h->state && *h->state ? h->state : "-";

	if (h->lockout && *h->lockout)
		(void)snprintf(buf, CELSIUS_MAX, "locked out (%s)", h->lockout);
	else if (strcmp(state, "autotune") == 0)
		(void)snprintf(buf, CELSIUS_MAX, "autotune %u%%", fraction_percent(h->autotune_progress));
	else
		(void)snprintf(buf, CELSIUS_MAX, "%s", state);
	return buf;
}

static void heater_row(const struct heater *h, char cells[static _COLUMN_MAX][CELL_MAX])
{
	(void)snprintf(cells[COLUMN_ZONE], CELL_MAX, "%s", h->zone);
	(void)format_heater_state(cells[COLUMN_STATE], h);
	(void)format_temperature(cells[COLUMN_TEMPERATURE], h->temperature);
	(void)format_heater_target(cells[COLUMN_TARGET], h);
	(void)snprintf(cells[COLUMN_POWER], CELL_MAX, "%4u%%", fraction_percent(h->power));
	(void)format_celsius(cells[COLUMN_MAX_TARGET], h->max_target);
	(void)snprintf(cells[COLUMN_TUNED], CELL_MAX, "%s", h->tuned ? "tuned" : "untuned");
	if (h->lockout && *h->lockout)
		(void)format_wall_time(cells[COLUMN_LOCKOUT], h->lockout_since);
	else
		(void)snprintf(cells[COLUMN_LOCKOUT], CELL_MAX, "-");
}

static void print_row(char cells[static _COLUMN_MAX][CELL_MAX], const size_t widths[static _COLUMN_MAX])
{
	for (size_t c = 0; c < _COLUMN_MAX - 1; c++) {
		fputs_padded(stdout, cells[c], widths[c]);
		(void)fputs("  ", stdout);
	}
	printf("%s\n", cells[_COLUMN_MAX - 1]);
}

static void print_heater_table(const struct heater_list *l, bool colour, bool legend)
{
	char cells[_COLUMN_MAX][CELL_MAX] = { "ZONE",  "STATE", "TEMP",  "TARGET",
					      "POWER", "MAX",   "TUNED", "LOCKED OUT SINCE" };
	size_t widths[_COLUMN_MAX];

	for (size_t c = 0; c < _COLUMN_MAX; c++)
		widths[c] = text_columns(cells[c], strlen(cells[c]));
	for (size_t i = 0; i < l->n; i++) {
		char row[_COLUMN_MAX][CELL_MAX];

		heater_row(&l->items[i], row);
		for (size_t c = 0; c < _COLUMN_MAX; c++)
			widths[c] = MAX(widths[c], text_columns(row[c], strlen(row[c])));
	}

	if (legend) {
		if (colour)
			(void)fputs("\033[1m", stdout);
		print_row(cells, widths);
		if (colour)
			(void)fputs("\033[0m", stdout);
	}
	for (size_t i = 0; i < l->n; i++) {
		heater_row(&l->items[i], cells);
		print_row(cells, widths);
	}
	/* a failed autotune says why under the table: the sentence is too long for a cell */
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].autotune_error && *l->items[i].autotune_error)
			printf("%s: autotune failed: %s\n", l->items[i].zone, l->items[i].autotune_error);
	for (size_t i = 0; legend && i < l->n; i++)
		if (l->items[i].lockout && *l->items[i].lockout) {
			printf("\nA pad locked out needs service; after the repair root runs "
			       "`massagectl service reset ZONE`.\n");
			break;
		}
}

/* All pads, or zone's alone. */
static int show_heaters(struct ctl *ctl, const char *zone)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(heater_list_done) struct heater_list heaters = {};
	struct heater_list shown;
	struct heater *h;
	int r;

	if (zone) {
		r = heater_fetch_zone(ctl, zone, &heaters, &h);
		if (r != EXIT_SUCCESS)
			return r;
		shown = (struct heater_list) { .items = h, .n = 1 };
	} else {
		r = heater_list_fetch(ctl->bus, &error, &heaters);
		if (r < 0)
			return ctl_report_bus_error(ctl, &error, r);
		shown = heaters;
	}
	if (ctl->json)
		return json_print(ctl, json_heaters(&shown));
	if (shown.n == 0 && !ctl->no_legend)
		printf("No heating pads.\n");
	else
		print_heater_table(&shown, ctl->colour, !ctl->no_legend);
	return EXIT_SUCCESS;
}

static int set_session_heat(struct ctl *ctl, bool on)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "SetHeat", &error, NULL, "b",
			       (int)on);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}

static int set_heater_target(struct ctl *ctl, const char *zone, double celsius)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(heater_list_done) struct heater_list heaters = {};
	struct heater *h;
	int r;

	r = heater_fetch_zone(ctl, zone, &heaters, &h);
	if (r != EXIT_SUCCESS)
		return r;
	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, h->path, HEATER_INTERFACE, "SetTarget", &error, NULL, "d",
			       celsius);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}

struct heat_arguments {
	size_t n;
	int on;           /* heat on|off; -1 for heat ZONE */
	const char *zone; /* heat ZONE [CELSIUS|off] */
	double celsius;   /* 0: off */
};

/* The form only: which zones exist and what range they take is massaged's to say. */
static int heat_arguments_parse(char **args, struct heat_arguments *ret)
{
	int r;

	*ret = (struct heat_arguments) {};
	while (args[ret->n])
		ret->n++;

	switch (ret->n) {
	case 0:
		return 0;
	case 1:
		/* on|off, or a pad to show: which pads there are is massaged's to say */
		ret->on = parse_boolean(args[0]);
		if (ret->on < 0)
			ret->zone = args[0];
		return 0;
	default:
		ret->zone = args[0];
		if (strcmp(args[1], "off") == 0)
			return 0;
		r = parse_double_range(args[1], -DBL_MAX, DBL_MAX, &ret->celsius);
		if (r == -ERANGE)
			return ctl_usage_error("heat", "'%s' is far too large: a pad takes 30 °C to its MaxTarget",
					       args[1]);
		if (r < 0)
			return ctl_usage_error("heat",
					       "A pad takes a temperature in °C (30 to its MaxTarget) or off, not '%s'",
					       args[1]);
		return 0;
	}
}

int heat_check_arguments(char **args)
{
	struct heat_arguments a;

	return heat_arguments_parse(args, &a);
}

int verb_heat(struct ctl *ctl, char **args)
{
	struct heat_arguments a;

	if (heat_arguments_parse(args, &a) < 0)
		return EXIT_USAGE;
	switch (a.n) {
	case 0:
		return show_heaters(ctl, NULL);
	case 1:
		return a.zone ? show_heaters(ctl, a.zone) : set_session_heat(ctl, a.on);
	default:
		return set_heater_target(ctl, a.zone, a.celsius);
	}
}
