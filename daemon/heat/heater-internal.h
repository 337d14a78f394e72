/* SPDX-License-Identifier: MIT */
/* What the pieces of the pads at run time share, and nothing else includes: heater.c
 * (set-up, target, drive, view, the tick's timer), heater-tick.c (what a tick does),
 * heater-faults.c (the heat faults) and heater-tuning.c (the tuning lifecycle). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "heater.h"

static inline double seconds(uint64_t usec)
{
	return (double)usec / 1e6;
}

/* heater.c: the pad's own relay, written only when it changes; one that failed to
 * open is tried again and opens the master meanwhile */
void heater_drive(struct heater *h, bool on);

/* heater-tick.c: one run of the heat tick at chair time `now` (heater.c keeps it armed) */
void heat_tick(struct context *c, uint64_t now);

/* heater-faults.c: the temperature module did not answer (a fault once it has been
 * silent HEAT_SILENCE_S); a pad's reading is no temperature (open, shorted); a pad's
 * protection verdict raised as its fault, locking the pad out where a part is broken
 * (true when it raised one) */
void heaters_temperatures_unanswered(struct context *c, uint64_t now);
void heater_raise_unreadable(struct heater *h, int16_t raw);
bool heater_raise_verdict(struct heater *h, enum heat_verdict verdict, double reading);

/* heater-tuning.c: the saved autotune result or the cautious defaults; the model
 * applied to the controller, the model check, the protection and the relay timing; a
 * finished autotune applied and saved; a tuned model the pad refuted, dropped */
void heater_load_tuning(struct heater *h);
void heater_apply_model(struct heater *h);
void heater_autotune_finish(struct heater *h, double t, double reading);
void heater_model_refuted(struct heater *h, double t, double reading);
