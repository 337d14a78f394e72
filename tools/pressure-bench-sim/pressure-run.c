/* SPDX-License-Identifier: MIT */
#include "pressure-run.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "config.h"
#include "engine.h"
#include "macro.h"
#include "over-force.h"
#include "roller-step.h"
#include "setpoint-limits.h"
#include "sim-chair.h"
#include "zone.h"

#define TICK_USEC (20 * USEC_PER_MSEC) /* the daemon's control tick */
#define WATCHDOG_MS 1000
/* Steady: this long after a step starts and after a transit ends... */
#define STEADY_AFTER_USEC (3 * USEC_PER_SEC)
/* ...and this long after the target last jumped: changed by more than JUMP_SHARE of
 * itself in one tick (glide's turn, a level change). Ramps are slower than that. */
#define JUMP_SHARE 0.10
#define JUMP_SETTLE_USEC (1 * USEC_PER_SEC)
#define OVER_MARGIN_SHARE 0.20 /* over-force: above the target by more than this share */
#define RECOVER_SHARE OVER_MARGIN_SHARE
#define RECOVER_HOLD_USEC (1 * USEC_PER_SEC)
#define BACKOFF_MM 1.0 /* backed off: the rollers 1 mm shallower than at the tensing */
#define STIFFEN_USEC (5 * USEC_PER_SEC)
#define STIFFEN_FACTOR 3.0
#define TENSE_FACTOR 2.0

static const char *const scenario_names[_SCENARIO_MAX] = {
	[SCENARIO_NONE] = "none",
	[SCENARIO_STIFFEN] = "stiffen",
	[SCENARIO_TENSE] = "tense",
};

const char *pressure_scenario_name(enum pressure_scenario s)
{
	return s >= 0 && s < _SCENARIO_MAX ? scenario_names[s] : "?";
}

int pressure_scenario_from_name(const char *name)
{
	for (int i = 0; i < _SCENARIO_MAX; i++)
		if (strcmp(scenario_names[i], name) == 0)
			return i;
	return -ENOENT;
}

/* A run over time, and what it has measured so far. */
struct run {
	const struct pressure_run_config *cfg;
	struct massaged_config config; /* the daemon's defaults: limits, the simulated person */
	struct sim_chair sim;
	struct roller_step_state st;
	struct over_force over_force;
	uint64_t now;

	uint64_t transit_end, last_jump;
	double prev_target;
	double step_sum[PROGRAM_STEPS_MAX], all_sum;
	unsigned step_n[PROGRAM_STEPS_MAX], all_n, depth_limited_n;

	uint64_t over_target_since, over_max_since; /* UINT64_MAX: not over */

	uint64_t onset;
	double onset_depth_mm;
	uint64_t within_since; /* the force within RECOVER_SHARE of its target since */
};

/* Mid-program: halfway through the step running at half the program's length. */
static uint64_t onset_usec(const struct program *p)
{
	uint64_t half = (uint64_t)program_duration_s(p) * USEC_PER_SEC / 2;
	struct program_position pos;

	if (!engine_locate(p, half, &pos))
		return half;
	return half - pos.t_in_step_usec + (uint64_t)p->steps[pos.step].duration_s * USEC_PER_SEC / 2;
}

static void apply_scenario(struct run *r)
{
	double factor = 1.0;

	if (r->cfg->scenario == SCENARIO_NONE || r->now < r->onset)
		return;
	if (r->cfg->scenario == SCENARIO_TENSE)
		factor = TENSE_FACTOR;
	else
		factor = 1.0 + (STIFFEN_FACTOR - 1.0) * MIN(1.0, (double)(r->now - r->onset) / STIFFEN_USEC);
	sim_chair_advance(&r->sim, r->now);
	r->sim.body.tension = r->cfg->body.tension * factor; /* sim_chair_set_body() would restart the peak */
}

/* How long a condition has held, in ms, tracking its start in *since. */
static double held_ms(bool now_true, uint64_t now, uint64_t *since)
{
	if (!now_true) {
		*since = UINT64_MAX;
		return 0;
	}
	if (*since == UINT64_MAX)
		*since = now;
	return (double)(now - *since + TICK_USEC) / USEC_PER_MSEC;
}

static void measure(struct run *r, const struct program_position *pos, const struct roller_step_result *res,
		    double force, struct pressure_result *ret)
{
	double target = res->force_target_n, force_max = r->config.limits.force_max_n;
	bool over_target = target > 0 && force > target * (1.0 + OVER_MARGIN_SHARE);

	if (over_target)
		ret->over_target_n = MAX(ret->over_target_n, force - target);
	ret->over_target_ms = MAX(ret->over_target_ms, held_ms(over_target, r->now, &r->over_target_since));
	if (force > force_max)
		ret->over_max_n = MAX(ret->over_max_n, force - force_max);
	ret->over_max_ms = MAX(ret->over_max_ms, held_ms(force > force_max, r->now, &r->over_max_since));

	if (res->transit || target <= 0)
		r->transit_end = r->now;
	else if (r->prev_target > 0 && fabs(target - r->prev_target) > JUMP_SHARE * r->prev_target)
		r->last_jump = r->now;
	r->prev_target = target;
	if (target > 0 && pos->t_in_step_usec >= STEADY_AFTER_USEC && r->now - r->transit_end >= STEADY_AFTER_USEC &&
	    r->now - r->last_jump >= JUMP_SETTLE_USEC) {
		/* where even DepthMax presses less than the target (a soft neck at the highest
		 * levels), the most any control could reach there is what is asked of it */
		double reach = sim_body_force_n(&r->sim.body, r->sim.travel_mm - (double)r->sim.shoulder_mm,
						MIN(r->config.limits.depth_max_mm, ROLLER_DEPTH_MAX_MM),
						(double)r->now / USEC_PER_SEC);
		double goal = MIN(target, reach);
		double e = (force - goal) / goal;

		r->depth_limited_n += reach < target;
		r->step_sum[pos->step] += e * e;
		r->step_n[pos->step]++;
		r->all_sum += e * e;
		r->all_n++;
	}

	if (r->cfg->scenario == SCENARIO_NONE || r->now < r->onset)
		return;
	if (ret->backoff_ms < 0 && r->sim.depth_mm <= r->onset_depth_mm - BACKOFF_MM)
		ret->backoff_ms = (double)(r->now - r->onset) / USEC_PER_MSEC;
	if (target > 0 && fabs(force - target) <= RECOVER_SHARE * target) {
		if (r->within_since == UINT64_MAX)
			r->within_since = r->now;
		if (ret->recover_ms < 0 && r->now - r->within_since >= RECOVER_HOLD_USEC)
			ret->recover_ms = (double)(r->within_since - r->onset) / USEC_PER_MSEC;
	} else
		r->within_since = UINT64_MAX;
}

/* One control tick as session-tick.c runs it: read, compose, gate, write. */
static bool tick(struct run *r, struct pressure_result *ret)
{
	const struct program *p = r->cfg->program;
	struct roller_setpoints sp = r->sim.sp;
	struct roller_step_result res;
	struct program_position pos;
	struct roller_status status;
	double force;
	int zone_pressure[_ZONE_MAX] = { 0 };

	if (!engine_locate(p, r->now, &pos))
		return false;
	if (r->now >= r->onset && r->onset_depth_mm < 0)
		r->onset_depth_mm = r->sim.depth_mm;
	apply_scenario(r);
	(void)sim_chair_roller_read(&r->sim, r->now, &status);
	force = sim_chair_true_load_n(&r->sim, r->now);

	struct roller_step_input in = {
		.technique = p->steps[pos.step].technique,
		.zone = zone_to_range(p->steps[pos.step].zone, r->sim.shoulder_mm, &r->config.limits),
		.t_usec = pos.t_in_step_usec,
		.step = &p->steps[pos.step],
		.levels = { .intensity = r->cfg->intensity, .speed = r->config.speed, .width = r->config.width },
		.zone_pressure = zone_pressure,
		.shoulder_mm = r->sim.shoulder_mm,
		.limits = &r->config.limits,
		.status = &status,
		.tick_s = (double)TICK_USEC / USEC_PER_SEC,
	};
	roller_step(&r->st, &in, &sp, &res);
	sp.control = ROLLER_CONTROL_ENABLE;
	sp.watchdog_ms = WATCHDOG_MS;
	/* the gate: safety_roller_write()'s clamp, and the over-force rule on the load read */
	setpoint_limits_clamp(&r->config.limits, &sp);
	switch (over_force_update(&r->over_force, status.load_dn, r->config.limits.force_max_n, r->now)) {
	case OVER_FORCE_FAULT:
		/* the daemon raises over-force: motors off, the session ends */
		ret->fault_s = (double)r->now / USEC_PER_SEC;
		measure(r, &pos, &res, force, ret);
		return false;
	case OVER_FORCE_CAP:
		sp.depth_mm = 0;
		ret->capped_ms += (double)TICK_USEC / USEC_PER_MSEC;
		break;
	case OVER_FORCE_NONE:
		break;
	}
	(void)sim_chair_roller_write(&r->sim, r->now, &sp);
	measure(r, &pos, &res, force, ret);
	r->now += TICK_USEC;
	return true;
}

void pressure_run(const struct pressure_run_config *cfg, struct pressure_result *ret)
{
	static struct run r; /* large: the program copy and the chair */
	struct sim_config sc = { 0 };

	r = (struct run) {
		.cfg = cfg,
		.over_target_since = UINT64_MAX,
		.over_max_since = UINT64_MAX,
		.within_since = UINT64_MAX,
		.onset_depth_mm = -1,
	};
	config_init_defaults(&r.config);
	sc.shoulder_mm = r.config.sim_shoulder_mm;
	sim_chair_init(&r.sim, &sc, 0, cfg->seed);
	sim_chair_set_body(&r.sim, 0, &cfg->body);
	sim_chair_set_output(&r.sim, 0, OUTPUT_MOTOR_POWER, true);
	roller_step_init(&r.st, cfg->open_loop);
	r.onset = cfg->scenario == SCENARIO_NONE ? UINT64_MAX : onset_usec(cfg->program);

	*ret = (struct pressure_result) {
		.force_max_n = r.config.limits.force_max_n,
		.tense_onset_s = cfg->scenario == SCENARIO_NONE ? -1 : (double)r.onset / USEC_PER_SEC,
		.backoff_ms = -1,
		.recover_ms = -1,
		.fault_s = -1,
	};
	while (tick(&r, ret))
		;
	ret->peak_load_n = sim_chair_peak_load_n(&r.sim, r.now);
	ret->rms_pct = r.all_n ? 100.0 * sqrt(r.all_sum / r.all_n) : NAN;
	ret->steady_s = (double)r.all_n * TICK_USEC / USEC_PER_SEC;
	ret->depth_limited_pct = r.all_n ? 100.0 * r.depth_limited_n / r.all_n : 0;
	for (unsigned i = 0; i < cfg->program->n_steps; i++) {
		double rms = r.step_n[i] ? 100.0 * sqrt(r.step_sum[i] / r.step_n[i]) : 0;

		if (rms >= ret->worst_step_rms_pct) {
			ret->worst_step_rms_pct = rms;
			ret->worst_step = i + 1;
		}
	}
}
