/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buttons.h"
#include "commands.h"
#include "faults.h"
#include "log.h"
#include "safety.h"
#include "session.h"

static bool session_running(const struct context *c)
{
	return c->session.active || c->scan.active;
}

static int press_power(struct context *c, struct refusal *why)
{
	if (session_running(c)) {
		session_stop(c);
		return 0;
	}
	return chair_start_program(c, c->last_program[0] ? c->last_program : c->config.default_program, why);
}

static int press_pause(struct context *c, struct refusal *why)
{
	if (c->state == STATE_PAUSED)
		return chair_resume(c, why);
	return chair_pause(c, why);
}

static int press_intensity(struct context *c, int delta, struct refusal *why)
{
	int level = (int)c->intensity + delta;

	if (level < INTENSITY_MIN || level > INTENSITY_MAX)
		return 0; /* already at the end of the range: nothing to do */
	return chair_set_intensity(c, (unsigned)level, why);
}

void buttons_press(struct context *c, enum chair_input button)
{
	struct refusal why = {};
	int r = 0;

	log_debug("Remote button %s", chair_input_name(button));
	if (faults_any(c)) {
		log_notice("Remote %s ignored: a fault is active (%s)", chair_input_name(button), faults_first(c));
		return;
	}
	switch (button) {
	case INPUT_BTN_POWER:
		r = press_power(c, &why);
		break;
	case INPUT_BTN_NECK:
		r = chair_start_program(c, "neck", &why);
		break;
	case INPUT_BTN_SHOULDER:
		r = chair_start_program(c, "shoulder", &why);
		break;
	case INPUT_BTN_BACK:
		r = chair_start_program(c, "back", &why);
		break;
	case INPUT_BTN_PAUSE:
		r = press_pause(c, &why);
		break;
	case INPUT_BTN_UP:
		r = press_intensity(c, +1, &why);
		break;
	case INPUT_BTN_DOWN:
		r = press_intensity(c, -1, &why);
		break;
	case INPUT_BTN_HEAT:
		/* off whenever anything heats: SetTarget and autotune heat with Heat off */
		r = chair_set_heat(c, !(c->heat || heaters_heating(c)), &why);
		break;
	default:
		break;
	}
	if (r < 0)
		log_notice("Remote %s ignored: %s", chair_input_name(button),
			   why.message[0] ? why.message : strerror(-r));
}
