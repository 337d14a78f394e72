/* SPDX-License-Identifier: MIT */
/* massagectl monitor: what the bus tells it. The answers to its queries and the
 * signals it subscribes to (owner, properties, program and fault signals) update the
 * monitor's state and mark the view for drawing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "monitor.h"

#define DBUS_SERVICE "org.freedesktop.DBus"
#define DBUS_PATH "/org/freedesktop/DBus"
#define LOCAL_SERVICE "org.freedesktop.DBus.Local"

void monitor_forget_daemon(struct monitor *m)
{
	m->status_call = sd_bus_slot_unref(m->status_call);
	m->programs_call = sd_bus_slot_unref(m->programs_call);
	m->simulator_call = sd_bus_slot_unref(m->simulator_call);
	m->heaters_call = sd_bus_slot_unref(m->heaters_call);
	m->status_known = false;
	m->heaters_known = false;
	free(m->status_error);
	m->status_error = NULL;
	chair_status_done(&m->status);
	program_list_done(&m->programs);
	simulator_view_done(&m->simulator);
	heater_list_done(&m->heaters);
}

static int on_simulator_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;

	m->simulator_call = sd_bus_slot_unref(m->simulator_call);
	/* Without --simulate there is no such object: stop asking until massaged restarts. */
	if (sd_bus_message_is_method_error(reply, NULL) || simulator_view_read(&m->simulator, reply) < 0)
		m->simulator.presence = SIMULATOR_ABSENT;
	else
		m->simulator.presence = SIMULATOR_PRESENT;
	monitor_mark_dirty(m);
	return 0;
}

int monitor_fetch_simulator(struct monitor *m)
{
	/* lines, not a view: the simulated roller is not an event */
	if (!m->tty)
		m->simulator.presence = SIMULATOR_ABSENT;
	if (m->simulator_call || m->simulator.presence == SIMULATOR_ABSENT)
		return 0;
	return sd_bus_call_method_async(m->ctl->bus, &m->simulator_call, CHAIR_SERVICE, SIMULATOR_PATH,
					PROPERTIES_INTERFACE, "GetAll", on_simulator_reply, m, "s",
					SIMULATOR_INTERFACE);
}

static int on_status_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;
	const sd_bus_error *error = sd_bus_message_get_error(reply);
	int r;

	m->status_call = sd_bus_slot_unref(m->status_call);
	free(m->status_error);
	m->status_error = NULL;
	if (error) {
		/* Gone between NameOwnerChanged and our call: its signal will tell us. */
		if (!bus_error_is_not_running(error))
			m->status_error = strdup(error->message ? error->message : error->name);
	} else {
		chair_status_done(&m->status);
		r = chair_status_update(&m->status, reply);
		if (r < 0)
			m->status_error = strdup("cannot read the chair's properties");
		else
			m->status_known = true;
	}
	monitor_mark_dirty(m);
	return 0;
}

static int monitor_fetch_status(struct monitor *m)
{
	m->status_call = sd_bus_slot_unref(m->status_call);
	return sd_bus_call_method_async(m->ctl->bus, &m->status_call, CHAIR_SERVICE, CHAIR_PATH, PROPERTIES_INTERFACE,
					"GetAll", on_status_reply, m, "s", CHAIR_INTERFACE);
}

static int on_programs_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;

	m->programs_call = sd_bus_slot_unref(m->programs_call);
	/* Titles are a nicety: without them the view shows program ids. */
	if (!sd_bus_message_is_method_error(reply, NULL))
		(void)program_list_read(reply, &m->programs);
	monitor_mark_dirty(m);
	return 0;
}

static int monitor_fetch_programs(struct monitor *m)
{
	m->programs_call = sd_bus_slot_unref(m->programs_call);
	return sd_bus_call_method_async(m->ctl->bus, &m->programs_call, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE,
					"ListPrograms", on_programs_reply, m, NULL);
}

static int on_heaters_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;

	m->heaters_call = sd_bus_slot_unref(m->heaters_call);
	/* A chair without pads (or that will not say) is shown without them. */
	if (sd_bus_message_is_method_error(reply, NULL) || heater_list_read(reply, &m->heaters) < 0)
		heater_list_done(&m->heaters);
	m->heaters_known = true;
	monitor_mark_dirty(m);
	return 0;
}

static int monitor_fetch_heaters(struct monitor *m)
{
	m->heaters_call = sd_bus_slot_unref(m->heaters_call);
	return sd_bus_call_method_async(m->ctl->bus, &m->heaters_call, CHAIR_SERVICE, CHAIR_PATH,
					OBJECT_MANAGER_INTERFACE, "GetManagedObjects", on_heaters_reply, m, NULL);
}

static int monitor_set_daemon_present(struct monitor *m, bool present, bool announce)
{
	int r;

	if (announce && present != m->daemon_present)
		monitor_add_event(m, present ? "massaged appeared on the bus" : "massaged left the bus");
	m->owner_known = true;
	m->daemon_present = present;
	monitor_forget_daemon(m);
	monitor_mark_dirty(m);
	if (!present)
		return 0;

	r = monitor_fetch_status(m);
	if (r >= 0)
		r = monitor_fetch_programs(m);
	if (r >= 0)
		r = monitor_fetch_heaters(m);
	if (r >= 0 && monitor_fetch_simulator(m) < 0)
		m->simulator.presence = SIMULATOR_ABSENT;
	return r;
}

static int on_name_owner_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;

	m->owner_call = sd_bus_slot_unref(m->owner_call);
	return monitor_set_daemon_present(m, !sd_bus_message_is_method_error(reply, NULL), false);
}

static int on_name_owner_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;
	const char *name, *old_owner, *new_owner;
	int r;

	r = sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner);
	if (r < 0 || strcmp(name, CHAIR_SERVICE) != 0)
		return 0;
	/* The signal is newer than any GetNameOwner answer still on its way. */
	m->owner_call = sd_bus_slot_unref(m->owner_call);
	if (*old_owner && *new_owner)
		(void)monitor_set_daemon_present(m, false, true);
	return monitor_set_daemon_present(m, *new_owner != '\0', true);
}

static int on_properties_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;
	_cleanup_strv_free_ char **invalidated = NULL;
	const char *interface;
	int r;

	r = sd_bus_message_read_basic(message, 's', &interface);
	if (r < 0 || strcmp(interface, CHAIR_INTERFACE) != 0)
		return 0;
	r = chair_status_update(&m->status, message);
	if (r >= 0)
		r = sd_bus_message_read_strv(message, &invalidated);
	/* Values we were not sent (or could not read) come with a fresh GetAll. */
	if (r < 0 || (invalidated && invalidated[0]))
		(void)monitor_fetch_status(m);
	else
		monitor_note_changes(m); /* each change on its own: a pause and a resume in one burst are two */
	/* The roller moves with the session: a faster chair clock, a livelier track. */
	if (m->simulator.presence == SIMULATOR_PRESENT)
		(void)monitor_fetch_simulator(m);
	monitor_mark_dirty(m);
	return 0;
}

static int on_heater_properties_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;
	_cleanup_strv_free_ char **invalidated = NULL;
	struct heater *h = heater_list_find_path(&m->heaters, sd_bus_message_get_path(message));
	const char *interface;
	int r;

	r = sd_bus_message_read_basic(message, 's', &interface);
	if (r < 0 || strcmp(interface, HEATER_INTERFACE) != 0 || !m->heaters_known)
		return 0;
	r = h ? heater_update(h, message) : -ENOENT;
	if (r >= 0)
		r = sd_bus_message_read_strv(message, &invalidated);
	/* A pad we do not know yet, or values we were not sent: read them all again. */
	if (r < 0 || (invalidated && invalidated[0]))
		(void)monitor_fetch_heaters(m);
	monitor_mark_dirty(m);
	return 0;
}

/* Pads come and go with massaged's configuration; read them all again. */
static int on_interfaces_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;

	if (m->heaters_known)
		(void)monitor_fetch_heaters(m);
	return 0;
}

static int on_program_finished(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	const char *program, *reason;

	/* what the properties said before it comes first */
	monitor_note_changes(userdata);
	if (sd_bus_message_read(message, "ss", &program, &reason) >= 0)
		monitor_add_event(userdata, "program %s finished: %s", *program ? program : "(none)", reason);
	return 0;
}

static int on_fault_raised(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	const char *code, *text;

	monitor_note_changes(userdata);
	if (sd_bus_message_read(message, "ss", &code, &text) >= 0)
		monitor_add_event(userdata, "fault %s: %s", code, text);
	return 0;
}

static int on_fault_cleared(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	const char *code;

	monitor_note_changes(userdata);
	if (sd_bus_message_read(message, "s", &code) >= 0)
		monitor_add_event(userdata, "fault %s cleared", code);
	return 0;
}

static int on_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;

	ctl_error("Lost the connection to the %s", ctl_bus_name(m->ctl));
	return sd_event_exit(m->event, EXIT_FAILURE);
}

static int monitor_add_signal_matches(struct monitor *m)
{
	static const struct {
		enum monitor_match slot;
		const char *member;
		sd_bus_message_handler_t handler;
	} signals[] = {
		{ MATCH_PROGRAM_FINISHED, "ProgramFinished", on_program_finished },
		{ MATCH_FAULT_RAISED, "FaultRaised", on_fault_raised },
		{ MATCH_FAULT_CLEARED, "FaultCleared", on_fault_cleared },
	};
	sd_bus *bus = m->ctl->bus;
	int r;

	r = sd_bus_add_match(bus, &m->matches[MATCH_NAME_OWNER],
			     "type='signal',sender='" DBUS_SERVICE "',path='" DBUS_PATH "',"
			     "interface='" DBUS_SERVICE "',member='NameOwnerChanged',"
			     "arg0='" CHAIR_SERVICE "'",
			     on_name_owner_changed, m);
	if (r >= 0)
		r = sd_bus_add_match(bus, &m->matches[MATCH_PROPERTIES],
				     "type='signal',sender='" CHAIR_SERVICE "',path='" CHAIR_PATH "',"
				     "interface='" PROPERTIES_INTERFACE "',member='PropertiesChanged',"
				     "arg0='" CHAIR_INTERFACE "'",
				     on_properties_changed, m);
	if (r >= 0)
		r = sd_bus_add_match(bus, &m->matches[MATCH_HEATER_PROPERTIES],
				     "type='signal',sender='" CHAIR_SERVICE "',"
				     "path_namespace='" HEATER_PATH_PREFIX "',"
				     "interface='" PROPERTIES_INTERFACE "',member='PropertiesChanged',"
				     "arg0='" HEATER_INTERFACE "'",
				     on_heater_properties_changed, m);
	if (r >= 0)
		r = sd_bus_match_signal(bus, &m->matches[MATCH_INTERFACES_ADDED], CHAIR_SERVICE, CHAIR_PATH,
					OBJECT_MANAGER_INTERFACE, "InterfacesAdded", on_interfaces_changed, m);
	if (r >= 0)
		r = sd_bus_match_signal(bus, &m->matches[MATCH_INTERFACES_REMOVED], CHAIR_SERVICE, CHAIR_PATH,
					OBJECT_MANAGER_INTERFACE, "InterfacesRemoved", on_interfaces_changed, m);
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(signals); i++)
		r = sd_bus_match_signal(bus, &m->matches[signals[i].slot], CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE,
					signals[i].member, signals[i].handler, m);
	if (r >= 0)
		r = sd_bus_match_signal(bus, &m->matches[MATCH_DISCONNECTED], LOCAL_SERVICE, NULL, LOCAL_SERVICE,
					"Disconnected", on_disconnected, m);
	return r;
}

int monitor_subscribe(struct monitor *m)
{
	int r = monitor_add_signal_matches(m);

	if (r < 0)
		return r;
	/* Ask after subscribing, so no change of owner falls between the two. */
	return sd_bus_call_method_async(m->ctl->bus, &m->owner_call, DBUS_SERVICE, DBUS_PATH, DBUS_SERVICE,
					"GetNameOwner", on_name_owner_reply, m, "s", CHAIR_SERVICE);
}
