/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Length of the RTU request at the start of buf (address, function code, ..., CRC)
 * as libmodbus frames a request: > 0 the frame's length; 0 when more bytes are needed
 * to tell; -1 for a function code whose length only the silence after it tells. */
int rtu_request_length(const uint8_t *buf, size_t len);
