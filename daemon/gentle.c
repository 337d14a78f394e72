/* SPDX-License-Identifier: MIT */
#include "gentle.h"

#include "force-control.h"
#include "macro.h"

/* The force loop's back-off margin (force-control.c): a load this far over the target
 * is a tensing back or a bony spot, which the loop itself answers at once. */
#define LOOP_MARGIN_MIN_N 10.0
#define LOOP_MARGIN_SHARE 0.2
/* The gate steps back from a quarter of that margin on (63 N): the rollers retract at
 * the board's 25 mm/s, and a spinous process rising under a deep stroke passes the
 * point where they begin by up to ~9 N before they are clear of it (measured: from
 * 66 N the peak reached 73.6 N at 5x chair time, from 63 N 69.0 N). */
#define GATE_SHARE_OF_MARGIN 0.25

unsigned gentle_level_max(bool gentle)
{
	return gentle ? GENTLE_LEVEL_MAX : INTENSITY_MAX;
}

double gentle_force_target_max_n(void)
{
	return force_level_n(GENTLE_LEVEL_MAX);
}

double gentle_force_max_n(void)
{
	double f = gentle_force_target_max_n();

	return f + MAX(LOOP_MARGIN_MIN_N, LOOP_MARGIN_SHARE * f);
}

uint16_t gentle_load_ceiling_dn(void)
{
	double f = gentle_force_target_max_n();

	return (uint16_t)((f + GATE_SHARE_OF_MARGIN * (gentle_force_max_n() - f)) * 10.0 + 0.5);
}

unsigned gentle_depth_max_mm(unsigned depth_max_mm)
{
	return (depth_max_mm * GENTLE_DEPTH_PERCENT + 50) / 100;
}

void gentle_gate(struct roller_setpoints *sp, const struct roller_status *now, bool open_loop, unsigned depth_max_mm)
{
	if (open_loop)
		sp->depth_mm = (uint16_t)MIN(sp->depth_mm, gentle_depth_max_mm(depth_max_mm));
	if (now->load_dn > gentle_load_ceiling_dn()) {
		sp->depth_mm = MIN(sp->depth_mm, now->depth_mm > 0 ? now->depth_mm - 1 : 0);
		sp->travel_speed = MIN(sp->travel_speed, GENTLE_GATE_TRAVEL_MM_S);
	}
}

double gentle_pad_max_c(const struct massaged_config *cfg, double pad_max_c, bool gentle)
{
	return gentle ? MIN(pad_max_c, cfg->gentle_max_target_c) : pad_max_c;
}

double gentle_pad_target_max_c(const struct massaged_config *cfg, double pad_max_c, bool gentle)
{
	return gentle ? MIN(pad_max_c, cfg->gentle_max_target_c - GENTLE_STONE_MARGIN_C) : pad_max_c;
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
