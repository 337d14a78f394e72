/* SPDX-License-Identifier: MIT */
#pragma once

/* Integration test harness: a private system-style dbus-daemon, massaged --simulate
 * on it with a temporary configuration and program directory, and helpers to call
 * methods, read properties and wait for PropertiesChanged and the Chair1 signals
 * with deadlines (never fixed sleeps).
 *
 * Failures go through harness_fail(): it prints the daemon's stderr, kills the
 * processes this test started (by PID) and removes the temporary directory, then
 * fails the Check test. Use the H_* macros below, which report the caller's line. */

#include <check.h>

#include "../check-tap.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#define CHAIR_SERVICE "org.massaged.Chair1"
#define CHAIR_PATH "/org/massaged/Chair1"
#define CHAIR_IFACE "org.massaged.Chair1"
#define SIM_PATH "/org/massaged/Simulator1"
#define SIM_IFACE "org.massaged.Simulator1"
#define CHAIR_ERROR(x) "org.massaged.Chair1.Error." x
#define ERROR_INVALID_ARGS "org.freedesktop.DBus.Error.InvalidArgs"

/* Three 30 s steps on three zones (neck, lower back, shoulders), 90 s in all. */
#define TEST_SHORT_ID "test-short"
/* Two 900 s steps: outlasts every timer. */
#define TEST_LONG_ID "test-long"

struct harness_signal {
	char member[32];
	char *arg0, *arg1;
	uint64_t when_usec;
	bool consumed;
};

struct harness_change {
	char *name;  /* Chair1 property */
	char *value; /* formatted as harness_get() does; NULL when invalidated */
	uint64_t when_usec;
};

/* One entry the daemon sent to the journal: "KEY=value" strings back to back, each
 * NUL-terminated, the list ended by an empty one. */
struct harness_journal_entry {
	char *fields;
	bool consumed;
};

/* The last value of a Chair1 property the harness knows of, from a read or a signal. */
struct harness_known {
	char name[32];
	char *value;
};

/* A value a read returned with no PropertiesChanged having announced the change yet. */
struct harness_pending {
	char name[32];
	char *value;
	size_t index;      /* changes[] entries from here on may announce it */
	uint64_t deadline; /* announced by then, or the contract is broken */
};

struct harness {
	char tmpdir[256];
	char override_dir[300];
	char config_path[300];
	char log_path[300];
	char bus_conf_path[300];
	char *bus_address;
	pid_t bus_pid;
	pid_t daemon_pid;
	int daemon_pidfd;
	double time_scale;
	/* start massaged --simulate-lines (real time, Modbus as configured) instead */
	bool simulate_lines;
	/* given to the daemon when set: systemd's notify socket and watchdog period */
	char notify_socket[300];
	const char *watchdog_usec;
	/* start the daemon in a mount namespace of its own with a tmpfs of this size
	 * (e.g. "64k") as its state directory, filled up before massaged starts: a full
	 * disk. See harness_state_tmpfs_unavailable(). */
	const char *state_tmpfs_full;
	/* one more option for massaged --simulate (e.g. "--force-control=off"), or NULL */
	const char *daemon_extra_arg;
	/* capture what the daemon sends to the journal (harness-journal.c): its stderr
	 * counts as connected to the journal (JOURNAL_STREAM), so nothing goes to the log
	 * file. Needs what state_tmpfs_full needs (harness_state_tmpfs_unavailable()). */
	bool journal_capture;
	int journal_fd;
	struct harness_journal_entry **journal; /* each its own allocation: pointers stay valid */
	size_t n_journal, cap_journal;
	sd_bus *bus;
	sd_bus_slot *match_props, *match_signals, *match_owner;
	bool name_owned;

	struct harness_signal *signals;
	size_t n_signals, cap_signals;
	struct harness_change *changes;
	size_t n_changes, cap_changes;

	struct harness_known known[32];
	size_t n_known;
	struct harness_pending pending[64];
	size_t n_pending;

	char ring[16][4096]; /* returned strings, valid for the next 15 calls */
	unsigned ring_next;

	/* called by harness_fail() with its message once the processes are gone, instead
	 * of failing a Check test (programs that are not Check tests: the soak) */
	void (*on_fail)(struct harness *h, const char *message);
};

/* ---- life cycle ---- */

/* Temporary directory, override program dir with the test programs, private bus.
 * `config_extra` is appended to the daemon's config file (may be NULL). */
void harness_init(struct harness *h, const char *config_extra);
/* massaged --simulate --time-scale SCALE --config FILE --log-level debug (or with
 * h->simulate_lines, --simulate-lines and a scale of 1), then wait until it owns
 * org.massaged.Chair1. */
void harness_start_daemon(struct harness *h, double time_scale);
/* harness_init + harness_start_daemon. */
void harness_start(struct harness *h, double time_scale, const char *config_extra);
/* SIGTERM the daemon, assert it exits 0, stop the bus, remove the temporary files. */
void harness_stop_at(struct harness *h, const char *file, int line);
/* Only the first part: SIGTERM, exit 0; the log stays for reading, and
 * harness_start_daemon() may start it again on the same state directory. */
void harness_stop_daemon_at(struct harness *h, const char *file, int line);
/* SIGKILL the daemon at once and reap it (a crash, a power cut). */
void harness_kill_daemon(struct harness *h);
/* <tmpdir>/state, the daemon's STATE_DIRECTORY (ring buffer string). */
const char *harness_state_path(struct harness *h, const char *name);
/* Why a state tmpfs (state_tmpfs_full) cannot be had here, or "" when it can. */
const char *harness_state_tmpfs_unavailable(void);
#define harness_stop(h) harness_stop_at((h), __FILE__, __LINE__)

void harness_write_file(struct harness *h, const char *path, const char *text);
/* <override dir>/<id>.program */
void harness_write_program(struct harness *h, const char *id, const char *text);
/* Rewrite the daemon's config file: "[Programs]\nOverride=DIR\n" + extra. */
void harness_write_config(struct harness *h, const char *extra);

/* Run a program with DBUS_SYSTEM_BUS_ADDRESS of the private bus, stdout and stderr
 * to files (either may be NULL: /dev/null). Returns its wait status; kills it and
 * fails when it runs longer than timeout_ms. */
int harness_run(struct harness *h, char *const argv[], const char *out_path, const char *err_path, unsigned timeout_ms);
/* massagectl ARGS... (NULL-terminated, at most 10) on the private bus: its exit status
 * (-1 when killed), stdout and stderr (valid until the harness's next read). */
struct harness_ctl_result {
	int status;
	const char *out, *err;
};
struct harness_ctl_result harness_massagectl(struct harness *h, char *const args[]);
#define H_MASSAGECTL(h, ...) harness_massagectl((h), (char *[]) { __VA_ARGS__, NULL })
/* Contents of a file (ring buffer string, truncated to 4 KiB; "" if missing). */
const char *harness_read_file(struct harness *h, const char *path);
bool harness_log_contains(struct harness *h, const char *needle);
/* Wait until the daemon's stderr contains needle. */
bool harness_wait_log(struct harness *h, const char *needle, unsigned timeout_ms);
/* The chair time (s) in the daemon's last log line containing `needle` and "at chair
 * time "; fails when there is none. */
double harness_logged_chair_s(struct harness *h, const char *file, int line, const char *needle);

/* ---- time ---- */

/* MASSAGED_TEST_VALGRIND is set: massaged and massagectl run under valgrind's memcheck
 * (20-50x slower), the time scale passed to harness_start_daemon() is capped at 2 and
 * start-up and exit deadlines are longer. Tests bound by wall time skip then. */
bool harness_under_valgrind(void);

uint64_t harness_now_usec(void);
/* Wall milliseconds of a span of chair seconds at the daemon's time scale. */
unsigned harness_wall_ms(const struct harness *h, double chair_seconds);
/* Dispatch bus messages for ms milliseconds of wall time (signals are queued). */
void harness_pump(struct harness *h, unsigned ms);

/* ---- calls ---- */

/* A method call; returns the reply (caller unrefs) or NULL with *error set. */
sd_bus_message *harness_callv(struct harness *h, const char *path, const char *iface, const char *member,
			      sd_bus_error *error, const char *types, va_list ap);
sd_bus_message *harness_call_ok(struct harness *h, const char *file, int line, const char *path, const char *iface,
				const char *member, const char *types, ...);
/* Assert the call fails with error_name and a non-empty message; returns the message
 * (ring buffer string). */
const char *harness_call_error(struct harness *h, const char *file, int line, const char *error_name, const char *path,
			       const char *iface, const char *member, const char *types, ...);

#define H_CALL(h, member, ...) \
	sd_bus_message_unref(harness_call_ok((h), __FILE__, __LINE__, CHAIR_PATH, CHAIR_IFACE, (member), __VA_ARGS__))
#define H_CALL_REPLY(h, member, ...) \
	harness_call_ok((h), __FILE__, __LINE__, CHAIR_PATH, CHAIR_IFACE, (member), __VA_ARGS__)
#define H_CALL_ERR(h, error, member, ...) \
	harness_call_error((h), __FILE__, __LINE__, (error), CHAIR_PATH, CHAIR_IFACE, (member), __VA_ARGS__)
#define H_SIM(h, member, ...) \
	sd_bus_message_unref(harness_call_ok((h), __FILE__, __LINE__, SIM_PATH, SIM_IFACE, (member), __VA_ARGS__))
#define H_SIM_ERR(h, error, member, ...) \
	harness_call_error((h), __FILE__, __LINE__, (error), SIM_PATH, SIM_IFACE, (member), __VA_ARGS__)

/* ListPrograms' ids, comma-separated (a static buffer of 64 KiB, valid until the next
 * call). */
const char *harness_program_ids(struct harness *h, const char *file, int line);
#define H_PROGRAM_IDS(h) harness_program_ids((h), __FILE__, __LINE__)

/* ---- properties ---- */

/* A property formatted: strings as they are, numbers in decimal, booleans true/false,
 * arrays as elements joined by ",", dict entries as key=value, structs as (a b).
 * NULL (and *error set) when the Get fails. Ring buffer string. */
const char *harness_get(struct harness *h, const char *path, const char *iface, const char *name, sd_bus_error *error);
const char *harness_prop(struct harness *h, const char *file, int line, const char *name);
uint32_t harness_prop_u(struct harness *h, const char *file, int line, const char *name);
int32_t harness_prop_i(struct harness *h, const char *file, int line, const char *name);
bool harness_prop_b(struct harness *h, const char *file, int line, const char *name);
#define H_PROP(h, name) harness_prop((h), __FILE__, __LINE__, (name))
#define H_PROP_U(h, name) harness_prop_u((h), __FILE__, __LINE__, (name))
#define H_PROP_B(h, name) harness_prop_b((h), __FILE__, __LINE__, (name))
#define H_PROP_I(h, name) harness_prop_i((h), __FILE__, __LINE__, (name))

/* Simulator1 properties */
uint32_t harness_roller_position(struct harness *h, const char *file, int line);
/* Outputs[name]; fails if the output is missing. */
bool harness_output(struct harness *h, const char *file, int line, const char *output);
/* PadTemperature[zone] in °C; fails if the zone has no pad. */
double harness_pad_temperature(struct harness *h, const char *file, int line, const char *zone);
#define H_ROLLER(h) harness_roller_position((h), __FILE__, __LINE__)
#define H_PAD_TEMPERATURE(h, zone) harness_pad_temperature((h), __FILE__, __LINE__, (zone))
#define H_OUTPUT(h, name) harness_output((h), __FILE__, __LINE__, (name))

/* Heater1 properties of a pad's object (e.g. CHAIR_PATH "/heater/neck") */
#define HEATER_IFACE "org.massaged.Heater1"
/* A pad's property in the format above; fails when the Get fails. Ring buffer string. */
const char *harness_pad_prop(struct harness *h, const char *file, int line, const char *path, const char *name);
/* Wait until a pad's property reads `want` (string compare), pumping the bus. */
void harness_wait_pad(struct harness *h, const char *file, int line, const char *path, const char *name,
		      const char *want, unsigned timeout_ms);

/* Wait until the Chair1 property `name` reads (or a PropertiesChanged since the call
 * carried) `expected` in the format above. Fails with the last value and the State
 * history on timeout.
 *
 * Every read of a Chair1 property is also checked against the contract that each
 * property emits PropertiesChanged: a read that differs from the last known value
 * must be announced by a PropertiesChanged for that property (before the read's
 * reply, or within a grace of 0.5 s + 1.5 s of chair time for deferred emission),
 * else the test fails. */
void harness_wait_property(struct harness *h, const char *file, int line, const char *name, const char *expected,
			   unsigned timeout_ms);
#define H_WAIT_PROP(h, name, expected, ms) harness_wait_property((h), __FILE__, __LINE__, (name), (expected), (ms))
/* As above without failing: true when reached. */
bool harness_try_wait_property(struct harness *h, const char *name, const char *expected, unsigned timeout_ms);

/* Every value State took in PropertiesChanged since the last clear, joined by ",". */
const char *harness_state_history(struct harness *h);
/* Forget recorded property changes (and with them the State history). */
void harness_clear_history(struct harness *h);
/* true when `value` of property `name` was seen in PropertiesChanged since the clear. */
bool harness_seen(struct harness *h, const char *name, const char *value);

/* GetAll of Chair1, "Name=value" lines sorted, without Elapsed, Remaining, Force and
 * ForceTarget (they move by themselves during a session). malloc'd. */
char *harness_snapshot(struct harness *h);
/* GetAll of Chair1, every property (one consistent view of the session). malloc'd. */
char *harness_get_all(struct harness *h);
/* GetAll of any object's interface, "Name=value" lines sorted, every property. malloc'd. */
char *harness_get_all_of(struct harness *h, const char *path, const char *iface);
/* One property's value from harness_snapshot()/harness_get_all() text. */
const char *harness_field(struct harness *h, const char *snap, const char *name);
void harness_assert_unchanged(struct harness *h, const char *file, int line, const char *before);
#define H_ASSERT_UNCHANGED(h, before) harness_assert_unchanged((h), __FILE__, __LINE__, (before))

/* ClearFault once the cause is gone: FaultCleared(code), State idle, no faults left. */
void harness_clear_fault(struct harness *h, const char *file, int line, const char *code);
#define H_CLEAR_FAULT(h, code) harness_clear_fault((h), __FILE__, __LINE__, (code))

/* ---- signals ---- */

/* Wait for an unconsumed ProgramFinished/FaultRaised/FaultCleared whose first args
 * match (NULL matches anything); marks it consumed and returns it. */
struct harness_signal *harness_wait_signal(struct harness *h, const char *file, int line, const char *member,
					   const char *arg0, const char *arg1, unsigned timeout_ms);
#define H_WAIT_SIGNAL(h, member, arg0, arg1, ms) \
	harness_wait_signal((h), __FILE__, __LINE__, (member), (arg0), (arg1), (ms))
/* How many unconsumed signals match. */
unsigned harness_count_signals(struct harness *h, const char *member, const char *arg0, const char *arg1);
/* Forget every signal received so far (a long run keeps its memory bounded). */
void harness_forget_signals(struct harness *h);
/* Every signal received, for messages. Ring buffer string. */
const char *harness_signal_list(struct harness *h);

/* ---- sessions ---- */

/* The time scale of tests that scan: ≤ 40 ms of chair time per 2 ms control tick. */
#define SCAN_SCALE 20
/* Wall time a body scan may take (about 20 s of chair time), with room to spare. */
#define SCAN_TIMEOUT_MS(h) (harness_wall_ms((h), 90) + 3000)
/* Start(id) (or the button/method the caller used) and wait until State is running,
 * a body scan first included. */
void harness_start_program(struct harness *h, const char *file, int line, const char *id);
#define H_START_RUNNING(h, id) harness_start_program((h), __FILE__, __LINE__, (id))
void harness_wait_running(struct harness *h, const char *file, int line);
#define H_WAIT_RUNNING(h) harness_wait_running((h), __FILE__, __LINE__)
/* true when the State history holds these comma-separated values in this order
 * (other values may come between). */
bool harness_history_in_order(struct harness *h, const char *sequence);

/* ---- the journal (h->journal_capture) ---- */

/* Wait for an entry not returned before whose fields include every "KEY=value" of
 * `match` (separated by spaces); fails with the last entries on timeout. */
const struct harness_journal_entry *harness_journal_wait(struct harness *h, const char *file, int line,
							 const char *match, unsigned timeout_ms);
#define H_JOURNAL_WAIT(h, match, ms) harness_journal_wait((h), __FILE__, __LINE__, (match), (ms))
/* A field's value, or NULL when the entry lacks it. */
const char *harness_journal_field(const struct harness_journal_entry *e, const char *key);
/* The last entries' events and messages, for failure messages (ring buffer string). */
const char *harness_journal_tail(struct harness *h);

/* ---- failing ---- */

void harness_fail(struct harness *h, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

#define H_ASSERT(h, expr, ...) \
	do { \
		if (!(expr)) \
			harness_fail((h), __FILE__, __LINE__, "assertion '" #expr "' failed: " __VA_ARGS__); \
	} while (0)
#define H_ASSERT_STR_EQ(h, got, want) \
	do { \
		const char *_g = (got), *_w = (want); \
		if (!_g || strcmp(_g, _w) != 0) \
			harness_fail((h), __FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #got, \
				     _g ? _g : "(null)", _w); \
	} while (0)
#define H_ASSERT_UINT_EQ(h, got, want) \
	do { \
		unsigned long long _g = (got), _w = (want); \
		if (_g != _w) \
			harness_fail((h), __FILE__, __LINE__, "%s is %llu, expected %llu", #got, _g, _w); \
	} while (0)
