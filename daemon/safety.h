/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "context.h"

/* THE GATE: the only path to the outputs and the roller board. Every output write goes
 * through safety_set_output(), every roller write through safety_roller_write(), which
 * clamps it to the configured limits first; the safe state is built from those two.
 * This file calls nothing above it (no session, heater, fault reaction, event or bus):
 * what follows a fault is daemon/faults.c's. */

/* A fault is latched (the fault list holds one, or the emergency stop's own latch is
 * set): motor power and heat stay off. faults_any() says the same. */
bool safety_outputs_locked(const struct context *c);

/* Drive one output, unless a fault forbids it (motor power and heat stay off while
 * any fault is active). Logs a driver failure once here. */
int safety_set_output(struct context *c, enum chair_output o, bool active);

/* Clamp *sp to the configured limits (docs/safety-rules.md "limits"), in place, so
 * that the caller keeps what the board was sent, then write it to the roller board.
 * While the last load read was over ForceMax (c->over_force.capping, set by the control
 * tick through faults_check_over_force()), DEPTH_TARGET is 0: the rollers retract.
 * While gentle mode is on (c->gentle), gentle_gate_depth() (gentle.h) caps it: the
 * rollers step back from a load above level 3's force and its margin. */
int safety_roller_write(struct context *c, struct roller_setpoints *sp);

/* Heater master and pad relays off, motor power off (the GPIO outputs first), then
 * the roller board disabled. Never waits for a tick. Returns the first failed write
 * (each is logged; a failed Modbus write is retried from the loop). The pads' own
 * record of their relays is not touched here: callers above the gate use
 * faults_force_safe_state(), which also tells the pads. */
int safety_force_safe_state(struct context *c);

/* At start-up, after c->roller is read: a watchdog trip the roller board latched before
 * this massaged started is the previous one's hang or death (it stopped feeding the
 * board), not a missed update of ours; clear it, the motors still off, so that the first
 * program does not fault on it. A latched fault (pinch, overcurrent, ...) stays. */
int safety_clear_inherited_watchdog(struct context *c);

/* Tell the roller board to clear what it latched (the motors stay off), then read it
 * into *ret. -EIO when either fails. */
int safety_roller_clear_latched(struct context *c, struct roller_status *ret);

/* Read the roller board and time it: *ret_slow when the answer (or its failure) took
 * longer than half the Modbus timeout, too long for a control tick, which needs a read
 * and a write within one timeout (the loop's Modbus budget per iteration). Never slow
 * on the simulated chair. */
int safety_roller_read_timed(struct context *c, struct roller_status *ret, bool *ret_slow);
