/* SPDX-License-Identifier: MIT */
#include "gentle.h"

#include "force-control.h"
#include "macro.h"

/* The force loop's back-off margin (force-control.c): a load this far over the target
 * is a tensing back or a bony spot, which the loop itself answers at once. */
#define LOOP_MARGIN_MIN_N 10.0
#define LOOP_MARGIN_SHARE 0.2

unsigned gentle_level_max(bool gentle)
{
	return gentle ? GENTLE_LEVEL_MAX : INTENSITY_MAX;
}

double gentle_force_target_max_n(void)
{
	return force_level_n(GENTLE_LEVEL_MAX);
}

uint16_t gentle_load_ceiling_dn(void)
{
	double f = gentle_force_target_max_n();

	return (uint16_t)((f + MAX(LOOP_MARGIN_MIN_N, LOOP_MARGIN_SHARE * f)) * 10.0 + 0.5);
}

unsigned gentle_depth_max_mm(unsigned depth_max_mm)
{
	return (depth_max_mm * GENTLE_DEPTH_PERCENT + 50) / 100;
}

uint16_t gentle_gate_depth(uint16_t asked_mm, uint16_t depth_now_mm, uint16_t load_dn, bool open_loop,
			   unsigned depth_max_mm)
{
	uint16_t depth = asked_mm;

	if (open_loop)
		depth = (uint16_t)MIN(depth, gentle_depth_max_mm(depth_max_mm));
	if (load_dn > gentle_load_ceiling_dn())
		depth = MIN(depth, depth_now_mm > 0 ? depth_now_mm - 1 : 0);
	return depth;
}

double gentle_pad_max_c(const struct massaged_config *cfg, double pad_max_c, bool gentle)
{
	return gentle ? MIN(pad_max_c, cfg->gentle_max_target_c) : pad_max_c;
}

double gentle_pads_max_c(const struct massaged_config *cfg, bool gentle)
{
	double max = cfg->max_target_c;

	for (unsigned i = 0; i < cfg->n_pads; i++)
		max = MIN(max, cfg->pads[i].max_target_c);
	return gentle_pad_max_c(cfg, max, gentle);
}

unsigned gentle_session_limit_s(unsigned limit_s, bool gentle)
{
	return gentle ? MIN(limit_s, GENTLE_SESSION_LIMIT_S) : limit_s;
}

double gentle_dose_budget_min(double budget_min, bool gentle)
{
	return gentle ? budget_min * GENTLE_DOSE_BUDGET_SHARE : budget_min;
}

unsigned gentle_lowered_intensity(unsigned intensity)
{
	return MIN(intensity, (unsigned)GENTLE_LEVEL_MAX);
}

int gentle_lowered_zone_offset(unsigned intensity, int offset)
{
	return MIN(offset, (int)GENTLE_LEVEL_MAX - (int)intensity);
}

bool gentle_technique_refused(enum technique t)
{
	return t == TECHNIQUE_DEEP || t == TECHNIQUE_PRESS;
}

bool gentle_program_capped(const struct program *p, unsigned intensity, double max_c, unsigned *ret_level)
{
	int level = (int)intensity;

	for (unsigned i = 0; i < p->n_steps; i++)
		level = MAX(level, (int)intensity + p->steps[i].depth_offset);
	*ret_level = (unsigned)CLAMP(level, INTENSITY_MIN, INTENSITY_MAX);
	return level > GENTLE_LEVEL_MAX || p->heat_target_c > max_c;
}
