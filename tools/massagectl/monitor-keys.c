/* SPDX-License-Identifier: MIT */
/* massagectl monitor --keys: each key is one Chair1 call, sent without waiting so the
 * view keeps drawing; a refusal shows as an event under the view. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor-keys.h"
#include "monitor.h"

#define INTENSITY_MIN 1
#define INTENSITY_MAX 5

int monitor_check_arguments(char **args)
{
	if (args[0] && strcmp(args[0], "--keys") != 0)
		return ctl_usage_error("monitor", "unknown argument '%s'", args[0]);
	return 0;
}

static int on_call_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	const sd_bus_error *error = sd_bus_message_get_error(reply);

	if (error)
		monitor_add_event(userdata, "%s", error->message ? error->message : error->name);
	return 0;
}

static void call_chair(struct monitor *m, const char *method, const char *signature, ...)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(m->ctl->bus, &call, CHAIR_SERVICE, CHAIR_PATH, CHAIR_INTERFACE, method);
	if (r >= 0 && signature) {
		va_start(ap, signature);
		r = sd_bus_message_appendv(call, signature, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_call_async(m->ctl->bus, NULL, call, on_call_reply, m, 0);
	if (r < 0)
		monitor_add_event(m, "cannot call %s: %s", method, strerror(-r));
}

static void on_key(struct monitor *m, char key)
{
	const struct chair_status *s = &m->status;

	switch (key) {
	case 'p':
		call_chair(m, s->state && strcmp(s->state, "paused") == 0 ? "Resume" : "Pause", NULL);
		break;
	case 's':
		call_chair(m, "Stop", NULL);
		break;
	case '+':
	case '=': /* + without shift */
	case '-':
		if (!m->status_known)
			break;
		if ((key == '-' && s->intensity <= INTENSITY_MIN) || (key != '-' && s->intensity >= INTENSITY_MAX))
			monitor_add_event(m, "intensity is %u, from %d to %d", s->intensity, INTENSITY_MIN,
					  INTENSITY_MAX);
		else
			call_chair(m, "SetIntensity", "u", key == '-' ? s->intensity - 1 : s->intensity + 1);
		break;
	case 'h':
		if (m->status_known)
			call_chair(m, "SetHeat", "b", !s->heat);
		break;
	case 'q':
		(void)sd_event_exit(m->event, 0);
		break;
	default:
		break;
	}
}

static int on_input(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct monitor *m = userdata;
	char keys[32];
	ssize_t n;

	n = read(fd, keys, sizeof(keys));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) /* the terminal is gone */
		return sd_event_exit(m->event, 0);
	for (ssize_t i = 0; i < n; i++)
		on_key(m, keys[i]);
	return 0;
}

static int keys_mode_set(struct monitor_keys *k)
{
	struct termios t = k->saved;

	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0 ? -errno : 0;
}

static void keys_mode_restore(struct monitor_keys *k)
{
	if (k->terminal_changed)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &k->saved);
}

/* Ctrl-Z: the shell gets its terminal back as it was, and our mode on `fg`. */
static int on_suspend(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct monitor *m = userdata;

	keys_mode_restore(&m->keys);
	(void)kill(getpid(), SIGSTOP);
	if (m->keys.terminal_changed)
		(void)keys_mode_set(&m->keys);
	monitor_mark_dirty(m);
	return 0;
}

/* A closed terminal (SIGHUP) or Ctrl-\ ends the monitor too, the terminal restored. */
static int add_signals(struct monitor *m)
{
	static const int exit_signals[] = { SIGHUP, SIGQUIT };
	sigset_t mask;
	int r;

	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGTSTP);
	for (size_t i = 0; i < ELEMENTSOF(exit_signals); i++)
		(void)sigaddset(&mask, exit_signals[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(exit_signals); i++) {
		r = sd_event_add_signal(m->event, NULL, exit_signals[i], NULL, NULL);
		if (r < 0)
			return r;
	}
	return sd_event_add_signal(m->event, NULL, SIGTSTP, on_suspend, m);
}

int monitor_keys_start(struct monitor *m)
{
	struct monitor_keys *k = &m->keys;
	int r;

	if (!isatty(STDIN_FILENO)) {
		(void)fprintf(stderr, "massagectl monitor: --keys reads the keys from a terminal, and standard input "
				      "is none.\n");
		return -ENOTTY;
	}
	if (tcgetattr(STDIN_FILENO, &k->saved) < 0)
		return -errno;
	r = add_signals(m);
	if (r < 0)
		return r;
	r = sd_event_add_io(m->event, &k->input, STDIN_FILENO, EPOLLIN, on_input, m);
	if (r < 0)
		return r;
	r = keys_mode_set(k);
	if (r < 0)
		return r;
	k->terminal_changed = true;
	return 0;
}

void monitor_keys_stop(struct monitor *m)
{
	struct monitor_keys *k = &m->keys;

	keys_mode_restore(k);
	k->terminal_changed = false;
	k->input = sd_event_source_disable_unref(k->input);
}

/* Quoted for a shell when it holds anything but the usual address characters. */
static void print_shell_word(FILE *f, const char *s)
{
	if (s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-/.:=,+%")] == '\0') {
		(void)fputs(s, f);
		return;
	}
	(void)fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			(void)fputs("'\\''", f);
		else
			(void)fputc(*s, f);
	(void)fputc('\'', f);
}

/* This massagectl as a second terminal can run it: its full path when it was started
 * by one (from a build folder), else its name for the PATH. */
static void print_self(FILE *f)
{
	_cleanup_free_ char *self = NULL;

	if (strchr(program_invocation_name, '/'))
		self = realpath("/proc/self/exe", NULL);
	print_shell_word(f, self ? self : "massagectl");
}

void monitor_keys_render(const struct monitor *m, FILE *f)
{
	const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");

	(void)fputs("\nKeys: p pause/resume · s stop · +/- intensity · h heat · q quit\n", f);
	if (m->status_known && m->status.state && strcmp(m->status.state, "idle") == 0)
		(void)fputs("No program is running: start one with `massagectl start PROGRAM` (`massagectl list` has "
			    "them), or press q to quit.\n",
			    f);
	if (!m->ctl->user_bus && !m->ctl->host && address && address[0]) {
		(void)fputs("Another terminal: DBUS_SYSTEM_BUS_ADDRESS=", f);
		print_shell_word(f, address);
		(void)fputc(' ', f);
		print_self(f);
		(void)fputs(" status\n", f);
	}
}
