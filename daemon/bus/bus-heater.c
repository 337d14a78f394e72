/* SPDX-License-Identifier: MIT */
/* org.massaged.Heater1: one object per pad under /org/massaged/Chair1/heater/ZONE. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "context.h"
#include "heater.h"
#include "log.h"
#include "macro.h"

#define HEATER_INTERFACE "org.massaged.Heater1"
/* Temperature, Power and AutotuneProgress change every tick: at most 2 Hz of wall time
 * on the bus (docs/dbus-api.md), the rest at once. */
#define PUBLISH_PERIOD_USEC (500 * USEC_PER_MSEC)

static bool strv_contains(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
			sd_bus_message *rep, void *userdata, sd_bus_error *error)
{
	struct heater *h = userdata;
	struct heater_view v;

	(void)bus, (void)path, (void)interface;
	heater_compute_view(h, &v);
	if (strcmp(property, "Zone") == 0)
		return sd_bus_message_append(rep, "s", zone_to_string(h->zone));
	if (strcmp(property, "Temperature") == 0)
		return sd_bus_message_append(rep, "d", v.temperature);
	if (strcmp(property, "Target") == 0)
		return sd_bus_message_append(rep, "d", v.target);
	if (strcmp(property, "Power") == 0)
		return sd_bus_message_append(rep, "d", v.power);
	if (strcmp(property, "State") == 0)
		return sd_bus_message_append(rep, "s", v.state);
	if (strcmp(property, "MaxTarget") == 0)
		return sd_bus_message_append(rep, "d", h->max_target_c);
	if (strcmp(property, "AutotuneProgress") == 0)
		return sd_bus_message_append(rep, "d", v.progress);
	if (strcmp(property, "Tuned") == 0)
		return sd_bus_message_append(rep, "b", (int)v.tuned);
	if (strcmp(property, "Lockout") == 0)
		return sd_bus_message_append(rep, "s", v.lockout);
	if (strcmp(property, "LockoutSince") == 0)
		return sd_bus_message_append(rep, "t", v.lockout_since_usec);
	if (strcmp(property, "AutotuneError") == 0)
		return sd_bus_message_append(rep, "s", v.autotune_error);
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "Unknown property %s", property);
}

static int method_set_target(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	double celsius;
	int r;

	r = sd_bus_message_read(m, "d", &celsius);
	if (r < 0)
		return r;
	r = heater_set_target(userdata, celsius, error);
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

static int method_autotune(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	int r = heater_start_autotune(userdata, error);

	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

/* Only root ends a lockout: massaged checks the caller itself, whatever the bus policy
 * lets through (the policy also denies it to group massage). */
static int method_reset_lockout(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	struct heater *h = userdata;
	uid_t euid;
	int r;

	r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds);
	if (r >= 0)
		r = sd_bus_creds_get_euid(creds, &euid);
	if (r < 0) {
		log_warning("ResetLockout of the %s pad refused: the caller's user is unknown: %s",
			    zone_to_string(h->zone), strerror(-r));
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "Only root may reset a lockout, and the caller's user is unknown.");
	}
	if (euid != 0) {
		log_notice("ResetLockout of the %s pad refused to uid %u: only root may reset a lockout",
			   zone_to_string(h->zone), (unsigned)euid);
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "Only root may reset a lockout (after the pad was serviced); you are uid %u.",
					 (unsigned)euid);
	}
	r = heater_lockout_reset(h, error);
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

#define PROP(name, sig) SD_BUS_PROPERTY(name, sig, property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

static const sd_bus_vtable heater_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("SetTarget", SD_BUS_ARGS("d", celsius), SD_BUS_NO_RESULT, method_set_target,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Autotune", NULL, NULL, method_autotune, SD_BUS_VTABLE_UNPRIVILEGED),
	/* unprivileged for sd-bus: method_reset_lockout() checks the caller's uid */
	SD_BUS_METHOD("ResetLockout", NULL, NULL, method_reset_lockout, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Zone", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	PROP("Temperature", "d"),
	PROP("Target", "d"),
	PROP("Power", "d"),
	PROP("State", "s"),
	SD_BUS_PROPERTY("MaxTarget", "d", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	PROP("AutotuneProgress", "d"),
	PROP("Tuned", "b"),
	PROP("Lockout", "s"),
	PROP("LockoutSince", "t"),
	PROP("AutotuneError", "s"),
	SD_BUS_VTABLE_END,
};

int bus_heaters_register(struct context *c)
{
	for (unsigned i = 0; i < c->n_heaters; i++) {
		struct heater *h = &c->heaters[i];
		int r = sd_bus_add_object_vtable(c->bus, NULL, h->path, HEATER_INTERFACE, heater_vtable, h);
		if (r < 0)
			return log_errno(r, "Failed to add the %s object %s", HEATER_INTERFACE, h->path);
	}
	return 0;
}

static void publish_one(struct heater *h, uint64_t wall_now, bool force)
{
	const char *changed[13];
	size_t n = 0;
	struct heater_view v, *old = &h->published;
	bool due = force || !h->published_valid || wall_now - h->published_wall_usec >= PUBLISH_PERIOD_USEC;

	heater_compute_view(h, &v);
	if (!h->published_valid || strcmp(v.state, old->state) != 0)
		changed[n++] = "State";
	if (!h->published_valid || v.target != old->target)
		changed[n++] = "Target";
	if (!h->published_valid || v.tuned != old->tuned)
		changed[n++] = "Tuned";
	if (!h->published_valid || strcmp(v.autotune_error, old->autotune_error) != 0)
		changed[n++] = "AutotuneError";
	if (!h->published_valid || v.max_target != old->max_target)
		changed[n++] = "MaxTarget"; /* a reload changed it */
	if (!h->published_valid || strcmp(v.lockout, old->lockout) != 0)
		changed[n++] = "Lockout";
	if (!h->published_valid || v.lockout_since_usec != old->lockout_since_usec)
		changed[n++] = "LockoutSince";
	/* the fast-changing ones at once when they fall to 0 (heat off), else paced */
	if (due || (v.power == 0.0 && old->power != 0.0)) {
		if (fabs(v.temperature - old->temperature) >= 0.1 - 1e-9)
			changed[n++] = "Temperature";
		if (fabs(v.power - old->power) >= 0.005 || (v.power == 0.0) != (old->power == 0.0))
			changed[n++] = "Power";
		if (fabs(v.progress - old->progress) >= 0.005 || (v.progress == 0.0) != (old->progress == 0.0))
			changed[n++] = "AutotuneProgress";
	}
	if (n == 0)
		return;
	changed[n] = NULL;
	/* keep the old values of properties not emitted, so a small drift adds up */
	if (!strv_contains(changed, "Temperature"))
		v.temperature = old->temperature;
	if (!strv_contains(changed, "Power"))
		v.power = old->power;
	if (!strv_contains(changed, "AutotuneProgress"))
		v.progress = old->progress;
	if (strv_contains(changed, "Temperature") || strv_contains(changed, "Power") ||
	    strv_contains(changed, "AutotuneProgress"))
		h->published_wall_usec = wall_now;
	*old = v;
	h->published_valid = true;
	(void)sd_bus_emit_properties_changed_strv(h->context->bus, h->path, HEATER_INTERFACE, (char **)changed);
}

void bus_heaters_publish(struct context *c, bool force)
{
	uint64_t wall_now = 0;

	if (!c->bus || !c->event)
		return;
	(void)sd_event_now(c->event, CLOCK_MONOTONIC, &wall_now);
	for (unsigned i = 0; i < c->n_heaters; i++)
		publish_one(&c->heaters[i], wall_now, force);
}
