/* SPDX-License-Identifier: MIT */
#include "force-control.h"

#include <math.h>

#include "macro.h"

static const double level_force_n[FORCE_LEVELS] = { 30, 45, 60, 80, 100 };

#define DEFAULT_TICK_S 0.02
#define DEFAULT_DEPTH_SPEED_MM_S 25.0

/* The share of error / stiffness it moves each tick: below 1 so a stiffness
 * underestimated by up to ~3x still settles rather than rings. */
#define GAIN 0.6
/* The stiffness estimate's bounds, N/mm; the floor grows with the load (tissue firms up
 * as it is compressed: at least this much per N already on it). */
#define STIFFNESS_MIN_N_MM 0.5
#define STIFFNESS_MAX_N_MM 100.0
#define STIFFNESS_PER_N 0.03
/* The estimate is a least-squares fit of the load's change on the rollers' change, tick
 * by tick, the older ticks weighing less (about the last ten); it needs this much
 * movement (mm squared, e.g. four half-mm steps) before it speaks. */
#define STIFFNESS_MEMORY 0.9
#define STIFFNESS_MOVED_MM2 1.0

/* The back's own movement: smoothing (the load cell's noise over a stiffness makes it
 * jump), a bound (mm per tick), and how much of it the loop moves against. */
#define SURFACE_SMOOTHING 0.3
#define SURFACE_MAX_MM 2.0
#define SURFACE_LEAD 0.7

/* Smoothed load below this: nothing on the rollers (the load cell's noise is ~2 N). */
#define CONTACT_N 3.0
#define CONTACT_SMOOTHING 0.3
/* Without contact it goes looking for the back this fast, mm/s. */
#define APPROACH_MM_S 8.0

/* Over-force: the margin over the target, and how far past "under the target" a
 * back-off goes. The aim is capped below ForceMax by the same kind of margin. */
#define OVER_MARGIN_MIN_N 10.0
#define OVER_MARGIN_SHARE 0.2
#define BACKOFF_EXTRA_MM 0.5
#define RETURN_N_S 40.0

/* Feed-forward: how many ticks of travel ahead it looks (at 60 mm/s, 12 mm: a bony
 * spot's rise) and how far a reading may correct the depth it teaches the map, mm. */
#define AHEAD_TICKS 10
#define LEARN_CORRECTION_MAX_MM 3.0
/* How fast the offset between the map and the back now follows (a breath is seconds). */
#define OFFSET_SMOOTHING 0.7

double force_level_n(unsigned level)
{
	return level_force_n[CLAMP(level, 1u, (unsigned)FORCE_LEVELS) - 1];
}

double force_target_n(unsigned level, unsigned share_permille)
{
	double share = MIN(share_permille, 1000u) / 1000.0;

	return FORCE_LIGHT_CONTACT_N + (force_level_n(level) - FORCE_LIGHT_CONTACT_N) * share;
}

static double over_margin_n(double force_n)
{
	return MAX(OVER_MARGIN_MIN_N, OVER_MARGIN_SHARE * force_n);
}

static double tick_s(const struct force_loop *l)
{
	return l->cfg.tick_s > 0 ? l->cfg.tick_s : DEFAULT_TICK_S;
}

/* How far the board moves the depth in one tick. */
static double tick_travel_mm(const struct force_loop *l)
{
	double speed = l->cfg.depth_speed_mm_s > 0 ? l->cfg.depth_speed_mm_s : DEFAULT_DEPTH_SPEED_MM_S;

	return speed * tick_s(l);
}

static double move_toward(double from, double to, double step)
{
	if (to > from)
		return MIN(to, from + step);
	return MAX(to, from - step);
}

static double stiffness_floor(double load_n)
{
	return STIFFNESS_MIN_N_MM + STIFFNESS_PER_N * load_n;
}

static void loop_start(struct force_loop *l, const struct force_loop_config *cfg, double depth_now_mm)
{
	double depth = isfinite(depth_now_mm) ? CLAMP(depth_now_mm, 0.0, cfg->depth_max_mm) : 0.0;
	struct force_map map = l->map;
	double map_offset = l->map_offset_mm;

	*l = (struct force_loop) {
		.cfg = *cfg,
		.depth_mm = depth,
		.stiffness_n_mm = STIFFNESS_MIN_N_MM,
		.last_depth_mm = depth,
		.rollers_mm = depth,
		.register_mm = -1,
		.travel_mm = -1,
		.map_offset_mm = map_offset,
		.map = map,
	};
}

void force_loop_init(struct force_loop *l, const struct force_loop_config *cfg, double depth_now_mm)
{
	force_map_forget(&l->map);
	l->map_offset_mm = 0;
	loop_start(l, cfg, depth_now_mm);
}

void force_loop_restart(struct force_loop *l, double depth_now_mm)
{
	struct force_loop_config cfg = l->cfg;

	loop_start(l, &cfg, depth_now_mm);
}

/* Where the rollers are now: moved toward the last register value for a tick, kept
 * within the half mm the board's whole-mm reading allows. */
static void track_rollers(struct force_loop *l, double depth_read_mm)
{
	if (l->register_mm >= 0)
		l->rollers_mm = move_toward(l->rollers_mm, l->register_mm, tick_travel_mm(l));
	if (isfinite(depth_read_mm))
		l->rollers_mm = CLAMP(l->rollers_mm, depth_read_mm - 0.5, depth_read_mm + 0.5);
}

/* Forget the last reading as the fit's starting point (the load changed for a reason
 * other than depth: a spot, a tensing back). */
static void restart_fit(struct force_loop *l, double load_n)
{
	l->last_depth_mm = l->rollers_mm;
	l->last_load_n = load_n;
}

/* The rollers' half-mm steps (the board's speed, the register's rounding) keep the depth
 * moving a little all the time: enough to fit the stiffness without probing for it.
 * The back's own movement (breathing, the spine's curve) changes the load too, slowly:
 * over one tick it weighs little against a step. */
static void estimate_stiffness(struct force_loop *l, double load_n)
{
	double moved = l->rollers_mm - l->last_depth_mm;
	double grew = load_n - l->last_load_n;

	if (load_n > CONTACT_N && l->last_load_n > CONTACT_N) {
		l->fit_moved_grew = STIFFNESS_MEMORY * l->fit_moved_grew + moved * grew;
		l->fit_moved_sq = STIFFNESS_MEMORY * l->fit_moved_sq + moved * moved;
		if (l->fit_moved_sq >= STIFFNESS_MOVED_MM2)
			l->stiffness_n_mm = l->fit_moved_grew / l->fit_moved_sq;
	}
	restart_fit(l, load_n);
	l->stiffness_n_mm = CLAMP(l->stiffness_n_mm, stiffness_floor(load_n), STIFFNESS_MAX_N_MM);
}

/* How far the back came toward the rollers in the last tick (travel over the spine's
 * curve, onto a shoulder blade, breathing): the load's change the rollers' own move
 * does not explain, smoothed. The loop moves against it before the error builds up. */
static void track_surface(struct force_loop *l, double load_n)
{
	double moved = l->rollers_mm - l->prev_rollers_mm;
	double surface = (load_n - l->prev_load_n) / l->stiffness_n_mm - moved;

	if (l->contact_load_n < CONTACT_N)
		surface = 0;
	l->surface_mm += SURFACE_SMOOTHING * (CLAMP(surface, -SURFACE_MAX_MM, SURFACE_MAX_MM) - l->surface_mm);
	l->prev_rollers_mm = l->rollers_mm;
}

/* Past the target by the margin, or half way there and rising fast enough to pass it
 * (or ForceMax's margin) within two ticks. */
static bool over_force(const struct force_loop *l, double aim_n, double load_n)
{
	double rising = MAX(0.0, load_n - l->prev_load_n);

	if (load_n > aim_n + over_margin_n(aim_n))
		return true;
	if (load_n > aim_n + over_margin_n(aim_n) / 2 && load_n + 2 * rising > aim_n + over_margin_n(aim_n))
		return true;
	return load_n + 2 * rising > l->cfg.force_max_n - over_margin_n(l->cfg.force_max_n) / 2;
}

/* Where the rollers are along the track: moved toward the last travel setpoint for a
 * tick, kept within the half mm the board's whole-mm reading allows. */
static void track_travel(struct force_loop *l, const struct force_loop_travel *travel)
{
	if (!travel || !isfinite(travel->mm) || !isfinite(travel->to_mm) || !isfinite(travel->speed_mm_s)) {
		l->travel_mm = -1;
		return;
	}
	if (l->travel_mm >= 0)
		l->travel_mm = move_toward(l->travel_mm, l->travel_to_mm, l->travel_mm_s * tick_s(l));
	else
		l->travel_mm = travel->mm;
	l->travel_mm = CLAMP(l->travel_mm, travel->mm - 0.5, travel->mm + 0.5);
	l->travel_to_mm = travel->to_mm;
	l->travel_mm_s = MAX(travel->speed_mm_s, 0.0);
}

/* Where the rollers will be `ticks` readings from now. */
static double travel_ahead_mm(const struct force_loop *l, int ticks)
{
	return move_toward(l->travel_mm, l->travel_to_mm, l->travel_mm_s * tick_s(l) * ticks);
}

/* The local stiffness at the rollers now: the estimate, scaled up where the load is
 * over the aim (a spot that loads more at the same depth is stiffer by about as much). */
static double stiffness_here(const struct force_loop *l, double aim_n, double load_n)
{
	return l->stiffness_n_mm * MAX(1.0, load_n / MAX(aim_n, FORCE_LIGHT_CONTACT_N));
}

/* The depth that would give `toward` now, by the stiffness here. */
static double depth_needed_now(const struct force_loop *l, double toward_n, double load_n, double k)
{
	return l->rollers_mm + CLAMP((toward_n - load_n) / k, -LEARN_CORRECTION_MAX_MM, LEARN_CORRECTION_MAX_MM);
}

/* The map's change of the needed depth from here to the next reading; false where it
 * does not know both. */
static bool map_step(const struct force_loop *l, double aim_n, double *ret_mm)
{
	double here, next;

	if (l->travel_mm < 0 || !force_map_predict(&l->map, l->travel_mm, aim_n, &here) ||
	    !force_map_predict(&l->map, travel_ahead_mm(l, 1), aim_n, &next))
		return false;
	*ret_mm = next - here;
	return true;
}

/* How far the depth needed here now is off the map (the breath's phase when it learnt,
 * a tensing back since), a little smoothed: the load cell's noise would otherwise bias
 * the cap shallow. The map's bins under the rollers are from earlier passes
 * (force-map.h: FORCE_MAP_HOLD_MM), so this pass does not hide its own offset. */
static void track_map_offset(struct force_loop *l, double aim_n, double needed_now_mm)
{
	double here;

	if (l->travel_mm < 0 || !force_map_predict(&l->map, l->travel_mm, aim_n, &here))
		return;
	l->map_offset_mm += OFFSET_SMOOTHING * (needed_now_mm - here - l->map_offset_mm);
}

/* No deeper than lets the board get back in time to what the map predicts ahead (moved
 * by how far the back is off the map here now). */
static double ahead_cap(const struct force_loop *l, double aim_n, double depth_mm)
{
	double ahead, travel = tick_travel_mm(l);

	if (l->travel_mm < 0)
		return depth_mm;
	for (int j = 1; j <= AHEAD_TICKS; j++)
		if (force_map_predict(&l->map, travel_ahead_mm(l, j), aim_n, &ahead))
			depth_mm = MIN(depth_mm, l->map_offset_mm + ahead + travel * (j - 1));
	return depth_mm;
}

double force_loop_step(struct force_loop *l, double target_n, double load_n, double depth_mm,
		       const struct force_loop_travel *along)
{
	double travel = tick_travel_mm(l);
	double aim_max = l->cfg.force_max_n - over_margin_n(l->cfg.force_max_n);
	double aim = isfinite(target_n) ? CLAMP(target_n, 0.0, aim_max) : 0.0;
	double toward = aim, k_here, ff_mm;
	bool contact;

	if (!isfinite(load_n) || load_n < 0)
		load_n = 0;
	track_rollers(l, depth_mm);
	track_travel(l, along);
	if (!l->primed) {
		l->primed = true;
		l->prev_load_n = l->contact_load_n = load_n;
		l->prev_rollers_mm = l->rollers_mm;
		restart_fit(l, load_n);
	}
	l->contact_load_n += CONTACT_SMOOTHING * (load_n - l->contact_load_n);
	track_surface(l, load_n);
	k_here = stiffness_here(l, aim, load_n);

	contact = load_n >= CONTACT_N && l->contact_load_n >= CONTACT_N;
	if (over_force(l, aim, load_n)) {
		double cut = (load_n - aim) / k_here + BACKOFF_EXTRA_MM;

		l->depth_mm = MIN(l->depth_mm, l->rollers_mm - cut);
		l->backing_off = true;
		l->return_n = -1;
		/* the load rose without the depth: nothing to learn from */
		restart_fit(l, load_n);
	} else {
		double step;

		/* after a back-off the load falls as much with the spot passing as with the
		 * depth: learn again once back at the target */
		if (l->backing_off)
			restart_fit(l, load_n);
		else
			estimate_stiffness(l, load_n);
		if (l->backing_off) {
			/* back under the margin: climb back from the load it got to */
			if (l->return_n < 0)
				l->return_n = MIN(l->contact_load_n, aim);
			else
				l->return_n += RETURN_N_S * tick_s(l);
			if (l->return_n >= aim)
				l->backing_off = false;
			else
				toward = l->return_n;
		}
		if (!contact && toward > 0)
			step = APPROACH_MM_S * tick_s(l);
		else if (map_step(l, aim, &ff_mm)) /* the map knows the back ahead: no guessing from the last tick */
			step = CLAMP(GAIN * (toward - load_n) / l->stiffness_n_mm + ff_mm, -travel, travel);
		else
			step = CLAMP(GAIN * (toward - load_n) / l->stiffness_n_mm - SURFACE_LEAD * l->surface_mm,
				     -travel, travel);
		/* under the target it stops a retreat still under way, over it an advance */
		if (step > 0)
			l->depth_mm = MAX(l->depth_mm, l->rollers_mm) + step;
		else
			l->depth_mm = MIN(l->depth_mm, l->rollers_mm) + step;
	}
	/* no further ahead of the rollers than a tick's travel and a register step (so the
	 * whole-mm register keeps them moving at full speed): nothing to wind up */
	l->depth_mm = MIN(l->depth_mm, l->rollers_mm + travel + 1.0);
	if (contact && aim > 0) {
		double needed = depth_needed_now(l, aim, load_n, k_here);

		/* at DepthMax and still under the aim the back's place is not known: the
		 * offset stays as it was (a soft neck, where the track leaves it) */
		if (load_n >= aim || l->rollers_mm < l->cfg.depth_max_mm - 0.5)
			track_map_offset(l, aim, needed);
		l->depth_mm = ahead_cap(l, aim, l->depth_mm);
		if (l->travel_mm >= 0)
			force_map_learn(&l->map, l->travel_mm, needed, aim, k_here);
	}
	l->depth_mm = CLAMP(l->depth_mm, 0.0, l->cfg.depth_max_mm);
	l->prev_load_n = load_n;
	return l->depth_mm;
}

uint16_t force_loop_depth_register(struct force_loop *l, double depth_mm)
{
	double top = floor(MAX(l->cfg.depth_max_mm, 0.0));
	double want = (isfinite(depth_mm) ? CLAMP(depth_mm, 0.0, top) : 0.0) + l->residue_mm;
	double value = round(want);

	if (value > top || value < 0) {
		/* at a limit: no remainder banked to spend later */
		value = CLAMP(value, 0.0, top);
		l->residue_mm = 0;
	} else
		l->residue_mm = want - value;
	l->register_mm = value;
	return (uint16_t)value;
}
