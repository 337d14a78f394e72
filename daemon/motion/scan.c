/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "scan.h"

/* The edge finder. Readings arrive every 20–200 ms of chair time while the rollers
 * climb, so bins may be empty and every reading is noisy:
 *   1. smooth the bins with a local straight-line fit (unbiased on a slope, whatever
 *      the sample spacing);
 *   2. a first threshold halfway between the 90th and 10th percentile finds the edge
 *      roughly;
 *   3. the back level is the median of the bins below it, the neck level the median
 *      of those above (each kept SCAN_LEVEL_GUARD_MM away from the edge);
 *   4. the shoulder line is the highest crossing of the midpoint between the two
 *      levels, interpolated between the two smoothed points around it.
 * A symmetric smoothing window keeps the midpoint crossing of a symmetric edge where
 * it is, so the window may be wider than the edge is sharp. */

#define NBINS (ROLLER_TRAVEL_MAX_MM + 1)

struct scan_profile {
	int lo, hi;           /* lowest and highest filled bin */
	unsigned filled;      /* filled bins */
	double smooth[NBINS]; /* smoothed load, N; NAN where no sample is near */
};

void body_scan_init(struct body_scan *s)
{
	memset(s, 0, sizeof(*s));
}

void body_scan_add(struct body_scan *s, unsigned position_mm, double load_n)
{
	if (position_mm > ROLLER_TRAVEL_MAX_MM || !isfinite(load_n))
		return;
	s->load_sum[position_mm] += load_n;
	s->count[position_mm]++;
}

void body_scan_add_held(struct body_scan *s, unsigned position_mm, double load_n, unsigned held_back_mm)
{
	body_scan_add(s, position_mm, load_n + SCAN_HELD_BACK_N_PER_MM * held_back_mm);
}

static double bin_mean(const struct body_scan *s, int x)
{
	return s->load_sum[x] / s->count[x];
}

/* Least-squares line through the samples within ±SCAN_SMOOTH_HALF_MM, read at x. */
static double smooth_at(const struct body_scan *s, const struct scan_profile *p, int x)
{
	double n = 0, sx = 0, sxx = 0, sy = 0, sxy = 0, xm, var;

	for (int k = MAX(p->lo, x - SCAN_SMOOTH_HALF_MM); k <= MIN(p->hi, x + SCAN_SMOOTH_HALF_MM); k++) {
		double w = s->count[k], u = k - x;

		n += w;
		sx += w * u;
		sxx += w * u * u;
		sy += s->load_sum[k];
		sxy += u * s->load_sum[k];
	}
	if (n == 0)
		return NAN;
	xm = sx / n;
	var = sxx / n - xm * xm;
	if (var < 1e-9)
		return sy / n; /* samples in one bin only: no slope to fit */
	/* the line through the centroid, evaluated at u = 0 */
	return sy / n - (sxy / n - xm * sy / n) / var * xm;
}

static int profile_build(const struct body_scan *s, struct scan_profile *p)
{
	p->lo = -1;
	p->hi = -1;
	p->filled = 0;
	for (int x = 0; x < NBINS; x++) {
		if (s->count[x] == 0)
			continue;
		if (p->lo < 0)
			p->lo = x;
		p->hi = x;
		p->filled++;
	}
	if (p->filled < SCAN_MIN_BINS)
		return -ENODATA;
	for (int x = 0; x < NBINS; x++)
		p->smooth[x] = x < p->lo || x > p->hi ? NAN : smooth_at(s, p, x);
	return 0;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* q-quantile (0..1) of v[0..n), sorting v in place; n > 0. */
static double quantile(double *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), compare_double);
	return v[(size_t)lround(q * (double)(n - 1))];
}

/* Midpoint between the upper and lower decile of the smoothed profile. */
static int rough_threshold(const struct scan_profile *p, double *ret)
{
	double v[NBINS], hi;
	size_t n = 0;

	for (int x = p->lo; x <= p->hi; x++)
		if (!isnan(p->smooth[x]))
			v[n++] = p->smooth[x];
	if (n == 0)
		return -ENODATA;
	hi = quantile(v, n, 0.9);
	if (hi < SCAN_MIN_CONTACT_N)
		return -ENODATA; /* no contact at all: empty seat */
	*ret = (hi + quantile(v, n, 0.1)) / 2.0;
	return 0;
}

/* The highest place where the smoothed load falls from ≥ t (below) to < t (above),
 * interpolated between the two smoothed points around it. */
static int highest_crossing(const struct scan_profile *p, double t, double *ret_mm)
{
	int above = -1; /* the nearest valid point above x */

	for (int x = p->hi; x >= p->lo; x--) {
		double v = p->smooth[x];

		if (isnan(v))
			continue;
		if (v >= t && above >= 0 && p->smooth[above] < t) {
			*ret_mm = x + (v - t) / (v - p->smooth[above]) * (above - x);
			return 0;
		}
		above = x;
	}
	return -ENODATA;
}

/* Median of the filled bins' means in [from, to]; -ENODATA if too few. */
static int level_median(const struct body_scan *s, int from, int to, double *ret)
{
	double v[NBINS];
	size_t n = 0;

	for (int x = MAX(from, 0); x <= MIN(to, NBINS - 1); x++)
		if (s->count[x] > 0)
			v[n++] = bin_mean(s, x);
	if (n < SCAN_MIN_LEVEL_BINS)
		return -ENODATA;
	*ret = quantile(v, n, 0.5);
	return 0;
}

int body_scan_find_shoulder(const struct body_scan *s, unsigned *ret_mm)
{
	struct scan_profile p;
	double t, rough, back, neck, edge;
	int r;

	r = profile_build(s, &p);
	if (r < 0)
		return r;
	r = rough_threshold(&p, &t);
	if (r < 0)
		return r;
	r = highest_crossing(&p, t, &rough);
	if (r < 0)
		return r;

	r = level_median(s, p.lo, (int)floor(rough) - SCAN_LEVEL_GUARD_MM, &back);
	if (r < 0)
		return r;
	r = level_median(s, (int)ceil(rough) + SCAN_LEVEL_GUARD_MM, p.hi, &neck);
	if (r < 0)
		return r;
	if (back < SCAN_MIN_CONTACT_N || back - neck < SCAN_MIN_DROP_FRACTION * back)
		return -ENODATA; /* no clear drop: a flat profile */

	r = highest_crossing(&p, (back + neck) / 2.0, &edge);
	if (r < 0)
		return r;
	if (edge < SCAN_MIN_SHOULDER_MM)
		return -ENODATA;
	*ret_mm = (unsigned)lround(edge);
	return 0;
}
