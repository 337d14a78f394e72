/* SPDX-License-Identifier: MIT */
/* massagectl gentle [on|off [--yes]]: gentle mode (SetGentle). Turning it off asks first:
 * its caps protect a person who cannot judge pressure or heat.
 * massagectl heat-target [CELSIUS|default]: the person's session heat target (SetHeatTarget). */
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "massagectl.h"

struct gentle_arguments {
	int on; /* -1: show */
	bool yes;
};

static int gentle_arguments_parse(char **args, struct gentle_arguments *ret)
{
	*ret = (struct gentle_arguments) { .on = -1 };
	if (!args[0])
		return 0;
	if (strcmp(args[0], "on") == 0)
		ret->on = 1;
	else if (strcmp(args[0], "off") == 0)
		ret->on = 0;
	else
		return ctl_usage_error("gentle", "Gentle takes on or off, not '%s'", args[0]);
	if (args[1] && (strcmp(args[1], "--yes") != 0 || ret->on))
		return ctl_usage_error("gentle", "Unknown option '%s' (off takes --yes)", args[1]);
	ret->yes = args[1] != NULL;
	return 0;
}

int gentle_check_arguments(char **args)
{
	struct gentle_arguments a;

	return gentle_arguments_parse(args, &a);
}

static int get_string(struct ctl *ctl, const char *name, char **ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r = sd_bus_get_property_string(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, name, &error, ret);

	if (r < 0 && sd_bus_error_has_name(&error, SD_BUS_ERROR_UNKNOWN_PROPERTY)) {
		*ret = NULL; /* a massaged without profiles */
		return 0;
	}
	return r < 0 ? ctl_report_bus_error(ctl, &error, r) : 0;
}

static int gentle_show(struct ctl *ctl)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(freep) char *profile = NULL;
	int on, r;

	r = sd_bus_get_property_trivial(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "Gentle", &error, 'b',
					&on);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	if (get_string(ctl, "Profile", &profile) != 0)
		return EXIT_FAILURE;
	printf("Gentle mode: %s%s%s\n", on ? "on" : "off", profile && *profile ? " for " : "",
	       profile && *profile ? profile : "");
	if (on)
		printf("Intensity at most 3, pads at most the [Gentle] MaxTarget (40 °C unless configured),\n"
		       "sessions at most 15 min, the heat dose halved, deep-tissue and trigger-point refused.\n");
	return EXIT_SUCCESS;
}

/* Turning gentle mode off needs a person who said yes: on a terminal, or --yes. */
static int confirm_off(struct ctl *ctl)
{
	_cleanup_(freep) char *profile = NULL;
	char line[64], who[160];

	if (get_string(ctl, "Profile", &profile) != 0)
		return EXIT_FAILURE;
	(void)snprintf(who, sizeof(who), "%s", profile && *profile ? profile : "the person in the chair");
	if (!isatty(STDIN_FILENO)) {
		(void)fprintf(stderr,
			      "massagectl gentle off: Not turned off: it needs confirmation and there is no terminal "
			      "to ask on. Gentle mode's caps protect %s; to turn it off anyway, run "
			      "'massagectl gentle off --yes'.\n",
			      who);
		return EXIT_FAILURE;
	}
	printf("Turn gentle mode off for %s? Its caps protect a person with reduced sensation from pressure "
	       "and heat they cannot judge (intensity up to 5, pads up to their MaxTarget, longer sessions). [y/N] ",
	       who);
	(void)fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, "y") != 0 && strcmp(line, "Y") != 0 && strcmp(line, "yes") != 0) {
		printf("Not turned off: gentle mode stays on.\n");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int verb_gentle(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	struct gentle_arguments a;
	int on, r;

	if (gentle_arguments_parse(args, &a) < 0)
		return EXIT_USAGE;
	if (a.on < 0)
		return gentle_show(ctl);
	if (!a.on && !a.yes) {
		r = sd_bus_get_property_trivial(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "Gentle", &error,
						'b', &on);
		if (r < 0)
			return ctl_report_bus_error(ctl, &error, r);
		if (!on)
			return EXIT_SUCCESS; /* off already: nothing to confirm */
		if (confirm_off(ctl) != EXIT_SUCCESS)
			return EXIT_FAILURE;
	}
	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "SetGentle", &error, NULL, "b",
			       a.on);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}

static int heat_target_parse(char **args, double *ret)
{
	*ret = -1.0; /* show */
	if (!args[0])
		return 0;
	if (strcmp(args[0], "default") == 0) {
		*ret = 0.0;
		return 0;
	}
	if (parse_double_range(args[0], -DBL_MAX, DBL_MAX, ret) < 0)
		return ctl_usage_error("heat-target", "Heat-target takes a temperature in °C, 0 or default, not '%s'",
				       args[0]);
	return 0;
}

int heat_target_check_arguments(char **args)
{
	double celsius;

	return heat_target_parse(args, &celsius);
}

int verb_heat_target(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	double celsius;
	int r;

	if (heat_target_parse(args, &celsius) < 0)
		return EXIT_USAGE;
	if (celsius < 0.0) {
		r = sd_bus_get_property_trivial(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "HeatTarget",
						&error, 'd', &celsius);
		if (r < 0)
			return ctl_report_bus_error(ctl, &error, r);
		if (celsius > 0.0)
			printf("%.1f °C\n", celsius);
		else
			printf("default (the program's target, else [Heat] DefaultTarget)\n");
		return EXIT_SUCCESS;
	}
	r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "SetHeatTarget", &error, NULL, "d",
			       celsius);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}
