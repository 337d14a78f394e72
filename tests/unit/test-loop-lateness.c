/* SPDX-License-Identifier: MIT */
/* The control loop's lateness record: buckets, percentiles, worst, the log line. */
#include <stdio.h>
#include <string.h>

#include "check-tap.h"
#include "loop-lateness.h"

START_TEST(test_bucket_edges)
{
	/* every value lands in a bucket whose upper edge is at or above it, and the
	 * bucket is at most 12.5 % wider than its lower edge */
	for (uint64_t v = 0; v < 5000000; v += v < 100 ? 1 : v / 50) {
		unsigned b = loop_lateness_bucket(v);
		uint64_t upper = loop_lateness_bucket_upper(b);

		ck_assert_uint_ge(upper, v);
		if (b > 0)
			ck_assert_uint_lt(loop_lateness_bucket_upper(b - 1), v);
		ck_assert_uint_le(upper - v, v / 8);
	}
	/* exact below 8 µs */
	for (uint64_t v = 0; v < 8; v++)
		ck_assert_uint_eq(loop_lateness_bucket_upper(loop_lateness_bucket(v)), v);
	/* buckets are monotonic, and absurd values stay inside the table */
	ck_assert_uint_lt(loop_lateness_bucket(999), loop_lateness_bucket(1000000));
	ck_assert_uint_eq(loop_lateness_bucket(UINT64_MAX), LATENESS_BUCKETS - 1);
}
END_TEST

START_TEST(test_record_and_percentiles)
{
	struct loop_lateness l = {};

	ck_assert_uint_eq(loop_lateness_percentile(&l, 0.5), 0);
	/* 98 ticks 100 µs late, one 5 ms, one 40 ms; one early tick counts as on time */
	for (int i = 0; i < 98; i++)
		loop_lateness_record(&l, 1000, 1100);
	loop_lateness_record(&l, 1000, 6000);
	loop_lateness_record(&l, 1000, 41000);
	ck_assert_uint_eq(l.count, 100);
	ck_assert_uint_eq(l.worst_usec, 40000);
	ck_assert_uint_eq(l.total_usec, 98 * 100 + 5000 + 40000);
	/* median within its bucket: 100 µs, reported as the bucket's upper edge */
	ck_assert_uint_ge(loop_lateness_percentile(&l, 0.5), 100);
	ck_assert_uint_le(loop_lateness_percentile(&l, 0.5), 112);
	/* the 99th smallest is the 5 ms tick; the 100th the worst, exact */
	ck_assert_uint_ge(loop_lateness_percentile(&l, 0.99), 5000);
	ck_assert_uint_le(loop_lateness_percentile(&l, 0.99), 5625);
	ck_assert_uint_eq(loop_lateness_percentile(&l, 1.0), 40000);
	loop_lateness_record(&l, 5000, 4000);
	ck_assert_uint_eq(l.count, 101);
	ck_assert_uint_eq(l.buckets[0], 1);
}
END_TEST

START_TEST(test_merge_and_format)
{
	struct loop_lateness a = {}, b = {};
	char line[160];

	for (int i = 0; i < 10; i++)
		loop_lateness_record(&a, 0, 2000);
	for (int i = 0; i < 10; i++)
		loop_lateness_record(&b, 0, 300);
	loop_lateness_record(&b, 0, 250000);
	loop_lateness_merge(&a, &b);
	ck_assert_uint_eq(a.count, 21);
	ck_assert_uint_eq(a.worst_usec, 250000);
	/* 10 at 0.3 ms, 10 at 2 ms: the 11th smallest is 2 ms */
	ck_assert_uint_ge(loop_lateness_percentile(&a, 0.5), 2000);
	ck_assert_uint_le(loop_lateness_percentile(&a, 0.5), 2047);
	loop_lateness_format(&a, line, sizeof(line));
	ck_assert_str_eq(line, "21 ticks, late by median 2.05 ms, 99th percentile 250.00 ms, worst 250.00 ms");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loop-lateness");

	CHECK_ADD_TEST(s, test_bucket_edges, 10);
	CHECK_ADD_TEST(s, test_record_and_percentiles, 10);
	CHECK_ADD_TEST(s, test_merge_and_format, 10);
	return check_run_tap(s);
}
