/* SPDX-License-Identifier: MIT */
/* massagectl's connection: the bus the options name (system, session, or a remote
 * system bus through ssh), and how its errors are told to the person. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "macro.h"
#include "massagectl.h"

/* How long ssh and the remote systemd-stdio-bridge get to connect us (a password
 * typed at ssh's prompt included). */
#define REMOTE_CONNECT_TIMEOUT_USEC (60ULL * 1000000ULL)

void ctl_done(struct ctl *ctl)
{
	free(ctl->bus_name);
}

const char *ctl_bus_name(const struct ctl *ctl)
{
	return ctl->bus_name;
}

bool bus_error_is_not_running(const sd_bus_error *error)
{
	return sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER);
}

static int report_not_running(const struct ctl *ctl)
{
	(void)fprintf(stderr, "massagectl: massaged is not running (no " CHAIR_SERVICE " on the %s)\n",
		      ctl_bus_name(ctl));
	return EXIT_FAILURE;
}

int ctl_report_bus_error(const struct ctl *ctl, const sd_bus_error *error, int r)
{
	if (bus_error_is_not_running(error))
		return report_not_running(ctl);
	if (sd_bus_error_is_set(error))
		(void)fprintf(stderr, "massagectl: %s\n",
			      error->message && *error->message ? error->message : error->name);
	else
		(void)fprintf(stderr, "massagectl: %s\n", strerror(r < 0 ? -r : r));
	return EXIT_FAILURE;
}

/* A remote bus starts with ssh: wait until it has said Hello, so that a host that
 * cannot be reached is reported as such and not as the first call's failure. */
static int wait_until_connected(sd_bus *bus, uint64_t timeout_usec)
{
	uint64_t deadline = monotonic_usec() + timeout_usec;
	int r;

	for (;;) {
		uint64_t now;

		r = sd_bus_is_ready(bus);
		if (r != 0)
			return r < 0 ? r : 0;
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		now = monotonic_usec();
		if (now >= deadline)
			return -ETIMEDOUT;
		r = sd_bus_wait(bus, deadline - now);
		if (r < 0 && r != -EINTR)
			return r;
	}
}

int ctl_open_bus(struct ctl *ctl, sd_bus **ret)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	int r;

	if (ctl->host)
		r = asprintf(&ctl->bus_name, "system bus of %s", ctl->host);
	else
		r = asprintf(&ctl->bus_name, "%s bus", ctl->user_bus ? "session" : "system");
	if (r < 0) {
		ctl->bus_name = NULL;
		(void)fputs("massagectl: out of memory\n", stderr);
		return EXIT_FAILURE;
	}

	if (!ctl->host) {
		r = ctl->user_bus ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
		if (r < 0)
			return report_not_running(ctl);
		*ret = bus;
		bus = NULL;
		return EXIT_SUCCESS;
	}

	r = sd_bus_open_system_remote(&bus, ctl->host);
	if (r >= 0)
		r = wait_until_connected(bus, REMOTE_CONNECT_TIMEOUT_USEC);
	if (r < 0) {
		(void)fprintf(stderr,
			      "massagectl: cannot reach the system bus of %s through ssh "
			      "and systemd-stdio-bridge: %s\n",
			      ctl->host, r == -ETIMEDOUT ? "no answer within 60 s" : strerror(-r));
		return EXIT_FAILURE;
	}
	*ret = bus;
	bus = NULL;
	return EXIT_SUCCESS;
}
