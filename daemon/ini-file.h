/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>

/* One small layer over inih shared by the configuration and program parsers: it knows
 * line numbers (Debian's inih does not pass them to handlers), tells repeated sections
 * of the same name apart, and turns every error into "FILE:LINE: message". */

#define INI_FILE_ERROR_MAX 512
#define INI_FILE_SECTION_MAX 64

/* Called once per section header line with key == value == NULL, then once per
 * key=value line. `section_index` counts header lines from 0 across the file (-1
 * before the first header), so each `[Step]` has its own index; `line` counts from 1.
 * Return 0, or a negative errno after writing the reason with ini_file_error(). */
typedef int (*ini_file_handler_t)(void *userdata, const char *section, int section_index,
				  const char *key, const char *value, unsigned line);

/* Parse `path`. On failure returns negative errno and err (INI_FILE_ERROR_MAX bytes)
 * holds the first error: the handler's, a syntax error, or one opening or reading the
 * file (-ENOENT when it does not exist). Leading blanks are ignored, so indented lines
 * are ordinary lines and never continuation lines. Parsing stops at the first error. */
int ini_file_parse(const char *path, ini_file_handler_t handler, void *userdata, char *err);

/* Write "PATH:LINE: message" (or "PATH: message" when line is 0) into err and return
 * r, so handlers can `return ini_file_error(...)`. */
int ini_file_error(char *err, const char *path, unsigned line, int r, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int ini_file_errorv(char *err, const char *path, unsigned line, int r, const char *fmt,
		    va_list ap) __attribute__((format(printf, 5, 0)));
