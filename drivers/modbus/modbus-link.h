/* SPDX-License-Identifier: MIT */
#pragma once

#include <modbus.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "hardware-config.h"

/* One Modbus line (RTU or TCP) shared by the chair's devices. Every request waits at
 * most the configured timeout. Within one event-loop iteration all requests together
 * wait at most that timeout too: a request starts only while one as slow as the
 * recent answers still fits in what is left (and waits at most that), and after a
 * request timed out the others of the iteration are deferred. A deferred request fails
 * at once with -EAGAIN, for the caller to try again in a later iteration. Start-up and
 * exit, outside the loop's handlers, are not budgeted. A broken connection is closed
 * and opened again on a later request. */

struct modbus_link_stats {
	uint64_t requests, failures, timeouts, reconnects;
	uint64_t deferred;                    /* requests put off to a later iteration: the budget was spent */
	uint64_t longest_iteration_wait_usec; /* time spent in requests within one loop iteration */
};

struct modbus_link;

/* Sets the line up without opening it; -EINVAL when libmodbus refuses the settings or
 * the timeouts. Logs nothing: the caller says what the failure stops. */
int modbus_link_new(const struct modbus_config *cfg, sd_event *event, struct modbus_link **ret);
void modbus_link_free(struct modbus_link *l);

/* Run one request against `slave`: begin() selects it (connecting first if needed) and
 * returns the context, or a negative errno without waiting (-EAGAIN: the loop
 * iteration's budget is spent, try in the next one); end() takes libmodbus's
 * return value and gives 0 or a negative errno: -ETIMEDOUT (silent), -EBADMSG (bad CRC
 * or framing), -EPROTO (exception, wrong slave, wrong length), -ENOTCONN. */
int modbus_link_begin(struct modbus_link *l, unsigned slave, modbus_t **ret);
int modbus_link_end(struct modbus_link *l, int rc);

/* At exit, after the loop: each last request may wait its timeout, uncounted. */
void modbus_link_leave_loop(struct modbus_link *l);

const struct modbus_link_stats *modbus_link_get_stats(const struct modbus_link *l);
/* "/dev/ttyAMA0 115200 8E1" or "10.0.0.9:502", for messages. */
const char *modbus_link_name(const struct modbus_link *l);
