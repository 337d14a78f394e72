/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "heat-tuning.h"

/* Autotune of one pad: an experiment on the pad itself, then a fit of the pad's model
 * (heat-model.h) to everything it recorded. Time and reading in, duty out; no I/O.
 *
 *  1. baseline  20 s off: where the pad rests.
 *  2. pulse     full power until the reading has risen by 40 % of the way to the
 *               target (1–8 °C): the element's speed and strength.
 *  3. coast     off until the stored heat has arrived and the stone cools again:
 *               how much heat the element stores and where the stone settles.
 *  4. fit       the model to 1–3 (Nelder–Mead on the replayed readings).
 *  5. hold      the controller with that model holds the pad just under the target
 *               until it is steady: the losses at the working temperature.
 *  6. fit       the model to everything, starting from 4.
 *
 * The readings settle only five numbers of the six (see fit_prior()); a prior on the
 * element's time constant picks one model of the family that replays them equally
 * well, and a weak one on Gain decides where the readings barely fix it (a heavy
 * stone). The fit also finds where the element and the stone were at the first reading
 * (a pad still warm from a session is not at rest), which the pad's numbers would
 * otherwise have to explain.
 * Each fit is kept within heat_model_plausible(). The fit starts from several guesses;
 * one that ends near a bound (the sensor's lag traded for the element's) is set aside
 * for the best that ends inside them, and when none does the autotune fails: a
 * result at a bound is not a model.
 *
 * The pulse is short and ends far below the target, and the hold is the controller's
 * own careful approach, so the stone never gets near the ceiling; the reading is
 * still cut off 0.5 °C under it, whatever the model says. The fits are spread over
 * the update calls (a bounded amount of work per call), so a daemon's loop is never
 * held up. */

struct heat_autotune;

/* ceiling_c: the reading autotune must never reach (MaxTarget + 1 °C). */
int heat_autotune_new(struct heat_autotune **ret, double target_c, double ceiling_c, double sample_s);
struct heat_autotune *heat_autotune_free(struct heat_autotune *a);

/* A reading at t seconds (any origin, increasing, about one sample apart). Returns the
 * duty to apply until the next one; 0 once done. */
double heat_autotune_update(struct heat_autotune *a, double t, double reading);

/* The duty actually applied from the latest reading on, when the output could not
 * give the one asked for (a relay switched in whole cycles): the fit must replay what
 * the pad got, not what was asked. */
void heat_autotune_applied(struct heat_autotune *a, double duty);

/* Finished, with a result or an error. */
bool heat_autotune_done(const struct heat_autotune *a);
/* 0..1, for people watching. */
double heat_autotune_progress(const struct heat_autotune *a);
/* 0 and the result; -EAGAIN while running; another negative errno when it failed
 * (heat_autotune_error() says why in a sentence). */
int heat_autotune_result(const struct heat_autotune *a, struct heat_tuning *ret);
const char *heat_autotune_error(const struct heat_autotune *a);

/* With a result: where its model says the pad was at the latest reading. The element
 * is still hot from the hold, so the stone warms on after autotune turns it off; the
 * controller's estimate must start from this, not from a pad at rest, or that warming
 * looks like heat nobody commanded (a welded relay). */
int heat_autotune_state(const struct heat_autotune *a, double x[HEAT_X_N]);
