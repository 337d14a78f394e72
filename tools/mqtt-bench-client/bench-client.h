/* SPDX-License-Identifier: MIT */
/* mqtt-bench-client: the measuring end of tools/mqtt-bench. Each mode measures one
 * thing and prints one line of figures (see main.c); nothing here links massaged or
 * the bridge. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_options {
	const char *host;
	unsigned port;
	const char *username;
	const char *password_file;
	const char *base;             /* B: <topics prefix>/<chair id> */
	const char *discovery_prefix; /* for count */
	const char *chair_id;         /* for count */
	unsigned samples;
	unsigned qos;       /* of the published messages: 0 or 1 */
	unsigned gap_ms;    /* between samples */
	double seconds;     /* for count */
	unsigned low, high; /* the two intensity levels the samples alternate between */
};

/* A set of round trips, in microseconds. */
struct samples {
	double *us;
	size_t n, size;
};

uint64_t now_usec(void);
void sleep_msec(unsigned ms);
int samples_add(struct samples *s, double us);
/* "NAME n=N median=X p99=Y min=A max=B" in ms, on stdout. */
void samples_print(const char *name, struct samples *s);
void samples_free(struct samples *s);

/* mqtt-modes.c */
int run_bridge_latency(const struct bench_options *o);
int run_broker_rtt(const struct bench_options *o);
int run_count(const struct bench_options *o);
/* dbus-rtt.c */
int run_dbus_rtt(const struct bench_options *o);
