/* SPDX-License-Identifier: MIT */
#pragma once

/* Between sim-chair.c (the roller board, the person, the chair's time) and sim-pad.c
 * (the heating pads): the steps the chair takes the pads through, and the chair's
 * noise that the pads' sensors draw from. */

#include <stdint.h>

#include "sim-chair.h"

/* A pad at rest at the room's temperature, with the bench's public parameters. */
void sim_pad_init(struct sim_pad *pad, enum zone z, unsigned channel);
/* One Euler step of dt seconds. */
void sim_pad_step(const struct sim_chair *s, struct sim_pad *pad, double dt);
/* n steps of SIM_STEP_USEC at once; the chair's outputs and the person must not change
 * over them. */
void sim_pad_fast_forward(const struct sim_chair *s, struct sim_pad *pad, uint64_t n);

/* A standard normal draw from the chair's generator. */
double sim_chair_gauss(struct sim_chair *s);
