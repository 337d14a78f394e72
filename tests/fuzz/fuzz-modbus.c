/* SPDX-License-Identifier: MIT */
/* What a Modbus device answered, and whether the driver takes it as data.
 *
 * Every input first goes through the roller board's register decoding and plausibility
 * check alone (its first 20 bytes as the ten input registers). Then the whole response
 * path: up to MAX_TRANSACTIONS requests of the driver (chair-bus.c over modbus-link.c
 * over libmodbus, Modbus TCP) against a device whose answers the input writes. The
 * device is the other end of a socketpair that this file's modbus_connect() hands to
 * libmodbus, instead of a TCP connection; everything after connecting is the real path.
 *
 * A transaction is 3 bytes and then what its kind needs:
 *   op      = byte0 & 3: roller read, temperature read, roller write, coil write
 *   kind    = byte0 >> 2 & 3: a well-formed answer with data (reads: the registers that
 *             follow; writes: the echo), an exception (code = byte2), the raw ADU of
 *             byte2 bytes that follow, or a right MBAP header before byte2 PDU bytes
 *   byte1   = coil write: coil (bits 0-2) and on (bit 3); others: nothing
 *   registers, big-endian: 10 (roller read), 8 (temperature read), 9 setpoints (roller
 *             write), missing bytes read as 0 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chair-bus.h"
#include "fuzz-target.h"
#include "log.h"
#include "macro.h"

#define MAX_TRANSACTIONS 4
#define ANSWER_MAX 300

enum op {
	OP_ROLLER_READ,
	OP_TEMPERATURE_READ,
	OP_ROLLER_WRITE,
	OP_COIL_WRITE
};
enum kind {
	KIND_DATA,
	KIND_EXCEPTION,
	KIND_RAW,
	KIND_PDU
};

static const unsigned op_registers[] = { 10, TEMP_CHANNELS, 9, 0 };

struct input {
	const uint8_t *data;
	size_t size;
};

static uint8_t take_byte(struct input *in)
{
	uint8_t b = 0;

	if (in->size > 0) {
		b = in->data[0];
		in->data++;
		in->size--;
	}
	return b;
}

static uint16_t take_register(struct input *in)
{
	uint16_t hi = take_byte(in);

	return (uint16_t)(hi << 8 | take_byte(in));
}

/* The device: its end of the socketpair while libmodbus holds the other. */
static int device_fd = -EBADF;
static uint8_t pending[ANSWER_MAX];
static size_t pending_size;

/* The answer goes out now when connected, else at the connection (if any). */
static void device_send(void)
{
	if (device_fd < 0)
		return;
	if (pending_size > 0)
		(void)send(device_fd, pending, pending_size, MSG_NOSIGNAL);
	pending_size = 0;
}

/* Instead of libmodbus's: the same context, connected to the fuzzer's device. */
int modbus_connect(modbus_t *ctx)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if (device_fd >= 0)
		(void)close(device_fd);
	device_fd = sv[1];
	if (modbus_set_socket(ctx, sv[0]) < 0) {
		(void)close(sv[0]);
		return -1;
	}
	/* The answer is in the socket before the request leaves, so waiting only ever
	 * ends in a timeout: keep those short. */
	(void)modbus_set_response_timeout(ctx, 0, 1000);
	(void)modbus_set_byte_timeout(ctx, 0, 500);
	device_send();
	return 0;
}

/* The answer as the device puts it on the wire: MBAP header, then the PDU. */
static void answer(uint16_t transaction, uint8_t unit, const uint8_t *pdu, size_t n)
{
	uint8_t *a = pending;

	n = MIN(n, sizeof(pending) - 7);
	a[0] = (uint8_t)(transaction >> 8);
	a[1] = (uint8_t)transaction;
	a[2] = a[3] = 0;
	a[4] = (uint8_t)((n + 1) >> 8);
	a[5] = (uint8_t)(n + 1);
	a[6] = unit;
	memcpy(a + 7, pdu, n);
	pending_size = 7 + n;
}

/* docs/hardware.md's ranges of a working roller board, said again independently. */
static void check_plausible_is_data(const struct roller_status *st)
{
	FUZZ_CHECK(st->protocol == ROLLER_PROTOCOL, "protocol %u taken", st->protocol);
	FUZZ_CHECK(st->fault_code <= ROLLER_FAULT_SUPPLY, "fault %u taken", st->fault_code);
	FUZZ_CHECK(st->status < 1u << 7, "status %#x taken", st->status);
	FUZZ_CHECK(st->travel_mm <= 800 && st->depth_mm <= 55 && st->width_mm <= 200, "position %u/%u/%u taken",
		   st->travel_mm, st->depth_mm, st->width_mm);
	FUZZ_CHECK(st->knead_rpm <= 120 && st->tap_rate <= 1440, "rates %u/%u taken", st->knead_rpm, st->tap_rate);
	FUZZ_CHECK(st->board_temp_dc > -400 && st->board_temp_dc < 1500, "board at %d dC taken", st->board_temp_dc);
}

static void fuzz_decoding(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	uint16_t regs[10];
	struct roller_status st;

	for (unsigned i = 0; i < ELEMENTSOF(regs); i++)
		regs[i] = take_register(&in);
	roller_status_decode(regs, &st);
	FUZZ_CHECK(st.status == regs[0] && st.protocol == regs[9] && st.board_temp_dc == (int16_t)regs[8], "decoding");
	if (roller_status_is_plausible(&st))
		check_plausible_is_data(&st);
}

static bool result_is_documented(int r)
{
	return r == 0 || r == -ETIMEDOUT || r == -EBADMSG || r == -EPROTO || r == -ENOTCONN || r == -EIO ||
	       r == -EAGAIN;
}

static void run_transaction(struct chair_bus *b, const struct modbus_config *cfg, struct input *in, unsigned index)
{
	bool first = index == 0, last;
	uint8_t head = take_byte(in), arg = take_byte(in), extra = take_byte(in);
	enum op op = head & 3;
	enum kind kind = (head >> 2) & 3;
	uint16_t transaction = (uint16_t)(chair_bus_stats(b)->requests + 1);
	static const uint8_t functions[] = { 0x04, 0x04, 0x10, 0x05 };
	const uint8_t units[] = { (uint8_t)cfg->roller_slave, (uint8_t)cfg->temp_slave, (uint8_t)cfg->roller_slave,
				  (uint8_t)cfg->relay_slave };
	uint16_t regs[10] = {};
	uint8_t pdu[ANSWER_MAX];
	size_t n = 0;
	struct roller_setpoints sp;
	struct roller_status st = {}, want;
	int16_t temps[TEMP_CHANNELS];
	unsigned coil = arg & 7;
	bool on = arg & 8;
	int r = 0;

	for (unsigned i = 0; i < op_registers[op]; i++)
		regs[i] = take_register(in);

	switch (kind) {
	case KIND_DATA:
		pdu[n++] = functions[op];
		if (op == OP_ROLLER_READ || op == OP_TEMPERATURE_READ) {
			pdu[n++] = (uint8_t)(2 * op_registers[op]);
			for (unsigned i = 0; i < op_registers[op]; i++) {
				pdu[n++] = (uint8_t)(regs[i] >> 8);
				pdu[n++] = (uint8_t)regs[i];
			}
		} else if (op == OP_ROLLER_WRITE) { /* a new bus writes all nine */
			memcpy(pdu + n, (const uint8_t[]) { 0, 0, 0, 9 }, 4);
			n += 4;
		} else {
			memcpy(pdu + n, (const uint8_t[]) { 0, (uint8_t)coil, on ? 0xff : 0, 0 }, 4);
			n += 4;
		}
		answer(transaction, units[op], pdu, n);
		break;
	case KIND_EXCEPTION:
		pdu[0] = functions[op] | 0x80;
		pdu[1] = extra;
		answer(transaction, units[op], pdu, 2);
		break;
	case KIND_RAW:
	case KIND_PDU:
		n = MIN((size_t)extra, in->size);
		if (kind == KIND_RAW) {
			memcpy(pending, in->data, n);
			pending_size = n;
		} else {
			answer(transaction, units[op], in->data, n);
		}
		in->data += n;
		in->size -= n;
		break;
	}
	/* An answer of the input's bytes may be cut short: the device then says no more, so
	 * nothing waits for its timeout (what follows finds the connection closed). */
	last = index + 1 == MAX_TRANSACTIONS || in->size == 0 || kind == KIND_RAW || kind == KIND_PDU;
	device_send();
	if (last && device_fd >= 0)
		(void)shutdown(device_fd, SHUT_WR);

	switch (op) {
	case OP_ROLLER_READ:
		r = chair_bus_roller_read(b, &st);
		if (r == 0)
			check_plausible_is_data(&st);
		break;
	case OP_TEMPERATURE_READ:
		r = chair_bus_temperatures_read(b, temps);
		break;
	case OP_ROLLER_WRITE:
		sp = (struct roller_setpoints) { regs[0], regs[1], regs[2], regs[3], regs[4],
						 regs[5], regs[6], regs[7], regs[8] };
		r = chair_bus_roller_write(b, &sp);
		break;
	case OP_COIL_WRITE:
		r = chair_bus_coil_write(b, coil, on);
		break;
	}
	FUZZ_CHECK(result_is_documented(r), "op %d: %d (%s)", op, r, strerror(-r));
	if (!first)
		return;
	/* on a new connection the answer surely belongs to the request */
	if (kind == KIND_EXCEPTION)
		FUZZ_CHECK(r == -EPROTO, "op %d: exception %u gave %d", op, extra, r);
	if (kind != KIND_DATA)
		return;
	switch (op) {
	case OP_ROLLER_READ:
		roller_status_decode(regs, &want);
		FUZZ_CHECK(r == (roller_status_is_plausible(&want) ? 0 : -EPROTO), "roller read gave %d", r);
		FUZZ_CHECK(r < 0 || memcmp(&st, &want, sizeof(st)) == 0, "roller status changed");
		break;
	case OP_TEMPERATURE_READ:
		FUZZ_CHECK(r == 0, "temperature read gave %d", r);
		for (unsigned i = 0; i < TEMP_CHANNELS; i++)
			FUZZ_CHECK(temps[i] == (int16_t)regs[i], "channel %u", i);
		break;
	default:
		FUZZ_CHECK(r == 0, "op %d with its echo gave %d", op, r);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct modbus_config cfg;
	struct hardware_config hw;
	struct input in = { data, size };
	struct chair_bus *b;

	if (!quiet) {
		log_set_max_level(LOG_CRIT);
		quiet = true;
	}
	fuzz_decoding(data, size);

	hardware_config_init_defaults(&hw);
	cfg = hw.modbus;
	cfg.transport = MODBUS_TRANSPORT_TCP;
	(void)snprintf(cfg.host, sizeof(cfg.host), "fuzz.invalid");
	cfg.port = 502;
	cfg.timeout_ms = 10; /* the shortest the configuration takes */
	FUZZ_CHECK(chair_bus_new(&cfg, NULL, &b) == 0, "chair_bus_new");
	for (unsigned i = 0; i < MAX_TRANSACTIONS && in.size > 0; i++)
		run_transaction(b, &cfg, &in, i);
	chair_bus_free(b);
	if (device_fd >= 0)
		(void)close(device_fd);
	device_fd = -EBADF;
	pending_size = 0;
	return 0;
}
