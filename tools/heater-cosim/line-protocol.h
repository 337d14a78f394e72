/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

/* The line protocol of docs/heater-bench.md: the plant sends
 * "T READING TARGET" (seconds, °C, °C with 0 = off) and reads back one duty "U",
 * 0..1, per sample. */

/* Read one plant line. Returns 1 with the values set, 0 at end of input, -EBADMSG for
 * a line that is not three numbers. */
int cosim_read(FILE *in, double *ret_t, double *ret_reading, double *ret_target);

/* Answer one duty (clamped to 0..1, NaN as 0) and flush. Returns 0 or -errno. */
int cosim_write(FILE *out, double duty);
