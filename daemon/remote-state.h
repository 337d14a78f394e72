/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

/* The remote's state between its edges (buttons.c, buttons-profile.c): POWER pressed
 * while idle waits for its release (a start) or for the hold time (the next profile),
 * and the LED blinks the profile picked. */
struct remote_state {
	sd_event_source *hold_source; /* fires when POWER has been held for REMOTE_HOLD_USEC */
	bool power_pending;           /* POWER went down while idle, not yet released nor held long */
	sd_event_source *blink_source;
	unsigned blink_changes_left; /* LED changes still to come in the pattern */
	uint64_t blink_on_usec;      /* how long the LED stays lit in the pattern */
	bool led_on;                 /* the pattern has the LED lit now */
};
