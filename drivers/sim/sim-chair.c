/* SPDX-License-Identifier: MIT */
/* The simulated chair: its roller board, the person on it, and the chair's time, which
 * steps the heating pads (sim-pad.c) along. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "macro.h"
#include "sim-pad.h"

/* Roller board actuators. Knead and tap reach any setpoint within about a second. */
#define DEPTH_SPEED_MM_S 25.0
#define WIDTH_SPEED_MM_S 100.0
#define KNEAD_RAMP_RPM_S ((double)ROLLER_KNEAD_RPM_MAX)
#define TAP_RAMP_PER_S ((double)ROLLER_TAP_RATE_MAX)
#define PARK_SPEED_MM_S 60.0 /* when PARK is asked with TRAVEL_SPEED 0 */
#define WIDTH_INITIAL_MM 120
#define BOARD_TEMP_DC 350
#define SATURATED_OVER_RANGE_N 5.0 /* what a load cell past its range reads, above it */

/* Below this many steps, stepping is cheaper than the matrix power. */
#define FAST_FORWARD_MIN_STEPS 64

/* ---- random numbers: xorshift64* seeded through splitmix64, Box–Muller ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint64_t rng_next(struct sim_chair *s)
{
	uint64_t x = s->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, 1). */
static double rng_uniform(struct sim_chair *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

double sim_chair_gauss(struct sim_chair *s)
{
	double u1 = 1.0 - rng_uniform(s); /* (0, 1]: log() stays finite */
	double u2 = rng_uniform(s);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- roller board ---- */

struct roller_goal {
	double travel, speed, depth, width, knead, tap;
};

static void roller_goal(const struct sim_chair *s, struct roller_goal *g)
{
	bool park = s->sp.control & ROLLER_CONTROL_PARK;

	/* Parking goes home: travel and depth to 0, kneading and tapping stop. */
	g->travel = park ? 0.0 : s->sp.travel_target_mm;
	g->speed = park && s->sp.travel_speed == 0 ? PARK_SPEED_MM_S : s->sp.travel_speed;
	g->depth = park ? 0.0 : s->sp.depth_mm;
	g->width = s->sp.width_mm;
	g->knead = park ? 0.0 : s->sp.knead_rpm;
	g->tap = park ? 0.0 : s->sp.tap_rate;
}

static bool roller_drive_active(const struct sim_chair *s)
{
	return s->enabled && s->outputs[OUTPUT_MOTOR_POWER] && s->fault_code == ROLLER_FAULT_NONE &&
	       !s->watchdog_tripped;
}

static bool roller_watchdog_armed(const struct sim_chair *s)
{
	return s->enabled && s->sp.watchdog_ms > 0 && !s->watchdog_tripped;
}

static uint64_t roller_watchdog_deadline(const struct sim_chair *s)
{
	return s->last_write_usec + (uint64_t)s->sp.watchdog_ms * USEC_PER_MSEC;
}

/* Raise a pinch fault if one is due, and stop the motors when they may not run. */
static void roller_update(struct sim_chair *s)
{
	if (s->pinch && roller_drive_active(s))
		s->fault_code = ROLLER_FAULT_OVERCURRENT;
	if (!roller_drive_active(s)) {
		s->knead_rpm = 0.0;
		s->tap_rate = 0.0;
	}
}

static void move_toward(double *x, double target, double max_step)
{
	if (fabs(target - *x) <= max_step)
		*x = target;
	else
		*x += target > *x ? max_step : -max_step;
}

static void roller_step(struct sim_chair *s, double dt)
{
	struct roller_goal g;

	roller_update(s);
	if (!roller_drive_active(s))
		return;
	roller_goal(s, &g);
	move_toward(&s->travel_mm, g.travel, g.speed * dt);
	s->travel_mm = CLAMP(s->travel_mm, 0.0, (double)ROLLER_TRAVEL_MAX_MM);
	move_toward(&s->depth_mm, g.depth, DEPTH_SPEED_MM_S * dt);
	move_toward(&s->width_mm, g.width, WIDTH_SPEED_MM_S * dt);
	move_toward(&s->knead_rpm, g.knead, KNEAD_RAMP_RPM_S * dt);
	move_toward(&s->tap_rate, g.tap, TAP_RAMP_PER_S * dt);
}

static void roller_check_watchdog(struct sim_chair *s)
{
	if (roller_watchdog_armed(s) && s->now_usec >= roller_watchdog_deadline(s)) {
		s->watchdog_tripped = true;
		roller_update(s);
	}
}

static bool roller_moving(const struct sim_chair *s)
{
	struct roller_goal g;

	if (!roller_drive_active(s))
		return false;
	roller_goal(s, &g);
	return (s->travel_mm != g.travel && g.speed > 0) || s->depth_mm != g.depth || s->width_mm != g.width;
}

/* Nothing in the roller model changes until the watchdog deadline, if any. */
static bool roller_quiet(const struct sim_chair *s)
{
	struct roller_goal g;

	if (!roller_drive_active(s))
		return true; /* roller_update() has already stopped knead and tap */
	if (s->pinch)
		return false;
	roller_goal(s, &g);
	return !roller_moving(s) && s->knead_rpm == g.knead && s->tap_rate == g.tap;
}

static uint64_t roller_quiet_until(const struct sim_chair *s, uint64_t now_usec)
{
	if (roller_watchdog_armed(s))
		return MAX(s->now_usec, MIN(now_usec, roller_watchdog_deadline(s)));
	return now_usec;
}

static uint16_t clamp_u16(uint16_t v, uint16_t lo, uint16_t hi)
{
	return CLAMP(v, lo, hi);
}

static void roller_store_setpoints(struct sim_chair *s, const struct roller_setpoints *sp)
{
	s->sp = (struct roller_setpoints) {
		/* CLEAR_FAULT is self-clearing: it acts once and is never stored */
		.control = sp->control & (ROLLER_CONTROL_ENABLE | ROLLER_CONTROL_PARK),
		.travel_target_mm = clamp_u16(sp->travel_target_mm, 0, ROLLER_TRAVEL_MAX_MM),
		.travel_speed = clamp_u16(sp->travel_speed, 0, ROLLER_TRAVEL_SPEED_MAX),
		.knead_rpm = clamp_u16(sp->knead_rpm, 0, ROLLER_KNEAD_RPM_MAX),
		.knead_reverse = sp->knead_reverse ? 1 : 0,
		.tap_rate = clamp_u16(sp->tap_rate, 0, ROLLER_TAP_RATE_MAX),
		.depth_mm = clamp_u16(sp->depth_mm, 0, ROLLER_DEPTH_MAX_MM),
		.width_mm = clamp_u16(sp->width_mm, ROLLER_WIDTH_MIN_MM, ROLLER_WIDTH_MAX_MM),
		.watchdog_ms = clamp_u16(sp->watchdog_ms, 0, ROLLER_WATCHDOG_MAX_MS),
	};
}

int sim_chair_roller_write(struct sim_chair *s, uint64_t now_usec, const struct roller_setpoints *sp)
{
	sim_chair_advance(s, now_usec);
	if (s->offline)
		return -EIO;

	roller_store_setpoints(s, sp);
	s->enabled = s->sp.control & ROLLER_CONTROL_ENABLE;
	s->last_write_usec = s->now_usec;
	if (s->enabled)
		s->watchdog_tripped = false;
	if (sp->control & ROLLER_CONTROL_CLEAR_FAULT) {
		/* the watchdog's cause is gone with this very write; a pinch only once released */
		s->watchdog_tripped = false;
		if (!s->pinch)
			s->fault_code = ROLLER_FAULT_NONE;
	}
	roller_update(s);
	return 0;
}

static uint16_t round_u16(double v)
{
	return (uint16_t)CLAMP(lround(v), 0L, (long)UINT16_MAX);
}

static uint16_t roller_status_bits(const struct sim_chair *s)
{
	uint16_t bits = 0;

	if (s->enabled && s->fault_code == ROLLER_FAULT_NONE && !s->watchdog_tripped)
		bits |= ROLLER_STATUS_ENABLED;
	if (roller_moving(s))
		bits |= ROLLER_STATUS_MOVING;
	if (s->fault_code != ROLLER_FAULT_NONE)
		bits |= ROLLER_STATUS_FAULT;
	if (s->homed)
		bits |= ROLLER_STATUS_HOMED;
	if (s->travel_mm >= ROLLER_TRAVEL_MAX_MM - 0.5)
		bits |= ROLLER_STATUS_TOP_LIMIT;
	if (s->travel_mm <= 0.5)
		bits |= ROLLER_STATUS_BOTTOM_LIMIT;
	if (s->watchdog_tripped)
		bits |= ROLLER_STATUS_WATCHDOG;
	return bits;
}

int sim_chair_roller_read(struct sim_chair *s, uint64_t now_usec, struct roller_status *ret)
{
	double load;

	sim_chair_advance(s, now_usec);
	if (s->offline)
		return -EIO;

	load = sim_chair_load_n(s, s->travel_mm, s->depth_mm);
	if (s->body.noise_n > 0)
		load += s->body.noise_n * sim_chair_gauss(s);
	if (s->load_saturated)
		load = ROLLER_LOAD_RANGE_N + SATURATED_OVER_RANGE_N;

	*ret = (struct roller_status) {
		.status = roller_status_bits(s),
		.fault_code = s->fault_code,
		.travel_mm = round_u16(s->travel_mm),
		.depth_mm = round_u16(s->depth_mm),
		.width_mm = round_u16(s->width_mm),
		.knead_rpm = round_u16(s->knead_rpm),
		.tap_rate = round_u16(s->tap_rate),
		.load_dn = round_u16(load * 10.0),
		.board_temp_dc = BOARD_TEMP_DC,
		.protocol = ROLLER_PROTOCOL,
	};
	return 0;
}

/* ---- the person ---- */

static double chair_time_s(const struct sim_chair *s)
{
	return (double)s->now_usec / (double)USEC_PER_SEC;
}

double sim_chair_load_n(const struct sim_chair *s, double travel_mm, double depth_mm)
{
	if (!s->seated)
		return 0.0;
	return sim_body_force_n(&s->body, travel_mm - (double)s->shoulder_mm, depth_mm, chair_time_s(s));
}

/* The force where the rollers are, the breath at its fullest: the most that a stretch
 * with the rollers standing still can have reached. */
static double load_bound_n(const struct sim_chair *s)
{
	if (!s->seated)
		return 0.0;
	return sim_body_force_max_n(&s->body, s->travel_mm - (double)s->shoulder_mm, s->depth_mm);
}

static void track_peak(struct sim_chair *s, double force_n)
{
	if (force_n > s->peak_load_n)
		s->peak_load_n = force_n;
}

void sim_chair_set_body(struct sim_chair *s, uint64_t now_usec, const struct sim_body *b)
{
	sim_chair_advance(s, now_usec);
	s->body = *b;
	s->peak_load_n = sim_chair_load_n(s, s->travel_mm, s->depth_mm);
}

const struct sim_body *sim_chair_body(const struct sim_chair *s)
{
	return &s->body;
}

double sim_chair_true_load_n(struct sim_chair *s, uint64_t now_usec)
{
	sim_chair_advance(s, now_usec);
	return sim_chair_load_n(s, s->travel_mm, s->depth_mm);
}

double sim_chair_peak_load_n(struct sim_chair *s, uint64_t now_usec)
{
	sim_chair_advance(s, now_usec);
	return s->peak_load_n;
}

void sim_chair_reset_peak(struct sim_chair *s, uint64_t now_usec)
{
	sim_chair_advance(s, now_usec);
	s->peak_load_n = sim_chair_load_n(s, s->travel_mm, s->depth_mm);
}

void sim_chair_set_seated(struct sim_chair *s, uint64_t now_usec, bool seated)
{
	sim_chair_advance(s, now_usec);
	s->seated = seated;
}

void sim_chair_set_pinch(struct sim_chair *s, uint64_t now_usec, bool on)
{
	sim_chair_advance(s, now_usec);
	s->pinch = on;
	roller_update(s);
}

void sim_chair_set_offline(struct sim_chair *s, uint64_t now_usec, bool on)
{
	sim_chair_advance(s, now_usec);
	s->offline = on;
}

/* ---- the whole chair ---- */

void sim_chair_set_output(struct sim_chair *s, uint64_t now_usec, enum chair_output o, bool active)
{
	sim_chair_advance(s, now_usec);
	if (o < 0 || o >= _OUTPUT_MAX)
		return;
	s->outputs[o] = active;
	roller_update(s);
}

static void sim_step(struct sim_chair *s, uint64_t dt_usec)
{
	double dt = (double)dt_usec / (double)USEC_PER_SEC;

	roller_step(s, dt);
	for (unsigned i = 0; i < s->n_pads; i++)
		sim_pad_step(s, &s->pads[i], dt);
	s->now_usec += dt_usec;
	roller_check_watchdog(s);
	track_peak(s, sim_chair_load_n(s, s->travel_mm, s->depth_mm));
}

/* While the rollers stand still, the pads are linear with constant inputs: jump. */
static bool sim_fast_forward(struct sim_chair *s, uint64_t now_usec)
{
	uint64_t n;

	if (!roller_quiet(s))
		return false;
	n = (roller_quiet_until(s, now_usec) - s->now_usec) / SIM_STEP_USEC;
	if (n < FAST_FORWARD_MIN_STEPS)
		return false;
	for (unsigned i = 0; i < s->n_pads; i++)
		sim_pad_fast_forward(s, &s->pads[i], n);
	track_peak(s, load_bound_n(s));
	s->now_usec += n * SIM_STEP_USEC;
	roller_check_watchdog(s); /* the jump may end exactly on the deadline */
	return true;
}

void sim_chair_advance(struct sim_chair *s, uint64_t now_usec)
{
	while (s->now_usec < now_usec) {
		if (sim_fast_forward(s, now_usec))
			continue;
		sim_step(s, MIN(SIM_STEP_USEC, now_usec - s->now_usec));
	}
}

void sim_chair_init(struct sim_chair *s, const struct sim_config *cfg, uint64_t now_usec, uint64_t seed)
{
	*s = (struct sim_chair) {
		.now_usec = now_usec,
		.rng = splitmix64(seed) | 1, /* xorshift state must never be 0 */
		.last_write_usec = now_usec,
		.width_mm = WIDTH_INITIAL_MM,
		.homed = true,
		.seated = true,
		.shoulder_mm = cfg->shoulder_mm,
		.n_pads = MIN(cfg->n_pads, (unsigned)MIN(MAX_PADS, TEMP_CHANNELS)),
	};
	s->sp.width_mm = WIDTH_INITIAL_MM;
	sim_body_default(&s->body);
	if (sim_body_set(&s->body, "Noise", cfg->load_noise_n) < 0)
		s->body.noise_n = 0.0; /* outside what a load cell could be: [Simulator] LoadNoise checks it */
	s->peak_load_n = sim_chair_load_n(s, s->travel_mm, s->depth_mm);
	for (unsigned i = 0; i < s->n_pads; i++)
		sim_pad_init(&s->pads[i], cfg->pads[i].zone, cfg->pads[i].sensor_channel);
}
