/* SPDX-License-Identifier: MIT */
/* Text helpers for massagectl's output: string lists, columns of UTF-8 text, durations. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "massagectl.h"

void strv_free(char **l)
{
	for (char **s = l; s && *s; s++)
		free(*s);
	free(l);
}

size_t text_columns(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

void fputs_padded(FILE *f, const char *s, size_t columns)
{
	size_t used = text_columns(s, strlen(s));

	(void)fputs(s, f);
	if (used < columns)
		(void)fprintf(f, "%*s", (int)(columns - used), "");
}

char *format_duration(char buf[static DURATION_MAX], uint32_t seconds)
{
	if (seconds >= 3600)
		(void)snprintf(buf, DURATION_MAX, "%" PRIu32 ":%02" PRIu32 ":%02" PRIu32, seconds / 3600,
			       seconds / 60 % 60, seconds % 60);
	else
		(void)snprintf(buf, DURATION_MAX, "%" PRIu32 ":%02" PRIu32, seconds / 60, seconds % 60);
	return buf;
}

/* The one place elapsed and total are worked out: the total is Elapsed + Remaining as
 * massaged sends them (it rounds the session's length once, the same at every instant),
 * never a length of our own, so status and monitor show the same steady figure. */
char *format_progress(char buf[static PROGRESS_MAX], uint32_t elapsed, uint32_t remaining, unsigned *ret_percent)
{
	uint64_t total = (uint64_t)elapsed + remaining;
	char left[DURATION_MAX], length[DURATION_MAX];

	if (ret_percent)
		*ret_percent = total == 0 ? 0 : (unsigned)(elapsed * 100 / total);
	if (total == 0) {
		buf[0] = '\0';
		return buf;
	}
	(void)snprintf(buf, PROGRESS_MAX, "%s left of %s", format_duration(left, remaining),
		       format_duration(length, (uint32_t)MIN(total, (uint64_t)UINT32_MAX)));
	return buf;
}
