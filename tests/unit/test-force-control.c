/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "check-tap.h"
#include "force-control.h"
#include "macro.h"
#include "roller.h"
#include "sim/sim-body.h"

/* The force loop against the simulator's bodies (drivers/sim/sim-body.c), the roller
 * board modelled as the simulated chair has it: the depth moves toward the register at
 * 25 mm/s, one 20 ms control tick per step, the load read is the body's force there
 * plus the load cell's noise. Beside the loop runs an ideal one that knows the body,
 * the breath and where the rollers go next, commands any fraction of a mm and is held
 * back only by the board's speed and 0..DepthMax: where even it cannot follow the
 * target (a sweep faster than the board can follow a bony back), the loop is measured
 * against it rather than against a figure no loop could reach. */

#define TICK_S 0.02
#define BOARD_MM_S 25.0 /* drivers/sim/sim-chair.c DEPTH_SPEED_MM_S */
#define FORCE_MAX_N 150.0
#define DEPTH_MAX_MM 40.0 /* [Limits] DepthMax's default */
#define BACK_BOTTOM_MM (-450.0)
#define BACK_TOP_MM 60.0
#define SCAPULA_MM (-60.0)
#define SHOULDER_MM 600.0 /* the shoulder line on the track: travel = SHOULDER_MM + rel */

static const char *const body_names[] = { "average", "slim-bony", "large-soft", "elderly" };
#define N_BODIES ELEMENTSOF(body_names)

struct param {
	const char *name;
	double value;
};

/* The shipped bodies (docs: the four presets), breathing and bony spots on. */
static void body_preset(size_t i, struct sim_body *b)
{
	static const struct param slim[] = {
		{ "StiffnessNeck", 2.0 },      { "StiffnessShoulders", 3.5 },
		{ "StiffnessUpperBack", 4.0 }, { "StiffnessLowerBack", 3.0 },
		{ "StiffeningPerMm", 0.09 },   { "Contour", 4 },
		{ "BonyStiffness", 5 },        { "Weight", 8 },
		{ "Breathing", 2.5 },          { "BreathingPeriod", 4 },
	};
	static const struct param large[] = {
		{ "StiffnessNeck", 0.8 },
		{ "StiffnessShoulders", 1.3 },
		{ "StiffnessUpperBack", 1.4 },
		{ "StiffnessLowerBack", 1.1 },
		{ "StiffeningPerMm", 0.045 },
		{ "Contour", 10 },
		{ "BonyStiffness", 1.8 },
		{ "Weight", 20 },
		{ "Breathing", 3 },
		{ "BreathingPeriod", 5 },
	};
	static const struct param elderly[] = {
		{ "StiffnessNeck", 1.0 },      { "StiffnessShoulders", 1.6 },
		{ "StiffnessUpperBack", 1.8 }, { "StiffnessLowerBack", 1.4 },
		{ "StiffeningPerMm", 0.12 },   { "Contour", 9 },
		{ "BonyStiffness", 6 },        { "Weight", 9 },
		{ "Breathing", 1.5 },          { "BreathingPeriod", 3.5 },
	};
	static const struct {
		const struct param *p;
		size_t n;
	} presets[N_BODIES] = {
		{ NULL, 0 },
		{ slim, ELEMENTSOF(slim) },
		{ large, ELEMENTSOF(large) },
		{ elderly, ELEMENTSOF(elderly) },
	};

	sim_body_default(b);
	for (size_t k = 0; k < presets[i].n; k++)
		ck_assert_int_eq(sim_body_set(b, presets[i].p[k].name, presets[i].p[k].value), 0);
}

/* The depth at which the body gives force_n at rel_mm and t_s (any depth, even
 * outside 0..DepthMax). */
static double depth_for_force(const struct sim_body *b, double rel_mm, double t_s, double force_n)
{
	double lo = -30, hi = 90;

	for (int i = 0; i < 40; i++) {
		double mid = (lo + hi) / 2;

		if (sim_body_force_n(b, rel_mm, mid, t_s) < force_n)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static double move_toward(double from, double to, double step)
{
	return to > from ? MIN(to, from + step) : MAX(to, from - step);
}

/* The load cell's noise: xorshift64 and Box-Muller, seeded per body. */
static double uniform(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return ((*s >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(uint64_t *s)
{
	double u = uniform(s), v = uniform(s);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

struct chair {
	struct sim_body body;
	double depth_mm, rel_mm, t_s;
	double target_n; /* this tick's */
	double ideal_mm; /* the ideal loop's depth */
	uint64_t rng;
	double to_mm, mm_s; /* where the rollers travel, how fast (0: they stay) */
	struct force_loop loop;
	double commanded_mm;
	uint16_t reg;
};

static void chair_init(struct chair *c, size_t body, double rel_mm, double depth_max_mm)
{
	struct force_loop_config cfg = {
		.depth_max_mm = depth_max_mm,
		.force_max_n = FORCE_MAX_N,
		.tick_s = TICK_S,
	};

	*c = (struct chair) { .rel_mm = rel_mm, .rng = 0x9e3779b97f4a7c15ULL + body };
	body_preset(body, &c->body);
	force_loop_init(&c->loop, &cfg, 0);
}

static double chair_force_n(const struct chair *c)
{
	return sim_body_force_n(&c->body, c->rel_mm, c->depth_mm, c->t_s);
}

static double chair_read_n(struct chair *c)
{
	double load = chair_force_n(c) + c->body.noise_n * gaussian(&c->rng);

	return round(CLAMP(load, 0.0, (double)ROLLER_LOAD_RANGE_N) * 10.0) / 10.0;
}

/* One control tick at the rollers' height now: read, step the loop, write the
 * register, let the board move for a tick. Returns the load read. */
static double chair_tick(struct chair *c, double target_n)
{
	double load = chair_read_n(c), want;
	struct force_loop_travel travel = {
		.mm = round(SHOULDER_MM + c->rel_mm),
		.to_mm = SHOULDER_MM + (c->mm_s > 0 ? c->to_mm : c->rel_mm),
		.speed_mm_s = c->mm_s,
	};

	c->commanded_mm = force_loop_step(&c->loop, target_n, load, round(c->depth_mm), &travel);
	c->reg = force_loop_depth_register(&c->loop, c->commanded_mm);
	ck_assert_double_le(c->commanded_mm, c->loop.cfg.depth_max_mm);
	ck_assert_double_ge(c->commanded_mm, 0);
	ck_assert_uint_le(c->reg, (unsigned)c->loop.cfg.depth_max_mm);
	c->depth_mm = move_toward(c->depth_mm, c->reg, BOARD_MM_S * TICK_S);
	c->t_s += TICK_S;
	c->target_n = target_n;
	want = CLAMP(depth_for_force(&c->body, c->rel_mm, c->t_s, target_n), 0.0, c->loop.cfg.depth_max_mm);
	c->ideal_mm = move_toward(c->ideal_mm, want, BOARD_MM_S * TICK_S);
	return load;
}

/* The force after a tick, measured: RMS error over the steady parts, time over the
 * over-force margin and over ForceMax. */
struct tally {
	double sum_sq, n;
	double peak_n;
	double max_run_s, over_max_s;       /* above ForceMax: now, longest */
	double margin_run_s, over_margin_s; /* above the target's margin: now, longest */
	double margin_all_s;
};

struct figures {
	struct tally loop, ideal;
};

static double over_margin_n(double target_n)
{
	return MAX(10.0, 0.2 * target_n);
}

static double tally_rms_percent(const struct tally *f)
{
	return f->n > 0 ? 100.0 * sqrt(f->sum_sq / f->n) : 0;
}

/* over_margin counted only where the body gives less than it at depth 0 */
static void tally_add(struct tally *f, double force_n, double target_n, bool steady, bool can_margin)
{
	bool over_margin = can_margin && force_n > target_n + over_margin_n(target_n);

	if (steady) {
		f->sum_sq += (force_n - target_n) * (force_n - target_n) / (target_n * target_n);
		f->n++;
	}
	f->peak_n = MAX(f->peak_n, force_n);
	f->max_run_s = force_n > FORCE_MAX_N ? f->max_run_s + TICK_S : 0;
	f->over_max_s = MAX(f->over_max_s, f->max_run_s);
	f->margin_run_s = over_margin ? f->margin_run_s + TICK_S : 0;
	f->over_margin_s = MAX(f->over_margin_s, f->margin_run_s);
	f->margin_all_s += over_margin ? TICK_S : 0;
}

static void figures_add(struct figures *f, const struct chair *c, bool steady)
{
	double target = c->target_n;
	/* a target the body cannot give within 0..DepthMax (a bulge pressing harder at
	 * depth 0, a soft back at DepthMax) is no measure of either loop */
	double at_zero = sim_body_force_n(&c->body, c->rel_mm, 0, c->t_s);
	bool reachable =
		at_zero <= target && sim_body_force_n(&c->body, c->rel_mm, c->loop.cfg.depth_max_mm, c->t_s) >= target;
	bool can_margin = at_zero <= target + over_margin_n(target);

	tally_add(&f->loop, chair_force_n(c), target, steady && reachable, can_margin);
	tally_add(&f->ideal, sim_body_force_n(&c->body, c->rel_mm, c->ideal_mm, c->t_s), target, steady && reachable,
		  can_margin);
}

/* Holds the rollers' height for `s` seconds, the target constant; steady after settle_s. */
static void dwell(struct chair *c, struct figures *f, double target_n, double s, double settle_s)
{
	for (double t = 0; t < s; t += TICK_S) {
		chair_tick(c, target_n);
		figures_add(f, c, t >= settle_s);
	}
}

/* Travels to rel_mm at mm_s; the target the share of a level, or two shares (up,
 * down) like glide's strokes: all of it steady. */
static void sweep(struct chair *c, struct figures *f, double up_n, double down_n, double to_mm, double mm_s)
{
	double target = to_mm > c->rel_mm ? up_n : down_n;

	c->to_mm = to_mm;
	c->mm_s = mm_s;
	while (fabs(c->rel_mm - to_mm) > 1e-9) {
		c->rel_mm = move_toward(c->rel_mm, to_mm, mm_s * TICK_S);
		chair_tick(c, target);
		figures_add(f, c, true);
	}
	c->mm_s = 0;
}

/* A press: from light contact up to the target over ramp_s, then held. */
static void press(struct chair *c, struct figures *f, double target_n, double ramp_s, double hold_s)
{
	for (double t = 0; t < ramp_s; t += TICK_S) {
		chair_tick(c, FORCE_LIGHT_CONTACT_N + (target_n - FORCE_LIGHT_CONTACT_N) * t / ramp_s);
		figures_add(f, c, false);
	}
	dwell(c, f, target_n, hold_s, 0.5);
}

START_TEST(test_levels)
{
	static const double want[] = { 30, 30, 45, 60, 80, 100, 100 };

	for (unsigned level = 0; level <= 6; level++)
		ck_assert_double_eq(force_level_n(level), want[level]);
	for (unsigned level = 1; level <= FORCE_LEVELS; level++) {
		ck_assert_double_eq(force_target_n(level, 1000), force_level_n(level));
		ck_assert_double_eq(force_target_n(level, 5000), force_level_n(level));
		ck_assert_double_eq(force_target_n(level, 0), FORCE_LIGHT_CONTACT_N);
		/* a technique's shape survives: a firmer share is a firmer force, at every level */
		for (unsigned share = 250; share < 1000; share += 50) {
			ck_assert_double_gt(force_target_n(level, share + 50), force_target_n(level, share));
			ck_assert_double_gt(force_target_n(level, share), FORCE_LIGHT_CONTACT_N);
			if (level > 1)
				ck_assert_double_gt(force_target_n(level, share), force_target_n(level - 1, share));
		}
	}
}
END_TEST

/* Within 10 % RMS, or within 10 points of the ideal loop where even it cannot do 10 %. */
static bool rms_ok(const struct figures *f)
{
	return tally_rms_percent(&f->loop) <= MAX(10.0, tally_rms_percent(&f->ideal) + 10.0);
}

/* Above ForceMax never; where even the ideal comes within 10 % of it (a bony spot
 * faster than the board), no longer than the safety rule's 100 ms: the loop sees the
 * spot a tick later than the ideal and its steps are half a mm, 10..30 N on bone. */
static bool force_max_ok(const struct figures *f)
{
	if (f->loop.peak_n <= FORCE_MAX_N)
		return true;
	return f->ideal.peak_n > 0.9 * FORCE_MAX_N && f->loop.over_max_s <= 0.1 + 1e-9;
}

/* Every body at levels 1, 3, 5: a press (ramp, hold) low on the back, then the whole
 * back up and down at 20, 40 and 60 mm/s at the level's force (deep's strokes, and
 * faster), with dwells at the ends, then glide's strokes at 60 mm/s (450 ‰ up, 300 ‰
 * down). The press holds within 10 % RMS, the 20 mm/s sweeps too; faster ones within
 * 10 % or 10 points of the ideal. Never above ForceMax (but see force_max_ok()). */
START_TEST(test_bodies_follow_target)
{
	static const unsigned levels[] = { 1, 3, 5 };
	static const double speeds[] = { 20, 40, 60 };
	bool ok = true;

	printf("# RMS error, %% of target (the ideal's in brackets): press hold | sweeps at 20, 40, 60 mm/s"
	       " | glide 60 mm/s; peak N, longest above 150 N\n");
	for (size_t b = 0; b < N_BODIES; b++)
		for (size_t i = 0; i < ELEMENTSOF(levels); i++) {
			double level = force_level_n(levels[i]);
			struct figures hold = { 0 }, moving[ELEMENTSOF(speeds)] = { 0 }, glide = { 0 };
			double peak, over_max;
			struct chair c;

			chair_init(&c, b, BACK_BOTTOM_MM, DEPTH_MAX_MM);
			press(&c, &hold, level, 2.0, 6.0);
			bool good = tally_rms_percent(&hold.loop) <= 10 && force_max_ok(&hold);

			ok = ok && good;
			peak = hold.loop.peak_n;
			over_max = hold.loop.over_max_s;
			printf("# %-10s %3.0f N: %4.1f (%4.1f)%s |", body_names[b], level,
			       tally_rms_percent(&hold.loop), tally_rms_percent(&hold.ideal), good ? "" : "!");
			for (size_t v = 0; v < ELEMENTSOF(speeds); v++) {
				struct figures *f = &moving[v];

				sweep(&c, f, level, level, BACK_TOP_MM, speeds[v]);
				dwell(&c, f, level, 1.0, 0);
				sweep(&c, f, level, level, BACK_BOTTOM_MM, speeds[v]);
				dwell(&c, f, level, 1.0, 0);
				good = (v == 0 ? tally_rms_percent(&f->loop) <= 10 : rms_ok(f)) && force_max_ok(f);
				ok = ok && good;
				peak = MAX(peak, f->loop.peak_n);
				over_max = MAX(over_max, f->loop.over_max_s);
				printf(" %4.1f (%4.1f)%s", tally_rms_percent(&f->loop), tally_rms_percent(&f->ideal),
				       good ? "" : "!");
			}
			for (int stroke = 0; stroke < 2; stroke++) {
				sweep(&c, &glide, force_target_n(levels[i], 450), force_target_n(levels[i], 300),
				      BACK_TOP_MM, 60);
				sweep(&c, &glide, force_target_n(levels[i], 450), force_target_n(levels[i], 300),
				      BACK_BOTTOM_MM, 60);
			}
			good = rms_ok(&glide) && force_max_ok(&glide);
			ok = ok && good;
			peak = MAX(peak, glide.loop.peak_n);
			printf(" | %4.1f (%4.1f)%s; %5.1f N, %3.0f ms (%5.1f N)\n", tally_rms_percent(&glide.loop),
			       tally_rms_percent(&glide.ideal), good ? "" : "!", peak, 1000 * over_max,
			       MAX(moving[2].ideal.peak_n, moving[1].ideal.peak_n));
		}
	fflush(stdout);
	ck_assert_msg(ok, "a body/level off its target (see the table)");
}
END_TEST

/* What a tensing back does to the loop, measured from the instant Tension changes. */
struct tensing {
	double backoff_s; /* until the commanded depth is below where it was */
	double falling_s; /* until the load read is falling */
	double back_in_s; /* until the force is back within the over-force margin */
	double board_s;   /* what the board needs at full speed to bring it under ForceMax */
	struct figures f;
};

/* A press to the level's force at rel_mm, held; then the back tenses by `factor`, at
 * once (ramp_s 0) or over ramp_s; followed for follow_s. */
static struct tensing tense(size_t body, unsigned level, double rel_mm, double factor, double ramp_s, double follow_s)
{
	double target = force_level_n(level);
	struct tensing r = { .backoff_s = -1, .falling_s = -1, .back_in_s = -1 };
	double before_mm, last_load;
	struct sim_body tensed;
	struct chair c;

	chair_init(&c, body, rel_mm, DEPTH_MAX_MM);
	press(&c, &r.f, target, 2.0, 4.0);
	before_mm = c.commanded_mm;
	last_load = chair_read_n(&c);
	r.f = (struct figures) { 0 };
	tensed = c.body;
	tensed.tension = factor;
	r.board_s = MAX(0.0, c.depth_mm - depth_for_force(&tensed, rel_mm, c.t_s, FORCE_MAX_N)) / BOARD_MM_S;
	for (double t = 0; t < follow_s; t += TICK_S) {
		double load;

		c.body.tension = ramp_s > 0 ? 1.0 + (factor - 1.0) * MIN(1.0, t / ramp_s) : factor;
		load = chair_tick(&c, target);
		figures_add(&r.f, &c, t >= ramp_s + 1.0);
		if (r.backoff_s < 0 && c.commanded_mm < before_mm)
			r.backoff_s = t;
		if (r.falling_s < 0 && t > 0 && load < last_load - 1.0)
			r.falling_s = t;
		if (r.back_in_s < 0 && t > 0 && fabs(chair_force_n(&c) - target) <= over_margin_n(target))
			r.back_in_s = t;
		last_load = load;
	}
	return r;
}

/* A back that tenses to twice its stiffness at once: the loop backs off within 100 ms
 * (the commanded depth below where it was, the load falling), is back within the
 * margin soon after, and above ForceMax no longer than the board needs to get under it
 * at full speed; tensing to three times over 5 s pushes it past neither ForceMax nor
 * the margin for long. */
START_TEST(test_tensing_backs_off)
{
	static const unsigned levels[] = { 3, 5 };
	bool ok = true;

	printf("# tensing x2 at once, upper back: back-off, load falling, back within the margin, longest above"
	       " 150 N (the board's least), peak | x3 over 5 s: peak, longest over the margin, RMS once tense\n");
	for (size_t b = 0; b < N_BODIES; b++)
		for (size_t i = 0; i < ELEMENTSOF(levels); i++) {
			struct tensing step = tense(b, levels[i], -200, 2.0, 0, 3.0);
			struct tensing ramp = tense(b, levels[i], -200, 3.0, 5.0, 7.0);

			printf("# %-10s level %u: %3.0f ms, %3.0f ms, %3.0f ms, %3.0f ms (%3.0f), %5.1f N | %5.1f N,"
			       " %3.0f ms, %4.1f %%\n",
			       body_names[b], levels[i], 1000 * step.backoff_s, 1000 * step.falling_s,
			       1000 * step.back_in_s, 1000 * step.f.loop.over_max_s, 1000 * step.board_s,
			       step.f.loop.peak_n, ramp.f.loop.peak_n, 1000 * ramp.f.loop.over_margin_s,
			       tally_rms_percent(&ramp.f.loop));
			ok = ok && step.backoff_s >= 0 && step.backoff_s <= 0.1 && step.falling_s >= 0 &&
			     step.falling_s <= 0.1 && step.back_in_s >= 0 && step.back_in_s <= 0.5 &&
			     step.f.loop.over_max_s <= step.board_s + 2 * TICK_S + 1e-9;
			ok = ok && ramp.f.loop.peak_n <= FORCE_MAX_N && ramp.f.loop.over_margin_s <= 0.1 + 1e-9;
		}
	fflush(stdout);
	ck_assert_msg(ok, "a tensing back not backed off in time (see the table)");
}
END_TEST

/* The shoulder blade's inner edge (the body model's bony band at rel -60 mm): the
 * rollers move onto it at knead's and glide's speeds and dwell there. The load is over
 * the margin for no more than 100 ms at a time (or, where the board is too slow even
 * for the ideal loop, 100 ms more than it), and no more than 200 ms in all. */
START_TEST(test_bony_spot)
{
	static const unsigned levels[] = { 1, 3, 5 };
	static const double speeds[] = { 30, 60 };
	bool ok = true;

	printf("# onto the scapula band at 30 | 60 mm/s, dwelling 3 s: over the margin longest (the ideal's),"
	       " in all (the ideal's); peak (the ideal's)\n");
	for (size_t b = 0; b < N_BODIES; b++)
		for (size_t i = 0; i < ELEMENTSOF(levels); i++) {
			double target = force_level_n(levels[i]);

			printf("# %-10s level %u:", body_names[b], levels[i]);
			for (size_t v = 0; v < ELEMENTSOF(speeds); v++) {
				struct figures f = { 0 };
				struct chair c;

				chair_init(&c, b, SCAPULA_MM - 100, DEPTH_MAX_MM);
				press(&c, &f, target, 2.0, 3.0);
				f = (struct figures) { 0 };
				sweep(&c, &f, target, target, SCAPULA_MM, speeds[v]);
				dwell(&c, &f, target, 3.0, 0);
				bool good = f.loop.over_margin_s <= MAX(0.1, f.ideal.over_margin_s + 0.1) + 1e-9 &&
					    f.loop.margin_all_s <= MAX(0.2, f.ideal.margin_all_s + 0.2) + 1e-9 &&
					    force_max_ok(&f);

				ok = ok && good;
				printf(" %3.0f (%3.0f) ms, %3.0f (%3.0f) ms; %5.1f (%5.1f) N%s %s",
				       1000 * f.loop.over_margin_s, 1000 * f.ideal.over_margin_s,
				       1000 * f.loop.margin_all_s, 1000 * f.ideal.margin_all_s, f.loop.peak_n,
				       f.ideal.peak_n, good ? "" : "!", v + 1 < ELEMENTSOF(speeds) ? "|" : "\n");
			}
		}
	fflush(stdout);
	ck_assert_msg(ok, "the scapula pushed the load over the margin too long (see the table)");
}
END_TEST

/* The body's local stiffness at the rollers now, N/mm (over the half mm either side:
 * the rollers' steps). */
static double chair_stiffness_n_mm(const struct chair *c)
{
	return sim_body_force_n(&c->body, c->rel_mm, c->depth_mm + 0.5, c->t_s) -
	       sim_body_force_n(&c->body, c->rel_mm, c->depth_mm - 0.5, c->t_s);
}

/* The loop's stiffness estimate follows the body's, soft back to tensed shoulder blade
 * (~2 to ~60 N/mm): over a held press, on average never below the body's by more than
 * a factor of 1.6 (the loop would overshoot), nor above it by more than 3 (it would be
 * slow). It errs high on soft backs: the load cell's noise, fed back through the loop
 * into the depth's steps, looks like stiffness where the steps load the back little. */
START_TEST(test_stiffness_estimate)
{
	static const unsigned levels[] = { 1, 3, 5 };
	static const double tensions[] = { 1, 3 };
	static const double places[] = { -200, SCAPULA_MM, -400 };
	bool ok = true;

	printf("# stiffness estimate / the body's over a held press (upper back, scapula, lower back;"
	       " tension 1 | 3), the body's N/mm in brackets\n");
	for (size_t b = 0; b < N_BODIES; b++)
		for (size_t i = 0; i < ELEMENTSOF(levels); i++) {
			printf("# %-10s level %u:", body_names[b], levels[i]);
			for (size_t k = 0; k < ELEMENTSOF(tensions); k++)
				for (size_t p = 0; p < ELEMENTSOF(places); p++) {
					struct figures f = { 0 };
					double ratio = 0, body = 0;
					int n = 0;
					struct chair c;

					chair_init(&c, b, places[p], DEPTH_MAX_MM);
					c.body.tension = tensions[k];
					press(&c, &f, force_level_n(levels[i]), 2.0, 2.0);
					/* where the body gives the target at depth 0, nothing to hold */
					if (c.commanded_mm <= 0.5) {
						printf("   -  (   -)");
						continue;
					}
					for (double t = 0; t < 4.0; t += TICK_S, n++) {
						chair_tick(&c, force_level_n(levels[i]));
						ratio += c.loop.stiffness_n_mm / chair_stiffness_n_mm(&c);
						body += chair_stiffness_n_mm(&c);
					}
					printf(" %4.2f (%4.1f)%s", ratio / n, body / n,
					       p + 1 < ELEMENTSOF(places) ? "" : " |");
					ok = ok && ratio / n >= 1 / 1.6 && ratio / n <= 3.0;
				}
			printf("\n");
		}
	fflush(stdout);
	ck_assert_msg(ok, "a stiffness estimate off the body's (see the table)");
}
END_TEST

/* An empty seat reads no load: the loop goes looking for a back slowly, not at the
 * board's full speed, and never past DepthMax. A load lost in mid-press (the person
 * leans forward) is no reason to dive either; a reading that is no number counts as
 * none. */
START_TEST(test_no_load)
{
	static const double bad[] = { 0.0, -5.0, NAN, INFINITY };
	struct force_loop_config cfg = { .depth_max_mm = DEPTH_MAX_MM, .force_max_n = FORCE_MAX_N, .tick_s = TICK_S };

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct force_loop l;
		double depth = 0;

		force_loop_init(&l, &cfg, 0);
		for (double t = 0; t < 10.0; t += TICK_S) {
			double cmd = force_loop_step(&l, 60, bad[i], round(depth), NULL);

			ck_assert_double_le(cmd, DEPTH_MAX_MM);
			/* 10 mm/s at most, and a register step ahead */
			ck_assert_msg(cmd <= 10.0 * (t + TICK_S) + 1.0, "load %g: %.2f mm at %.2f s", bad[i], cmd, t);
			depth = move_toward(depth, force_loop_depth_register(&l, cmd), BOARD_MM_S * TICK_S);
		}
	}

	for (size_t b = 0; b < N_BODIES; b++) {
		struct figures f = { 0 };
		struct chair c;
		double held;

		chair_init(&c, b, -200, DEPTH_MAX_MM);
		press(&c, &f, force_level_n(3), 2.0, 2.0);
		held = c.commanded_mm;
		for (double t = 0; t < 1.0; t += TICK_S) {
			double cmd = force_loop_step(&c.loop, force_level_n(3), 0, round(c.depth_mm), NULL);

			ck_assert_msg(cmd <= held + 10.0 * (t + TICK_S) + 1.0, "%s: %.2f mm from %.2f at %.2f s",
				      body_names[b], cmd, held, t);
			c.depth_mm =
				move_toward(c.depth_mm, force_loop_depth_register(&c.loop, cmd), BOARD_MM_S * TICK_S);
		}
	}
}
END_TEST

/* A back too soft for the force at DepthMax (and a DepthMax of a fraction of a mm):
 * the loop commands DepthMax at most, the register its whole mm below; it gets there. */
START_TEST(test_depth_max)
{
	static const double depth_max[] = { 15.0, 15.5 };

	for (size_t i = 0; i < ELEMENTSOF(depth_max); i++) {
		struct figures f = { 0 };
		struct chair c;

		/* chair_tick() asserts the command and the register within DepthMax */
		chair_init(&c, 2, -400, depth_max[i]);
		press(&c, &f, force_level_n(5), 2.0, 5.0);
		ck_assert_double_lt(chair_force_n(&c), force_level_n(5));
		ck_assert_double_ge(c.commanded_mm, depth_max[i] - 0.5);
		ck_assert_uint_eq(c.reg, 15);
		ck_assert_double_eq(c.depth_mm, 15.0);
	}
}
END_TEST

/* The whole-mm register averages to the fractional depth, each value the mm on one
 * side or the other of it; a depth held beyond the register's reach banks nothing. */
START_TEST(test_sigma_delta)
{
	static const double depths[] = { 0.25, 7.5, 12.3, 33.9, 39.96 };
	struct force_loop_config cfg = { .depth_max_mm = DEPTH_MAX_MM, .force_max_n = FORCE_MAX_N, .tick_s = TICK_S };
	struct force_loop l;

	for (size_t i = 0; i < ELEMENTSOF(depths); i++) {
		double sum = 0;
		int n = 1000;

		force_loop_init(&l, &cfg, 0);
		for (int k = 0; k < n; k++) {
			uint16_t reg = force_loop_depth_register(&l, depths[i]);

			ck_assert_uint_ge(reg, floor(depths[i]));
			ck_assert_uint_le(reg, ceil(depths[i]));
			sum += reg;
		}
		ck_assert_msg(fabs(sum / n - depths[i]) <= 1.0 / n, "%.3f averages to %.4f", depths[i], sum / n);
	}

	force_loop_init(&l, &cfg, 0);
	for (int k = 0; k < 100; k++)
		ck_assert_uint_eq(force_loop_depth_register(&l, 45.0), 40);
	ck_assert_uint_eq(force_loop_depth_register(&l, 20.0), 20);
	for (int k = 0; k < 100; k++)
		ck_assert_uint_eq(force_loop_depth_register(&l, -3.0), 0);
	ck_assert_uint_eq(force_loop_depth_register(&l, 20.0), 20);
	ck_assert_uint_eq(force_loop_depth_register(&l, NAN), 0);
}
END_TEST

/* Asked for more than ForceMax allows (a target past it, a lower ForceMax), it aims at
 * ForceMax less its margin, and the force stays under ForceMax. */
START_TEST(test_aim_below_force_max)
{
	static const double force_max[] = { 150, 80 };

	for (size_t i = 0; i < ELEMENTSOF(force_max); i++)
		for (size_t b = 0; b < N_BODIES; b++) {
			double aim = force_max[i] - MAX(10.0, 0.2 * force_max[i]);
			struct figures f = { 0 };
			double sum = 0;
			int n = 0;
			struct chair c;

			chair_init(&c, b, -200, DEPTH_MAX_MM);
			c.loop.cfg.force_max_n = force_max[i];
			press(&c, &f, 300, 2.0, 2.0);
			for (double t = 0; t < 4.0; t += TICK_S, n++) {
				chair_tick(&c, 300);
				ck_assert_double_le(chair_force_n(&c), force_max[i]);
				sum += chair_force_n(&c);
			}
			ck_assert_msg(fabs(sum / n - aim) <= 0.05 * aim, "%s, ForceMax %.0f: %.1f N on average",
				      body_names[b], force_max[i], sum / n);
		}
}
END_TEST

/* Restarted after transit at another depth: it starts from there, no jump. */
START_TEST(test_restart)
{
	struct figures f = { 0 };
	struct chair c;
	double cmd;

	chair_init(&c, 0, -200, DEPTH_MAX_MM);
	press(&c, &f, force_level_n(5), 2.0, 2.0);
	c.depth_mm = 5.0;
	force_loop_init(&c.loop, &c.loop.cfg, c.depth_mm);
	cmd = force_loop_step(&c.loop, force_level_n(5), chair_read_n(&c), c.depth_mm, NULL);
	ck_assert_double_le(cmd, 5.0 + BOARD_MM_S * TICK_S + 1.0);
	ck_assert_double_ge(cmd, 5.0);
}
END_TEST

static Suite *force_control_suite(void)
{
	Suite *s = suite_create("force-control");

	CHECK_ADD_TEST(s, test_levels, 60);
	CHECK_ADD_TEST(s, test_bodies_follow_target, 60);
	CHECK_ADD_TEST(s, test_tensing_backs_off, 60);
	CHECK_ADD_TEST(s, test_bony_spot, 60);
	CHECK_ADD_TEST(s, test_stiffness_estimate, 60);
	CHECK_ADD_TEST(s, test_no_load, 60);
	CHECK_ADD_TEST(s, test_depth_max, 60);
	CHECK_ADD_TEST(s, test_sigma_delta, 60);
	CHECK_ADD_TEST(s, test_aim_below_force_max, 60);
	CHECK_ADD_TEST(s, test_restart, 60);
	return s;
}

int main(void)
{
	return check_run_tap(force_control_suite());
}
