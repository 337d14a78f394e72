/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "context.h"
#include "refusal.h"

/* The fault list and the reactions to a fault: the safe state through the gate
 * (safety.c), the session ended with "fault", heat off, State "fault", and
 * FaultRaised/FaultCleared through events.h. */

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

/* The safe state through the gate, and the pads told that their relays are open: the
 * first reaction to a fault, and what main.c does when massaged stops. */
int faults_force_safe_state(struct context *c);

/* docs/safety-rules.md: the relay board's coils unconfirmed this long gives relay-offline. */
#define RELAY_SILENCE_USEC (300 * USEC_PER_MSEC)

/* The relay board's report (every 100 ms while a coil is closed): relay-offline once it
 * has left its coils unconfirmed for RELAY_SILENCE_USEC (wall time): the master heater
 * relay, a GPIO line, opens first, then the safe state as for every fault. */
void faults_check_relay_board(struct context *c, uint64_t unconfirmed_usec);

/* The control tick's read of the load (c->roller.load_dn) against [Limits] ForceMax
 * (docs/safety-rules.md: over-force): above it the gate caps depth (one journal event
 * per episode); still above 100 ms later, the fault over-force. False when raised. */
bool faults_check_over_force(struct context *c, uint64_t now);

/* ClearFault: if any fault's cause persists, clear nothing and say which in *r
 * (REFUSAL_FAULT_ACTIVE, returns its negative errno); otherwise clear all (FaultCleared
 * each), return to idle and return 0. */
int faults_clear(struct context *c, struct refusal *r);
