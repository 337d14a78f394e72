/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Time-proportioned relay drive: a duty 0..1 becomes on-time at the start of each
 * cycle. An on- or off-time shorter than the relay's minimum is not switched; what
 * it would have delivered is carried into the next cycle, so the average power is
 * still the duty asked for. Duty 0 opens the relay at once, mid-cycle. Pure: time in,
 * relay state out, the same for a GPIO line and a Modbus coil. */

struct relay_pwm {
	double cycle_s, min_on_s, min_off_s;
	bool started;
	double cycle_start;
	double on_s;    /* on-time of this cycle */
	double carry_s; /* on-time owed (or owed back) from earlier cycles */
};

void relay_pwm_init(struct relay_pwm *p, double cycle_s, double min_on_s, double min_off_s);
/* Whether the relay is closed at t (seconds, increasing) for this duty. */
bool relay_pwm_update(struct relay_pwm *p, double t, double duty);
