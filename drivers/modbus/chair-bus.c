/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chair-bus.h"
#include "clock.h"
#include "log.h"
#include "macro.h"

#define ROLLER_HOLDING 9
#define ROLLER_INPUT 10
#define REG_WATCHDOG 8

struct chair_bus {
	struct modbus_link *link;
	struct modbus_config cfg;
	uint16_t board[ROLLER_HOLDING]; /* what the roller board holds, as far as we know */
	bool board_known;
	uint16_t protocol_seen;
	uint64_t last_write_usec;
	uint8_t coils[RELAY_COILS];
	uint8_t coils_known; /* bit per coil */
};

int chair_bus_new(const struct modbus_config *cfg, sd_event *event, struct chair_bus **ret)
{
	struct chair_bus *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	b->cfg = *cfg;
	b->protocol_seen = ROLLER_PROTOCOL;
	r = modbus_link_new(cfg, event, &b->link);
	if (r < 0) {
		free(b);
		return r;
	}
	*ret = b;
	return 0;
}

void chair_bus_free(struct chair_bus *b)
{
	if (!b)
		return;
	modbus_link_free(b->link);
	free(b);
}

bool roller_status_is_plausible(const struct roller_status *st)
{
	return st->protocol == ROLLER_PROTOCOL && st->fault_code <= ROLLER_FAULT_SUPPLY && st->status < (1u << 7) &&
	       st->travel_mm <= ROLLER_TRAVEL_MAX_MM + 20 && st->depth_mm <= ROLLER_DEPTH_MAX_MM + 5 &&
	       st->width_mm <= ROLLER_WIDTH_MAX_MM + 20 && st->knead_rpm <= ROLLER_KNEAD_RPM_MAX * 2 &&
	       st->tap_rate <= ROLLER_TAP_RATE_MAX * 2 && st->board_temp_dc > -400 && st->board_temp_dc < 1500;
}

void roller_status_decode(const uint16_t regs[ROLLER_INPUT], struct roller_status *ret)
{
	*ret = (struct roller_status) {
		.status = regs[0],
		.fault_code = regs[1],
		.travel_mm = regs[2],
		.depth_mm = regs[3],
		.width_mm = regs[4],
		.knead_rpm = regs[5],
		.tap_rate = regs[6],
		.load_dn = regs[7],
		.board_temp_dc = (int16_t)regs[8],
		.protocol = regs[9],
	};
}

int chair_bus_roller_read(struct chair_bus *b, struct roller_status *ret)
{
	uint16_t regs[ROLLER_INPUT];
	struct roller_status st;
	modbus_t *ctx;
	int r;

	r = modbus_link_begin(b->link, b->cfg.roller_slave, &ctx);
	if (r < 0)
		return r;
	r = modbus_link_end(b->link, modbus_read_input_registers(ctx, 0, ROLLER_INPUT, regs));
	if (r < 0)
		return r;
	roller_status_decode(regs, &st);
	if (st.protocol != ROLLER_PROTOCOL) {
		if (st.protocol != b->protocol_seen)
			log_error("The roller board (slave %u) speaks protocol %u; this massaged speaks %u",
				  b->cfg.roller_slave, st.protocol, ROLLER_PROTOCOL);
		b->protocol_seen = st.protocol;
		return -EPROTO;
	}
	b->protocol_seen = st.protocol;
	if (!roller_status_is_plausible(&st)) {
		log_debug("Roller board: implausible status (travel %u, depth %u, fault %u): ignored", st.travel_mm,
			  st.depth_mm, st.fault_code);
		return -EPROTO;
	}
	*ret = st;
	return 0;
}

static void pack_setpoints(const struct roller_setpoints *sp, uint16_t regs[ROLLER_HOLDING])
{
	regs[0] = sp->control;
	regs[1] = sp->travel_target_mm;
	regs[2] = sp->travel_speed;
	regs[3] = sp->knead_rpm;
	regs[4] = sp->knead_reverse;
	regs[5] = sp->tap_rate;
	regs[6] = sp->depth_mm;
	regs[7] = sp->width_mm;
	regs[8] = sp->watchdog_ms;
}

void roller_registers_changed(const uint16_t board[9], const uint16_t want[9], unsigned *first, unsigned *count)
{
	int lo = -1, hi = -1;

	for (int i = 0; i < ROLLER_HOLDING; i++)
		if (board[i] != want[i]) {
			if (lo < 0)
				lo = i;
			hi = i;
		}
	*first = lo < 0 ? 0 : (unsigned)lo;
	*count = lo < 0 ? 0 : (unsigned)(hi - lo + 1);
}

int chair_bus_roller_write(struct chair_bus *b, const struct roller_setpoints *sp)
{
	uint16_t want[ROLLER_HOLDING];
	uint64_t now = monotonic_usec();
	unsigned first = 0, count = ROLLER_HOLDING;
	modbus_t *ctx;
	int r, rc;

	pack_setpoints(sp, want);
	if (b->board_known)
		roller_registers_changed(b->board, want, &first, &count);
	if (count == 0) {
		bool armed = (want[0] & ROLLER_CONTROL_ENABLE) && want[REG_WATCHDOG] > 0;

		if (!armed || now - b->last_write_usec < want[REG_WATCHDOG] * USEC_PER_MSEC / 4)
			return 0;
		first = REG_WATCHDOG; /* any write re-arms the board's watchdog */
		count = 1;
	}
	r = modbus_link_begin(b->link, b->cfg.roller_slave, &ctx);
	if (r < 0)
		return r;
	rc = count == 1 ? modbus_write_register(ctx, (int)first, want[first])
			: modbus_write_registers(ctx, (int)first, (int)count, want + first);
	r = modbus_link_end(b->link, rc);
	if (r < 0) {
		b->board_known = false; /* it may have taken the write or not */
		return r;
	}
	memcpy(b->board, want, sizeof(want));
	b->board[0] &= (uint16_t)~ROLLER_CONTROL_CLEAR_FAULT; /* the board clears it itself */
	b->board_known = true;
	b->last_write_usec = now;
	return 0;
}

int chair_bus_temperatures_read(struct chair_bus *b, int16_t ret_raw[TEMP_CHANNELS])
{
	uint16_t regs[TEMP_CHANNELS];
	modbus_t *ctx;
	int r;

	r = modbus_link_begin(b->link, b->cfg.temp_slave, &ctx);
	if (r < 0)
		return r;
	r = modbus_link_end(b->link, modbus_read_input_registers(ctx, 0, TEMP_CHANNELS, regs));
	if (r < 0)
		return r;
	for (unsigned i = 0; i < TEMP_CHANNELS; i++)
		ret_raw[i] = (int16_t)regs[i];
	return 0;
}

int chair_bus_coil_write(struct chair_bus *b, unsigned coil, bool on)
{
	modbus_t *ctx;
	int r;

	if (coil >= RELAY_COILS)
		return -EINVAL;
	if ((b->coils_known & (1u << coil)) && b->coils[coil] == on)
		return 0;
	r = modbus_link_begin(b->link, b->cfg.relay_slave, &ctx);
	if (r < 0)
		return r;
	r = modbus_link_end(b->link, modbus_write_bit(ctx, (int)coil, on));
	if (r < 0) {
		b->coils_known &= (uint8_t)(~(1u << coil));
		return r;
	}
	b->coils[coil] = on;
	b->coils_known |= (uint8_t)(1u << coil);
	return 0;
}

int chair_bus_coils_read(struct chair_bus *b, bool ret_on[RELAY_COILS])
{
	uint8_t bits[RELAY_COILS];
	modbus_t *ctx;
	int r;

	r = modbus_link_begin(b->link, b->cfg.relay_slave, &ctx);
	if (r < 0)
		return r;
	r = modbus_link_end(b->link, modbus_read_bits(ctx, 0, RELAY_COILS, bits));
	if (r < 0)
		return r;
	for (unsigned c = 0; c < RELAY_COILS; c++) {
		ret_on[c] = bits[c] != 0;
		b->coils[c] = ret_on[c]; /* a coil that differs from what was written is written again */
	}
	b->coils_known = (uint8_t)((1u << RELAY_COILS) - 1);
	return 0;
}

void chair_bus_leaving_loop(struct chair_bus *b)
{
	modbus_link_leave_loop(b->link);
}

const struct modbus_link_stats *chair_bus_stats(const struct chair_bus *b)
{
	return modbus_link_get_stats(b->link);
}

const char *chair_bus_name(const struct chair_bus *b)
{
	return modbus_link_name(b->link);
}
