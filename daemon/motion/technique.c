/* SPDX-License-Identifier: MIT */
#include "technique.h"

#include "macro.h"

/* Techniques as pure functions of the time since their step started.
 *
 * Each technique describes a wish (struct motion): where the rollers should head,
 * how fast, how they knead and tap, how deep as a share of the intensity's depth
 * and how much wider or narrower than the person's width. motion_write() then clamps
 * every value to the zone, the configured limits and the board's register ranges.
 *
 * The roller board moves toward TRAVEL_TARGET at TRAVEL_SPEED by itself, so any
 * movement is a schedule of targets. Every leg of a schedule lasts long enough for
 * the rollers to cover its distance at the speed actually commanded (after clamping),
 * plus a margin for acceleration and turning; otherwise a sweep would turn before
 * reaching its end and shrink toward the middle of the zone. */

/* Share of depth_max_mm that each intensity 1..5 reaches, percent. */
static const unsigned intensity_depth_pct[INTENSITY_MAX] = { 20, 35, 50, 70, 90 };

/* Roller spacing per width, mm. */
static const unsigned width_mm_table[_WIDTH_MAX] = {
	[WIDTH_NARROW] = 80,
	[WIDTH_MEDIUM] = 120,
	[WIDTH_WIDE] = 160,
};

#define PERMILLE TECHNIQUE_SHARE_FULL_PERMILLE
#define LIGHT_PERMILLE TECHNIQUE_SHARE_MIN_PERMILLE
/* Travel legs take 10 % longer than distance / speed, plus this, so the rollers
 * arrive even if the board ramps its speed up and down. */
#define TRAVEL_MARGIN_PCT 110u
#define TRAVEL_MARGIN_USEC (200 * USEC_PER_MSEC)

/* Everything a technique needs to know, resolved once per call. */
struct motion_ctx {
	unsigned lo, hi;    /* the zone within the track, lo <= hi */
	unsigned speed;     /* 1..6 */
	unsigned depth_cmm; /* the intensity's full depth, 1/100 mm, before a technique's share */
	enum width width;
	const struct limits_config *limits;
};

/* What a technique asks for; clamped by motion_write(). */
struct motion {
	unsigned target_mm;
	unsigned travel_speed; /* mm/s */
	unsigned knead_rpm;
	bool knead_reverse;
	unsigned tap_rate;       /* taps/min */
	unsigned depth_permille; /* of the intensity's depth */
	int width_offset_mm;     /* relative to the person's width */
};

/* A position in a schedule of visits to evenly spaced points. */
struct point_visit {
	uint64_t index; /* visits since the step started */
	unsigned point_mm;
	uint64_t into_usec; /* time since this visit began (its travel included) */
};

unsigned width_to_mm(enum width w, const struct limits_config *limits)
{
	unsigned mm = width_mm_table[WIDTH_MEDIUM];

	if (w >= 0 && w < _WIDTH_MAX)
		mm = width_mm_table[w];
	mm = CLAMP(mm, ROLLER_WIDTH_MIN_MM, ROLLER_WIDTH_MAX_MM);
	return CLAMP(mm, limits->width_min_mm, limits->width_max_mm);
}

/* Linear in the speed level: `at_slowest` for speed 1, `at_fastest` for speed 6. */
static unsigned by_speed(const struct motion_ctx *c, unsigned at_slowest, unsigned at_fastest)
{
	long long span = (long long)at_fastest - (long long)at_slowest;

	return (unsigned)((long long)at_slowest + span * (c->speed - SPEED_MIN) / (SPEED_MAX - SPEED_MIN));
}

static unsigned travel_speed_limit(const struct limits_config *limits)
{
	return MIN(limits->travel_speed_max, ROLLER_TRAVEL_SPEED_MAX);
}

/* The travel speed the board will really get for a wished one. */
static unsigned commanded_travel_speed(const struct motion_ctx *c, unsigned wanted)
{
	return MIN(wanted, travel_speed_limit(c->limits));
}

/* How long a leg of `distance_mm` takes at `speed` mm/s, with margin. */
static uint64_t travel_usec(unsigned distance_mm, unsigned speed)
{
	uint64_t usec = (uint64_t)distance_mm * USEC_PER_SEC / MAX(speed, 1u);

	return usec * TRAVEL_MARGIN_PCT / 100 + TRAVEL_MARGIN_USEC;
}

static unsigned interpolate(unsigned from, unsigned to, uint64_t done, uint64_t total)
{
	if (total == 0 || done >= total)
		return to;
	return (unsigned)((long long)from + ((long long)to - (long long)from) * (long long)done / (long long)total);
}

/* A sweep between the zone's ends at `speed` (already commanded): up to hi first,
 * then down to lo, each leg long enough to arrive and rest `turn_usec` at the end.
 * Returns true while heading up. */
static bool sweep_heading_up(const struct motion_ctx *c, unsigned speed, uint64_t turn_usec, uint64_t t_usec)
{
	uint64_t leg = travel_usec(c->hi - c->lo, speed) + turn_usec;

	return (t_usec / leg) % 2 == 0;
}

/* Point i of n, evenly spaced from lo + inset to hi - inset (both included). */
static unsigned point_mm(const struct motion_ctx *c, unsigned i, unsigned n, unsigned inset_mm)
{
	unsigned lo = c->lo, hi = c->hi;

	if (hi - lo >= 2 * inset_mm) {
		lo += inset_mm;
		hi -= inset_mm;
	} else
		lo = hi = lo + (hi - lo) / 2;
	if (n <= 1)
		return lo + (hi - lo) / 2;
	return lo + (unsigned)((unsigned long long)(hi - lo) * i / (n - 1));
}

/* The widest gap between neighbouring points (they differ by rounding). */
static unsigned point_spacing(const struct motion_ctx *c, unsigned n, unsigned inset_mm)
{
	unsigned inner;

	if (n <= 1)
		return 0;
	inner = point_mm(c, n - 1, n, inset_mm) - point_mm(c, 0, n, inset_mm);
	return (inner + n - 2) / (n - 1);
}

/* Points visited up the zone and back down: 0, 1, ..., n-1, n-2, ..., 1, 0, ... so
 * every move between visits is one spacing. */
static unsigned ping_pong_index(uint64_t visit, unsigned n)
{
	uint64_t period, m;

	if (n <= 1)
		return 0;
	period = 2 * (uint64_t)(n - 1);
	m = visit % period;
	return (unsigned)(m < n ? m : period - m);
}

/* Number of points for a zone: one every `every_mm`, within [min_n, max_n]. */
static unsigned points_for_span(const struct motion_ctx *c, unsigned every_mm, unsigned min_n, unsigned max_n)
{
	unsigned n = (c->hi - c->lo) / every_mm + 1;

	return CLAMP(n, min_n, max_n);
}

/* Which point the rollers visit at t, when each visit is `slot_usec` long. */
static void point_visit_at(const struct motion_ctx *c, unsigned n, unsigned inset_mm, uint64_t slot_usec,
			   uint64_t t_usec, struct point_visit *ret)
{
	slot_usec = MAX(slot_usec, 1u);
	ret->index = t_usec / slot_usec;
	ret->into_usec = t_usec % slot_usec;
	ret->point_mm = point_mm(c, ping_pong_index(ret->index, n), n, inset_mm);
}

/* Depth share of a press-and-release point: light while travelling to the point,
 * ramping to full, holding, ramping back to light before the next move. */
static unsigned press_release_depth(uint64_t into, uint64_t move, uint64_t ramp, uint64_t hold, unsigned light,
				    unsigned full)
{
	if (into < move)
		return light;
	into -= move;
	if (into < ramp)
		return interpolate(light, full, into, ramp);
	into -= ramp;
	if (into < hold)
		return full;
	return interpolate(full, light, into - hold, ramp);
}

/* glide — long Swedish strokes: continuous sweeps over the whole zone at a moderate
 * speed (30..80 mm/s), light pressure that is a little firmer on the upward stroke
 * (toward the heart), slow gentle kneading, no tapping, rollers a bit wider. */
static void technique_glide(const struct motion_ctx *c, uint64_t t, struct motion *m)
{
	unsigned speed = commanded_travel_speed(c, by_speed(c, 30, 80));
	bool up = sweep_heading_up(c, speed, 300 * USEC_PER_MSEC, t);

	m->target_mm = up ? c->hi : c->lo;
	m->travel_speed = speed;
	m->knead_rpm = by_speed(c, 5, 15);
	m->depth_permille = up ? 450 : 300;
	m->width_offset_mm = 20;
}

/* deep — slow deep strokes: sweeps like glide at half its speed, full pressure for
 * the intensity both ways, slow kneading working into the tissue, a longer rest at
 * each end. */
static void technique_deep(const struct motion_ctx *c, uint64_t t, struct motion *m)
{
	unsigned speed = commanded_travel_speed(c, by_speed(c, 15, 40));
	bool up = sweep_heading_up(c, speed, 1 * USEC_PER_SEC, t);

	m->target_mm = up ? c->hi : c->lo;
	m->travel_speed = speed;
	m->knead_rpm = by_speed(c, 8, 18);
	m->depth_permille = PERMILLE;
}

/* tap — percussion: a slow sweep over the zone (10..20 mm/s) while tapping at
 * 120..720 taps/min, no kneading, moderate depth so the taps land firmly. */
static void technique_tap(const struct motion_ctx *c, uint64_t t, struct motion *m)
{
	unsigned speed = commanded_travel_speed(c, by_speed(c, 10, 20));
	bool up = sweep_heading_up(c, speed, 500 * USEC_PER_MSEC, t);

	m->target_mm = up ? c->hi : c->lo;
	m->travel_speed = speed;
	m->tap_rate = by_speed(c, 120, 720);
	m->depth_permille = 550;
}

/* knead — dwells at 3..5 points across the zone (8..3 s each, up the zone and back),
 * kneading at 15..60 rpm and reversing direction at every dwell, medium-firm depth.
 * Kneading continues during the short moves between points. */
static void technique_knead(const struct motion_ctx *c, uint64_t t, struct motion *m)
{
	unsigned n = points_for_span(c, 60, 3, 5);
	unsigned inset = (c->hi - c->lo) / (2 * n);
	unsigned speed = commanded_travel_speed(c, by_speed(c, 30, 60));
	uint64_t move = travel_usec(point_spacing(c, n, inset), speed);
	uint64_t dwell = by_speed(c, 8000, 3000) * USEC_PER_MSEC;
	struct point_visit v;

	point_visit_at(c, n, inset, move + dwell, t, &v);
	m->target_mm = v.point_mm;
	m->travel_speed = speed;
	m->knead_rpm = by_speed(c, 15, 60);
	m->knead_reverse = v.index % 2 == 1;
	m->depth_permille = 700;
}

/* shiatsu — press-and-release points every ~40 mm, stepping up the zone and back:
 * travel light, press in over 1 s to the intensity's full depth, hold 4..2 s,
 * release over 1 s, next point. No kneading or tapping: pressure only. */
static void technique_shiatsu(const struct motion_ctx *c, uint64_t t, struct motion *m)
{
	unsigned n = points_for_span(c, 40, 2, 16);
	unsigned inset = (c->hi - c->lo) / (2 * n);
	unsigned speed = commanded_travel_speed(c, by_speed(c, 30, 60));
	uint64_t move = travel_usec(point_spacing(c, n, inset), speed);
	uint64_t ramp = 1 * USEC_PER_SEC;
	uint64_t hold = by_speed(c, 4000, 2000) * USEC_PER_MSEC;
	struct point_visit v;

	point_visit_at(c, n, inset, move + 2 * ramp + hold, t, &v);
	m->target_mm = v.point_mm;
	m->travel_speed = speed;
	m->depth_permille = press_release_depth(v.into_usec, move, ramp, hold, LIGHT_PERMILLE, PERMILLE);
	m->width_offset_mm = -10;
}

/* press — held trigger-point pressure at 2..6 points: travel light, press in over
 * 2 s, hold full depth for 30..16 s with a very slow knead (2..6 rpm), release over
 * 2 s, next point. Narrower rollers to focus the pressure. */
static void technique_press(const struct motion_ctx *c, uint64_t t, struct motion *m)
{
	unsigned n = points_for_span(c, 80, 2, 6);
	unsigned inset = (c->hi - c->lo) / (2 * n);
	unsigned speed = commanded_travel_speed(c, by_speed(c, 20, 40));
	uint64_t move = travel_usec(point_spacing(c, n, inset), speed);
	uint64_t ramp = 2 * USEC_PER_SEC;
	uint64_t hold = by_speed(c, 30000, 16000) * USEC_PER_MSEC;
	struct point_visit v;
	bool holding;

	point_visit_at(c, n, inset, move + 2 * ramp + hold, t, &v);
	holding = v.into_usec >= move + ramp && v.into_usec < move + ramp + hold;
	m->target_mm = v.point_mm;
	m->travel_speed = speed;
	m->knead_rpm = holding ? by_speed(c, 2, 6) : 0;
	m->depth_permille = press_release_depth(v.into_usec, move, ramp, hold, LIGHT_PERMILLE, PERMILLE);
	m->width_offset_mm = -20;
}

#define FRICTION_AMPLITUDE_MM 12u
#define FRICTION_POINT_EVERY_MM 30u
#define FRICTION_LEGS_PER_POINT 8u

/* friction — small fast circles: fast kneading (30..60 rpm) while the rollers rub
 * ±12 mm up and down around a point (30..80 mm/s), the point advancing ~30 mm every
 * few seconds up the zone and back. A visit's first leg also steps over from the
 * previous point, so it is given time for the longer way. */
static void technique_friction(const struct motion_ctx *c, uint64_t t, struct motion *m)
{
	unsigned amplitude = MIN(FRICTION_AMPLITUDE_MM, (c->hi - c->lo) / 2);
	unsigned n = points_for_span(c, FRICTION_POINT_EVERY_MM, 1, 64);
	unsigned speed = commanded_travel_speed(c, by_speed(c, 30, 80));
	uint64_t step_leg = travel_usec(point_spacing(c, n, amplitude) + 2 * amplitude, speed);
	uint64_t rub_leg = travel_usec(2 * amplitude, speed);
	struct point_visit v;
	bool upper = true;

	point_visit_at(c, n, amplitude, step_leg + (FRICTION_LEGS_PER_POINT - 1) * rub_leg, t, &v);
	if (v.into_usec >= step_leg)
		upper = ((v.into_usec - step_leg) / rub_leg) % 2 == 1;
	m->target_mm = upper ? v.point_mm + amplitude : v.point_mm - amplitude;
	m->travel_speed = speed;
	m->knead_rpm = by_speed(c, 30, 60);
	m->depth_permille = 600;
}

static void motion_ctx_init(struct motion_ctx *c, struct zone_range zone, const struct motion_levels *levels,
			    const struct limits_config *limits)
{
	unsigned track_min = MIN(limits->track_min_mm, ROLLER_TRAVEL_MAX_MM);
	unsigned track_max = CLAMP(limits->track_max_mm, track_min, ROLLER_TRAVEL_MAX_MM);
	unsigned intensity = CLAMP(levels->intensity, INTENSITY_MIN, INTENSITY_MAX);
	unsigned depth_max = MIN(limits->depth_max_mm, ROLLER_DEPTH_MAX_MM);

	c->lo = CLAMP(MIN(zone.lo_mm, zone.hi_mm), track_min, track_max);
	c->hi = CLAMP(MAX(zone.lo_mm, zone.hi_mm), track_min, track_max);
	c->speed = CLAMP(levels->speed, SPEED_MIN, SPEED_MAX);
	c->depth_cmm = depth_max * intensity_depth_pct[intensity - 1];
	c->width = levels->width;
	c->limits = limits;
}

static unsigned width_with_offset(const struct motion_ctx *c, int offset_mm)
{
	long long mm = (long long)width_to_mm(c->width, c->limits) + offset_mm;
	unsigned lo = MAX(c->limits->width_min_mm, ROLLER_WIDTH_MIN_MM);
	unsigned hi = MIN(c->limits->width_max_mm, ROLLER_WIDTH_MAX_MM);

	return (unsigned)CLAMP(mm, (long long)lo, (long long)hi);
}

/* The one place values reach the registers: everything clamped to the zone, the
 * configured limits and the board's ranges. */
static void motion_write(const struct motion_ctx *c, const struct motion *m, struct roller_setpoints *ret)
{
	const struct limits_config *l = c->limits;
	unsigned depth = (c->depth_cmm * MIN(m->depth_permille, PERMILLE) + 50 * PERMILLE) / (100 * PERMILLE);

	ret->travel_target_mm = (uint16_t)CLAMP(m->target_mm, c->lo, c->hi);
	ret->travel_speed = (uint16_t)MIN(m->travel_speed, travel_speed_limit(l));
	ret->knead_rpm = (uint16_t)MIN(m->knead_rpm, MIN(l->knead_speed_max, ROLLER_KNEAD_RPM_MAX));
	ret->knead_reverse = m->knead_reverse ? 1 : 0;
	ret->tap_rate = (uint16_t)MIN(m->tap_rate, MIN(l->tap_rate_max, ROLLER_TAP_RATE_MAX));
	ret->depth_mm = (uint16_t)MIN(depth, MIN(l->depth_max_mm, ROLLER_DEPTH_MAX_MM));
	ret->width_mm = (uint16_t)width_with_offset(c, m->width_offset_mm);
}

typedef void (*technique_fn)(const struct motion_ctx *c, uint64_t t_usec, struct motion *m);

static const technique_fn technique_table[_TECHNIQUE_MAX] = {
	[TECHNIQUE_KNEAD] = technique_knead,       [TECHNIQUE_TAP] = technique_tap,
	[TECHNIQUE_GLIDE] = technique_glide,       [TECHNIQUE_SHIATSU] = technique_shiatsu,
	[TECHNIQUE_FRICTION] = technique_friction, [TECHNIQUE_PRESS] = technique_press,
	[TECHNIQUE_DEEP] = technique_deep,
};

void technique_setpoints(enum technique t, struct zone_range zone, const struct motion_levels *levels,
			 const struct limits_config *limits, uint64_t t_usec, struct roller_setpoints *ret,
			 unsigned *ret_share_permille)
{
	struct motion_ctx c;
	struct motion m = { 0 };

	motion_ctx_init(&c, zone, levels, limits);
	if (t >= 0 && t < _TECHNIQUE_MAX)
		technique_table[t](&c, t_usec, &m);
	else {
		/* Unknown technique: hold still and light in the middle of the zone. */
		m.target_mm = c.lo + (c.hi - c.lo) / 2;
		m.depth_permille = 0;
	}
	motion_write(&c, &m, ret);
	if (ret_share_permille)
		*ret_share_permille = MIN(m.depth_permille, PERMILLE);
}
