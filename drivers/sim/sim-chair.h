/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "chair-types.h"
#include "driver.h"
#include "roller.h"
#include "sim-body.h"

/* The physical model of the chair and its occupant, in chair time. Pure: no I/O,
 * no clock of its own; the caller passes chair time and the model integrates up to
 * it (in steps of SIM_STEP_USEC) whenever it is read or written. */

#define SIM_STEP_USEC 10000ULL

/* bench/thermal_plant.py, public parameter set */
struct sim_pad_params {
	double power_w, c_heater, c_stone, k_hs, k_ha, k_sa, k_body, t_amb, t_body;
	double sensor_tau, sensor_noise, sensor_lsb;
};

enum sim_pad_fault {
	SIM_PAD_SENSOR_OPEN = 1 << 0,
	SIM_PAD_SENSOR_SHORT = 1 << 1,
	SIM_PAD_SENSOR_DETACHED = 1 << 2, /* reads ambient, no longer the pad */
	SIM_PAD_HEATER_STUCK = 1 << 3,    /* relay welded on (the master still cuts) */
	SIM_PAD_HEATER_DEAD = 1 << 4,
	SIM_PAD_SENSOR_FROZEN = 1 << 5, /* reads what it read when frozen, unchanging */
};
/* for code that also builds against trees from before the frozen sensor */
#define SIM_PAD_SENSOR_FROZEN SIM_PAD_SENSOR_FROZEN

struct sim_pad {
	enum zone zone;
	unsigned channel;        /* temperature module channel */
	enum chair_output relay; /* its heater output */
	struct sim_pad_params p;
	double t_heater, t_stone, t_sensor;
	unsigned faults;    /* enum sim_pad_fault */
	int16_t frozen_raw; /* the reading a frozen sensor repeats */
};

/* What the model needs to know of the chair it plays: the person's shoulder height,
 * the load noise (the body's Noise), and which pads it has on which temperature
 * channels. The person starts as sim_body_default() with that noise. */
struct sim_pad_config {
	enum zone zone;
	unsigned sensor_channel;
};

struct sim_config {
	unsigned shoulder_mm;
	double load_noise_n;
	unsigned n_pads;
	struct sim_pad_config pads[MAX_PADS];
};

struct sim_chair {
	uint64_t now_usec; /* chair time the model has reached */
	uint64_t rng;      /* xorshift64* state */

	/* roller board */
	struct roller_setpoints sp; /* holding registers as last written */
	uint64_t last_write_usec;
	double travel_mm, depth_mm, width_mm, knead_rpm, tap_rate;
	bool enabled, watchdog_tripped, homed;
	uint16_t fault_code;
	bool offline;        /* injected: the board does not answer */
	bool temp_offline;   /* injected: the temperature module does not answer */
	bool pinch;          /* injected: overcurrent while enabled */
	bool load_saturated; /* injected: the load cell reads past its range, whatever presses */

	/* the person and the chair's inputs */
	bool seated;
	bool estop;
	unsigned shoulder_mm;
	struct sim_body body; /* its noise_n is the load cell's noise */
	double peak_load_n;   /* highest true force (no noise) since the last reset */

	bool outputs[_OUTPUT_MAX];

	unsigned n_pads;
	struct sim_pad pads[MAX_PADS];
};

void sim_chair_init(struct sim_chair *s, const struct sim_config *cfg, uint64_t now_usec, uint64_t seed);
void sim_chair_advance(struct sim_chair *s, uint64_t now_usec);

/* Register access as the board would answer; -EIO while offline. Both advance first. */
int sim_chair_roller_write(struct sim_chair *s, uint64_t now_usec, const struct roller_setpoints *sp);
int sim_chair_roller_read(struct sim_chair *s, uint64_t now_usec, struct roller_status *ret);
int sim_chair_temperatures_read(struct sim_chair *s, uint64_t now_usec, int16_t ret_raw[TEMP_CHANNELS]);
void sim_chair_set_output(struct sim_chair *s, uint64_t now_usec, enum chair_output o, bool active);

/* Changes to the person and injected faults take effect at now_usec: the model
 * integrates up to it first. A pad fault on a zone without a pad is -ENOENT. */
void sim_chair_set_seated(struct sim_chair *s, uint64_t now_usec, bool seated);
void sim_chair_set_pinch(struct sim_chair *s, uint64_t now_usec, bool on);
void sim_chair_set_offline(struct sim_chair *s, uint64_t now_usec, bool on);
int sim_chair_set_pad_fault(struct sim_chair *s, uint64_t now_usec, enum zone z, unsigned fault, bool on);
/* Element, stone and sensor of a pad all at `celsius` from now_usec (something hot or
 * cold laid on it). -ENOENT on a zone without a pad. */
int sim_chair_set_pad_temperature(struct sim_chair *s, uint64_t now_usec, enum zone z, double celsius);
/* Whether the pad's element is powered now (master, relay or stuck, not dead). */
bool sim_chair_pad_powered(const struct sim_chair *s, const struct sim_pad *pad);

/* Contact force of the back on the rollers at a height and depth, without noise, N, at
 * the chair time the model has reached (breathing's phase); 0 with the seat empty. */
double sim_chair_load_n(const struct sim_chair *s, double travel_mm, double depth_mm);

/* The person on the chair from now_usec: the peak starts again from the force then. */
void sim_chair_set_body(struct sim_chair *s, uint64_t now_usec, const struct sim_body *b);
const struct sim_body *sim_chair_body(const struct sim_chair *s);
/* The true contact force where the rollers are at now_usec, N, no noise. */
double sim_chair_true_load_n(struct sim_chair *s, uint64_t now_usec);
/* The highest true force at any simulation step since the last reset or body change (a
 * stretch the model jumped over with the rollers still counts at the breath's fullest). */
double sim_chair_peak_load_n(struct sim_chair *s, uint64_t now_usec);
void sim_chair_reset_peak(struct sim_chair *s, uint64_t now_usec);
struct sim_pad *sim_chair_find_pad(struct sim_chair *s, enum zone z);
