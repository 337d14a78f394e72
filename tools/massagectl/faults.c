/* SPDX-License-Identifier: MIT */
/* `massagectl faults`: the active faults, each with what it means and what to do. */
#include <stdio.h>
#include <stdlib.h>

#include "massagectl.h"

int verb_faults(struct ctl *ctl, char **args)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_strv_free_ char **faults = NULL;
	size_t width = output_width();
	int r;

	r = sd_bus_get_property_strv(ctl->bus, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, "Faults", &error, &faults);
	if (r < 0)
		return ctl_report_bus_error(ctl, &error, r);
	if (ctl->json)
		return json_print(ctl, json_faults(faults));

	if (!faults || !faults[0])
		printf("No faults.\n");
	for (char **fault = faults; fault && *fault; fault++) {
		char text[FAULT_TEXT_MAX];

		printf("%s%s%s\n", ctl->colour ? "\033[1m" : "", *fault, ctl->colour ? "\033[0m" : "");
		print_wrapped(stdout, fault_text(text, *fault), 2, width);
	}
	return EXIT_SUCCESS;
}
