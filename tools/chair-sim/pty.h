/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* A pseudo-terminal pair in raw mode. The master is non-blocking; the slave side is
 * opened too and should be held: while no fd of the slave is open, the master reads
 * EIO and polls POLLHUP without end. */
int pty_open_raw(int *ret_master, int *ret_slave, char *ret_slave_name, size_t size);

/* After a master closed the slave side: the line back to how chair-sim set it up,
 * with nothing left in it, as a serial port is when it is opened anew. Without it,
 * a master that died without restoring the termios (libmodbus's modbus_close() does)
 * leaves them exactly as modbus_connect() sets them, and on Debian the next
 * modbus_connect() with parity fails with EINVAL (see pty_set_idle()). */
int pty_reset_line(int slave_fd);

/* Make `path` a symlink to `target`, replacing a symlink there but nothing else
 * (-EEXIST). */
int symlink_replace(const char *target, const char *path);
/* Remove `path` if it still is a symlink to `target`. */
void symlink_remove_if(const char *target, const char *path);
