/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "log.h"
#include "macro.h"
#include "modbus-link.h"

#define RECONNECT_USEC (500 * USEC_PER_MSEC)
/* The least answer time a request is assumed to need when deciding whether it still
 * fits in the loop iteration's budget. */
#define ANSWER_ESTIMATE_MIN_USEC (1 * USEC_PER_MSEC)

struct modbus_link {
	modbus_t *ctx;
	struct modbus_config cfg;
	sd_event *event;
	char name[HW_PATH_MAX + 32];
	bool connected;
	bool connect_failing;
	uint64_t next_connect_usec;
	uint64_t request_start_usec;
	uint64_t iteration; /* loop iteration the figures below belong to */
	bool timed_out_in_iteration;
	bool left_loop;   /* at exit: every request may wait, none is counted */
	bool in_handler;  /* the request runs in a loop iteration: it is budgeted */
	bool stale_input; /* a late answer may still arrive: drop it first */
	uint64_t waited_in_iteration_usec;
	uint64_t answer_estimate_usec; /* a recent slow answer, decaying */
	struct modbus_link_stats stats;
};

static uint64_t current_iteration(const struct modbus_link *l)
{
	uint64_t it = 0;

	if (l->event)
		(void)sd_event_get_iteration(l->event, &it);
	return it;
}

/* Inside an event handler of the running loop; not at start-up or exit. */
static bool loop_dispatching(const struct modbus_link *l)
{
	return l->event && !l->left_loop && sd_event_get_state(l->event) == SD_EVENT_RUNNING;
}

static void iteration_enter(struct modbus_link *l)
{
	uint64_t it = current_iteration(l);

	if (it != l->iteration) {
		l->iteration = it;
		l->timed_out_in_iteration = false;
		l->waited_in_iteration_usec = 0;
	}
}

static int set_response_timeout(struct modbus_link *l, uint64_t usec)
{
	return modbus_set_response_timeout(l->ctx, (uint32_t)(usec / USEC_PER_SEC), (uint32_t)(usec % USEC_PER_SEC));
}

static int link_configure(struct modbus_link *l)
{
	const struct modbus_config *c = &l->cfg;
	/* inter-byte silence: 40 characters of 11 bits, at least 5 ms */
	unsigned byte_us = c->transport == MODBUS_TRANSPORT_RTU ? MAX(5000u, 40u * 11u * 1000000u / c->baud) : 5000u;

	if (set_response_timeout(l, c->timeout_ms * USEC_PER_MSEC) < 0 ||
	    modbus_set_byte_timeout(l->ctx, 0, byte_us) < 0 ||
	    modbus_set_error_recovery(l->ctx, MODBUS_ERROR_RECOVERY_NONE) < 0)
		return -errno;
	return 0;
}

int modbus_link_new(const struct modbus_config *cfg, sd_event *event, struct modbus_link **ret)
{
	struct modbus_link *l = calloc(1, sizeof(*l));
	char port[16];
	int r;

	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	l->event = event ? sd_event_ref(event) : NULL;
	modbus_config_format(cfg, l->name, sizeof(l->name));
	if (cfg->transport == MODBUS_TRANSPORT_RTU) {
		l->ctx = modbus_new_rtu(cfg->device, (int)cfg->baud, cfg->parity, (int)cfg->data_bits,
					(int)cfg->stop_bits);
	} else {
		(void)snprintf(port, sizeof(port), "%u", cfg->port);
		l->ctx = modbus_new_tcp_pi(cfg->host, port);
	}
	/* the caller says what failed: it knows what that stops */
	r = l->ctx ? link_configure(l) : -errno;
	if (r < 0) {
		modbus_link_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

void modbus_link_free(struct modbus_link *l)
{
	if (!l)
		return;
	if (l->ctx) {
		if (l->connected)
			modbus_close(l->ctx);
		modbus_free(l->ctx);
	}
	sd_event_unref(l->event);
	free(l);
}

static int link_connect(struct modbus_link *l)
{
	uint64_t now = monotonic_usec();

	if (l->connected)
		return 0;
	if (now < l->next_connect_usec)
		return -ENOTCONN;
	l->next_connect_usec = now + RECONNECT_USEC;
	if (modbus_connect(l->ctx) < 0) {
		int r = -errno;

		/* said once per outage, not every RECONNECT_USEC */
		if (!l->connect_failing)
			log_warning("Modbus %s: cannot open: %s", l->name, modbus_strerror(-r));
		l->connect_failing = true;
		return -ENOTCONN;
	}
	if (l->connect_failing)
		log_notice("Modbus %s: open again", l->name);
	l->connect_failing = false;
	l->connected = true;
	l->stats.reconnects++;
	return 0;
}

/* The time this request may wait: the whole timeout outside the loop; inside, what is
 * left of the iteration's budget (one timeout for all its requests), or -EAGAIN when a
 * request as slow as the recent answers would not fit in it. The first request of an
 * iteration always gets the whole timeout. */
static int request_allowance(struct modbus_link *l, uint64_t *ret_usec)
{
	uint64_t budget = l->cfg.timeout_ms * USEC_PER_MSEC;
	uint64_t waited = l->waited_in_iteration_usec;

	*ret_usec = budget;
	if (!l->in_handler || waited == 0)
		return 0;
	if (waited + MAX(l->answer_estimate_usec, ANSWER_ESTIMATE_MIN_USEC) > budget)
		return -EAGAIN;
	*ret_usec = budget - waited;
	return 0;
}

int modbus_link_begin(struct modbus_link *l, unsigned slave, modbus_t **ret)
{
	uint64_t allowance;
	int r;

	iteration_enter(l);
	l->in_handler = loop_dispatching(l);
	if (l->timed_out_in_iteration && !l->left_loop)
		return -EAGAIN; /* the loop already waited once in this iteration */
	r = request_allowance(l, &allowance);
	if (r < 0) {
		l->stats.deferred++;
		return r;
	}
	r = link_connect(l);
	if (r < 0)
		return r;
	if (modbus_set_slave(l->ctx, (int)slave) < 0 || set_response_timeout(l, allowance) < 0)
		return -EINVAL;
	if (l->stale_input) {
		(void)modbus_flush(l->ctx); /* an answer that came after its request timed out */
		l->stale_input = false;
	}
	l->request_start_usec = monotonic_usec();
	l->stats.requests++;
	*ret = l->ctx;
	return 0;
}

static bool error_breaks_connection(int err)
{
	return err == ECONNRESET || err == EPIPE || err == EBADF || err == ENOTCONN || err == EIO ||
	       err == ECONNREFUSED || err == ENXIO || err == ENODEV;
}

static int error_to_errno(int err)
{
	if (err == ETIMEDOUT)
		return -ETIMEDOUT;
	if (err == EMBBADCRC)
		return -EBADMSG;
	if (err >= MODBUS_ENOBASE)
		return -EPROTO; /* exceptions, wrong slave, wrong length, bad data */
	return error_breaks_connection(err) ? -ENOTCONN : -EIO;
}

int modbus_link_end(struct modbus_link *l, int rc)
{
	int err = errno;
	uint64_t waited = monotonic_usec() - l->request_start_usec;

	if (l->in_handler) {
		l->waited_in_iteration_usec += waited;
		l->stats.longest_iteration_wait_usec =
			MAX(l->stats.longest_iteration_wait_usec, l->waited_in_iteration_usec);
	}
	/* the next request is assumed as slow as the slowest recent answer, which fades
	 * by a quarter with each request */
	l->answer_estimate_usec = MAX(waited, l->answer_estimate_usec - l->answer_estimate_usec / 4);
	if (rc >= 0)
		return 0;
	l->stats.failures++;
	if (err == ETIMEDOUT) {
		l->stats.timeouts++;
		l->timed_out_in_iteration = true;
		l->stale_input = true;
	}
	if (error_breaks_connection(err)) { /* a TCP reset, a serial adapter unplugged */
		modbus_close(l->ctx);
		l->connected = false;
	} else {
		(void)modbus_flush(l->ctx); /* drop the rest of a bad or late answer */
	}
	log_debug("Modbus %s slave %d: %s after %.1f ms", l->name, modbus_get_slave(l->ctx), modbus_strerror(err),
		  (double)waited / 1000.0);
	return error_to_errno(err);
}

void modbus_link_leave_loop(struct modbus_link *l)
{
	l->left_loop = true;
	l->timed_out_in_iteration = false;
}

const struct modbus_link_stats *modbus_link_get_stats(const struct modbus_link *l)
{
	return &l->stats;
}

const char *modbus_link_name(const struct modbus_link *l)
{
	return l->name;
}
