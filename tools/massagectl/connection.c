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

/* How long a local bus gets to answer Hello. */
#define LOCAL_CONNECT_TIMEOUT_USEC (10ULL * 1000000ULL)

#define CHAIR_ERROR_PREFIX "org.massaged.Chair1.Error."

void ctl_done(struct ctl *ctl)
{
	free(ctl->bus_name);
	free(ctl->address);
	strv_free(ctl->properties);
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
	return ctl_error("The chair daemon is not running: nothing owns " CHAIR_SERVICE " on the %s",
			 ctl_bus_name(ctl));
}

/* Errors of the connection itself, after it was made: not of a call massaged answered. */
static bool errno_is_connection_lost(int r)
{
	switch (-r) {
	case ECONNREFUSED:
	case ECONNRESET:
	case ENOTCONN:
	case EPIPE:
		return true;
	default:
		return false;
	}
}

static int report_unreachable(const struct ctl *ctl, int r)
{
	if (ctl->host)
		return ctl_error("Cannot reach the system bus of %s through ssh and systemd-stdio-bridge: %s",
				 ctl->host, r == -ETIMEDOUT ? "no answer within 60 s" : strerror(-r));
	return ctl_error("Cannot reach the %s at %s: %s", ctl_bus_name(ctl), ctl->address ? ctl->address : "(unknown)",
			 r == -ETIMEDOUT ? "no answer within 10 s" : strerror(-r));
}

/* massagectl's own hint after the daemon's message, for the refusals a command fixes. */
static const char *error_hint(const sd_bus_error *error)
{
	static const struct {
		const char *name, *hint;
	} hints[] = {
		{ CHAIR_ERROR_PREFIX "Faulted", "Run 'massagectl faults' for what to do, then 'massagectl clear'." },
		{ CHAIR_ERROR_PREFIX "FaultActive", "Run 'massagectl faults' for what to do." },
		{ CHAIR_ERROR_PREFIX "NoSuchProgram", "Run 'massagectl list' for the programs." },
		{ CHAIR_ERROR_PREFIX "NotScanned", "Run 'massagectl scan'." },
		{ CHAIR_ERROR_PREFIX "LockedOut",
		  "After the repair root runs 'massagectl service reset ZONE' for the pad named above." },
		{ CHAIR_ERROR_PREFIX "NoSuchProfile", "Run 'massagectl profile list' for the profiles." },
	};

	for (size_t i = 0; i < ELEMENTSOF(hints); i++)
		if (sd_bus_error_has_name(error, hints[i].name))
			return hints[i].hint;
	return NULL;
}

int ctl_report_bus_error(const struct ctl *ctl, const sd_bus_error *error, int r)
{
	const char *hint;

	if (bus_error_is_not_running(error))
		return report_not_running(ctl);
	if (!sd_bus_error_is_set(error) && errno_is_connection_lost(r))
		return ctl_error("Lost the connection to the %s: %s", ctl_bus_name(ctl), strerror(-r));
	if (!sd_bus_error_is_set(error))
		return ctl_error("%s", strerror(r < 0 ? -r : r));
	ctl_error("%s", error->message && *error->message ? error->message : error->name);
	hint = error_hint(error);
	if (hint)
		ctl_error("%s", hint);
	return EXIT_FAILURE;
}

/* The address sd-bus connects to, as the person would set it. */
static char *bus_address(bool user_bus)
{
	const char *e = getenv(user_bus ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS");
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	char *address = NULL;

	if (e && *e)
		return strdup(e);
	if (!user_bus)
		return strdup("unix:path=/run/dbus/system_bus_socket");
	if (runtime && *runtime && asprintf(&address, "unix:path=%s/bus", runtime) >= 0)
		return address;
	return strdup("(none: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set)");
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
		return ctl_error("Out of memory");
	}

	if (!ctl->host) {
		ctl->address = bus_address(ctl->user_bus);
		r = ctl->user_bus ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
		if (r >= 0)
			r = wait_until_connected(bus, LOCAL_CONNECT_TIMEOUT_USEC);
	} else {
		r = sd_bus_open_system_remote(&bus, ctl->host);
		if (r >= 0)
			r = wait_until_connected(bus, REMOTE_CONNECT_TIMEOUT_USEC);
	}
	if (r < 0)
		return report_unreachable(ctl, r);
	*ret = bus;
	bus = NULL;
	return EXIT_SUCCESS;
}
