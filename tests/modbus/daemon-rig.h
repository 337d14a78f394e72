/* SPDX-License-Identifier: MIT */
#pragma once

/* What the tests of massaged --simulate-lines against chair-sim share: the daemon's
 * log and outputs (tests/integration/harness.h) beside chair-sim's coils
 * (harness.h). */

#include "harness.h"
#include "integration/harness.h"

/* SIGTERM the daemon; the number after `label` in its Modbus exit line ("…: N
 * requests, N failed (…); longest wait in one loop iteration N ms"), or fail. */
double rig_exit_figure(struct harness *h, const char *label);
