/* SPDX-License-Identifier: MIT */
#include "buttons.h"
#include "bus-chair.h"
#include "log.h"
#include "safety.h"
#include "session.h"

static bool session_running(const struct context *c)
{
	return c->session.active || c->scan_active;
}

static int press_power(struct context *c, sd_bus_error *error)
{
	if (session_running(c)) {
		session_stop(c);
		return 0;
	}
	return chair_start_program(c, c->last_program[0] ? c->last_program : c->config.default_program, error);
}

static int press_pause(struct context *c, sd_bus_error *error)
{
	if (c->state == STATE_PAUSED)
		return chair_resume(c, error);
	return chair_pause(c, error);
}

static int press_intensity(struct context *c, int delta, sd_bus_error *error)
{
	int level = (int)c->intensity + delta;

	if (level < INTENSITY_MIN || level > INTENSITY_MAX)
		return 0; /* already at the end of the range: nothing to do */
	return chair_set_intensity(c, (unsigned)level, error);
}

void buttons_press(struct context *c, enum chair_input button)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r = 0;

	log_debug("Remote button %s", chair_input_name(button));
	if (faults_any(c)) {
		log_notice("Remote %s ignored: a fault is active (%s)", chair_input_name(button), faults_first(c));
		return;
	}
	switch (button) {
	case INPUT_BTN_POWER:
		r = press_power(c, &error);
		break;
	case INPUT_BTN_NECK:
		r = chair_start_program(c, "neck", &error);
		break;
	case INPUT_BTN_SHOULDER:
		r = chair_start_program(c, "shoulder", &error);
		break;
	case INPUT_BTN_BACK:
		r = chair_start_program(c, "back", &error);
		break;
	case INPUT_BTN_PAUSE:
		r = press_pause(c, &error);
		break;
	case INPUT_BTN_UP:
		r = press_intensity(c, +1, &error);
		break;
	case INPUT_BTN_DOWN:
		r = press_intensity(c, -1, &error);
		break;
	case INPUT_BTN_HEAT:
		/* off whenever anything heats: SetTarget and autotune heat with Heat off */
		r = chair_set_heat(c, !(c->heat || heaters_heating(c)), &error);
		break;
	default:
		break;
	}
	if (r < 0)
		log_notice("Remote %s ignored: %s", chair_input_name(button), error.message);
	sd_bus_error_free(&error);
}
