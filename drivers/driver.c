/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <string.h>

#include "driver.h"
#include "macro.h"

/* The line names of docs/hardware.md; configuration and the Simulator1 Outputs property
 * use the same spelling. */
static const char *const input_names[_INPUT_MAX] = {
	[INPUT_ESTOP] = "ESTOP",
	[INPUT_SEAT] = "SEAT",
	[INPUT_BTN_POWER] = "BTN_POWER",
	[INPUT_BTN_NECK] = "BTN_NECK",
	[INPUT_BTN_SHOULDER] = "BTN_SHOULDER",
	[INPUT_BTN_BACK] = "BTN_BACK",
	[INPUT_BTN_PAUSE] = "BTN_PAUSE",
	[INPUT_BTN_UP] = "BTN_UP",
	[INPUT_BTN_DOWN] = "BTN_DOWN",
	[INPUT_BTN_HEAT] = "BTN_HEAT",
};

static const char *const output_names[_OUTPUT_MAX] = {
	[OUTPUT_MOTOR_POWER] = "MOTOR_POWER",
	[OUTPUT_HEAT_POWER] = "HEAT_POWER",
	[OUTPUT_HEAT_NECK] = "HEAT_NECK",
	[OUTPUT_HEAT_SHOULDERS] = "HEAT_SHOULDERS",
	[OUTPUT_HEAT_LOWER_BACK] = "HEAT_LOWER_BACK",
	[OUTPUT_LED] = "LED",
};

static int name_lookup(const char *const *names, size_t n, const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *chair_input_name(enum chair_input i)
{
	if (i < 0 || i >= _INPUT_MAX)
		return NULL;
	return input_names[i];
}

enum chair_input chair_input_from_name(const char *s)
{
	int i = name_lookup(input_names, ELEMENTSOF(input_names), s);

	return i < 0 ? INPUT_INVALID : (enum chair_input)i;
}

const char *chair_output_name(enum chair_output o)
{
	if (o < 0 || o >= _OUTPUT_MAX)
		return NULL;
	return output_names[o];
}

enum chair_output chair_output_from_name(const char *s)
{
	int i = name_lookup(output_names, ELEMENTSOF(output_names), s);

	return i < 0 ? OUTPUT_INVALID : (enum chair_output)i;
}

enum chair_output chair_pad_relay(enum zone z)
{
	switch (z) {
	case ZONE_NECK:
		return OUTPUT_HEAT_NECK;
	case ZONE_SHOULDERS:
		return OUTPUT_HEAT_SHOULDERS;
	case ZONE_LOWER_BACK:
		return OUTPUT_HEAT_LOWER_BACK;
	default:
		return OUTPUT_INVALID;
	}
}
