/* SPDX-License-Identifier: MIT */
#pragma once

#include "chair-sim.h"

/* Modbus TCP: one libmodbus context serves all three devices, dispatching on the unit
 * id; one client at a time, the next accepted when it disconnects. */

void tcp_server_init(struct tcp_server *t);
/* Listen on cs->tcp_host:cs->tcp_port ("0": any free port, in t->port afterwards). */
int tcp_server_open(struct chair_sim *cs);
void tcp_server_close(struct chair_sim *cs);

/* The fd to poll: the client's, or the listening socket while there is none. */
int tcp_server_fd(const struct chair_sim *cs);
void tcp_server_on_input(struct chair_sim *cs);
