/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The roller-drive board's registers (docs/hardware.md), as the daemon sees them. */

#define ROLLER_TRAVEL_MAX_MM 780
#define ROLLER_TRAVEL_SPEED_MAX 120
#define ROLLER_KNEAD_RPM_MAX 60
#define ROLLER_TAP_RATE_MAX 720
#define ROLLER_DEPTH_MAX_MM 50
#define ROLLER_WIDTH_MIN_MM 60
#define ROLLER_WIDTH_MAX_MM 180
#define ROLLER_WATCHDOG_MAX_MS 5000
#define ROLLER_PROTOCOL 1
/* The load cell's rated range: LOAD reads 0..5000 (0.1 N) on a working board. */
#define ROLLER_LOAD_RANGE_N 500

/* CONTROL bits */
#define ROLLER_CONTROL_ENABLE (1u << 0)
#define ROLLER_CONTROL_CLEAR_FAULT (1u << 1)
#define ROLLER_CONTROL_PARK (1u << 2)

/* STATUS bits */
#define ROLLER_STATUS_ENABLED (1u << 0)
#define ROLLER_STATUS_MOVING (1u << 1)
#define ROLLER_STATUS_FAULT (1u << 2)
#define ROLLER_STATUS_HOMED (1u << 3)
#define ROLLER_STATUS_TOP_LIMIT (1u << 4)
#define ROLLER_STATUS_BOTTOM_LIMIT (1u << 5)
#define ROLLER_STATUS_WATCHDOG (1u << 6)

enum roller_fault_code {
	ROLLER_FAULT_NONE = 0,
	ROLLER_FAULT_OVERCURRENT = 1,
	ROLLER_FAULT_MOTOR_OVERTEMP = 2,
	ROLLER_FAULT_ENCODER = 3,
	ROLLER_FAULT_SUPPLY = 4,
};

/* Holding registers 0..8 */
struct roller_setpoints {
	uint16_t control;          /* ROLLER_CONTROL_* */
	uint16_t travel_target_mm; /* 0..780 */
	uint16_t travel_speed;     /* mm/s 0..120 */
	uint16_t knead_rpm;        /* 0..60 */
	uint16_t knead_reverse;    /* 0/1 */
	uint16_t tap_rate;         /* taps/min 0..720 */
	uint16_t depth_mm;         /* 0..50 */
	uint16_t width_mm;         /* 60..180 */
	uint16_t watchdog_ms;      /* 0..5000 */
};

/* Input registers 0..9 */
struct roller_status {
	uint16_t status;     /* ROLLER_STATUS_* */
	uint16_t fault_code; /* enum roller_fault_code */
	uint16_t travel_mm;
	uint16_t depth_mm;
	uint16_t width_mm;
	uint16_t knead_rpm;
	uint16_t tap_rate;
	uint16_t load_dn;      /* 0.1 N */
	int16_t board_temp_dc; /* 0.1 °C */
	uint16_t protocol;
};
