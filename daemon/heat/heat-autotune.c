/* SPDX-License-Identifier: MIT */
/* The autotune's experiment on the pad: baseline, pulse, coast and hold (heat-autotune.h
 * has the steps), the record of what the pad did, the ceiling guard, progress and the
 * result; the fits of its model to the record are heat-autotune-fit.c's. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "heat-autotune.h"
#include "heat-autotune-fit.h"
#include "heat-control.h"
#include "macro.h"

#define BASELINE_S 20.0
#define PULSE_SHARE 0.4 /* of the way from rest to the target */
#define PULSE_RISE_MIN_C 1.0
#define PULSE_RISE_MAX_C 8.0
#define PULSE_MAX_S 900.0
#define PULSE_NO_RISE_S 300.0 /* full power this long without 0.5 °C: no heat arrives */
#define COAST_MIN_S 240.0
#define COAST_PEAK_FACTOR 4.0 /* coast 4 × the time the stored heat took to arrive */
#define COAST_MAX_S 1200.0
#define HOLD_BELOW_C 0.3 /* hold this far under the target */
#define HOLD_BAND_C 0.3
#define HOLD_STEADY_S 200.0
#define HOLD_MIN_S 300.0
#define HOLD_MAX_S 1800.0
#define CEILING_GUARD_C 0.5
#define WARM_MARGIN_C 5.0 /* the pad must start this far under the target */
#define FIT_RMS_MAX_C 0.25

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

struct heat_autotune {
	double target, ceiling, h;
	enum phase phase;
	bool started;
	double t_first, t_last, phase_start;
	double duty;

	struct heat_record rec; /* what the fits replay */

	double rest_c, pulse_rise_c;
	double pulse_end, peak_c, peak_t;
	double hold_in_band_since;
	struct heat_control control;

	struct heat_fit fit;

	char error[256];
};

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

	if (!(target_c >= 20.0 && target_c < ceiling_c && ceiling_c <= 100.0) || !(sample_s > 0.0 && sample_s <= 5.0))
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
		free(a->rec.y);
		free(a->rec.u);
		free(a);
	}
	return NULL;
}

static int record(struct heat_autotune *a, double reading)
{
	if (a->rec.n == a->rec.cap) {
		size_t cap = a->rec.cap ? a->rec.cap * 2 : 4096;
		float *y = realloc(a->rec.y, cap * sizeof(float));
		if (!y)
			return -ENOMEM;
		a->rec.y = y;
		float *u = realloc(a->rec.u, cap * sizeof(float));
		if (!u)
			return -ENOMEM;
		a->rec.u = u;
		a->rec.cap = cap;
	}
	a->rec.y[a->rec.n] = (float)reading;
	a->rec.u[a->rec.n] = (float)a->duty;
	a->rec.n++;
	return 0;
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
		a->rest_c = a->rec.y[0];
		if (a->rest_c > a->target - WARM_MARGIN_C)
			return fail(a,
				    "the pad is already at %.1f °C; autotune needs it at least %.0f °C "
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
			return fail(a,
				    "full power for %.0f s warmed the pad by only %.1f °C: the element "
				    "or the sensor is not working",
				    in_phase, reading - a->rest_c);
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
		heat_fit_begin(&a->fit, &guess, a->rec.n, a->h, a->rest_c);
		enter(a, PHASE_FIT_PULSE, t);
		return 0;
	case PHASE_FIT_PULSE:
		if (!heat_fit_work(&a->fit, &a->rec))
			return 0;
		if (heat_model_plausible(&a->fit.model, FIT_EDGE_MARGIN, why, sizeof(why)) < 0)
			return fail(a, "the pad's response fits no plausible pad: %s", why);
		r = heat_control_init(&a->control, &a->fit.model, a->h);
		if (r < 0 || full_power_stone(&a->fit.model) < a->target + 1.0)
			return fail(a,
				    "the pad's response does not fit a pad that can reach %.1f °C "
				    "(fitted full-power temperature %.1f °C): check its element and sensor",
				    a->target, full_power_stone(&a->fit.model));
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
			return fail(a, "the pad did not settle at %.1f °C within %.0f s", a->target - HOLD_BELOW_C,
				    HOLD_MAX_S);
		if (in_phase < HOLD_MIN_S || a->hold_in_band_since < 0.0 || t - a->hold_in_band_since < HOLD_STEADY_S)
			return 0;
		heat_fit_begin(&a->fit, &a->fit.model, a->rec.n, a->h, a->rest_c);
		enter(a, PHASE_FIT_ALL, t);
		return 0;
	case PHASE_FIT_ALL:
		/* keep holding with the first model while the fit runs */
		a->duty = heat_control_update(&a->control, t, reading, a->target - HOLD_BELOW_C);
		if (!heat_fit_work(&a->fit, &a->rec))
			return 0;
		a->duty = 0.0;
		if (heat_model_plausible(&a->fit.model, FIT_EDGE_MARGIN, why, sizeof(why)) < 0)
			return fail(a, "the pad's response fits no plausible pad: %s", why);
		if (a->fit.rms > FIT_RMS_MAX_C || heat_model_validate(&a->fit.model) < 0 ||
		    full_power_stone(&a->fit.model) < a->target + 1.0)
			return fail(a,
				    "the pad does not behave like the model of a pad "
				    "(fit rms %.2f °C): check its sensor and element",
				    a->fit.rms);
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
	if (a->rec.n > 0)
		a->rec.u[a->rec.n - 1] = (float)a->duty;
	return a->duty;
}

void heat_autotune_applied(struct heat_autotune *a, double duty)
{
	if (heat_autotune_done(a) || a->rec.n == 0)
		return;
	a->rec.u[a->rec.n - 1] = (float)duty;
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
		[PHASE_BASELINE] = 0.0, [PHASE_PULSE] = 0.02,   [PHASE_COAST] = 0.15, [PHASE_FIT_PULSE] = 0.45,
		[PHASE_HOLD] = 0.5,     [PHASE_FIT_ALL] = 0.92, [PHASE_DONE] = 1.0,   [PHASE_FAILED] = 1.0,
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
		.model = a->fit.model,
		.target_c = a->target,
		.fit_rms_c = a->fit.rms,
		.duration_s = a->t_last - a->t_first,
	};
	return 0;
}

const char *heat_autotune_error(const struct heat_autotune *a)
{
	return a->phase == PHASE_FAILED ? a->error : NULL;
}

int heat_autotune_state(const struct heat_autotune *a, double x[HEAT_X_N])
{
	if (a->phase != PHASE_DONE)
		return -EAGAIN;
	return heat_fit_state(&a->fit, &a->rec, x);
}
