/* SPDX-License-Identifier: MIT */
#pragma once

#include <modbus.h>
#include <stdbool.h>
#include <stdint.h>

/* <modbus.h> includes <sys/param.h>, whose MIN and MAX differ from macro.h's */
#undef MIN
#undef MAX
#include "clock.h"
#include "config.h"
#include "driver.h"
#include "macro.h"
#include "sim-body-file.h"
#include "sim-chair.h"

/* chair-sim: the three Modbus devices of docs/hardware.md, served over a pty (RTU) or TCP
 * and backed by the daemon's own chair model, with misbehaviour on command. All state
 * lives in one struct chair_sim that main() owns. */

#define CHAIR_SIM_COILS 8
#define CHAIR_SIM_LINE_MAX 512

enum bus_device_id {
	BUS_ROLLER,
	BUS_TEMP,
	BUS_RELAY,
	_BUS_DEVICE_MAX,
	BUS_DEVICE_INVALID = -1,
};

enum transport_kind {
	TRANSPORT_RTU,
	TRANSPORT_TCP,
};

/* Bytes as the master sees them on the wire: for RTU the whole ADU with address and
 * CRC, for TCP with the MBAP header. bytes_in = from the master. */
struct traffic_stats {
	uint64_t requests, replies, bytes_in, bytes_out;
};

struct bus_device {
	const char *name; /* "roller", "temp", "relay": the control protocol's words */
	unsigned slave;
	modbus_mapping_t *map; /* sized to docs/hardware.md's map: libmodbus refuses the rest */

	/* misbehaviour */
	bool silent;
	bool bad_crc;
	bool wrong_slave;
	unsigned exception; /* every request answered with this code; 0 = none */

	struct traffic_stats stats;
};

/* RTU: the bus pty the master opens, and the libmodbus server behind it. */
struct rtu_bus {
	int master_fd;        /* our side of the bus pty */
	int slave_fd;         /* held open so the master never sees a hang-up between clients */
	int watch_fd;         /* inotify on the slave side: a master closing it */
	char link_path[4096]; /* the symlink to the slave side; "" until made */
	char slave_name[128];

	modbus_t *server; /* libmodbus RTU server context on server_fd */
	int server_fd;    /* its end of an internal socketpair */
	int feed_fd;      /* our end: requests in, replies out */

	uint8_t rx[512]; /* bytes from the master not yet framed */
	size_t rx_len;
	uint64_t rx_last_usec; /* CLOCK_MONOTONIC of the last byte, for the silence */
};

struct tcp_server {
	modbus_t *ctx; /* one context serves all three unit ids */
	int listen_fd;
	int client_fd; /* -1 when no client is connected */
	unsigned port;
};

struct chair_sim {
	/* options */
	enum transport_kind transport;
	const char *rtu_path;
	char tcp_host[256];
	char tcp_port[16];
	const char *config_path;
	const char *body_arg;                           /* --body: a preset name or a file; NULL: [Simulator] Body= */
	enum chair_output coil_output[CHAIR_SIM_COILS]; /* OUTPUT_INVALID: drives nothing */
	double time_scale;
	uint64_t seed;
	bool verbose;

	/* the chair */
	struct massaged_config cfg;
	struct chair_clock clock;
	struct sim_chair chair;
	char body_preset[SIM_BODY_NAME_MAX]; /* the preset the body is; "" when none */
	bool coil_applied[CHAIR_SIM_COILS];  /* coil states the model has been told */

	/* the bus */
	struct bus_device devices[_BUS_DEVICE_MAX];
	struct traffic_stats total; /* every frame, also those for no device of ours */
	unsigned reply_delay_ms;    /* every answer goes out this late: a slow link */
	struct rtu_bus rtu;
	struct tcp_server tcp;

	/* the loop */
	int signal_fd;
	char line[CHAIR_SIM_LINE_MAX]; /* a control command being read */
	size_t line_len;
	bool line_overflow;
	bool quit;
};

/* main.c */
uint64_t chair_sim_now(const struct chair_sim *cs); /* chair time, µs */
void chair_sim_log(const struct chair_sim *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void chair_sim_debug(const struct chair_sim *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line on stdout, flushed. A closed stdout ends the program. */
void chair_sim_say(struct chair_sim *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
