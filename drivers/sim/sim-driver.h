/* SPDX-License-Identifier: MIT */
#pragma once

#include "clock.h"
#include "driver.h"
#include "sim-chair.h"

/* The simulated backend: a struct chair_driver over a struct sim_chair, reading the
 * chair clock for every access. Inputs changed through the sim_driver_set_* calls
 * reach the daemon through its input handler at once, like a GPIO edge. */
int sim_driver_new(struct chair_clock *clock, const struct sim_config *cfg, struct chair_driver **ret);
/* The model itself, for tests and tools that inspect it; the daemon goes through the
 * functions below, which bring the model up to chair time first. */
struct sim_chair *sim_driver_chair(struct chair_driver *d);

void sim_driver_set_estop(struct chair_driver *d, bool pressed);
void sim_driver_set_seated(struct chair_driver *d, bool seated);
/* A press and release of a remote button (INPUT_BTN_*). */
void sim_driver_press_button(struct chair_driver *d, enum chair_input button);
/* One edge of a remote button: down (held) or up; nothing when it is so already. */
void sim_driver_set_button(struct chair_driver *d, enum chair_input button, bool pressed);
/* "sensor-open:ZONE", "roller-offline", ... (docs/dbus-api.md InjectFault); -EINVAL if unknown. */
int sim_driver_inject_fault(struct chair_driver *d, const char *what, bool on);

/* The person's shoulder height, mm from the seat. */
void sim_driver_set_shoulder(struct chair_driver *d, unsigned mm);
/* Every part of a pad (element, stone, sensor) at `celsius` now; -ENOENT without a pad. */
int sim_driver_set_pad_temperature(struct chair_driver *d, enum zone z, double celsius);
/* What the model's chair is doing now: its pads' stones, the rollers' height, an output. */
unsigned sim_driver_n_pads(struct chair_driver *d);
/* The i-th pad's zone and stone temperature; -ENOENT past the last pad. */
int sim_driver_pad_stone(struct chair_driver *d, unsigned i, enum zone *ret_zone, double *ret_celsius);
double sim_driver_travel_mm(struct chair_driver *d);
bool sim_driver_output(struct chair_driver *d, enum chair_output o);

/* The person's body (drivers/sim/sim-body.h) from now on; the peak starts again. The
 * body is then no preset's: sim_driver_body_preset() reads "". */
void sim_driver_set_body(struct chair_driver *d, const struct sim_body *b);
/* The same, the body being the preset `name` (drivers/sim/sim-body-file.h). */
void sim_driver_set_body_preset(struct chair_driver *d, const char *name, const struct sim_body *b);
const char *sim_driver_body_preset(struct chair_driver *d);
void sim_driver_body(struct chair_driver *d, struct sim_body *ret);
/* The true contact force on the rollers now, N, without the load cell's noise. */
double sim_driver_load_n(struct chair_driver *d);
/* The highest true force since the last body change or sim_driver_reset_peak(), N. */
double sim_driver_peak_load_n(struct chair_driver *d);
void sim_driver_reset_peak(struct chair_driver *d);
