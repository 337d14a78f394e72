/* SPDX-License-Identifier: MIT */
#pragma once

#include "sim-body.h"

/* The shipped bodies by name (average, slim-bony, large-soft, elderly): the parameters of
 * docs/pressure-bench.md over sim_body_default(). 0, or -ENOENT for an unknown name. */
int body_preset(const char *name, struct sim_body *ret);
/* The i-th preset's name, NULL past the last. */
const char *body_preset_name(unsigned i);
