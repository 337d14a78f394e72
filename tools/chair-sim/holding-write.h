/* SPDX-License-Identifier: MIT */
#pragma once

#include <modbus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a request would write into holding registers, decoded from its PDU (function
 * code first, no address, no CRC) so a device can refuse a value before libmodbus
 * stores it. Covers 0x06, 0x10, 0x16 (mask write) and 0x17 (write and read). */
struct holding_write {
	unsigned addr, count;
	uint16_t values[MODBUS_MAX_WRITE_REGISTERS];
};

/* true when the PDU is a write that modbus_reply() will carry out on a map of
 * n_registers holding registers whose values are regs[]; false for every other
 * request, including writes libmodbus refuses itself (count or address out of the
 * map), which are left to it. */
bool holding_write_decode(const uint8_t *pdu, size_t len, const uint16_t *regs, unsigned n_registers,
			  struct holding_write *ret);
