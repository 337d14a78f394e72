/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "chair-types.h"
#include "driver.h"

/* How the chair is wired: which GPIO line or relay-board coil carries each logical
 * signal, and how to reach the Modbus devices ([GPIO], [Modbus] and [Binding] in
 * massaged.conf). The defaults are docs/hardware.md's wiring. */

#define HW_NAME_MAX 64
#define HW_PATH_MAX 128
#define RELAY_COILS 8

enum signal_kind {
	SIGNAL_NONE,
	SIGNAL_GPIO,
	SIGNAL_COIL, /* a coil of the relay board (outputs only) */
};

enum signal_bias {
	BIAS_AS_IS,
	BIAS_NONE,
	BIAS_PULL_UP,
	BIAS_PULL_DOWN,
};

struct signal_binding {
	enum signal_kind kind;
	char line[HW_NAME_MAX]; /* SIGNAL_GPIO: the line's name */
	unsigned coil;          /* SIGNAL_COIL: 0..7 */
	bool active_low;
	enum signal_bias bias; /* inputs */
};

enum modbus_transport {
	MODBUS_TRANSPORT_RTU,
	MODBUS_TRANSPORT_TCP,
};

struct modbus_config {
	enum modbus_transport transport;
	char device[HW_PATH_MAX];
	unsigned baud;
	char parity; /* 'N', 'E' or 'O', as libmodbus wants it */
	unsigned data_bits, stop_bits;
	char host[HW_PATH_MAX];
	unsigned port;
	unsigned timeout_ms;     /* one request's answer; also the longest the loop waits */
	unsigned startup_wait_s; /* how long start-up waits for the roller board to answer */
	unsigned roller_slave, temp_slave, relay_slave;
};

struct hardware_config {
	char gpio_chip[HW_PATH_MAX]; /* a path, a name (gpiochip0) or a label */
	unsigned debounce_ms;        /* remote buttons and seat; the emergency stop has none */
	struct signal_binding inputs[_INPUT_MAX];
	struct signal_binding outputs[_OUTPUT_MAX];
	int sensor_channel
		[_ZONE_MAX]; /* temperature module channel of each zone's pad; -1 = the pad's place in Pads= */
	struct modbus_config modbus;
};

void hardware_config_init_defaults(struct hardware_config *hw);

/* "gpio:LINE [active-low|active-high] [pull-up|pull-down|no-pull]", "coil:N [active-low]"
 * or "none". Inputs take GPIO lines only. On error returns -EINVAL and writes what was
 * expected into expected[size]. */
int signal_binding_parse(const char *value, bool output, enum signal_bias default_bias, struct signal_binding *ret,
			 char *expected, size_t size);
/* docs/hardware.md: pull-ups on the emergency stop and the buttons, none on the seat. */
enum signal_bias hardware_default_bias(enum chair_input i);
/* Back to text, for logs: "gpio:ESTOP active-low". */
void signal_binding_format(const struct signal_binding *b, char *buf, size_t size);

/* "rtu"/"tcp" and "none"/"even"/"odd": -EINVAL if neither. */
int modbus_transport_parse(const char *s, enum modbus_transport *ret);
int modbus_parity_parse(const char *s, char *ret);
/* The line, for messages: "/dev/ttyAMA0 115200 8E1" or "10.0.0.9:502". */
void modbus_config_format(const struct modbus_config *m, char *buf, size_t size);

/* Two signals on one line or coil, or two pads on one channel: -EINVAL, and what
 * clashes in why[size]. */
int hardware_config_verify(const struct hardware_config *hw, const enum zone *pads, unsigned n_pads, char *why,
			   size_t size);
/* The temperature channel of the pad at `index` in Pads= on `zone`. */
unsigned hardware_sensor_channel(const struct hardware_config *hw, enum zone zone, unsigned index);
