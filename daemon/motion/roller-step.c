/* SPDX-License-Identifier: MIT */
#include "roller-step.h"

#include "macro.h"
#include "zone.h"

void roller_step_init(struct roller_step_state *st, bool open_loop)
{
	*st = (struct roller_step_state) { .open_loop = open_loop };
}

void roller_step_restart(struct roller_step_state *st)
{
	st->loop_running = false;
}

void roller_step_forget(struct roller_step_state *st)
{
	st->loop_running = st->loop_known = false;
}

static unsigned level_here(const struct roller_step_input *in)
{
	enum zone z = zone_at_mm(in->status->travel_mm, in->shoulder_mm);
	int offset = z >= 0 && z < _ZONE_MAX ? in->zone_pressure[z] : 0;

	return engine_force_level(in->step, &in->levels, offset);
}

void roller_step(struct roller_step_state *st, const struct roller_step_input *in, struct roller_setpoints *sp,
		 struct roller_step_result *ret)
{
	struct motion_levels lv = engine_levels(in->step, &in->levels);
	struct force_loop_config cfg = {
		.depth_max_mm = MIN(in->limits->depth_max_mm, ROLLER_DEPTH_MAX_MM),
		.force_max_n = in->limits->force_max_n,
		.tick_s = in->tick_s,
	};
	struct force_loop_travel travel;
	double depth;

	*ret = (struct roller_step_result) { .level = level_here(in) };
	technique_setpoints(in->technique, in->zone, &lv, in->limits, in->t_usec, sp, &ret->share_permille);
	ret->transit = engine_transit(in->zone, in->status->travel_mm, in->status->depth_mm, in->limits, sp);
	if (ret->transit) {
		st->loop_running = false;
		return;
	}
	ret->force_target_n = force_target_n(ret->level, ret->share_permille);
	if (st->open_loop)
		return;
	if (!st->loop_running) {
		if (st->loop_known)
			force_loop_restart(&st->loop, in->status->depth_mm);
		else
			force_loop_init(&st->loop, &cfg, in->status->depth_mm);
		st->loop_running = st->loop_known = true;
	}
	st->loop.cfg = cfg; /* a reload (SIGHUP) may have changed the limits mid-session */
	travel = (struct force_loop_travel) {
		.mm = in->status->travel_mm,
		.to_mm = sp->travel_target_mm,
		.speed_mm_s = sp->travel_speed,
	};
	depth = force_loop_step(&st->loop, ret->force_target_n, in->status->load_dn / 10.0, in->status->depth_mm,
				&travel);
	sp->depth_mm = force_loop_depth_register(&st->loop, depth);
}
