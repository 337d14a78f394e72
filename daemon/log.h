/* SPDX-License-Identifier: MIT */
#pragma once

#include <syslog.h>

/* One logging function: the journal when running under systemd (JOURNAL_STREAM
 * names our stderr), stderr otherwise, so tests can read every message. */
void log_set_max_level(int level);
int log_parse_level(const char *name); /* "debug", "info", ... or -EINVAL */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs and returns r (a negative errno), so handlers can `return log_errno(r, ...)`. */
int log_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A fault entry: the journal gets MASSAGED_FAULT=code as a field. */
void log_fault(const char *code, const char *message);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
