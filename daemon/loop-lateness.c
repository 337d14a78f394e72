/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>

#include "loop-lateness.h"

/* log2 of the sub-bucket count: values below 2^SUB_BITS each have a bucket of their own */
#define SUB_BITS 3

unsigned loop_lateness_bucket(uint64_t usec)
{
	unsigned msb, b;

	if (usec < LATENESS_SUB_BUCKETS)
		return (unsigned)usec;
	msb = 63u - (unsigned)__builtin_clzll(usec);
	b = (msb - SUB_BITS + 1) * LATENESS_SUB_BUCKETS +
	    (unsigned)((usec >> (msb - SUB_BITS)) & (LATENESS_SUB_BUCKETS - 1));
	return b < LATENESS_BUCKETS ? b : LATENESS_BUCKETS - 1;
}

uint64_t loop_lateness_bucket_upper(unsigned bucket)
{
	unsigned msb, sub;

	if (bucket < LATENESS_SUB_BUCKETS)
		return bucket;
	if (bucket >= LATENESS_BUCKETS - 1)
		return UINT64_MAX;
	msb = bucket / LATENESS_SUB_BUCKETS + SUB_BITS - 1;
	sub = bucket % LATENESS_SUB_BUCKETS;
	/* the bucket holds [ (8 + sub) << (msb - 3), (9 + sub) << (msb - 3) ) */
	return ((uint64_t)(LATENESS_SUB_BUCKETS + sub + 1) << (msb - SUB_BITS)) - 1;
}

void loop_lateness_record(struct loop_lateness *l, uint64_t due_usec, uint64_t now_usec)
{
	uint64_t late = now_usec > due_usec ? now_usec - due_usec : 0;

	l->count++;
	l->total_usec += late;
	if (late > l->worst_usec)
		l->worst_usec = late;
	l->buckets[loop_lateness_bucket(late)]++;
}

void loop_lateness_merge(struct loop_lateness *a, const struct loop_lateness *b)
{
	a->count += b->count;
	a->total_usec += b->total_usec;
	if (b->worst_usec > a->worst_usec)
		a->worst_usec = b->worst_usec;
	for (unsigned i = 0; i < LATENESS_BUCKETS; i++)
		a->buckets[i] += b->buckets[i];
}

uint64_t loop_lateness_percentile(const struct loop_lateness *l, double p)
{
	uint64_t rank, seen = 0;

	if (l->count == 0)
		return 0;
	/* the rank-th smallest lateness, 1-based (nearest-rank percentile) */
	rank = (uint64_t)ceil(p * (double)l->count);
	if (rank < 1)
		rank = 1;
	if (rank > l->count)
		rank = l->count;
	for (unsigned i = 0; i < LATENESS_BUCKETS; i++) {
		seen += l->buckets[i];
		if (seen >= rank) {
			uint64_t upper = loop_lateness_bucket_upper(i);

			return upper < l->worst_usec ? upper : l->worst_usec;
		}
	}
	return l->worst_usec;
}

void loop_lateness_format(const struct loop_lateness *l, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%llu ticks, late by median %.2f ms, 99th percentile %.2f ms, worst %.2f ms",
		       (unsigned long long)l->count, (double)loop_lateness_percentile(l, 0.5) / 1000.0,
		       (double)loop_lateness_percentile(l, 0.99) / 1000.0, (double)l->worst_usec / 1000.0);
}
