/* SPDX-License-Identifier: MIT */
#include "setpoint-limits.h"
#include "macro.h"

static uint16_t clamp_u16(uint16_t v, unsigned lo, unsigned hi)
{
	return (uint16_t)CLAMP((unsigned)v, lo, hi);
}

void setpoint_limits_clamp(const struct limits_config *l, struct roller_setpoints *sp)
{
	sp->travel_target_mm =
		clamp_u16(sp->travel_target_mm, l->track_min_mm, MIN(l->track_max_mm, ROLLER_TRAVEL_MAX_MM));
	sp->travel_speed = clamp_u16(sp->travel_speed, 0, MIN(l->travel_speed_max, ROLLER_TRAVEL_SPEED_MAX));
	sp->knead_rpm = clamp_u16(sp->knead_rpm, 0, MIN(l->knead_speed_max, ROLLER_KNEAD_RPM_MAX));
	sp->knead_reverse = sp->knead_reverse ? 1 : 0;
	sp->tap_rate = clamp_u16(sp->tap_rate, 0, MIN(l->tap_rate_max, ROLLER_TAP_RATE_MAX));
	sp->depth_mm = clamp_u16(sp->depth_mm, 0, MIN(l->depth_max_mm, ROLLER_DEPTH_MAX_MM));
	sp->width_mm = clamp_u16(sp->width_mm, MAX(l->width_min_mm, ROLLER_WIDTH_MIN_MM),
				 MIN(l->width_max_mm, ROLLER_WIDTH_MAX_MM));
	sp->watchdog_ms = clamp_u16(sp->watchdog_ms, 0, ROLLER_WATCHDOG_MAX_MS);
}
