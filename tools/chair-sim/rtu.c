/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include "device.h"
#include "macro.h"
#include "pty.h"
#include "rtu-frame.h"
#include "rtu.h"
#include "serve.h"

/* Bytes that stop for this long end a frame whose function code does not tell its
 * length, or are dropped as a fragment. On a pty a whole request arrives at once. */
#define RTU_SILENCE_USEC 10000ULL
/* The internal link never makes libmodbus wait longer: the frame is there in full. */
#define INTERNAL_TIMEOUT_USEC 20000

void rtu_bus_init(struct rtu_bus *b)
{
	*b = (struct rtu_bus) { .master_fd = -1, .slave_fd = -1, .watch_fd = -1, .server_fd = -1, .feed_fd = -1 };
}

static int rtu_server_new(struct chair_sim *cs)
{
	struct rtu_bus *b = &cs->rtu;
	int sv[2];

	/* A socketpair rather than another pty: what one end writes the other can read
	 * at once, and there is no line discipline in between. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	b->server_fd = sv[0];
	b->feed_fd = sv[1];
	/* never connected: the device name only labels the context */
	b->server = modbus_new_rtu(b->slave_name, 115200, 'E', 8, 1);
	if (!b->server)
		return -errno;
	if (modbus_set_socket(b->server, b->server_fd) < 0 ||
	    /* libmodbus sleeps this long before some exception replies (then flushes) */
	    modbus_set_response_timeout(b->server, 0, 1) < 0 ||
	    modbus_set_byte_timeout(b->server, 0, INTERNAL_TIMEOUT_USEC) < 0 ||
	    modbus_set_indication_timeout(b->server, 0, INTERNAL_TIMEOUT_USEC) < 0)
		return -errno;
	return 0;
}

int rtu_bus_open(struct chair_sim *cs)
{
	struct rtu_bus *b = &cs->rtu;
	int r;

	r = pty_open_raw(&b->master_fd, &b->slave_fd, b->slave_name, sizeof(b->slave_name));
	if (r < 0) {
		chair_sim_log(cs, "cannot create a pty: %s", strerror(-r));
		return r;
	}
	r = symlink_replace(b->slave_name, cs->rtu_path);
	if (r == -EEXIST) {
		chair_sim_log(cs, "%s exists and is not a symlink: not replacing it", cs->rtu_path);
		return r;
	}
	if (r < 0) {
		chair_sim_log(cs, "cannot link %s to %s: %s", cs->rtu_path, b->slave_name, strerror(-r));
		return r;
	}
	(void)snprintf(b->link_path, sizeof(b->link_path), "%s", cs->rtu_path);
	b->watch_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (b->watch_fd < 0 || inotify_add_watch(b->watch_fd, b->slave_name, IN_CLOSE) < 0) {
		r = -errno;
		chair_sim_log(cs, "cannot watch %s: %s", b->slave_name, strerror(-r));
		return r;
	}
	r = rtu_server_new(cs);
	if (r < 0)
		chair_sim_log(cs, "cannot set up the libmodbus server: %s", modbus_strerror(-r));
	return r;
}

void rtu_bus_close(struct chair_sim *cs)
{
	struct rtu_bus *b = &cs->rtu;
	int fds[] = { b->watch_fd, b->master_fd, b->slave_fd, b->server_fd, b->feed_fd };

	if (b->link_path[0])
		symlink_remove_if(b->slave_name, b->link_path);
	if (b->server)
		modbus_free(b->server); /* not modbus_close(): the fd is ours, and no tty */
	for (size_t i = 0; i < ELEMENTSOF(fds); i++)
		if (fds[i] >= 0)
			(void)close(fds[i]);
	rtu_bus_init(b);
}

static void hex_format(const uint8_t *p, size_t n, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at + 4 < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s%02x", i ? " " : "", p[i]);
}

static void drain(int fd)
{
	uint8_t buf[256];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The reply modbus_reply() has just written to the other end: already there in full. */
static int read_reply(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, p, n, MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* libmodbus checks the CRC of the request and builds the reply; we only carry bytes. */
static int rtu_exchange(struct chair_sim *cs, struct bus_device *d, const uint8_t *frame, size_t len, uint8_t *rsp)
{
	struct rtu_bus *b = &cs->rtu;
	uint8_t req[MODBUS_MAX_ADU_LENGTH];
	int rc, r;

	drain(b->server_fd);
	drain(b->feed_fd);
	r = write_all(b->feed_fd, frame, len);
	if (r < 0)
		return r;
	/* the server filters on its slave id: never let it see a request for another */
	(void)modbus_set_slave(b->server, (int)d->slave);
	rc = modbus_receive(b->server, req);
	drain(b->server_fd); /* bytes of the burst beyond what libmodbus took as the frame */
	if (rc <= 0) {
		chair_sim_debug(cs, "%s: request not answered: %s", d->name,
				rc < 0 ? modbus_strerror(errno) : "ignored");
		return 0;
	}
	rc = bus_device_serve(cs, d, b->server, req, rc, 2);
	if (rc <= 0)
		return rc;
	r = read_reply(b->feed_fd, rsp, (size_t)rc);
	return r < 0 ? r : rc;
}

static void rtu_handle_frame(struct chair_sim *cs, const uint8_t *frame, size_t len)
{
	struct bus_device *d = bus_device_by_slave(cs, frame[0]);
	uint8_t rsp[MODBUS_MAX_ADU_LENGTH];
	char hex[3 * MODBUS_MAX_ADU_LENGTH + 1];
	int n, r;

	traffic_count_in(cs, d, len, true);
	if (cs->verbose) {
		hex_format(frame, len, hex, sizeof(hex));
		chair_sim_debug(cs, "<- %s", hex);
	}
	if (!d || d->silent)
		return;
	n = rtu_exchange(cs, d, frame, len, rsp);
	if (n < 0)
		chair_sim_log(cs, "%s: internal link: %s", d->name, strerror(-n));
	if (n <= 0)
		return;
	if (d->bad_crc) {
		rsp[n - 2] ^= 0xFF;
		rsp[n - 1] ^= 0xFF;
	}
	if (cs->verbose) {
		hex_format(rsp, (size_t)n, hex, sizeof(hex));
		chair_sim_debug(cs, "-> %s", hex);
	}
	r = write_all(cs->rtu.master_fd, rsp, (size_t)n);
	if (r < 0) {
		/* a master that stopped reading: the reply is lost, as on a wire */
		chair_sim_debug(cs, "%s: reply dropped: %s", d->name, strerror(-r));
		return;
	}
	traffic_count_reply(cs, d, (size_t)n);
}

static void rx_consume(struct rtu_bus *b, size_t n)
{
	memmove(b->rx, b->rx + n, b->rx_len - n);
	b->rx_len -= n;
}

/* Take whole frames off the buffer; once the line is silent, also what is left. */
static void rtu_frame_buffered(struct chair_sim *cs, bool silence)
{
	struct rtu_bus *b = &cs->rtu;

	while (b->rx_len > 0) {
		int n = rtu_request_length(b->rx, b->rx_len);

		if (n > 0 && (size_t)n <= b->rx_len) {
			rtu_handle_frame(cs, b->rx, (size_t)n);
			rx_consume(b, (size_t)n);
			continue;
		}
		if (!silence && b->rx_len < sizeof(b->rx))
			return;
		/* a function code libmodbus frames as address, code and CRC: the burst is
		 * the frame, and libmodbus answers what it makes of it */
		if (n < 0 && b->rx_len >= 4) {
			rtu_handle_frame(cs, b->rx, b->rx_len);
		} else {
			chair_sim_debug(cs, "dropped a %zu-byte fragment", b->rx_len);
			traffic_count_in(cs, bus_device_by_slave(cs, b->rx[0]), b->rx_len, false);
		}
		b->rx_len = 0;
	}
}

void rtu_bus_on_input(struct chair_sim *cs)
{
	struct rtu_bus *b = &cs->rtu;

	for (;;) {
		ssize_t n = read(b->master_fd, b->rx + b->rx_len, sizeof(b->rx) - b->rx_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			chair_sim_log(cs, "reading the bus: %s", strerror(errno));
		if (n <= 0)
			return;
		b->rx_len += (size_t)n;
		b->rx_last_usec = monotonic_usec();
		rtu_frame_buffered(cs, false);
	}
}

void rtu_bus_on_watch(struct chair_sim *cs)
{
	struct rtu_bus *b = &cs->rtu;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool closed = false;
	ssize_t n;
	int r;

	while ((n = read(b->watch_fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n; p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len)
			closed |= (((struct inotify_event *)p)->mask & IN_CLOSE) != 0;
	if (!closed)
		return;
	/* what the departed master left unread or half-sent is gone with it */
	b->rx_len = 0;
	r = pty_reset_line(b->slave_fd);
	if (r < 0)
		chair_sim_log(cs, "cannot reset the line after a master left: %s", strerror(-r));
	else
		chair_sim_debug(cs, "a master closed the bus: line reset");
}

int rtu_bus_timeout_ms(const struct chair_sim *cs)
{
	const struct rtu_bus *b = &cs->rtu;
	uint64_t now, end;

	if (b->rx_len == 0)
		return -1;
	now = monotonic_usec();
	end = b->rx_last_usec + RTU_SILENCE_USEC;
	return now >= end ? 0 : (int)((end - now + 999) / 1000);
}

void rtu_bus_on_timeout(struct chair_sim *cs)
{
	if (cs->rtu.rx_len > 0 && monotonic_usec() >= cs->rtu.rx_last_usec + RTU_SILENCE_USEC)
		rtu_frame_buffered(cs, true);
}
