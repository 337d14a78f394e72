/* SPDX-License-Identifier: MIT */
/* Intensity is a contact force: at Intensity 1, 3 and 5 the load on the rollers follows
 * the level's force (30, 60, 100 N) on a firm, bony body and on a large, soft one alike;
 * with the hidden --force-control=off (the open loop the benchmark compares with) the
 * same levels press each body as hard as its tissue makes the depth press. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SCALE 10
#define SETTLE_S 8.0  /* chair time for the loop to find a new level or body */
#define MEASURE_S 8.0 /* and to average the load over */
#define TOLERANCE 0.15

static const unsigned levels[] = { 1, 3, 5 };
static const double level_force_n[] = { 30, 60, 100 };
static const char *const bodies[] = { "slim-bony", "large-soft" };

/* Simulator1.Load (the true force, N) averaged over MEASURE_S of chair time. */
static double mean_load(struct harness *h)
{
	uint64_t until = harness_now_usec() + harness_wall_ms(h, MEASURE_S) * 1000ULL;
	double sum = 0;
	unsigned n = 0;

	while (harness_now_usec() < until) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		const char *v = harness_get(h, SIM_PATH, SIM_IFACE, "Load", &error);

		H_ASSERT(h, v, "Simulator1.Load: %s", error.message);
		sum += strtod(v, NULL);
		n++;
		harness_pump(h, 10);
	}
	H_ASSERT(h, n >= 20, "only %u samples of Load", n);
	return sum / n;
}

/* Deep strokes (the level's full share) on the upper back; the mean load at each body
 * and level into ret[body][level], NAN where an over-force fault stopped the rollers
 * (cleared, and the session started again for the next case). */
static void measure(struct harness *h, double ret[2][3])
{
	for (size_t b = 0; b < 2; b++) {
		H_SIM(h, "SetBodyPreset", "s", bodies[b]);
		for (size_t l = 0; l < 3; l++) {
			if (strcmp(H_PROP(h, "State"), "running") != 0) {
				H_CALL(h, "StartManual", "ss", "deep", "upper-back");
				H_WAIT_RUNNING(h);
			}
			H_CALL(h, "SetIntensity", "u", levels[l]);
			harness_pump(h, harness_wall_ms(h, SETTLE_S));
			ret[b][l] = mean_load(h);
			if (strcmp(H_PROP(h, "State"), "fault") == 0) {
				ret[b][l] = NAN;
				H_CLEAR_FAULT(h, "over-force");
			}
		}
	}
	H_CALL(h, "Stop", "");
	for (size_t b = 0; b < 2; b++)
		printf("# %s, %s: %.1f, %.1f, %.1f N at Intensity 1, 3, 5 (levels 30, 60, 100 N)\n",
		       h->daemon_extra_arg ? h->daemon_extra_arg : "closed loop", bodies[b], ret[b][0], ret[b][1],
		       ret[b][2]);
}

START_TEST(test_closed_loop_follows_level)
{
	struct harness h;
	double load[2][3];

	harness_start(&h, SCALE, NULL);
	measure(&h, load);
	for (size_t b = 0; b < 2; b++)
		for (size_t l = 0; l < 3; l++)
			H_ASSERT(&h,
				 isfinite(load[b][l]) &&
					 fabs(load[b][l] - level_force_n[l]) <= TOLERANCE * level_force_n[l],
				 "%s at Intensity %u: %.1f N on the rollers, the level is %.0f N", bodies[b], levels[l],
				 load[b][l], level_force_n[l]);
	harness_stop(&h);
}
END_TEST

/* The comparison's other side, so the test above cannot pass by accident: the open loop
 * (depth from the intensity alone) misses the levels, pressing the bony body much harder
 * than the soft one at the same intensity. */
START_TEST(test_open_loop_does_not)
{
	struct harness h;
	double load[2][3];
	unsigned missed = 0;

	harness_init(&h, NULL);
	h.daemon_extra_arg = "--force-control=off";
	harness_start_daemon(&h, SCALE);
	measure(&h, load);
	for (size_t b = 0; b < 2; b++)
		for (size_t l = 0; l < 3; l++)
			missed += !(fabs(load[b][l] - level_force_n[l]) <= TOLERANCE * level_force_n[l]);
	H_ASSERT(&h, missed >= 3, "open loop met the levels in %u of 6 cases", 6 - missed);
	H_ASSERT(&h, !isfinite(load[0][1]) || load[0][1] > 1.5 * load[1][1],
		 "open loop at Intensity 3: %.1f N on slim-bony, %.1f N on large-soft", load[0][1], load[1][1]);
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("intensity-force");

	CHECK_ADD_TEST(s, test_closed_loop_follows_level, 90);
	CHECK_ADD_TEST(s, test_open_loop_does_not, 90);
	return check_run_tap(s);
}
