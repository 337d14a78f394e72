/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/* A textbook PID, tuned by the relay method (Åström–Hägglund experiment, classic
 * Ziegler–Nichols rules, as a 3D printer's M303 does): the baseline the project's own
 * heater controller is compared against in docs/heater-bench.md. */

/* Run the textbook PID behind the line protocol on in/out until end of input.
 * autotune: run the relay experiment at the target the plant sends, save the
 * tuning to save_path, and return when done. Otherwise control with the tuning
 * loaded from load_path. Returns 0 or negative errno (and prints why on stderr). */
int textbook_pid_cosim(FILE *in, FILE *out, bool autotune, const char *save_path, const char *load_path);
