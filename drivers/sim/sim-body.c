/* SPDX-License-Identifier: MIT */
#include "sim-body.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "macro.h"

/* How sharply things change at the shoulder line: the weight falls away, the neck's
 * curve begins and the stiffness turns to the neck's, all with the same logistic
 * (10–90 % over ~24 mm) centred on the line, so a scan finds the line where it is. */
#define SHOULDER_EDGE_MM 3.5
#define NECK_WEIGHT_SHARE 0.12 /* of the weight, high on the neck */
#define ZONE_BLEND_MM 8.0      /* the other zone boundaries: logistic scale */

/* The spine's curve, as shares of Contour: the thoracic curve and the shoulder girdle
 * over it lie toward the rollers from the shoulder line down to THORACIC_TO_MM, the
 * lumbar curve falls away low on the back, and the neck falls away above the shoulder
 * line. */
#define THORACIC_TO_MM (-300.0)
#define THORACIC_EDGE_MM 30.0
#define LUMBAR_CENTRE_MM (-420.0)
#define LUMBAR_WIDTH_MM 90.0
#define THORACIC_SHARE 0.2
#define LUMBAR_SHARE 0.6
#define NECK_SHARE 0.8
/* The shoulder girdle's muscle just below the shoulder line (the trapezius over the
 * shoulder blades' upper edge): firmer than the zone's tissue by up to this share. It
 * adds stiffness, not height, so the rollers at zero depth still carry just the weight. */
#define GIRDLE_CENTRE_MM (-30.0)
#define GIRDLE_WIDTH_MM 25.0
#define GIRDLE_STIFFENING 0.5

/* Breathing moves the rib cage, and the back over it, by the whole Breathing; the
 * shoulder girdle above it hardly at all (the share falls to nothing at the shoulder
 * line), so a breath does not move the shoulder line a scan finds. */
#define BREATH_TOP_MM (-45.0)
#define BREATH_EDGE_MM 8.0

/* Bony spots: the shoulder blades' inner edges (a band a few cm below the shoulder
 * line) and the spinous processes, one every vertebra down the back, each a few mm. */
#define SCAPULA_CENTRE_MM (-60.0)
#define SCAPULA_SIGMA_MM 7.0
#define SCAPULA_SHARE 0.3
#define VERTEBRA_PITCH_MM 24.0
#define VERTEBRA_SIGMA_MM 1.5
#define VERTEBRA_SHARE 0.25

struct body_param {
	const char *name;
	size_t offset;
	double min, max;
	const char *unit;
};

#define PARAM(n, field, lo, hi, u) \
	{ \
		n, offsetof(struct sim_body, field), lo, hi, u \
	}

/* The ranges: anything a person could be, with room for a tensing back; nothing that
 * makes the model meaningless (negative stiffness, a breath shorter than a second). */
static const struct body_param params[] = {
	PARAM("StiffnessNeck", stiffness_n_mm[SIM_BODY_NECK], 0.1, 50, "N/mm"),
	PARAM("StiffnessShoulders", stiffness_n_mm[SIM_BODY_SHOULDERS], 0.1, 50, "N/mm"),
	PARAM("StiffnessUpperBack", stiffness_n_mm[SIM_BODY_UPPER_BACK], 0.1, 50, "N/mm"),
	PARAM("StiffnessLowerBack", stiffness_n_mm[SIM_BODY_LOWER_BACK], 0.1, 50, "N/mm"),
	PARAM("StiffeningPerMm", stiffening_per_mm, 0.001, 0.3, "1/mm"),
	PARAM("Contour", contour_mm, 0, 30, "mm"),
	PARAM("BonyStiffness", bony_stiffness, 1, 20, "factor"),
	PARAM("Weight", weight_n, 0.5, 400, "N"),
	PARAM("Breathing", breathing_mm, 0, 10, "mm"),
	PARAM("BreathingPeriod", breathing_period_s, 1, 20, "s"),
	PARAM("Tension", tension, 0.2, 10, "factor"),
	PARAM("Noise", noise_n, 0, 20, "N"),
};

void sim_body_default(struct sim_body *ret)
{
	*ret = (struct sim_body) {
		.stiffness_n_mm = {
			[SIM_BODY_NECK] = 1.2,
			[SIM_BODY_SHOULDERS] = 2.2,
			[SIM_BODY_UPPER_BACK] = 2.5,
			[SIM_BODY_LOWER_BACK] = 1.8,
		},
		.stiffening_per_mm = 0.06,
		.contour_mm = 6.0,
		.bony_stiffness = 3.0,
		.weight_n = 12.0,
		.breathing_mm = 2.0,
		.breathing_period_s = 4.5,
		.tension = 1.0,
		.noise_n = 2.0,
	};
}

/* 0 well below `at`, 1 well above. */
static double rising(double rel_mm, double at_mm, double scale_mm)
{
	return 1.0 / (1.0 + exp(-(rel_mm - at_mm) / scale_mm));
}

static double gauss(double x, double centre, double sigma)
{
	double u = (x - centre) / sigma;

	return exp(-0.5 * u * u);
}

static double zone_stiffness(const struct sim_body *b, double rel_mm)
{
	double to_neck = rising(rel_mm, SIM_BODY_NECK_FROM_MM, SHOULDER_EDGE_MM);
	double to_shoulders = rising(rel_mm, SIM_BODY_SHOULDERS_TO_MM, ZONE_BLEND_MM);
	double to_upper = rising(rel_mm, SIM_BODY_UPPER_BACK_TO_MM, ZONE_BLEND_MM);
	const double *k = b->stiffness_n_mm;
	double back = k[SIM_BODY_LOWER_BACK] + (k[SIM_BODY_UPPER_BACK] - k[SIM_BODY_LOWER_BACK]) * to_upper;
	double below_neck = back + (k[SIM_BODY_SHOULDERS] - back) * to_shoulders;

	return below_neck + (k[SIM_BODY_NECK] - below_neck) * to_neck;
}

/* 0..1: how bony the back is here. */
static double bony_share(double rel_mm)
{
	double scapula = SCAPULA_SHARE * gauss(rel_mm, SCAPULA_CENTRE_MM, SCAPULA_SIGMA_MM);
	double nearest = VERTEBRA_PITCH_MM * round(rel_mm / VERTEBRA_PITCH_MM);
	/* the spinous processes from below the shoulder line down */
	double vertebra =
		VERTEBRA_SHARE * gauss(rel_mm, nearest, VERTEBRA_SIGMA_MM) * (1.0 - rising(rel_mm, -30.0, 8.0));

	return MAX(scapula, vertebra);
}

static double contour_surface_mm(const struct sim_body *b, double rel_mm)
{
	double thoracic = THORACIC_SHARE * rising(rel_mm, THORACIC_TO_MM, THORACIC_EDGE_MM);
	double lumbar = LUMBAR_SHARE * gauss(rel_mm, LUMBAR_CENTRE_MM, LUMBAR_WIDTH_MM);
	double neck = NECK_SHARE * rising(rel_mm, SIM_BODY_NECK_FROM_MM, SHOULDER_EDGE_MM);

	return b->contour_mm * (thoracic - lumbar - neck);
}

static double force_at_compression(const struct sim_body *b, double rel_mm, double x_mm)
{
	double neck = rising(rel_mm, SIM_BODY_NECK_FROM_MM, SHOULDER_EDGE_MM);
	double w = b->weight_n * (1.0 - (1.0 - NECK_WEIGHT_SHARE) * neck);
	double girdle = 1.0 + GIRDLE_STIFFENING * gauss(rel_mm, GIRDLE_CENTRE_MM, GIRDLE_WIDTH_MM);
	double k = zone_stiffness(b, rel_mm) * girdle * (1.0 + (b->bony_stiffness - 1.0) * bony_share(rel_mm)) *
		   b->tension;
	double s = b->stiffening_per_mm;

	if (x_mm < 0)
		return w * exp(k * x_mm / w);
	return w + k * expm1(s * x_mm) / s;
}

/* How far a breath moves the back here, at its fullest, mm. */
static double breath_mm(const struct sim_body *b, double rel_mm)
{
	return b->breathing_mm * (1.0 - rising(rel_mm, BREATH_TOP_MM, BREATH_EDGE_MM));
}

double sim_body_force_n(const struct sim_body *b, double rel_mm, double depth_mm, double t_s)
{
	double breath = breath_mm(b, rel_mm) * sin(2.0 * M_PI * t_s / b->breathing_period_s);

	return force_at_compression(b, rel_mm, depth_mm + contour_surface_mm(b, rel_mm) + breath);
}

double sim_body_force_max_n(const struct sim_body *b, double rel_mm, double depth_mm)
{
	return force_at_compression(b, rel_mm, depth_mm + contour_surface_mm(b, rel_mm) + breath_mm(b, rel_mm));
}

int sim_body_set(struct sim_body *b, const char *name, double value)
{
	for (size_t i = 0; i < ELEMENTSOF(params); i++) {
		if (strcmp(params[i].name, name) != 0)
			continue;
		if (!isfinite(value) || value < params[i].min || value > params[i].max)
			return -ERANGE;
		*(double *)((char *)b + params[i].offset) = value;
		return 0;
	}
	return -ENOENT;
}

double sim_body_param_value(const struct sim_body *b, size_t i)
{
	if (i >= ELEMENTSOF(params))
		return NAN;
	return *(const double *)((const char *)b + params[i].offset);
}

const char *sim_body_param_name(size_t i, double *ret_min, double *ret_max, const char **ret_unit)
{
	if (i >= ELEMENTSOF(params))
		return NULL;
	if (ret_min)
		*ret_min = params[i].min;
	if (ret_max)
		*ret_max = params[i].max;
	if (ret_unit)
		*ret_unit = params[i].unit;
	return params[i].name;
}
