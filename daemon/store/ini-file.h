/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* One small layer over inih shared by the configuration and program parsers: it knows
 * line numbers (Debian's inih does not pass them to handlers), tells repeated sections
 * of the same name apart, and turns every error into "FILE:LINE: message". */

#define INI_FILE_ERROR_MAX 512
#define INI_FILE_SECTION_MAX 64
/* The longest line, in bytes, its newline not counted: room for a program's
 * Description= of 511 characters with blanks and a comment around it. */
#define INI_FILE_LINE_MAX 1024

/* Called once per section header line with key == value == NULL, then once per
 * key=value line. `section_index` counts header lines from 0 across the file (-1
 * before the first header), so each `[Step]` has its own index; `line` counts from 1.
 * Return 0, or a negative errno after writing the reason with ini_file_error(). */
typedef int (*ini_file_handler_t)(void *userdata, const char *section, int section_index, const char *key,
				  const char *value, unsigned line);

/* Parse `path`, a regular file of at most `size_max` bytes. On failure returns negative
 * errno and err (INI_FILE_ERROR_MAX bytes) holds the first error: the handler's, a
 * syntax error, a line longer than INI_FILE_LINE_MAX, or one opening or reading the
 * file (-ENOENT when it does not exist, -EINVAL when it is no regular file: a FIFO or a
 * device is never opened in a way that waits, -EFBIG when it is larger than size_max).
 * Leading blanks are ignored, so indented lines are ordinary lines and never
 * continuation lines. Parsing stops at the first error. */
int ini_file_parse(const char *path, size_t size_max, ini_file_handler_t handler, void *userdata, char *err);

/* The names in `dir` that end in `suffix` (with something before it) and do not start
 * with '.', sorted (strcmp). More than `max` of them: -E2BIG, and err names the
 * directory and the limit; the listing stops there. -ENOENT when `dir` does not exist.
 * *ret is a NULL-terminated array to free with ini_file_names_free(). */
int ini_file_list_dir(const char *dir, const char *suffix, unsigned max, char ***ret, unsigned *n, char *err);
void ini_file_names_free(char **names);

/* Write "PATH:LINE: message" (or "PATH: message" when line is 0) into err and return
 * r, so handlers can `return ini_file_error(...)`. */
int ini_file_error(char *err, const char *path, unsigned line, int r, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int ini_file_errorv(char *err, const char *path, unsigned line, int r, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
