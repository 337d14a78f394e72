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

static int start_last_program(struct context *c, struct refusal *why)
{
	return chair_start_program(c, remote_program(c), why);
}

static int on_power_held(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct context *c = userdata;

	if (!c->remote.power_pending)
		return 0;
	c->remote.power_pending = false;
	/* a D-Bus Start or a fault may have come while it was held */
	if (faults_any(c) || session_running(c)) {
		log_notice("Remote power held: no profile change while %s",
			   faults_any(c) ? "a fault is active" : "a session runs");
		return 0;
	}
	remote_next_profile(c);
	context_publish(c);
	return 0;
}

/* A stop goes at once, on the press. While idle the press waits: released before
 * REMOTE_HOLD_USEC it starts the last program, held that long it steps the profile. */
static int press_power(struct context *c, struct refusal *why)
{
	int r;

	if (session_running(c)) {
		session_stop(c);
		return 0;
	}
	r = context_arm_tick(c, &c->remote.hold_source, REMOTE_HOLD_USEC, on_power_held, "remote hold timer");
	if (r < 0) /* no hold without its timer: start at once, as a remote without profiles */
		return start_last_program(c, why);
	c->remote.power_pending = true;
	return 0;
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

void buttons_release(struct context *c, enum chair_input button)
{
	struct refusal why = {};
	int r;

	if (button != INPUT_BTN_POWER || !c->remote.power_pending)
		return;
	c->remote.power_pending = false;
	(void)context_disarm_tick(c, c->remote.hold_source);
	if (faults_any(c)) {
		log_notice("Remote power ignored: a fault is active (%s)", faults_first(c));
		return;
	}
	if (session_running(c)) { /* started over D-Bus while it was down: not replaced */
		log_notice("Remote power ignored: a session started while it was held");
		return;
	}
	r = start_last_program(c, &why);
	if (r < 0)
		log_notice("Remote power ignored: %s", why.message[0] ? why.message : strerror(-r));
}

void buttons_free(struct context *c)
{
	c->remote.hold_source = sd_event_source_disable_unref(c->remote.hold_source);
	c->remote.blink_source = sd_event_source_disable_unref(c->remote.blink_source);
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
