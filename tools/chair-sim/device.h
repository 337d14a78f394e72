/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chair-sim.h"

/* The register model of docs/hardware.md's three devices over the chair model: what each
 * answers is refreshed from the model before libmodbus reads it, and what the master
 * writes goes to the model after libmodbus stored it. */

#define ROLLER_HOLDING_REGISTERS 9
#define ROLLER_INPUT_REGISTERS 10

/* Maps sized to docs/hardware.md, holding registers as the model starts, every output
 * driven as --coil says (outputs on no coil: the power relays closed, the rest open). */
int bus_devices_init(struct chair_sim *cs, const unsigned slaves[_BUS_DEVICE_MAX]);
void bus_devices_free(struct chair_sim *cs);

/* NULL for a slave id that is none of ours. */
struct bus_device *bus_device_by_slave(struct chair_sim *cs, unsigned slave);
enum bus_device_id bus_device_from_name(const char *name);

/* Before libmodbus answers the request `pdu` (function code first, without address
 * and CRC): refresh the registers it reads. Returns 0 to let libmodbus answer, or a
 * Modbus exception code to answer with instead (a value out of a register's range).
 * *ret_write tells bus_device_after_reply() that a write is to reach the model. */
unsigned bus_device_before_reply(struct chair_sim *cs, struct bus_device *d, const uint8_t *pdu, size_t len,
				 bool *ret_write);
/* After modbus_reply(): give the model what was written. */
void bus_device_after_reply(struct chair_sim *cs, struct bus_device *d, bool write);
