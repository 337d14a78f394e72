/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "chair-types.h"
#include "program.h"

/* Areas of concern (SetFocus, StartFocus): pure, linked alone by the unit tests.
 *
 * A focus is a bit per enum zone (1u << z) of neck, shoulders, upper-back and
 * lower-back; `back` names both back bits. A program under a focus keeps its steps,
 * their order and its length; only the durations change:
 *   - a step on a focus zone lasts FOCUS_GAIN_PERMILLE/1000 (×1.5) as long;
 *   - a `back` step works both back zones, half its time each: with both in focus it
 *     counts as focus (×1.5), with one of them it is lengthened by half as much
 *     (×1.25), with neither it is an other step;
 *   - the other steps (those that gain least: the back steps half in focus when every
 *     other step is in it) give that time back, in proportion to their length, but
 *     none below half its own length or the format's 10 s: the rest of the program
 *     still happens (the focus takes less than ×1.5 when they cannot give more);
 *   - a program whose steps all gain alike (none in the focus, or all) is unchanged.
 * Durations are whole seconds; the total is kept exactly whenever the minimums allow. */

#define FOCUS_GAIN_PERMILLE 1500u
#define FOCUS_STEP_MIN_S 10u /* the program format's shortest step (program.c) */

/* The four zones a focus is made of. */
#define FOCUS_ZONES ((1u << ZONE_NECK) | (1u << ZONE_SHOULDERS) | (1u << ZONE_UPPER_BACK) | (1u << ZONE_LOWER_BACK))

/* StartFocus: a session of 3 to 15 minutes (and never longer than the session limit).
 * 3 minutes leave the warm-up, each technique and the finish 36 s apiece, still long
 * enough to be felt as a step; therapists give one area of concern 5 to 15 minutes, and
 * more on one spot risks soreness (15 is also gentle mode's session cap). */
#define FOCUS_MINUTES_MIN 3u
#define FOCUS_MINUTES_MAX 15u

/* The focus bits of a zone: back is upper-back and lower-back; 0 when invalid. */
unsigned focus_zone_bits(enum zone z);

/* How much longer a step on zone z lasts under focus, permille: 1000, 1250 or 1500. */
unsigned focus_step_gain_permille(enum zone z, unsigned focus);

/* The focus zones' names in zone order, space-separated ("" when none). */
void focus_to_words(unsigned focus, char *buf, size_t size);

/* Reshape the steps of p from step `from` on under `focus`: their durations from the
 * program's own ones (base_s[i] for step i), their sum kept at what it is now in p, the
 * steps before `from` untouched (a running session keeps its position). Step `from`
 * lasts at least min_from_s (what it has already run, and a second more). */
void focus_reshape(struct program *p, const unsigned *base_s, unsigned focus, unsigned from, unsigned min_from_s);

/* The whole program p under focus, from its own durations. */
void focus_apply(struct program *p, unsigned focus);

/* StartFocus's session on one zone (neck, shoulders, upper-back or lower-back) of
 * `minutes` (FOCUS_MINUTES_MIN..MAX), id focus-ZONE: a warm-up of gliding strokes,
 * lighter and slower; the zone's techniques at the person's intensity; a finish
 * lighter and slower still. -EINVAL for another zone or length. */
int focus_compose(enum zone z, unsigned minutes, struct program *ret);
