/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include "log.h"
#include "macro.h"

/* The only state outside the daemon's context: process-wide logging settings,
 * like syslog's own. */
static int max_level = LOG_INFO;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg",     [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit", [LOG_ERR] = "err",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_set_max_level(int level)
{
	max_level = level;
}

int log_parse_level(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	if (strcasecmp(name, "error") == 0)
		return LOG_ERR;
	return -EINVAL;
}

int log_set_level_option(const char *name)
{
	int level = log_parse_level(name);

	if (level < 0) {
		log_msg(LOG_ERR, "--log-level '%s': expected err, warning, notice, info or debug", name);
		return -EINVAL;
	}
	log_set_max_level(level);
	return 0;
}

/* systemd sets JOURNAL_STREAM to the device:inode of the stream our stderr is
 * connected to; only then does the journal see what we write. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static const char *const event_names[] = {
#define LOG_EVENT_NAME(name, text, id) [LOG_EVENT_##name] = text,
	LOG_EVENTS(LOG_EVENT_NAME)
#undef LOG_EVENT_NAME
};

static const char *const event_ids[] = {
#define LOG_EVENT_ID(name, text, id) [LOG_EVENT_##name] = id,
	LOG_EVENTS(LOG_EVENT_ID)
#undef LOG_EVENT_ID
};

const char *log_event_name(enum log_event e)
{
	return (unsigned)e < _LOG_EVENT_MAX ? event_names[e] : NULL;
}

const char *log_event_message_id(enum log_event e)
{
	return (unsigned)e < _LOG_EVENT_MAX ? event_ids[e] : NULL;
}

/* One KEY=value field; a field that does not fit is cut (the message last of all). */
static void entry_add(struct log_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void entry_add(struct log_entry *e, const char *fmt, ...)
{
	size_t room = sizeof(e->text) - e->used;
	va_list ap;
	int n;

	if (room <= 1 || e->n_iov == LOG_ENTRY_FIELDS_MAX)
		return;
	va_start(ap, fmt);
	n = vsnprintf(e->text + e->used, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room)
		n = (int)room - 1;
	e->iov[e->n_iov++] = (struct iovec) { .iov_base = e->text + e->used, .iov_len = (size_t)n };
	e->used += (size_t)n + 1;
}

void log_entry_build(struct log_entry *e, int level, enum log_event event, const struct log_fields *f,
		     const char *message)
{
	e->used = e->n_iov = 0;
	entry_add(e, "PRIORITY=%i", level);
	if (log_event_name(event)) {
		entry_add(e, "MESSAGE_ID=%s", log_event_message_id(event));
		entry_add(e, "MASSAGED_EVENT=%s", log_event_name(event));
	}
	if (f && f->program)
		entry_add(e, "MASSAGED_PROGRAM=%s", f->program);
	if (f && f->reason)
		entry_add(e, "MASSAGED_REASON=%s", f->reason);
	if (f && f->fault)
		entry_add(e, "MASSAGED_FAULT=%s", f->fault);
	if (f && f->zone)
		entry_add(e, "MASSAGED_ZONE=%s", f->zone);
	if (f && f->profile && f->profile[0])
		entry_add(e, "MASSAGED_PROFILE=%s", f->profile);
	if (f && f->has_temperature && isfinite(f->temperature))
		entry_add(e, "MASSAGED_TEMPERATURE=%.1f", f->temperature);
	entry_add(e, "MESSAGE=%s", message);
}

static void log_write(int level, enum log_event event, const struct log_fields *f, const char *message)
{
	struct log_entry e;

	if (level > max_level)
		return;
	if (stderr_is_journal()) {
		log_entry_build(&e, level, event, f, message);
		(void)sd_journal_sendv(e.iov, (int)e.n_iov);
		return;
	}
	/* the program's own name: massaged-mqtt logs with this code too */
	(void)fprintf(stderr, "%s[%s]: %s\n", program_invocation_short_name, level_names[level & 7], message);
}

static void log_writev(int level, enum log_event event, const struct log_fields *f, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void log_writev(int level, enum log_event event, const struct log_fields *f, const char *fmt, va_list ap)
{
	char buf[1024];

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	log_write(level, event, f, buf);
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_writev(level, _LOG_EVENT_MAX, NULL, fmt, ap);
	va_end(ap);
}

void log_event(int level, enum log_event event, const struct log_fields *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_writev(level, event, f, fmt, ap);
	va_end(ap);
}

int log_errno(int r, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_msg(LOG_ERR, "%s: %s", buf, strerror(r < 0 ? -r : r));
	return r;
}
