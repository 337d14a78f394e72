/* SPDX-License-Identifier: MIT */
#pragma once

/* Editing a state file's text for the tests of its parser (settings, profile). */

#include <check.h>
#include <stdbool.h>
#include <string.h>

/* `text` (a copy, cut into lines) with the line of `key` replaced by `line`, removed
 * when `line` is NULL, into buf. */
static inline void state_text_with(char *text, const char *key, const char *line, char *buf, size_t size)
{
	char *save = NULL;

	buf[0] = '\0';
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool match = strncmp(l, key, strlen(key)) == 0 && l[strlen(key)] == '=';

		if (match && !line)
			continue;
		strncat(buf, match ? line : l, size - strlen(buf) - 1);
		strncat(buf, "\n", size - strlen(buf) - 1);
	}
}

/* The line number of `key` (a "KEY=" line, or a line that is just `key`). */
static inline unsigned state_text_line_of(const char *text, const char *key)
{
	unsigned line = 1;
	size_t n = strlen(key);

	for (const char *p = text; *p; line++) {
		if (strncmp(p, key, n) == 0 && (p[n] == '=' || p[n] == '\n' || !p[n]))
			return line;
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
	}
	ck_abort_msg("no %s in the text", key);
	return 0;
}
