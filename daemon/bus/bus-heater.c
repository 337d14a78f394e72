/* SPDX-License-Identifier: MIT */
/* org.massaged.Heater1: one object per pad under /org/massaged/Chair1/heater/ZONE. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "bus-heater.h"
#include "bus-names.h"
#include "bus-properties.h"
#include "bus-state.h"
#include "commands.h"
#include "heater.h"
#include "log.h"
#include "macro.h"

/* Temperature, Power and AutotuneProgress change every tick: at most 2 Hz of wall time
 * on the bus (docs/dbus-api.md), the rest at once. */
#define PUBLISH_PERIOD_USEC (500 * USEC_PER_MSEC)

#define PROP_EMITS SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define PROP_CONST SD_BUS_VTABLE_PROPERTY_CONST

/* Every org.massaged.Heater1 property, in the order of the introspection data:
 * X(name, kind, field of struct heater_view, vtable flag, paced step, paced zero)
 * (struct bus_property). */
#define HEATER1_PROPERTIES(X) \
	X("Zone", STRING, zone, PROP_CONST, 0.0, false) \
	X("Temperature", DOUBLE, temperature, PROP_EMITS, 0.1 - 1e-9, false) \
	X("Target", DOUBLE, target, PROP_EMITS, 0.0, false) \
	X("Power", DOUBLE, power, PROP_EMITS, 0.005, true) \
	X("State", STRING, state, PROP_EMITS, 0.0, false) \
	X("MaxTarget", DOUBLE, max_target, PROP_EMITS, 0.0, false) \
	X("AutotuneProgress", DOUBLE, progress, PROP_EMITS, 0.005, true) \
	X("Tuned", BOOL, tuned, PROP_EMITS, 0.0, false) \
	X("Lockout", STRING_BUF, lockout, PROP_EMITS, 0.0, false) \
	X("LockoutSince", U64, lockout_since_usec, PROP_EMITS, 0.0, false) \
	X("AutotuneError", STRING_BUF, autotune_error, PROP_EMITS, 0.0, false) \
	X("HeatingSeconds", U64, heating_seconds, PROP_EMITS, 0.0, false) \
	X("RelaySwitches", U64, relay_switches, PROP_EMITS, 0.0, false) \
	X("Dose", DOUBLE, dose, PROP_EMITS, 0.0, false) \
	X("DoseLimit", DOUBLE, dose_limit, PROP_EMITS, 0.0, false)

#define HEATER_PROPERTY_ROW(name_, kind_, field_, flag_, step_, zero_) \
	{ .name = name_, \
	  .kind = BUS_KIND_##kind_, \
	  .offset = offsetof(struct heater_view, field_), \
	  .constant = (flag_) == PROP_CONST, \
	  .paced_step = step_, \
	  .paced_zero = zero_ },

static const struct bus_property heater_properties[] = { HEATER1_PROPERTIES(HEATER_PROPERTY_ROW) };

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
			sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct bus_heater_object *o = userdata;
	struct heater_view v;

	(void)bus, (void)path, (void)interface;
	heater_compute_view(o->heater, &v);
	return bus_property_get(heater_properties, ELEMENTSOF(heater_properties), property, &v, reply, error);
}

static int method_set_target(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_heater_object *o = userdata;
	struct refusal why = {};
	double celsius;
	int r;

	r = sd_bus_message_read(m, "d", &celsius);
	if (r < 0)
		return r;
	r = heater_command_set_target(o->heater, celsius, &why);
	return bus_reply_command(m, r, &why, error);
}

static int method_autotune(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_heater_object *o = userdata;
	struct refusal why = {};
	int r = heater_command_autotune(o->heater, &why);

	return bus_reply_command(m, r, &why, error);
}

/* Only root ends a lockout: massaged checks the caller itself, whatever the bus policy
 * lets through (the policy also denies it to group massage). */
static int method_reset_lockout(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	struct bus_heater_object *o = userdata;
	struct refusal why = {};
	uid_t euid = (uid_t)-1;
	int r;

	r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds);
	if (r >= 0)
		r = sd_bus_creds_get_euid(creds, &euid);
	r = heater_command_reset_lockout(o->heater, MIN(r, 0), euid, &why);
	return bus_reply_command(m, r, &why, error);
}

#define HEATER_VTABLE_ROW(name_, kind_, field_, flag_, step_, zero_) \
	SD_BUS_PROPERTY(name_, BUS_SIG_##kind_, property_get, 0, flag_),

static const sd_bus_vtable heater_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("SetTarget", SD_BUS_ARGS("d", celsius), SD_BUS_NO_RESULT, method_set_target,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Autotune", NULL, NULL, method_autotune, SD_BUS_VTABLE_UNPRIVILEGED),
	/* unprivileged for sd-bus: heater_command_reset_lockout() checks the caller's uid */
	SD_BUS_METHOD("ResetLockout", NULL, NULL, method_reset_lockout, SD_BUS_VTABLE_UNPRIVILEGED),
	HEATER1_PROPERTIES(HEATER_VTABLE_ROW) SD_BUS_VTABLE_END,
};

int bus_heaters_register(struct context *c)
{
	struct bus_state *b = c->bus_state;
	int r;

	if (!b)
		return log_errno(-EINVAL, "Heater1 registered before Chair1");
	for (unsigned i = 0; i < c->heating.n_heaters; i++) {
		struct bus_heater_object *o = &b->heaters[i];

		o->heater = &c->heating.heaters[i];
		r = sd_bus_path_encode(HEATER_PATH_PREFIX, zone_to_string(o->heater->zone), &o->path);
		if (r < 0)
			return log_errno(r, "Out of memory");
		b->n_heaters = i + 1;
		r = sd_bus_add_object_vtable(c->bus, NULL, o->path, HEATER_INTERFACE, heater_vtable, o);
		if (r < 0)
			return log_errno(r, "Failed to add the %s object %s", HEATER_INTERFACE, o->path);
	}
	return 0;
}

static void publish_one(struct context *c, struct bus_heater_object *o, uint64_t wall_now)
{
	const char *changed[ELEMENTSOF(heater_properties) + 1];
	size_t n = 0;
	struct heater_view v, *old = &o->published;
	bool paced_sent = false, due;

	heater_compute_view(o->heater, &v);
	/* the paced ones at once when the pad's power falls to 0 (heat off) */
	due = !o->published_valid || wall_now - o->published_wall_usec >= PUBLISH_PERIOD_USEC ||
	      (v.power == 0.0 && old->power != 0.0);
	for (size_t i = 0; i < ELEMENTSOF(heater_properties); i++) {
		const struct bus_property *p = &heater_properties[i];
		bool paced = p->paced_step > 0.0;

		if (p->constant)
			continue;
		if (paced ? due && bus_property_changed(p, old, &v)
			  : !o->published_valid || bus_property_changed(p, old, &v)) {
			changed[n++] = p->name;
			paced_sent = paced_sent || paced;
		} else if (paced) /* keep the value last announced, so a small drift adds up */
			memcpy((char *)&v + p->offset, (const char *)old + p->offset, sizeof(double));
	}
	if (n == 0)
		return;
	changed[n] = NULL;
	if (paced_sent)
		o->published_wall_usec = wall_now;
	*old = v;
	o->published_valid = true;
	(void)sd_bus_emit_properties_changed_strv(c->bus, o->path, HEATER_INTERFACE, (char **)changed);
}

void bus_heaters_publish(struct context *c)
{
	struct bus_state *b = c->bus_state;
	uint64_t wall_now = 0;

	if (!c->bus || !c->event || !b)
		return;
	(void)sd_event_now(c->event, CLOCK_MONOTONIC, &wall_now);
	for (unsigned i = 0; i < b->n_heaters; i++)
		publish_one(c, &b->heaters[i], wall_now);
}
