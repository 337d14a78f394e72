/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "context.h"

/* The safety supervisor: the only path to the outputs, owner of the fault list. */

/* Heater master and pad relays off, motor power off (the GPIO outputs first), then
 * the roller board disabled. Never waits for a tick. Returns the first failed write
 * (each is logged; a failed Modbus write is retried from the loop). */
int safety_force_safe_state(struct context *c);

/* At start-up, after c->roller is read: a watchdog trip the roller board latched before
 * this massaged started is the previous one's hang or death (it stopped feeding the
 * board), not a missed update of ours; clear it, the motors still off, so that the first
 * program does not fault on it. A latched fault (pinch, overcurrent, ...) stays. */
int safety_clear_inherited_watchdog(struct context *c);

/* Read the roller board and time it: *ret_slow when the answer (or its failure) took
 * longer than half the Modbus timeout, too long for a control tick, which needs a read
 * and a write within one timeout (the loop's Modbus budget per iteration). Never slow
 * on the simulated chair. */
int safety_roller_read_timed(struct context *c, struct roller_status *ret, bool *ret_slow);

/* Drive one output, unless a fault forbids it (motor power and heat stay off while
 * any fault is active). Logs a driver failure once here. */
int safety_set_output(struct context *c, enum chair_output o, bool active);

/* Raise a fault once: safe state, journal entry with the code, FaultRaised, the
 * running program ends with reason "fault", State "fault". Raising an active fault
 * again does nothing. */
void faults_raise(struct context *c, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same for a pad's fault with the reading that raised it (MASSAGED_TEMPERATURE). */
void faults_raise_reading(struct context *c, const char *code, double celsius, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool faults_is_active(const struct context *c, const char *code);
/* A fault is latched: the list holds one, or the emergency stop's own latch is set. */
bool faults_any(const struct context *c);
/* The code to name in a refusal while faults_any(): the stop first, else the oldest. */
const char *faults_first(const struct context *c);
/* One of fault-codes.h's codes (a global one, or KIND:ZONE with a known zone). */
bool fault_code_is_known(const char *code);
/* The zone of a pad's fault code ("overtemp:neck" → "neck"), or NULL. */
const char *fault_code_zone(const char *code);

/* docs/safety-rules.md: the relay board's coils unconfirmed this long gives relay-offline. */
#define RELAY_SILENCE_USEC (300 * USEC_PER_MSEC)

/* The relay handler: relay-offline once the relay board has left its coils unconfirmed
 * for RELAY_SILENCE_USEC (wall time): the master heater relay, a GPIO line, opens first,
 * then the safe state as for every fault. */
void safety_relay_board_checked(struct context *c, uint64_t unconfirmed_usec);

/* ClearFault: if any fault's cause persists, clear nothing and say which in error
 * (FaultActive); otherwise clear all (FaultCleared each) and return to idle. */
int faults_clear(struct context *c, sd_bus_error *error);
