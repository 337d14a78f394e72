/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "chair-types.h"
#include "roller.h"

/* The one seam between the daemon and the hardware: logical inputs and outputs,
 * the roller board and the temperature module, behind a table of functions with
 * a simulated backend and the real chair's (GPIO lines and Modbus devices). */

enum chair_input {
	INPUT_ESTOP,
	INPUT_SEAT,
	INPUT_BTN_POWER,
	INPUT_BTN_NECK,
	INPUT_BTN_SHOULDER,
	INPUT_BTN_BACK,
	INPUT_BTN_PAUSE,
	INPUT_BTN_UP,
	INPUT_BTN_DOWN,
	INPUT_BTN_HEAT,
	_INPUT_MAX,
	INPUT_INVALID = -1,
};

enum chair_output {
	OUTPUT_MOTOR_POWER,
	OUTPUT_HEAT_POWER,
	OUTPUT_HEAT_NECK,
	OUTPUT_HEAT_SHOULDERS,
	OUTPUT_HEAT_LOWER_BACK,
	OUTPUT_LED,
	_OUTPUT_MAX,
	OUTPUT_INVALID = -1,
};

#define TEMP_CHANNELS 8
#define TEMP_SENTINEL_OPEN INT16_MIN  /* 0x8000: sensor open or missing */
#define TEMP_SENTINEL_SHORT INT16_MAX /* 0x7FFF: sensor shorted */

/* docs/hardware.md line names: "ESTOP", "SEAT", "BTN_POWER", ..., "MOTOR_POWER", "LED" */
const char *chair_input_name(enum chair_input i);
enum chair_input chair_input_from_name(const char *s);
const char *chair_output_name(enum chair_output o);
enum chair_output chair_output_from_name(const char *s);
/* The relay line of the pad on a zone (docs/hardware.md wires neck, shoulders and
 * lower-back), OUTPUT_INVALID for a zone without one. */
enum chair_output chair_pad_relay(enum zone z);

/* Called by a backend on an input edge, in the loop iteration that saw it. `active`
 * is the logical level (pressed, seated), polarity already applied. */
typedef void (*chair_input_handler_t)(void *userdata, enum chair_input input, bool active);
/* Called by a backend with a relay board after each check of its coils, in the loop
 * iteration that made it: how long (µs of wall time) they have gone unconfirmed (a write
 * the board did not take, a read-back it did not answer, a coil that reads back other
 * than driven), 0 while every coil is confirmed as last driven. */
typedef void (*chair_relay_handler_t)(void *userdata, uint64_t unconfirmed_usec);

struct chair_driver;

struct chair_driver_ops {
	const char *name;
	/* Drive every output inactive, release everything, free. NULL-safe callers. */
	void (*free)(struct chair_driver *d);
	/* 0, or -EINPROGRESS for a relay-board coil the board did not take: the backend
	 * writes it again from the loop and reports the board to the relay handler. */
	int (*set_output)(struct chair_driver *d, enum chair_output o, bool active);
	int (*get_input)(struct chair_driver *d, enum chair_input i, bool *ret_active);
	/* Roller board: write the holding registers, read the input registers.
	 * A silent or misbehaving board returns a negative errno (-EIO, -ETIMEDOUT, -EPROTO). */
	int (*roller_write)(struct chair_driver *d, const struct roller_setpoints *sp);
	int (*roller_read)(struct chair_driver *d, struct roller_status *ret);
	/* Temperature module: raw 0.1 °C per channel (with sentinels). */
	int (*temperatures_read)(struct chair_driver *d, int16_t ret_raw[TEMP_CHANNELS]);
	/* Relay board, NULL in a backend without one: write again what it did not take and
	 * read every coil back, now. 0 when each coil is as last driven. */
	int (*relay_confirm)(struct chair_driver *d);
};

struct chair_driver {
	const struct chair_driver_ops *ops;
	chair_input_handler_t on_input;
	void *userdata;
	chair_relay_handler_t on_relay;
	void *relay_userdata;
};

static inline void chair_driver_set_input_handler(struct chair_driver *d, chair_input_handler_t h, void *userdata)
{
	d->on_input = h;
	d->userdata = userdata;
}

static inline void chair_driver_set_relay_handler(struct chair_driver *d, chair_relay_handler_t h, void *userdata)
{
	d->on_relay = h;
	d->relay_userdata = userdata;
}
