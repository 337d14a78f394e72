/* SPDX-License-Identifier: MIT */
/* Round-trip samples and their median and 99th percentile (nearest rank). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench-client.h"

uint64_t now_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void sleep_msec(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int samples_add(struct samples *s, double us)
{
	if (s->n == s->size) {
		size_t size = s->size ? 2 * s->size : 256;
		double *p = realloc(s->us, size * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->us = p;
		s->size = size;
	}
	s->us[s->n++] = us;
	return 0;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The value at or below which p percent of the samples lie (nearest rank). */
static double percentile(const struct samples *s, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)s->n);

	return s->us[rank > 0 ? rank - 1 : 0];
}

void samples_print(const char *name, struct samples *s)
{
	double median;

	if (s->n == 0) {
		printf("%s n=0\n", name);
		return;
	}
	qsort(s->us, s->n, sizeof(*s->us), compare_double);
	median = s->n % 2 ? s->us[s->n / 2] : (s->us[s->n / 2 - 1] + s->us[s->n / 2]) / 2;
	printf("%s n=%zu median=%.3f p99=%.3f min=%.3f max=%.3f\n", name, s->n, median / 1000, percentile(s, 99) / 1000,
	       s->us[0] / 1000, s->us[s->n - 1] / 1000);
}

void samples_free(struct samples *s)
{
	free(s->us);
	*s = (struct samples) { 0 };
}
