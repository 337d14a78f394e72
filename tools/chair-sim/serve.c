/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <time.h>

#include "device.h"
#include "serve.h"

#define SLAVE_ID_MAX 247

/* An id for wrong-slave replies: the next one that is none of ours. */
static unsigned other_slave(struct chair_sim *cs, const struct bus_device *d)
{
	unsigned id = d->slave;

	do
		id = id % SLAVE_ID_MAX + 1;
	while (bus_device_by_slave(cs, id));
	return id;
}

/* A slow link or device: the answer leaves this late. chair-sim does nothing else
 * meanwhile, as a bus that carries one request at a time would not either. */
static void delay_reply(const struct chair_sim *cs)
{
	struct timespec left = { .tv_sec = cs->reply_delay_ms / 1000,
				 .tv_nsec = (long)(cs->reply_delay_ms % 1000) * 1000000L };

	while (cs->reply_delay_ms > 0 && nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}

int bus_device_serve(struct chair_sim *cs, struct bus_device *d, modbus_t *ctx, uint8_t *req, int req_len,
		     unsigned checksum_len)
{
	int offset = modbus_get_header_length(ctx);
	unsigned code = d->exception;
	bool write = false;
	int rc;

	if (offset < 1 || req_len < offset + 1 + (int)checksum_len)
		return 0;
	delay_reply(cs);
	if (!code)
		code = bus_device_before_reply(cs, d, req + offset, (size_t)(req_len - offset) - checksum_len, &write);
	/* modbus_reply() answers with the request's slave id, and only checks the CRC
	 * on receiving: a changed id goes out with a valid CRC, as a misconfigured
	 * device's reply would. */
	if (d->wrong_slave)
		req[offset - 1] = (uint8_t)other_slave(cs, d);

	if (code) {
		rc = modbus_reply_exception(ctx, req, code);
	} else {
		rc = modbus_reply(ctx, req, req_len, d->map);
		/* libmodbus has stored a write before sending, even when sending failed */
		bus_device_after_reply(cs, d, write);
	}
	if (rc < 0) {
		int r = errno;

		/* 0x07 (read exception status) is not implemented by libmodbus: no reply */
		if (r == ENOPROTOOPT)
			return 0;
		chair_sim_debug(cs, "%s: reply failed: %s", d->name, modbus_strerror(r));
		return r > 0 ? -r : -EIO;
	}
	return rc;
}

static void stats_add(struct traffic_stats *s, uint64_t requests, uint64_t replies, size_t in, size_t out)
{
	s->requests += requests;
	s->replies += replies;
	s->bytes_in += in;
	s->bytes_out += out;
}

void traffic_count_in(struct chair_sim *cs, struct bus_device *d, size_t bytes, bool request)
{
	stats_add(&cs->total, request, 0, bytes, 0);
	if (d)
		stats_add(&d->stats, request, 0, bytes, 0);
}

void traffic_count_reply(struct chair_sim *cs, struct bus_device *d, size_t bytes)
{
	stats_add(&cs->total, 0, 1, 0, bytes);
	if (d)
		stats_add(&d->stats, 0, 1, 0, bytes);
}
