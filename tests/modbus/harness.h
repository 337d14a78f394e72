/* SPDX-License-Identifier: MIT */
#pragma once

/* Modbus test harness: tools/chair-sim on a pty in a temporary folder (or on TCP port
 * 0), its control protocol on stdin/stdout, and libmodbus masters on its bus.
 *
 * Failures go through sim_fail(): it prints chair-sim's stderr, kills the chair-sim
 * this test started (by PID), removes the temporary folder and fails the Check test.
 * The S_* macros report the caller's line. */

#include <check.h>

#include "../check-tap.h"
#include <modbus.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SIM_MASTERS_MAX 4
/* The master's response timeout: how long a silent device keeps a call waiting. */
#define SIM_RESPONSE_TIMEOUT_MS 100

struct sim {
	char dir[256];
	char bus_path[300]; /* the --rtu symlink */
	char log_path[300]; /* chair-sim's stderr */
	bool tcp;
	unsigned tcp_port;
	pid_t pid;
	int in_fd, out_fd; /* its stdin and stdout */
	char out[16384];   /* stdout read but not yet taken as lines */
	size_t out_len;
	char reply[16384]; /* the lines before a command's ok / error */
	modbus_t *masters[SIM_MASTERS_MAX];
};

/* chair-sim --rtu DIR/bus (or --tcp 0) plus extra arguments (NULL-terminated, may
 * be NULL); returns once it printed its ready line. */
void sim_start_at(struct sim *s, const char *file, int line, bool tcp, const char *const *extra);
#define sim_start(s, tcp, extra) sim_start_at((s), __FILE__, __LINE__, (tcp), (extra))
/* quit; it must exit 0 and (RTU) have removed its symlink. Removes the folder. */
void sim_stop_at(struct sim *s, const char *file, int line);
#define sim_stop(s) sim_stop_at((s), __FILE__, __LINE__)

/* Kill what is left of this test's chair-sim and remove the temporary folder. */
void sim_cleanup(struct sim *s);

/* Run chair-sim with these arguments (NULL-terminated) and stdin from /dev/null;
 * returns its exit status and its stderr in s->reply. For start-up failures. */
int sim_run_at(struct sim *s, const char *file, int line, const char *const *args);
#define sim_run(s, args) sim_run_at((s), __FILE__, __LINE__, (args))

/* A control command; the lines before the "ok" (joined by \n) are returned. */
const char *sim_command_at(struct sim *s, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define S_CMD(s, ...) sim_command_at((s), __FILE__, __LINE__, __VA_ARGS__)
/* A command that must be refused: returns the text after "error: ". */
const char *sim_command_error_at(struct sim *s, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define S_CMD_ERR(s, ...) sim_command_error_at((s), __FILE__, __LINE__, __VA_ARGS__)
/* The value of KEY in the last line of s->reply that starts with `prefix`, or
 * fails. E.g. sim_field(s, "stats roller", "bytes_in"). */
unsigned long sim_field_at(struct sim *s, const char *file, int line, const char *prefix, const char *key);
#define S_FIELD(s, prefix, key) sim_field_at((s), __FILE__, __LINE__, (prefix), (key))
/* One `state` line's KEY as text (static buffer). */
const char *sim_state_at(struct sim *s, const char *file, int line, const char *key);
#define S_STATE(s, key) sim_state_at((s), __FILE__, __LINE__, (key))
/* The same as a number. */
unsigned long sim_state_number_at(struct sim *s, const char *file, int line, const char *key);
#define S_STATE_U(s, key) sim_state_number_at((s), __FILE__, __LINE__, (key))

/* A libmodbus master on the bus: RTU 115200 8E1 on the symlink, or TCP to the port;
 * SIM_RESPONSE_TIMEOUT_MS; talking to `slave`. Freed by sim_stop()/sim_fail(). */
modbus_t *sim_master_at(struct sim *s, const char *file, int line, int slave);
#define S_MASTER(s, slave) sim_master_at((s), __FILE__, __LINE__, (slave))
void sim_master_close(struct sim *s, modbus_t *m);

uint64_t sim_now_usec(void);
/* Wait this long: for the model's time to pass, never to wait for an event. */
void sim_pause_ms(unsigned ms);

void sim_fail(struct sim *s, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

#define S_ASSERT(s, expr, ...) \
	do { \
		if (!(expr)) \
			sim_fail((s), __FILE__, __LINE__, "assertion '" #expr "' failed: " __VA_ARGS__); \
	} while (0)

/* A Modbus call that must succeed with `want` as its result. */
#define S_MB_OK(s, call, want) \
	do { \
		int _rc = (call); \
		if (_rc != (want)) \
			sim_fail((s), __FILE__, __LINE__, "%s returned %d (%s), expected %d", #call, _rc, \
				 _rc < 0 ? modbus_strerror(errno) : "no error", (int)(want)); \
	} while (0)
/* A Modbus call that must fail with errno `err`. */
#define S_MB_ERR(s, call, err) \
	do { \
		int _rc = (call), _e = errno; \
		if (_rc != -1 || _e != (err)) \
			sim_fail((s), __FILE__, __LINE__, "%s returned %d (%s), expected -1 with %s", #call, _rc, \
				 _rc < 0 ? modbus_strerror(_e) : "no error", modbus_strerror(err)); \
	} while (0)
