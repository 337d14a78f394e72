/* SPDX-License-Identifier: MIT */
/* massaged as the bridge sees it on D-Bus: whether it owns its name, Chair1's
 * properties, the pads (Heater1 objects under the ObjectManager) and the programs.
 * Every call is asynchronous: the bridge never waits for massaged. Everything is read
 * again whenever massaged (re)appears on the bus. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chair-side.h"
#include "log.h"
#include "macro.h"

#define DBUS_SERVICE "org.freedesktop.DBus"
#define DBUS_PATH "/org/freedesktop/DBus"

enum match_slot {
	MATCH_OWNER,
	MATCH_CHAIR,
	MATCH_HEATERS,
	MATCH_ADDED,
	MATCH_REMOVED,
	_MATCH_MAX,
};

struct chair_watch {
	struct chair_side *c;
	sd_bus_slot *matches[_MATCH_MAX];
	sd_bus_slot *owner_call, *chair_call, *pads_call, *programs_call;
};

static bool reply_failed(sd_bus_message *reply, const char *what)
{
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	if (!e)
		return false;
	/* gone between NameOwnerChanged and our call: its signal tells us */
	if (!sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
		log_warning("Reading %s from massaged failed: %s", what, e->message ? e->message : e->name);
	return true;
}

static int on_chair_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct chair_watch *w = userdata;
	struct chair_model *m = &w->c->model;

	w->chair_call = sd_bus_slot_unref(w->chair_call);
	if (reply_failed(reply, "the chair's properties"))
		return 0;
	if (chair_properties_read(reply, m) < 0) {
		log_warning("massaged's Chair1 properties could not be read");
		return 0;
	}
	m->chair_known = true;
	chair_side_changed(w->c, CHANGE_CHAIR);
	return 0;
}

static int fetch_chair(struct chair_watch *w)
{
	w->chair_call = sd_bus_slot_unref(w->chair_call);
	return sd_bus_call_method_async(w->c->bus, &w->chair_call, CHAIR_SERVICE, CHAIR_PATH, PROPERTIES_INTERFACE,
					"GetAll", on_chair_reply, w, "s", CHAIR_INTERFACE);
}

static int on_pads_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct chair_watch *w = userdata;
	struct chair_model *m = &w->c->model;
	struct pad *pads = NULL;
	size_t n = 0;
	unsigned changes = CHANGE_PAD;
	int r;

	w->pads_call = sd_bus_slot_unref(w->pads_call);
	if (reply_failed(reply, "the heating pads"))
		return 0;
	r = pads_read(reply, &pads, &n);
	if (r < 0) {
		pads_free(pads, n);
		log_warning("massaged's heating pads could not be read: %s", strerror(-r));
		return 0;
	}
	/* the climate's remembered target outlives a restart of massaged */
	for (size_t i = 0; i < n; i++) {
		struct pad *old = chair_model_find_pad(m, pads[i].zone);

		if (old)
			pads[i].remembered_target = old->remembered_target;
		if (!old || strcmp(old->path, pads[i].path) != 0)
			changes |= CHANGE_PADS;
	}
	if (n != m->n_pads || !m->pads_known)
		changes |= CHANGE_PADS;
	pads_free(m->pads, m->n_pads);
	m->pads = pads;
	m->n_pads = n;
	m->pads_known = true;
	chair_side_changed(w->c, changes);
	return 0;
}

static int fetch_pads(struct chair_watch *w)
{
	w->pads_call = sd_bus_slot_unref(w->pads_call);
	return sd_bus_call_method_async(w->c->bus, &w->pads_call, CHAIR_SERVICE, CHAIR_PATH, OBJECT_MANAGER_INTERFACE,
					"GetManagedObjects", on_pads_reply, w, NULL);
}

static int on_programs_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct chair_watch *w = userdata;
	struct chair_model *m = &w->c->model;
	struct program *programs;
	size_t n;
	int r;

	w->programs_call = sd_bus_slot_unref(w->programs_call);
	if (reply_failed(reply, "the programs"))
		return 0;
	r = programs_read(reply, &programs, &n);
	if (r < 0) {
		log_warning("massaged's program list could not be read: %s", strerror(-r));
		return 0;
	}
	programs_free(m->programs, m->n_programs);
	m->programs = programs;
	m->n_programs = n;
	chair_side_changed(w->c, CHANGE_PROGRAMS);
	return 0;
}

static int fetch_programs(struct chair_watch *w)
{
	w->programs_call = sd_bus_slot_unref(w->programs_call);
	return sd_bus_call_method_async(w->c->bus, &w->programs_call, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE,
					"ListPrograms", on_programs_reply, w, NULL);
}

static void forget_calls(struct chair_watch *w)
{
	w->chair_call = sd_bus_slot_unref(w->chair_call);
	w->pads_call = sd_bus_slot_unref(w->pads_call);
	w->programs_call = sd_bus_slot_unref(w->programs_call);
}

/* The model's values stay while massaged is away (its topics keep their retained
 * values; availability says they are stale) and are all read again when it is back. */
static void set_online(struct chair_watch *w, bool online)
{
	struct chair_model *m = &w->c->model;
	int r = 0;

	forget_calls(w);
	m->chair_known = false;
	if (online) {
		r = fetch_chair(w);
		if (r >= 0)
			r = fetch_pads(w);
		if (r >= 0)
			r = fetch_programs(w);
		if (r < 0)
			log_warning("Cannot ask massaged for its state: %s", strerror(-r));
	}
	if (m->daemon_online != (int)online) {
		m->daemon_online = online;
		log_info("massaged is %s the bus", online ? "on" : "off");
		chair_side_changed(w->c, CHANGE_DAEMON);
	}
}

static int on_owner_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct chair_watch *w = userdata;

	w->owner_call = sd_bus_slot_unref(w->owner_call);
	set_online(w, !sd_bus_message_is_method_error(reply, NULL));
	return 0;
}

static int on_owner_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct chair_watch *w = userdata;
	const char *name, *old_owner, *new_owner;

	if (sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner) < 0 || strcmp(name, CHAIR_SERVICE) != 0)
		return 0;
	/* the signal is newer than any GetNameOwner answer still on its way */
	w->owner_call = sd_bus_slot_unref(w->owner_call);
	if (*old_owner && *new_owner)
		set_online(w, false);
	set_online(w, *new_owner != '\0');
	return 0;
}

static int read_chair(sd_bus_message *m, void *model)
{
	return chair_properties_read(m, model);
}

static int read_pad(sd_bus_message *m, void *pad)
{
	return pad_properties_read(m, pad);
}

/* PropertiesChanged: interface, changed a{sv}, invalidated as. */
static int read_changed(sd_bus_message *message, const char *interface, int (*read)(sd_bus_message *m, void *base),
			void *base)
{
	char **invalidated = NULL;
	const char *iface;
	int r;

	r = sd_bus_message_read_basic(message, 's', &iface);
	if (r < 0 || strcmp(iface, interface) != 0)
		return r < 0 ? r : 0;
	r = read(message, base);
	if (r >= 0)
		r = sd_bus_message_read_strv(message, &invalidated);
	if (r >= 0 && invalidated && invalidated[0])
		r = -ESTALE;
	strv_free(invalidated);
	return r < 0 ? r : 1;
}

static int on_chair_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct chair_watch *w = userdata;
	struct chair_model *m = &w->c->model;
	int r;

	if (!m->chair_known)
		return 0; /* the GetAll on its way answers */
	r = read_changed(message, CHAIR_INTERFACE, read_chair, m);
	if (r < 0)
		(void)fetch_chair(w);
	else if (r > 0)
		chair_side_changed(w->c, CHANGE_CHAIR);
	return 0;
}

static int on_pad_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct chair_watch *w = userdata;
	struct pad *p = chair_model_find_pad_path(&w->c->model, sd_bus_message_get_path(message));
	int r;

	if (!w->c->model.pads_known || w->pads_call)
		return 0;
	r = p ? read_changed(message, HEATER_INTERFACE, read_pad, p) : -ENOENT;
	if (r < 0)
		(void)fetch_pads(w); /* a pad we do not know, or values not sent */
	else if (r > 0)
		chair_side_changed(w->c, CHANGE_PAD);
	return 0;
}

static int on_interfaces_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct chair_watch *w = userdata;

	if (w->c->model.daemon_online > 0)
		(void)fetch_pads(w);
	return 0;
}

int chair_watch_new(struct chair_watch **ret, struct chair_side *c)
{
	struct chair_watch *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->c = c;
	c->model.daemon_online = -1;
	c->model.roller_run_seconds = UINT64_MAX;
	/* asynchronous AddMatch; the bus answers them before the GetNameOwner sent after */
	r = sd_bus_add_match_async(c->bus, &w->matches[MATCH_OWNER],
				   "type='signal',sender='" DBUS_SERVICE "',path='" DBUS_PATH "',"
				   "interface='" DBUS_SERVICE "',member='NameOwnerChanged',"
				   "arg0='" CHAIR_SERVICE "'",
				   on_owner_changed, NULL, w);
	if (r >= 0)
		r = sd_bus_add_match_async(c->bus, &w->matches[MATCH_CHAIR],
					   "type='signal',sender='" CHAIR_SERVICE "',path='" CHAIR_PATH "',"
					   "interface='" PROPERTIES_INTERFACE "',member='PropertiesChanged',"
					   "arg0='" CHAIR_INTERFACE "'",
					   on_chair_changed, NULL, w);
	if (r >= 0)
		r = sd_bus_add_match_async(c->bus, &w->matches[MATCH_HEATERS],
					   "type='signal',sender='" CHAIR_SERVICE "',"
					   "path_namespace='" HEATER_PATH_PREFIX "',"
					   "interface='" PROPERTIES_INTERFACE "',member='PropertiesChanged',"
					   "arg0='" HEATER_INTERFACE "'",
					   on_pad_changed, NULL, w);
	if (r >= 0)
		r = sd_bus_match_signal_async(c->bus, &w->matches[MATCH_ADDED], CHAIR_SERVICE, CHAIR_PATH,
					      OBJECT_MANAGER_INTERFACE, "InterfacesAdded", on_interfaces_changed, NULL,
					      w);
	if (r >= 0)
		r = sd_bus_match_signal_async(c->bus, &w->matches[MATCH_REMOVED], CHAIR_SERVICE, CHAIR_PATH,
					      OBJECT_MANAGER_INTERFACE, "InterfacesRemoved", on_interfaces_changed,
					      NULL, w);
	if (r >= 0)
		r = sd_bus_call_method_async(c->bus, &w->owner_call, DBUS_SERVICE, DBUS_PATH, DBUS_SERVICE,
					     "GetNameOwner", on_owner_reply, w, "s", CHAIR_SERVICE);
	if (r < 0) {
		chair_watch_free(w);
		return log_errno(r, "Cannot watch massaged on D-Bus: %s", strerror(-r));
	}
	*ret = w;
	return 0;
}

struct chair_watch *chair_watch_free(struct chair_watch *w)
{
	if (!w)
		return NULL;
	forget_calls(w);
	w->owner_call = sd_bus_slot_unref(w->owner_call);
	for (size_t i = 0; i < _MATCH_MAX; i++)
		w->matches[i] = sd_bus_slot_unref(w->matches[i]);
	free(w);
	return NULL;
}
