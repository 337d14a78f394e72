/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat-autotune.h"
#include "heat-control.h"
#include "macro.h"
#include "nelder-mead.h"

#define BASELINE_S 20.0
#define PULSE_SHARE 0.4          /* of the way from rest to the target */
#define PULSE_RISE_MIN_C 1.0
#define PULSE_RISE_MAX_C 8.0
#define PULSE_MAX_S 900.0
#define PULSE_NO_RISE_S 300.0    /* full power this long without 0.5 °C: no heat arrives */
#define COAST_MIN_S 240.0
#define COAST_PEAK_FACTOR 4.0    /* coast 4 × the time the stored heat took to arrive */
#define COAST_MAX_S 1200.0
#define HOLD_BELOW_C 0.3         /* hold this far under the target */
#define HOLD_BAND_C 0.3
#define HOLD_STEADY_S 200.0
#define HOLD_MIN_S 300.0
#define HOLD_MAX_S 1800.0
#define CEILING_GUARD_C 0.5
#define WARM_MARGIN_C 5.0        /* the pad must start this far under the target */
#define FIT_WORK_PER_CALL 300000 /* model steps per update call */
#define FIT_EVALUATIONS 2500
#define FIT_RESTARTS 3
#define FIT_RMS_MAX_C 0.25
#define FIT_STARTS 4
#define FIT_PRIOR_ELEMENT_S 34.3 /* the bench's elements: 60 J/K over 1.75 W/K */
#define FIT_PRIOR_WEIGHT 0.1     /* °C² of mean squared error per (ln of the factor)² */
#define FIT_PRIOR_GAIN_C 28.0
#define FIT_PRIOR_GAIN_WEIGHT 0.0005
#define FIT_EDGE_MARGIN 0.1      /* a fit this close to a plausibility bound failed */
#define FIT_EDGE_COST_FACTOR 2.0 /* unless at a bound replays the readings this much better */

enum phase {
	PHASE_BASELINE,
	PHASE_PULSE,
	PHASE_COAST,
	PHASE_FIT_PULSE,
	PHASE_HOLD,
	PHASE_FIT_ALL,
	PHASE_DONE,
	PHASE_FAILED,
};

/* The fitted numbers, in logs where they must stay positive. */
enum fit_param {
	P_GAIN, P_ELEMENT, P_COUPLE, P_LOSS, P_SINK, P_SENSOR,
	P_ELEMENT0, P_STONE0, /* element and stone at the first reading, °C over it */
	P_N,
};

/* How far from its reading the pad may start: an element still hot from a session, a
 * stone the sensor lags behind while it cools. */
#define START_ELEMENT_MAX_C 30.0
#define START_STONE_MAX_C 3.0

struct heat_autotune {
	double target, ceiling, h;
	enum phase phase;
	bool started;
	double t_first, t_last, phase_start;
	double duty;

	/* the record: reading at each sample (NaN if none) and the duty held after it */
	float *y, *u;
	size_t n, cap;

	double rest_c, pulse_rise_c;
	double pulse_end, peak_c, peak_t;
	double hold_in_band_since;
	struct heat_control control;

	struct nelder_mead nm;
	size_t fit_n;                 /* samples the running fit replays */
	int restarts;
	double restart_cost;
	struct heat_model starts[FIT_STARTS]; /* the fit begins from each in turn */
	double start_offset[2];       /* and from this P_ELEMENT0, P_STONE0 */
	int n_starts, start;
	double best_cost, edge_cost; /* the best start inside the bounds, and at one */
	double best[P_N], edge[P_N];
	struct heat_model model;
	double fit_rms;

	char error[256];
};

static void model_from_params(const double *p, struct heat_model *m)
{
	*m = (struct heat_model) {
		.gain_c = exp(p[P_GAIN]),
		.element_s = exp(p[P_ELEMENT]),
		.couple_s = exp(p[P_COUPLE]),
		.loss_s = exp(p[P_LOSS]),
		.sink_c = p[P_SINK],
		.sensor_s = exp(p[P_SENSOR]),
	};
}

static void params_from_model(const struct heat_model *m, double *p)
{
	p[P_GAIN] = log(m->gain_c);
	p[P_ELEMENT] = log(m->element_s);
	p[P_COUPLE] = log(m->couple_s);
	p[P_LOSS] = log(m->loss_s);
	p[P_SINK] = m->sink_c;
	p[P_SENSOR] = log(m->sensor_s);
}

static int fail(struct heat_autotune *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct heat_autotune *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
	a->phase = PHASE_FAILED;
	a->duty = 0.0;
	return -EIO;
}

int heat_autotune_new(struct heat_autotune **ret, double target_c, double ceiling_c, double sample_s)
{
	struct heat_autotune *a;

	if (!(target_c >= 20.0 && target_c < ceiling_c && ceiling_c <= 100.0) ||
	    !(sample_s > 0.0 && sample_s <= 5.0))
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->target = target_c;
	a->ceiling = ceiling_c;
	a->h = sample_s;
	*ret = a;
	return 0;
}

struct heat_autotune *heat_autotune_free(struct heat_autotune *a)
{
	if (a) {
		free(a->y);
		free(a->u);
		free(a);
	}
	return NULL;
}

static int record(struct heat_autotune *a, double reading)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4096;
		float *y = realloc(a->y, cap * sizeof(float));
		if (!y)
			return -ENOMEM;
		a->y = y;
		float *u = realloc(a->u, cap * sizeof(float));
		if (!u)
			return -ENOMEM;
		a->u = u;
		a->cap = cap;
	}
	a->y[a->n] = (float)reading;
	a->u[a->n] = (float)a->duty;
	a->n++;
	return 0;
}

/* Mean squared difference between the readings and the model replaying the record;
 * infinite for a model no pad can be, so the fit stays among the plausible ones. */
static double replay_cost(const struct heat_autotune *a, const double *p, size_t n)
{
	struct heat_model m;
	struct heat_discrete d;
	double x[HEAT_X_N], sum = 0.0;
	char why[HEAT_PLAUSIBLE_WHY_MAX];
	size_t used = 0;

	model_from_params(p, &m);
	if (heat_model_plausible(&m, 0.0, why, sizeof(why)) < 0 || heat_model_discretize(&m, a->h, &d) < 0 ||
	    !(fabs(p[P_ELEMENT0]) <= START_ELEMENT_MAX_C && fabs(p[P_STONE0]) <= START_STONE_MAX_C))
		return INFINITY;
	heat_state_rest(x, a->rest_c);
	x[HEAT_X_ELEMENT] += p[P_ELEMENT0];
	x[HEAT_X_STONE] += p[P_STONE0];
	for (size_t k = 0; k < n; k++) {
		if (!isnan(a->y[k])) {
			double e = a->y[k] - x[HEAT_X_SENSOR];
			sum += e * e;
			used++;
		}
		heat_discrete_step(&d, x, a->u[k]);
	}
	return used ? sum / used : INFINITY;
}

/* The readings settle only five of the model's six numbers. From the duty to the
 * reading the model is the transfer function
 *     gain/(element_s·couple_s) / ((s² + a1·s + a0)·(1 + sensor_s·s)),
 *     a1 = 1/element_s + 1/couple_s + 1/loss_s,  a0 = 1/(element_s·loss_s),
 * plus the sink: any element_s with loss_s = 1/(a0·element_s), couple_s from a1 and
 * gain from the numerator replays the record exactly as well. Along that family the fit
 * drifted to Gain=500 with CoupleSeconds≈3000 (an element 500 °C over the stone) or
 * to an "element" slower than the stone; a weak prior on Gain did not hold it (a pad
 * starting warm fitted Gain 60–90, near its bound). The prior is on the element's own
 * time constant, c_h/k_hs: the one number of the family that depends on the element's
 * make only (60 J/K on 1.75 W/K, 34 s, on every bench plant, whatever the stone, the
 * power, the sensor or the room), where Gain moves with the power and CoupleSeconds
 * with the stone. Near the physical member Gain moves 2.5 times as fast as
 * ElementSeconds, so the prior is firm: a factor 1.5 costs 0.016 °C², nine times the
 * readings' noise.
 * With the element pinned, Gain is still only as sure as ElementSeconds/CoupleSeconds,
 * which the readings show in the heat the element stores (the overshoot after the
 * pulse changes with 1 − ElementSeconds/CoupleSeconds): on a heavy stone (440 J/K) that
 * is a few per cent, which the fit trades for the sensor's lag, and Gain came out 0.74
 * to 1.43 of the plant's over 60 seeds. A weak prior on Gain (28 °C, the bench's
 * 40–48 W over 1.6 W/K) decides there: a factor 1.5 costs 0.00008 °C², a twentieth of
 * the readings' noise, so where the readings do fix Gain they win. */
static double fit_prior(const double *p)
{
	double off = p[P_ELEMENT] - log(FIT_PRIOR_ELEMENT_S);
	double gain_off = p[P_GAIN] - log(FIT_PRIOR_GAIN_C);

	return FIT_PRIOR_WEIGHT * off * off + FIT_PRIOR_GAIN_WEIGHT * gain_off * gain_off;
}

static void fit_start(struct heat_autotune *a, const double *start, double scale)
{
	const double step[P_N] = {
		[P_GAIN] = 0.4 * scale, [P_ELEMENT] = 0.5 * scale, [P_COUPLE] = 0.5 * scale,
		[P_LOSS] = 0.5 * scale, [P_SINK] = 3.0 * scale, [P_SENSOR] = 0.5 * scale,
		[P_ELEMENT0] = 3.0 * scale, [P_STONE0] = 0.3 * scale,
	};

	nm_init(&a->nm, P_N, start, step, FIT_EVALUATIONS, 1e-9);
}

static void fit_next_start(struct heat_autotune *a)
{
	double start[P_N];

	params_from_model(&a->starts[a->start], start);
	start[P_ELEMENT0] = a->start_offset[0];
	start[P_STONE0] = a->start_offset[1];
	a->restarts = 0;
	a->restart_cost = INFINITY;
	fit_start(a, start, 1.0);
}

/* Fit from `from` and, since the cost has more than one valley (gain against coupling,
 * where the stone settles, the sensor's lag against the element's), also from guesses
 * on either side of it; keep the best. */
static void fit_begin(struct heat_autotune *a, const struct heat_model *from)
{
	struct heat_model warmer = *from, weaker = *from, lagging = *from;

	warmer.sink_c += 6.0;          /* a person warms an idle stone above the room */
	weaker.gain_c *= 0.6;
	weaker.couple_s *= 1.5;
	weaker.sink_c += 3.0;
	a->starts[0] = *from;
	a->starts[1] = warmer;
	a->starts[2] = weaker;
	/* a sensor mounted worse: otherwise the fit can trade its lag for the element's */
	lagging.sensor_s *= 2.5;
	a->starts[3] = lagging;
	a->n_starts = FIT_STARTS;
	a->start = 0;
	a->best_cost = a->edge_cost = INFINITY;
	a->fit_n = a->n;
	fit_next_start(a);
}

/* The readings cannot tell the sensor's lag from the element's (the three lags are
 * interchangeable in the duty's path to the reading: only the starting state and the
 * sink tell them apart), so starts can converge to a permutation of the pad where the
 * "element" is as heavy as the stone. Such an end, near a plausibility bound, is set
 * aside: the best start that ends inside the bounds is the fit, unless one at a bound
 * replays the readings much better, which is a pad no model here can be. */
static void fit_keep(struct heat_autotune *a, const double *p, double cost)
{
	char why[HEAT_PLAUSIBLE_WHY_MAX];
	struct heat_model m;

	model_from_params(p, &m);
	if (heat_model_plausible(&m, FIT_EDGE_MARGIN, why, sizeof(why)) == 0) {
		if (cost < a->best_cost) {
			a->best_cost = cost;
			memcpy(a->best, p, sizeof(a->best));
		}
	} else if (cost < a->edge_cost) {
		a->edge_cost = cost;
		memcpy(a->edge, p, sizeof(a->edge));
	}
}

/* Some work on the fit. Returns true when it has converged (a->model set). */
static bool fit_work(struct heat_autotune *a)
{
	long budget = FIT_WORK_PER_CALL;

	while (budget > 0) {
		const double *p = nm_ask(&a->nm);
		if (p) {
			nm_tell(&a->nm, replay_cost(a, p, a->fit_n) + fit_prior(p));
			budget -= (long)a->fit_n + 1;
			continue;
		}
		/* converged: restart from the best until a restart stops improving it */
		double cost, best[P_N];
		memcpy(best, nm_best(&a->nm, &cost), sizeof(best));
		if (a->restarts < FIT_RESTARTS && cost < a->restart_cost * 0.999) {
			a->restart_cost = cost;
			a->restarts++;
			fit_start(a, best, 0.5);
			continue;
		}
		fit_keep(a, best, cost);
		if (++a->start < a->n_starts) {
			fit_next_start(a);
			continue;
		}
		if (isfinite(a->best_cost) && a->best_cost > FIT_EDGE_COST_FACTOR * a->edge_cost)
			a->best_cost = INFINITY; /* the readings say: no plausible pad */
		if (!isfinite(a->best_cost)) {
			a->best_cost = a->edge_cost;
			memcpy(a->best, a->edge, sizeof(a->best));
		}
		model_from_params(a->best, &a->model);
		a->start_offset[0] = a->best[P_ELEMENT0];
		a->start_offset[1] = a->best[P_STONE0];
		a->fit_rms = sqrt(replay_cost(a, a->best, a->fit_n));
		return true;
	}
	return false;
}

static void enter(struct heat_autotune *a, enum phase p, double t)
{
	a->phase = p;
	a->phase_start = t;
}

static double full_power_stone(const struct heat_model *m)
{
	return m->sink_c + m->gain_c * m->loss_s / m->couple_s;
}

static int step(struct heat_autotune *a, double t, double reading)
{
	double in_phase = t - a->phase_start;
	char why[HEAT_PLAUSIBLE_WHY_MAX];
	int r;

	switch (a->phase) {
	case PHASE_BASELINE:
		if (in_phase < BASELINE_S)
			return 0;
		a->rest_c = a->y[0];
		if (a->rest_c > a->target - WARM_MARGIN_C)
			return fail(a, "the pad is already at %.1f °C; autotune needs it at least %.0f °C "
				    "under the target (%.1f °C): let it cool and try again",
				    a->rest_c, WARM_MARGIN_C, a->target);
		a->pulse_rise_c = CLAMP(PULSE_SHARE * (a->target - a->rest_c), PULSE_RISE_MIN_C, PULSE_RISE_MAX_C);
		a->peak_c = a->rest_c;
		enter(a, PHASE_PULSE, t);
		a->duty = 1.0;
		return 0;
	case PHASE_PULSE:
		a->peak_c = fmax(a->peak_c, reading);
		if (reading >= a->rest_c + a->pulse_rise_c || in_phase >= PULSE_MAX_S) {
			a->pulse_end = t;
			a->peak_c = reading;
			a->peak_t = t;
			a->duty = 0.0;
			enter(a, PHASE_COAST, t);
		} else if (in_phase >= PULSE_NO_RISE_S && reading < a->rest_c + 0.5)
			return fail(a, "full power for %.0f s warmed the pad by only %.1f °C: the element "
				    "or the sensor is not working", in_phase, reading - a->rest_c);
		return 0;
	case PHASE_COAST:
		if (reading > a->peak_c) {
			a->peak_c = reading;
			a->peak_t = t;
		}
		if (in_phase < fmax(COAST_MIN_S, COAST_PEAK_FACTOR * (a->peak_t - a->pulse_end)) &&
		    in_phase < COAST_MAX_S)
			return 0;
		struct heat_model guess;
		heat_model_default(&guess);
		guess.sink_c = a->rest_c;
		fit_begin(a, &guess);
		enter(a, PHASE_FIT_PULSE, t);
		return 0;
	case PHASE_FIT_PULSE:
		if (!fit_work(a))
			return 0;
		if (heat_model_plausible(&a->model, FIT_EDGE_MARGIN, why, sizeof(why)) < 0)
			return fail(a, "the pad's response fits no plausible pad: %s", why);
		r = heat_control_init(&a->control, &a->model, a->h);
		if (r < 0 || full_power_stone(&a->model) < a->target + 1.0)
			return fail(a, "the pad's response does not fit a pad that can reach %.1f °C "
				    "(fitted full-power temperature %.1f °C): check its element and sensor",
				    a->target, full_power_stone(&a->model));
		a->hold_in_band_since = -1.0;
		enter(a, PHASE_HOLD, t);
		a->duty = heat_control_update(&a->control, t, reading, a->target - HOLD_BELOW_C);
		return 0;
	case PHASE_HOLD:
		a->duty = heat_control_update(&a->control, t, reading, a->target - HOLD_BELOW_C);
		if (fabs(reading - (a->target - HOLD_BELOW_C)) > HOLD_BAND_C)
			a->hold_in_band_since = -1.0;
		else if (a->hold_in_band_since < 0.0)
			a->hold_in_band_since = t;
		if (in_phase >= HOLD_MAX_S)
			return fail(a, "the pad did not settle at %.1f °C within %.0f s",
				    a->target - HOLD_BELOW_C, HOLD_MAX_S);
		if (in_phase < HOLD_MIN_S || a->hold_in_band_since < 0.0 ||
		    t - a->hold_in_band_since < HOLD_STEADY_S)
			return 0;
		fit_begin(a, &a->model);
		enter(a, PHASE_FIT_ALL, t);
		return 0;
	case PHASE_FIT_ALL:
		/* keep holding with the first model while the fit runs */
		a->duty = heat_control_update(&a->control, t, reading, a->target - HOLD_BELOW_C);
		if (!fit_work(a))
			return 0;
		a->duty = 0.0;
		if (heat_model_plausible(&a->model, FIT_EDGE_MARGIN, why, sizeof(why)) < 0)
			return fail(a, "the pad's response fits no plausible pad: %s", why);
		if (a->fit_rms > FIT_RMS_MAX_C || heat_model_validate(&a->model) < 0 ||
		    full_power_stone(&a->model) < a->target + 1.0)
			return fail(a, "the pad does not behave like the model of a pad "
				    "(fit rms %.2f °C): check its sensor and element", a->fit_rms);
		enter(a, PHASE_DONE, t);
		return 0;
	case PHASE_DONE:
	case PHASE_FAILED:
		a->duty = 0.0;
		return 0;
	}
	return 0;
}

double heat_autotune_update(struct heat_autotune *a, double t, double reading)
{
	long samples = 1;
	int r;

	if (heat_autotune_done(a))
		return 0.0;
	if (!a->started) {
		a->started = true;
		a->t_first = a->t_last = a->phase_start = t;
	} else {
		samples = lround((t - a->t_last) / a->h);
		if (samples <= 0)
			return a->duty;
		a->t_last += samples * a->h;
	}
	/* readings missed in between are gaps in the record, the duty held through them */
	for (long i = 0; i < samples; i++) {
		r = record(a, i == samples - 1 ? reading : NAN);
		if (r < 0) {
			(void)fail(a, "out of memory for the autotune record");
			return 0.0;
		}
	}

	(void)step(a, t, reading);
	if (!heat_autotune_done(a) && reading >= a->ceiling - CEILING_GUARD_C)
		a->duty = 0.0;
	if (a->n > 0)
		a->u[a->n - 1] = (float)a->duty;
	return a->duty;
}

void heat_autotune_applied(struct heat_autotune *a, double duty)
{
	if (heat_autotune_done(a) || a->n == 0)
		return;
	a->u[a->n - 1] = (float)duty;
	heat_control_applied(&a->control, duty);
}

bool heat_autotune_done(const struct heat_autotune *a)
{
	return a->phase == PHASE_DONE || a->phase == PHASE_FAILED;
}

double heat_autotune_progress(const struct heat_autotune *a)
{
	/* rough shares of the time each phase takes on a typical pad */
	static const double start[] = {
		[PHASE_BASELINE] = 0.0, [PHASE_PULSE] = 0.02, [PHASE_COAST] = 0.15,
		[PHASE_FIT_PULSE] = 0.45, [PHASE_HOLD] = 0.5, [PHASE_FIT_ALL] = 0.92,
		[PHASE_DONE] = 1.0, [PHASE_FAILED] = 1.0,
	};
	double in_phase = a->t_last - a->phase_start, share;

	switch (a->phase) {
	case PHASE_PULSE:
		/* the highest reading so far: noise must not move progress back */
		share = a->pulse_rise_c > 0 ? (a->peak_c - a->rest_c) / a->pulse_rise_c : 0.0;
		break;
	case PHASE_COAST:
		share = in_phase / COAST_MIN_S;
		break;
	case PHASE_HOLD:
		share = in_phase / (HOLD_MIN_S + HOLD_STEADY_S);
		break;
	default:
		share = 0.0;
	}
	double next = a->phase < PHASE_DONE ? start[a->phase + 1] : 1.0;
	return start[a->phase] + CLAMP(share, 0.0, 0.95) * (next - start[a->phase]);
}

int heat_autotune_result(const struct heat_autotune *a, struct heat_tuning *ret)
{
	if (a->phase == PHASE_FAILED)
		return -EIO;
	if (a->phase != PHASE_DONE)
		return -EAGAIN;
	*ret = (struct heat_tuning) {
		.model = a->model,
		.target_c = a->target,
		.fit_rms_c = a->fit_rms,
		.duration_s = a->t_last - a->t_first,
	};
	return 0;
}

const char *heat_autotune_error(const struct heat_autotune *a)
{
	return a->phase == PHASE_FAILED ? a->error : NULL;
}
