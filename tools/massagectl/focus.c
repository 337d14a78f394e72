/* SPDX-License-Identifier: MIT */
/* massagectl focus [ZONE...|none] and focus --start ZONE MINUTES: the areas of concern
 * (SetFocus, Focus, StartFocus). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chair-types.h"
#include "massagectl.h"

#define START_OPTION "--start"

int focus_check_arguments(char **args)
{
	unsigned minutes;

	if (!args[0])
		return 0;
	if (strcmp(args[0], START_OPTION) == 0) {
		if (!args[1] || !args[2])
			return ctl_usage_error("focus", "Focus --start takes a zone and the minutes");
		if (args[3])
			return ctl_usage_error("focus", "Focus --start takes one zone and the minutes, nothing more");
		if (parse_uint_range(args[2], 0, UINT32_MAX, &minutes) < 0)
			return ctl_usage_error("focus", "Focus --start takes whole minutes from 3 to 15, not '%s'",
					       args[2]);
		return 0;
	}
	for (char **a = args; *a; a++) {
		if ((*a)[0] == '-')
			return ctl_usage_error("focus", "Unknown option '%s'", *a);
		if (strcmp(*a, "none") == 0 && (a != args || a[1]))
			return ctl_usage_error("focus", "None clears the focus: give it alone");
	}
	return 0;
}

static int focus_show(struct ctl *ctl)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_strv_free_ char **zones = NULL;
	int r;

	r = sd_bus_get_property_strv(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "Focus", &error, &zones);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	if (!zones || !zones[0]) {
		printf("none\n");
		return EXIT_SUCCESS;
	}
	for (char **z = zones; *z; z++)
		printf("%s%s", z == zones ? "" : " ", *z);
	printf("\n");
	return EXIT_SUCCESS;
}

static int focus_set(struct ctl *ctl, char **zones)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	bool clear = strcmp(zones[0], "none") == 0; /* focus_check_arguments(): then alone */
	int r;

	r = sd_bus_message_new_method_call(ctl->bus, &m, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "SetFocus");
	if (r >= 0)
		r = sd_bus_message_append_strv(m, clear ? (char *[]) { NULL } : zones);
	if (r >= 0)
		r = sd_bus_call(ctl->bus, m, 0, &error, NULL);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}

static int focus_start(struct ctl *ctl, const char *zone, const char *minutes_text)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	unsigned minutes;
	int r;

	r = parse_uint_range(minutes_text, 0, UINT32_MAX, &minutes); /* focus_check_arguments() passed it */
	if (r >= 0)
		r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "StartFocus", &error, NULL,
				       "su", zone, (uint32_t)minutes);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}

int verb_focus(struct ctl *ctl, char **args)
{
	if (!args[0])
		return focus_show(ctl);
	if (strcmp(args[0], START_OPTION) == 0)
		return focus_start(ctl, args[1], args[2]);
	return focus_set(ctl, args);
}
