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
#include "monitor.h"

#define TICK_USEC USEC_PER_SEC
#define TICK_ACCURACY_USEC (50 * USEC_PER_MSEC)

#define ANSI_HOME "\033[H"
#define ANSI_CLEAR_LINE "\033[K"
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
	free(m->last_frame);
}

void monitor_mark_dirty(struct monitor *m)
{
	(void)sd_event_source_set_enabled(m->redraw_source, SD_EVENT_ONESHOT);
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

	r = monitor_setup(&m);
	if (r == -ENOTTY)
		return EXIT_USAGE;
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
