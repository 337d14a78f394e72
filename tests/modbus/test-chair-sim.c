/* SPDX-License-Identifier: MIT */
/* tools/chair-sim as a Modbus master sees it: docs/hardware.md's three devices on a pty
 * (and on TCP), the chair model behind them, and each misbehaviour on command. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check-tap.h"
#include "harness.h"

/* docs/hardware.md */
enum {
	CONTROL,
	TRAVEL_TARGET,
	TRAVEL_SPEED,
	KNEAD_SPEED,
	KNEAD_DIR,
	TAP_RATE,
	DEPTH_TARGET,
	WIDTH_TARGET,
	WATCHDOG_MS,
	HOLDING_REGISTERS
};
enum {
	STATUS,
	FAULT_CODE,
	TRAVEL_POS,
	DEPTH_POS,
	WIDTH_POS,
	KNEAD_RPM,
	TAP_RATE_ACTUAL,
	LOAD,
	BOARD_TEMP,
	PROTOCOL,
	INPUT_REGISTERS
};
#define CONTROL_ENABLE 0x1
#define CONTROL_CLEAR_FAULT 0x2
#define STATUS_ENABLED 0x01
#define STATUS_MOVING 0x02
#define STATUS_FAULT 0x04
#define STATUS_WATCHDOG 0x40
#define FAULT_OVERCURRENT 1
#define TEMP_CHANNELS 8
#define SENSOR_OPEN 0x8000
#define SENSOR_SHORT 0x7FFF

#define ROLLER 1
#define TEMP 2
#define RELAY 3

static uint16_t read_input(struct sim *s, modbus_t *m, int addr, const char *file, int line)
{
	uint16_t v = 0;

	if (modbus_read_input_registers(m, addr, 1, &v) != 1)
		sim_fail(s, file, line, "reading input register %d: %s", addr, modbus_strerror(errno));
	return v;
}
#define INPUT(s, m, addr) read_input((s), (m), (addr), __FILE__, __LINE__)

static uint16_t read_holding(struct sim *s, modbus_t *m, int addr, const char *file, int line)
{
	uint16_t v = 0;

	if (modbus_read_registers(m, addr, 1, &v) != 1)
		sim_fail(s, file, line, "reading holding register %d: %s", addr, modbus_strerror(errno));
	return v;
}
#define HOLDING(s, m, addr) read_holding((s), (m), (addr), __FILE__, __LINE__)

/* A temperature channel in 0.1 °C, from a master talking to the module. */
#define CHANNEL(s, m, ch) ((int16_t)INPUT((s), (m), (ch)))

static int dist(int a, int b)
{
	return a > b ? a - b : b - a;
}

START_TEST(test_rtu_maps)
{
	uint16_t in[INPUT_REGISTERS], hold[HOLDING_REGISTERS], t[TEMP_CHANNELS];
	uint8_t bits[8], raw[] = { ROLLER, 0x41 }, rsp[MODBUS_RTU_MAX_ADU_LENGTH];
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);

	S_MB_OK(&s, modbus_read_input_registers(m, 0, INPUT_REGISTERS, in), INPUT_REGISTERS);
	S_ASSERT(&s, in[PROTOCOL] == 1, "PROTOCOL is %u", in[PROTOCOL]);
	S_ASSERT(&s, in[WIDTH_POS] == 120 && in[BOARD_TEMP] == 350, "WIDTH_POS %u BOARD_TEMP %u", in[WIDTH_POS],
		 in[BOARD_TEMP]);
	S_ASSERT(&s, in[FAULT_CODE] == 0 && !(in[STATUS] & (STATUS_ENABLED | STATUS_FAULT)), "STATUS 0x%x", in[STATUS]);
	S_MB_OK(&s, modbus_read_registers(m, 0, HOLDING_REGISTERS, hold), HOLDING_REGISTERS);
	S_ASSERT(&s, hold[CONTROL] == 0 && hold[WIDTH_TARGET] == 120, "CONTROL %u WIDTH %u", hold[CONTROL],
		 hold[WIDTH_TARGET]);

	/* outside the maps: libmodbus's own exceptions */
	S_MB_ERR(&s, modbus_read_registers(m, 0, HOLDING_REGISTERS + 1, hold), EMBXILADD);
	S_MB_ERR(&s, modbus_read_input_registers(m, INPUT_REGISTERS, 1, in), EMBXILADD);
	S_MB_ERR(&s, modbus_read_bits(m, 0, 1, bits), EMBXILADD);
	/* modbus_receive_confirmation() only frames the reply: look at it */
	S_MB_OK(&s, modbus_send_raw_request(m, raw, sizeof(raw)), 4);
	S_MB_OK(&s, modbus_receive_confirmation(m, rsp), 5);
	S_ASSERT(&s, rsp[0] == ROLLER && rsp[1] == (0x41 | 0x80) && rsp[2] == MODBUS_EXCEPTION_ILLEGAL_FUNCTION,
		 "reply %02x %02x %02x to function 0x41", rsp[0], rsp[1], rsp[2]);

	modbus_set_slave(m, TEMP);
	S_MB_OK(&s, modbus_read_input_registers(m, 0, TEMP_CHANNELS, t), TEMP_CHANNELS);
	for (int ch = 0; ch < 3; ch++) /* the default pads, at ambient */
		S_ASSERT(&s, dist((int16_t)t[ch], 240) <= 3, "channel %d reads %d", ch, (int16_t)t[ch]);
	for (int ch = 3; ch < TEMP_CHANNELS; ch++)
		S_ASSERT(&s, t[ch] == SENSOR_OPEN, "channel %d (no pad) reads 0x%x", ch, t[ch]);
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, TEMP_CHANNELS + 1, t), EMBXILADD);
	S_MB_ERR(&s, modbus_write_register(m, 0, 1), EMBXILADD);

	modbus_set_slave(m, RELAY);
	S_MB_OK(&s, modbus_read_bits(m, 0, 8, bits), 8);
	for (int c = 0; c < 8; c++)
		S_ASSERT(&s, bits[c] == 0, "coil %d is on at start", c);
	S_MB_OK(&s, modbus_write_bit(m, 2, 1), 1);
	S_MB_OK(&s, modbus_write_bits(m, 5, 3, (const uint8_t[]) { 1, 0, 1 }), 3);
	S_MB_OK(&s, modbus_read_bits(m, 0, 8, bits), 8);
	S_ASSERT(&s, !bits[0] && bits[2] && bits[5] && !bits[6] && bits[7], "coils %d%d%d%d%d%d%d%d", bits[0], bits[1],
		 bits[2], bits[3], bits[4], bits[5], bits[6], bits[7]);
	S_ASSERT(&s, strcmp(S_STATE(&s, "coils"), "00100101") == 0, "state coils=%s", S_STATE(&s, "coils"));
	S_MB_ERR(&s, modbus_read_bits(m, 0, 9, bits), EMBXILADD);
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, in), EMBXILADD);

	/* no such slave: silence, as on a real bus */
	modbus_set_slave(m, 9);
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, in), ETIMEDOUT);
	modbus_set_slave(m, ROLLER);
	S_ASSERT(&s, INPUT(&s, m, PROTOCOL) == 1, "the bus is out of step after a silence");
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_travel)
{
	const char *const args[] = { "--time-scale", "5", NULL };
	uint64_t deadline;
	uint16_t pos = 0, last = 0, status;
	bool seen_moving = false;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, args);
	m = S_MASTER(&s, ROLLER);
	S_MB_OK(&s, modbus_write_registers(m, CONTROL, 3, (const uint16_t[]) { CONTROL_ENABLE, 400, 100 }), 3);
	S_MB_OK(&s, modbus_write_register(m, WATCHDOG_MS, 1000), 1);
	S_ASSERT(&s, S_STATE_U(&s, "travel_target") == 400, "state: %s", s.reply);

	/* 4 s of chair time at 100 mm/s; the daemon's way: keep writing to feed the watchdog */
	deadline = sim_now_usec() + 3000000;
	while (pos != 400) {
		S_ASSERT(&s, sim_now_usec() < deadline, "TRAVEL_POS stuck at %u on the way to 400", pos);
		S_MB_OK(&s, modbus_write_register(m, WATCHDOG_MS, 1000), 1);
		pos = INPUT(&s, m, TRAVEL_POS);
		status = INPUT(&s, m, STATUS);
		S_ASSERT(&s, pos >= last && pos <= 400, "TRAVEL_POS went from %u to %u", last, pos);
		S_ASSERT(&s, status & STATUS_ENABLED, "STATUS 0x%x while travelling", status);
		seen_moving |= pos < 400 && (status & STATUS_MOVING);
		last = pos;
		sim_pause_ms(20);
	}
	S_ASSERT(&s, seen_moving, "STATUS never said moving");
	S_ASSERT(&s, !(INPUT(&s, m, STATUS) & STATUS_MOVING), "still moving at the target");
	S_ASSERT(&s, S_STATE_U(&s, "travel_pos") == 400, "state: %s", s.reply);

	/* and back down */
	S_MB_OK(&s, modbus_write_register(m, TRAVEL_TARGET, 100), 1);
	sim_pause_ms(200); /* 1 s of chair time: 100 mm */
	pos = INPUT(&s, m, TRAVEL_POS);
	S_ASSERT(&s, pos < 400 && pos >= 100, "TRAVEL_POS %u after turning to 100", pos);
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_watchdog)
{
	const char *const args[] = { "--time-scale", "2", NULL };
	uint64_t start, deadline;
	uint16_t status;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, args);
	m = S_MASTER(&s, ROLLER);
	S_MB_OK(&s, modbus_write_register(m, WATCHDOG_MS, 400), 1);
	S_MB_OK(&s, modbus_write_register(m, CONTROL, CONTROL_ENABLE), 1);
	start = sim_now_usec();
	status = INPUT(&s, m, STATUS);
	S_ASSERT(&s, (status & STATUS_ENABLED) && !(status & STATUS_WATCHDOG), "STATUS 0x%x just after a write",
		 status);

	/* no more writes: 400 ms of chair time, 200 ms of ours */
	deadline = start + 1000000;
	while (!((status = INPUT(&s, m, STATUS)) & STATUS_WATCHDOG)) {
		S_ASSERT(&s, sim_now_usec() < deadline, "no watchdog trip 1 s after the last write");
		sim_pause_ms(10);
	}
	S_ASSERT(&s, sim_now_usec() - start >= 190000, "tripped after %llu µs, before its 200",
		 (unsigned long long)(sim_now_usec() - start));
	S_ASSERT(&s, !(status & STATUS_ENABLED), "STATUS 0x%x: enabled with the watchdog tripped", status);

	/* a write with enable re-arms it */
	S_MB_OK(&s, modbus_write_register(m, CONTROL, CONTROL_ENABLE), 1);
	status = INPUT(&s, m, STATUS);
	S_ASSERT(&s, (status & STATUS_ENABLED) && !(status & STATUS_WATCHDOG), "STATUS 0x%x after a new write", status);
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_out_of_range)
{
	static const struct {
		int addr;
		uint16_t bad, good;
	} cases[] = {
		{ CONTROL, 8, 7 },           { TRAVEL_TARGET, 781, 780 }, { TRAVEL_SPEED, 121, 120 },
		{ KNEAD_SPEED, 61, 60 },     { KNEAD_DIR, 2, 1 },         { TAP_RATE, 721, 720 },
		{ DEPTH_TARGET, 51, 50 },    { WIDTH_TARGET, 59, 60 },    { WIDTH_TARGET, 181, 180 },
		{ WATCHDOG_MS, 5001, 5000 },
	};
	uint16_t before[HOLDING_REGISTERS], after[HOLDING_REGISTERS];
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int a = cases[i].addr;

		S_MB_OK(&s, modbus_read_registers(m, 0, HOLDING_REGISTERS, before), HOLDING_REGISTERS);
		S_MB_ERR(&s, modbus_write_register(m, a, cases[i].bad), EMBXILVAL);
		S_MB_OK(&s, modbus_read_registers(m, 0, HOLDING_REGISTERS, after), HOLDING_REGISTERS);
		S_ASSERT(&s, memcmp(before, after, sizeof(before)) == 0, "register %d = %u changed the map", a,
			 cases[i].bad);
		S_MB_OK(&s, modbus_write_register(m, a, cases[i].good), 1);
		/* CLEAR_FAULT reads back 0 */
		S_ASSERT(&s, HOLDING(&s, m, a) == (a == CONTROL ? 5 : cases[i].good), "register %d", a);
	}

	/* a multiple write with one bad value changes none */
	S_MB_OK(&s, modbus_write_registers(m, TRAVEL_TARGET, 2, (const uint16_t[]) { 100, 10 }), 2);
	S_MB_ERR(&s, modbus_write_registers(m, TRAVEL_TARGET, 7, (const uint16_t[]) { 200, 20, 1, 1, 1, 1, 59 }),
		 EMBXILVAL);
	S_ASSERT(&s, HOLDING(&s, m, TRAVEL_TARGET) == 100 && HOLDING(&s, m, TRAVEL_SPEED) == 10,
		 "a refused write changed registers");
	S_ASSERT(&s, S_STATE_U(&s, "travel_target") == 100, "state: %s", s.reply);
	/* mask write: libmodbus applies it, the range check sees its result */
	S_MB_ERR(&s, modbus_mask_write_register(m, TRAVEL_TARGET, 0, 1000), EMBXILVAL);
	S_MB_OK(&s, modbus_mask_write_register(m, TRAVEL_TARGET, 0, 300), 1);
	S_ASSERT(&s, HOLDING(&s, m, TRAVEL_TARGET) == 300, "mask write");
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_pinch)
{
	struct sim s;
	modbus_t *m;
	uint16_t status;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	S_MB_OK(&s, modbus_write_register(m, CONTROL, CONTROL_ENABLE), 1);
	S_CMD(&s, "pinch on");
	status = INPUT(&s, m, STATUS);
	S_ASSERT(&s, (status & STATUS_FAULT) && !(status & STATUS_ENABLED), "STATUS 0x%x with a pinch", status);
	S_ASSERT(&s, INPUT(&s, m, FAULT_CODE) == FAULT_OVERCURRENT, "FAULT_CODE");

	/* clearing while still pinched does not help; once released it does, and the bit self-clears */
	S_MB_OK(&s, modbus_write_register(m, CONTROL, CONTROL_ENABLE | CONTROL_CLEAR_FAULT), 1);
	S_ASSERT(&s, INPUT(&s, m, FAULT_CODE) == FAULT_OVERCURRENT, "fault cleared while pinched");
	S_CMD(&s, "pinch off");
	S_ASSERT(&s, INPUT(&s, m, FAULT_CODE) == FAULT_OVERCURRENT, "fault gone without a clear");
	S_MB_OK(&s, modbus_write_register(m, CONTROL, CONTROL_ENABLE | CONTROL_CLEAR_FAULT), 1);
	S_ASSERT(&s, HOLDING(&s, m, CONTROL) == CONTROL_ENABLE, "CLEAR_FAULT did not self-clear");
	status = INPUT(&s, m, STATUS);
	S_ASSERT(&s, !(status & STATUS_FAULT) && (status & STATUS_ENABLED), "STATUS 0x%x after clearing", status);
	S_ASSERT(&s, INPUT(&s, m, FAULT_CODE) == 0, "FAULT_CODE after clearing");
	S_ASSERT(&s, S_STATE_U(&s, "fault_code") == 0, "state: %s", s.reply);
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_bad_crc)
{
	uint16_t v;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	S_CMD(&s, "bad-crc roller on");
	S_MB_ERR(&s, modbus_read_input_registers(m, PROTOCOL, 1, &v), EMBBADCRC);
	S_MB_ERR(&s, modbus_write_register(m, TRAVEL_TARGET, 10), EMBBADCRC);
	modbus_set_slave(m, TEMP); /* the others answer */
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 1, &v), 1);
	modbus_set_slave(m, ROLLER);
	S_CMD(&s, "bad-crc roller off");
	S_ASSERT(&s, INPUT(&s, m, PROTOCOL) == 1, "after bad-crc off");
	/* the write went through: only its reply was spoiled */
	S_ASSERT(&s, HOLDING(&s, m, TRAVEL_TARGET) == 10, "TRAVEL_TARGET");

	S_CMD(&s, "bad-crc all on");
	modbus_set_slave(m, RELAY);
	S_MB_ERR(&s, modbus_read_bits(m, 0, 1, (uint8_t[1]) { 0 }), EMBBADCRC);
	S_CMD(&s, "bad-crc all off");
	S_MB_OK(&s, modbus_read_bits(m, 0, 1, (uint8_t[1]) { 0 }), 1);
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_exception)
{
	uint16_t v;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	for (int code = 1; code <= 11; code++) {
		S_CMD(&s, "exception roller %d", code);
		S_MB_ERR(&s, modbus_read_input_registers(m, PROTOCOL, 1, &v), MODBUS_ENOBASE + code);
	}
	S_CMD(&s, "exception roller 6");
	S_MB_ERR(&s, modbus_write_register(m, TRAVEL_TARGET, 10), EMBXSBUSY);
	modbus_set_slave(m, TEMP);
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 1, &v), 1);
	S_CMD(&s, "exception all 4");
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, &v), EMBXSFAIL);
	S_CMD(&s, "exception all off");
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 1, &v), 1);
	modbus_set_slave(m, ROLLER);
	/* the refused write did nothing */
	S_ASSERT(&s, HOLDING(&s, m, TRAVEL_TARGET) == 0, "TRAVEL_TARGET");
	S_CMD_ERR(&s, "exception roller 12");
	S_CMD_ERR(&s, "exception roller 0");
	S_CMD_ERR(&s, "exception chair 4");
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_silent)
{
	uint64_t t0, took;
	uint16_t v;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	S_CMD(&s, "silent roller on");
	t0 = sim_now_usec();
	S_MB_ERR(&s, modbus_read_input_registers(m, PROTOCOL, 1, &v), ETIMEDOUT);
	took = sim_now_usec() - t0;
	S_ASSERT(&s, took >= SIM_RESPONSE_TIMEOUT_MS * 900 && took < SIM_RESPONSE_TIMEOUT_MS * 3000,
		 "a silent device kept the call %llu µs", (unsigned long long)took);
	/* a write is not acted on either */
	S_MB_ERR(&s, modbus_write_register(m, TRAVEL_TARGET, 10), ETIMEDOUT);
	modbus_set_slave(m, TEMP);
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 1, &v), 1);
	modbus_set_slave(m, ROLLER);
	S_CMD(&s, "silent roller off");
	S_ASSERT(&s, INPUT(&s, m, PROTOCOL) == 1, "after silent off");
	S_ASSERT(&s, HOLDING(&s, m, TRAVEL_TARGET) == 0, "a write to a silent board was acted on");

	S_CMD(&s, "silent all on");
	modbus_set_slave(m, RELAY);
	S_MB_ERR(&s, modbus_read_bits(m, 0, 1, (uint8_t[1]) { 0 }), ETIMEDOUT);
	S_CMD(&s, "silent all off");
	S_MB_OK(&s, modbus_read_bits(m, 0, 1, (uint8_t[1]) { 0 }), 1);
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_wrong_slave)
{
	uint16_t v[INPUT_REGISTERS];
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	S_CMD(&s, "wrong-slave roller on");
	for (int i = 0; i < INPUT_REGISTERS; i++)
		v[i] = 0xABCD;
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, INPUT_REGISTERS, v), EMBBADSLAVE);
	for (int i = 0; i < INPUT_REGISTERS; i++)
		S_ASSERT(&s, v[i] == 0xABCD, "register %d was delivered from a wrong slave", i);
	S_MB_ERR(&s, modbus_write_register(m, TRAVEL_TARGET, 10), EMBBADSLAVE);
	/* with exceptions too */
	S_CMD(&s, "exception roller 2");
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, v), EMBBADSLAVE);
	S_CMD(&s, "exception roller off");
	S_CMD(&s, "wrong-slave roller off");
	S_ASSERT(&s, INPUT(&s, m, PROTOCOL) == 1, "after wrong-slave off");
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_sensor_faults)
{
	struct sim s;
	modbus_t *m;
	int v;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, TEMP);
	S_CMD(&s, "sensor shoulders open");
	S_ASSERT(&s, INPUT(&s, m, 1) == SENSOR_OPEN, "shoulders' channel with its sensor open");
	v = CHANNEL(&s, m, 0);
	S_ASSERT(&s, dist(v, 240) <= 3, "neck's channel reads %d", v);
	S_CMD(&s, "sensor shoulders short");
	S_ASSERT(&s, INPUT(&s, m, 1) == SENSOR_SHORT, "shoulders' channel with its sensor shorted");
	S_CMD(&s, "sensor shoulders ok");
	v = CHANNEL(&s, m, 1);
	S_ASSERT(&s, dist(v, 240) <= 3, "shoulders' channel reads %d once ok", v);
	S_CMD(&s, "sensor lower-back open");
	S_ASSERT(&s, INPUT(&s, m, 2) == SENSOR_OPEN, "lower back's channel");
	S_CMD_ERR(&s, "sensor upper-back open"); /* no pad there */
	S_CMD_ERR(&s, "sensor neck broken");
	S_CMD_ERR(&s, "sensor nowhere open");
	sim_stop(&s);
}
END_TEST

/* A temperature channel in 0.1 °C, through a master talking to any device. */
static int channel(struct sim *s, modbus_t *m, int ch, const char *file, int line)
{
	int slave = modbus_get_slave(m), v;

	modbus_set_slave(m, TEMP);
	v = (int16_t)read_input(s, m, ch, file, line);
	modbus_set_slave(m, slave);
	return v;
}
#define TEMPERATURE(s, m, ch) channel((s), (m), (ch), __FILE__, __LINE__)

/* The default coil map: coil 0 heats the neck pad, nothing else. */
START_TEST(test_rtu_heat)
{
	const char *const args[] = { "--time-scale", "50", NULL };
	int neck0, shoulders0, v;
	uint64_t deadline;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, args);
	m = S_MASTER(&s, RELAY);
	S_CMD(&s, "seated off"); /* no body warming the stones */
	neck0 = TEMPERATURE(&s, m, 0);
	shoulders0 = TEMPERATURE(&s, m, 1);
	S_MB_OK(&s, modbus_write_bit(m, 0, 1), 1);
	/* the sensor follows the element: +3 °C after about 45 s of chair time */
	deadline = sim_now_usec() + 4000000;
	while ((v = TEMPERATURE(&s, m, 0)) < neck0 + 30) {
		S_ASSERT(&s, sim_now_usec() < deadline, "neck pad at %d after 200 s of heating from %d", v, neck0);
		sim_pause_ms(50);
	}
	v = TEMPERATURE(&s, m, 1);
	S_ASSERT(&s, dist(v, shoulders0) <= 3, "unheated shoulders went from %d to %d", shoulders0, v);
	S_ASSERT(&s, strtod(S_STATE(&s, "neck.stone"), NULL) > 26.0, "state: %s", s.reply);

	S_CMD(&s, "pad shoulders 40.5");
	v = TEMPERATURE(&s, m, 1);
	S_ASSERT(&s, dist(v, 405) <= 2, "shoulders read %d after pad shoulders 40.5", v);
	S_CMD_ERR(&s, "pad upper-back 30");
	S_CMD_ERR(&s, "pad neck hot");
	sim_stop(&s);
}
END_TEST

/* --coil replaces the map; an output on a coil starts open, even MOTOR_POWER. */
START_TEST(test_rtu_coil_map)
{
	const char *const args[] = {
		"--coil", "7=MOTOR_POWER", "--coil", "4=HEAT_SHOULDERS", "--time-scale", "50", NULL
	};
	int neck0, shoulders0, v;
	uint64_t deadline;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, args);
	m = S_MASTER(&s, ROLLER);
	S_CMD(&s, "seated off");

	S_MB_OK(&s, modbus_write_registers(m, CONTROL, 3, (const uint16_t[]) { CONTROL_ENABLE, 300, 100 }), 3);
	sim_pause_ms(40); /* 2 s of chair time */
	S_ASSERT(&s, INPUT(&s, m, TRAVEL_POS) == 0, "rollers moved without motor power");
	modbus_set_slave(m, RELAY);
	S_MB_OK(&s, modbus_write_bit(m, 7, 1), 1);
	modbus_set_slave(m, ROLLER);
	deadline = sim_now_usec() + 2000000;
	while (INPUT(&s, m, TRAVEL_POS) == 0) {
		S_ASSERT(&s, sim_now_usec() < deadline, "rollers still with motor power on coil 7");
		sim_pause_ms(10);
	}

	neck0 = TEMPERATURE(&s, m, 0);
	shoulders0 = TEMPERATURE(&s, m, 1);
	modbus_set_slave(m, RELAY);
	S_MB_OK(&s, modbus_write_bits(m, 0, 4, (const uint8_t[]) { 1, 1, 1, 1 }), 4); /* drive nothing now */
	S_MB_OK(&s, modbus_write_bit(m, 4, 1), 1);
	deadline = sim_now_usec() + 4000000;
	while ((v = TEMPERATURE(&s, m, 1)) < shoulders0 + 30) {
		S_ASSERT(&s, sim_now_usec() < deadline, "shoulders pad at %d, heated on coil 4 from %d", v, shoulders0);
		sim_pause_ms(50);
	}
	v = TEMPERATURE(&s, m, 0);
	S_ASSERT(&s, dist(v, neck0) <= 3, "neck went from %d to %d with coil 0 mapped to nothing", neck0, v);
	sim_stop(&s);
}
END_TEST

/* A master that dies without closing libmodbus leaves the line as modbus_connect()
 * set it; the next master (a restarted daemon) must still connect, and must not read
 * what the dead one left unread. */
START_TEST(test_rtu_master_dies)
{
	uint16_t v;
	struct sim s;
	modbus_t *m;
	uint64_t deadline;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	S_CMD(&s, "silent roller on");
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, &v), ETIMEDOUT);
	S_CMD(&s, "silent roller off");
	/* a request whose reply is never read, then gone without modbus_close() */
	S_MB_OK(&s, modbus_send_raw_request(m, (const uint8_t[]) { ROLLER, 0x04, 0, 0, 0, 10 }, 6), 8);
	deadline = sim_now_usec() + 2000000;
	for (;;) {
		S_CMD(&s, "stats");
		if (S_FIELD(&s, "stats roller", "replies") == 1)
			break;
		S_ASSERT(&s, sim_now_usec() < deadline, "the request was not answered: %s", s.reply);
		sim_pause_ms(5);
	}
	(void)close(modbus_get_socket(m));
	(void)modbus_set_socket(m, -1);
	sim_master_close(&s, m);

	/* chair-sim resets the line when it sees the close: give it that moment */
	deadline = sim_now_usec() + 2000000;
	for (;;) {
		m = modbus_new_rtu(s.bus_path, 115200, 'E', 8, 1);
		S_ASSERT(&s, m, "modbus_new_rtu: %s", modbus_strerror(errno));
		if (modbus_connect(m) == 0)
			break;
		modbus_free(m);
		S_ASSERT(&s, sim_now_usec() < deadline, "a new master cannot connect: %s", modbus_strerror(errno));
		sim_pause_ms(10);
	}
	s.masters[0] = m;
	S_ASSERT(&s, modbus_set_response_timeout(m, 0, SIM_RESPONSE_TIMEOUT_MS * 1000) == 0, "timeout");
	S_ASSERT(&s, modbus_set_slave(m, ROLLER) == 0, "slave");
	/* a stale reply would be taken for this one's and put the bus out of step */
	S_MB_OK(&s, modbus_read_registers(m, WIDTH_TARGET, 1, &v), 1);
	S_ASSERT(&s, v == 120, "WIDTH_TARGET read %u: a stale reply?", v);
	S_ASSERT(&s, INPUT(&s, m, PROTOCOL) == 1, "PROTOCOL");
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_stats)
{
	uint16_t v[INPUT_REGISTERS];
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 1, v), 1);
	S_CMD(&s, "stats");
	S_ASSERT(&s, S_FIELD(&s, "stats roller", "requests") == 1, "%s", s.reply);
	S_CMD(&s, "stats reset");
	S_CMD(&s, "stats");
	S_ASSERT(&s, S_FIELD(&s, "stats total", "requests") == 0 && S_FIELD(&s, "stats total", "bytes_in") == 0,
		 "after reset: %s", s.reply);

	/* 01 04 0000 000a CRC: 8 bytes; 01 04 14 <20 bytes> CRC: 25 */
	S_MB_OK(&s, modbus_read_input_registers(m, 0, INPUT_REGISTERS, v), INPUT_REGISTERS);
	S_CMD(&s, "stats");
	S_ASSERT(&s, S_FIELD(&s, "stats roller", "requests") == 1 && S_FIELD(&s, "stats roller", "replies") == 1, "%s",
		 s.reply);
	S_ASSERT(&s, S_FIELD(&s, "stats roller", "bytes_in") == 8 && S_FIELD(&s, "stats roller", "bytes_out") == 25,
		 "%s", s.reply);
	S_ASSERT(&s, S_FIELD(&s, "stats temp", "requests") == 0 && S_FIELD(&s, "stats total", "bytes_out") == 25, "%s",
		 s.reply);

	/* a write echoed (8 + 8), a silent device (8 + 0), a slave that is none of ours (8 + 0) */
	S_MB_OK(&s, modbus_write_register(m, TRAVEL_TARGET, 10), 1);
	S_CMD(&s, "silent temp on");
	modbus_set_slave(m, TEMP);
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, v), ETIMEDOUT);
	modbus_set_slave(m, 42);
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, v), ETIMEDOUT);
	S_CMD(&s, "stats");
	S_ASSERT(&s,
		 S_FIELD(&s, "stats roller", "requests") == 2 && S_FIELD(&s, "stats roller", "bytes_in") == 16 &&
			 S_FIELD(&s, "stats roller", "bytes_out") == 33,
		 "%s", s.reply);
	S_ASSERT(&s,
		 S_FIELD(&s, "stats temp", "requests") == 1 && S_FIELD(&s, "stats temp", "replies") == 0 &&
			 S_FIELD(&s, "stats temp", "bytes_in") == 8,
		 "%s", s.reply);
	S_ASSERT(&s,
		 S_FIELD(&s, "stats total", "requests") == 4 && S_FIELD(&s, "stats total", "replies") == 2 &&
			 S_FIELD(&s, "stats total", "bytes_in") == 32 && S_FIELD(&s, "stats total", "bytes_out") == 33,
		 "%s", s.reply);
	S_CMD_ERR(&s, "stats everything");
	sim_stop(&s);
}
END_TEST

START_TEST(test_rtu_slave_ids)
{
	const char *const args[] = { "--roller-slave", "10", "--temp-slave", "11", "--relay-slave", "12", NULL };
	uint16_t v;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, args);
	m = S_MASTER(&s, 10);
	S_ASSERT(&s, INPUT(&s, m, PROTOCOL) == 1, "roller board on 10");
	modbus_set_slave(m, 11);
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 1, &v), 1);
	modbus_set_slave(m, 12);
	S_MB_OK(&s, modbus_write_bit(m, 1, 1), 1);
	S_ASSERT(&s, strcmp(S_STATE(&s, "coils"), "01000000") == 0, "state coils=%s", S_STATE(&s, "coils"));
	for (int slave = 1; slave <= 3; slave++) {
		modbus_set_slave(m, slave);
		S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, &v), ETIMEDOUT);
	}
	sim_stop(&s);
}
END_TEST

START_TEST(test_tcp)
{
	uint16_t v[INPUT_REGISTERS];
	struct sim s;
	modbus_t *m;

	sim_start(&s, true, NULL);
	m = S_MASTER(&s, ROLLER);
	S_MB_OK(&s, modbus_read_input_registers(m, 0, INPUT_REGISTERS, v), INPUT_REGISTERS);
	S_ASSERT(&s, v[PROTOCOL] == 1, "PROTOCOL is %u over TCP", v[PROTOCOL]);
	S_CMD(&s, "stats");
	/* MBAP (7) + 04 0000 000a = 12; MBAP + 04 14 <20 bytes> = 29 */
	S_ASSERT(&s, S_FIELD(&s, "stats roller", "bytes_in") == 12 && S_FIELD(&s, "stats roller", "bytes_out") == 29,
		 "%s", s.reply);
	S_MB_ERR(&s, modbus_write_register(m, WIDTH_TARGET, 200), EMBXILVAL);
	S_CMD(&s, "exception roller 6");
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, v), EMBXSBUSY);
	S_CMD(&s, "exception roller off");
	S_CMD(&s, "silent roller on");
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, v), ETIMEDOUT);
	S_CMD(&s, "silent roller off");
	modbus_set_slave(m, 9); /* none of ours: silence on TCP too */
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, v), ETIMEDOUT);
	S_ASSERT(&s, strcmp(S_CMD_ERR(&s, "bad-crc roller on"), "no CRC on TCP") == 0, "%s", s.reply);

	/* one client at a time: the next once this one is gone */
	sim_master_close(&s, m);
	m = S_MASTER(&s, TEMP);
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 8, v), 8);
	modbus_set_slave(m, RELAY);
	S_MB_OK(&s, modbus_write_bit(m, 0, 1), 1);
	S_ASSERT(&s, strcmp(S_STATE(&s, "coils"), "10000000") == 0, "state coils=%s", S_STATE(&s, "coils"));
	sim_stop(&s);
}
END_TEST

START_TEST(test_control_protocol)
{
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	S_CMD_ERR(&s, "frobnicate");
	S_CMD_ERR(&s, "silent");
	S_CMD_ERR(&s, "silent roller");
	S_CMD_ERR(&s, "silent roller maybe");
	S_CMD_ERR(&s, "silent chair on");
	S_CMD_ERR(&s, "silent roller on now");
	S_CMD_ERR(&s, "pinch");
	S_CMD_ERR(&s, "seated yes please");
	S_CMD_ERR(&s, " ");
	/* none of them changed anything */
	S_ASSERT(&s, INPUT(&s, m, PROTOCOL) == 1, "a refused command silenced the board");
	S_ASSERT(&s, S_STATE_U(&s, "status") == INPUT(&s, m, STATUS), "state: %s", s.reply);
	sim_stop(&s);
}
END_TEST

/* The symlink: an old one is replaced, anything else is left alone; EOF on stdin
 * ends chair-sim cleanly and takes the symlink with it. */
START_TEST(test_rtu_symlink)
{
	struct sim s = { 0 };
	char path[300], stale[300];
	const char *args[] = { "--rtu", path, NULL };
	struct stat st;
	int status, fd;

	/* a regular file in the way */
	status = sim_run(&s, ((const char *const[]) { "--rtu", "/nonexistent-dir/bus", NULL }));
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) != 0, "exit status 0x%x", (unsigned)status);
	(void)snprintf(path, sizeof(path), "%s/file", s.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	S_ASSERT(&s, fd >= 0 && write(fd, "x", 1) == 1, "cannot make %s", path);
	(void)close(fd);
	status = sim_run(&s, args);
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) != 0, "exit status 0x%x", (unsigned)status);
	S_ASSERT(&s, strstr(s.reply, "not a symlink"), "stderr: %s", s.reply);
	S_ASSERT(&s, lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1, "%s was touched", path);

	/* a stale symlink: replaced; stdin at end of file: exits 0 and removes it */
	(void)snprintf(path, sizeof(path), "%s/link", s.dir);
	(void)snprintf(stale, sizeof(stale), "%s/nowhere", s.dir);
	S_ASSERT(&s, symlink(stale, path) == 0, "symlink");
	status = sim_run(&s, args);
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status 0x%x: %s", (unsigned)status, s.reply);
	S_ASSERT(&s, lstat(path, &st) < 0 && errno == ENOENT, "%s left behind", path);

	status = sim_run(&s, ((const char *const[]) { "--rtu", path, "--coil", "9=LED", NULL }));
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) != 0, "--coil 9: exit status 0x%x", (unsigned)status);
	status = sim_run(&s, ((const char *const[]) { "--tcp", "0", "--roller-slave", "2", NULL }));
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) != 0, "two devices on 2: 0x%x", (unsigned)status);
	status = sim_run(&s, ((const char *const[]) { "--help", NULL }));
	S_ASSERT(&s, WIFEXITED(status) && WEXITSTATUS(status) == 0, "--help: 0x%x", (unsigned)status);
	sim_cleanup(&s);
}
END_TEST

/* delay MS: every device answers that late (a slow link), then at once again. */
START_TEST(test_rtu_delay)
{
	uint64_t t0, took;
	uint16_t v;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, NULL);
	m = S_MASTER(&s, ROLLER);
	S_CMD(&s, "delay 60");
	t0 = sim_now_usec();
	S_MB_OK(&s, modbus_read_input_registers(m, PROTOCOL, 1, &v), 1);
	took = sim_now_usec() - t0;
	S_ASSERT(&s, took >= 60000, "a 60 ms delay answered after %llu µs", (unsigned long long)took);
	modbus_set_slave(m, TEMP);
	t0 = sim_now_usec();
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 1, &v), 1);
	S_ASSERT(&s, sim_now_usec() - t0 >= 60000, "the temperature module answered at once");
	/* later than the master waits: a timeout */
	S_CMD(&s, "delay 150");
	S_MB_ERR(&s, modbus_read_input_registers(m, 0, 1, &v), ETIMEDOUT);
	sim_pause_ms(200); /* the late answer, then nothing left on the line */
	(void)modbus_flush(m);
	S_CMD(&s, "delay 0");
	S_MB_OK(&s, modbus_read_input_registers(m, 0, 1, &v), 1);
	S_ASSERT(&s, strstr(S_CMD_ERR(&s, "delay 1001"), "0 to 1000"), "delay 1001 accepted");
	S_CMD_ERR(&s, "delay soon");
	sim_stop(&s);
}
END_TEST

/* `line`: the heater master on a GPIO line of the daemon's, which chair-sim cannot see,
 * is told to it; open, it cuts the pad whose coil is still closed. A coil's output is
 * refused: the relay board switches that one. */
START_TEST(test_line_command)
{
	const char *const args[] = { "--time-scale", "50", NULL };
	double stone, later;
	struct sim s;
	modbus_t *m;

	sim_start(&s, false, args);
	m = S_MASTER(&s, RELAY);
	S_CMD(&s, "seated off");
	S_CMD(&s, "pad neck 30");
	S_MB_OK(&s, modbus_write_bit(m, 0, 1), 1); /* the neck pad's coil */
	sim_pause_ms(1000);                        /* 50 s of chair time, heating */
	stone = strtod(S_STATE(&s, "neck.stone"), NULL);
	S_ASSERT(&s, stone > 31.0, "the neck stone did not warm: state %s", s.reply);
	S_CMD(&s, "line HEAT_POWER off");
	sim_pause_ms(100); /* the element's stored heat settles */
	stone = strtod(S_STATE(&s, "neck.stone"), NULL);
	sim_pause_ms(2000);
	later = strtod(S_STATE(&s, "neck.stone"), NULL);
	S_ASSERT(&s, later < stone + 1.0, "the stone went on from %.2f to %.2f °C with the master open", stone, later);
	S_CMD(&s, "line HEAT_POWER on");
	sim_pause_ms(1000);
	S_ASSERT(&s, strtod(S_STATE(&s, "neck.stone"), NULL) > later, "no heat with the master closed again");
	S_CMD_ERR(&s, "line HEAT_NECK off");
	S_CMD_ERR(&s, "line NOTHING off");
	S_CMD_ERR(&s, "line HEAT_POWER maybe");
	sim_stop(&s);
}
END_TEST

static Suite *chair_sim_suite(void)
{
	Suite *s = suite_create("chair-sim");

	CHECK_ADD_TEST(s, test_rtu_maps, 30);
	CHECK_ADD_TEST(s, test_rtu_travel, 30);
	CHECK_ADD_TEST(s, test_rtu_watchdog, 30);
	CHECK_ADD_TEST(s, test_rtu_out_of_range, 30);
	CHECK_ADD_TEST(s, test_rtu_pinch, 30);
	CHECK_ADD_TEST(s, test_rtu_bad_crc, 30);
	CHECK_ADD_TEST(s, test_rtu_exception, 30);
	CHECK_ADD_TEST(s, test_rtu_silent, 30);
	CHECK_ADD_TEST(s, test_rtu_wrong_slave, 30);
	CHECK_ADD_TEST(s, test_rtu_sensor_faults, 30);
	CHECK_ADD_TEST(s, test_rtu_heat, 30);
	CHECK_ADD_TEST(s, test_rtu_coil_map, 30);
	CHECK_ADD_TEST(s, test_rtu_master_dies, 30);
	CHECK_ADD_TEST(s, test_rtu_stats, 30);
	CHECK_ADD_TEST(s, test_rtu_slave_ids, 30);
	CHECK_ADD_TEST(s, test_tcp, 30);
	CHECK_ADD_TEST(s, test_control_protocol, 30);
	CHECK_ADD_TEST(s, test_rtu_symlink, 30);
	CHECK_ADD_TEST(s, test_rtu_delay, 30);
	CHECK_ADD_TEST(s, test_line_command, 30);
	return s;
}

int main(void)
{
	return check_run_tap(chair_sim_suite());
}
