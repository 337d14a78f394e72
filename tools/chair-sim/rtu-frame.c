/* SPDX-License-Identifier: MIT */
#include <modbus.h>

#include "rtu-frame.h"

#define RTU_ADDRESS_CRC 3 /* address byte and two CRC bytes around the PDU */

int rtu_request_length(const uint8_t *buf, size_t len)
{
	if (len < 2)
		return 0;
	switch (buf[1]) {
	/* function, address and count or value; libmodbus frames code 0 alike */
	case 0x00:
	case MODBUS_FC_READ_COILS:
	case MODBUS_FC_READ_DISCRETE_INPUTS:
	case MODBUS_FC_READ_HOLDING_REGISTERS:
	case MODBUS_FC_READ_INPUT_REGISTERS:
	case MODBUS_FC_WRITE_SINGLE_COIL:
	case MODBUS_FC_WRITE_SINGLE_REGISTER:
		return RTU_ADDRESS_CRC + 5;
	/* the function code alone */
	case MODBUS_FC_READ_EXCEPTION_STATUS:
	case 0x0B: /* get comm event counter */
	case 0x0C: /* get comm event log */
	case MODBUS_FC_REPORT_SLAVE_ID:
		return RTU_ADDRESS_CRC + 1;
	/* function, address, count, byte count, the bytes */
	case MODBUS_FC_WRITE_MULTIPLE_COILS:
	case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
		return len < 7 ? 0 : RTU_ADDRESS_CRC + 6 + buf[6];
	case MODBUS_FC_MASK_WRITE_REGISTER:
		return RTU_ADDRESS_CRC + 7;
	/* function, read address and count, write address and count, byte count, bytes */
	case MODBUS_FC_WRITE_AND_READ_REGISTERS:
		return len < 11 ? 0 : RTU_ADDRESS_CRC + 10 + buf[10];
	default:
		return -1;
	}
}
