/* SPDX-License-Identifier: MIT */
#pragma once

#include "chair-sim.h"

/* Modbus RTU on a pty. The bus side frames the master's requests itself and routes
 * each by its address byte: one libmodbus RTU server context, behind an internal
 * socketpair, checks the CRC and builds the reply for whichever device was
 * addressed (modbus_set_slave() to that address first). One context per device on
 * the bus fd cannot work: libmodbus 3.1.6 drops requests for another slave and then
 * swallows the next message as that slave's confirmation. */

void rtu_bus_init(struct rtu_bus *b); /* no fds yet: safe to close */
/* The pty, the symlink cs->rtu_path to its slave side, the server context. */
int rtu_bus_open(struct chair_sim *cs);
/* Removes the symlink if it still points to our pty. */
void rtu_bus_close(struct chair_sim *cs);

void rtu_bus_on_input(struct chair_sim *cs);
/* The inotify watch fired: a master closed the bus, so the line is reset for the next. */
void rtu_bus_on_watch(struct chair_sim *cs);
/* poll() timeout: the silence that ends a frame of unknown length; -1 for none. */
int rtu_bus_timeout_ms(const struct chair_sim *cs);
void rtu_bus_on_timeout(struct chair_sim *cs);
