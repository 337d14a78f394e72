/* SPDX-License-Identifier: MIT */
/* massagectl monitor on a terminal: the view fitted to the window. A line longer than
 * the window would wrap, and a view taller than it would scroll its header away, on
 * every redraw. */
#include <stdbool.h>
#include <string.h>

#include "monitor.h"

#define ANSI_CLEAR_LINE "\033[K"
#define ANSI_NORMAL "\033[0m"
#define ELLIPSIS "…"
#define EVENTS_TITLE "Recent events:"

/* Bytes of the escape sequence (CSI ... final byte) at s, or 0 when there is none. */
static size_t escape_length(const char *s, size_t len)
{
	size_t i = 2;

	if (len < 2 || s[0] != '\033' || s[1] != '[')
		return 0;
	while (i < len && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e))
		i++;
	return i < len ? i + 1 : len;
}

/* Columns the line takes on the screen: escape sequences take none. */
static size_t visible_columns(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		size_t esc = escape_length(s + i, len - i);

		if (esc) {
			i += esc;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
		i++;
	}
	return n;
}

/* The line, cut to columns with "…" in the last one (0: as it is). */
static void write_line(FILE *f, const char *s, size_t len, size_t columns)
{
	size_t used = 0, i = 0;
	bool escaped = false;

	if (columns == 0 || visible_columns(s, len) <= columns) {
		(void)fwrite(s, 1, len, f);
		return;
	}
	while (i < len) {
		size_t esc = escape_length(s + i, len - i), next = i + 1;

		if (esc) {
			(void)fwrite(s + i, 1, esc, f);
			escaped = true;
			i += esc;
			continue;
		}
		if (used + 1 >= columns)
			break;
		while (next < len && ((unsigned char)s[next] & 0xc0) == 0x80)
			next++;
		(void)fwrite(s + i, 1, next - i, f);
		used++;
		i = next;
	}
	(void)fputs(ELLIPSIS, f);
	if (escaped)
		(void)fputs(ANSI_NORMAL, f);
}

struct frame_lines {
	const char *start[256];
	size_t len[256];
	size_t n;
};

static void split_lines(const char *frame, struct frame_lines *l)
{
	l->n = 0;
	for (const char *line = frame; *line && l->n < ELEMENTSOF(l->start);) {
		size_t len = strcspn(line, "\n");

		l->start[l->n] = line;
		l->len[l->n++] = len;
		line += len + (line[len] == '\n');
	}
}

static void put(FILE *f, const struct frame_lines *l, size_t i, unsigned columns)
{
	write_line(f, l->start[i], l->len[i], columns);
	(void)fputs(ANSI_CLEAR_LINE "\n", f);
}

void monitor_write_fitted(FILE *f, const char *frame, unsigned columns, unsigned rows)
{
	struct frame_lines l;
	size_t fit, events = SIZE_MAX, keep_events, top;

	split_lines(frame, &l);
	/* the last row stays free: a newline there would scroll the view up */
	fit = rows > 1 ? rows - 1 : SIZE_MAX;
	if (l.n <= fit) {
		for (size_t i = 0; i < l.n; i++)
			put(f, &l, i, columns);
		return;
	}
	for (size_t i = 0; i < l.n; i++)
		if (l.len[i] == strlen(EVENTS_TITLE) && memcmp(l.start[i], EVENTS_TITLE, l.len[i]) == 0)
			events = i;
	/* Too tall: the top (the header first) and the newest events, a third of the rows. */
	keep_events = events == SIZE_MAX ? 0 : MIN(l.n - events, MAX(fit / 3, (size_t)2));
	top = fit - keep_events;
	if (keep_events > 0)
		top = MIN(top, events);
	for (size_t i = 0; i < top; i++)
		put(f, &l, i, columns);
	if (keep_events > 0) {
		put(f, &l, events, columns);
		for (size_t i = l.n - (keep_events - 1); i < l.n; i++)
			put(f, &l, i, columns);
	}
}
