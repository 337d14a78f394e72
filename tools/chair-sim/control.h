/* SPDX-License-Identifier: MIT */
#pragma once

#include "chair-sim.h"

/* stdin readable: run every complete command line; at end of file, quit. */
void control_on_input(struct chair_sim *cs);
/* One command line (modified in place); answers on stdout. */
void control_handle_line(struct chair_sim *cs, char *line);
