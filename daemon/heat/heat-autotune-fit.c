/* SPDX-License-Identifier: MIT */
/* The autotune's model fit: the pad's model (heat-model.h) fitted to the record of the
 * experiment (heat-autotune.c) by Nelder–Mead from several starts, with a prior that
 * picks one of the models the readings cannot tell apart, and set aside when it ends at
 * a plausibility bound. The work is spread over calls. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "heat-autotune-fit.h"

#define FIT_WORK_PER_CALL 300000 /* model steps per call */
#define FIT_EVALUATIONS 2500
#define FIT_RESTARTS 3
#define FIT_PRIOR_ELEMENT_S 34.3 /* the bench's elements: 60 J/K over 1.75 W/K */
#define FIT_PRIOR_WEIGHT 0.1     /* °C² of mean squared error per (ln of the factor)² */
#define FIT_PRIOR_GAIN_C 28.0
#define FIT_PRIOR_GAIN_WEIGHT 0.0005
#define FIT_EDGE_COST_FACTOR 2.0 /* unless at a bound replays the readings this much better */

/* How far from its reading the pad may start: an element still hot from a session, a
 * stone the sensor lags behind while it cools. */
#define START_ELEMENT_MAX_C 30.0
#define START_STONE_MAX_C 3.0

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

/* The model of p replaying the first n samples of the record: the mean squared
 * difference from the readings, and in x the pad's state after them. Infinite for a
 * model no pad can be, so the fit stays among the plausible ones. */
static double replay(const struct heat_fit *f, const struct heat_record *r, const double *p, size_t n,
		     double x[HEAT_X_N])
{
	struct heat_model m;
	struct heat_discrete d;
	double sum = 0.0;
	char why[HEAT_PLAUSIBLE_WHY_MAX];
	size_t used = 0;

	model_from_params(p, &m);
	if (heat_model_plausible(&m, 0.0, why, sizeof(why)) < 0 || heat_model_discretize(&m, f->h, &d) < 0 ||
	    !(fabs(p[P_ELEMENT0]) <= START_ELEMENT_MAX_C && fabs(p[P_STONE0]) <= START_STONE_MAX_C))
		return INFINITY;
	heat_state_rest(x, f->rest_c);
	x[HEAT_X_ELEMENT] += p[P_ELEMENT0];
	x[HEAT_X_STONE] += p[P_STONE0];
	for (size_t k = 0; k < n; k++) {
		if (!isnan(r->y[k])) {
			double e = r->y[k] - x[HEAT_X_SENSOR];
			sum += e * e;
			used++;
		}
		heat_discrete_step(&d, x, r->u[k]);
	}
	return used ? sum / used : INFINITY;
}

static double replay_cost(const struct heat_fit *f, const struct heat_record *r, const double *p, size_t n)
{
	double x[HEAT_X_N];

	return replay(f, r, p, n, x);
}

int heat_fit_state(const struct heat_fit *f, const struct heat_record *r, double x[HEAT_X_N])
{
	/* the state at the latest reading, before the duty after it */
	return r->n > 1 && isfinite(replay(f, r, f->best, r->n - 1, x)) ? 0 : -EINVAL;
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

static void fit_start(struct heat_fit *f, const double *start, double scale)
{
	const double step[P_N] = {
		[P_GAIN] = 0.4 * scale, [P_ELEMENT] = 0.5 * scale, [P_COUPLE] = 0.5 * scale,   [P_LOSS] = 0.5 * scale,
		[P_SINK] = 3.0 * scale, [P_SENSOR] = 0.5 * scale,  [P_ELEMENT0] = 3.0 * scale, [P_STONE0] = 0.3 * scale,
	};

	nm_init(&f->nm, P_N, start, step, FIT_EVALUATIONS, 1e-9);
}

static void fit_next_start(struct heat_fit *f)
{
	double start[P_N];

	params_from_model(&f->starts[f->start], start);
	start[P_ELEMENT0] = f->start_offset[0];
	start[P_STONE0] = f->start_offset[1];
	f->restarts = 0;
	f->restart_cost = INFINITY;
	fit_start(f, start, 1.0);
}

/* Fit from `from` and, since the cost has more than one valley (gain against coupling,
 * where the stone settles, the sensor's lag against the element's), also from guesses
 * on either side of it; keep the best. */
void heat_fit_begin(struct heat_fit *f, const struct heat_model *from, size_t n, double h, double rest_c)
{
	struct heat_model warmer = *from, weaker = *from, lagging = *from;

	warmer.sink_c += 6.0; /* a person warms an idle stone above the room */
	weaker.gain_c *= 0.6;
	weaker.couple_s *= 1.5;
	weaker.sink_c += 3.0;
	f->starts[0] = *from;
	f->starts[1] = warmer;
	f->starts[2] = weaker;
	/* a sensor mounted worse: otherwise the fit can trade its lag for the element's */
	lagging.sensor_s *= 2.5;
	f->starts[3] = lagging;
	f->n_starts = FIT_STARTS;
	f->start = 0;
	f->best_cost = f->edge_cost = INFINITY;
	f->n = n;
	f->h = h;
	f->rest_c = rest_c;
	fit_next_start(f);
}

/* The readings cannot tell the sensor's lag from the element's (the three lags are
 * interchangeable in the duty's path to the reading: only the starting state and the
 * sink tell them apart), so starts can converge to a permutation of the pad where the
 * "element" is as heavy as the stone. Such an end, near a plausibility bound, is set
 * aside: the best start that ends inside the bounds is the fit, unless one at a bound
 * replays the readings much better, which is a pad no model here can be. */
static void fit_keep(struct heat_fit *f, const double *p, double cost)
{
	char why[HEAT_PLAUSIBLE_WHY_MAX];
	struct heat_model m;

	model_from_params(p, &m);
	if (heat_model_plausible(&m, FIT_EDGE_MARGIN, why, sizeof(why)) == 0) {
		if (cost < f->best_cost) {
			f->best_cost = cost;
			memcpy(f->best, p, sizeof(f->best));
		}
	} else if (cost < f->edge_cost) {
		f->edge_cost = cost;
		memcpy(f->edge, p, sizeof(f->edge));
	}
}

/* Some work on the fit. Returns true when it has converged (f->model set). */
bool heat_fit_work(struct heat_fit *f, const struct heat_record *r)
{
	long budget = FIT_WORK_PER_CALL;

	while (budget > 0) {
		const double *p = nm_ask(&f->nm);
		if (p) {
			nm_tell(&f->nm, replay_cost(f, r, p, f->n) + fit_prior(p));
			budget -= (long)f->n + 1;
			continue;
		}
		/* converged: restart from the best until a restart stops improving it */
		double cost, best[P_N];
		memcpy(best, nm_best(&f->nm, &cost), sizeof(best));
		if (f->restarts < FIT_RESTARTS && cost < f->restart_cost * 0.999) {
			f->restart_cost = cost;
			f->restarts++;
			fit_start(f, best, 0.5);
			continue;
		}
		fit_keep(f, best, cost);
		if (++f->start < f->n_starts) {
			fit_next_start(f);
			continue;
		}
		if (isfinite(f->best_cost) && f->best_cost > FIT_EDGE_COST_FACTOR * f->edge_cost)
			f->best_cost = INFINITY; /* the readings say: no plausible pad */
		if (!isfinite(f->best_cost)) {
			f->best_cost = f->edge_cost;
			memcpy(f->best, f->edge, sizeof(f->best));
		}
		model_from_params(f->best, &f->model);
		f->start_offset[0] = f->best[P_ELEMENT0];
		f->start_offset[1] = f->best[P_STONE0];
		f->rms = sqrt(replay_cost(f, r, f->best, f->n));
		return true;
	}
	return false;
}
