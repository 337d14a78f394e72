/* SPDX-License-Identifier: MIT */
#pragma once

#include "config.h"
#include "roller.h"

/* The safety gate's last word on motion (docs/safety-rules.md "limits"): every setpoint within
 * the configured track, depth, width and speed ranges, whatever produced it. */
void setpoint_limits_clamp(const struct limits_config *limits, struct roller_setpoints *sp);
