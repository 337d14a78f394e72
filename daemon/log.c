/* SPDX-License-Identifier: MIT */
#include <errno.h>
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
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
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

static void log_write(int level, const char *fault, const char *message)
{
	if (level > max_level)
		return;
	if (stderr_is_journal()) {
		if (fault)
			(void)sd_journal_send("MESSAGE=%s", message, "PRIORITY=%i", level,
					      "MASSAGED_FAULT=%s", fault, NULL);
		else
			(void)sd_journal_send("MESSAGE=%s", message, "PRIORITY=%i", level, NULL);
		return;
	}
	(void)fprintf(stderr, "massaged[%s]: %s\n", level_names[level & 7], message);
}

void log_msg(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_write(level, NULL, buf);
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

void log_fault(const char *code, const char *message)
{
	char buf[1024];

	(void)snprintf(buf, sizeof(buf), "fault %s: %s", code, message);
	log_write(LOG_WARNING, code, buf);
}
