/* SPDX-License-Identifier: MIT */
#include "holding-write.h"

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static bool range_in_map(unsigned addr, unsigned count, unsigned n_registers)
{
	return count >= 1 && addr < n_registers && count <= n_registers - addr;
}

/* The values of a write of `count` registers at `addr`, two bytes each from p. */
static bool decode_values(const uint8_t *p, unsigned addr, unsigned count, unsigned n_registers,
			  struct holding_write *ret)
{
	if (!range_in_map(addr, count, n_registers) || count > MODBUS_MAX_WRITE_REGISTERS)
		return false;
	ret->addr = addr;
	ret->count = count;
	for (unsigned i = 0; i < count; i++)
		ret->values[i] = (uint16_t)be16(p + 2 * i);
	return true;
}

/* The checks mirror modbus_reply() of libmodbus 3.1.6, so that exactly the writes it
 * performs are decoded here. */
bool holding_write_decode(const uint8_t *pdu, size_t len, const uint16_t *regs, unsigned n_registers,
			  struct holding_write *ret)
{
	unsigned addr, count, bytes;

	if (len < 5)
		return false;
	addr = be16(pdu + 1);
	switch (pdu[0]) {
	case MODBUS_FC_WRITE_SINGLE_REGISTER:
		return decode_values(pdu + 3, addr, 1, n_registers, ret);
	case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
		if (len < 6)
			return false;
		count = be16(pdu + 3);
		bytes = pdu[5];
		if (count > MODBUS_MAX_WRITE_REGISTERS || bytes != 2 * count || len < 6 + (size_t)bytes)
			return false;
		return decode_values(pdu + 6, addr, count, n_registers, ret);
	case MODBUS_FC_MASK_WRITE_REGISTER: {
		unsigned and_mask, or_mask;

		if (len < 7 || addr >= n_registers)
			return false;
		and_mask = be16(pdu + 3);
		or_mask = be16(pdu + 5);
		ret->addr = addr;
		ret->count = 1;
		ret->values[0] = (uint16_t)((regs[addr] & and_mask) | (or_mask & ~and_mask));
		return true;
	}
	case MODBUS_FC_WRITE_AND_READ_REGISTERS: {
		unsigned read_count, write_addr;

		if (len < 10)
			return false;
		read_count = be16(pdu + 3);
		write_addr = be16(pdu + 5);
		count = be16(pdu + 7);
		bytes = pdu[9];
		if (count > MODBUS_MAX_WR_WRITE_REGISTERS || read_count > MODBUS_MAX_WR_READ_REGISTERS ||
		    bytes != 2 * count || len < 10 + (size_t)bytes)
			return false;
		/* libmodbus refuses the whole request when the read part is outside the map */
		if (!range_in_map(addr, read_count, n_registers))
			return false;
		return decode_values(pdu + 10, write_addr, count, n_registers, ret);
	}
	default:
		return false;
	}
}
