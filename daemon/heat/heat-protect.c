/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "driver.h"
#include "heat-protect.h"

#define DUTY_MEAN_S 30.0
/* Runaway: the element is asked for most of its power, the observer needs a heat
 * loss of three quarters of it to explain the readings, and the reading is not
 * climbing, for this long. A dead element or a sensor off the stone needs all of it.
 * With a tuned model a person leaning back costs about a third at most; untuned
 * defaults on a weak pad about two thirds (measured on the bench plants). */
#define RUNAWAY_DUTY 0.6
#define RUNAWAY_SHARE 0.75
#define RUNAWAY_CLIMB_C 0.3
#define RUNAWAY_S 20.0
/* Stuck on: off for a while, yet the observer sees a quarter of full power arriving
 * and the reading climbs. Coasting after full power is in the model; it is not seen.
 * (Normal operation stays under a tenth on the bench plants, tuned or not; untuned
 * defaults overrate a pad's element, so a welded relay shows as less than all.) */
#define STUCK_OFF_S 10.0
#define STUCK_SHARE 0.25
#define STUCK_S 5.0
#define STUCK_RISE_C 0.2

int heat_reading_from_raw(int16_t raw, double *ret)
{
	double c = raw / 10.0;

	if (raw == TEMP_SENTINEL_OPEN || raw == TEMP_SENTINEL_SHORT || c < HEAT_READING_MIN_C || c > HEAT_READING_MAX_C)
		return -ERANGE;
	*ret = c;
	return 0;
}

void heat_protect_init(struct heat_protect *p, double max_target_c, const struct heat_model *m)
{
	*p = (struct heat_protect) {
		.max_target_c = max_target_c,
		.full_rate = heat_model_full_rate(m),
		.off_since = -1.0,
		.runaway_since = -1.0,
		.stuck_since = -1.0,
		.seated = true,
		.full_since = -1.0,
	};
	heat_relay_check_model(&p->relay, false, m->sensor_s);
}

void heat_protect_seated(struct heat_protect *p, double t, bool seated)
{
	if (seated != p->seated)
		heat_relay_check_seat_changed(&p->relay, t);
	p->seated = seated;
}

void heat_protect_model_tuned(struct heat_protect *p, bool tuned)
{
	heat_relay_check_model(&p->relay, tuned, p->relay.sensor_s);
}

void heat_protect_autotuning(struct heat_protect *p, bool on)
{
	if (on != p->autotuning)
		heat_relay_check_reset(&p->relay);
	p->autotuning = on;
}

void heat_protect_set_model(struct heat_protect *p, const struct heat_model *m)
{
	p->full_rate = heat_model_full_rate(m);
	heat_relay_check_model(&p->relay, false, m->sensor_s);
	p->runaway_since = p->stuck_since = p->full_since = -1.0;
	heat_relay_check_reset(&p->relay);
}

double heat_dose_rate(double celsius)
{
	return pow(celsius >= 43.0 ? 0.5 : 0.25, 43.0 - celsius);
}

#define DOSE_N (HEAT_DOSE_SLICES + 1)

void heat_dose_init(struct heat_dose *d, double window_s)
{
	*d = (struct heat_dose) { .slice_s = window_s / HEAT_DOSE_SLICES };
}

void heat_dose_set_window(struct heat_dose *d, double window_s)
{
	d->slice_s = window_s / HEAT_DOSE_SLICES;
}

/* Start new slices up to t, forgetting the oldest. */
static void dose_advance(struct heat_dose *d, double t)
{
	if (!d->started) {
		d->started = true;
		d->slice_start = d->t_last = t;
		return;
	}
	if (t - d->slice_start >= DOSE_N * d->slice_s) {
		memset(d->slice_min, 0, sizeof(d->slice_min));
		d->slice_start = t;
		return;
	}
	while (t - d->slice_start >= d->slice_s) {
		d->newest = (d->newest + 1) % DOSE_N;
		d->slice_min[d->newest] = 0.0;
		d->slice_start += d->slice_s;
	}
}

void heat_dose_add(struct heat_dose *d, double t, double celsius)
{
	double dt;

	dose_advance(d, t);
	dt = t - d->t_last;
	d->t_last = t;
	if (dt > 0.0)
		d->slice_min[d->newest] += dt / 60.0 * heat_dose_rate(celsius);
}

double heat_dose_total(struct heat_dose *d, double t)
{
	double sum = 0.0;

	if (d->started && t >= d->slice_start)
		dose_advance(d, t);
	for (unsigned i = 0; i < DOSE_N; i++)
		sum += d->slice_min[i];
	return sum;
}

void heat_dose_get(const struct heat_dose *d, double ret[HEAT_DOSE_SLICES + 1])
{
	for (unsigned i = 0; i < DOSE_N; i++)
		ret[i] = d->slice_min[(d->newest + 1 + i) % DOSE_N];
}

void heat_dose_put(struct heat_dose *d, const double slices[HEAT_DOSE_SLICES + 1])
{
	memcpy(d->slice_min, slices, sizeof(d->slice_min));
	d->newest = DOSE_N - 1;
	d->started = false;
}

/* How far the reading rose over the last 15 s. */
static double recent_rise(const struct heat_protect *p, double reading)
{
	const unsigned back = 15;

	if (p->history_n <= back)
		return 0.0;
	return reading - p->history[(p->history_n - 1 - back) % HEAT_HISTORY_N];
}

static void remember(struct heat_protect *p, double t, double reading)
{
	if (p->history_n > 0 && t - p->history_t < 1.0)
		return;
	p->history[p->history_n++ % HEAT_HISTORY_N] = reading;
	if (p->history_n >= 2 * HEAT_HISTORY_N)
		p->history_n -= HEAT_HISTORY_N; /* keep the index small, the ring position the same */
	p->history_t = t;
}

/* Whether cond has held for `hold` seconds, tracking since when in *since. */
static bool held(bool cond, double t, double *since, double hold)
{
	if (!cond) {
		*since = -1.0;
		return false;
	}
	if (*since < 0.0)
		*since = t;
	return t - *since >= hold;
}

/* What the observer's model expects of the reading over HEAT_RUNAWAY_FULL_S from its
 * estimate now: the rise without heat (a stone still coasting up or cooling down, a
 * person's body warming it) and what full power adds to that. */
static void expected_full_rise(const struct heat_control *observer, double *ret_base, double *ret_heat)
{
	double off[HEAT_X_N], on[HEAT_X_N];
	long n = lround(HEAT_RUNAWAY_FULL_S / observer->sample.h);

	memcpy(off, observer->x, sizeof(off));
	memcpy(on, observer->x, sizeof(on));
	for (long i = 0; i < n; i++) {
		heat_discrete_step(&observer->sample, off, 0.0);
		heat_discrete_step(&observer->sample, on, 1.0);
	}
	*ret_base = off[HEAT_X_SENSOR] - observer->x[HEAT_X_SENSOR];
	*ret_heat = on[HEAT_X_SENSOR] - off[HEAT_X_SENSOR];
}

/* The reading's trend over the last HEAT_RUNAWAY_TREND_S seconds, °C/s (0 while the
 * history is shorter). */
static double reading_trend(const struct heat_protect *p, double reading)
{
	if (p->history_n <= HEAT_RUNAWAY_TREND_S)
		return 0.0;
	return (reading - p->history[(p->history_n - 1 - HEAT_RUNAWAY_TREND_S) % HEAT_HISTORY_N]) /
	       HEAT_RUNAWAY_TREND_S;
}

/* Full power for HEAT_RUNAWAY_FULL_S, started from off, and the reading has not risen by
 * either measure: less than HEAT_RUNAWAY_FULL_RISE_C above its trend before, and less
 * than a share of the heat's rise the model expects above where the model says it would
 * have gone without heat. Each alone misjudges a healthy pad now and then (the trend at
 * the top of a coast; a model that overrates the heat), both together only a pad that
 * does not warm. */
static bool full_power_without_rise(struct heat_protect *p, double t, double reading, double duty, bool from_off,
				    const struct heat_control *observer)
{
	double rise;

	if (duty < HEAT_RUNAWAY_FULL_DUTY) {
		p->full_since = -1.0;
		return false;
	}
	if (p->full_since < 0.0) {
		/* only from off with the element about as cool as the stone (as the model sees
		 * it), not in autotune: full power that answers a person leaning back holds the
		 * reading where it is, as it should, and an element still hot from the last
		 * heat makes the stone's first seconds hard to judge */
		if (!from_off || p->autotuning ||
		    observer->x[HEAT_X_ELEMENT] - observer->x[HEAT_X_STONE] > HEAT_RUNAWAY_ELEMENT_WARM_C)
			return false;
		p->full_since = t;
		p->full_trend = reading_trend(p, reading);
		expected_full_rise(observer, &p->full_base_c, &p->full_expected_c);
		p->full_start_c = 0.0;
		p->full_start_n = 0;
	}
	if (p->full_start_n < 4) {
		p->full_start_c += (reading - p->full_start_c) / ++p->full_start_n;
		return false;
	}
	if (t - p->full_since < HEAT_RUNAWAY_FULL_S)
		return false;
	rise = reading - p->full_start_c;
	if (rise - p->full_trend * (t - p->full_since) >= HEAT_RUNAWAY_FULL_RISE_C)
		return false;
	return p->full_expected_c < HEAT_RUNAWAY_FULL_MIN_C ||
	       rise - p->full_base_c < HEAT_RUNAWAY_FULL_SHARE * p->full_expected_c;
}

enum heat_verdict heat_protect_check(struct heat_protect *p, double t, double reading, double duty,
				     const struct heat_control *observer)
{
	double dt = p->started ? t - p->t_last : 0.0;
	double disturb = heat_control_disturb(observer);
	double step = p->started ? reading - p->reading_last : 0.0;
	bool from_off;

	if (dt < 0.0)
		dt = 0.0;
	if (!p->started || reading != p->reading_last || p->duty_mean < HEAT_SENSOR_FROZEN_DUTY)
		p->reading_since = t;
	p->started = true;
	p->t_last = t;
	p->reading_before = p->reading_last;
	p->reading_last = reading;
	from_off = p->off_since >= 0.0 && t - p->off_since >= HEAT_RUNAWAY_FROM_OFF_S;
	p->duty_mean += (duty - p->duty_mean) * fmin(1.0, dt / DUTY_MEAN_S);
	if (duty > 0.0)
		p->off_since = -1.0;
	else if (p->off_since < 0.0)
		p->off_since = t;
	remember(p, t, reading);

	if (reading >= p->max_target_c + HEAT_OVERTEMP_MARGIN_C)
		return HEAT_VERDICT_OVERTEMP;
	if (fabs(step) > HEAT_SENSOR_JUMP_C && dt <= HEAT_SENSOR_JUMP_WITHIN_S)
		return HEAT_VERDICT_SENSOR;
	if (t - p->reading_since >= HEAT_SENSOR_FROZEN_S)
		return HEAT_VERDICT_FROZEN;
	if (!p->autotuning && heat_relay_check_update(&p->relay, t, reading, duty, observer))
		return HEAT_VERDICT_STUCK;
	if (full_power_without_rise(p, t, reading, duty, from_off, observer))
		return HEAT_VERDICT_RUNAWAY;
	if (held(p->duty_mean >= RUNAWAY_DUTY && disturb < -RUNAWAY_SHARE * p->full_rate &&
			 recent_rise(p, reading) < RUNAWAY_CLIMB_C,
		 t, &p->runaway_since, RUNAWAY_S))
		return HEAT_VERDICT_RUNAWAY;
	if (held(p->off_since >= 0.0 && t - p->off_since >= STUCK_OFF_S && disturb > STUCK_SHARE * p->full_rate &&
			 recent_rise(p, reading) >= STUCK_RISE_C,
		 t, &p->stuck_since, STUCK_S))
		return HEAT_VERDICT_STUCK;
	return HEAT_VERDICT_OK;
}
