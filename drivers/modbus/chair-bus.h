/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"
#include "modbus-link.h"
#include "roller.h"

/* The Modbus devices of docs/hardware.md over one link: the roller-drive board, the
 * temperature module and the relay board.
 *
 * Roller board: each read is one read of its ten input registers, checked for absurd
 * values; each write sends only the holding registers that changed since the last
 * write the board acknowledged (one request: 0x06 for one register, 0x10 for a span),
 * and while the motors are enabled re-arms WATCHDOG_MS when nothing changed for a
 * quarter of its period. Relay board: a coil is written when it changes, and read back
 * on request. */

struct chair_bus;

int chair_bus_new(const struct modbus_config *cfg, sd_event *event, struct chair_bus **ret);
void chair_bus_free(struct chair_bus *b);

int chair_bus_roller_read(struct chair_bus *b, struct roller_status *ret);
int chair_bus_roller_write(struct chair_bus *b, const struct roller_setpoints *sp);
int chair_bus_temperatures_read(struct chair_bus *b, int16_t ret_raw[TEMP_CHANNELS]);
int chair_bus_coil_write(struct chair_bus *b, unsigned coil, bool on);
/* Read the relay board's eight coils back (0x01), as the board holds them. */
int chair_bus_coils_read(struct chair_bus *b, bool ret_on[RELAY_COILS]);

/* The roller board's ten input registers as a status. */
void roller_status_decode(const uint16_t regs[10], struct roller_status *ret);
/* Whether a roller status could come from a board that works (docs/hardware.md's ranges). */
bool roller_status_is_plausible(const struct roller_status *st);
/* The registers a write must carry to take the board from `board` to `want`:
 * first and count, count 0 when nothing changed. */
void roller_registers_changed(const uint16_t board[9], const uint16_t want[9], unsigned *first, unsigned *count);

/* At exit, after the loop: the last writes may each wait their timeout. */
void chair_bus_leaving_loop(struct chair_bus *b);
const struct modbus_link_stats *chair_bus_stats(const struct chair_bus *b);
const char *chair_bus_name(const struct chair_bus *b);
