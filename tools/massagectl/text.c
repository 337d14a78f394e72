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
