/* SPDX-License-Identifier: MIT */
/* The broker link: libmosquitto driven by sd-event, single-threaded (never
 * mosquitto_loop_start()). Its socket is an io source (EPOLLOUT only while it has
 * something to write), a timer calls mosquitto_loop_misc() for the keepalive, and
 * another reconnects after a loss, with backoff: 1 s doubling to 60 s, with jitter.
 *
 * MQTT v3.1.1. The connection is made with mosquitto_connect_async(): the TCP connect
 * does not block, but the host name is still resolved with getaddrinfo(), which may
 * block the loop briefly when DNS is slow (a literal address or /etc/hosts does not). */
#include <errno.h>
#include <mosquitto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "bridge.h"
#include "broker-client.h"
#include "log.h"
#include "macro.h"

#define BACKOFF_MIN_USEC (1 * USEC_PER_SEC)
#define BACKOFF_MAX_USEC (60 * USEC_PER_SEC)
#define FLUSH_TIMEOUT_MS 1000

/* What the last attempt came to, so that a broker refusing us every minute is said once. */
enum outcome {
	OUTCOME_NONE,
	OUTCOME_CONNECTED,
	OUTCOME_REFUSED,     /* CONNACK != 0: code in outcome_code */
	OUTCOME_UNREACHABLE, /* no TCP/TLS connection: mosquitto error in outcome_code */
	OUTCOME_LOST,        /* connected, then lost */
};

struct broker {
	sd_event *event;
	struct mosquitto *mosq;
	const struct mqtt_config *cfg;
	char *will_topic;
	broker_connected_fn on_connected;
	broker_message_fn on_message;
	void *userdata;

	sd_event_source *io;
	sd_event_source *misc_timer;
	sd_event_source *reconnect_timer;
	uint32_t io_events;
	bool connected;
	bool started; /* mosquitto_connect_async() was called once: later, reconnect */
	bool freeing;
	bool refused;    /* this attempt's CONNACK said no */
	int offline_mid; /* the "offline" sent on the way out, until its PUBACK */
	uint64_t backoff_usec;
	uint64_t jitter_state;

	enum outcome outcome;
	int outcome_code;
	char why[512];       /* the last failure, for the status line */
	char lib_error[256]; /* libmosquitto's last error message (OpenSSL's reason) */
};

static void broker_schedule_reconnect(struct broker *b);

static void set_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void set_status(const char *fmt, ...)
{
	char status[600];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	(void)sd_notifyf(false, "STATUS=%s", status);
}

/* Logs an attempt's outcome at notice/warning only when it differs from the last one. */
static void note_outcome(struct broker *b, enum outcome o, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note_outcome(struct broker *b, enum outcome o, int code, const char *fmt, ...)
{
	bool changed = o != b->outcome || code != b->outcome_code;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->outcome = o;
	b->outcome_code = code;
	memcpy(b->why, msg, sizeof(b->why));
	/* libmosquitto's sentences end in '.', the status line goes on after it */
	if (b->why[0] && b->why[strlen(b->why) - 1] == '.')
		b->why[strlen(b->why) - 1] = '\0';
	log_msg(!changed ? LOG_DEBUG : o == OUTCOME_CONNECTED ? LOG_INFO : LOG_WARNING, "%s", msg);
}

/* A connection that failed (lost: it was up), in words that do not depend on where
 * libmosquitto noticed it. */
static void note_failure(struct broker *b, bool lost, int rc)
{
	int saved_errno = errno;
	const char *why = rc == MOSQ_ERR_ERRNO                    ? strerror(saved_errno)
			  : rc == MOSQ_ERR_TLS && b->lib_error[0] ? b->lib_error
								  : mosquitto_strerror(rc);
	int code = rc == MOSQ_ERR_ERRNO ? 1000 + saved_errno : rc;

	if (lost)
		note_outcome(b, OUTCOME_LOST, code, "Lost the MQTT broker %s:%u: %s", b->cfg->host, b->cfg->port, why);
	else
		note_outcome(b, OUTCOME_UNREACHABLE, code, "Cannot connect to the MQTT broker %s:%u%s: %s",
			     b->cfg->host, b->cfg->port, rc == MOSQ_ERR_TLS ? " over TLS" : "", why);
}

static uint64_t now_usec(struct broker *b)
{
	uint64_t t = 0;

	(void)sd_event_now(b->event, CLOCK_MONOTONIC, &t);
	return t;
}

/* xorshift64: jitter needs no quality, only to keep a fleet of chairs from reconnecting
 * in step after the broker restarts. */
static uint64_t jitter_next(struct broker *b)
{
	uint64_t x = b->jitter_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return b->jitter_state = x;
}

static void io_update(struct broker *b)
{
	uint32_t events = EPOLLIN | (mosquitto_want_write(b->mosq) ? EPOLLOUT : 0);

	if (b->io && events != b->io_events && sd_event_source_set_io_events(b->io, events) >= 0)
		b->io_events = events;
}

static void io_drop(struct broker *b)
{
	b->io = sd_event_source_disable_unref(b->io);
	b->misc_timer = sd_event_source_disable_unref(b->misc_timer);
}

/* libmosquitto closed the socket without calling on_disconnect(): a failed TLS
 * handshake does so in 2.0.11. */
static void check_abandoned(struct broker *b, int rc)
{
	bool was_connected = b->connected;

	if (rc == MOSQ_ERR_SUCCESS || !b->io || mosquitto_socket(b->mosq) >= 0)
		return;
	b->connected = false;
	io_drop(b);
	note_failure(b, was_connected, rc);
	broker_schedule_reconnect(b);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct broker *b = userdata;
	int rc = MOSQ_ERR_SUCCESS;

	/* each call may end in on_disconnect(), which drops this source */
	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		rc = mosquitto_loop_read(b->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && b->io && (revents & EPOLLOUT))
		rc = mosquitto_loop_write(b->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS)
		io_update(b);
	else
		check_abandoned(b, rc);
	return 0;
}

static int on_misc(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct broker *b = userdata;
	uint64_t period = MAX(USEC_PER_SEC, b->cfg->keepalive * USEC_PER_SEC / 4);
	int rc;

	/* a ping not answered within the keepalive ends in on_disconnect() */
	rc = mosquitto_loop_misc(b->mosq);
	if (rc == MOSQ_ERR_SUCCESS && b->misc_timer) {
		(void)sd_event_source_set_time(s, usec + period);
		io_update(b);
	} else {
		check_abandoned(b, rc);
	}
	return 0;
}

static int io_add(struct broker *b)
{
	uint64_t period = MAX(USEC_PER_SEC, b->cfg->keepalive * USEC_PER_SEC / 4);
	int fd = mosquitto_socket(b->mosq), r;

	io_drop(b);
	if (fd < 0)
		return -ENOTCONN;
	b->io_events = EPOLLIN | EPOLLOUT; /* the connect completes when writable */
	r = sd_event_add_io(b->event, &b->io, fd, b->io_events, on_io, b);
	if (r < 0)
		return log_errno(r, "Cannot watch the broker's socket");
	r = sd_event_add_time(b->event, &b->misc_timer, CLOCK_MONOTONIC, now_usec(b) + period, USEC_PER_SEC / 2,
			      on_misc, b);
	if (r < 0) {
		io_drop(b);
		return log_errno(r, "Cannot set the keepalive timer");
	}
	return 0;
}

static void attempt(struct broker *b)
{
	int rc;

	b->refused = false;
	b->lib_error[0] = '\0';
	if (!b->started)
		rc = mosquitto_connect_async(b->mosq, b->cfg->host, (int)b->cfg->port, (int)b->cfg->keepalive);
	else
		rc = mosquitto_reconnect_async(b->mosq);
	b->started = true;
	if (rc == MOSQ_ERR_SUCCESS && io_add(b) == 0)
		return;
	note_failure(b, false, rc);
	broker_schedule_reconnect(b);
}

static int on_reconnect_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct broker *b = userdata;

	b->reconnect_timer = sd_event_source_disable_unref(b->reconnect_timer);
	attempt(b);
	return 0;
}

static void broker_schedule_reconnect(struct broker *b)
{
	/* the delay is the backoff minus up to a quarter of it */
	uint64_t delay = b->backoff_usec - jitter_next(b) % (b->backoff_usec / 4 + 1);
	int r;

	if (b->freeing || b->reconnect_timer)
		return;
	set_status("%s; retrying in %.1f s", b->why, (double)delay / USEC_PER_SEC);
	b->backoff_usec = MIN(b->backoff_usec * 2, BACKOFF_MAX_USEC);
	r = sd_event_add_time(b->event, &b->reconnect_timer, CLOCK_MONOTONIC, now_usec(b) + delay, USEC_PER_MSEC * 10,
			      on_reconnect_timer, b);
	if (r < 0)
		log_error("Cannot schedule the reconnection to the MQTT broker: %s", strerror(-r));
}

static const char *connack_reason(int rc)
{
	switch (rc) {
	case 4:
		return "bad user name or password: check [Broker] Username= and PasswordFile=";
	case 5:
		return "not authorised: wrong or missing credentials (check [Broker] Username= and PasswordFile=, or "
		       "CertFile= and KeyFile=)";
	default:
		return mosquitto_connack_string(rc);
	}
}

static void on_connect(struct mosquitto *mosq, void *userdata, int rc)
{
	struct broker *b = userdata;

	if (rc != 0) {
		b->refused = true;
		/* libmosquitto drops the connection next: on_disconnect() schedules the retry */
		note_outcome(b, OUTCOME_REFUSED, rc, "The MQTT broker %s:%u refused the connection: %s", b->cfg->host,
			     b->cfg->port, connack_reason(rc));
		return;
	}
	b->connected = true;
	b->backoff_usec = BACKOFF_MIN_USEC;
	note_outcome(b, OUTCOME_CONNECTED, 0, "Connected to the MQTT broker %s:%u%s as %s", b->cfg->host, b->cfg->port,
		     b->cfg->ca_file ? " over TLS" : "",
		     b->cfg->username    ? b->cfg->username
		     : b->cfg->cert_file ? "the client certificate's subject"
					 : "anonymous");
	set_status("Connected to the MQTT broker %s:%u", b->cfg->host, b->cfg->port);
	(void)broker_publish(b, b->will_topic, "online", true);
	if (b->on_connected)
		b->on_connected(b->userdata);
	io_update(b);
}

static void on_disconnect(struct mosquitto *mosq, void *userdata, int rc)
{
	struct broker *b = userdata;
	bool was_connected = b->connected;

	b->connected = false;
	io_drop(b); /* libmosquitto has closed the socket */
	if (b->freeing)
		return;
	if (!b->refused)
		note_failure(b, was_connected, rc);
	broker_schedule_reconnect(b);
}

static void on_mosq_message(struct mosquitto *mosq, void *userdata, const struct mosquitto_message *m)
{
	struct broker *b = userdata;

	if (b->on_message && !b->freeing)
		b->on_message(b->userdata, m->topic, m->payload, m->payloadlen > 0 ? (size_t)m->payloadlen : 0,
			      m->retain);
}

static void on_publish(struct mosquitto *mosq, void *userdata, int mid)
{
	struct broker *b = userdata;

	if (mid == b->offline_mid)
		b->offline_mid = 0;
}

/* libmosquitto's own messages: at debug level, and its errors kept to say why TLS failed. */
static void on_log(struct mosquitto *mosq, void *userdata, int level, const char *text)
{
	struct broker *b = userdata;

	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		(void)snprintf(b->lib_error, sizeof(b->lib_error), "%s", text);
	log_debug("libmosquitto: %s", text);
}

static int broker_setup(struct broker *b)
{
	int r = broker_client_new(&b->mosq, b->cfg, b->will_topic, b);

	if (r < 0)
		return r;
	mosquitto_connect_callback_set(b->mosq, on_connect);
	mosquitto_disconnect_callback_set(b->mosq, on_disconnect);
	mosquitto_message_callback_set(b->mosq, on_mosq_message);
	mosquitto_publish_callback_set(b->mosq, on_publish);
	mosquitto_log_callback_set(b->mosq, on_log);
	return 0;
}

int broker_new(struct broker **ret, sd_event *e, const struct mqtt_config *cfg, const char *will_topic,
	       broker_connected_fn on_connected, broker_message_fn on_message, void *userdata)
{
	struct broker *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	(void)mosquitto_lib_init();
	b->event = sd_event_ref(e);
	b->cfg = cfg;
	b->on_connected = on_connected;
	b->on_message = on_message;
	b->userdata = userdata;
	b->backoff_usec = BACKOFF_MIN_USEC;
	if (getrandom(&b->jitter_state, sizeof(b->jitter_state), GRND_NONBLOCK) != sizeof(b->jitter_state))
		b->jitter_state = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)b;
	b->jitter_state |= 1; /* xorshift never leaves 0 */
	b->will_topic = strdup(will_topic);
	r = b->will_topic ? broker_setup(b) : -ENOMEM;
	if (r < 0) {
		broker_free(b);
		return r;
	}
	set_status("Connecting to the MQTT broker %s:%u", cfg->host, cfg->port);
	attempt(b);
	*ret = b;
	return 0;
}

/* Runs the link by hand for at most FLUSH_TIMEOUT_MS, until done(b) or the socket is
 * gone: the loop has stopped, and the "offline" must reach the broker before we go. */
static void run_until(struct broker *b, bool (*done)(const struct broker *b))
{
	for (int waited = 0; waited < FLUSH_TIMEOUT_MS && !done(b); waited += 50) {
		struct pollfd p = { .fd = mosquitto_socket(b->mosq), .events = POLLIN };

		if (p.fd < 0)
			break;
		if (mosquitto_want_write(b->mosq))
			p.events |= POLLOUT;
		if (poll(&p, 1, 50) < 0)
			break;
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && mosquitto_loop_read(b->mosq, 1) != MOSQ_ERR_SUCCESS)
			break;
		if ((p.revents & POLLOUT) && mosquitto_loop_write(b->mosq, 1) != MOSQ_ERR_SUCCESS)
			break;
	}
}

static bool offline_acked(const struct broker *b)
{
	return b->offline_mid == 0;
}

static bool nothing_to_write(const struct broker *b)
{
	return !mosquitto_want_write(b->mosq);
}

/* The "offline" waits for its PUBACK before the DISCONNECT: closing a socket that
 * still holds unread messages sends a reset, and the broker would then drop our
 * DISCONNECT and publish the will as well. */
static void say_offline(struct broker *b)
{
	int rc = mosquitto_publish(b->mosq, &b->offline_mid, b->will_topic, (int)strlen("offline"), "offline", 1, true);

	if (rc != MOSQ_ERR_SUCCESS) {
		b->offline_mid = 0;
		return;
	}
	run_until(b, offline_acked);
	if (mosquitto_disconnect(b->mosq) == MOSQ_ERR_SUCCESS)
		run_until(b, nothing_to_write);
}

struct broker *broker_free(struct broker *b)
{
	if (!b)
		return NULL;
	b->freeing = true;
	if (b->mosq && b->connected)
		say_offline(b);
	io_drop(b);
	b->reconnect_timer = sd_event_source_disable_unref(b->reconnect_timer);
	if (b->mosq)
		mosquitto_destroy(b->mosq);
	(void)mosquitto_lib_cleanup();
	sd_event_unref(b->event);
	free(b->will_topic);
	free(b);
	return NULL;
}

int broker_publish(struct broker *b, const char *topic, const char *payload, bool retain)
{
	int rc;

	if (!b->connected)
		return -ENOTCONN;
	rc = mosquitto_publish(b->mosq, NULL, topic, (int)strlen(payload), payload, 1, retain);
	if (rc == MOSQ_ERR_NO_CONN)
		return -ENOTCONN;
	if (rc != MOSQ_ERR_SUCCESS) {
		log_error("Cannot publish on %s: %s", topic, mosquitto_strerror(rc));
		return -EINVAL;
	}
	io_update(b);
	return 0;
}

int broker_subscribe(struct broker *b, const char *pattern)
{
	int rc;

	if (!b->connected)
		return -ENOTCONN;
	rc = mosquitto_subscribe(b->mosq, NULL, pattern, 1);
	if (rc == MOSQ_ERR_NO_CONN)
		return -ENOTCONN;
	if (rc != MOSQ_ERR_SUCCESS) {
		log_error("Cannot subscribe to %s: %s", pattern, mosquitto_strerror(rc));
		return -EINVAL;
	}
	io_update(b);
	return 0;
}

bool broker_is_connected(const struct broker *b)
{
	return b && b->connected;
}
