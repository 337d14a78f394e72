/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* How late the control loop's timers fire: each tick's wall time at dispatch minus the
 * time it was due, in a fixed histogram (no allocation, no clock read of its own).
 * Buckets are log-linear: exact below 8 µs, then 8 per power of two (12.5 % wide). */
#define LATENESS_SUB_BUCKETS 8
#define LATENESS_BUCKETS (LATENESS_SUB_BUCKETS * 40)

struct loop_lateness {
	uint64_t count;
	uint64_t worst_usec;
	uint64_t total_usec;
	uint32_t buckets[LATENESS_BUCKETS];
};

/* A tick due at due_usec ran at now_usec (both CLOCK_MONOTONIC); early counts as 0. */
void loop_lateness_record(struct loop_lateness *l, uint64_t due_usec, uint64_t now_usec);
/* Add b's ticks to a. */
void loop_lateness_merge(struct loop_lateness *a, const struct loop_lateness *b);
/* The lateness that fraction p (0..1) of the ticks stayed within: the upper edge of
 * the bucket that holds it, never above the worst. 0 with no ticks. */
uint64_t loop_lateness_percentile(const struct loop_lateness *l, double p);
/* "N ticks, late by median X ms, 99th percentile Y ms, worst Z ms". */
void loop_lateness_format(const struct loop_lateness *l, char *buf, size_t size);

/* Bucket arithmetic, for the unit test. */
unsigned loop_lateness_bucket(uint64_t usec);
uint64_t loop_lateness_bucket_upper(unsigned bucket);
