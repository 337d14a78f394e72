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
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "massagectl.h"
#include "monitor.h"

#define TICK_USEC USEC_PER_SEC
#define TICK_ACCURACY_USEC (50 * USEC_PER_MSEC)

#define ANSI_HOME "\033[H"
#define ANSI_CLEAR_SCREEN "\033[2J"
#define ANSI_CLEAR_BELOW "\033[J"

static void monitor_done(struct monitor *m)
{
	monitor_keys_stop(m);
	monitor_forget_daemon(m);
	m->owner_call = sd_bus_slot_unref(m->owner_call);
	for (size_t i = 0; i < _MATCH_MAX; i++)
		m->matches[i] = sd_bus_slot_unref(m->matches[i]);
	(void)sd_bus_detach_event(m->ctl->bus);
	sd_event_source_unref(m->redraw_source);
	sd_event_source_unref(m->tick_source);
	sd_event_unref(m->event);
	event_history_done(&m->events);
	monitor_seen_done(&m->seen);
	free(m->last_frame);
}

void monitor_mark_dirty(struct monitor *m)
{
	(void)sd_event_source_set_enabled(m->redraw_source, SD_EVENT_ONESHOT);
}

/* "12:03:04 paused": a line as journalctl -f writes them, out at once. */
static void print_event_line(const char *text)
{
	char wall_time[sizeof("HH:MM:SS")];
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm) || strftime(wall_time, sizeof(wall_time), "%H:%M:%S", &tm) == 0)
		(void)strcpy(wall_time, "--:--:--");
	(void)printf("%s %s\n", wall_time, text);
	(void)fflush(stdout);
}

void monitor_add_event(struct monitor *m, const char *fmt, ...)
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
	if (!m->tty) {
		print_event_line(text);
		free(text);
		return;
	}
	event_history_add(&m->events, text, m->status.elapsed, in_session);
	monitor_mark_dirty(m);
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
		force_view_render(f, &m->status);
		heater_view_render(f, &m->heaters, m->ctl->colour);
		if (m->simulator.presence == SIMULATOR_PRESENT)
			simulator_view_render(f, &m->simulator);
	}
	event_history_render(f, &m->events, width);
	if (m->keys.enabled)
		monitor_keys_render(m, f);
}

/* In place on a terminal, fitted to its window. */
static void monitor_print_frame(struct monitor *m, const char *frame)
{
	(void)fputs(m->clear_screen ? ANSI_HOME ANSI_CLEAR_SCREEN : ANSI_HOME, stdout);
	m->clear_screen = false;
	monitor_write_fitted(stdout, frame, m->columns, m->rows);
	(void)fputs(ANSI_CLEAR_BELOW, stdout);
	(void)fflush(stdout);
}

static void read_terminal_size(struct monitor *m)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		ws = (struct winsize) {};
	m->columns = ws.ws_col;
	m->rows = ws.ws_row;
}

/* Not a terminal: no view, a line for each change and event. */
static void monitor_print_lines(struct monitor *m)
{
	if (m->owner_known && !m->daemon_present && !m->waiting_said) {
		monitor_add_event(m, "waiting for massaged (no " CHAIR_SERVICE " on the %s)", ctl_bus_name(m->ctl));
		m->waiting_said = true;
	}
	monitor_note_changes(m);
}

static int on_redraw(sd_event_source *s, void *userdata)
{
	struct monitor *m = userdata;
	_cleanup_free_ char *frame = NULL;
	size_t size = 0;
	FILE *f;

	if (!m->tty) {
		monitor_print_lines(m);
		return 0;
	}
	monitor_note_changes(m);
	f = open_memstream(&frame, &size);
	if (!f)
		return -ENOMEM;
	monitor_render(m, f, m->columns);
	if (fclose(f) != 0)
		return -ENOMEM;
	if (size == 0)
		return 0;

	if (!m->clear_screen && m->last_frame && strcmp(frame, m->last_frame) == 0)
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

static int on_window_change(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct monitor *m = userdata;

	read_terminal_size(m);
	m->clear_screen = true;
	monitor_mark_dirty(m);
	return 0;
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
	if (m->tty)
		(void)sigaddset(&mask, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(exit_signals); i++) {
		r = sd_event_add_signal(m->event, NULL, exit_signals[i], NULL, NULL);
		if (r < 0)
			return r;
	}
	if (m->tty)
		return sd_event_add_signal(m->event, NULL, SIGWINCH, on_window_change, m);
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
	if (r < 0)
		return r;
	if (m->keys.enabled) {
		r = monitor_keys_start(m);
		if (r < 0)
			return r;
	}
	return monitor_subscribe(m);
}

int verb_monitor(struct ctl *ctl, char **args)
{
	_cleanup_(monitor_done) struct monitor m = {
		.ctl = ctl,
		.tty = isatty(STDOUT_FILENO),
		.keys.enabled = args[0] != NULL, /* monitor_check_arguments() let only --keys by */
	};
	int r;

	if (m.tty)
		read_terminal_size(&m);
	r = monitor_setup(&m);
	if (r == -ENOTTY)
		return EXIT_USAGE;
	if (r < 0) {
		return ctl_error("Cannot set up the monitor: %s", strerror(-r));
	}
	r = sd_event_loop(m.event);
	if (r < 0) {
		return ctl_error("The monitor failed: %s", strerror(-r));
	}
	return r;
}
