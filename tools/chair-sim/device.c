/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "device.h"
#include "holding-write.h"
#include "macro.h"
#include "roller.h"

static const char *const device_names[_BUS_DEVICE_MAX] = {
	[BUS_ROLLER] = "roller",
	[BUS_TEMP] = "temp",
	[BUS_RELAY] = "relay",
};

/* docs/hardware.md's ranges of the roller board's holding registers; a write outside is
 * answered with ILLEGAL_DATA_VALUE and changes nothing. */
static const struct {
	uint16_t min, max;
} roller_holding_range[ROLLER_HOLDING_REGISTERS] = {
	{ 0, ROLLER_CONTROL_ENABLE | ROLLER_CONTROL_CLEAR_FAULT | ROLLER_CONTROL_PARK },
	{ 0, ROLLER_TRAVEL_MAX_MM },
	{ 0, ROLLER_TRAVEL_SPEED_MAX },
	{ 0, ROLLER_KNEAD_RPM_MAX },
	{ 0, 1 },
	{ 0, ROLLER_TAP_RATE_MAX },
	{ 0, ROLLER_DEPTH_MAX_MM },
	{ ROLLER_WIDTH_MIN_MM, ROLLER_WIDTH_MAX_MM },
	{ 0, ROLLER_WATCHDOG_MAX_MS },
};

enum bus_device_id bus_device_from_name(const char *name)
{
	for (int i = 0; i < _BUS_DEVICE_MAX; i++)
		if (strcmp(device_names[i], name) == 0)
			return (enum bus_device_id)i;
	return BUS_DEVICE_INVALID;
}

struct bus_device *bus_device_by_slave(struct chair_sim *cs, unsigned slave)
{
	for (int i = 0; i < _BUS_DEVICE_MAX; i++)
		if (cs->devices[i].slave == slave)
			return &cs->devices[i];
	return NULL;
}

static enum bus_device_id device_id(const struct chair_sim *cs, const struct bus_device *d)
{
	return (enum bus_device_id)(d - cs->devices);
}

static void setpoints_to_registers(const struct roller_setpoints *sp, uint16_t *regs)
{
	const uint16_t v[ROLLER_HOLDING_REGISTERS] = {
		sp->control,  sp->travel_target_mm, sp->travel_speed, sp->knead_rpm,   sp->knead_reverse,
		sp->tap_rate, sp->depth_mm,         sp->width_mm,     sp->watchdog_ms,
	};

	memcpy(regs, v, sizeof(v));
}

static void registers_to_setpoints(const uint16_t *regs, struct roller_setpoints *sp)
{
	*sp = (struct roller_setpoints) {
		.control = regs[0],
		.travel_target_mm = regs[1],
		.travel_speed = regs[2],
		.knead_rpm = regs[3],
		.knead_reverse = regs[4],
		.tap_rate = regs[5],
		.depth_mm = regs[6],
		.width_mm = regs[7],
		.watchdog_ms = regs[8],
	};
}

static void status_to_registers(const struct roller_status *st, uint16_t *regs)
{
	const uint16_t v[ROLLER_INPUT_REGISTERS] = {
		st->status,   st->fault_code, st->travel_mm,
		st->depth_mm, st->width_mm,   st->knead_rpm,
		st->tap_rate, st->load_dn,    (uint16_t)st->board_temp_dc,
		st->protocol,
	};

	memcpy(regs, v, sizeof(v));
}

static int coil_of_output(const struct chair_sim *cs, enum chair_output o)
{
	for (int c = 0; c < CHAIR_SIM_COILS; c++)
		if (cs->coil_output[c] == o)
			return c;
	return -1;
}

/* The daemon switches the power relays on GPIO lines chair-sim cannot see: taken as
 * closed unless a coil carries them. Every other output starts open. */
static void outputs_init(struct chair_sim *cs)
{
	uint64_t now = chair_sim_now(cs);

	for (int o = 0; o < _OUTPUT_MAX; o++) {
		bool closed = coil_of_output(cs, (enum chair_output)o) < 0 &&
			      (o == OUTPUT_MOTOR_POWER || o == OUTPUT_HEAT_POWER);

		sim_chair_set_output(&cs->chair, now, (enum chair_output)o, closed);
	}
	memset(cs->coil_applied, 0, sizeof(cs->coil_applied));
}

int bus_devices_init(struct chair_sim *cs, const unsigned slaves[_BUS_DEVICE_MAX])
{
	static const int sizes[_BUS_DEVICE_MAX][4] = {
		/* coils, discrete inputs, holding registers, input registers */
		[BUS_ROLLER] = { 0, 0, ROLLER_HOLDING_REGISTERS, ROLLER_INPUT_REGISTERS },
		[BUS_TEMP] = { 0, 0, 0, TEMP_CHANNELS },
		[BUS_RELAY] = { CHAIR_SIM_COILS, 0, 0, 0 },
	};

	for (int i = 0; i < _BUS_DEVICE_MAX; i++) {
		struct bus_device *d = &cs->devices[i];

		*d = (struct bus_device) { .name = device_names[i], .slave = slaves[i] };
		d->map = modbus_mapping_new(sizes[i][0], sizes[i][1], sizes[i][2], sizes[i][3]);
		if (!d->map)
			return -ENOMEM;
	}
	setpoints_to_registers(&cs->chair.sp, cs->devices[BUS_ROLLER].map->tab_registers);
	outputs_init(cs);
	return 0;
}

void bus_devices_free(struct chair_sim *cs)
{
	for (int i = 0; i < _BUS_DEVICE_MAX; i++) {
		if (cs->devices[i].map)
			modbus_mapping_free(cs->devices[i].map);
		cs->devices[i].map = NULL;
	}
}

static void roller_refresh_inputs(struct chair_sim *cs, struct bus_device *d)
{
	struct roller_status st;

	if (sim_chair_roller_read(&cs->chair, chair_sim_now(cs), &st) == 0)
		status_to_registers(&st, d->map->tab_input_registers);
}

static void temp_refresh_inputs(struct chair_sim *cs, struct bus_device *d)
{
	int16_t raw[TEMP_CHANNELS];

	if (sim_chair_temperatures_read(&cs->chair, chair_sim_now(cs), raw) < 0)
		return;
	for (unsigned i = 0; i < TEMP_CHANNELS; i++)
		d->map->tab_input_registers[i] = (uint16_t)raw[i];
}

static unsigned roller_check_write(struct bus_device *d, const uint8_t *pdu, size_t len, bool *ret_write)
{
	struct holding_write w;

	if (!holding_write_decode(pdu, len, d->map->tab_registers, ROLLER_HOLDING_REGISTERS, &w))
		return 0;
	for (unsigned i = 0; i < w.count; i++) {
		unsigned r = w.addr + i;

		if (w.values[i] < roller_holding_range[r].min || w.values[i] > roller_holding_range[r].max)
			return MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE;
	}
	*ret_write = true;
	return 0;
}

unsigned bus_device_before_reply(struct chair_sim *cs, struct bus_device *d, const uint8_t *pdu, size_t len,
				 bool *ret_write)
{
	*ret_write = false;
	if (len < 1)
		return 0;
	switch (device_id(cs, d)) {
	case BUS_ROLLER:
		if (pdu[0] == MODBUS_FC_READ_INPUT_REGISTERS)
			roller_refresh_inputs(cs, d);
		return roller_check_write(d, pdu, len, ret_write);
	case BUS_TEMP:
		if (pdu[0] == MODBUS_FC_READ_INPUT_REGISTERS)
			temp_refresh_inputs(cs, d);
		return 0;
	default:
		return 0;
	}
}

/* All nine registers go to the board at once, so every write also feeds its watchdog. */
static void roller_apply_write(struct chair_sim *cs, struct bus_device *d)
{
	uint16_t *regs = d->map->tab_registers;
	struct roller_setpoints sp;

	registers_to_setpoints(regs, &sp);
	(void)sim_chair_roller_write(&cs->chair, chair_sim_now(cs), &sp);
	/* CLEAR_FAULT acts once: it reads back 0 */
	regs[0] &= (uint16_t)~ROLLER_CONTROL_CLEAR_FAULT;
}

static void relay_apply_coils(struct chair_sim *cs, struct bus_device *d)
{
	for (int c = 0; c < CHAIR_SIM_COILS; c++) {
		bool on = d->map->tab_bits[c] != 0;

		if (on == cs->coil_applied[c])
			continue;
		cs->coil_applied[c] = on;
		chair_sim_debug(cs, "coil %d %s (%s)", c, on ? "on" : "off",
				cs->coil_output[c] == OUTPUT_INVALID ? "drives nothing"
								     : chair_output_name(cs->coil_output[c]));
		if (cs->coil_output[c] != OUTPUT_INVALID)
			sim_chair_set_output(&cs->chair, chair_sim_now(cs), cs->coil_output[c], on);
	}
}

void bus_device_after_reply(struct chair_sim *cs, struct bus_device *d, bool write)
{
	switch (device_id(cs, d)) {
	case BUS_ROLLER:
		if (write)
			roller_apply_write(cs, d);
		break;
	case BUS_RELAY:
		relay_apply_coils(cs, d);
		break;
	default:
		break;
	}
}
