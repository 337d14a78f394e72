/* SPDX-License-Identifier: MIT */
#include "engine.h"
#include "macro.h"

bool engine_locate(const struct program *p, uint64_t pos_usec, struct program_position *ret)
{
	uint64_t start = 0, total = (uint64_t)program_duration_s(p) * USEC_PER_SEC;

	for (unsigned i = 0; i < p->n_steps; i++) {
		uint64_t len = (uint64_t)p->steps[i].duration_s * USEC_PER_SEC;

		if (pos_usec < start + len) {
			*ret = (struct program_position) {
				.step = i,
				.t_in_step_usec = pos_usec - start,
				.remaining_usec = total - pos_usec,
			};
			return true;
		}
		start += len;
	}
	return false;
}

/* The highest level this session may reach: 5, or gentle mode's cap. */
static int level_max(const struct session_levels *s)
{
	return s->level_max ? (int)MIN(s->level_max, (unsigned)INTENSITY_MAX) : INTENSITY_MAX;
}

struct motion_levels engine_levels(const struct program_step *step, const struct session_levels *s)
{
	struct motion_levels lv = {
		.intensity = (unsigned)CLAMP((int)s->intensity, INTENSITY_MIN, level_max(s)),
		.speed = s->speed,
		.width = s->width,
	};

	if (!step)
		return lv;
	if (!s->speed_chosen)
		lv.speed = step->speed;
	if (!s->width_chosen)
		lv.width = step->width;
	lv.intensity = (unsigned)CLAMP((int)s->intensity + step->depth_offset, INTENSITY_MIN, level_max(s));
	return lv;
}

unsigned engine_force_level(const struct program_step *step, const struct session_levels *s, int zone_offset)
{
	int level = (int)s->intensity + zone_offset + (step ? step->depth_offset : 0);

	return (unsigned)CLAMP(level, INTENSITY_MIN, level_max(s));
}

void engine_session_times(uint64_t session_usec, uint64_t limit_usec, uint64_t program_remaining_usec,
			  unsigned *ret_elapsed_s, unsigned *ret_remaining_s)
{
	uint64_t left = session_usec >= limit_usec ? 0 : limit_usec - session_usec;
	uint64_t total_s;

	left = MIN(left, program_remaining_usec);
	/* round up: "0 s left" only when nothing is */
	*ret_remaining_s = (unsigned)((left + USEC_PER_SEC - 1) / USEC_PER_SEC);
	/* One rounding for the session's length, whatever the fraction of the second we are
	 * in: Elapsed is that whole-second length less Remaining, so their sum does not
	 * flip between two values as the seconds tick (12:18, 12:19). It is the session's
	 * seconds or one more. */
	total_s = (session_usec + left + USEC_PER_SEC - 1) / USEC_PER_SEC;
	/* rounding up never takes Elapsed past the limit (the moment before the tick that
	 * ends the session); whole seconds really past it still show */
	total_s = MIN(total_s, MAX((limit_usec + USEC_PER_SEC - 1) / USEC_PER_SEC, session_usec / USEC_PER_SEC));
	*ret_elapsed_s = (unsigned)(total_s - *ret_remaining_s);
}

bool engine_transit(struct zone_range zone, unsigned position_mm, unsigned depth_mm, const struct limits_config *limits,
		    struct roller_setpoints *sp)
{
	if (position_mm + TRANSIT_MARGIN_MM >= zone.lo_mm && position_mm <= zone.hi_mm + TRANSIT_MARGIN_MM)
		return false;
	sp->travel_target_mm = (uint16_t)(position_mm < zone.lo_mm ? zone.lo_mm : zone.hi_mm);
	sp->travel_speed = (uint16_t)MIN(TRANSIT_SPEED_MM_S, limits->travel_speed_max);
	sp->knead_rpm = 0;
	sp->tap_rate = 0;
	sp->depth_mm = (uint16_t)MIN(sp->depth_mm, TRANSIT_DEPTH_MM);
	if (depth_mm > TRANSIT_DEPTH_MM + TRANSIT_LIFT_SLACK_MM) {
		sp->travel_target_mm = (uint16_t)position_mm;
		sp->travel_speed = 0;
	}
	return true;
}
