/* SPDX-License-Identifier: MIT */
/* massagectl pressure [ZONE OFFSET]: the intensity offsets by zone (SetZonePressure). */
#include <errno.h>
#include <stdlib.h>

#include "chair-types.h"
#include "massagectl.h"

int pressure_check_arguments(char **args)
{
	int offset;

	if (!args[0])
		return 0;
	if (!args[1])
		return ctl_usage_error("pressure", "Give a zone and an offset, or nothing to show them");
	if (parse_int_range(args[1], INT32_MIN, INT32_MAX, &offset) < 0)
		return ctl_usage_error(
			"pressure", "Pressure takes whole levels from -2 (lighter) to +2 (firmer), not '%s'", args[1]);
	return 0;
}

static int pressure_show(struct ctl *ctl)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int levels[_ZONE_MAX] = {};
	int r;

	r = sd_bus_get_property(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "ZonePressure", &error, &reply,
				"a{si}");
	if (r >= 0)
		r = zone_levels_read(reply, levels);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	for (enum zone z = 0; z < _ZONE_MAX; z++) {
		if (z == ZONE_BACK)
			continue;
		if (levels[z] == 0)
			printf("%-11s  0\n", zone_to_string(z));
		else
			printf("%-11s %+d\n", zone_to_string(z), levels[z]);
	}
	return EXIT_SUCCESS;
}

int verb_pressure(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int offset, r;

	if (!args[0])
		return pressure_show(ctl);
	r = parse_int_range(args[1], INT32_MIN, INT32_MAX, &offset); /* pressure_check_arguments() passed it */
	if (r >= 0)
		r = sd_bus_call_method(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "SetZonePressure", &error,
				       NULL, "si", args[0], (int32_t)offset);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	return EXIT_SUCCESS;
}
