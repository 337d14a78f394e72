/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared between harness.c (processes, waiting, failing) and harness-bus.c (values,
 * calls, properties, signals); not for the tests. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

struct harness;

#define FAIL(h, ...) harness_fail((h), __FILE__, __LINE__, __VA_ARGS__)
/* Every method call and property read waits at most this long for its reply. */
#define CALL_TIMEOUT_USEC (10 * 1000000ULL)

/* A string buffer of the harness's ring, valid for the next 15 calls. */
char *harness_ring_buffer(struct harness *h);
const char *harness_ring_copy(struct harness *h, const char *s);

/* Dispatch every queued message (the match callbacks record them). */
void harness_dispatch(struct harness *h);
/* Dispatch, then wait for bus traffic or the daemon's death, at most until deadline
 * (CLOCK_MONOTONIC µs). Returns false once the deadline has passed. Fails the test
 * when the daemon died or a property changed without PropertiesChanged. */
bool harness_wait_step(struct harness *h, uint64_t deadline);
/* Fail when a changed value read earlier was not announced within its grace. */
void harness_check_pending(struct harness *h);

/* harness-journal.c: bind the capture socket (before the fork), make the child's
 * journal socket it (after), read what arrived, free it all. */
void harness_journal_open(struct harness *h);
void harness_journal_child(struct harness *h);
void harness_journal_drain(struct harness *h);
void harness_journal_free(struct harness *h);

int harness_on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int harness_on_chair_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int harness_on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
