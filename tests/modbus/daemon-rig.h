/* SPDX-License-Identifier: MIT */
#pragma once

/* What the tests of massaged --simulate-lines against chair-sim share: the daemon's
 * log and outputs (tests/integration/harness.h) beside chair-sim's coils
 * (harness.h). */

#include "harness.h"
#include "integration/harness.h"

/* The relay board's wiring: chair-sim's arguments that put the three pads' relays and
 * the LED on coils 0, 1, 2 and 5 (NULL-terminated), and massaged's [Binding] for them
 * (motor power and the heater master relay are GPIO lines). */
extern const char *const rig_coil_map[];
#define RIG_COIL_BINDING \
	"[Binding]\nHeatNeck=coil:0\nHeatShoulders=coil:1\nHeatLowerBack=coil:2\n" \
	"HeatPower=gpio:HEAT_POWER\nMotorPower=gpio:MOTOR_POWER\nLed=coil:5\n"

/* SIGTERM the daemon; the number after `label` in its Modbus exit line ("…: N
 * requests, N failed (…); longest wait in one loop iteration N ms"), or fail. */
double rig_exit_figure(struct harness *h, const char *label);

/* Coil n of chair-sim's relay board is on. */
bool rig_coil(struct sim *s, unsigned n);
/* Until coil n reads `on` in chair-sim, or fail after ms. */
void rig_wait_coil(struct sim *s, struct harness *h, unsigned n, bool on, unsigned ms, const char *why);
/* Until the GPIO output `name` (Simulator1.Outputs) is `on`, or fail after ms. */
void rig_wait_output(struct harness *h, const char *name, bool on, unsigned ms, const char *why);
