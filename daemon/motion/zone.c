/* SPDX-License-Identifier: MIT */
#include "zone.h"

#include "macro.h"

/* Zones of a seated adult relative to the shoulder line S (mm above the seat), for
 * S between about 450 and 720 mm:
 *
 *   neck        S+10 .. S+100     from the top of the shoulders to the base of the skull
 *   shoulders   S-80 .. S+20      the trapezius and the tops of the shoulder blades
 *   upper-back  0.55·S .. S-80    the thoracic back down to about T12
 *   lower-back  0.2·S .. 0.55·S   the lumbar back, never below 60 mm (pelvis, seat)
 *   back        lower-back's bottom .. shoulders' top
 *
 * Neck and shoulders sit at fixed offsets because they are measured from the shoulder
 * line itself; the boundary between upper and lower back scales with S because the
 * torso does (0.55·S is 330 mm for an average S of 600). */

#define NECK_BOTTOM_ABOVE_S 10
#define NECK_TOP_ABOVE_S 100
#define SHOULDERS_BOTTOM_ABOVE_S -80
#define SHOULDERS_TOP_ABOVE_S 20
#define MID_BACK_PERMILLE_OF_S 550
#define LOWER_BACK_PERMILLE_OF_S 200
#define LOWER_BACK_FLOOR_MM 60
/* The shortest zone a technique gets, even at the ends of the track. */
#define ZONE_MIN_SPAN_MM 40

static int mid_back_mm(int s)
{
	return s * MID_BACK_PERMILLE_OF_S / 1000;
}

static int lower_back_bottom_mm(int s)
{
	return MAX(LOWER_BACK_FLOOR_MM, s * LOWER_BACK_PERMILLE_OF_S / 1000);
}

/* The unclamped span of a zone; lo may be >= hi for absurd shoulder heights. */
static void zone_raw_span(enum zone z, int s, int *ret_lo, int *ret_hi)
{
	switch (z) {
	case ZONE_NECK:
		*ret_lo = s + NECK_BOTTOM_ABOVE_S;
		*ret_hi = s + NECK_TOP_ABOVE_S;
		return;
	case ZONE_SHOULDERS:
		*ret_lo = s + SHOULDERS_BOTTOM_ABOVE_S;
		*ret_hi = s + SHOULDERS_TOP_ABOVE_S;
		return;
	case ZONE_UPPER_BACK:
		*ret_lo = mid_back_mm(s);
		*ret_hi = s + SHOULDERS_BOTTOM_ABOVE_S;
		return;
	case ZONE_LOWER_BACK:
		*ret_lo = lower_back_bottom_mm(s);
		*ret_hi = mid_back_mm(s);
		return;
	case ZONE_BACK:
	default:
		*ret_lo = lower_back_bottom_mm(s);
		*ret_hi = s + SHOULDERS_TOP_ABOVE_S;
		return;
	}
}

/* Clamp a span to the track, widening it around its middle to the minimum span and
 * shifting it back inside the track when it sits at an end. A track shorter than
 * the minimum gives the whole track. */
static struct zone_range span_fit_track(int lo, int hi, const struct limits_config *limits)
{
	int track_min = (int)MIN(limits->track_min_mm, (unsigned)ROLLER_TRAVEL_MAX_MM);
	int track_max = (int)CLAMP(limits->track_max_mm, (unsigned)track_min, (unsigned)ROLLER_TRAVEL_MAX_MM);
	int span = MIN(ZONE_MIN_SPAN_MM, track_max - track_min);

	lo = CLAMP(lo, track_min, track_max);
	hi = CLAMP(hi, track_min, track_max);
	if (hi - lo < span) {
		int mid = lo + (hi - lo) / 2;

		lo = CLAMP(mid - span / 2, track_min, track_max - span);
		hi = lo + span;
	}
	if (hi <= lo) /* an empty track (misconfigured): the one point it has, and above */
		hi = lo + 1;
	return (struct zone_range) { .lo_mm = (unsigned)lo, .hi_mm = (unsigned)hi };
}

struct zone_range zone_to_range(enum zone z, unsigned shoulder_mm, const struct limits_config *limits)
{
	int s = (int)MIN(shoulder_mm, (unsigned)ROLLER_TRAVEL_MAX_MM * 2);
	int lo, hi;

	zone_raw_span(z, s, &lo, &hi);
	return span_fit_track(lo, hi, limits);
}

enum zone zone_at_mm(unsigned travel_mm, unsigned shoulder_mm)
{
	int s = (int)MIN(shoulder_mm, (unsigned)ROLLER_TRAVEL_MAX_MM * 2), t = (int)travel_mm;

	/* where neck and shoulders overlap, the middle of the overlap divides them */
	if (t >= s + (NECK_BOTTOM_ABOVE_S + SHOULDERS_TOP_ABOVE_S) / 2)
		return ZONE_NECK;
	if (t >= s + SHOULDERS_BOTTOM_ABOVE_S)
		return ZONE_SHOULDERS;
	if (t >= mid_back_mm(s))
		return ZONE_UPPER_BACK;
	return ZONE_LOWER_BACK;
}
