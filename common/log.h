/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>
#include <syslog.h>

#include "log-events.h"

/* One logging function: the journal when running under systemd (JOURNAL_STREAM
 * names our stderr), stderr otherwise, so tests can read every message. */
void log_set_max_level(int level);
int log_parse_level(const char *name); /* "debug", "info", ... or -EINVAL */
/* --log-level's argument: sets the level, or logs what is expected and returns -EINVAL. */
int log_set_level_option(const char *name);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs and returns r (a negative errno), so handlers can `return log_errno(r, ...)`. */
int log_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What an event is about; NULL fields are left out of the entry. */
struct log_fields {
	const char *program; /* MASSAGED_PROGRAM: a program id, or "manual" */
	const char *reason;  /* MASSAGED_REASON: as ProgramFinished's reason */
	const char *fault;   /* MASSAGED_FAULT: the fault code, as on D-Bus */
	const char *zone;    /* MASSAGED_ZONE */
	const char *profile; /* MASSAGED_PROFILE: the profile in use (who is in the chair); NULL or "" when none */
	double temperature;  /* MASSAGED_TEMPERATURE, °C, when has_temperature */
	bool has_temperature;
};
#define LOG_FIELDS(...) (&(const struct log_fields) { __VA_ARGS__ })
#define LOG_TEMPERATURE(celsius) .temperature = (celsius), .has_temperature = true

/* A session or fault event: the same line on stderr as log_msg(), and in the journal
 * MESSAGE_ID, MASSAGED_EVENT and the fields that are set. */
void log_event(int level, enum log_event event, const struct log_fields *f, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

const char *log_event_name(enum log_event e);
const char *log_event_message_id(enum log_event e);

/* The journal entry log_event() sends (event _LOG_EVENT_MAX and f NULL: a plain
 * message), built apart from sending so that it can be tested. */
#define LOG_ENTRY_FIELDS_MAX 11
struct log_entry {
	char text[2048]; /* the KEY=value strings, back to back */
	size_t used;
	struct iovec iov[LOG_ENTRY_FIELDS_MAX];
	size_t n_iov;
};
void log_entry_build(struct log_entry *e, int level, enum log_event event, const struct log_fields *f,
		     const char *message);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
