/* SPDX-License-Identifier: MIT */
/* Text helpers for massagectl's output: its messages, string lists, columns of UTF-8
 * text, durations. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "macro.h"
#include "massagectl.h"

/* Text wraps to this width, or to a narrower terminal. */
#define OUTPUT_WIDTH_MAX 80
#define OUTPUT_WIDTH_MIN 40

static void messagev(const char *prefix, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void messagev(const char *prefix, const char *fmt, va_list ap)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (vasprintf(&text, fmt, ap) < 0) {
		text = NULL; /* undefined after a failure */
		(void)fprintf(stderr, "%s: Out of memory.\n", prefix);
		return;
	}
	len = strcspn(text, "\n"); /* a sentence may be followed by lines of its own */
	while (len > 0 && text[len - 1] == ' ')
		len--;
	(void)fprintf(stderr, "%s: %.*s%s%s\n", prefix, (int)len, text,
		      len > 0 && strchr(".!?", text[len - 1]) ? "" : ".", text + strcspn(text, "\n"));
}

void ctl_message(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	messagev(prefix, fmt, ap);
	va_end(ap);
}

int ctl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	messagev("massagectl", fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

void print_wrapped(FILE *f, const char *text, size_t indent, size_t width)
{
	size_t column = 0;

	for (const char *p = text + strspn(text, " \t\n"); *p;) {
		size_t len = strcspn(p, " \t\n");
		size_t columns = text_columns(p, len);

		if (column > 0 && column + 1 + columns > width) {
			(void)fputc('\n', f);
			column = 0;
		}
		if (column == 0) {
			(void)fprintf(f, "%*s", (int)indent, "");
			column = indent;
		} else {
			(void)fputc(' ', f);
			column++;
		}
		(void)fwrite(p, 1, len, f);
		column += columns;
		p += len;
		p += strspn(p, " \t\n");
	}
	if (column > 0)
		(void)fputc('\n', f);
}

size_t output_width(void)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return OUTPUT_WIDTH_MAX;
	return CLAMP((size_t)ws.ws_col, OUTPUT_WIDTH_MIN, OUTPUT_WIDTH_MAX);
}

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
