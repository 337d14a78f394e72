/* SPDX-License-Identifier: MIT */
/* org.massaged.Chair1's areas of concern: SetFocus and StartFocus. */
#include <stdlib.h>

#include "bus-focus.h"
#include "bus-names.h"
#include "commands-focus.h"
#include "macro.h"

static void strv_free(char **l)
{
	for (char **s = l; s && *s; s++)
		free(*s);
	free(l);
}

static void strv_freep(char ***l)
{
	strv_free(*l);
}

int bus_focus_method_set(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	_cleanup_(strv_freep) char **zones = NULL;
	struct refusal why = {};
	int r;

	r = sd_bus_message_read_strv(m, &zones);
	if (r < 0)
		return r;
	r = chair_set_focus(userdata, zones, &why);
	return bus_reply_command(m, r, &why, error);
}

int bus_focus_method_start(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct refusal why = {};
	const char *zone;
	uint32_t minutes;
	int r;

	r = sd_bus_message_read(m, "su", &zone, &minutes);
	if (r < 0)
		return r;
	r = chair_start_focus(userdata, zone, minutes, &why);
	return bus_reply_command(m, r, &why, error);
}
