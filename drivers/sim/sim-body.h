/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The person on the simulated chair, as the rollers feel them: the contact force of the
 * back on the rollers at a height, a depth and an instant. Pure: no I/O, no state that
 * changes with time (breathing is a function of the time passed in).
 *
 * Along the track, relative to the person's shoulder line (rel_mm = travel - shoulder):
 *   neck above SIM_BODY_NECK_FROM_MM (the shoulder line), shoulders down to SIM_BODY_SHOULDERS_TO_MM,
 *   upper back down to SIM_BODY_UPPER_BACK_TO_MM, lower back below; neighbouring
 *   zones blend over a few mm, so the stiffness has no step along the track.
 * The back's surface lies at contour(rel) + breathing(rel, t) mm toward the rollers (the
 * spine's curve: the thoracic curve bulges toward them, the lumbar and cervical curves
 * fall away; a breath moves the rib cage, the shoulder girdle above it hardly). A roller
 * at depth d compresses the tissue by x = d + surface. The force:
 *   x >= 0: W(rel) + k(rel) * (exp(s * x) - 1) / s   (soft first, firmer deeper)
 *   x <  0: W(rel) * exp(k(rel) * x / W(rel))         (the back leaving the roller)
 * with k the zone's stiffness at light contact times the bony factor (shoulder blades,
 * spinous processes: BonyStiffness over a few mm) times the shoulder girdle's firmer
 * muscle just below the shoulder line times Tension, s = StiffeningPerMm,
 * and W the person's weight on the rollers, which falls away above the shoulder line
 * (the neck barely rests on them). Both branches meet with the same slope at x = 0. */

#define SIM_BODY_NECK_FROM_MM 0.0
#define SIM_BODY_SHOULDERS_TO_MM (-90.0)
#define SIM_BODY_UPPER_BACK_TO_MM (-260.0)

enum sim_body_zone {
	SIM_BODY_NECK,
	SIM_BODY_SHOULDERS,
	SIM_BODY_UPPER_BACK,
	SIM_BODY_LOWER_BACK,
	_SIM_BODY_ZONE_MAX,
};

struct sim_body {
	double stiffness_n_mm[_SIM_BODY_ZONE_MAX]; /* at light contact */
	double stiffening_per_mm;                  /* s: how fast the tissue firms up, 1/mm */
	double contour_mm;                         /* depth of the spine's curve */
	double bony_stiffness;                     /* factor over the zone's stiffness, >= 1 */
	double weight_n;                           /* on the rollers at zero depth, below the neck */
	double breathing_mm;                       /* amplitude of the back's movement */
	double breathing_period_s;                 /* one breath */
	double tension;                            /* muscles tensing: a factor on every stiffness */
	double noise_n;                            /* load cell noise, 1 sigma */
};

/* The average body: the default, and what a preset file starts from. */
void sim_body_default(struct sim_body *ret);

/* Contact force in N (>= 0, no noise) at rel_mm from the shoulder line, the rollers at
 * depth_mm, t_s seconds of chair time (breathing's phase). */
double sim_body_force_n(const struct sim_body *b, double rel_mm, double depth_mm, double t_s);
/* The same with the breathing at its fullest (the highest force over a breath). */
double sim_body_force_max_n(const struct sim_body *b, double rel_mm, double depth_mm);

/* The parameters by their documented names (docs/dbus-api.md, Simulator1.SetBody):
 * StiffnessNeck, StiffnessShoulders, StiffnessUpperBack, StiffnessLowerBack (N/mm),
 * StiffeningPerMm (1/mm), Contour (mm), BonyStiffness (factor), Weight (N),
 * Breathing (mm), BreathingPeriod (s), Tension (factor), Noise (N).
 * Returns 0, -ENOENT for an unknown name, -ERANGE for a value outside the name's
 * range (or not finite); *b is changed only on 0. */
int sim_body_set(struct sim_body *b, const char *name, double value);
/* The i-th name (for listing and errors), NULL past the last; its range and unit. */
const char *sim_body_param_name(size_t i, double *ret_min, double *ret_max, const char **ret_unit);
/* The i-th parameter's value in b (i below the count of names). */
double sim_body_param_value(const struct sim_body *b, size_t i);
