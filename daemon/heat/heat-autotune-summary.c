/* SPDX-License-Identifier: MIT */
/* An autotune result as the journal tells it (heat-autotune-summary.h). */
#include <stdio.h>

#include "heat-autotune-summary.h"

int heat_autotune_summary(const struct heat_tuning *t, char *buf, size_t size)
{
	const struct heat_model *m = &t->model;
	char why[HEAT_PLAUSIBLE_WHY_MAX];
	double rise = m->gain_c * m->loss_s / m->couple_s;
	int r, n;

	r = heat_model_plausible(m, 0.0, why, sizeof(why));
	n = snprintf(buf, size,
		     "at full power the stone would settle at %.1f °C, %.1f °C over its unheated %.1f °C, "
		     "warming at most %.2f °C/s; time constants: element %.0f s, stone %.0f s from the element "
		     "and %.0f s cooling, sensor lag %.1f s; fit within %.2f °C",
		     m->sink_c + rise, rise, m->sink_c, heat_model_full_rate(m), m->element_s, m->couple_s, m->loss_s,
		     m->sensor_s, t->fit_rms_c);
	if (r < 0 && n >= 0 && (size_t)n < size)
		(void)snprintf(buf + n, size - (size_t)n, "; IMPLAUSIBLE, not a pad: %s", why);
	return r;
}
