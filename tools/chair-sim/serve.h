/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chair-sim.h"

/* Answer one request libmodbus has received on ctx (for RTU: CRC checked) as device
 * d would, misbehaviour included, with modbus_reply() or modbus_reply_exception().
 * req and req_len as modbus_receive() returned them; checksum_len is 2 for RTU, 0 for
 * TCP. Returns the length of the reply sent on ctx, 0 when none was sent, or a
 * negative errno when sending failed. */
int bus_device_serve(struct chair_sim *cs, struct bus_device *d, modbus_t *ctx, uint8_t *req, int req_len,
		     unsigned checksum_len);

/* Count bytes from the master (d NULL: addressed to no device of ours), as a request
 * or as a fragment that never became one; and a reply. */
void traffic_count_in(struct chair_sim *cs, struct bus_device *d, size_t bytes, bool request);
void traffic_count_reply(struct chair_sim *cs, struct bus_device *d, size_t bytes);
