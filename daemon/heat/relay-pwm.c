/* SPDX-License-Identifier: MIT */
#include <math.h>

#include "macro.h"
#include "relay-pwm.h"

void relay_pwm_init(struct relay_pwm *p, double cycle_s, double min_on_s, double min_off_s)
{
	*p = (struct relay_pwm) {
		.cycle_s = cycle_s,
		.min_on_s = fmin(min_on_s, cycle_s / 2.0),
		.min_off_s = fmin(min_off_s, cycle_s / 2.0),
	};
}

static void begin_cycle(struct relay_pwm *p, double t, double duty)
{
	double want = duty * p->cycle_s + p->carry_s;
	double on = CLAMP(want, 0.0, p->cycle_s);

	if (on < p->min_on_s)
		on = 0.0;
	else if (p->cycle_s - on < p->min_off_s)
		on = p->cycle_s;
	p->carry_s = CLAMP(want - on, -p->cycle_s, p->cycle_s);
	p->on_s = on;
	p->cycle_start = t;
}

bool relay_pwm_update(struct relay_pwm *p, double t, double duty)
{
	if (!(duty > 0.0)) {
		/* off now, owing nothing: the next heat starts a fresh cycle */
		p->started = false;
		p->carry_s = 0.0;
		return false;
	}
	if (!p->started || t < p->cycle_start) {
		p->started = true;
		p->carry_s = 0.0;
		begin_cycle(p, t, duty);
	} else if (t >= p->cycle_start + p->cycle_s) {
		/* whole cycles missed (a late tick) are not made up */
		double start = p->cycle_start + p->cycle_s * floor((t - p->cycle_start) / p->cycle_s);
		begin_cycle(p, start, duty);
	}
	return t < p->cycle_start + p->on_s;
}
