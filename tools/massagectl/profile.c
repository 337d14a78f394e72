/* SPDX-License-Identifier: MIT */
/* `massagectl profile [list|show NAME|save NAME|use NAME|delete NAME|none]`: the people
 * who share the chair (Chair1's SaveProfile, UseProfile, DeleteProfile, UseNoProfile,
 * GetProfile and the Profile and Profiles properties). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chair-types.h"
#include "massagectl.h"

/* One subcommand: how many names it takes and the method that does it, or NULL for our
 * own query. */
struct profile_command {
	const char *name;
	bool takes_name;
	const char *method;
};

static const struct profile_command commands[] = {
	{ "list", false, NULL },
	{ "show", true, NULL },
	{ "save", true, "SaveProfile" },
	{ "use", true, "UseProfile" },
	{ "delete", true, "DeleteProfile" },
	{ "none", false, "UseNoProfile" },
};

static const struct profile_command *command_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int profile_check_arguments(char **args)
{
	const struct profile_command *cmd;

	if (!args[0])
		return 0; /* list */
	cmd = command_find(args[0]);
	if (!cmd)
		return ctl_usage_error("profile",
				       "Unknown profile command '%s' (there are list, show, save, use, "
				       "delete and none)",
				       args[0]);
	if (cmd->takes_name && !args[1])
		return ctl_usage_error("profile", "Profile %s needs a profile name", cmd->name);
	if (!cmd->takes_name && args[1])
		return ctl_usage_error("profile", "Profile %s takes no name", cmd->name);
	if (cmd->takes_name && args[2])
		return ctl_usage_error("profile",
				       "Too many arguments: a name with spaces goes in quotes, "
				       "\"%s %s\"",
				       args[1], args[2]);
	return 0;
}

static int profile_list(struct ctl *ctl)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_free_ char *in_use = NULL;
	int r;

	r = sd_bus_get_property_strv(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "Profiles", &error, &names);
	if (r >= 0)
		r = sd_bus_get_property_string(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "Profile", &error,
					       &in_use);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);

	if (ctl->json)
		return json_print(ctl, json_profiles(names, in_use));
	if (!names || !names[0]) {
		if (!ctl->no_legend)
			printf("No profiles: 'massagectl profile save NAME' keeps the chair's settings under a name.\n");
		return EXIT_SUCCESS;
	}
	/* like git branch: the one in use marked */
	for (char **name = names; *name; name++)
		printf("%s %s\n", in_use && strcmp(*name, in_use) == 0 ? "*" : " ", *name);
	return EXIT_SUCCESS;
}

/* GetProfile's a{sv}: the fields of one profile file. */
struct profile_view {
	char *name, *width, *favourite;
	uint32_t intensity, speed, session_limit, shoulder_height;
	int32_t shoulder_adjust;
	int heat, gentle; /* sd-bus reads 'b' as int */
	double heat_target;
	char **focus;
	int zone_pressure[_ZONE_MAX];
};

static const struct property_map profile_fields[] = {
	{ "Name", PROPERTY_STRING, offsetof(struct profile_view, name) },
	{ "Intensity", PROPERTY_UINT32, offsetof(struct profile_view, intensity) },
	{ "Speed", PROPERTY_UINT32, offsetof(struct profile_view, speed) },
	{ "Width", PROPERTY_STRING, offsetof(struct profile_view, width) },
	{ "Heat", PROPERTY_BOOL, offsetof(struct profile_view, heat) },
	{ "HeatTarget", PROPERTY_DOUBLE, offsetof(struct profile_view, heat_target) },
	{ "SessionLimit", PROPERTY_UINT32, offsetof(struct profile_view, session_limit) },
	{ "ZonePressure", PROPERTY_ZONE_LEVELS, offsetof(struct profile_view, zone_pressure) },
	{ "ShoulderHeight", PROPERTY_UINT32, offsetof(struct profile_view, shoulder_height) },
	{ "ShoulderAdjust", PROPERTY_INT32, offsetof(struct profile_view, shoulder_adjust) },
	{ "Favourite", PROPERTY_STRING, offsetof(struct profile_view, favourite) },
	{ "Focus", PROPERTY_STRV, offsetof(struct profile_view, focus) },
	{ "Gentle", PROPERTY_BOOL, offsetof(struct profile_view, gentle) },
};

static void profile_view_done(struct profile_view *p)
{
	free(p->name);
	free(p->width);
	free(p->favourite);
	strv_free(p->focus);
	*p = (struct profile_view) {};
}

#define SHOW_FIELD "%-10s "

static void show_heat(const struct profile_view *p)
{
	char target[CELSIUS_MAX];

	if (p->heat_target > 0.0)
		printf(SHOW_FIELD "%s, pads at %s\n", "Heat:", p->heat ? "on" : "off",
		       format_celsius(target, p->heat_target));
	else
		printf(SHOW_FIELD "%s\n", "Heat:", p->heat ? "on" : "off");
}

static void show_shoulder(const struct profile_view *p)
{
	if (p->shoulder_height == 0)
		printf(SHOW_FIELD "not known: the chair scans at the first program\n", "Shoulder:");
	else if (p->shoulder_adjust != 0)
		printf(SHOW_FIELD "%" PRIu32 " mm (adjusted %+" PRId32 " mm)\n", "Shoulder:", p->shoulder_height,
		       p->shoulder_adjust);
	else
		printf(SHOW_FIELD "%" PRIu32 " mm\n", "Shoulder:", p->shoulder_height);
}

static void show_focus(const struct profile_view *p)
{
	printf(SHOW_FIELD, "Focus:");
	if (!p->focus || !p->focus[0])
		printf("none");
	for (char **zone = p->focus; zone && *zone; zone++)
		printf("%s%s", zone == p->focus ? "" : ", ", *zone);
	printf("\n");
}

static void profile_render(const struct profile_view *p, bool in_use)
{
	char pressure[128], limit[DURATION_MAX];

	printf(SHOW_FIELD "%s%s\n", "Profile:", p->name, in_use ? " (in use)" : "");
	printf(SHOW_FIELD "intensity %" PRIu32 "/%d, speed %" PRIu32 "/%d, width %s\n", "Levels:", p->intensity,
	       INTENSITY_MAX, p->speed, SPEED_MAX, p->width && *p->width ? p->width : "-");
	format_zone_pressure(pressure, sizeof(pressure), p->zone_pressure);
	printf(SHOW_FIELD "%s\n", "Pressure:", pressure[0] ? pressure : "even");
	show_heat(p);
	if (p->session_limit % 60 == 0)
		printf(SHOW_FIELD "%" PRIu32 " min session limit\n", "Timer:", p->session_limit / 60);
	else
		printf(SHOW_FIELD "%s session limit\n", "Timer:", format_duration(limit, p->session_limit));
	show_shoulder(p);
	printf(SHOW_FIELD "%s\n", "Favourite:", p->favourite && *p->favourite ? p->favourite : "none");
	show_focus(p);
	printf(SHOW_FIELD "%s\n", "Gentle:", p->gentle ? "on" : "off");
}

/* Reads the profile's file through GetProfile: UseProfile would change the chair. */
static int profile_show(struct ctl *ctl, const char *name)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(profile_view_done) struct profile_view p = {};
	_cleanup_free_ char *in_use = NULL;
	int r;

	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "GetProfile", &error, &reply, "s",
			       name);
	if (r >= 0)
		r = properties_read(reply, profile_fields, ELEMENTSOF(profile_fields), &p);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	/* without it the profile still shows, only not marked */
	(void)sd_bus_get_property_string(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "Profile", NULL,
					 &in_use);
	if (!p.name) {
		p.name = strdup(name);
		if (!p.name)
			return ctl_report_bus_error(ctl, NULL, -ENOMEM);
	}
	profile_render(&p, in_use && strcmp(in_use, p.name) == 0);
	return EXIT_SUCCESS;
}

static int profile_call(struct ctl *ctl, const struct profile_command *cmd, const char *name)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	if (cmd->takes_name)
		r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, cmd->method, &error, NULL,
				       "s", name);
	else
		r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, cmd->method, &error, NULL,
				       "");
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}

int verb_profile(struct ctl *ctl, char **args)
{
	const struct profile_command *cmd = args[0] ? command_find(args[0]) : NULL; /* checked before we connected */

	if (!cmd || strcmp(cmd->name, "list") == 0)
		return profile_list(ctl);
	if (strcmp(cmd->name, "show") == 0)
		return profile_show(ctl, args[1]);
	return profile_call(ctl, cmd, args[1]);
}
