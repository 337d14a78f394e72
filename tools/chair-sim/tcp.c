/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "device.h"
#include "serve.h"
#include "tcp.h"

/* A client that stops in the middle of a request blocks the loop no longer. */
#define TCP_BYTE_TIMEOUT_USEC 200000
#define MBAP_UNIT_ID 6

void tcp_server_init(struct tcp_server *t)
{
	*t = (struct tcp_server) { .listen_fd = -1, .client_fd = -1 };
}

static int socket_port(int fd, unsigned *ret)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET)
		*ret = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		*ret = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return -EAFNOSUPPORT;
	return 0;
}

int tcp_server_open(struct chair_sim *cs)
{
	struct tcp_server *t = &cs->tcp;
	int r;

	/* the protocol-independent context: host names and IPv6 too */
	t->ctx = modbus_new_tcp_pi(cs->tcp_host, cs->tcp_port);
	if (!t->ctx) {
		r = -errno;
		chair_sim_log(cs, "cannot create the TCP context: %s", modbus_strerror(errno));
		return r;
	}
	if (modbus_set_response_timeout(t->ctx, 0, 1) < 0 ||
	    modbus_set_byte_timeout(t->ctx, 0, TCP_BYTE_TIMEOUT_USEC) < 0)
		return -errno;
	t->listen_fd = modbus_tcp_pi_listen(t->ctx, 1);
	if (t->listen_fd < 0) {
		r = -errno;
		chair_sim_log(cs, "cannot listen on %s port %s: %s", cs->tcp_host, cs->tcp_port,
			      modbus_strerror(errno));
		return r;
	}
	r = socket_port(t->listen_fd, &t->port);
	if (r < 0)
		chair_sim_log(cs, "cannot tell the port listened on: %s", strerror(-r));
	return r;
}

static void tcp_client_close(struct chair_sim *cs)
{
	struct tcp_server *t = &cs->tcp;

	if (t->client_fd < 0)
		return;
	(void)close(t->client_fd);
	t->client_fd = -1;
	(void)modbus_set_socket(t->ctx, -1);
}

void tcp_server_close(struct chair_sim *cs)
{
	struct tcp_server *t = &cs->tcp;

	tcp_client_close(cs);
	if (t->listen_fd >= 0)
		(void)close(t->listen_fd);
	if (t->ctx)
		modbus_free(t->ctx);
	tcp_server_init(t);
}

int tcp_server_fd(const struct chair_sim *cs)
{
	return cs->tcp.client_fd >= 0 ? cs->tcp.client_fd : cs->tcp.listen_fd;
}

static void tcp_accept(struct chair_sim *cs)
{
	struct tcp_server *t = &cs->tcp;
	int fd = modbus_tcp_pi_accept(t->ctx, &t->listen_fd);

	if (fd < 0) {
		chair_sim_debug(cs, "accept: %s", modbus_strerror(errno));
		(void)modbus_set_socket(t->ctx, -1);
		return;
	}
	t->client_fd = fd;
	chair_sim_debug(cs, "client connected");
}

static void tcp_serve_request(struct chair_sim *cs)
{
	struct tcp_server *t = &cs->tcp;
	uint8_t req[MODBUS_MAX_ADU_LENGTH];
	struct bus_device *d;
	int rc;

	rc = modbus_receive(t->ctx, req);
	if (rc <= 0) {
		/* ECONNRESET is how libmodbus reports the client's end of stream */
		chair_sim_debug(cs, "client gone: %s", rc < 0 ? modbus_strerror(errno) : "empty read");
		tcp_client_close(cs);
		return;
	}
	d = bus_device_by_slave(cs, req[MBAP_UNIT_ID]);
	traffic_count_in(cs, d, (size_t)rc, true);
	if (!d || d->silent)
		return;
	rc = bus_device_serve(cs, d, t->ctx, req, rc, 0);
	if (rc > 0)
		traffic_count_reply(cs, d, (size_t)rc);
	else if (rc < 0)
		tcp_client_close(cs);
}

void tcp_server_on_input(struct chair_sim *cs)
{
	if (cs->tcp.client_fd < 0)
		tcp_accept(cs);
	else
		tcp_serve_request(cs);
}
