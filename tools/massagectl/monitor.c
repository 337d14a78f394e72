/* SPDX-License-Identifier: MIT */
/* massagectl monitor: the status view, kept current from PropertiesChanged, with
 * the chair's recent signals beneath it, until SIGINT or SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "macro.h"
#include "massagectl.h"

#define TICK_USEC USEC_PER_SEC
#define TICK_ACCURACY_USEC (50 * USEC_PER_MSEC)

#define ANSI_HOME "\033[H"
#define ANSI_CLEAR_LINE "\033[K"
#define ANSI_CLEAR_BELOW "\033[J"

#define DBUS_SERVICE "org.freedesktop.DBus"
#define DBUS_PATH "/org/freedesktop/DBus"
#define LOCAL_SERVICE "org.freedesktop.DBus.Local"

enum monitor_match {
	MATCH_NAME_OWNER,
	MATCH_PROPERTIES,
	MATCH_HEATER_PROPERTIES,
	MATCH_INTERFACES_ADDED,
	MATCH_INTERFACES_REMOVED,
	MATCH_PROGRAM_FINISHED,
	MATCH_FAULT_RAISED,
	MATCH_FAULT_CLEARED,
	MATCH_DISCONNECTED,
	_MATCH_MAX,
};

struct monitor {
	const struct ctl *ctl;
	sd_event *event;
	sd_event_source *redraw_source; /* deferred, so a burst of changes draws once */
	sd_event_source *tick_source;
	sd_bus_slot *matches[_MATCH_MAX];
	sd_bus_slot *owner_call, *status_call, *programs_call, *simulator_call, *heaters_call;
	bool tty;

	bool owner_known;    /* GetNameOwner or NameOwnerChanged has told us */
	bool daemon_present; /* org.massaged.Chair1 has an owner */
	bool status_known;   /* GetAll has answered since it appeared */
	bool heaters_known;  /* so has GetManagedObjects */
	char *status_error;
	struct chair_status status;
	struct heater_list heaters;
	struct program_list programs;
	struct simulator_view simulator;

	struct event_history events;
	char *last_frame;
};

static void monitor_forget_daemon(struct monitor *m)
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

static void monitor_done(struct monitor *m)
{
	monitor_forget_daemon(m);
	m->owner_call = sd_bus_slot_unref(m->owner_call);
	for (size_t i = 0; i < _MATCH_MAX; i++)
		m->matches[i] = sd_bus_slot_unref(m->matches[i]);
	(void)sd_bus_detach_event(m->ctl->bus);
	sd_event_source_unref(m->redraw_source);
	sd_event_source_unref(m->tick_source);
	sd_event_unref(m->event);
	event_history_done(&m->events);
	free(m->last_frame);
}

static void monitor_mark_dirty(struct monitor *m)
{
	(void)sd_event_source_set_enabled(m->redraw_source, SD_EVENT_ONESHOT);
}

static void monitor_add_event(struct monitor *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void monitor_add_event(struct monitor *m, const char *fmt, ...)
{
	bool in_session = m->status_known && m->status.elapsed + m->status.remaining > 0;
	char *text;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	event_history_add(&m->events, text, m->status.elapsed, in_session);
	monitor_mark_dirty(m);
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

static int monitor_fetch_simulator(struct monitor *m)
{
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

	if (sd_bus_message_read(message, "ss", &program, &reason) >= 0)
		monitor_add_event(userdata, "program %s finished: %s", *program ? program : "(none)", reason);
	return 0;
}

static int on_fault_raised(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	const char *code, *text;

	if (sd_bus_message_read(message, "ss", &code, &text) >= 0)
		monitor_add_event(userdata, "fault %s: %s", code, text);
	return 0;
}

static int on_fault_cleared(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	const char *code;

	if (sd_bus_message_read(message, "s", &code) >= 0)
		monitor_add_event(userdata, "fault %s cleared", code);
	return 0;
}

static int on_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *ret_error)
{
	struct monitor *m = userdata;

	(void)fprintf(stderr, "massagectl: lost the connection to the %s\n", ctl_bus_name(m->ctl));
	return sd_event_exit(m->event, EXIT_FAILURE);
}

/* The whole view; nothing while we do not yet know what to show. */
static void monitor_render(const struct monitor *m, FILE *f, size_t width)
{
	const struct program *p;

	if (!m->owner_known)
		return;
	if (!m->daemon_present)
		(void)fprintf(f, "waiting for massaged… (no " CHAIR_SERVICE " on the %s)\n", ctl_bus_name(m->ctl));
	else if (m->status_error)
		(void)fprintf(f, "massagectl: %s\n", m->status_error);
	else if (!m->status_known || !m->heaters_known || m->simulator.presence == SIMULATOR_UNKNOWN)
		return; /* the first view waits for every answer, so it is whole */
	else {
		p = program_list_find(&m->programs, m->status.program);
		status_render(f, &m->status, p ? p->title : NULL, NULL, m->ctl->colour);
		heater_view_render(f, &m->heaters, m->ctl->colour);
		if (m->simulator.presence == SIMULATOR_PRESENT)
			simulator_view_render(f, &m->simulator);
	}
	event_history_render(f, &m->events, width);
}

/* In place on a terminal; otherwise one block per change, for pipes and tests. */
static void monitor_print_frame(struct monitor *m, const char *frame)
{
	if (m->tty) {
		(void)fputs(ANSI_HOME, stdout);
		for (const char *line = frame; *line;) {
			size_t len = strcspn(line, "\n");

			(void)fwrite(line, 1, len, stdout);
			(void)fputs(ANSI_CLEAR_LINE "\n", stdout);
			line += len + (line[len] == '\n');
		}
		(void)fputs(ANSI_CLEAR_BELOW, stdout);
	} else {
		if (m->last_frame && strcmp(frame, m->last_frame) == 0)
			return;
		if (m->last_frame)
			(void)fputc('\n', stdout);
		(void)fputs(frame, stdout);
	}
	(void)fflush(stdout);
}

/* Long lines would wrap and push the view down the screen on every redraw. */
static size_t terminal_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return 0;
	return ws.ws_col;
}

static int on_redraw(sd_event_source *s, void *userdata)
{
	struct monitor *m = userdata;
	_cleanup_free_ char *frame = NULL;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&frame, &size);
	if (!f)
		return -ENOMEM;
	monitor_render(m, f, m->tty ? terminal_width() : 0);
	if (fclose(f) != 0)
		return -ENOMEM;
	if (size == 0)
		return 0;

	monitor_print_frame(m, frame);
	free(m->last_frame);
	m->last_frame = frame;
	frame = NULL;
	return 0;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct monitor *m = userdata;
	int r;

	r = sd_event_source_set_time_relative(s, TICK_USEC);
	if (r >= 0)
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (r < 0)
		return r;
	if (m->daemon_present && m->simulator.presence == SIMULATOR_PRESENT)
		(void)monitor_fetch_simulator(m);
	monitor_mark_dirty(m);
	return 0;
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

/* SIGINT and SIGTERM end the loop with exit status 0; sd-event wants them blocked. */
static int monitor_add_exit_signals(struct monitor *m)
{
	static const int exit_signals[] = { SIGINT, SIGTERM };
	sigset_t mask;
	int r;

	(void)sigemptyset(&mask);
	for (size_t i = 0; i < ELEMENTSOF(exit_signals); i++)
		(void)sigaddset(&mask, exit_signals[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(exit_signals); i++) {
		r = sd_event_add_signal(m->event, NULL, exit_signals[i], NULL, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

static int monitor_setup(struct monitor *m)
{
	int r;

	r = sd_event_new(&m->event);
	if (r < 0)
		return r;
	r = monitor_add_exit_signals(m);
	if (r < 0)
		return r;
	r = sd_event_add_defer(m->event, &m->redraw_source, on_redraw, m);
	if (r >= 0)
		r = sd_event_source_set_priority(m->redraw_source, SD_EVENT_PRIORITY_IDLE);
	if (r >= 0)
		r = sd_event_add_time_relative(m->event, &m->tick_source, CLOCK_MONOTONIC, TICK_USEC,
					       TICK_ACCURACY_USEC, on_tick, m);
	if (r >= 0)
		r = sd_bus_attach_event(m->ctl->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
	if (r >= 0)
		r = monitor_add_signal_matches(m);
	if (r < 0)
		return r;
	/* Ask after subscribing, so no change of owner falls between the two. */
	return sd_bus_call_method_async(m->ctl->bus, &m->owner_call, DBUS_SERVICE, DBUS_PATH, DBUS_SERVICE,
					"GetNameOwner", on_name_owner_reply, m, "s", CHAIR_SERVICE);
}

int verb_monitor(struct ctl *ctl, char **args)
{
	_cleanup_(monitor_done) struct monitor m = {
		.ctl = ctl,
		.tty = isatty(STDOUT_FILENO),
	};
	int r;

	r = monitor_setup(&m);
	if (r < 0) {
		(void)fprintf(stderr, "massagectl: cannot set up the monitor: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	r = sd_event_loop(m.event);
	if (r < 0) {
		(void)fprintf(stderr, "massagectl: monitor failed: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	return r;
}
