/* SPDX-License-Identifier: MIT */
/* The GPIO inputs: THE EMERGENCY STOP is handled here (a press raises the "estop"
 * fault: daemon/faults.c reacts, daemon/safety.c switches everything off), the seat
 * switch (daemon/session.c pauses and ends sessions) and the remote's buttons
 * (daemon/buttons.c). On a real chair the GPIO lines report at SD_EVENT_PRIORITY_IMPORTANT
 * (drivers/gpio/gpio-lines.c): a press goes before any tick or D-Bus call. */
#include "buttons.h"
#include "faults.h"
#include "inputs.h"
#include "log.h"
#include "session.h"

void inputs_changed(void *userdata, enum chair_input input, bool active)
{
	struct context *c = userdata;

	switch (input) {
	case INPUT_ESTOP:
		if (active) {
			uint64_t t0 = monotonic_usec();

			faults_raise(c, "estop",
				     "The emergency stop is pressed: rollers and heat are off. "
				     "Release it, then clear the fault.");
			log_info("Emergency stop: safe state %llu µs after its input was seen",
				 (unsigned long long)(monotonic_usec() - t0));
		} else
			log_notice("Emergency stop released");
		break;
	case INPUT_SEAT:
		session_seat_changed(c, active);
		break;
	default:
		if (active)
			buttons_press(c, input);
		else
			buttons_release(c, input);
		break;
	}
	context_publish(c);
}

void inputs_read_at_start(struct context *c)
{
	bool pressed = false, seated = false;

	(void)c->driver->ops->get_input(c->driver, INPUT_SEAT, &seated);
	c->seated = seated;
	if (c->driver->ops->get_input(c->driver, INPUT_ESTOP, &pressed) >= 0 && pressed)
		inputs_changed(c, INPUT_ESTOP, true);
}
