/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "heat-tuning.h"

/* An autotune result in terms a person can judge, for the journal: where full power
 * would take the stone and how fast, the time constants and how well the model
 * replays the experiment.
 *
 * The headline is the stone's steady rise at full power (Gain·LossSeconds/
 * CoupleSeconds over Sink), not Gain, the element's own rise over the stone: the
 * readings fix the rise and the stone's warming rate to a few per cent, but along a
 * whole family of models Gain trades against CoupleSeconds with the readings replayed
 * equally well (heat-autotune-fit.c, fit_prior()), so its value is the prior's choice.
 * The degenerate fit of issue 14, Gain 499.8 °C with CoupleSeconds 3098 s, still had
 * the right rise, 34 °C. A model outside heat_model_plausible()'s bounds (the ones a
 * saved tuning file must pass) is flagged IMPLAUSIBLE with the bound it breaks.
 *
 * Writes the text into buf; returns 0, or -EINVAL for a model no pad can be. */
#define HEAT_AUTOTUNE_SUMMARY_MAX 512
int heat_autotune_summary(const struct heat_tuning *t, char *buf, size_t size);
