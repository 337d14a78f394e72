/* SPDX-License-Identifier: MIT */
/* `massagectl show`: Chair1's properties as Name=value lines, as `systemctl show` prints
 * a unit's; and `massagectl is-running`, for shell tests. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "massagectl.h"

/* One basic value, as systemctl show prints it: booleans yes/no. */
static int print_basic(sd_bus_message *m, char type)
{
	union {
		const char *s;
		int b;
		uint8_t y;
		int16_t n;
		uint16_t q;
		int32_t i;
		uint32_t u;
		int64_t x;
		uint64_t t;
		double d;
	} v;
	int r = sd_bus_message_read_basic(m, type, &v);

	if (r <= 0)
		return r < 0 ? r : -EBADMSG;
	switch (type) {
	case 's':
	case 'o':
	case 'g':
		(void)fputs(v.s, stdout);
		return 0;
	case 'b':
		(void)fputs(v.b ? "yes" : "no", stdout);
		return 0;
	case 'y':
		printf("%u", v.y);
		return 0;
	case 'n':
		printf("%d", v.n);
		return 0;
	case 'q':
		printf("%u", v.q);
		return 0;
	case 'i':
		printf("%" PRId32, v.i);
		return 0;
	case 'u':
		printf("%" PRIu32, v.u);
		return 0;
	case 'x':
		printf("%" PRId64, v.x);
		return 0;
	case 't':
		printf("%" PRIu64, v.t);
		return 0;
	case 'd':
		printf("%g", v.d);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* The variant's value: arrays space-separated as systemctl prints them, a dictionary as
 * KEY:VALUE words; other types are skipped (an empty value). */
static int print_value(sd_bus_message *m)
{
	const char *contents;
	char type;
	int r;

	r = sd_bus_message_peek_type(m, NULL, &contents);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(m, 'v', contents);
	if (r < 0)
		return r;
	type = contents[0];
	if (type != 'a' && !contents[1]) {
		r = print_basic(m, type);
		if (r == -EOPNOTSUPP)
			r = sd_bus_message_skip(m, contents);
	} else if (type == 'a' && contents[1] != '{' && !contents[2]) {
		r = sd_bus_message_enter_container(m, 'a', contents + 1);
		for (bool first = true; r >= 0; first = false) {
			r = sd_bus_message_at_end(m, false);
			if (r != 0)
				break;
			if (!first)
				(void)fputc(' ', stdout);
			r = print_basic(m, contents[1]);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	} else if (strlen(contents) == 5 && strncmp(contents, "a{", 2) == 0) {
		char entry[3] = { contents[2], contents[3], '\0' };

		r = sd_bus_message_enter_container(m, 'a', contents + 1);
		for (bool first = true; r >= 0; first = false) {
			r = sd_bus_message_enter_container(m, 'e', entry);
			if (r <= 0)
				break;
			if (!first)
				(void)fputc(' ', stdout);
			r = print_basic(m, entry[0]);
			if (r >= 0) {
				(void)fputc(':', stdout);
				r = print_basic(m, entry[1]);
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	} else
		r = sd_bus_message_skip(m, contents);
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static ssize_t property_index(char **names, const char *name)
{
	for (size_t i = 0; names && names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return (ssize_t)i;
	return -1;
}

static int print_properties(const struct ctl *ctl, sd_bus_message *reply, bool *found)
{
	const char *name;
	int r;

	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		ssize_t i;

		r = sd_bus_message_read_basic(reply, 's', &name);
		if (r < 0)
			return r;
		i = property_index(ctl->properties, name);
		if (ctl->properties && i < 0)
			r = sd_bus_message_skip(reply, "v");
		else {
			if (i >= 0)
				found[i] = true;
			if (!ctl->value_only)
				printf("%s=", name);
			r = print_value(reply);
			(void)fputc('\n', stdout);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r < 0)
			return r;
	}
	return r < 0 ? r : sd_bus_message_exit_container(reply);
}

int verb_show(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ bool *found = NULL;
	size_t n = 0;
	int r;

	while (ctl->properties && ctl->properties[n])
		n++;
	found = calloc(n + 1, sizeof(bool));
	if (!found)
		return ctl_error("Out of memory");
	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, PROPERTIES_INTERFACE, "GetAll", &error, &reply, "s",
			       CHAIR_INTERFACE);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	r = print_properties(ctl, reply, found);
	if (r < 0)
		return ctl_error("Cannot read the properties: %s", strerror(-r));
	r = EXIT_SUCCESS;
	for (size_t i = 0; i < n; i++)
		if (!found[i])
			r = ctl_error("No property '%s' on " CHAIR_INTERFACE, ctl->properties[i]);
	return r;
}

int verb_is_running(struct ctl *ctl, char **args)
{
	static const char *const running[] = { "scanning", "running", "paused" };
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_free_ char *state = NULL;
	int r;

	r = sd_bus_get_property_string(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "State", &error, &state);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	if (!ctl->quiet)
		printf("%s\n", state);
	for (size_t i = 0; i < ELEMENTSOF(running); i++)
		if (strcmp(state, running[i]) == 0)
			return EXIT_SUCCESS;
	return EXIT_FAILURE;
}
