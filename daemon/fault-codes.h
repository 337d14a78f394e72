/* SPDX-License-Identifier: MIT */
#pragma once

#include "config.h"

/* Every fault code there can be: the chair's own (faults.c's table, in this order)
 * and one per pad for each kind, "KIND:ZONE". The fault list holds all of them at
 * once, so that no fault, the emergency stop least of all, is ever dropped for want
 * of room (faults.c checks this at compile time). A new code goes here and in the
 * table. */
enum fault_global {
	FAULT_ESTOP,
	FAULT_ROLLER_OFFLINE,
	FAULT_ROLLER_FAULT,
	FAULT_TEMP_MODULE_OFFLINE,
	FAULT_RELAY_OFFLINE,
	FAULT_MODBUS_SLOW,
	FAULT_OVER_FORCE,
	_FAULT_GLOBAL_MAX,
};

enum fault_pad_kind {
	FAULT_PAD_SENSOR,
	FAULT_PAD_OVERTEMP,
	FAULT_PAD_RUNAWAY,
	FAULT_PAD_HEATER_STUCK,
	_FAULT_PAD_KIND_MAX,
};

#define FAULTS_MAX (_FAULT_GLOBAL_MAX + _FAULT_PAD_KIND_MAX * MAX_PADS)
