/* SPDX-License-Identifier: MIT */
#pragma once

#include "chair-types.h"
#include "config.h"
#include "technique.h"

/* Zones are spans relative to the person's shoulder line (mm above the seat),
 * clamped to the configured track. Always returns lo < hi. */
struct zone_range zone_to_range(enum zone z, unsigned shoulder_mm, const struct limits_config *limits);
/* The zone the rollers are in at a height: neck, shoulders, upper-back or lower-back
 * (never back), the same spans as zone_to_range() before clamping. */
enum zone zone_at_mm(unsigned travel_mm, unsigned shoulder_mm);
